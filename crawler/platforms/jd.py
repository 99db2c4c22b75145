"""JD (jd.com) parsers: search result pages, item pages and the price endpoint.

Search pages list `li.gl-item[data-sku]` cards with a static price in
`strong.J_<sku>[data-price]`. Item pages carry no price at all: `pageConfig` gives
the sku, name, shop and images, and the price comes from the price endpoint
(`[{"id":"J_<sku>","p":"58.00",...}]`, read by `parse_prices`), so item listings
are returned with `price_pending=True`.
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal

from lxml import etree

from crawler.exceptions import ParseError
from crawler.platforms._common import (
    load_json,
    pagination,
    listing_status,
    absolute_url,
    clean_text,
    full_image_url,
    js_number,
    js_string,
    node_text,
    page_title,
    parse_count,
    price_fields,
    require,
    selector,
    split_attribute,
)
from firewatch.core.money import parse_yuan
from firewatch.core.models import Listing

log = logging.getLogger(__name__)

PLATFORM = "jd"
IMAGE_BASE = "https://img14.360buyimg.com/n1/"
_NO_RESULT_MARKERS = ("抱歉，没有找到", "没有找到与", "check-error", "no-result", "J_noResult")


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Listings from a JD search result page; [] only for an explicit no-result page."""
    return _search(selector(html), html, url)


def parse_search_page(html: str, url: str = "") -> tuple[list[Listing], dict]:
    """(`parse_search`, `parse_pagination`) of one search page, parsed once."""
    sel = selector(html)
    return _search(sel, html, url), _pagination(sel)


def _search(sel, html: str, url: str) -> list[Listing]:
    page = url or "<jd search page>"
    # li.gl-item[data-sku], in document order (#J_goodsList's cards are among them)
    cards = [el for el in sel.root.iter("li") if el.get("data-sku") is not None and "gl-item" in _classes(el)]
    if not cards:
        if sel.css("#J_goodsList ul.gl-warp") or any(m in html for m in _NO_RESULT_MARKERS):
            log.debug("no results on %s", page)
            return []
        raise ParseError(page, "#J_goodsList li.gl-item[data-sku] (search result cards)")
    listings, seen = [], set()
    for card in cards:
        sku = clean_text(card.get("data-sku"))
        if not sku.isdigit() or sku in seen:
            continue
        seen.add(sku)
        listings.append(_search_card(card, sku, url))
    return require(listings, page, "li.gl-item with a numeric data-sku")


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _text(elements) -> str:
    """`node_text` of elements (all their text, in order, cleaned)."""
    return clean_text("".join(t for el in elements for t in el.itertext()))


class _Card:
    """The parts of one search card, found in one walk over its elements: for each CSS selector
    `_search_card` reads, the elements it matches, in document order."""

    def __init__(self, card, sku: str):
        self.name_links: list = []  # div.p-name a
        self.sku_strongs: list = []  # div.p-price strong.J_<sku>
        self.strongs: list = []  # div.p-price strong
        self.imgs: list = []  # div.p-img img
        self.shops: list = []  # div.p-shop
        self.commits: list = []  # div.p-commit
        self.commit_links: list = []  # div.p-commit a
        self.venid: str | None = card.get("data-venid")  # the first [data-venid], the card included
        self._sku_class = f"J_{sku}"
        self._walk(card, False, False, False, False)

    def _walk(self, el, in_name: bool, in_price: bool, in_img: bool, in_commit: bool) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # a comment or processing instruction
                continue
            if self.venid is None and child.get("data-venid") is not None:
                self.venid = child.get("data-venid")
            classes = _classes(child)
            if tag == "a":
                if in_name:
                    self.name_links.append(child)
                if in_commit:
                    self.commit_links.append(child)
            elif tag == "strong":
                if in_price:
                    self.strongs.append(child)
                    if self._sku_class in classes:
                        self.sku_strongs.append(child)
            elif tag == "img":
                if in_img:
                    self.imgs.append(child)
            elif tag == "div" and classes:
                if "p-shop" in classes:
                    self.shops.append(child)
                if "p-commit" in classes:
                    self.commits.append(child)
                if len(child):
                    self._walk(child, in_name or "p-name" in classes, in_price or "p-price" in classes,
                               in_img or "p-img" in classes, in_commit or "p-commit" in classes)
                continue
            if len(child):
                self._walk(child, in_name, in_price, in_img, in_commit)


