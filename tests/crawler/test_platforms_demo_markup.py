"""Platform parsers on small hand-written pages that follow the demo market's contract.

PDD has no real saved page, and the demo market serves its own replicas of the other
platforms (search pagination included), so these samples pin down the markup the
parsers must read there. Prices must come out as Decimal yuan (PDD sends integer fen).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from crawler.exceptions import ParseError
from crawler.platforms import detect_block, parse_page, parse_pagination
from firewatch.core.models import PriceTier

BASE = "http://127.0.0.1:8765"


def _script_page(assignment: str) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body><script>{assignment}</script></body></html>"


# --- PDD ------------------------------------------------------------------------------

PDD_SEARCH = {
    "stores": {"store": {"data": {"ssrListData": {
        "list": [
            {"goodsID": 1001, "goodsName": "干粉灭火器4kg 家用", "price": 1990, "salesTip": "已拼1234件",
             "mallName": "安消旗舰店", "mallID": 77, "linkURL": "/pdd/goods.html?goods_id=1001",
             "thumbUrl": "/static/img/1001.jpg"},
            {"goodsID": 1002, "goodsName": "消防面具", "price": 2590, "salesTip": "已拼1.2万件",
             "mallName": "火安", "mallID": 78, "linkURL": "/pdd/goods.html?goods_id=1002",
             "thumbUrl": "//img.example/1002.jpg"},
        ],
        "hasMore": True,
        "page": 1,
    }}}}
}


def test_pdd_search():
    html = _script_page("window.rawData=" + json.dumps(PDD_SEARCH, ensure_ascii=False) + ";")
    url = f"{BASE}/pdd/search?q=灭火器&page=1"
    first, second = parse_page("pdd", "search", html.encode("utf-8"), url=url)
    assert (first.platform, first.listing_id, first.title) == ("pdd", "1001", "干粉灭火器4kg 家用")
    assert first.price == Decimal("19.90") and isinstance(first.price, Decimal)
    assert first.sales == 1234 and second.sales == 12000
    assert first.url == f"{BASE}/pdd/goods.html?goods_id=1001"
    assert (first.shop_id, first.shop_name) == ("77", "安消旗舰店")
    assert first.image_urls == [f"{BASE}/static/img/1001.jpg"]
    assert second.image_urls == ["https://img.example/1002.jpg"]
    assert parse_pagination("pdd", html) == {"current": 1, "total": None, "has_more": True}


def test_pdd_search_explicitly_empty_and_broken():
    empty = {"stores": {"store": {"data": {"ssrListData": {"list": [], "hasMore": False, "page": 9}}}}}
    assert parse_page("pdd", "search", _script_page(f"window.rawData={json.dumps(empty)};")) == []
    with pytest.raises(ParseError, match="ssrListData"):
        parse_page("pdd", "search", _script_page('window.rawData={"stores":{}};'), url=f"{BASE}/pdd/search?q=x")
    with pytest.raises(ParseError, match="pdd-cut"):
        parse_page("pdd", "search", _script_page('window.rawData={"stores":{"store":'), source="pdd-cut")


def _pdd_goods(min_group: int, max_group: int) -> str:
    data = {"store": {"initDataObj": {
        "goods": {"goodsID": 1001, "goodsName": "干粉灭火器4kg", "minGroupPrice": min_group,
                  "maxGroupPrice": max_group, "minNormalPrice": 2990, "sideSalesTip": "已拼1.2万件",
                  "topGallery": [{"url": "//img.example/a.jpg"}, {"url": "/static/b.jpg"}],
                  "goodsProperty": [{"key": "品牌", "values": ["安消"]}, {"key": "规格", "values": ["4kg", "红色"]}],
                  "goodsDesc": "国标 3C 认证"},
        "mall": {"mallID": 77, "mallName": "安消旗舰店"},
    }}}
    return _script_page("window.rawData=" + json.dumps(data, ensure_ascii=False) + ";")


def test_pdd_goods_range_and_single_price():
    url = f"{BASE}/pdd/goods.html?goods_id=1001"
    (item,) = parse_page("pdd", "item", _pdd_goods(1990, 2590), url=url)
    assert item.listing_id == "1001" and item.title == "干粉灭火器4kg"
    assert item.price is None and item.price_range == (Decimal("19.90"), Decimal("25.90"))
    assert item.sales == 12000
    assert item.attributes == {"品牌": "安消", "规格": "4kg,红色", "normal_price": "29.90"}
    assert item.image_urls == ["https://img.example/a.jpg", f"{BASE}/static/b.jpg"]
    assert (item.shop_id, item.shop_name, item.description) == ("77", "安消旗舰店", "国标 3C 认证")
    (single,) = parse_page("pdd", "item", _pdd_goods(1990, 1990), url=url)
    assert single.price == Decimal("19.90") and single.price_range is None


# --- 1688 -----------------------------------------------------------------------------


def _offer_search(offers: list, current: int = 2, total: int = 4) -> str:
    data = {"offerList": offers, "pageInfo": {"currentPage": current, "totalPage": total}}
    return _script_page("window.data = " + json.dumps(data, ensure_ascii=False) + ";")


def test_1688_search_and_pagination():
    offers = [
        {"offerId": 5001, "subject": "消防水带 批发", "price": "12.50", "companyName": "某某消防器材厂",
         "memberId": "b2b-123", "detailUrl": "/1688/offer/5001.html", "imageUrl": "/img/5001.jpg", "saledCount": 340},
        {"offerId": 5002, "subject": "应急灯", "price": "8.00-9.50", "companyName": "灯厂",
         "memberId": "b2b-9", "detailUrl": "/1688/offer/5002.html", "imageUrl": "", "saledCount": 0},
    ]
    url = f"{BASE}/1688/offer_search?keywords=消防&beginPage=2"
    first, second = parse_page("1688", "search", _offer_search(offers), url=url)
    assert (first.platform, first.listing_id, first.price) == ("1688", "5001", Decimal("12.50"))
    assert first.url == f"{BASE}/1688/offer/5001.html"
    assert (first.shop_id, first.shop_name, first.sales) == ("b2b-123", "某某消防器材厂", 340)
    assert second.price_range == (Decimal("8.00"), Decimal("9.50")) and second.sales == 0
    assert parse_pagination("1688", _offer_search(offers)) == {"current": 2, "total": 4, "has_more": True}
    assert parse_pagination("1688", _offer_search(offers, 4, 4))["has_more"] is False
    assert parse_page("1688", "search", _offer_search([], 1, 0)) == []


def test_1688_offer_replica_with_context_function():
    data = {"result": {"data": {
        "mainPrice": {"fields": {"priceModel": {"currentPrices": [
            {"price": "45.00", "beginAmount": 1}, {"price": "39.50", "beginAmount": 50}]}}},
        "Root": {"fields": {"dataJson": {"tempModel": {
            "offerId": 5001, "offerTitle": "消防水带 65型", "companyName": "某某消防器材厂",
            "sellerLoginId": "某某", "sellerMemberId": "b2b-123", "saledCount": 88}}}},
        "gallery": {"fields": {"offerImgList": ["https://cbu01.alicdn.com/x.jpg"]}},
    }, "global": {"globalData": {"model": {"offerDetail": {"featureAttributes": [
        {"name": "品牌", "value": "某某"}, {"name": "长度", "value": "20m"}]}}}}}}
    literal = json.dumps(data, ensure_ascii=False).replace('"skuWeight"', "skuWeight")
    literal = literal[:-1] + ',"weights":{5931007583129:0.6000}}'  # a bare numeric key, as on the real page
    html = _script_page(
        'window.contextPath = "/default";\n'
        "window.context=(function(b,d){var c=d.module||{};return d})(window.contextPath," + literal + ");"
    )
    (item,) = parse_page("1688", "item", html, url=f"{BASE}/1688/offer/5001.html")
    assert item.listing_id == "5001" and item.title == "消防水带 65型"
    assert item.price_tiers == [PriceTier(1, Decimal("45.00")), PriceTier(50, Decimal("39.50"))]
    assert item.display_price == Decimal("39.50")
    assert (item.shop_id, item.shop_name, item.sales) == ("b2b-123", "某某消防器材厂", 88)
    assert item.attributes["品牌"] == "某某" and item.attributes["长度"] == "20m"


# --- JD -------------------------------------------------------------------------------


def _jd_card(sku: int, price: str, lazy: bool = False, shop: bool = True) -> str:
    img = f'data-lazy-img="//img.example/{sku}.jpg"' if lazy else f'src="/static/{sku}.jpg"'
    shop_html = (
        f'<div class="p-shop" data-shop_id="9{sku}"><span class="J_im_icon"><a title="消防专营店{sku}" href="//mall.jd.com/index-9.html">消防专营店{sku}</a></span></div>'
        if shop else ""
    )
    return f"""<li data-sku="{sku}" class="gl-item"><div class="gl-i-wrap">
