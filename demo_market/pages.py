"""Platform pages of the demo market: JD, Taobao/Tmall, Pinduoduo and 1688 routes.

Each handler reads the catalogue for the market's current day and renders markup that
imitates the saved real pages in `shared/fixtures/real-pages/` (element classes, inline
JSON names, encodings, where prices live). `register(app, market)` adds the routes to a
FastAPI app; the market object supplies `catalogue`, `day` and `render(template, **ctx)`.
"""
from __future__ import annotations

import json
import logging
import math
import zlib
from decimal import Decimal
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from demo_market import networks as seller_networks
from demo_market import gone, scripted
from demo_market.catalogue import Listing, money
from demo_market.render import encode, highlight, js_json

log = logging.getLogger(__name__)

JD_PAGE, TAOBAO_PAGE, PDD_PAGE, A1688_PAGE = 30, 44, 20, 40
HTML_UTF8 = "text/html; charset=utf-8"
HTML_GBK = "text/html; charset=gbk"


def _num(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _fen(price: Decimal) -> int:
    return int((price * 100).to_integral_value())


def _stable_int(text: str, lo: int, hi: int) -> int:
    return lo + zlib.crc32(text.encode("utf-8")) % (hi - lo)


def register(app: FastAPI, market) -> None:
    """Add every platform route to `app`, reading state from `market`."""
    cat = market.catalogue

    def not_found(message: str, encoding: str = "utf-8") -> Response:
        html = market.render("notfound.html", message=message)
        return Response(encode(html, encoding), status_code=404,
                        media_type=HTML_GBK if encoding == "gbk" else HTML_UTF8)

    def lookup(platform: str, listing_id: str) -> tuple[Listing | None, bool]:
        x = cat.get(platform, listing_id)
        if x is None or cat.status(x, market.day) == "unlisted":
            return None, False
        return x, cat.status(x, market.day) == "active"

    def taken_down(x: Listing | None, active: bool, request: Request) -> Response | None:
        """The platform's gone answer for an item it took down (None: answer with the item's page)."""
        if x is None or active or not x.taken_down:
            return None
        return gone.answer(x.platform, x.listing_id, request.scope.get("fw_host") is not None, market.render)

    gone.register(app, market.render)

    # JD ------------------------------------------------------------------------
    @app.get("/jd/search")
    def jd_search(keyword: str = "", page: str | None = None):
        day = market.day
        hits = cat.search(keyword, day, ("jd",))
        pages = max(1, math.ceil(len(hits) / JD_PAGE))
        n = max(1, _num(page, 1))
        items = []
        for x in hits[(n - 1) * JD_PAGE:n * JD_PAGE]:
            items.append({
                "sku": x.listing_id, "title": x.title, "price": str(cat.price_on(x, day)),
                "title_html": highlight(x.title, keyword, '<font class="skcolor_ljg">', "</font>"),
                "img": x.image_urls()[0], "vender_id": x.seller_id, "shop_id": x.shop_id,
                "shop": x.shop_name, "comments": x.sales // 3 + 1})
        html = market.render("jd_search.html", keyword=keyword, page=n, pages=pages,
                             total=len(hits), items=items)
        return Response(encode(html, "utf-8", bom=True), media_type=HTML_UTF8)

    @app.get("/jd/item/{sku}.html")
    def jd_item(sku: str, request: Request):
        x, active = lookup("jd", sku)
        if (down := taken_down(x, active, request)) is not None:
            return down
        if x is None:
            return not_found(f"商品 {sku} 不存在", "gbk")
        html = market.render(
            "jd_item.html", x=x, active=active, images=x.image_urls(),
            cat_id=_stable_int(x.true_category, 14000, 15000),
            brand_id=_stable_int(x.brand or "-", 1000, 99999))
        return Response(encode(html, "gbk"), media_type=HTML_GBK)

    @app.get("/jd/prices/mgets")
    def jd_prices(skuIds: str = "", callback: str | None = None):
        out = []
        for key in [k for k in skuIds.split(",") if k.strip()]:
            sku = key.strip().removeprefix("J_")
            x = cat.get("jd", sku)
            if x is None or not cat.is_active(x, market.day):
                out.append({"id": f"J_{sku}", "p": "-1.00", "m": "-1.00", "op": "-1.00"})
                continue
            p = cat.price_on(x, market.day)
            m = money(p * Decimal("1.25")) if x.price_max is None else cat.price_max_on(x, market.day)
            out.append({"id": f"J_{sku}", "p": str(p), "m": str(m), "op": str(p)})
        if callback and callback.replace("_", "").isalnum():
            return Response(f"{callback}({js_json(out)});", media_type="text/javascript; charset=utf-8")
        return JSONResponse(out)

    @app.get("/jd/api")
    def jd_api(request: Request, functionId: str = "", body: str = "{}", t: str = "", h5st: str = ""):
        """api.m.jd.com: `pc_detailpage_wareBusiness` answers an item's price (JSON, HTTP 200);
        `pc_search_searchWare` the signed search (demo_market.scripted)."""
        if functionId == "pc_search_searchWare":
            return market.jd_search_ware(request, body, t, h5st)
        try:
            args = json.loads(body)
        except ValueError:
            args = None
        if functionId != "pc_detailpage_wareBusiness" or not isinstance(args, dict):
            return JSONResponse({"code": "-1", "echo": "functionId or body not valid"})
        sku = str(args.get("skuId", ""))
        x = cat.get("jd", sku)
        if x is None or not cat.is_active(x, market.day):
            return JSONResponse({"code": "0", "price": {"id": sku, "p": "-1.00", "op": "-1.00"}, "stockInfo": {"stockDesc": "无货"}})
        p = cat.price_on(x, market.day)
        m = money(p * Decimal("1.25")) if x.price_max is None else cat.price_max_on(x, market.day)
        return JSONResponse({"code": "0", "price": {"id": sku, "p": str(p), "op": str(p), "m": str(m)},
                             "stockInfo": {"stockDesc": "有货"}, "wareInfo": {"wname": x.title}})

    # Taobao / Tmall ----------------------------------------------------------------
    @app.get("/taobao/search")
    def taobao_search(q: str = "", s: str | None = None):
        day = market.day
        hits = cat.search(q, day, ("taobao", "tmall"))
        offset = max(0, _num(s, 0))
        total_pages = max(1, math.ceil(len(hits) / TAOBAO_PAGE))
        auctions, cards = [], []
        for x in hits[offset:offset + TAOBAO_PAGE]:
            tmall = x.platform == "tmall"
            price = str(cat.price_on(x, day))
            a = {"nid": x.listing_id, "category": str(_stable_int(x.true_category, 50010000, 50030000)),
                 "pid": "", "title": str(highlight(x.title, q, "<span class=H>", "</span>")),
                 "raw_title": x.title, "pic_url": x.image_urls()[0],
                 "detail_url": x.url, "view_price": price, "view_fee": "0.00",
                 "item_loc": x.location, "view_sales": f"{x.sales}人付款",
                 "comment_count": str(x.sales // 3), "user_id": x.seller_id, "nick": x.shop_name,
                 "shopcard": {"isTmall": tmall, "sellerCredit": _stable_int(x.shop_id, 5, 20)},
                 "shopLink": f"/taobao/shop?user_number_id={x.seller_id}"}
            auctions.append(a)
            cards.append({**a, "is_tmall": tmall,
                          "title_html": highlight(x.title, q, '<span class="H">', "</span>")})
        pager = {"pageSize": TAOBAO_PAGE, "totalPage": total_pages,
                 "currentPage": offset // TAOBAO_PAGE + 1, "totalCount": len(hits)}
        config = {"pageName": "mainsrp", "mods": {
            "shopcombotip": {"status": "hide"},
            "itemlist": {"status": "show", "data": {"postFeeText": "运费", "trace": "msrp_auction",
                                                    "auctions": auctions}},
            "pager": {"status": "show", "data": pager}}}
        html = market.render("taobao_search.html", keyword=q, cards=cards, pager=pager,
                             next_offset=offset + TAOBAO_PAGE,
                             page_config=js_json(config, escape_eq=True))
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    def price_text(x: Listing, sep: str) -> str:
        low, high = cat.price_on(x, market.day), cat.price_max_on(x, market.day)
        return f"{low}{sep}{high}" if high is not None else str(low)

    @app.get("/taobao/item.htm")
    def taobao_item(request: Request, id: str = ""):
        x, active = lookup("taobao", id)
        if (down := taken_down(x, active, request)) is not None:
            return down
        if x is None:
            return not_found(f"宝贝 {id} 不存在")
        html = market.render("taobao_item.html", x=x, active=active, images=x.image_urls(),
                             licence=seller_networks.licence_for(cat, x),
                             price_text=price_text(x, " - "))
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    @app.get("/tmall/item.htm")
    def tmall_item(request: Request, id: str = ""):
        x, active = lookup("tmall", id)
        if (down := taken_down(x, active, request)) is not None:
            return down
        if x is None:
            return not_found(f"商品 {id} 不存在", "gbk")
        setup = {
            "valItemInfo": {"skuList": []},
            "detail": {"defaultItemPrice": price_text(x, " - "), "isHideAttentionBtn": False},
            "itemDO": {"isOnline": active, "title": x.title, "reservePrice": str(cat.price_on(x, market.day)),
                       "sellerNickName": quote(x.shop_name), "prov": x.location.split(" ")[0],
                       "brand": x.brand, "quantity": x.stock, "userId": x.seller_id,
                       "itemId": x.listing_id, "categoryId": str(_stable_int(x.true_category, 120000, 130000))},
            "rstShopId": int(x.shop_id),
            "propertyPics": {"default": x.image_urls()},
        }
        html = market.render("tmall_item.html", x=x, active=active, images=x.image_urls(),
                             licence=seller_networks.licence_for(cat, x),
                             tm_price=price_text(x, "-"), setup=js_json(setup))
        return Response(encode(html, "gbk"), media_type=HTML_GBK)

    def promo(platform: str, id: str):
        x = cat.get(platform, id)
        if x is None or cat.status(x, market.day) == "unlisted":
            return JSONResponse({"error": "not found"}, status_code=404)
        if not cat.is_active(x, market.day):
            return JSONResponse({"price": None, "status": "delisted"})
        return JSONResponse({"price": str(cat.promo_on(x, market.day))})

    @app.get("/taobao/promo")
    def taobao_promo(id: str = ""):
        return promo("taobao", id)

    @app.get("/tmall/promo")
    def tmall_promo(id: str = ""):
        return promo("tmall", id)

    # Pinduoduo ---------------------------------------------------------------------
    @app.get("/pdd/search")
    def pdd_search(q: str = "", page: str | None = None, search_key: str = ""):
        q = q or search_key
        day = market.day
        hits = cat.search(q, day, ("pdd",))
        n = max(1, _num(page, 1))
        rows = [{"goodsID": int(x.listing_id), "goodsName": x.title,
                 "price": _fen(cat.price_on(x, day)), "salesTip": f"已拼{x.sales}件",
                 "mallName": x.shop_name, "mallID": int(x.shop_id),
                 "linkURL": x.url, "thumbUrl": x.image_urls()[0]}
                for x in hits[(n - 1) * PDD_PAGE:n * PDD_PAGE]]
        raw = {"stores": {"store": {"data": {"ssrListData": {
            "list": rows, "hasMore": n * PDD_PAGE < len(hits), "page": n}}}}}
        html = market.render("pdd.html", title=f"{q} - 拼多多", raw=js_json(raw), offline=False, toy_sign=scripted.TOY_SIGN_JS)
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    @app.get("/pdd/goods.html")
    def pdd_goods(request: Request, goods_id: str = ""):
        x, active = lookup("pdd", goods_id)
        if (down := taken_down(x, active, request)) is not None:
            return down
        if x is None:
            return not_found(f"商品 {goods_id} 不存在")
        low = cat.price_on(x, market.day)
        high = cat.price_max_on(x, market.day) or low
        goods = {"goodsID": int(x.listing_id), "goodsName": x.title,
                 "minGroupPrice": _fen(low), "maxGroupPrice": _fen(high),
                 "minNormalPrice": _fen(money(low * Decimal("1.15"))),
                 "maxNormalPrice": _fen(money(high * Decimal("1.15"))),
                 "sideSalesTip": f"已拼{x.sales}件", "quantity": x.stock, "isOnSale": active,
                 "statusExplain": "" if active else "该商品已下架",
                 "topGallery": [{"url": u} for u in x.image_urls()],
                 "goodsProperty": [{"key": k, "values": [v]} for k, v in x.attributes.items()],
                 "goodsDesc": x.description}
        raw = {"store": {"initDataObj": {
            "goods": goods, "mall": {"mallID": int(x.shop_id), "mallName": x.shop_name}}}}
        html = market.render("pdd.html", title=x.title, raw=js_json(raw), offline=not active, toy_sign=scripted.TOY_SIGN_JS)
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    # 1688 ----------------------------------------------------------------------------
    def tiers(x: Listing) -> list[dict]:
        p = cat.price_on(x, market.day)
        steps = [(2, Decimal(1)), (50, Decimal("0.95")), (200, Decimal("0.9"))]
        return [{"price": str(money(p * f)), "beginAmount": n}
                for n, f in steps[:1 + int(x.listing_id) % 3]]

    @app.get("/1688/offer_search")
    def a1688_search(keywords: str = "", beginPage: str | None = None):
        day = market.day
        hits = cat.search(keywords, day, ("1688",))
        n = max(1, _num(beginPage, 1))
        offers = [{"offerId": int(x.listing_id), "subject": x.title,
                   "price": str(cat.price_on(x, day)), "companyName": x.shop_name,
                   "memberId": x.shop_id, "detailUrl": x.url, "imageUrl": x.image_urls()[0],
                   "saledCount": x.sales}
                  for x in hits[(n - 1) * A1688_PAGE:n * A1688_PAGE]]
        data = {"offerList": offers, "pageInfo": {
            "currentPage": n, "totalPage": max(1, math.ceil(len(hits) / A1688_PAGE)),
            "totalCount": len(hits), "pageSize": A1688_PAGE}}
        html = market.render("a1688_search.html", keywords=keywords, offers=offers, data=js_json(data))
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    @app.get("/1688/offer/{offer_id}.html")
    def a1688_offer(offer_id: str, request: Request):
        x, active = lookup("1688", offer_id)
        if (down := taken_down(x, active, request)) is not None:
            return down
        if x is None:
            return not_found(f"商品 {offer_id} 不存在")
        prices = tiers(x)
        oid = int(x.listing_id)
        feature = [{"fid": _stable_int(k, 1000, 9999), "name": k, "value": v, "values": [v],
                    "isSpecial": False} for k, v in x.attributes.items()]
        seller = {"sellerUserId": int(x.seller_id), "sellerLoginId": x.seller_nick,
                  "sellerMemberId": x.shop_id}
        display = prices[-1]["price"] + "-" + prices[0]["price"] if len(prices) > 1 else prices[0]["price"]
        context = {"result": {"data": {
            "gallery": {"fields": {"uiType": "od_picture_gallery", "offerId": oid, "subject": x.title,
                                   "mainImage": x.image_urls()}, "id": "gallery"},
            "Root": {"fields": {"isRoot": True, "uiType": "od_region", "label": "商品详情页", "dataJson": {
                "tempModel": {"offerUnit": "个", "offerId": oid, "offerTitle": x.title,
                              "companyName": x.shop_name, **seller, "saledCount": x.sales},
                "offerBaseInfo": {**seller, "offerId": oid},
                "orderParamModel": {"orderParam": {"saledCount": x.sales, "beginNum": prices[0]["beginAmount"],
                                                   "canBookedAmount": x.stock}}}}, "id": "Root"},
            "mainPrice": {"fields": {"priceModel": {"currentPrices": prices, "priceDisplayType": "rangePrice"}},
                          "id": "mainPrice"},
            "productTitle": {"fields": {"title": x.title, "shopInfo": {"companyName": x.shop_name}},
                             "id": "productTitle"}},
            "global": {"globalData": {"model": {
                "offerDetail": {"offerId": oid, "subject": x.title,
                                "status": "PUBLISHED" if active else "DELETED",
                                "featureAttributes": feature, "description": x.description},
                "tradeModel": {"offerId": oid, "offerPriceModel": {"currentPrices": prices},
                               "priceDisplay": display, "saleCount": x.sales},
                "sellerModel": {"companyName": x.shop_name, **seller}}}}},
            "module": {}, "version": "1.0"}
        html = market.render("a1688_offer.html", x=x, active=active, price_display=display,
                             context=js_json(context))
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)