def _under(elements: list, tag: str) -> list:
    """`SelectorList.css(tag)`: each element's `tag` descendants, element after element."""
    return [d for el in elements for d in el.iter(tag) if d is not el]


def _first_text(elements: list, tag: str) -> str | None:
    """`SelectorList.css(f"{tag}::text").get()`: the first text node directly inside a `tag`
    descendant of the elements."""
    for el in _under(elements, tag):
        if el.text is not None:
            return el.text
        for child in el:
            if child.tail is not None:
                return child.tail
    return None


def _search_card(card, sku: str, base: str) -> Listing:
    parts = _Card(card, sku)
    first_name = parts.name_links[0] if parts.name_links else None
    title = _text(_under(parts.name_links, "em")) or (clean_text(first_name.get("title")) if first_name is not None else "")
    href = (first_name.get("href") if first_name is not None else None) or f"//item.jd.com/{sku}.html"
    strongs = parts.sku_strongs or parts.strongs
    price_text = strongs[0].get("data-price") if strongs else None
    if not parse_yuan(price_text):
        price_text = _text(_under(strongs, "i")) if strongs else None
    price, price_range = price_fields(price_text) if parse_yuan(price_text) else (None, None)
    img = parts.imgs[0] if parts.imgs else None
    image = img.get("src") or img.get("data-lazy-img") if img is not None else None
    shop = parts.shops[0] if parts.shops else None
    shop_links = _under(parts.shops, "a")
    attributes: dict[str, str] = {}
    comments = parse_count(_text(parts.commit_links) or _text(parts.commits))
    if comments is not None:
        attributes["comments"] = str(comments)
    if parts.venid:
        attributes["vender_id"] = parts.venid
    return Listing(
        platform=PLATFORM,
        listing_id=sku,
        url=absolute_url(href, base),
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=clean_text(shop.get("data-shop_id")) if shop is not None else "",
        shop_name=clean_text(shop_links[0].get("title") or _text(shop_links)) if shop_links else "",
        attributes=attributes,
        image_urls=[absolute_url(image, base)] if image else [],
    )


def parse_pagination(html: str) -> dict:
    """{"current": int|None, "total": int|None, "has_more": bool} from `#J_topPage`."""
    return _pagination(selector(html))


# the CSS `#J_topPage span.fp-text`, compiled once
_PAGE_BOX = etree.XPath("//*[@id='J_topPage']//span[contains(concat(' ', normalize-space(@class), ' '), ' fp-text ')]")


def _pagination(sel) -> dict:
    boxes = _PAGE_BOX(sel.root)
    current = parse_count(_first_text(boxes, "b")) if boxes else None
    total = parse_count(_first_text(boxes, "i")) if boxes else None
    return pagination(current, total)


def parse_item(html: str, url: str = "") -> Listing:
    """A listing from a JD item page; the price is pending (fetched from the price endpoint)."""
    page = url or "<jd item page>"
    sel = selector(html)
    sku = js_number(html, "skuid")
    if not sku:
        match = re.search(r"item\.jd\.com/(\d+)\.html", url) or re.search(r"/(\d+)\.html", url)
        sku = match.group(1) if match and "pageConfig" in html else None
    sku = require(sku, page, "pageConfig.skuid")
    title = node_text(sel.css("div.sku-name")) or (js_string(html, "name") or "").strip()
    if not title:
        title = re.sub(r"【[^】]*】.*$|-京东$", "", page_title(sel)).strip()
    require(title, page, "title (div.sku-name / pageConfig.name)")
    attributes: dict[str, str] = {}
    for li in sel.css("ul.parameter2 li"):
        pair = split_attribute(node_text(li))
        if pair:
            attributes.setdefault(pair[0], pair[1])
    for key in ("venderId", "cat", "brand"):
        value = _config_value(html, key)
        if value:
            attributes.setdefault(f"jd_{key}", value)
    shop_link = sel.css("div.J-hove-wrap div.name a, div.shopName a, div.name a")
    shop_name = clean_text(shop_link.attrib.get("title") or node_text(shop_link[:1])) if shop_link else ""
    shop_name = shop_name or attributes.get("店铺", "")
    price_text = node_text(sel.css(f"span.price.J-p-{sku}"))
    price, price_range = price_fields(price_text) if parse_yuan(price_text) else (None, None)
    return Listing(
        platform=PLATFORM,
        listing_id=sku,
        status=listing_status(html, sel),
        url=absolute_url(url, "") if url else f"https://item.jd.com/{sku}.html",
        title=title,
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=js_number(html, "shopId") or js_number(html, "venderId") or "",
        shop_name=shop_name,
        attributes=attributes,
        description=node_text(sel.css("#J-detail-content p.desc")),
        image_urls=_images(html, sel, url),
    )


