"""Fetching listing images from the platforms: `ImageFetcher(timeout, max_bytes, ...)`.fetch(url).

One bounded GET per image (the declared and the streamed size both capped), through the host map's
transport when given, and only from the watched platforms' hosts and image CDNs, checked on every
redirect hop: an image URL is seller-written, and must not make firewatch fetch another host (an
internal address, say). Used by OCR (`firewatch.services.ocr`) and relisting's image hashes
(`alerts.relisting`). Refusals raise `ImageRefused` (Chinese reason); network failures `httpx.HTTPError`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from crawler.exceptions import ImageRefused
from crawler.sites import platform_domains
from firewatch.core.browser import host_allowed


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
        if urlsplit(url).scheme not in ("http", "https"):
            raise ImageRefused(f"图片地址不是 http(s) 地址：{url[:200]}")
        with self._client.stream("GET", url) as resp:
            if resp.status_code >= 500:
                raise httpx.HTTPStatusError(f"HTTP {resp.status_code}", request=resp.request, response=resp)
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
        return b"".join(chunks)

    def close(self) -> None:
        self._client.close()