<div class="p-img"><a title="t" href="//item.jd.com/{sku}.html"><img width="220" {img} /></a></div>
<div class="p-price"><strong class="J_{sku}" data-price="{price}"><em>¥</em><i>{price}</i></strong></div>
<div class="p-name p-name-type-2"><a title="干粉灭火器{sku}" href="/jd/item/{sku}.html"><em><font class="skcolor_ljg">灭火器</font> 干粉 4kg</em></a></div>
<div class="p-commit"><strong>已有<a id="J_comment_{sku}" href="#">2.3万+</a>人评价</strong></div>
{shop_html}</div></li>"""


def _jd_search(cards: str, current: int = 2, total: int = 3) -> bytes:
    html = f"""<html><head><meta charset="utf-8"><title>灭火器 - 商品搜索 - 京东</title></head><body>
<div id="J_topPage" class="f-pager"><span class="fp-text"><b>{current}</b><em>/</em><i>{total}</i></span></div>
<div id="J_goodsList" class="goods-list-v1"><ul class="gl-warp clearfix">{cards}</ul></div></body></html>"""
    return b"\xef\xbb\xbf" + html.encode("utf-8")


def test_jd_search_replica_with_bom_shop_and_pagination():
    body = _jd_search(_jd_card(101, "58.00") + _jd_card(102, "", lazy=True, shop=False))
    url = f"{BASE}/jd/search?keyword=灭火器&page=2"
    first, second = parse_page("jd", "search", body, url=url)
    assert (first.listing_id, first.price, first.title) == ("101", Decimal("58.00"), "灭火器 干粉 4kg")
    assert first.url == f"{BASE}/jd/item/101.html"
    assert (first.shop_id, first.shop_name) == ("9101", "消防专营店101")
    assert first.image_urls == [f"{BASE}/static/101.jpg"]
    assert first.attributes["comments"] == "23000"
    assert second.price is None and second.price_pending is True
    assert second.image_urls == ["https://img.example/102.jpg"] and second.shop_name == ""
    assert parse_pagination("jd", body) == {"current": 2, "total": 3, "has_more": True}
    assert parse_pagination("jd", _jd_search("", 3, 3))["has_more"] is False
    assert parse_page("jd", "search", _jd_search("", 1, 1)) == []


def test_jd_item_replica_gbk_and_price_endpoint():
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk" /><title>x</title>
<script>var pageConfig = {product: {skuid: 101, name: '\\u5e72\\u7c89\\u706d\\u706b\\u5668', shopId:'9101', venderId:5,
imageList: ["jfs/t1/a.jpg"]}};</script></head><body>
<div class="sku-name">干粉灭火器 4kg</div>
<div class="J-hove-wrap"><div class="name"><a href="//mall.jd.com/index-9101.html" title="消防专营店">消防专营店</a></div></div>
<ul class="parameter2 p-parameter-list"><li title="安消">品牌：安消</li><li>商品编号：101</li></ul>
<span class="p-price"><span>￥</span><span class="price J-p-101"></span></span></body></html>"""
    (item,) = parse_page("jd", "item", html.encode("gbk"), url=f"{BASE}/jd/item/101.html")
    assert (item.listing_id, item.title, item.price_pending) == ("101", "干粉灭火器 4kg", True)
    assert (item.shop_id, item.shop_name) == ("9101", "消防专营店")
    assert item.attributes["品牌"] == "安消"
    assert item.image_urls == ["https://img14.360buyimg.com/n1/jfs/t1/a.jpg"]


