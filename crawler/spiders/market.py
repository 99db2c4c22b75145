"""The marketplace spiders: search pages, pagination, item pages and price endpoints.

Every URL comes from the platform's site map (`crawler.sites`): the real hosts, whatever the
host map (`[crawl] resolve`) connects them to. A search result whose key was stored recently
with the same price is not re-fetched (`skip_keys`), which is what lets a killed crawl restart
without redoing finished work. Every request kind has an errback, so a block or a failure never
drops a listing already found: a blocked item keeps what the search page showed (status
"blocked", or "unknown" for other failures), a blocked or empty price answer keeps the item with
its price pending, and a blocked search page is counted per keyword and page.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable
import scrapy
from scrapy.exceptions import IgnoreRequest

from crawler.encoding import decode_page
from crawler.exceptions import BlockedGiveUpError, ParseError
from crawler.platforms import alibaba1688, jd, pdd, taobao, tmall
from crawler.sites import SITES, SiteMap

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

    def __init__(self, keywords: Iterable[str], max_pages: int = 20,
                 skip_keys: dict[tuple[str, str], Decimal | None] | None = None,
                 start_pages: dict[str, int] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.keywords = list(keywords)
        self.max_pages = int(max_pages)
        self.skip_keys = skip_keys or {}
        self.start_pages = start_pages or {}
        self.blocked_searches: dict[str, int] = {}  # keyword -> first search page that was blocked

    @property
    def site(self) -> SiteMap:
        return SITES[self.platform]

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(self.site.search_url(keyword, page), callback=self.parse_search,
                              errback=self.search_failed, cb_kwargs={"keyword": keyword, "page": page})

    async def start(self):
        for keyword in self.keywords:
            yield self.search_request(keyword, max(1, int(self.start_pages.get(keyword, 1))))

    def parse_search(self, response, keyword: str, page: int):
        text = response_text(response)
        found = self.search_parser.parse_search(text, response.url)
        self.crawler.stats.inc_value("firewatch/search_pages")
        for listing in found:
            known = self.skip_keys.get(listing.key, False)
            if known is not False and known == listing.display_price:
                self.crawler.stats.inc_value("firewatch/skipped_unchanged")
                continue
            yield self.item_request(listing)
        pages = self.search_parser.parse_pagination(text)
        if found and page < self.max_pages and pages.get("has_more"):
            yield self.search_request(keyword, page + 1)

    def item_request(self, found) -> scrapy.Request:
        url = self.site.item_url(found.listing_id, found.platform)
        # cb_kwargs stay picklable (a shared Redis queue serialises requests)
        return scrapy.Request(url, callback=self.parse_item, errback=self.item_failed,
                              cb_kwargs={"found": replace(found, url=url)})

    def parse_item(self, response, found):
        parser = self.item_parsers[found.platform]
        listing = merge(found, parser.parse_item(response_text(response), response.url))
        yield from self.complete(listing)

    def search_failed(self, failure):
        """A search page that could not be read: counted, and remembered as where to resume."""
        keyword, page = failure.request.cb_kwargs["keyword"], failure.request.cb_kwargs["page"]
        kind = _failure_kind(failure)
        self.crawler.stats.inc_value(f"firewatch/search_{kind}")
        self.blocked_searches.setdefault(keyword, page)
        log.warning("search %r page %d not read (%s): %s", keyword, page, kind, failure.getErrorMessage())

    def item_failed(self, failure):
        """An item page that could not be read: keep what the search page showed."""
        found = failure.request.cb_kwargs["found"]
        kind = _failure_kind(failure)
        self.crawler.stats.inc_value(f"firewatch/item_{kind}")
        log.warning("item %s not read (%s): %s", failure.request.url, kind, failure.getErrorMessage())
        yield replace(found, status="blocked" if kind in ("blocked", "robots") else "unknown")

    def complete(self, listing):
        """Yield the finished listing (platforms with a price endpoint override this)."""
        yield listing


def _failure_kind(failure) -> str:
    if failure.check(BlockedGiveUpError):
        return "blocked"
    if failure.check(IgnoreRequest):
        return "robots"  # RobotsTxtMiddleware (or another filter) refused the request
    if failure.check(ParseError):
        return "unparsed"
    return "failed"


class JDSpider(MarketSpider):
    """JD: static search prices; item pages price through the price API (api.m.jd.com)."""

    name = platform = "jd"
    search_parser = jd
    item_parsers = {"jd": jd}

    def complete(self, listing):
        if not listing.price_pending:
            yield listing
            return
        yield scrapy.Request(self.site.price_url(listing.listing_id), callback=self.parse_price,
                             errback=self.price_failed, cb_kwargs={"listing": listing}, dont_filter=True)

    def parse_price(self, response, listing):
        """The price answer; an empty one (no price, "-1.00") keeps the listing with its price pending."""
        price = jd.parse_ware_business(response_text(response))
        if price is None:
            self.crawler.stats.inc_value("firewatch/price_empty")
            yield listing
            return
        yield replace(listing, price=price, price_range=None, price_pending=False)

    def price_failed(self, failure):
        """A blocked or failed price request: the item page was read, so the listing is kept, price pending."""
        listing = failure.request.cb_kwargs["listing"]
        kind = _failure_kind(failure)
        self.crawler.stats.inc_value(f"firewatch/price_{kind}")
        log.warning("price of %s not read (%s): %s", listing.key, kind, failure.getErrorMessage())
        yield listing


class TaobaoSpider(MarketSpider):
    """Taobao search (g_page_config) yields Taobao and Tmall listings."""

    name = platform = "taobao"
    search_parser = taobao
    item_parsers = {"taobao": taobao, "tmall": tmall}



class PDDSpider(MarketSpider):
    """PDD mobile pages: inline window.rawData."""

    name = platform = "pdd"
    search_parser = pdd
    item_parsers = {"pdd": pdd}



class AlibabaSpider(MarketSpider):
    """1688 wholesale offers with quantity price tiers."""

    name = platform = "1688"
    search_parser = alibaba1688
    item_parsers = {"1688": alibaba1688}



SPIDERS: dict[str, type[MarketSpider]] = {s.platform: s for s in (JDSpider, TaobaoSpider, PDDSpider, AlibabaSpider)}
