"""Platform pages: markup, encodings and where prices live, matching the real saved pages."""
from __future__ import annotations

import json
import re

import pytest

KW = "灭火器"


def _json_after(text: str, marker: str):
    start = text.index(marker) + len(marker)
    return json.JSONDecoder().raw_decode(text[start:].lstrip())[0]


def test_robots(client):
    r = client.get("/robots.txt")
    assert r.status_code == 200
    assert "Disallow: /_admin/" in r.text and "Disallow: /cart/" in r.text and "Allow: /" in r.text


def test_jd_search_bom_and_markup(client):
    r = client.get("/jd/search", params={"keyword": KW, "page": 1})
    assert r.content.startswith(b"\xef\xbb\xbf")
    html = r.content.decode("utf-8-sig")
    skus = re.findall(r'<li data-sku="(\d+)" class="gl-item">', html)
    assert 0 < len(skus) <= 30
    assert '<div id="J_goodsList"' in html and '<ul class="gl-warp clearfix"' in html
    assert re.search(r'<strong class="J_%s" data-price="\d+\.\d\d"><em>¥</em><i>\d+\.\d\d</i>' % skus[0], html)
    assert f'<font class="skcolor_ljg">{KW}</font>' in html
    assert re.search(r'class="p-shop"[^>]*data-shop_id="\d+"', html)
    assert re.search(r'<b>1</b><em>/</em><i>\d+</i>', html)


def test_jd_pagination(client):
    first = client.get("/jd/search", params={"keyword": KW, "page": 1}).content.decode("utf-8-sig")
    pages = int(re.search(r"<b>1</b><em>/</em><i>(\d+)</i>", first).group(1))
    assert pages >= 2
    second = client.get("/jd/search", params={"keyword": KW, "page": 2}).content.decode("utf-8-sig")
    a = set(re.findall(r'data-sku="(\d+)" class="gl-item"', first))
    b = set(re.findall(r'data-sku="(\d+)" class="gl-item"', second))
    assert b and not a & b


def test_jd_item_gbk_without_price(client, catalogue):
    x = next(x for x in catalogue.initial() if x.platform == "jd" and x.delisted_day is None)
    r = client.get(f"/jd/item/{x.listing_id}.html")
    assert "gbk" in r.headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    html = r.content.decode("gbk")
    assert '<meta charset="gbk">' in html and f"skuid: {x.listing_id}," in html
    assert f'<span class="price J-p-{x.listing_id}"></span>' in html
    assert str(x.price) not in html.replace(x.title, "").replace(x.description, "")
    assert re.search(r"<li title='[^']*'>品牌：", html) or not x.brand
    assert x.title in re.search(r'<div class="sku-name">(.*?)</div>', html, re.S).group(1)


def test_jd_price_endpoint(client, catalogue):
    xs = [x for x in catalogue.initial() if x.platform == "jd"][:2]
    ids = ",".join(f"J_{x.listing_id}" for x in xs)
    data = client.get("/jd/prices/mgets", params={"skuIds": ids}).json()
    assert [d["id"] for d in data] == [f"J_{x.listing_id}" for x in xs]
    assert data[0]["p"] == str(catalogue.price_on(xs[0], 0))
    assert set(data[0]) == {"id", "p", "m", "op"}


def test_taobao_search_page_config(client):
    r = client.get("/taobao/search", params={"q": KW, "s": 0})
    cfg = _json_after(r.text, "g_page_config = ")
    auctions = cfg["mods"]["itemlist"]["data"]["auctions"]
    pager = cfg["mods"]["pager"]["data"]
    assert 0 < len(auctions) <= 44 and pager["pageSize"] == 44 and pager["currentPage"] == 1
    a = auctions[0]
    assert {"nid", "raw_title", "title", "view_price", "view_sales", "nick", "user_id",
            "detail_url", "pic_url", "item_loc", "shopcard"} <= set(a)
    assert "<span class=H>" in a["title"] and a["view_sales"].endswith("人付款")
    assert any(x["shopcard"]["isTmall"] and x["detail_url"].startswith("https://detail.tmall.com/item.htm?id=") for x in auctions)
    assert '<div class="price g_price g_price-highlight">' in r.text and f"<strong>{a['view_price']}</strong>" in r.text
    assert "\\u003d" in r.text  # '=' escaped like the real page


