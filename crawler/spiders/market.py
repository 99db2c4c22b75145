"""The marketplace spiders: search pages, pagination, item pages and price endpoints.

Every URL comes from the platform's site map (`crawler.sites`): the real hosts, whatever the
host map (`[crawl] resolve`) connects them to. A search result whose key was stored recently
with the same price is not re-fetched (`skip_signatures`, `crawler.skip`), which is what lets a
killed crawl restart without redoing finished work. Flows the site signs in its own JavaScript
(`SiteMap` flows with `browser=True`) are loaded in Chromium with the platform's imported session
(scrapy-playwright), and the spider reads the data answers the page received
(`crawler.browser_flows`); a login page or a not-logged-in answer pauses the platform with a
会话失效 alert and is never stored. Every request kind has an errback, so a block or a failure never
drops a listing already found: a blocked item keeps what the search page showed (status
"blocked", or "unknown" for other failures), a blocked or empty price answer keeps the item with
its price pending, and a blocked search page is counted per keyword and page.

An item page that shows the item gone (a 404/410 at the item URL, a redirect to the platform's error or home
page, its gone wording: `crawler.platforms.gone.judge_page`, the 'fetch' stage's judgement too) yields a
`crawler.revisit.GoneItem`, never an "unknown" listing; a captcha or login page, a 5xx or another item's page
never does. An item page's redirect is never followed blindly (robots.txt may forbid its target, as JD's forbids
the home page it sends a removed item to): `judge_page` reads the redirect answer itself, so a redirect to the
platform's home or error page is a gone sighting, one to a login or verification page is blocked (as
`crawler.middlewares.BlockMiddleware` already treats it), and any other is followed as a new request that passes
robots.txt like every request. Before searching, the spider fetches again the item pages of its `revisit` listings (suspected
removals, `crawler.revisit.revisit_plan`); a revisit that fails or does not parse stores nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Iterable
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.browser_flows import Answers, browser_meta, close_page
from crawler.encoding import response_text
from crawler.exceptions import BlockedGiveUpError, BlockedPageError, ParseError
from crawler.platforms import alibaba1688, jd, pdd, taobao, tmall
from crawler.platforms.blocked import detect_block
from crawler.platforms.gone import GONE_STATUSES, REDIRECT_STATUSES, GonePage, Redirect, judge_page
from crawler.platforms.search import search_page
from crawler.revisit import GoneItem
from crawler.sessions import session_expired
from crawler.sites import SITES, SiteMap
from crawler.skip import found_item, unchanged
from firewatch.core.clock import utcnow

try:  # scrapy-playwright's errors are Playwright's; a crawl without browser flows never raises them
    from playwright.async_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - Playwright is a dependency
    PlaywrightError = RuntimeError

log = logging.getLogger(__name__)

BROWSER_ATTEMPTS = 3  # loads of one search page in the browser before it counts as not read


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
    api_parser: Any = None  # browser flows: (listings, pagination) from the data answer

    def __init__(self, keywords: Iterable[str], max_pages: int = 20,
                 skip_signatures: dict[tuple[str, str], str] | None = None,
                 start_pages: dict[str, int] | None = None, browser_timeout_ms: int = 20000,
                 revisit: Iterable[Any] = (), **kwargs):
        super().__init__(**kwargs)
        self.revisit = [x for x in revisit if x.platform in self.item_parsers]  # suspected removals to fetch again
        self.keywords = list(keywords)
        self.max_pages = int(max_pages)
        self.skip_signatures = skip_signatures or {}  # crawler.skip.skip_key_map: what search results showed
        self.start_pages = start_pages or {}
        self.blocked_searches: dict[str, int] = {}  # keyword -> first search page not read this run
        self.completed_searches: set[str] = set()  # keywords whose search reached its last page
        self.answers = Answers(self.site.search.data, browser_timeout_ms)
        self.browser_timeout_ms = browser_timeout_ms
        self.home_run = 0  # item pages in a row redirected to the platform's home page (see `throttled`)
        self.deferred: list = []  # suspected removals whose revisit met a throttle: asked again after a normal page

    @property
    def site(self) -> SiteMap:
        return SITES[self.platform]

    # search --------------------------------------------------------------------------
    def search_request(self, keyword: str, page: int, again: bool = False, attempt: int = 0) -> scrapy.Request:
        """The search page request (`again`: a retry, which the duplicate filter lets through;
        `attempt`: how many loads of this page in the browser failed before)."""
        flow = self.site.search
        meta = browser_meta(self.platform, "collect_answer", self.browser_timeout_ms) if flow.browser else {}
        meta["fw_attempt"] = attempt
        return scrapy.Request(self.site.search_url(keyword, page),
                              callback=self.parse_browser_search if flow.browser else self.parse_search,
                              errback=self.search_failed, meta=meta, dont_filter=again,
                              cb_kwargs={"keyword": keyword, "page": page})

    async def start(self):
        for listing in self.revisit:
            yield self.item_request(listing, revisit=True)
        for keyword in self.keywords:
            page = max(1, int(self.start_pages.get(keyword, 1)))
            yield self.search_request(keyword, page if page <= self.max_pages else 1)

    def parse_search(self, response, keyword: str, page: int):
        found, pagination = search_page(self.search_parser, response_text(response), response.url)
        yield from self.search_results(found, pagination, keyword, page)

    def search_results(self, found, pagination: dict, keyword: str, page: int, follow: bool = True):
        """Item requests for new or changed results, then the next page (or the keyword is done)."""
        self.crawler.stats.inc_value("firewatch/search_pages")
        for listing in found:
            if unchanged(self.skip_signatures, listing):
                self.crawler.stats.inc_value("firewatch/skipped_unchanged")
                continue
            yield self.item_request(listing)
        if found and page < self.max_pages and pagination.get("has_more"):
            if follow:
                yield self.search_request(keyword, page + 1)
        else:
            self.completed_searches.add(keyword)

    def collect_answer(self, response) -> None:
        """scrapy-playwright's "response" page event handler: keep the flow's data answers."""
        self.answers.collect(response)

    def collect_answer_failed(self, request) -> None:
        """scrapy-playwright's "requestfailed" page event handler: a data request that got no answer."""
        self.answers.fail(request)

    async def parse_browser_search(self, response, keyword: str, page: int):
        """A search page loaded in the browser: read the data answers its own script received."""
        browser_page = response.meta["playwright_page"]
        try:
            if self.site.search.scroll:  # page 1 is in the page; later pages come by scrolling
                found, pagination = search_page(self.search_parser, response_text(response), response.url)
                for item in self.search_results(found, pagination, keyword, page, follow=False):
                    yield item
                while found and pagination.get("has_more") and page < self.max_pages:
                    page += 1
                    answer = await self.answers.next_by_scrolling(browser_page)
                    found, pagination = self.read_answer(await answer.text(), answer.url, answer.status)
                    for item in self.search_results(found, pagination, keyword, page, follow=False):
                        yield item
            else:
                answer = await self.answers.first(browser_page)
                found, pagination = self.read_answer(await answer.text(), answer.url, answer.status)
                for item in self.search_results(found, pagination, keyword, page):
                    yield item
        except BlockedPageError as exc:
            if exc.reason != "login" and self.block_retry_allowed():
                log.warning("%s search %r page %d: %s answer, loading the page again", self.platform, keyword,
                            page, exc.reason)
                # a scrolled list starts again from its first page (its later pages have no URL)
                yield self.search_request(keyword, response.cb_kwargs["page"] if self.site.search.scroll else page,
                                          again=True)
            else:
                self.search_not_read(keyword, page, "blocked", exc)
        except (PlaywrightError, ParseError) as exc:  # no answer in time, an error status, an answer not understood
            attempt = response.meta.get("fw_attempt", 0)
            if attempt < BROWSER_ATTEMPTS - 1:
                log.warning("%s search %r page %d: %s; loading the page again", self.platform, keyword, page, exc)
                yield self.search_request(keyword, response.cb_kwargs["page"] if self.site.search.scroll else page,
                                          again=True, attempt=attempt + 1)
            else:
                self.search_not_read(keyword, page, "failed", exc)
        finally:
            self.answers.forget(browser_page)
            await close_page(browser_page)

    def block_retry_allowed(self) -> bool:
        """Whether a blocked data answer may be tried again: within [crawl] max_blocks per run."""
        blocks = self.crawler.stats.get_value("firewatch/blocked", 0)
        return blocks <= self.crawler.settings.getint("FIREWATCH_MAX_BLOCKS", 30)

    def read_answer(self, text: str, url: str, status: int = 200):
        """(listings, pagination) from a data answer; BlockedPageError for a block code, ParseError
        for an error status or an answer that is not the flow's data."""
        if status == 0 or status >= 400:
            raise ParseError(url, "a data answer " + (f"(the site answered HTTP {status})" if status
                                                      else "(the request failed in the browser)"))
        reason = detect_block(text, url)
        if reason:
            self.crawler.stats.inc_value("firewatch/blocked")
            self.crawler.stats.inc_value(f"firewatch/blocked/{reason}")
            if reason == "login":
                session_expired(self.crawler, self.platform)
            raise BlockedPageError(url, reason)
        return self.api_parser(text, url)

    async def search_failed(self, failure):
        """A search page that could not be read: counted, and remembered as where to resume."""
        request = failure.request
        self.search_not_read(request.cb_kwargs["keyword"], request.cb_kwargs["page"], _failure_kind(failure),
                             failure.getErrorMessage())
        browser_page = request.meta.get("playwright_page")
        if browser_page is not None:
            self.answers.forget(browser_page)
            await close_page(browser_page)

    def search_not_read(self, keyword: str, page: int, kind: str, why: Any) -> None:
        self.crawler.stats.inc_value(f"firewatch/search_{kind}")
        self.blocked_searches.setdefault(keyword, page)
        log.warning("%s search %r page %d not read (%s): %s", self.platform, keyword, page, kind, why)

    # items -----------------------------------------------------------------------------
    def item_request(self, found, revisit: bool = False, url: str | None = None, hops: int = 0,
                     again: bool = False) -> scrapy.Request:
        """The item page request of `found` (or, `url` and `hops`, a redirect of it followed `hops` times;
        `again`: asked before in this run, so past the duplicate filter)."""
        url = url or self.site.item_url(found.listing_id, found.platform)
        # a 404/410 and a redirect reach parse_item (it may say the item is gone): a status in the request's
        # handle_httpstatus_list passes Scrapy's RedirectMiddleware unfollowed; cb_kwargs stay picklable (a shared
        # Redis queue serialises requests)
        return scrapy.Request(url, callback=self.parse_item, errback=self.item_failed, dont_filter=hops > 0 or again,
                              priority=hops * self.settings.getint("REDIRECT_PRIORITY_ADJUST", 2),
                              meta={"handle_httpstatus_list": [*GONE_STATUSES, *REDIRECT_STATUSES],
                                    "fw_revisit": revisit, "fw_hops": hops},
                              cb_kwargs={"found": found if hops else replace(found, url=url)})

    def parse_item(self, response, found):
        parser = self.item_parsers[found.platform]
        revisit = response.meta.get("fw_revisit", False)
        location = response.headers.get(b"Location") if response.status in REDIRECT_STATUSES else None
        if response.status in REDIRECT_STATUSES and not (location or b"").strip():
            # a redirect that names no target says nothing about the item: neither a removal nor a page to parse
            self.crawler.stats.inc_value("firewatch/item_redirect_no_location")
            log.warning("item %s not read: HTTP %s redirect without a Location header", response.url, response.status)
            if not revisit:  # a revisited listing keeps what the store has
                yield replace(found, status="unknown")
            return
        text = response_text(response) if response.body else ""
        try:
            seen = judge_page(found.platform, found.url, response.url, response.status, text,
                              lambda: parser.parse_item(text, response.url),
                              location=location.decode("latin-1") if location is not None else None)
        except ParseError as exc:  # a page that does not parse: keep what the search page showed
            self.crawler.stats.inc_value("firewatch/item_unparsed")
            log.error("item %s not parsed: %s", response.url, exc)
            if not revisit:  # a revisited listing keeps what the store has
                yield replace(found, status="unknown")
            return
        if isinstance(seen, GonePage) and self.throttled(seen):
            self.crawler.stats.inc_value("firewatch/item_blocked")
            self.crawler.stats.inc_value("firewatch/blocked/home_redirect_burst")
            log.warning("item %s not read: %d item pages in a row redirected to the home page (%s), taken as "
                        "throttling, not a removal", found.url, self.home_run, seen.final_url)
            if revisit:  # a suspected removal is asked again once an item page reads normally
                self.deferred.append(found)
            else:
                yield replace(found, status="blocked")
            return
        if isinstance(seen, GonePage):  # the item's page shows it gone: a removal sighting, judged by the store
            self.crawler.stats.inc_value("firewatch/item_gone")
            yield GoneItem(found, seen.removal(found.platform, found.listing_id, utcnow(), found.url))
            return
        if isinstance(seen, Redirect):
            yield from self.item_redirected(response, seen, found, revisit)
            return
        self.home_run = 0
        again, self.deferred = self.deferred, []
        for listing in again:  # the platform answers normally again: the deferred revisits are asked again
            yield self.item_request(listing, revisit=True, again=True)
        yield from self.complete(merge(found, seen), found)

    def throttled(self, seen: GonePage) -> bool:
        """Whether a gone answer is the platform throttling the crawl: more than `[crawl] home_redirect_burst` item
        pages in a row redirected to its home page (a removed item is one among live ones; a throttle sends every
        request home). An item page read, or another gone answer (its error page, 404), ends the run of them;
        other answers (a redirect followed, a failure) leave it as it is. A suspected removal's revisit judged so is
        not lost: it is asked again after the next item page read normally (a notice that removed many items sends
        all their pages home at once, and each needs its confirming sighting). The sightings before the burst was
        seen stay suspected: each needs a second sighting later to count."""
        if seen.basis != "home_redirect":
            self.home_run = 0
            return False
        self.home_run += 1
        return self.home_run > self.crawler.settings.getint("FIREWATCH_HOME_REDIRECT_BURST", 5)

    def item_redirected(self, response, redirect: Redirect, found, revisit: bool):
        """An item page's redirect that shows no removal: followed as a new request (robots.txt applies), unless
        it leads to a login or verification page or has been followed REDIRECT_MAX_TIMES already."""
        hops = response.meta.get("fw_hops", 0) + 1
        if redirect.blocked is None and hops <= self.settings.getint("REDIRECT_MAX_TIMES", 20):
            yield self.item_request(found, revisit, url=redirect.target, hops=hops)
            return
        kind = "blocked" if redirect.blocked else "unknown"
        self.crawler.stats.inc_value(f"firewatch/item_{kind}")
        log.warning("item %s not read: redirected to %s (%s)", found.url, redirect.target,
                    redirect.blocked or "too many redirects")
        if not revisit:  # a revisited listing keeps what the store has
            yield replace(found, status=kind)

    def item_failed(self, failure):
        """An item page that could not be read: keep what the search page showed (a revisit stores nothing)."""
        found = failure.request.cb_kwargs["found"]
        kind = _failure_kind(failure)
        self.crawler.stats.inc_value(f"firewatch/item_{kind}")
        log.warning("item %s not read (%s): %s", failure.request.url, kind, failure.getErrorMessage())
        if not failure.request.meta.get("fw_revisit"):
            yield replace(found, status="blocked" if kind in ("blocked", "robots") else "unknown")

    def complete(self, listing, found):
        """Yield the finished listing (platforms with a price endpoint override this)."""
        yield found_item(listing, found)


