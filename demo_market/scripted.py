"""Today's script-driven flows of the replica: search shells fed by signed data APIs.

- JD: `search.jd.com/Search` is a shell whose script signs (`h5st`) and fetches
  `api.m.jd.com/api?functionId=pc_search_searchWare`, then draws the result cards.
- Taobao: `s.taobao.com/search` is a shell whose script signs with the `_m_h5_tk` cookie's token
  and loads `h5api.m.taobao.com/h5/mtop.relationrecommend.wirelessrecommend.recommend/2.0/` as
  JSONP (`mtopjsonp1(...)`); failures are `ret: ["FAIL_SYS_...::..."]` with HTTP 200.
- PDD: `search_result.html` renders page 1 from `window.rawData`; scrolling to the end makes its
  script fetch `/proxy/api/search` with `anti_content`, which needs the `PDDAccessToken` cookie.

The signatures are a toy (`toy_sign`, FNV-1a) computed by the page's own script, so only a real
browser running the page gets data, as on the real sites; a wrong or missing signature gets the
site's block answer.
"""
from __future__ import annotations

import json
import logging
import math
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from demo_market.hosts import IMAGE_PATHS
from demo_market.render import encode, js_json

log = logging.getLogger(__name__)

JD_PAGE, TAOBAO_PAGE, PDD_PAGE = 30, 44, 20
JD_APPID, JD_SEARCH_FN = "search-pc-java", "pc_search_searchWare"
MTOP_APP_KEY = "12574478"
HTML_UTF8 = "text/html; charset=utf-8"

TOY_SIGN_JS = ("function toySign(s){var h=0x811c9dc5;for(var c of s){h^=c.codePointAt(0);"
               "h=Math.imul(h,0x01000193)>>>0;}return ('0000000'+h.toString(16)).slice(-8);}")


def toy_sign(text: str) -> str:
    """FNV-1a (32 bit) over code points, hex: the replica's stand-in for a site's signature."""
    h = 0x811C9DC5
    for ch in text:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def _jsonp(callback: str, payload: dict) -> Response:
    name = callback if callback.replace("_", "").replace(".", "").isalnum() else "callback"
    return Response(f"{name}({js_json(payload)})", media_type="application/javascript; charset=utf-8")


