"""Capture a listing page as evidence: screenshot, HTML, MHTML and raw body, fixed by hashes.

`Capturer` drives one headless Chromium (Playwright, sync API; started lazily, closed
by `close()` or the `with` block) for many captures. Each capture runs in a fresh
browser context (no cookies or cache from earlier pages), blocks every request to a
host outside `allowed_hosts` (and the host under test), and records what a notarised
capture notes: URL, final URL, HTTP status, server IP, user agent, browser version,
UTC time. It saves a full-page PNG (height capped), the rendered HTML, an MHTML
snapshot (CDP `Page.captureSnapshot`), the raw response body and the response headers,
then writes `manifest.json` (artefact hashes + metadata) whose SHA-256 is the
evidence's `manifest_sha256`. A page the `is_blocked` callback recognises as a
captcha, verification or login wall raises `BlockedPageError` and nothing is written.
Chinese rendering is checked once per browser start (`crawler.fonts`).

Use from one thread: Playwright's sync objects are bound to the thread that made them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from firewatch.models import Artefact, Evidence

from crawler.exceptions import BlockedPageError, CaptureError, MissingCJKFontsError
from crawler.fonts import assert_cjk_rendering

log = logging.getLogger(__name__)

DEFAULT_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "firewatch-evidence/1"
SCREENSHOT_NAME = "screenshot.png"
HTML_NAME = "page.html"
MHTML_NAME = "page.mhtml"
BODY_NAME = "response.body"
HEADERS_NAME = "response-headers.json"
_LOCAL_SCHEMES = ("data", "blob", "about")

__all__ = [
    "BlockedPageError",
    "CaptureError",
    "Capturer",
    "MissingCJKFontsError",
    "sha256_bytes",
]

# --- helpers -------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def _timestamp_dirname(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def _safe_component(value: str) -> str:
    """A path component that cannot climb out of the evidence root."""
    cleaned = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in str(value))
    cleaned = cleaned.strip(".")
    if not cleaned:
        raise CaptureError(f"unusable path component {value!r}")
    return cleaned


def _host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Exact host match, or a suffix match for entries written ".example.com"."""
    host = host.lower().rstrip(".")
    if host in allowed:
        return True
    return any(entry.startswith(".") and (host.endswith(entry) or host == entry[1:])
               for entry in allowed)


