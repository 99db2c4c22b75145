"""Capture listing pages as evidence: screenshot, HTML, MHTML, WARC and raw body, fixed by hashes.

`Capturer` drives one headless Chromium (Playwright's async API on a private event loop,
started lazily, closed by `close()` or the `with` block) for many captures. Each capture
runs in a fresh browser context (no cookies or cache from earlier pages), aborts every
request to a host outside `allowed_hosts` (and the host under test) at once (so no
remote font or script is waited on) and lists them, and records what a notarised
capture notes: URL, final URL, HTTP status, server IP, response headers, user agent,
browser version, viewport, UTC time. After the `load` event it waits until the network
has been quiet for `settle_ms` (at most 5 s), then keeps a full-page PNG (height
capped), the rendered HTML, an MHTML snapshot (CDP `Page.captureSnapshot`), the raw
response body, the response headers and `page.warc.gz`, a WARC of every allowed request
and response (`crawler.netrecord`). A page the `is_blocked` callback recognises as a
captcha, verification or login wall raises `BlockedPageError` and nothing is written.
Chinese rendering is checked once per browser start (`crawler.fonts`).

Storage is content-addressed: each artefact's bytes live once under
`<out_dir>/objects/<sha[:2]>/<sha>` (written once, read-only; identical bytes are
stored once). Each capture gets `<out_dir>/<platform>/<listing_id>/<UTC time>/` holding
hard links to its objects under their artefact names (a copy where the filesystem has
no hard links) and `manifest.json` (artefact hashes, object paths + metadata), whose
SHA-256 is the evidence's `manifest_sha256`. The folder appears whole or not at all.

`capture()` takes one page; `capture_many()` takes many through a pool of up to
`concurrency` browser contexts. A navigation failure, timeout or 5xx/429 answer is
retried up to `retries` times (with backoff); a blocked page or a disallowed host is not.
Use a `Capturer` from one thread that is not running an asyncio loop.
"""

from __future__ import annotations

import asyncio
import hashlib
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

from firewatch.models import Artefact, Evidence

from crawler.exceptions import BlockedPageError, CaptureError, MissingCJKFontsError
from crawler.fonts import assert_cjk_rendering
from crawler.netrecord import WARC_MEDIA_TYPE, WARC_NAME, NetworkRecorder, warc_bytes

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
SOFTWARE = "firewatch-capture/2"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "firewatch-evidence/2"
OBJECTS_DIR = "objects"
SCREENSHOT_NAME = "screenshot.png"
HTML_NAME = "page.html"
MHTML_NAME = "page.mhtml"
BODY_NAME = "response.body"
HEADERS_NAME = "response-headers.json"
_LOCAL_SCHEMES = ("data", "blob", "about")
_SETTLE_LIMIT_S = 5.0

__all__ = [
    "BlockedPageError",
    "CaptureError",
    "CaptureItem",
    "Capturer",
    "MissingCJKFontsError",
    "object_path",
    "put_object",
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


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


# --- content-addressed object store --------------------------------------------------


def object_path(root: str | os.PathLike[str], sha256: str) -> Path:
    """Where the bytes with hex digest `sha256` live under the evidence root `root`."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a hex SHA-256: {sha256!r}")
    return Path(root) / OBJECTS_DIR / sha256[:2] / sha256


def put_object(root: str | os.PathLike[str], data: bytes, sha256: str | None = None) -> Path:
    """Store `data` once under `root/objects/`; return its path.

    Written to a temporary file, fsynced, made read-only and hard-linked into place, so
    concurrent writers of the same bytes are harmless. An existing object is re-hashed:
    one whose bytes no longer match its name is moved aside (`.corrupt-*`, kept for
    inspection) and written again.
    """
    sha = sha256 or sha256_bytes(data)
    path = object_path(root, sha)
    if path.exists():
        if sha256_bytes(path.read_bytes()) == sha:
            return path
        aside = path.with_name(f"{sha}.corrupt-{_timestamp_dirname(datetime.now(timezone.utc))}")
        log.error("object %s does not match its hash; moved to %s", path, aside)
        os.replace(path, aside)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{sha}.{os.getpid()}.{id(data):x}.partial")
    try:
        _write_file(tmp, data)
        os.chmod(tmp, 0o444)
        try:
            os.link(tmp, path)
        except FileExistsError:  # another writer stored the same bytes meanwhile
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # no hard links here (another filesystem, FAT...): copy
        shutil.copyfile(src, dst)


class _TransientError(CaptureError):
    """A failure worth another attempt: navigation error, timeout, 5xx or 429 answer."""


class _SyncPage:
    """Lets `crawler.fonts` (sync API) evaluate in an async page from outside the loop."""

    def __init__(self, run: Callable[[Coroutine[Any, Any, Any]], Any], page: Any) -> None:
        self._run, self._page = run, page

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        return self._run(self._page.evaluate(expression, arg))


@dataclass(frozen=True)
class CaptureItem:
    """One page to capture for listing `(platform, listing_id)`."""

    platform: str
    listing_id: str
    url: str


@dataclass
class _Page:
    """What one attempt took from the browser, before anything is written."""

    files: dict[str, tuple[bytes, str]]
    meta: dict[str, Any]
    captured_at: datetime
