"""Pinduoduo (PDD, yangkeduo.com) parsers for its mobile web pages.

`parse_search(html, url)` and `parse_item(html, url)` read the server-rendered `window.rawData`
(search: `stores.store.data.ssrListData`; goods: `store.initDataObj`); prices come as integer fen.
No real PDD page is stored, so this follows the demo market's contract.
"""

from __future__ import annotations

import logging
import re

from crawler.exceptions import ParseError
from crawler.platforms._common import (
    load_json,
    listing_status,
    selector,
    absolute_url,
    clean_text,
    fen_to_yuan,
    find_key,
    iter_key,
    parse_count,
    require,
    script_object,
)
from firewatch.core.models import Listing

log = logging.getLogger(__name__)

PLATFORM = "pdd"
_RAW_DATA_RE = re.compile(r"window\.rawData\s*=\s*")


def raw_data(html: str, page: str) -> dict:
    """The `window.rawData` object, or ParseError naming the page."""
    try:
        data = script_object(html, _RAW_DATA_RE)
    except ValueError as exc:
        raise ParseError(page, f"a complete window.rawData object ({exc})") from exc
    if not isinstance(data, dict):
        raise ParseError(page, "window.rawData = {...}")
    return data


def _list_data(html: str, page: str) -> dict:
    data = raw_data(html, page)
    for candidate in iter_key(data, "ssrListData"):
        if isinstance(candidate, dict):
            return candidate
    raise ParseError(page, "window.rawData.stores.store.data.ssrListData")


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Listings from a PDD search page; [] when `ssrListData.list` is explicitly empty."""
    page = url or "<pdd search page>"
    items = _list_data(html, page).get("list")
    if not isinstance(items, list):
        raise ParseError(page, "ssrListData.list")
    listings = [_goods_card(i, url) for i in items if isinstance(i, dict) and i.get("goodsID")]
    if items and not listings:
        raise ParseError(page, "goodsID in ssrListData.list")
    return listings


def _goods_card(item: dict, base: str) -> Listing:
    goods_id = str(item["goodsID"])
    price = fen_to_yuan(item.get("price"))
    thumb = item.get("thumbUrl") or item.get("hdThumbUrl")
    attributes = {}
    if item.get("salesTip"):
        attributes["sales_tip"] = clean_text(item["salesTip"])
    return Listing(
        platform=PLATFORM,
        listing_id=goods_id,
        url=absolute_url(item.get("linkURL"), base)
        or f"https://mobile.yangkeduo.com/goods.html?goods_id={goods_id}",
        title=clean_text(item.get("goodsName")),
        price=price,
        price_pending=price is None,
        shop_id=str(item.get("mallID") or ""),
        shop_name=clean_text(item.get("mallName")),
        attributes=attributes,
        image_urls=[absolute_url(thumb, base)] if thumb else [],
        sales=parse_count(item.get("salesTip")),
    )


def parse_pagination(html: str) -> dict:
    """{"current", "total" (unknown: None), "has_more"} from `ssrListData`."""
    data = _list_data(html, "<pdd search page>")
    return {"current": data.get("page"), "total": None, "has_more": bool(data.get("hasMore"))}


def parse_item(html: str, url: str = "") -> Listing:
    """A listing from a PDD goods page: group price range, sales, gallery, properties, mall."""
    page = url or "<pdd goods page>"
    data = raw_data(html, page)
    init = find_key(data, "initDataObj", default={}) or {}
    goods = require(find_key(init or data, "goods"), page, "rawData.store.initDataObj.goods")
    if not isinstance(goods, dict):
        raise ParseError(page, "rawData.store.initDataObj.goods object")
    goods_id = str(require(goods.get("goodsID"), page, "goods.goodsID"))
    title = require(clean_text(goods.get("goodsName")), page, "goods.goodsName")
    low, high = fen_to_yuan(goods.get("minGroupPrice")), fen_to_yuan(goods.get("maxGroupPrice"))
    price = price_range = None
    if low is not None and high is not None and low != high:
        price_range = (min(low, high), max(low, high))
    else:
        price = low if low is not None else high
    attributes: dict[str, str] = {}
    for prop in goods.get("goodsProperty") or []:
        if isinstance(prop, dict) and prop.get("key"):
            values = prop.get("values")
            value = ",".join(str(v) for v in values) if isinstance(values, list) else str(values or "")
            attributes.setdefault(clean_text(prop["key"]), clean_text(value))
    normal = fen_to_yuan(goods.get("minNormalPrice"))
    if normal is not None:
        attributes["normal_price"] = str(normal)
    mall = init.get("mall") if isinstance(init, dict) else None
    mall = mall if isinstance(mall, dict) else {}
    gallery = [g.get("url") if isinstance(g, dict) else g for g in goods.get("topGallery") or []]
    return Listing(
        platform=PLATFORM,
        listing_id=goods_id,
        status=listing_status(html, selector(html)),
        url=absolute_url(url) if url else f"https://mobile.yangkeduo.com/goods.html?goods_id={goods_id}",
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=str(mall.get("mallID") or goods.get("mallID") or ""),
        shop_name=clean_text(mall.get("mallName") or goods.get("mallName")),
        attributes=attributes,
        description=clean_text(goods.get("goodsDesc")),
        image_urls=[absolute_url(g, url) for g in gallery if g],
        sales=parse_count(goods.get("sideSalesTip") or goods.get("salesTip")),
    )


def parse_search_api(body: str, url: str = "") -> tuple[list[Listing], dict]:
    """(listings, pagination) from `/proxy/api/search` JSON, the later pages of a PDD search."""
    page = url or "<pdd search API answer>"
    data = load_json(body, page)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ParseError(page, "items (/proxy/api/search)")
    listings = []
    for item in items:
        goods = find_key(item, "goods_model") if isinstance(item, dict) else None
        if not isinstance(goods, dict) or not goods.get("goods_id"):
            continue
        goods_id = str(goods["goods_id"])
        price = fen_to_yuan(goods.get("price"))
        thumb = goods.get("thumb_url")
        listings.append(Listing(
            platform=PLATFORM, listing_id=goods_id, url=f"https://mobile.yangkeduo.com/goods.html?goods_id={goods_id}",
            title=clean_text(goods.get("goods_name")), price=price, price_pending=price is None,
            shop_id=str(goods.get("mall_id") or ""), shop_name=clean_text(goods.get("mall_name")),
            attributes={"sales_tip": clean_text(goods["sales_tip"])} if goods.get("sales_tip") else {},
            image_urls=[absolute_url(thumb)] if thumb else [], sales=parse_count(goods.get("sales_tip"))))
    return listings, {"current": data.get("page"), "total": None, "has_more": bool(data.get("has_more"))}