def test_taobao_item_and_promo(client, catalogue):
    x = next(x for x in catalogue.initial() if x.platform == "taobao" and x.delisted_day is None and x.price_max)
    html = client.get("/taobao/item.htm", params={"id": x.listing_id}).text
    assert f"itemId           : '{x.listing_id}'" in html and "shopName         : '\\u" in html
    assert f'<em class="tb-rmb-num">{x.price} - {x.price_max}</em>' in html
    assert 'id="J_PromoPrice" class="tb-detail-price tb-promo-price tb-clear tb-hidden"' in html
    assert '<ul class="attributes-list">' in html and "品牌:&nbsp;" in html or not x.brand
    promo = client.get("/taobao/promo", params={"id": x.listing_id}).json()
    assert re.fullmatch(r"\d+\.\d\d", promo["price"])


def test_tmall_item_gbk(client, catalogue):
    x = next(x for x in catalogue.initial() if x.platform == "tmall" and x.delisted_day is None)
    r = client.get("/tmall/item.htm", params={"id": x.listing_id})
    html = r.content.decode("gbk")
    setup = _json_after(html, "TShop.Setup(")
    assert setup["itemDO"]["itemId"] == x.listing_id and setup["itemDO"]["title"] == x.title
    assert setup["detail"]["defaultItemPrice"].startswith(str(x.price))
    assert '<span class="tm-price">' in html and '<ul id="J_AttrUL">' in html
    assert client.get("/tmall/promo", params={"id": x.listing_id}).json()["price"]


def test_pdd_search_and_goods(client, catalogue):
    html = client.get("/pdd/search", params={"q": KW, "page": 1}).text
    raw = _json_after(html, "window.rawData=")
    data = raw["stores"]["store"]["data"]["ssrListData"]
    row = data["list"][0]
    assert isinstance(row["price"], int) and row["salesTip"].startswith("已拼") and data["page"] == 1
    goods_html = client.get(row["linkURL"]).text
    init = _json_after(goods_html, "window.rawData=")["store"]["initDataObj"]
    assert init["goods"]["goodsID"] == row["goodsID"] and init["goods"]["minGroupPrice"] == row["price"]
    assert init["mall"]["mallName"] == row["mallName"]
    assert all({"key", "values"} <= set(p) for p in init["goods"]["goodsProperty"])


def test_1688_search_and_offer(client):
    html = client.get("/1688/offer_search", params={"keywords": KW, "beginPage": 1}).text
    data = _json_after(html, "window.data = ")
    offer = data["offerList"][0]
    assert data["pageInfo"]["currentPage"] == 1
    page = client.get(offer["detailUrl"]).text
    assert "window.context=(function(b,d){var c=d.module||{};" in page
    ctx = _json_after(page, "(window.contextPath,")
    tiers = ctx["result"]["data"]["mainPrice"]["fields"]["priceModel"]["currentPrices"]
    assert tiers[0]["price"] == offer["price"] and tiers[0]["beginAmount"] >= 1
    temp = ctx["result"]["data"]["Root"]["fields"]["dataJson"]["tempModel"]
    assert temp["offerId"] == offer["offerId"] and temp["companyName"] == offer["companyName"]
    assert {"sellerLoginId", "sellerMemberId", "saledCount", "offerTitle"} <= set(temp)
    feats = ctx["result"]["global"]["globalData"]["model"]["offerDetail"]["featureAttributes"]
    assert feats and {"name", "value", "values"} <= set(feats[0])


def test_images_are_png(client):
    r = client.get("/img/jd/123_0.png")
    assert r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get("/img/jd/123_0.png").content == r.content


def test_unknown_item_is_404(client):
    assert client.get("/jd/item/1.html").status_code == 404
    assert client.get("/taobao/item.htm", params={"id": "1"}).status_code == 404