def register(app: FastAPI, market) -> None:
    """Add the shells and data APIs to `app`, reading state from `market`."""
    cat = market.catalogue

    def shell(template: str, **ctx) -> Response:
        html = market.render(template, toy_sign=TOY_SIGN_JS, **ctx)
        return Response(encode(html, "utf-8"), media_type=HTML_UTF8)

    # JD ---------------------------------------------------------------------------
    @app.get("/jd/search_shell")
    def jd_search_shell(keyword: str = ""):
        return shell("jd_search_shell.html", keyword=keyword, appid=JD_APPID, fn=JD_SEARCH_FN)

    def jd_search_ware(request: Request, body: str, t: str, h5st: str) -> JSONResponse:
        if h5st != toy_sign(f"{JD_SEARCH_FN}&{body}&{t}&{JD_APPID}"):
            return JSONResponse({"code": "605", "echo": "h5st invalid"})
        if "jd" in market.login_required and not market.logged_in("jd", request.cookies):
            return JSONResponse({"code": "605", "echo": "not logged in"})
        try:
            args = json.loads(body)
            keyword, page = str(args.get("keyword", "")), max(1, int(args.get("page", 1)))
        except (ValueError, TypeError, AttributeError):
            return JSONResponse({"code": "-1", "echo": "body not valid"})
        day = market.day
        hits = cat.search(keyword, day, ("jd",))
        wares = [{"wareId": x.listing_id, "wname": x.title, "jdPrice": str(cat.price_on(x, day)),
                  "imageurl": x.image_urls()[0].split(IMAGE_PATHS["jd"], 1)[-1], "shopId": x.shop_id,
                  "shopName": x.shop_name, "venderId": x.seller_id, "commentCount": x.sales // 3 + 1}
                 for x in hits[(page - 1) * JD_PAGE:page * JD_PAGE]]
        return JSONResponse({"code": "0", "data": {"resultCount": len(hits), "page": page,
                                                    "pageCount": max(1, math.ceil(len(hits) / JD_PAGE)),
                                                    "wareList": wares}})

    market.jd_search_ware = jd_search_ware  # called by pages.jd_api for functionId=pc_search_searchWare

    # Taobao -------------------------------------------------------------------------
    @app.get("/taobao/search_shell")
    def taobao_search_shell(q: str = ""):
        return shell("taobao_search_shell.html", keyword=q, app_key=MTOP_APP_KEY)

    @app.get("/taobao/mtop_search")
    def taobao_mtop_search(request: Request, t: str = "", sign: str = "", data: str = "{}",
                           callback: str = "mtopjsonp1"):
        api = {"api": "mtop.relationrecommend.WirelessRecommend.recommend", "v": "2.0"}
        token = request.cookies.get("_m_h5_tk", "").split("_", 1)[0]
        if not token or sign != toy_sign(f"{token}&{t}&{MTOP_APP_KEY}&{data}"):
            return _jsonp(callback, {**api, "ret": ["FAIL_SYS_ILLEGAL_ACCESS::非法请求"], "data": {}})
        if "taobao" in market.login_required and not market.logged_in("taobao", request.cookies):
            return _jsonp(callback, {**api, "ret": ["FAIL_SYS_SESSION_EXPIRED::Session过期"], "data": {}})
        try:
            args = json.loads(data)
            keyword, offset = str(args.get("q", "")), max(0, int(args.get("s", 0)))
        except (ValueError, TypeError, AttributeError):
            return _jsonp(callback, {**api, "ret": ["FAIL_SYS_PARAM_FORMAT_ERROR::参数错误"], "data": {}})
        day = market.day
        hits = cat.search(keyword, day, ("taobao", "tmall"))
        items = [{"item_id": x.listing_id, "title": x.title, "price": str(cat.price_on(x, day)),
                  "nick": x.shop_name, "userId": x.seller_id, "isTmall": x.platform == "tmall",
                  "pic_path": x.image_urls()[0], "realSales": f"{x.sales}人付款", "procity": x.location,
                  "shopInfo": {"title": x.shop_name, "shopId": x.shop_id}}
                 for x in hits[offset:offset + TAOBAO_PAGE]]
        main = {"totalResults": len(hits), "page": offset // TAOBAO_PAGE + 1, "pageSize": TAOBAO_PAGE,
                "totalPage": max(1, math.ceil(len(hits) / TAOBAO_PAGE))}
        return _jsonp(callback, {**api, "ret": ["SUCCESS::调用成功"], "data": {"itemsArray": items, "mainInfo": main}})

    # PDD ------------------------------------------------------------------------------
    @app.get("/pdd/api/search")
    def pdd_api_search(request: Request, q: str = "", page: str = "2", t: str = "", anti_content: str = ""):
        if anti_content != toy_sign(f"search&{q}&{page}&{t}"):
            return JSONResponse({"error_code": 54001, "error_msg": "操作太过频繁，请稍后再试"})
        if "pdd" in market.login_required and not market.logged_in("pdd", request.cookies):
            return JSONResponse({"error_code": 40001, "error_msg": "未登录"})
        try:
            n = max(1, int(page))
        except ValueError:
            return JSONResponse({"error_code": 40000, "error_msg": "参数错误"})
        day = market.day
        hits = cat.search(q, day, ("pdd",))
        items = [{"item_type": 0, "item_data": {"goods_model": {
            "goods_id": int(x.listing_id), "goods_name": x.title, "price": int(cat.price_on(x, day) * 100),
            "sales_tip": f"已拼{x.sales}件", "mall_name": x.shop_name, "mall_id": int(x.shop_id),
            "thumb_url": x.image_urls()[0], "link_url": f"goods.html?goods_id={x.listing_id}"}}}
            for x in hits[(n - 1) * PDD_PAGE:n * PDD_PAGE]]
        return JSONResponse({"items": items, "has_more": n * PDD_PAGE < len(hits), "page": n,
                             "search_key": quote(q)})
