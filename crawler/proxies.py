"""Proxy rotation: round-robin over a proxy list, evicting proxies that keep failing.

`ProxyPool` hands proxies out in turn, evicting one after `max_failures` failures in a row until
`cooldown` s pass. `ProxyMiddleware` sets `meta["proxy"]` (unless a request names its own),
reroutes connection errors and 407s via the next proxy; `ProxiesExhaustedError` if all are evicted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, NotConfigured, ResponseDataLossError)
from twisted.internet import error as twisted_error
from twisted.web._newclient import ResponseNeverReceived

from crawler.exceptions import ProxiesExhaustedError, ProxyError
from firewatch.core.settings import CrawlSettings

log = logging.getLogger(__name__)
_CRAWL = CrawlSettings()  # the schema's defaults, when a value is not configured

META_KEY = "firewatch_proxy"
RETRIES_KEY = "firewatch_proxy_retries"
DEFAULT_FAILURE_CODES = (407, 502, 504)


def _tunnel_error() -> tuple[type[BaseException], ...]:
    try:  # a private module of Scrapy's: guarded, so another Scrapy version only loses this one error type
        from scrapy.core.downloader.handlers.http11 import TunnelError
    except ImportError:  # pragma: no cover - older or newer Scrapy
        return ()
    return (TunnelError,)


PROXY_EXCEPTIONS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError, DownloadFailedError,
    ResponseDataLossError, ResponseNeverReceived, twisted_error.ConnectError, twisted_error.ConnectionDone,
    twisted_error.ConnectionLost, twisted_error.TimeoutError, ConnectionRefusedError, TimeoutError,
    *_tunnel_error(),
)
"""Download errors that, with a proxy in the way, count against the proxy."""


def proxy_label(url: str) -> str:
    """scheme://host:port of a proxy URL (no credentials: labels go to logs and stats)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}"


