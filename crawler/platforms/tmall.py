"""Tmall (tmall.com) parser for item pages; Tmall search results come from Taobao search.

`parse_item(html, url)` reads the inline `TShop.Setup({...})` JSON with HTML fallbacks (`.tm-price`,
`a.slogo-shopname`, `#J_AttrUL li`), or whatever inline JSON keys and HTML parts a page without it
has (the demo market's replica); `parse_search` is Taobao's. Item pages are GBK-declared.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote

from crawler.platforms import taobao
from crawler.platforms._common import (
    listing_status,
    absolute_url,
    clean_text,
    find_key,
    full_image_url,
    node_text,
    page_title,
    parse_count,
    price_fields,
    require,
    script_object,
    selector,
    split_attribute,
    licence_attributes,
)
from firewatch.core.money import parse_yuan
from firewatch.core.models import Listing

log = logging.getLogger(__name__)

PLATFORM = "tmall"


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Tmall results come from Taobao search pages (`g_page_config`): same parser."""
    return taobao.parse_search(html, url)


def parse_pagination(html: str) -> dict:
    """Pagination of a Taobao/Tmall search page."""
    return taobao.parse_pagination(html)


def _json_string(html: str, key: str) -> str | None:
    match = re.search(r'"%s"\s*:\s*"((?:\\.|[^"\\])*)"' % re.escape(key), html)
    if not match:
        return None
    try:
        return json.loads('"' + match.group(1) + '"')
    except json.JSONDecodeError:
        return match.group(1)


def _json_number(html: str, key: str) -> str | None:
    match = re.search(r'"%s"\s*:\s*"?(\d+)' % re.escape(key), html)
    return match.group(1) if match else None


def parse_item(html: str, url: str = "") -> Listing:
    """A listing from a Tmall item page; the static list price is a range or a single value."""
    page = url or "<tmall item page>"
    sel = selector(html)
    try:
        setup = script_object(html, "TShop.Setup(") or {}
    except ValueError as exc:
        log.debug("TShop.Setup on %s is not parseable: %s", page, exc)
        setup = {}
    item = setup.get("itemDO") if isinstance(setup, dict) else None
    item = item if isinstance(item, dict) else {}
    item_id = str(item.get("itemId") or _json_number(html, "itemId") or "")
    if not item_id:
        match = re.search(r"[?&]id=(\d+)", url)
        item_id = match.group(1) if match and ("tm-price" in html or "J_AttrUL" in html) else ""
    item_id = require(item_id, page, "itemDO.itemId (TShop.Setup) or itemId")
    title = clean_text(item.get("title")) or node_text(sel.css("div.tb-detail-hd h1"))
    title = title or clean_text(_json_string(html, "title") or "")
    if not title:
        title = re.sub(r"-tmall\.com天猫$|-天猫.*$", "", page_title(sel)).strip()
    require(title, page, "item title (itemDO.title / div.tb-detail-hd h1)")
    price_text = find_key(setup, "defaultItemPrice") or _json_string(html, "defaultItemPrice")
    if not parse_yuan(price_text):
        price_text = node_text(sel.css("#J_StrPriceModBox .tm-price")) or node_text(sel.css(".tm-price"))
    price, price_range = price_fields(price_text)
    attributes: dict[str, str] = {}
    for li in sel.css("#J_AttrUL li"):
        pair = split_attribute(node_text(li))
        if pair:
            attributes.setdefault(pair[0], pair[1])
    for key in ("brand", "categoryId", "spuId"):
        if item.get(key):
            attributes.setdefault(key, str(item[key]))
    seller_id = str(item.get("userId") or _json_number(html, "sellerId") or "")
    if seller_id:
        attributes["seller_id"] = seller_id
    shop_name = node_text(sel.css("a.slogo-shopname")) or clean_text(_json_string(html, "shopName") or "")
    if not shop_name and item.get("sellerNickName"):
        shop_name = unquote(str(item["sellerNickName"]))
    shop_id = str((setup.get("rstShopId") if isinstance(setup, dict) else "") or _json_number(html, "shopId") or "")
    if not shop_id:
        match = re.search(r"shopId=(\d+)", html)
        shop_id = match.group(1) if match else ""
    attributes.update(licence_attributes(sel))
    images = sel.css("#J_UlThumb img::attr(src)").getall() or sel.css("#J_ImgBooth::attr(src)").getall()
    stock = item.get("quantity")
    return Listing(
        platform=PLATFORM,
        listing_id=item_id,
        status=listing_status(html, sel),
        url=absolute_url(url) if url else f"https://detail.tmall.com/item.htm?id={item_id}",
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=shop_id,
        shop_name=shop_name,
        attributes=attributes,
        description=node_text(sel.css("#description .content")) or node_text(sel.css("#description p")),
        image_urls=list(dict.fromkeys(full_image_url(src, url) for src in images if src)),
        sales=parse_count(node_text(sel.css("li.tm-ind-sellCount .tm-count"))),
        stock=int(stock) if isinstance(stock, int) or str(stock or "").isdigit() else None,
    )
