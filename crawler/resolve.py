"""Scrapy download handlers that honour the host map (`[crawl] resolve`).

A request for a mapped host keeps its URL everywhere above the downloader (cookies,
redirects, robots.txt, what the spider and the store see); only the TCP connection goes to the
mapped address, with the real Host header. `ResolvingDownloadHandler` is Scrapy's HTTP/1.1
handler with that one change; `ResolvingPlaywrightHandler` adds scrapy-playwright for requests
marked `meta["playwright"]` (the browser resolves through `--host-resolver-rules` itself).
The handlers read the map from the `FIREWATCH_RESOLVE` setting ({pattern: "ip:port"}).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response

from firewatch.core.hostmap import HostMap

log = logging.getLogger(__name__)


def _direct(request: Request, hostmap: HostMap) -> Request | None:
    parts = urlsplit(request.url)
    target = hostmap.lookup(parts.hostname or "")
    if target is None:
        return None
    ip, port = target
    netloc = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
    headers = request.headers.copy()
    headers[b"Host"] = parts.netloc.encode("idna")
    return request.replace(url=urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), headers=headers)


class _Resolving:
    hostmap: HostMap

    def _init_hostmap(self, crawler) -> None:
        self.hostmap = HostMap.parse(crawler.settings.getdict("FIREWATCH_RESOLVE"))

    async def _download_resolved(self, request: Request, download) -> Response:
        direct = _direct(request, self.hostmap) if self.hostmap else None
        if direct is None:
            return await download(request)
        response = await download(direct)
        return response.replace(url=request.url, request=request)


class ResolvingDownloadHandler(_Resolving, HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; mapped hosts are connected to their mapped address."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler=crawler)
        self._init_hostmap(crawler)

    async def download_request(self, request: Request) -> Response:
        return await self._download_resolved(request, super().download_request)


def playwright_handler():
    """The browser-capable handler class (imports scrapy-playwright, and so Playwright, on use)."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler  # heavy: only for browser flows

    class ResolvingPlaywrightHandler(_Resolving, ScrapyPlaywrightDownloadHandler):
        """scrapy-playwright for `meta["playwright"]` requests, the resolving HTTP handler for the rest."""

        def __init__(self, crawler) -> None:
            super().__init__(crawler)
            self._init_hostmap(crawler)

        async def download_request(self, request: Request) -> Response:
            if request.meta.get("playwright"):
                return await super().download_request(request)
            return await self._download_resolved(request, super().download_request)

    return ResolvingPlaywrightHandler
