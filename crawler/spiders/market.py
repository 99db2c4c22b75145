"""The marketplace spiders: search pages, pagination, item pages and price endpoints.

URLs follow the routes of the demo market (`demo_market/README.md`), which imitates
each platform's real markup; `base_url` is the marketplace root. A search result whose
key was stored recently with the same price is not re-fetched (`skip_keys`), which is
what lets a killed crawl restart without redoing finished work.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable
from urllib.parse import quote, urljoin

import scrapy

from crawler.encoding import decode_page
from crawler.exceptions import BlockedGiveUpError
from crawler.platforms import alibaba1688, jd, pdd, taobao, tmall

log = logging.getLogger(__name__)


def response_text(response) -> str:
    """Decode a response body by its declared charset, BOM and meta tags."""
    declared = None
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    if "charset=" in ctype:
        declared = ctype.split("charset=", 1)[1].split(";")[0].strip()
    return decode_page(response.body, declared)


def merge(found: Any, detail: Any) -> Any:
    """Item-page fields win where present; search-page fields fill the gaps."""
    updates = {}
    for name in ("title", "shop_id", "shop_name", "url", "description"):
        if not getattr(detail, name) and getattr(found, name):
            updates[name] = getattr(found, name)
    if detail.price is None and detail.price_range is None and not detail.price_tiers:
        updates.update(price=found.price, price_range=found.price_range, price_tiers=found.price_tiers)
    if detail.sales is None and found.sales is not None:
        updates["sales"] = found.sales
    if not detail.image_urls and found.image_urls:
        updates["image_urls"] = found.image_urls
    attrs = dict(found.attributes)
    attrs.update(detail.attributes)
    updates["attributes"] = attrs
    return replace(detail, **updates)


class MarketSpider(scrapy.Spider):
    """Search each keyword, follow pagination, fetch every new item page."""

    platform = ""
    search_parser: Any = None
    item_parsers: dict[str, Any] = {}

    def __init__(self, base_url: str, keywords: Iterable[str], max_pages: int = 20,
                 skip_keys: dict[tuple[str, str], Decimal | None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/") + "/"
        self.keywords = list(keywords)
        self.max_pages = int(max_pages)
        self.skip_keys = skip_keys or {}

    # The search route, formatted with the quoted keyword `q`, the 1-based `page` and
    # the result `offset` of that page (`page_size` results a page).
    search_path = ""
    page_size = 0

    def search_url(self, keyword: str, page: int) -> str:
        path = self.search_path.format(q=quote(keyword), page=page, offset=(page - 1) * self.page_size)
        return urljoin(self.base_url, path)

    async def start(self):
        for keyword in self.keywords:
            yield scrapy.Request(self.search_url(keyword, 1), callback=self.parse_search,
                                 cb_kwargs={"keyword": keyword, "page": 1})

    def parse_search(self, response, keyword: str, page: int):
        text = response_text(response)
        found = self.search_parser.parse_search(text, response.url)
        self.crawler.stats.inc_value("firewatch/search_pages")
        for listing in found:
            known = self.skip_keys.get(listing.key, False)
            if known is not False and known == listing.display_price:
                self.crawler.stats.inc_value("firewatch/skipped_unchanged")
                continue
            # cb_kwargs stay picklable (a shared Redis queue serialises requests)
            yield response.follow(listing.url, callback=self.parse_item, errback=self.item_failed,
                                  cb_kwargs={"found": listing})
        pages = self.search_parser.parse_pagination(text)
        if found and page < self.max_pages and pages.get("has_more"):
            yield scrapy.Request(self.search_url(keyword, page + 1), callback=self.parse_search,
                                 cb_kwargs={"keyword": keyword, "page": page + 1})

    def parse_item(self, response, found):
        parser = self.item_parsers[found.platform]
        listing = merge(found, parser.parse_item(response_text(response), response.url))
        yield from self.complete(listing)

    def item_failed(self, failure):
        """A blocked item page: keep what the search page showed, as status "blocked"."""
        if failure.check(BlockedGiveUpError):
            yield replace(failure.request.cb_kwargs["found"], status="blocked")
        else:
            log.error("%s: %s", failure.request.url, failure.getErrorMessage())

    def complete(self, listing):
        """Yield the finished listing (platforms with a price endpoint override this)."""
        yield listing


class JDSpider(MarketSpider):
    """JD: static search prices; item pages price through the price endpoint."""

    name = platform = "jd"
    search_parser = jd
    item_parsers = {"jd": jd}

    search_path = "jd/search?keyword={q}&page={page}"

    def complete(self, listing):
        if not listing.price_pending:
            yield listing
            return
        url = urljoin(self.base_url, f"jd/prices/mgets?skuIds=J_{listing.listing_id}")
        yield scrapy.Request(url, callback=self.parse_price, cb_kwargs={"listing": listing}, dont_filter=True)

    def parse_price(self, response, listing):
        prices = jd.parse_prices(response_text(response))
        price = prices.get(listing.listing_id)
        if price is None or price < 0:
            listing = replace(listing, price=None, price_pending=False, status="removed")
        else:
            listing = replace(listing, price=price, price_range=None, price_pending=False)
        yield listing


class TaobaoSpider(MarketSpider):
    """Taobao search (g_page_config) yields Taobao and Tmall listings."""

    name = platform = "taobao"
    search_parser = taobao
    item_parsers = {"taobao": taobao, "tmall": tmall}

    search_path = "taobao/search?q={q}&s={offset}"
    page_size = 44


class PDDSpider(MarketSpider):
    """PDD mobile pages: inline window.rawData."""

    name = platform = "pdd"
    search_parser = pdd
    item_parsers = {"pdd": pdd}

    search_path = "pdd/search?q={q}&page={page}"


class AlibabaSpider(MarketSpider):
    """1688 wholesale offers with quantity price tiers."""

    name = platform = "1688"
    search_parser = alibaba1688
    item_parsers = {"1688": alibaba1688}

    search_path = "1688/offer_search?keywords={q}&beginPage={page}"


SPIDERS: dict[str, type[MarketSpider]] = {s.platform: s for s in (JDSpider, TaobaoSpider, PDDSpider, AlibabaSpider)}