def _failure_kind(failure) -> str:
    if failure.check(BlockedGiveUpError):
        return "blocked"
    if failure.check(HttpError):  # an error status after the retries (HttpError is an IgnoreRequest)
        return "http_error"
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

    api_parser = staticmethod(jd.parse_search_api)

    def complete(self, listing, found):
        if not listing.price_pending:
            yield found_item(listing, found)
            return
        yield scrapy.Request(self.site.price_url(listing.listing_id), callback=self.parse_price,
                             errback=self.price_failed, cb_kwargs={"listing": listing, "found": found},
                             dont_filter=True)

    def parse_price(self, response, listing, found):
        """The price answer; an empty one (no price, "-1.00") keeps the listing with its price pending."""
        try:
            price = jd.parse_ware_business(response_text(response))
        except ParseError as exc:  # not a price answer: the item page was read, its price stays pending
            log.warning("price answer for %s not parsed: %s", listing.key, exc)
            price = None
        if price is None:
            self.crawler.stats.inc_value("firewatch/price_empty")
            yield found_item(listing, found)
            return
        yield found_item(replace(listing, price=price, price_range=None, price_pending=False), found)

    def price_failed(self, failure):
        """A blocked or failed price request: the item page was read, so the listing is kept, price pending."""
        listing, found = failure.request.cb_kwargs["listing"], failure.request.cb_kwargs["found"]
        kind = _failure_kind(failure)
        self.crawler.stats.inc_value(f"firewatch/price_{kind}")
        log.warning("price of %s not read (%s): %s", listing.key, kind, failure.getErrorMessage())
        yield found_item(listing, found)


class TaobaoSpider(MarketSpider):
    """Taobao search (g_page_config) yields Taobao and Tmall listings."""

    name = platform = "taobao"
    search_parser = taobao
    item_parsers = {"taobao": taobao, "tmall": tmall}
    api_parser = staticmethod(taobao.parse_search_mtop)



class PDDSpider(MarketSpider):
    """PDD mobile pages: inline window.rawData."""

    name = platform = "pdd"
    search_parser = pdd
    item_parsers = {"pdd": pdd}
    api_parser = staticmethod(pdd.parse_search_api)



class AlibabaSpider(MarketSpider):
    """1688 wholesale offers with quantity price tiers."""

    name = platform = "1688"
    search_parser = alibaba1688
    item_parsers = {"1688": alibaba1688}



SPIDERS: dict[str, type[MarketSpider]] = {s.platform: s for s in (JDSpider, TaobaoSpider, PDDSpider, AlibabaSpider)}