# --- Taobao / Tmall -------------------------------------------------------------------


def test_taobao_search_replica_with_tmall_listing_and_pager():
    auctions = [
        {"nid": "7001", "raw_title": "灭火器 家用", "title": "<span class=H>灭火器</span> 家用", "view_price": "35.00",
         "view_sales": "123人付款", "nick": "消防小店", "user_id": "55", "detail_url": "/taobao/item.htm?id=7001",
         "pic_url": "//img.example/7001.jpg", "item_loc": "浙江 杭州", "shopcard": {"isTmall": False}},
        {"nid": "7002", "raw_title": "灭火毯", "view_price": "49.90", "view_sales": "1.5万+人付款",
         "nick": "天猫店", "user_id": "56", "detail_url": "/tmall/item.htm?id=7002", "pic_url": "",
         "shopcard": {"isTmall": True}},
    ]
    config = {"pageName": "mainsrp", "mods": {"itemlist": {"status": "show", "data": {"auctions": auctions}},
              "pager": {"status": "show", "data": {"pageSize": 44, "totalPage": 3, "currentPage": 1, "totalCount": 120}}}}
    html = _script_page("g_page_config = " + json.dumps(config, ensure_ascii=False) + ";\ng_srp_loadCss();")
    url = f"{BASE}/taobao/search?q=灭火器&s=0"
    tb, tm = parse_page("taobao", "search", html, url=url)
    assert (tb.platform, tb.listing_id, tb.price, tb.sales) == ("taobao", "7001", Decimal("35.00"), 123)
    assert tb.url == f"{BASE}/taobao/item.htm?id=7001" and tb.attributes["item_loc"] == "浙江 杭州"
    assert (tm.platform, tm.url, tm.sales) == ("tmall", f"{BASE}/tmall/item.htm?id=7002", 15000)
    assert parse_pagination("taobao", html)["has_more"] is True