def _config_value(html: str, key: str) -> str | None:
    match = re.search(r"\b%s\s*:\s*(\[[^\]]*\]|'[^']*'|\"[^\"]*\"|\d+)" % key, html)
    if not match:
        return None
    return match.group(1).strip("[]'\"").replace(" ", "")


def _images(html: str, sel, base: str) -> list[str]:
    match = re.search(r"imageList\s*:\s*(\[[^\]]*\])", html)
    paths: list[str] = []
    if match:
        try:
            paths = [p for p in json.loads(match.group(1)) if isinstance(p, str)]
        except json.JSONDecodeError:
            paths = []
    if not paths:
        paths = sel.css("#spec-list img::attr(src), #spec-img::attr(data-origin)").getall()
    urls = []
    for path in paths:
        if path.startswith(("http:", "https:", "//", "/")):
            urls.append(full_image_url(path, base))
        else:
            urls.append(IMAGE_BASE + path)
    return list(dict.fromkeys(urls))


def parse_prices(body: str) -> dict[str, Decimal]:
    """Prices by bare sku from the price endpoint JSON (or JSONP); off-sale ("-1.00") left out."""
    text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else body
    start = text.find("[")
    if start < 0:
        raise ParseError("<jd price response>", "a JSON array of prices")
    try:
        entries, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise ParseError("<jd price response>", f"valid JSON ({exc})") from exc
    prices: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        sku = str(entry["id"]).removeprefix("J_").removeprefix("j_")
        price = parse_yuan(entry.get("p"))
        if price is None or price <= 0:
            continue
        prices[sku] = price
    return prices


def apply_prices(listings: list[Listing], prices: dict[str, Decimal]) -> list[Listing]:
    """Fill the pending prices of JD listings from `parse_prices` output (in place)."""
    for listing in listings:
        if listing.listing_id in prices:
            listing.price = prices[listing.listing_id]
            listing.price_range = None
            listing.price_pending = False
    return listings


def parse_ware_business(body: str | bytes) -> Decimal | None:
    """The price from api.m.jd.com `pc_detailpage_wareBusiness` JSON (`price.p`); None when it
    gives none (off sale "-1.00", or no price object). A block code is not a price answer: the
    block middleware has already turned it away."""
    text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else body
    data = load_json(text, "<jd price response>")
    price_obj = data.get("price") if isinstance(data, dict) else None
    if not isinstance(price_obj, dict):
        return None
    price = parse_yuan(price_obj.get("p"))
    return price if price is not None and price > 0 else None


def parse_search_api(body: str, url: str = "") -> tuple[list[Listing], dict]:
    """(listings, pagination) from api.m.jd.com `pc_search_searchWare` JSON, what JD's search page
    receives today; ParseError when it is not that answer."""
    page = url or "<jd search API answer>"
    data = load_json(body, page)
    result = data.get("data") if isinstance(data, dict) else None
    wares = result.get("wareList") if isinstance(result, dict) else None
    if not isinstance(wares, list):
        raise ParseError(page, "data.wareList (pc_search_searchWare)")
    listings = []
    for ware in wares:
        sku = str(ware.get("wareId", "")) if isinstance(ware, dict) else ""
        if not sku.isdigit():
            continue
        price, price_range = price_fields(ware.get("jdPrice")) if parse_yuan(ware.get("jdPrice")) else (None, None)
        image = ware.get("imageurl")
        attributes = {"vender_id": str(ware["venderId"])} if ware.get("venderId") else {}
        if ware.get("commentCount") is not None:
            attributes["comments"] = str(ware["commentCount"])
        listings.append(Listing(
            platform=PLATFORM, listing_id=sku, url=f"https://item.jd.com/{sku}.html", title=clean_text(ware.get("wname")),
            price=price, price_range=price_range, price_pending=price is None and price_range is None,
            shop_id=str(ware.get("shopId") or ""), shop_name=clean_text(ware.get("shopName")), attributes=attributes,
            image_urls=[full_image_url(image) if str(image).startswith(("http", "//")) else IMAGE_BASE + "jfs/t1/" + str(image)]
            if image else []))
    return listings, pagination(result.get("page"), result.get("pageCount"))