def check_proxy_url(url: str) -> str:
    """Return the URL if it is an http(s)://host:port proxy; raise ProxyError naming it otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise ProxyError(f"proxy {url!r} in [crawl] proxies is not a URL; write http://host:port")
    url = url.strip()
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise ProxyError(f"proxy {url!r} in [crawl] proxies: expected http://host:port "
                         "(http or https scheme, a host and a port)")
    if parts.path not in ("", "/") or parts.query:
        raise ProxyError(f"proxy {url!r} in [crawl] proxies: a proxy URL has no path or query")
    return url


def proxy_list(urls: Iterable[str]) -> list[str]:
    """The validated proxy list of `[crawl] proxies` (ProxyError names a bad or repeated entry)."""
    out = [check_proxy_url(u) for u in urls]
    for url in out:
        if out.count(url) > 1:
            raise ProxyError(f"proxy {url!r} is listed twice in [crawl] proxies")
    return out


@dataclass
class ProxyState:
    url: str
    consecutive: int = 0
    evicted_until: float | None = None


class ProxyPool:
    """Round-robin proxies with eviction after consecutive failures and re-admission after a cool-down."""

    def __init__(self, proxies: Iterable[str], max_failures: int = _CRAWL.proxy_max_failures,
                 cooldown: float = _CRAWL.proxy_cooldown,
                 clock: Callable[[], float] = time.monotonic):
        urls = proxy_list(proxies)
        if max_failures < 1:
            raise ProxyError(f"proxy_max_failures must be at least 1, not {max_failures}")
        self.states = [ProxyState(u) for u in urls]
        self.max_failures = int(max_failures)
        self.cooldown = float(cooldown)
        self.clock = clock
        self._next = 0
        self._by_url = {s.url: s for s in self.states}
        self.readmitted: list[str] = []  # proxies re-admitted by the last next() call

    def __len__(self) -> int:
        return len(self.states)

    @property
    def available(self) -> list[str]:
        return [s.url for s in self.states if s.evicted_until is None]

    def next(self) -> str | None:
        """The next proxy in turn, re-admitting any whose cool-down has passed; None if all are evicted."""
        now = self.clock()
        self.readmitted = []
        for state in self.states:
            if state.evicted_until is not None and now >= state.evicted_until:
                state.evicted_until = None
                state.consecutive = self.max_failures - 1  # on probation: one failure evicts it again
                self.readmitted.append(state.url)
        for step in range(len(self.states)):
            state = self.states[(self._next + step) % len(self.states)]
            if state.evicted_until is None:
                self._next = (self._next + step + 1) % len(self.states)
                return state.url
        return None

    def success(self, url: str) -> None:
        state = self._by_url.get(url)
        if state is not None and state.evicted_until is None:
            state.consecutive = 0

    def failure(self, url: str) -> bool:
        """Count a failure; return True if it evicted the proxy just now."""
        state = self._by_url.get(url)
        if state is None or state.evicted_until is not None:
            return False
        state.consecutive += 1
        if state.consecutive >= self.max_failures:
            state.evicted_until = self.clock() + self.cooldown
            return True
        return False


class ProxyMiddleware:
    """Assign a proxy per request in turn; count, evict and re-admit; reroute requests a proxy failed.

    Settings: `FIREWATCH_PROXIES` (list of URLs; empty disables the middleware),
    `FIREWATCH_PROXY_MAX_FAILURES`, `FIREWATCH_PROXY_COOLDOWN` (seconds),
    `FIREWATCH_PROXY_FAILURE_CODES` (statuses counted against the proxy; 407 is also rerouted).
    Sits between RetryMiddleware (550) and HttpProxyMiddleware (750).
    """

    def __init__(self, crawler, pool: ProxyPool, failure_codes: Iterable[int] = DEFAULT_FAILURE_CODES):
        self.crawler = crawler
        self.pool = pool
        self.failure_codes = frozenset(int(c) for c in failure_codes)
        self.max_reroutes = len(pool) * pool.max_failures + 1
        self.exhausted = False

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        proxies = [p for p in s.getlist("FIREWATCH_PROXIES") if p]
        if not proxies:
            raise NotConfigured("no proxies configured")
        pool = ProxyPool(proxies, s.getint("FIREWATCH_PROXY_MAX_FAILURES", _CRAWL.proxy_max_failures),
                         s.getfloat("FIREWATCH_PROXY_COOLDOWN", _CRAWL.proxy_cooldown))
        codes = s.getlist("FIREWATCH_PROXY_FAILURE_CODES") or DEFAULT_FAILURE_CODES
        return cls(crawler, pool, codes)

    # Stats: firewatch/proxy/<proxy>/{requests,responses,failures,evictions,readmissions}.
    def _stat(self, url: str, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"firewatch/proxy/{proxy_label(url)}/{what}", n)

    def process_request(self, request, spider=None):
        meta = request.meta
        if meta.get("playwright"):
            return None  # a browser flow: Chromium makes its own connections (no per-request proxy)
        if "proxy" in meta and (META_KEY not in meta or meta[META_KEY] != meta["proxy"]):
            return None  # someone chose this request's proxy (or no proxy) on purpose
        proxy = self.pool.next()
        for url in self.pool.readmitted:
            self._stat(url, "readmissions")
            log.info("proxy %s re-admitted after its %.0fs cool-down", proxy_label(url), self.pool.cooldown)
        if proxy is None:
            self.crawler.stats.inc_value("firewatch/proxy/refused")
            message = (f"all {len(self.pool)} proxies are evicted after failing {self.pool.max_failures} times in a row; "
                       "fix the proxy list ([crawl] proxies) or wait for the cool-down")
            if not self.exhausted:
                self.exhausted = True
                self.crawler.stats.set_value("firewatch/alert", "all proxies evicted")
                log.error("ALERT: %s — %s is dropped, and so will be every request until a proxy is re-admitted",
                          message, request.url)
            raise ProxiesExhaustedError(f"{message}: {request.url}")
        self.exhausted = False
        meta["proxy"] = proxy
        meta[META_KEY] = proxy
        self._stat(proxy, "requests")
        return None

    def _failed(self, proxy: str, why: str) -> None:
        self._stat(proxy, "failures")
        if self.pool.failure(proxy):
            self._stat(proxy, "evictions")
            self.crawler.stats.inc_value("firewatch/proxy/evictions")
            left = len(self.pool.available)
            log.warning("proxy %s evicted for %.0fs after %d failures in a row (last: %s); %d of %d proxies left",
                        proxy_label(proxy), self.pool.cooldown, self.pool.max_failures, why, left, len(self.pool))

    def _reroute(self, request, why: str):
        # A reroute does not spend the request's own retries: RETRIES_KEY counts reroutes apart.
        n = request.meta.get(RETRIES_KEY, 0) + 1
        if n > self.max_reroutes:
            return None  # leave it to the retry middleware
        log.debug("rerouting %s through another proxy (%s)", request.url, why)
        new = request.copy()
        new.meta[RETRIES_KEY] = n
        new.dont_filter = True
        return new

    def process_response(self, request, response, spider=None):
        proxy = request.meta.get(META_KEY)
        if not proxy or request.meta.get("proxy") != proxy:
            return response
        if response.status in self.failure_codes:
            self._failed(proxy, f"HTTP {response.status}")
            if response.status == 407:
                return self._reroute(request, "HTTP 407 from the proxy") or response
            return response  # 502/504 go on to the retry middleware, which retries through the next proxy
        self.pool.success(proxy)
        self._stat(proxy, "responses")
        return response

    def process_exception(self, request, exception, spider=None):
        proxy = request.meta.get(META_KEY)
        if not proxy or request.meta.get("proxy") != proxy or not isinstance(exception, PROXY_EXCEPTIONS):
            return None
        why = f"{type(exception).__name__}: {exception}"
        self._failed(proxy, why)
        return self._reroute(request, why)
