"""Downloader middlewares: honour Retry-After, and never take a captcha page for a listing.

`RetryAfterMiddleware` (replacing Scrapy's RetryMiddleware) slows the whole download slot to the
server's Retry-After on 429/503. `BlockMiddleware` retries a captcha, verification or login-wall
page with a doubling backoff, and raises `BlockedGiveUpError` after `FIREWATCH_MAX_BLOCKS` blocks.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import zlib
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.response import response_status_message

from crawler.browser_flows import close_page
from crawler.encoding import decode_page, response_text
from crawler.exceptions import BlockedGiveUpError, PageEncodingError
from crawler.platforms.blocked import detect_block
from crawler.sessions import session_expired
from firewatch.core.settings import CrawlSettings
import time

log = logging.getLogger(__name__)
_CRAWL = CrawlSettings()  # the schema's defaults, when a value is not configured


def retry_after_seconds(value: bytes | str | None, now_ts: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None

    return max(0.0, when.timestamp() - (now_ts if now_ts is not None else time.time()))


def _slot(crawler, request):
    downloader = crawler.engine.downloader
    return downloader.slots.get(downloader.get_slot_key(request))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, plus a slot-wide pause for Retry-After on 429/503."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_retry_after = settings.getfloat("FIREWATCH_MAX_RETRY_AFTER", _CRAWL.max_retry_after)

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False):
            return response
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            self.crawler.stats.inc_value(f"firewatch/http_{response.status}")
            if wait is not None:
                slot = _slot(self.crawler, request)
                if slot is not None:
                    slot.delay = max(slot.delay, min(wait, self.max_retry_after))
                log.info("%s answered %s, Retry-After %.1fs", request.url, response.status, wait)
        if response.status in self.retry_http_codes:
            page = request.meta.pop("playwright_page", None)
            if page is not None:  # a browser page that showed an error: closed, and the retry gets a new one
                asyncio.ensure_future(close_page(page))
            return self._retry(request, response_status_message(response.status)) or response
        return response


def _body_text(response) -> str:
    """The page text; a compressed body (this middleware sees responses before Scrapy's
    HttpCompressionMiddleware) is inflated for the check only."""
    encoding = response.headers.get(b"Content-Encoding", b"").strip().lower()
    if encoding in (b"", b"identity"):
        try:  # decoded once: the spider's callback reuses this text (crawler.encoding.response_text)
            return response_text(response)
        except PageEncodingError:  # not text in any charset: look at Scrapy's lenient decoding
            return response.text
    try:
        if encoding in (b"gzip", b"x-gzip"):
            body = gzip.decompress(response.body)
        elif encoding == b"deflate":
            body = zlib.decompress(response.body, -zlib.MAX_WBITS if response.body[:1] != b"x" else zlib.MAX_WBITS)
        elif encoding == b"br":
            import brotli  # optional, as for Scrapy's own decompression

            body = brotli.decompress(response.body)
        else:
            return ""
    except (OSError, zlib.error, ImportError, ValueError) as exc:
        log.debug("cannot inflate %s (%s) for the block check: %s", response.url, encoding, exc)
        return ""
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    declared = ctype.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype else None
    try:
        return decode_page(body, declared)
    except PageEncodingError:
        return body.decode("utf-8", "replace")


# Placed before Scrapy's RedirectMiddleware, so a redirect to a verification page counts too;
# a blocked page never reaches a spider callback.
class BlockMiddleware:
    """Detect captcha/verification/login-wall pages; back off and retry the original URL."""

    def __init__(self, crawler, max_blocks: int, backoff: float, max_delay: float):
        self.crawler = crawler
        self.max_blocks = max_blocks
        self.backoff = backoff
        self.max_delay = max_delay
        self.blocks = 0
        self.consecutive = 0
        self.base_delay: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(crawler, s.getint("FIREWATCH_MAX_BLOCKS", _CRAWL.max_blocks),
                   s.getfloat("FIREWATCH_BLOCK_BACKOFF", _CRAWL.block_backoff),
                   s.getfloat("FIREWATCH_MAX_RETRY_AFTER", _CRAWL.max_retry_after))

    def process_response(self, request, response, spider=None):
        reason = None
        if 300 <= response.status < 400 and b"Location" in response.headers:
            # Sites send the crawler to a verification page; see it before the redirect
            # (robots.txt may forbid following it, and the page is not wanted anyway).
            reason = detect_block("", response.urljoin(response.headers[b"Location"].decode("latin-1")))
        elif isinstance(response, TextResponse) and response.status == 200:
            reason = detect_block(_body_text(response), response.url)
        slot = _slot(self.crawler, request)
        if reason is None:
            if self.consecutive and slot is not None and self.base_delay is not None:
                slot.delay = self.base_delay
            self.consecutive = 0
            return response
        self.blocks += 1
        self.consecutive += 1
        self.crawler.stats.inc_value("firewatch/blocked")
        self.crawler.stats.inc_value(f"firewatch/blocked/{reason}")
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        page = request.meta.get("playwright_page")
        if page is not None:  # a browser page that showed a wall: closed, never read
            asyncio.ensure_future(close_page(page))
        if reason == "login":
            session_expired(self.crawler, getattr(self.crawler.spider, "platform", self.crawler.spider.name))
            raise IgnoreRequest(f"login page ({original}): session expired")
        if self.blocks > self.max_blocks:
            log.error("ALERT: %s blocked %d times (%s) — giving up on %s for this run; "
                      "import a session or wait before crawling again", self.crawler.spider.name,
                      self.blocks, reason, original)
            self.crawler.stats.set_value("firewatch/alert", f"blocked: {reason}")
            raise BlockedGiveUpError(f"blocked ({reason}): {original}")
        if slot is not None:
            if self.base_delay is None or self.consecutive == 1:
                self.base_delay = slot.delay
            slot.delay = min(self.max_delay, max(slot.delay, self.backoff * 2 ** (self.consecutive - 1)))
        log.warning("%s page at %s (for %s): backing off %.2fs and retrying", reason, response.url, original,
                    slot.delay if slot is not None else 0)
        meta = {k: v for k, v in request.meta.items()
                if k not in ("redirect_urls", "redirect_times", "redirect_ttl", "redirect_reasons", "playwright_page")}
        return request.replace(url=original, meta=meta, dont_filter=True)