def test_taobao_item_replica():
    html = """<html><head><meta charset="utf-8"><script>var g_config = { startTime: +new Date, itemId : '7001',
shopId : '88', shopName : '\\u6d88\\u9632\\u5c0f\\u5e97', sellerId : '55', sellerNick : 'xf' };</script></head><body>
<h3 class="tb-main-title" data-title="灭火器 家用 4kg">灭火器 家用 4kg</h3>
<strong id="J_StrPrice"><em class="tb-rmb">¥</em><em class="tb-rmb-num">35.00</em></strong>
<ul class="attributes-list"><li title="安消">品牌:&nbsp;安消</li></ul></body></html>"""
    (item,) = parse_page("taobao", "item", html.encode("utf-8"), url=f"{BASE}/taobao/item.htm?id=7001")
    assert (item.listing_id, item.title, item.price) == ("7001", "灭火器 家用 4kg", Decimal("35.00"))
    assert (item.shop_id, item.shop_name, item.attributes["品牌"]) == ("88", "消防小店", "安消")


def test_tmall_item_replica_gbk_without_tshop_setup():
    html = """<html><head><meta charset="gbk"><title>灭火毯-tmall.com天猫</title></head><body>
<script>var detail = {"itemId":"7002","title":"灭火毯 1.5m","shopName":"天猫店","defaultItemPrice":"58.00 - 79.00"};</script>
<div class="tb-detail-hd"><h1>灭火毯 1.5m</h1></div><span class="tm-price">58.00-79.00</span>
<ul id="J_AttrUL"><li title="安消">品牌：安消</li></ul></body></html>"""
    (item,) = parse_page("tmall", "item", html.encode("gbk"), url=f"{BASE}/tmall/item.htm?id=7002")
    assert (item.platform, item.listing_id, item.title) == ("tmall", "7002", "灭火毯 1.5m")
    assert item.price_range == (Decimal("58.00"), Decimal("79.00")) and item.price is None
    assert item.shop_name == "天猫店" and item.attributes["品牌"] == "安消"


# --- captcha --------------------------------------------------------------------------


def test_demo_captcha_page_is_blocked():
    page = ("<html><head><meta charset='utf-8'><title>安全验证</title></head><body>"
            "<div id='nocaptcha'><span>请拖动滑块完成验证</span></div></body></html>")
    assert detect_block(page) == "captcha"
    assert detect_block(page, f"{BASE}/_sec/captcha?from=/jd/search") == "captcha"
    assert detect_block(_pdd_goods(1990, 2590), f"{BASE}/pdd/goods.html?goods_id=1001") is None
