"""Generic parser for any shop page that carries schema.org Product data.

`parse_search(html, url)` maps each schema.org `Product` (JSON-LD, microdata, else OpenGraph tags;
read by extruct) onto a `Listing` of platform "web", keyed by sku, productID or mpn, else by URL;
`parse_item` takes the first. A Discontinued offer is `removed`; no product raises `ParseError`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from crawler.exceptions import ParseError
from crawler.platforms._common import absolute_url, clean_text
from firewatch.core.money import parse_yuan
from firewatch.core.models import Listing

PLATFORM = "web"
SYNTAXES = ["json-ld", "microdata", "opengraph"]


def _types(node: dict) -> set[str]:
    kind = node.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds}


def _walk(node: Any):
    """Every dict inside a JSON-LD/microdata tree (graphs, ItemLists, nested offers)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return clean_text(value.get("name") or value.get("legalName") or "")
    if isinstance(value, list):
        return _name(value[0]) if value else ""
    return clean_text(value or "")


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _product_listing(node: dict, url: str) -> Listing:
    offers = _first(node.get("offers")) or {}
    offers = offers if isinstance(offers, dict) else {}
    price = parse_yuan(offers.get("price"))
    low, high = parse_yuan(offers.get("lowPrice")), parse_yuan(offers.get("highPrice"))
    price_range = (low, high) if low is not None and high is not None and low != high else None
    if price is None and price_range is None and low is not None:
        price = low
    page_url = absolute_url(_first(node.get("url")) or url, url) if (node.get("url") or url) else ""
    key = clean_text(node.get("sku") or node.get("productID") or node.get("mpn") or "")
    if not key:
        key = "u" + hashlib.sha256(page_url.encode()).hexdigest()[:16] if page_url else ""
    attributes = {}
    for label, field in (("品牌", "brand"), ("生产厂家", "manufacturer"), ("型号", "model"), ("GTIN", "gtin13")):
        value = _name(node.get(field))
        if value:
            attributes[label] = value
    for prop in node.get("additionalProperty") or []:
        if isinstance(prop, dict) and prop.get("name"):
            attributes[clean_text(prop["name"])] = clean_text(prop.get("value", ""))
    images = node.get("image") or []
    images = [images] if isinstance(images, (str, dict)) else images
    availability = str(offers.get("availability", "")).lower()
    return Listing(
        platform=PLATFORM,
        listing_id=key,
        url=page_url,
        title=clean_text(node.get("name", "")),
        price=None if price_range else price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        currency=clean_text(offers.get("priceCurrency") or "CNY"),
        shop_name=_name(offers.get("seller")),
        attributes=attributes,
        description=clean_text(node.get("description", "")),
        image_urls=[absolute_url(i.get("url") if isinstance(i, dict) else i, url) for i in images if i],
        status="removed" if "discontinued" in availability else "active",
    )


def _opengraph_listing(og: dict, url: str) -> Listing | None:
    title = clean_text(og.get("og:title", ""))
    amount = parse_yuan(og.get("product:price:amount") or og.get("og:price:amount"))
    if not title or (amount is None and "product" not in str(og.get("@type", "")).lower()):
        return None
    page_url = absolute_url(og.get("og:url") or url, url) if (og.get("og:url") or url) else ""
    key = clean_text(og.get("product:retailer_item_id", "")) or (
        "u" + hashlib.sha256(page_url.encode()).hexdigest()[:16] if page_url else "")
    image = og.get("og:image")
    return Listing(platform=PLATFORM, listing_id=key, url=page_url, title=title, price=amount,
                   price_pending=amount is None, currency=clean_text(og.get("product:price:currency") or "CNY"),
                   shop_name=clean_text(og.get("og:site_name", "")), description=clean_text(og.get("og:description", "")),
                   image_urls=[absolute_url(image, url)] if image else [])


def _listings(html: str, url: str) -> list[Listing]:
    import extruct  # slow to import (0.17 s): only `firewatch parse --platform web` needs it

    data = extruct.extract(html, base_url=url or None, syntaxes=SYNTAXES, uniform=True)
    found: dict[str, Listing] = {}
    for syntax in ("json-ld", "microdata"):
        for node in _walk(data.get(syntax, [])):
            if "product" in _types(node) and node.get("name"):
                listing = _product_listing(node, url)
                if listing.listing_id:
                    found.setdefault(listing.listing_id, listing)
    if not found:
        for og in data.get("opengraph", []):
            listing = _opengraph_listing(og, url)
            if listing is not None and listing.listing_id:
                found[listing.listing_id] = listing
    return list(found.values())


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Every schema.org Product on a category or search page (an ItemList or several Products)."""
    listings = _listings(html, url)
    if not listings:
        raise ParseError(url or "<web page>", "schema.org Product data (JSON-LD, microdata or OpenGraph product tags)")
    return listings


def parse_item(html: str, url: str = "") -> Listing:
    """The (first) schema.org Product of a product page."""
    return parse_search(html, url)[0]


def parse_pagination(html: str) -> dict:
    """Generic shop pages carry no pager this parser can trust."""
    return {"current": None, "total": None, "has_more": False}
