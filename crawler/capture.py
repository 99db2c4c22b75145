"""Capture listing pages as evidence: screenshot, HTML, MHTML, WARC, raw body, hashed manifest.

`Capturer.capture()` returns an `Evidence`; `capture_many()` returns each item's `Evidence` or
exception, in order. A capture folder appears whole or not at all; a blocked page raises
`BlockedPageError` and writes nothing. A capture shows the page or fails: the listing's title
(`expect_text`) must be in the rendered text and the screenshot must not be blank, else, after
the retries, `PageNotRenderedError` and nothing is written. The manifest records what answered:
server address, TLS certificate (fingerprint, issuer) and the host map in force. Use from one
thread with no running asyncio loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from firewatch.core.clock import utcnow
from firewatch.core.browser import CHROMIUM_ARGS, gate_async, host_allowed, launch
from firewatch.core.files import write_file
from firewatch.core.fonts import assert_cjk_rendering
from firewatch.core.hostmap import HostMap
from firewatch.core.models import Artefact, Evidence
from firewatch.core.settings import CaptureSettings
from firewatch.core.retry import retry_call_async

from crawler.capturetab import Tab, TabPool, open_tab
from crawler.exceptions import BlockedPageError, CaptureError, MissingCJKFontsError, PageNotRenderedError
from crawler.netrecord import WARC_MEDIA_TYPE, WARC_NAME, warc_bytes
from crawler.objects import OBJECTS_DIR, link_or_copy, object_path, put_object, sha256_bytes, timestamp_dirname
from crawler.rendered import TEXT_PROBE, TEXT_WAIT, blank_reason, text_key
from crawler.servercert import CertificateCache, ServerCertificate, answered_by, certificate_of

log = logging.getLogger(__name__)
_CAPTURE = CaptureSettings()  # the schema's defaults, for a Capturer built directly
T = TypeVar("T")

SOFTWARE = "firewatch-capture/2"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "firewatch-evidence/2"
SCREENSHOT_NAME = "screenshot.png"
HTML_NAME = "page.html"
MHTML_NAME = "page.mhtml"
BODY_NAME = "response.body"
HEADERS_NAME = "response-headers.json"
CERTIFICATE_NAME = "server-certificate.pem"
# Longest wait for network quiet after `load`: a page that keeps polling is captured as is.
_SETTLE_LIMIT_S = 5.0
# With an expected text the content check replaces most of the quiet window: this much is kept,
# for the request a page's script starts just after `load`.
_QUIET_WITH_TEXT_S = 0.1

__all__ = [
    "BlockedPageError",
    "CaptureError",
    "CaptureItem",
    "Capturer",
    "MissingCJKFontsError",
    "PageNotRenderedError",
    "object_path",
    "put_object",
    "sha256_bytes",
]

# --- helpers -------------------------------------------------------------------------


def _safe_component(value: str) -> str:
    """A path component that cannot climb out of the evidence root."""
    cleaned = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in str(value))
    cleaned = cleaned.strip(".")
    if not cleaned:
        raise CaptureError(f"unusable path component {value!r}")
    return cleaned


class _TransientError(CaptureError):
    """A failure worth another attempt: navigation error, timeout, 5xx or 429 answer."""


class _NotShown(_TransientError):
    """The page loaded but did not show the listing (title not in the text, blank screenshot)."""


class _SyncPage:
    """Lets `firewatch.core.fonts` (sync API) evaluate in an async page from outside the loop."""

    def __init__(self, run: Callable[[Coroutine[Any, Any, Any]], Any], page: Any) -> None:
        self._run, self._page = run, page

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        return self._run(self._page.evaluate(expression, arg))


@dataclass(frozen=True)
class CaptureItem:
    """One page to capture for listing `(platform, listing_id)`; `expect_text` (the listing's
    title) must be in the rendered text for the capture to count ("": only the blank check)."""

    platform: str
    listing_id: str
    url: str
    expect_text: str = ""


@dataclass
class _Page:
    """What one attempt took from the browser, before anything is written."""

    files: dict[str, tuple[bytes, str]]
    meta: dict[str, Any]
    captured_at: datetime


class Capturer:
    """One Chromium, many captures; see the module docstring.

    Parameters are stored only; the browser starts on the first capture.
    `is_blocked(html, url)` returns a reason (captcha, login wall...) or None; the
    crawler passes `crawler.platforms.blocked.detect_block`. `browser_env` holds
    environment variables laid over the inherited ones for Chromium and fc-list (for
    example `FONTCONFIG_FILE`). `sign(manifest_bytes)`, if given, fills
    `Evidence.signature`. `clock` returns the capture time (UTC). `timeout_ms` bounds
    each navigation and browser call; `capture_timeout_ms` (default twice that) bounds a
    whole attempt; `content_timeout_ms` (default a third of `timeout_ms`) bounds the wait
    for the expected text after the page settled. `settle_ms`: after `load`, wait until
    nothing is in flight and no document/XHR/fetch request started or ended for this long
    (at most 0.1 s when an expected text is given: the content check does the rest).
    `concurrency` is the default pool size of `capture_many`. `host_map`
    (`firewatch.core.hostmap.HostMap`, default empty) sends mapped hostnames to their
    address: its Chromium flags are added to `launch_args`, the certificate check connects
    where it says, and the manifest records it. `prefetch_tabs` fresh contexts are made
    ahead, while pages load; measured on a 2-CPU host (benchmarks/bench_capture.py), one
    costed more CPU than it saved (about +400 ms CPU and +10-20% time a page), so the
    default is 0: raise it where cores sit idle during captures.
    """

    def __init__(
        self,
        executable_path: str,
        out_dir: str | os.PathLike[str],
        user_agent: str,
        allowed_hosts: Iterable[str],
        max_height: int = _CAPTURE.max_height,
        viewport: tuple[int, int] = (1280, 900),
        timeout_ms: int = _CAPTURE.timeout_ms,
        *,
        is_blocked: Callable[[str, str], str | None],
        locale: str = "zh-CN",
        launch_args: Iterable[str] = CHROMIUM_ARGS,
        browser_env: Mapping[str, str] | None = None,
        check_fonts: bool = True,
        sign: Callable[[bytes], str] | None = None,
        clock: Callable[[], datetime] | None = None,
        concurrency: int = _CAPTURE.concurrency,
        retries: int = 2,
        retry_delay: float = 0.5,
        settle_ms: int = _CAPTURE.settle_ms,
        capture_timeout_ms: int | None = None,
        content_timeout_ms: int | None = None,
        host_map: HostMap | None = None,
        prefetch_tabs: int = 0,
        legal_basis: Mapping[str, str] | None = None,
    ) -> None:
        self.executable_path = executable_path
        self.out_dir = Path(out_dir)
        self.user_agent = user_agent
        self.allowed_hosts = frozenset(h.lower().rstrip(".") for h in allowed_hosts)
        self.max_height = int(max_height)
        self.viewport = (int(viewport[0]), int(viewport[1]))
        self.timeout_ms = int(timeout_ms)
        self.is_blocked = is_blocked
        self.locale = locale
        self.host_map = host_map if host_map is not None else HostMap()
        self.legal_basis = dict(legal_basis or {})  # platform -> the basis its robots.txt was set aside on
        self.launch_args = list(launch_args) + self.host_map.chromium_args()
        self.browser_env = dict(browser_env) if browser_env is not None else None
        self.check_fonts = check_fonts
        self.sign = sign
        self.clock = clock or utcnow  # a simulated clock (the demo's campaign) shifts it too
        self.concurrency = max(1, int(concurrency))
        self.retries = max(0, int(retries))
        self.retry_delay = float(retry_delay)
        self.settle_ms = max(0, int(settle_ms))
        self.capture_timeout_ms = int(capture_timeout_ms or 2 * self.timeout_ms)
        self.prefetch_tabs = max(0, int(prefetch_tabs))
        self.content_timeout_ms = int(content_timeout_ms if content_timeout_ms is not None
                                      else self.timeout_ms // 3)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._tabs: TabPool | None = None
        self._certificates = CertificateCache(timeout=self.timeout_ms / 1000)
        self._browser_version = ""
        self.cjk_families_: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Capturer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def browser_version(self) -> str:
        self._ensure_browser()
        return self._browser_version

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(coro)

    def _ensure_browser(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        self.close()
        try:
            self._run(self._launch())
            log.info("started Chromium %s from %s", self._browser_version, self.executable_path)
            if self.check_fonts:
                self._check_fonts()
        except Exception:
            self.close()
            raise

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright  # slow to import: only when capturing

        self._playwright = await async_playwright().start()
        self._browser = await launch(self._playwright.chromium, self.executable_path, args=self.launch_args,
                                     env=self.browser_env)
        self._browser_version = str(self._browser.version)
        browser = self._browser
        # With allowed_hosts set, every target is one of them: tabs are gated before they are needed.
        self._tabs = TabPool(lambda: open_tab(browser, user_agent=self.user_agent, viewport=self.viewport,
                                              locale=self.locale, timeout_ms=self.timeout_ms, clock=self.clock,
                                              allowed=self.allowed_hosts), spares=self.prefetch_tabs)

    def _check_fonts(self) -> None:
        async def open_page() -> tuple[Any, Any]:
            context = await self._browser.new_context(service_workers="block")
            await context.route("**/*", gate_async())  # nothing to fetch: the check draws on a canvas
            return context, await context.new_page()

        context, page = self._run(open_page())
        try:
            self.cjk_families_ = assert_cjk_rendering(_SyncPage(self._run, page),
                                                      env=self.browser_env)
        finally:
            self._run(context.close())

    def close(self) -> None:
        """Close the browser and Playwright; the next capture starts them again."""
        browser, pw, loop, tabs = self._browser, self._playwright, self._loop, self._tabs
        self._browser = self._playwright = self._loop = self._tabs = None
        self._certificates.clear()
        if loop is None or loop.is_closed():
            return

        async def shutdown() -> None:
            if tabs is not None:
                await tabs.close()
            if browser is not None:
                try:
                    await browser.close()
                except Exception:  # already gone: nothing to release
                    log.debug("browser close failed", exc_info=True)
            if pw is not None:
                await pw.stop()

        try:
            loop.run_until_complete(shutdown())
        finally:
            loop.close()

    # -- public capture API ------------------------------------------------------------

    def capture(self, platform: str, listing_id: str, url: str, expect_text: str = "") -> Evidence:
        """Capture `url` as evidence for listing `(platform, listing_id)`.

        `expect_text` (the listing's title) must appear in the rendered text. Raises
        `BlockedPageError` for captcha / login-wall pages (nothing written),
        `PageNotRenderedError` when the page never showed `expect_text` or its screenshot
        stayed blank, `CaptureError` when the page cannot be loaded after the retries or its
        host is not allowed, `MissingCJKFontsError` when the browser cannot render Chinese.
        """
        self._check_target(url)
        self._ensure_browser()
        return self._run(self._one_run(CaptureItem(platform, listing_id, url, expect_text)))

    def capture_many(
        self,
        items: Iterable[CaptureItem | tuple[str, ...]],
        concurrency: int | None = None,
        on_result: Callable[[CaptureItem, Evidence | BaseException], None] | None = None,
    ) -> list[Evidence | Exception]:
        """Capture many pages through a pool of at most `concurrency` browser contexts.

        Items are `CaptureItem`s or tuples `(platform, listing_id, url[, expect_text])`.
        Returns one result per item, in order: the `Evidence`, or the exception that
        item ended with (`BlockedPageError`, `PageNotRenderedError`, `CaptureError`...).
        `on_result(item, result)` is called as each item finishes (in this thread), so a
        caller can record results as they come; an exception it raises cancels the
        captures still running. `MissingCJKFontsError` (browser start) is raised, not returned.
        """
        todo = [it if isinstance(it, CaptureItem) else CaptureItem(*it) for it in items]
        if not todo:
            return []
        self._ensure_browser()
        size = max(1, int(concurrency or self.concurrency))
        return self._run(self._capture_all(todo, size, on_result))

    # -- async core --------------------------------------------------------------------

    def _check_target(self, url: str) -> frozenset[str]:
        target = urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise CaptureError(f"not an http(s) URL: {url!r}")
        if self.allowed_hosts and not host_allowed(target.hostname, self.allowed_hosts):
            raise CaptureError(f"host {target.hostname!r} is not in allowed_hosts")
        return self.allowed_hosts | {target.hostname.lower()}

    async def _one_run(self, item: CaptureItem) -> Evidence:
        try:
            return await self._capture(item)
        finally:
            if self._tabs is not None:
                await self._tabs.drain()

    async def _capture_all(self, items: Sequence[CaptureItem], size: int,
                           on_result: Callable[..., None] | None) -> list[Evidence | Exception]:
        slots = asyncio.Semaphore(size)
        results: list[Evidence | Exception] = [CaptureError("not captured")] * len(items)

        async def one(index: int, item: CaptureItem) -> None:
            try:
                result: Evidence | Exception = await self._capture(item, slots)
            except MissingCJKFontsError:
                raise
            except Exception as exc:  # the item's outcome, handed to the caller
                result = exc
            results[index] = result
            if on_result is not None:
                on_result(item, result)

        try:
            async with asyncio.TaskGroup() as group:
                for index, item in enumerate(items):
                    group.create_task(one(index, item))
        finally:
            if self._tabs is not None:
                await self._tabs.trim(self.prefetch_tabs)
        return results

    async def _capture(self, item: CaptureItem, slots: asyncio.Semaphore | None = None) -> Evidence:
        """Take the page (holding one of `slots` while the browser works), then store it."""
        allowed = self._check_target(item.url)
        listing_dir = (self.out_dir / _safe_component(item.platform)
                       / _safe_component(item.listing_id))
        from playwright.async_api import Error as PlaywrightError  # slow to import: only when capturing

        attempts = self.retries + 1

        async def once(attempt: int) -> _Page:
            got = await asyncio.wait_for(self._attempt(item, allowed), timeout=self.capture_timeout_ms / 1000)
            got.meta["attempts"] = attempt
            return got

        def failed(attempt: int, exc: BaseException, wait: float | None) -> None:
            log.warning("capture of %s failed (attempt %d/%d): %s", item.url, attempt,
                        attempts, exc or type(exc).__name__)

        transient = (_TransientError, PlaywrightError, TimeoutError)
        try:  # a blocked page (BlockedPageError) is not in `transient`: raised at once
            if slots is not None:
                await slots.acquire()
            try:
                got = await retry_call_async(once, attempts=attempts, retry_on=transient, backoff=self.retry_delay,
                                             on_failure=failed, give_up=lambda _: not self._browser.is_connected())
            finally:
                if slots is not None:
                    slots.release()
        except _NotShown as last:
            raise PageNotRenderedError(item.url, str(last), attempts) from last
        except transient as last:
            raise CaptureError(f"could not capture {item.url} after {attempts} attempt(s): "
                               f"{last or type(last).__name__}") from last
        return await asyncio.to_thread(self._store, item, listing_dir, got)

    async def _attempt(self, item: CaptureItem, allowed: frozenset[str]) -> _Page:
        assert self._tabs is not None
        url, key = item.url, text_key(item.expect_text)
        tab = await self._tabs.take()  # a fresh context: no cookies or cache from earlier pages
        certificate: asyncio.Future[ServerCertificate | str | None] | None = None
        try:
            # Requests to hosts outside `allowed` are aborted at once (and listed in the
            # manifest), so no remote font or script is waited on.
            if tab.gated_for is None:
                await tab.gate(allowed)
            started_at = self.clock()
            try:
                response = await tab.page.goto(url, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:  # Playwright's Error / TimeoutError
                raise _TransientError(f"could not load {url}: {exc}") from exc
            if response is None:
                raise _TransientError(f"no response for {url}")
            certificate = asyncio.ensure_future(certificate_of(response, self._certificates, self.host_map))
            quiet = min(self.settle_ms / 1000, _QUIET_WITH_TEXT_S) if key else self.settle_ms / 1000
            settled = await tab.settle(quiet, min(self.timeout_ms / 1000, _SETTLE_LIMIT_S))
            if not settled:  # a page that keeps polling: capture what has loaded
                log.debug("network not idle for %s; capturing anyway", url)
            shown, page_height, user_agent = await self._wait_for_text(tab.page, key)
            await tab.recorder.stop()
            captured_at = self.clock()
            final_url = tab.page.url
            final_host = urlsplit(final_url).hostname or ""
            if not host_allowed(final_host, allowed):
                raise CaptureError(f"{url} ended on a host that is not allowed: {final_url}")
            files, meta, html = {}, {}, ""
            if shown:  # the checks below need the HTML, taken with the other artefacts
                files, meta, html = await self._collect(tab, response, page_height)
            else:
                html = await tab.page.content()
            self._refuse_blocked(html, final_url)
            if response.status >= 500 or response.status == 429:
                raise _TransientError(f"{url} answered HTTP {response.status}")
            if not shown:
                raise _NotShown(f"商品标题“{item.expect_text}”未出现在页面文字中 / the listing title "
                                f"{item.expect_text!r} is not in the page's rendered text")
            if BODY_NAME not in files:
                raise _TransientError(f"raw response body of {response.url} was not recorded")
            blank = meta.pop("_blank")
            if blank:
                raise _NotShown(blank)
            meta.update(answered_by(response.url, meta.get("tls"), await certificate, self.host_map))
        finally:
            if certificate is not None and not certificate.done():
                certificate.cancel()
            self._tabs.release(tab)
        if "_certificate_pem" in meta:  # the certificate itself, so that anyone can check the fingerprint
            files[CERTIFICATE_NAME] = (meta.pop("_certificate_pem"), "application/x-pem-file")
        meta.update(url=url, final_url=final_url, started_at=started_at.isoformat(),
                    captured_at=captured_at.isoformat(), aborted_requests=tab.aborted,
                    network_settled=settled, settle_ms=self.settle_ms, user_agent=user_agent,
                    expected_text=item.expect_text,  # and the basis its platform's robots.txt was set aside on:
                    legal_basis=self.legal_basis.get({"tmall": "taobao"}.get(item.platform, item.platform), ""))
        files[HTML_NAME] = (html.encode("utf-8"), "text/html; charset=utf-8")
        meta["failed_requests"] = tab.recorder.failed
        meta["_exchanges"] = tab.recorder.exchanges
        return _Page(files, meta, captured_at)

    async def _wait_for_text(self, page: Any, key: str) -> tuple[bool, int, str]:
        """(key shown, page height, user agent), waiting up to `content_timeout_ms` for `key`;
        a blocked page (captcha...) is refused at once rather than waited on."""
        shown, height, user_agent = await page.evaluate(TEXT_PROBE, key)
        if not shown and self.content_timeout_ms > 0:
            from playwright.async_api import TimeoutError as PlaywrightTimeout  # slow to import: capture only

            self._refuse_blocked(await page.content(), page.url)
            try:
                await page.wait_for_function(TEXT_WAIT, arg=key, polling=100, timeout=self.content_timeout_ms)
            except PlaywrightTimeout:
                pass
            shown, height, user_agent = await page.evaluate(TEXT_PROBE, key)
        return bool(shown), int(height), str(user_agent)

    def _refuse_blocked(self, html: str, url: str) -> None:
        reason = self.is_blocked(html, url)
        if reason:
            log.warning("refusing blocked page %s: %s", url, reason)
            raise BlockedPageError(url, reason)

    async def _collect(self, tab: Tab, response: Any, page_height: int
                       ) -> tuple[dict[str, tuple[bytes, str]], dict[str, Any], str]:
        """Screenshot, HTML, MHTML, raw body and network metadata of the loaded page; the
        blank-screenshot check runs meanwhile (its reason, or None, is `meta["_blank"]`)."""
        shot_height = max(1, min(page_height, self.max_height))
        png = await tab.page.screenshot(
            full_page=True,
            type="png",
            clip={"x": 0, "y": 0, "width": self.viewport[0], "height": shot_height},
            animations="disabled",
        )
        # After the screenshot, which briefly styles the page (animations off).
        blank, html, snapshot, headers, server, security, content_type = await asyncio.gather(
            asyncio.to_thread(blank_reason, png), tab.page.content(),
            tab.cdp.send("Page.captureSnapshot", {"format": "mhtml"}), response.headers_array(),
            response.server_addr(), response.security_details(), response.header_value("content-type"))
        # Playwright's response.body() re-encodes text documents as UTF-8; the bytes
        # the server sent (GBK pages...) come from the CDP Fetch interception instead.
        matches = [ex.body for ex in tab.recorder.exchanges
                   if ex.url == response.url and ex.status == response.status
                   and ex.body is not None]
        server = server or {}
        files = {
            SCREENSHOT_NAME: (png, "image/png"),
            MHTML_NAME: (snapshot["data"].encode("utf-8"), "multipart/related"),
            HEADERS_NAME: (
                json.dumps(headers, ensure_ascii=False, indent=1).encode("utf-8"),
                "application/json",
            ),
        }
        if matches:  # else the attempt fails, once the page is known not to be blocked
            files[BODY_NAME] = (matches[-1], content_type or "application/octet-stream")
        meta = {
            "http_status": response.status,
            "status_text": response.status_text,
            "response_url": response.url,
            "response_headers": headers,
            "server_ip": server.get("ipAddress"),
            "server_port": server.get("port"),
            "tls": security,
            "browser_version": self._browser_version,
            "viewport": {"width": self.viewport[0], "height": self.viewport[1]},
            "locale": self.locale,
            "page_height": page_height,
            "screenshot_height": shot_height,
            "screenshot_truncated": page_height > shot_height,
            "_blank": blank,
        }
        return files, meta, html

    # -- storage (runs in a worker thread) ---------------------------------------------

    def _store(self, item: CaptureItem, listing_dir: Path, got: _Page) -> Evidence:
        """Put the artefacts in the object store, then link them into a capture folder
        built under a temporary name and renamed into place with its manifest."""
        files, meta = got.files, dict(got.meta)
        exchanges = meta.pop("_exchanges", [])
        files[WARC_NAME] = (warc_bytes(
            exchanges, software=SOFTWARE, browser_version=self._browser_version,
            info={"operator": "firewatch", "user-agent": meta.get("user_agent", ""),
                  "viewport": f"{self.viewport[0]}x{self.viewport[1]}",
                  "target-url": item.url},
            aborted=meta.get("aborted_requests", ()), failed=meta.get("failed_requests", ()),
            target_url=item.url, at=got.captured_at,
        ), WARC_MEDIA_TYPE)
        meta["warc_exchanges"] = len(exchanges)
        artefacts = [
            Artefact(name=name, sha256=sha256_bytes(data), media_type=media, size=len(data))
            for name, (data, media) in files.items()
        ]
        objects = {a.name: put_object(self.out_dir, files[a.name][0], a.sha256)
                   for a in artefacts}
        final_dir = listing_dir / timestamp_dirname(got.captured_at)
        manifest = {
            "format": MANIFEST_FORMAT,
            "software": SOFTWARE,
            "platform": item.platform,
            "listing_id": item.listing_id,
            **meta,
            "cjk_font_families": self.cjk_families_,
            "object_store": os.path.relpath(self.out_dir / OBJECTS_DIR, final_dir),
            "artefacts": [{**a.__dict__, "object": f"{OBJECTS_DIR}/{a.sha256[:2]}/{a.sha256}"}
                          for a in artefacts],
        }
        manifest_bytes = json.dumps(
            manifest, ensure_ascii=False, indent=1, sort_keys=True
        ).encode("utf-8")
        listing_dir.mkdir(parents=True, exist_ok=True)
        if final_dir.exists():
            raise CaptureError(f"evidence directory already exists: {final_dir}")
        # Built under a temporary name and renamed, so the folder appears whole or not at all.
        tmp_dir = listing_dir / f".{final_dir.name}.partial"
        tmp_dir.mkdir()
        try:
            for name, path in objects.items():
                link_or_copy(path, tmp_dir / name)
            write_file(tmp_dir / MANIFEST_NAME, manifest_bytes)
            os.replace(tmp_dir, final_dir)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise
        evidence = Evidence(
            platform=item.platform,
            listing_id=item.listing_id,
            captured_at=got.captured_at.astimezone(timezone.utc),
            url=meta["url"],
            final_url=meta["final_url"],
            http_status=meta["http_status"],
            server_ip=meta["server_ip"],
            user_agent=meta["user_agent"],
            browser_version=meta["browser_version"],
            directory=str(final_dir),
            artefacts=artefacts,
            manifest_sha256=sha256_bytes(manifest_bytes),
            signature=self.sign(manifest_bytes) if self.sign is not None else "",
        )
        log.info("captured %s/%s -> %s (%d artefacts, %d exchanges)", item.platform,
                 item.listing_id, final_dir, len(artefacts), len(exchanges))
        return evidence