def _record_document_bodies(cdp: Any) -> list[tuple[str, int, bytes]]:
    """Pause every document response (CDP Fetch, response stage) to keep its raw bytes.

    Returns the list the event handler fills with `(url, status, body)`. Redirects
    have no body and are passed on untouched. Playwright's own routing keeps working:
    Chromium runs each client's interception in turn.
    """
    bodies: list[tuple[str, int, bytes]] = []

    def paused(event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        status = int(event.get("responseStatusCode") or 0)
        try:
            if not 300 <= status < 400:
                got = cdp.send("Fetch.getResponseBody", {"requestId": request_id})
                data = got["body"]
                raw = base64.b64decode(data) if got.get("base64Encoded") else data.encode()
                bodies.append((event["request"]["url"], status, raw))
        except Exception:  # no body (HEAD, 204...): the page still loads
            log.debug("no body for %s", event["request"]["url"], exc_info=True)
        finally:
            try:
                cdp.send("Fetch.continueResponse", {"requestId": request_id})
            except Exception:
                cdp.send("Fetch.continueRequest", {"requestId": request_id})

    cdp.on("Fetch.requestPaused", paused)
    cdp.send("Fetch.enable", {"patterns": [
        {"urlPattern": "*", "resourceType": "Document", "requestStage": "Response"},
    ]})
    return bodies


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class Capturer:
    """One Chromium, many captures; see the module docstring.

    Parameters are stored only; the browser starts on the first `capture()`.
    `is_blocked(html, url)` returns a reason (captcha, login wall...) or None; the
    crawler passes `crawler.platforms.blocked.detect_block`. `browser_env` holds
    environment variables laid over the inherited ones for Chromium and fc-list (for
    example `FONTCONFIG_FILE`). `sign(manifest_bytes)`, if given, fills
    `Evidence.signature`. `clock` returns the capture time (UTC).
    """

    def __init__(
        self,
        executable_path: str,
        out_dir: str | os.PathLike[str],
        user_agent: str,
        allowed_hosts: Iterable[str],
        max_height: int = 10000,
        viewport: tuple[int, int] = (1280, 900),
        timeout_ms: int = 30000,
        *,
        is_blocked: Callable[[str, str], str | None],
        locale: str = "zh-CN",
        launch_args: Iterable[str] = DEFAULT_ARGS,
        browser_env: Mapping[str, str] | None = None,
        check_fonts: bool = True,
        sign: Callable[[bytes], str] | None = None,
        clock: Callable[[], datetime] | None = None,
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
        self.launch_args = list(launch_args)
        self.browser_env = dict(browser_env) if browser_env is not None else None
        self.check_fonts = check_fonts
        self.sign = sign
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._playwright: Any = None
        self._browser: Any = None
        self.cjk_families_: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Capturer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def browser_version(self) -> str:
        self._ensure_browser()
        return str(self._browser.version)

    def _ensure_browser(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        self.close()
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        env = None
        if self.browser_env is not None:
            env = dict(os.environ)
            env.update(self.browser_env)
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable_path,
                args=self.launch_args,
                env=env,
                headless=True,
            )
            log.info("started Chromium %s from %s", self._browser.version, self.executable_path)
            if self.check_fonts:
                self._check_fonts()
        except Exception:
            self.close()
            raise

    def _check_fonts(self) -> None:
        context = self._browser.new_context(service_workers="block")
        try:
            context.route("**/*", lambda route: route.abort("blockedbyclient"))
            page = context.new_page()
            self.cjk_families_ = assert_cjk_rendering(page, env=self.browser_env)
        finally:
            context.close()

    def close(self) -> None:
        """Close the browser and Playwright; the next capture starts them again."""
        browser, pw = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                browser.close()
            except Exception:  # already gone: nothing to release
                log.debug("browser close failed", exc_info=True)
        if pw is not None:
            pw.stop()

    # -- capture -----------------------------------------------------------------------

    def capture(self, platform: str, listing_id: str, url: str) -> Evidence:
        """Capture `url` as evidence for listing `(platform, listing_id)`.

        Raises `BlockedPageError` for captcha / login-wall pages (nothing written),
        `CaptureError` when the page cannot be loaded or its host is not allowed,
        `MissingCJKFontsError` when the browser cannot render Chinese.
        """
        target = urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise CaptureError(f"not an http(s) URL: {url!r}")
        allowed = self.allowed_hosts | {target.hostname.lower()}
        if self.allowed_hosts and not _host_allowed(target.hostname, self.allowed_hosts):
            raise CaptureError(f"host {target.hostname!r} is not in allowed_hosts")
        listing_dir = self.out_dir / _safe_component(platform) / _safe_component(listing_id)
        self._ensure_browser()

        aborted: list[str] = []

        def gate(route: Any) -> None:
            req_url = route.request.url
            parts = urlsplit(req_url)
            if parts.scheme in _LOCAL_SCHEMES or (
                parts.hostname and _host_allowed(parts.hostname, allowed)
            ):
                route.continue_()
            else:
                aborted.append(req_url)
                log.debug("blocked request to other host: %s", req_url)
                route.abort("blockedbyclient")

        context = self._browser.new_context(
            user_agent=self.user_agent,
            viewport={"width": self.viewport[0], "height": self.viewport[1]},
            locale=self.locale,
            service_workers="block",
            accept_downloads=False,
        )
        try:
            context.set_default_timeout(self.timeout_ms)
            context.route("**/*", gate)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            raw_bodies = _record_document_bodies(cdp)
            started_at = self.clock()
            try:
                response = page.goto(url, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:  # Playwright's Error / TimeoutError
                raise CaptureError(f"could not load {url}: {exc}") from exc
            if response is None:
                raise CaptureError(f"no response for {url}")
            cdp.send("Fetch.disable")
            try:
                page.wait_for_load_state("networkidle", timeout=min(self.timeout_ms, 5000))
            except Exception:  # a page that keeps polling: capture what has loaded
                log.debug("network not idle for %s; capturing anyway", url)
            captured_at = self.clock()
            final_url = page.url
            final_host = urlsplit(final_url).hostname or ""
            if not _host_allowed(final_host, allowed):
                raise CaptureError(f"{url} ended on a host that is not allowed: {final_url}")
            html = page.content()
            reason = self.is_blocked(html, final_url)
            if reason:
                log.warning("refusing blocked page %s: %s", final_url, reason)
                raise BlockedPageError(final_url, reason)
            files, meta = self._collect(cdp, page, response, raw_bodies)
        finally:
            context.close()

        meta.update(
            url=url,
            final_url=final_url,
            started_at=started_at.isoformat(),
            captured_at=captured_at.isoformat(),
            aborted_requests=aborted,
        )
        files[HTML_NAME] = (html.encode("utf-8"), "text/html; charset=utf-8")
        return self._store(platform, listing_id, listing_dir, captured_at, files, meta)

    def _collect(
        self, cdp: Any, page: Any, response: Any, raw_bodies: list[tuple[str, int, bytes]]
    ) -> tuple[dict[str, tuple[bytes, str]], dict[str, Any]]:
        """Screenshot, MHTML, raw body and network metadata of the loaded page."""
        page_height = int(page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0)"
        ))
        shot_height = max(1, min(page_height, self.max_height))
        png = page.screenshot(
            full_page=True,
            type="png",
            clip={"x": 0, "y": 0, "width": self.viewport[0], "height": shot_height},
            animations="disabled",
        )
        mhtml = cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
        # Playwright's response.body() re-encodes text documents as UTF-8; the bytes
        # the server sent (GBK pages...) come from the CDP Fetch interception instead.
        matches = [b for u, st, b in raw_bodies if u == response.url and st == response.status]
        if not matches:
            raise CaptureError(f"raw response body of {response.url} was not recorded")
        body = matches[-1]
        headers = response.headers_array()
        server = response.server_addr() or {}
        security = response.security_details()
        content_type = response.header_value("content-type") or "application/octet-stream"
        files = {
            SCREENSHOT_NAME: (png, "image/png"),
            MHTML_NAME: (mhtml.encode("utf-8"), "multipart/related"),
            BODY_NAME: (body, content_type),
            HEADERS_NAME: (
                json.dumps(headers, ensure_ascii=False, indent=1).encode("utf-8"),
                "application/json",
            ),
        }
        meta = {
            "http_status": response.status,
            "status_text": response.status_text,
            "response_url": response.url,
            "server_ip": server.get("ipAddress"),
            "server_port": server.get("port"),
            "tls": security,
            "user_agent": page.evaluate("() => navigator.userAgent"),
            "browser_version": str(self._browser.version),
            "viewport": list(self.viewport),
            "page_height": page_height,
            "screenshot_height": shot_height,
            "screenshot_truncated": page_height > shot_height,
        }
        return files, meta

    def _store(
        self,
        platform: str,
        listing_id: str,
        listing_dir: Path,
        captured_at: datetime,
        files: dict[str, tuple[bytes, str]],
        meta: dict[str, Any],
    ) -> Evidence:
        """Write artefacts and manifest into a temp dir, then rename it into place."""
        artefacts = [
            Artefact(name=name, sha256=sha256_bytes(data), media_type=media, size=len(data))
            for name, (data, media) in files.items()
        ]
        manifest = {
            "format": MANIFEST_FORMAT,
            "platform": platform,
            "listing_id": listing_id,
            **meta,
            "cjk_font_families": self.cjk_families_,
            "artefacts": [a.__dict__ for a in artefacts],
        }
        manifest_bytes = json.dumps(
            manifest, ensure_ascii=False, indent=1, sort_keys=True
        ).encode("utf-8")
        listing_dir.mkdir(parents=True, exist_ok=True)
        final_dir = listing_dir / _timestamp_dirname(captured_at)
        if final_dir.exists():
            raise CaptureError(f"evidence directory already exists: {final_dir}")
        tmp_dir = listing_dir / f".{final_dir.name}.partial"
        tmp_dir.mkdir()
        try:
            for name, (data, _media) in files.items():
                _write_file(tmp_dir / name, data)
            _write_file(tmp_dir / MANIFEST_NAME, manifest_bytes)
            os.replace(tmp_dir, final_dir)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise
        evidence = Evidence(
            platform=platform,
            listing_id=listing_id,
            captured_at=captured_at.astimezone(timezone.utc),
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
        log.info("captured %s/%s -> %s (%d artefacts)", platform, listing_id, final_dir,
                 len(artefacts))
        return evidence
