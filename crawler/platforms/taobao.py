"""Taobao (taobao.com) parsers: search result pages and item pages.

`parse_search(html, url)` reads the results of the inline `g_page_config` JSON (a result sold by a
Tmall shop becomes a "tmall" listing), `parse_item` an item page (`g_config`, title, price and
attributes from the HTML); `parse_pagination` reads the pager. Missing data raises `ParseError`.
"""

from __future__ import annotations

import json
import logging
import re

from crawler.exceptions import ParseError
from crawler.platforms._common import (
    licence_attributes,
    pagination,
    listing_status,
    absolute_url,
    clean_text,
    find_key,
    full_image_url,
    js_number,
    js_string,
    node_text,
    page_title,
    parse_count,
    price_fields,
    require,
    script_object,
    selector,
    split_attribute,
)
from firewatch.core.models import Listing

log = logging.getLogger(__name__)

PLATFORM = "taobao"
_PAGE_CONFIG_RE = re.compile(r"\bg_page_config\s*=\s*")
_TAG_RE = re.compile(r"<[^>]+>")


def page_config(html: str, page: str) -> dict:
    """The `g_page_config` object of a search page, or ParseError."""
    try:
        config = script_object(html, _PAGE_CONFIG_RE)
    except ValueError as exc:
        raise ParseError(page, f"a complete g_page_config object ({exc})") from exc
    if not isinstance(config, dict):
        raise ParseError(page, "g_page_config = {...} (inline search data)")
    return config


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Listings from a Taobao search page; [] for a page whose result list is explicitly empty."""
    page = url or "<taobao search page>"
    config = page_config(html, page)
    mods = config.get("mods") or {}
    data = (mods.get("itemlist") or {}).get("data") or {}
    auctions = data.get("auctions")
    if auctions is None:
        nores = (mods.get("nores") or {}).get("status") == "show"
        if nores or (mods.get("itemlist") or {}).get("status") == "hide":
            return []
        raise ParseError(page, "g_page_config.mods.itemlist.data.auctions")
    listings: list[Listing] = []
    for auction in auctions:
        if isinstance(auction, dict) and auction.get("nid"):
            listings.append(_auction(auction, url))
    if auctions and not listings:
        raise ParseError(page, "nid in g_page_config auctions")
    return listings


def _auction(auction: dict, base: str) -> Listing:
    nid = str(auction["nid"])
    title = clean_text(auction.get("raw_title") or _TAG_RE.sub("", auction.get("title") or ""))
    price, price_range = price_fields(auction.get("view_price"))
    shopcard = auction.get("shopcard") or {}
    is_tmall = bool(shopcard.get("isTmall")) or "tmall.com" in str(auction.get("detail_url", ""))
    attributes = {}
    for key in ("item_loc", "comment_count", "category", "view_fee"):
        if auction.get(key) not in (None, ""):
            attributes[key] = str(auction[key])
    pic = auction.get("pic_url")
    return Listing(
        platform="tmall" if is_tmall else PLATFORM,
        listing_id=nid,
        url=absolute_url(auction.get("detail_url"), base)
        or (f"https://detail.tmall.com/item.htm?id={nid}" if is_tmall else f"https://item.taobao.com/item.htm?id={nid}"),
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=str(auction.get("user_id") or ""),
        shop_name=clean_text(auction.get("nick")),
        attributes=attributes,
        image_urls=[absolute_url(pic, base)] if pic else [],
        sales=parse_count(auction.get("view_sales")),
    )


def parse_pagination(html: str) -> dict:
    """{"current", "total", "page_size", "total_count", "has_more"} from `mods.pager.data`."""
    config = page_config(html, "<taobao search page>")
    pager = (((config.get("mods") or {}).get("pager") or {}).get("data")) or {}
    return pagination(pager.get("currentPage"), pager.get("totalPage"), page_size=pager.get("pageSize"),
                      total_count=pager.get("totalCount"))


def parse_item(html: str, url: str = "") -> Listing:
    """A listing from a Taobao item page (ids from `g_config`, price from `#J_StrPrice`)."""
    page = url or "<taobao item page>"
    sel = selector(html)
    item_id = js_number(html, "itemId")
    if not item_id:
        data_id = sel.css("#service::attr(data-item-id), [data-item-id]::attr(data-item-id)").get()
        match = re.search(r"[?&]id=(\d+)", url)
        item_id = data_id or (match.group(1) if match and "g_config" in html else None)
    item_id = require(item_id, page, "g_config.itemId")
    title = clean_text(sel.css("h3.tb-main-title::attr(data-title)").get()) or node_text(
        sel.css("h3.tb-main-title")
    )
    if not title:
        title = clean_text(find_key({"t": js_string(html, "title")}, "t") or "")
    if not title:
        title = re.sub(r"-淘宝网$", "", page_title(sel)).strip()
    require(title, page, "h3.tb-main-title (item title)")
    price_text = node_text(sel.css("#J_StrPrice em.tb-rmb-num")) or node_text(sel.css("#J_StrPrice"))
    price, price_range = price_fields(price_text)
    attributes: dict[str, str] = {}
    for li in sel.css("ul.attributes-list li"):
        pair = split_attribute(node_text(li))
        if pair:
            attributes.setdefault(pair[0], pair[1])
    seller_id = js_number(html, "sellerId")
    if seller_id:
        attributes["seller_id"] = seller_id
    seller_nick = js_string(html, "sellerNick")
    if seller_nick:
        attributes["seller_nick"] = seller_nick
    attributes.update(licence_attributes(sel))
    images = sel.css("#J_UlThumb img::attr(data-src)").getall() or sel.css(
        "#J_UlThumb img::attr(src), #J_ImgBooth::attr(src)"
    ).getall()
    return Listing(
        platform=PLATFORM,
        listing_id=item_id,
        status=listing_status(html, sel),
        url=absolute_url(url) if url else f"https://item.taobao.com/item.htm?id={item_id}",
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=js_number(html, "shopId") or "",
        shop_name=js_string(html, "shopName") or "",
        attributes=attributes,
        description=node_text(sel.css("#description p")),
        image_urls=list(dict.fromkeys(full_image_url(src, url) for src in images if src)),
        sales=parse_count(node_text(sel.css("#J_SellCounter"))),
    )


def parse_search_mtop(body: str, url: str = "") -> tuple[list[Listing], dict]:
    """(listings, pagination) from the mtop search answer Taobao's search page receives today
    (`mtopjsonp1({...})` or plain JSON; items with isTmall are Tmall listings). A `ret` other than
    SUCCESS is a ParseError naming it (blocks were turned away before this)."""
    page = url or "<taobao mtop search answer>"
    start = body.find("{")
    try:
        data, _ = json.JSONDecoder().raw_decode(body, start) if start >= 0 else (None, 0)
    except json.JSONDecodeError as exc:
        raise ParseError(page, f"valid JSON(P) ({exc})") from exc
    if not isinstance(data, dict):
        raise ParseError(page, "a JSON(P) object")
    ret = data.get("ret") or [""]
    if not str(ret[0]).startswith("SUCCESS"):
        raise ParseError(page, f"ret SUCCESS (got {ret[0]!r})")
    items = find_key(data, "itemsArray", default=None)
    if not isinstance(items, list):
        raise ParseError(page, "data.itemsArray")
    listings = []
    for item in items:
        item_id = str(item.get("item_id", "")) if isinstance(item, dict) else ""
        if not item_id.isdigit():
            continue
        tmall = bool(item.get("isTmall"))
        price, price_range = price_fields(item.get("price"))
        image = item.get("pic_path")
        shop = item.get("shopInfo") if isinstance(item.get("shopInfo"), dict) else {}
        attributes = {"location": clean_text(item["procity"])} if item.get("procity") else {}
        listings.append(Listing(
            platform="tmall" if tmall else PLATFORM, listing_id=item_id,
            url=(f"https://detail.tmall.com/item.htm?id={item_id}" if tmall
                 else f"https://item.taobao.com/item.htm?id={item_id}"),
            title=clean_text(item.get("title")), price=price, price_range=price_range,
            price_pending=price is None and price_range is None,
            shop_id=str(shop.get("shopId") or item.get("userId") or ""),
            shop_name=clean_text(shop.get("title") or item.get("nick")), attributes=attributes,
            image_urls=[full_image_url(image)] if image else [], sales=parse_count(item.get("realSales"))))
    info = find_key(data, "mainInfo", default={}) or {}
    return listings, pagination(info.get("page"), info.get("totalPage"))
