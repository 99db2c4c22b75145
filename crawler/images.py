"""Fetching listing images from the platforms: `ImageFetcher(timeout, max_bytes, ...)`.fetch(url), and
`fetch_if_changed(url, etag, last_modified)`, a conditional GET.

One bounded GET per image (the declared and the streamed size both capped), through the host map's
transport when given, and only from the watched platforms' hosts and image CDNs, checked on every
redirect hop: an image URL is seller-written, and must not make firewatch fetch another host (an
internal address, say). `fetch_if_changed` sends the validators a host gave with the bytes read before
(If-None-Match, If-Modified-Since) and returns `FetchedImage` with no bytes on a 304 (the host says they
are unchanged), else the bytes and the host's new validators. Used by OCR (`firewatch.services.ocr`) and
relisting's image hashes (`alerts.relisting`). A definite answer that gives no usable image (HTTP 4xx
other than 408/429, too large, another host, not http(s)) raises `ImageRefused` (Chinese reason); network
failures and answers that may pass (5xx, 408, 429) raise `httpx.HTTPError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from crawler.exceptions import ImageRefused
from crawler.sites import platform_domains
from firewatch.core.browser import host_allowed

TRANSIENT = frozenset({408, 429})  # Request Timeout, Too Many Requests: tried again later, like a 5xx


@dataclass(frozen=True)
class FetchedImage:
    """One image GET's answer: the bytes (None: 304 Not Modified, the bytes behind the validators sent are
    unchanged) and the validators the host gave for them (ETag, Last-Modified, verbatim; "" none)."""

    data: bytes | None
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.data is None


class ImageFetcher:
    """GET image URLs through the host map's transport, at most `max_bytes` each, only from the
    watched platforms' hosts and image CDNs (`allowed_hosts`, default the site maps' domains), on
    every redirect hop too: a seller-written image URL must not make firewatch fetch, keep and show
    a resource of another host (an internal address, say)."""

    def __init__(self, timeout: float, max_bytes: int, user_agent: str = "firewatch",
                 transport: httpx.BaseTransport | None = None, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.max_bytes = max_bytes
        self.allowed_hosts = allowed_hosts or platform_domains()
        self._client = httpx.Client(timeout=timeout, follow_redirects=True, transport=transport,
                                    headers={"User-Agent": user_agent},
                                    event_hooks={"request": [self._check_host]})

    def _check_host(self, request: httpx.Request) -> None:
        if not host_allowed(request.url.host, self.allowed_hosts):
            raise ImageRefused(f"图片地址不在受监测平台的域名内，未下载：{str(request.url)[:200]}")

    def fetch(self, url: str) -> bytes:
        """The bytes at `url`; ImageRefused for an answer that is not a usable image file or a host
        outside the platforms (kept), httpx.HTTPError for a network failure (tried again later)."""
        return self.fetch_if_changed(url).data or b""  # no validators sent: never a 304 (refused if it comes)

    def fetch_if_changed(self, url: str, etag: str = "", last_modified: str = "") -> FetchedImage:
        """The image at `url`, asked only if it changed when `etag` or `last_modified` (the validators the
        host gave with the bytes read before) are given: a 304 answer gives no bytes. Raises as `fetch`."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise ImageRefused(f"图片地址不是 http(s) 地址：{url[:200]}")
        conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        with self._client.stream("GET", url, headers=conditional) as resp:
            if resp.status_code >= 500 or resp.status_code in TRANSIENT:
                raise httpx.HTTPStatusError(f"HTTP {resp.status_code}", request=resp.request, response=resp)
            # validators are this URL's own: an answer reached through a redirect (today to B, once to C) neither
            # keeps them nor is judged by them
            redirected = bool(resp.history)
            if resp.status_code == 304 and conditional:
                resp.read()  # no body, but read to its end: else the connection is closed, not kept for the next GET
                if redirected:
                    return self.fetch_if_changed(url)
                return FetchedImage(None, resp.headers.get("etag", etag), resp.headers.get("last-modified", last_modified))
            if resp.status_code != 200:
                raise ImageRefused(f"图片地址返回 HTTP {resp.status_code}")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ImageRefused(f"图片过大：{int(declared)} 字节，超过上限 {self.max_bytes} 字节，未下载")
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ImageRefused(f"图片过大：超过上限 {self.max_bytes} 字节，未下载完")
                chunks.append(chunk)
            if redirected:
                return FetchedImage(b"".join(chunks), "", "")
            return FetchedImage(b"".join(chunks), resp.headers.get("etag", ""), resp.headers.get("last-modified", ""))

    def close(self) -> None:
        self._client.close()
