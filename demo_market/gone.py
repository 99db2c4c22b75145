"""How the replica answers for an item the platform itself took down, the way the real sites do today.

A listing a takedown notice brought down (`behaviour.TakedownDesk` sets `Listing.taken_down`) no longer
shows its own page with 下架 flags (that stays for listings their seller delisted): Taobao sends
item.taobao.com with a 302 to its error page err.taobao.com/error1.html ("很抱歉，您查看的宝贝不存在，可能已下架
或者被转移"), JD redirects item.jd.com to its home page www.jd.com, Tmall answers at the item URL with a
page saying 此商品已下架 and no item data, 1688 answers 404 with 页面不存在, Pinduoduo a goods page saying
商品已售罄或已下架 and no goods data. `answer(platform, listing_id, real, render)` is that response
(`real`: the request came under the real hostname, so redirects name real URLs; else internal routes);
`register(app, render)` adds the error and home pages the redirects lead to.
"""
from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response

from demo_market.render import encode

HTML_UTF8 = "text/html; charset=utf-8"
HTML_GBK = "text/html; charset=gbk"
TAOBAO_ERROR = "https://err.taobao.com/error1.html"
JD_HOME = "https://www.jd.com/"
_TAOBAO_TEXT = "很抱歉，您查看的宝贝不存在，可能已下架或者被转移。"


def _page(render, encoding: str, status: int = 200, **ctx) -> Response:
    html = render("gone.html", charset="gbk" if encoding == "gbk" else "utf-8", **ctx)
    return Response(encode(html, encoding), status_code=status, media_type=HTML_GBK if encoding == "gbk" else HTML_UTF8)


def answer(platform: str, listing_id: str, real: bool, render) -> Response:
    """The platform's answer today for an item it took down."""
    if platform == "taobao":
        back = quote(f"https://item.taobao.com/item.htm?id={listing_id}", safe="")
        target = f"{TAOBAO_ERROR}?c=404&rurl={back}" if real else f"/taobao/error1.html?c=404&rurl={back}"
        return RedirectResponse(target, status_code=302)
    if platform == "jd":
        return RedirectResponse(f"{JD_HOME}?from=item" if real else "/jd/home?from=item", status_code=302)
    if platform == "tmall":
        return _page(render, "gbk", title="天猫tmall.com--理想生活上天猫", css="tm-error", heading="很抱歉，此商品已下架",
                     message="您可以看看其他商品", home="https://www.tmall.com/")
    if platform == "1688":
        return _page(render, "utf-8", 404, title="页面不存在 - 阿里巴巴", css="mod-error", heading="页面不存在",
                     message="该商品已下架或已删除", home="https://www.1688.com/")
    return _page(render, "utf-8", title="拼多多", css="goods-offline", heading="商品已售罄或已下架",
                 message="去看看其他商品吧", home="https://mobile.yangkeduo.com/")


def register(app: FastAPI, render) -> None:
    """The pages the redirects lead to: Taobao's error page and JD's home page."""

    @app.get("/taobao/error1.html")
    def taobao_error():
        return _page(render, "gbk", title="淘宝网 - 宝贝不存在", css="error-box", heading=_TAOBAO_TEXT,
                     message="您可以去淘宝首页看看", home="https://www.taobao.com/")

    @app.get("/jd/home")
    def jd_home():
        html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>京东(JD.COM)-正品低价、品质保障、配送及时、'
                '轻松购物！</title></head><body><div id="J_promotional-top"></div><div class="fs"><ul class="cate_menu">'
                '<li>家用电器</li><li>手机 / 运营商 / 数码</li><li>家居 / 家具 / 家装</li></ul></div></body></html>')
        return Response(html.encode("utf-8"), media_type=HTML_UTF8)
