"""1688 (1688.com, Alibaba wholesale) parsers: offer search pages and offer pages.

`parse_search(html, url)` returns the `Listing`s of a search page (`window.data`), `parse_item`
one offer with its wholesale price tiers (`window.context`); a page without the expected data
raises `ParseError`. Module names cannot start with a digit; the platform name is "1688".
"""

from __future__ import annotations

import logging
import re

from crawler.exceptions import ParseError
from crawler.platforms._common import (
    LICENCE_COMPANY,
    pagination,
    listing_status,
    selector,
    absolute_url,
    clean_text,
    find_key,
    full_image_url,
    iter_key,
    parse_count,
    price_fields,
    require,
    script_object,
)
from firewatch.core.money import parse_yuan
from firewatch.core.models import Listing, PriceTier

log = logging.getLogger(__name__)

PLATFORM = "1688"
# Offer pages keep their data in the second argument of `window.context=(function(b,d){...})
# (window.contextPath, {...});`, a JavaScript object literal (almost JSON: some keys are bare
# numbers): extracted by brace matching, its keys found anywhere in the nested structure, so
# the real page and the demo market's replica both parse.
_CONTEXT_RE = re.compile(r"window\.context\s*=\s*\(function[\s\S]*?\)\s*\(\s*window\.contextPath\s*,\s*")
_CONTEXT_ARG_RE = re.compile(r"window\.contextPath\s*,\s*(?=\{)")
_CONTEXT_PLAIN_RE = re.compile(r"window\.context\s*=\s*(?=\{)")
_DATA_RE = re.compile(r"window\.data\s*=\s*")


def _load(html: str, marker: re.Pattern[str], page: str, what: str):
    try:
        data = script_object(html, marker)
    except ValueError as exc:
        raise ParseError(page, f"a complete {what} object ({exc})") from exc
    if not isinstance(data, dict):
        raise ParseError(page, what)
    return data


def _offer_description(data) -> str:
    """The offer's own description (`offerDetail.description`; other "description" keys on the real page are
    the platform's service promises)."""
    detail = find_key(data, "offerDetail", default=None)
    text = detail.get("description") if isinstance(detail, dict) else None
    return clean_text(text) if isinstance(text, str) else ""


def parse_search(html: str, url: str = "") -> list[Listing]:
    """Listings from an offer search page; [] when `offerList` is explicitly empty."""
    page = url or "<1688 search page>"
    data = _load(html, _DATA_RE, page, "window.data = {...} (offer search data)")
    offers = find_key(data, "offerList", default=None)
    if offers is None:
        if any(isinstance(v, list) for v in iter_key(data, "offerList")):
            return []
        raise ParseError(page, "window.data.offerList")
    listings = [_offer(o, url) for o in offers if isinstance(o, dict) and o.get("offerId")]
    if offers and not listings:
        raise ParseError(page, "offerId in window.data.offerList")
    return listings


def _offer(offer: dict, base: str) -> Listing:
    offer_id = str(offer["offerId"])
    price, price_range = price_fields(offer.get("price"))
    image = offer.get("imageUrl")
    attributes = {}
    for key in ("province", "city", "unit", "quantityBegin"):
        if offer.get(key) not in (None, ""):
            attributes[key] = str(offer[key])
    return Listing(
        platform=PLATFORM,
        listing_id=offer_id,
        url=absolute_url(offer.get("detailUrl"), base) or f"https://detail.1688.com/offer/{offer_id}.html",
        title=clean_text(offer.get("subject") or offer.get("title")),
        price=price,
        price_range=price_range,
        price_pending=price is None and price_range is None,
        shop_id=str(offer.get("memberId") or offer.get("loginId") or ""),
        shop_name=clean_text(offer.get("companyName")),
        attributes=attributes,
        image_urls=[absolute_url(image, base)] if image else [],
        sales=parse_count(offer.get("saledCount")),
    )


def parse_pagination(html: str) -> dict:
    """{"current", "total", "has_more"} from `window.data.pageInfo`."""
    data = _load(html, _DATA_RE, "<1688 search page>", "window.data")
    info = find_key(data, "pageInfo", default={}) or {}
    return pagination(info.get("currentPage"), info.get("totalPage"))


def context_data(html: str, page: str = "") -> dict:
    """The data argument of `window.context=(function(b,d){...})(window.contextPath, {...})`."""
    page = page or "<1688 offer page>"
    for marker in (_CONTEXT_RE, _CONTEXT_ARG_RE, _CONTEXT_PLAIN_RE):
        if marker.search(html):
            return _load(html, marker, page, "window.context(... window.contextPath, {...})")
    raise ParseError(page, "window.context=(function(b,d){...})(window.contextPath, {...})")


def price_tiers(data: dict) -> list[PriceTier]:
    """Wholesale tiers from the first `currentPrices` list: [{price, beginAmount}]."""
    for prices in iter_key(data, "currentPrices"):
        tiers = []
        for entry in prices if isinstance(prices, list) else []:
            price = parse_yuan(entry.get("price")) if isinstance(entry, dict) else None
            begin = parse_count(entry.get("beginAmount")) if isinstance(entry, dict) else None
            if price is not None:
                tiers.append(PriceTier(min_quantity=begin or 1, price=price))
        if tiers:
            return tiers
    return []


def parse_item(html: str, url: str = "") -> Listing:
    """A listing from an offer page with its wholesale price tiers."""
    page = url or "<1688 offer page>"
    data = context_data(html, page)
    offer_id = require(find_key(data, "offerId"), page, "offerId in window.context data")
    title = require(clean_text(find_key(data, "offerTitle", "subject")), page, "offerTitle/subject")
    tiers = price_tiers(data)
    price = price_range = None
    if not tiers:
        price, price_range = price_fields(find_key(data, "priceDisplay", "price"))
    attributes: dict[str, str] = {}
    for feature in find_key(data, "featureAttributes", default=[]) or []:
        if isinstance(feature, dict) and feature.get("name"):
            value = feature.get("value")
            if value in (None, "") and feature.get("values"):
                value = ",".join(str(v) for v in feature["values"])
            attributes.setdefault(clean_text(feature["name"]), clean_text(value))
    login_id = find_key(data, "sellerLoginId", "loginId")
    if login_id:
        attributes["seller_login_id"] = str(login_id)
    company = clean_text(find_key(data, "authCompanyName", "companyName"))
    if company:  # 1688 names the company behind every offer openly
        attributes[LICENCE_COMPANY] = company
    unit = find_key(data, "unit")
    if isinstance(unit, str) and unit:
        attributes["unit"] = unit
    images = find_key(data, "offerImgList", default=[]) or []
    sales = find_key(data, "saledCount")
    return Listing(
        platform=PLATFORM,
        listing_id=str(offer_id),
        status=listing_status(html, selector(html)),
        url=absolute_url(url) if url else f"https://detail.1688.com/offer/{offer_id}.html",
        title=title,
        price=price,
        price_range=price_range,
        price_tiers=tiers,
        price_pending=not tiers and price is None and price_range is None,
        shop_id=str(find_key(data, "sellerMemberId", "memberId", default="")),
        shop_name=clean_text(find_key(data, "companyName")),
        attributes=attributes,
        description=_offer_description(data),
        image_urls=[full_image_url(i, url) for i in images if isinstance(i, str)],
        sales=parse_count(sales),
    )
