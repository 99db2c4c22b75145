"""Starting headless Chromium, written once: Debian's Chromium driven by Playwright.

`launch(browser_type, executable_path, env=...)` starts it with `CHROMIUM_ARGS` from a Playwright
`BrowserType` (sync or async API); `chromium_path(settings)` names the executable. `gate(allowed)`
and `gate_async(allowed)` are route handlers that abort requests to hosts not in `allowed`;
routed with `foreign_url_pattern(allowed)` instead of `"**/*"`, only the requests they would
abort reach Python (Playwright's driver lets the others through without a round trip).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

# Playwright is not imported here: callers import it inside functions (it is slow to import).

__all__ = ["CHROMIUM_ARGS", "DEFAULT_CHROMIUM", "chromium_path", "foreign_url_pattern", "gate", "gate_async",
           "host_allowed", "launch", "request_allowed"]

log = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
LOCAL_SCHEMES = ("data", "blob", "about")


def chromium_path(settings: Any = None) -> str:
    """The Chromium executable named by the settings (`[capture] chromium`), else Debian's."""
    if settings is None:
        return DEFAULT_CHROMIUM
    return str(settings.section("capture").get("chromium") or DEFAULT_CHROMIUM)


def launch(browser_type: Any, executable_path: str = DEFAULT_CHROMIUM, *, args: Iterable[str] = CHROMIUM_ARGS,
           env: Mapping[str, str] | None = None, **options: Any) -> Any:
    """Start headless Chromium from a Playwright BrowserType (the awaitable of it, with the async API)."""
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update(env)
    return browser_type.launch(executable_path=executable_path, args=list(args), env=full_env, headless=True,
                               **options)


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Exact host match, or a suffix match for entries written ".example.com"."""
    host = host.lower().rstrip(".")
    allowed = frozenset(allowed)
    if host in allowed:
        return True
    return any(entry.startswith(".") and (host.endswith(entry) or host == entry[1:]) for entry in allowed)


def request_allowed(url: str, allowed: Iterable[str] = ()) -> bool:
    """A local URL (data:, blob:, about:), or one whose host (or host:port) is allowed."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    allowed = frozenset(allowed)
    return bool(parts.hostname) and (parts.netloc.lower() in allowed or host_allowed(parts.hostname, allowed))


def foreign_url_pattern(allowed: Iterable[str] = ()) -> re.Pattern[str]:
    """A regex matching every URL `request_allowed(url, allowed)` may refuse, for `route(pattern, gate...)`.

    It never misses a refused URL; it may match an allowed one of unusual form (user info, a
    trailing dot...), which the gate's handler then lets through.
    """
    hosts = []
    for entry in sorted({a.lower().rstrip(".") for a in allowed if a}):
        if entry.startswith("."):
            hosts.append(rf"(?:[a-z0-9_-]+\.)*{re.escape(entry[1:])}(?::\d+)?")
        elif ":" in entry.strip("[]"):  # "host:port": that port only
            hosts.append(re.escape(entry))
        else:
            hosts.append(rf"{re.escape(entry)}(?::\d+)?")
    local = "|".join(LOCAL_SCHEMES)
    if not hosts:
        return re.compile(rf"^(?!(?:{local}):)", re.IGNORECASE)
    return re.compile(rf"^(?!(?:{local}):)(?![a-z][a-z0-9+.-]*://(?:{'|'.join(hosts)})(?:[/?#]|$))",
                      re.IGNORECASE)


def gate(allowed: Iterable[str] = (), on_block: Callable[[str], None] | None = None) -> Callable[[Any], None]:
    """A route handler (Playwright sync API) that aborts requests to hosts not allowed."""
    allowed = frozenset(allowed)

    def handle(route: Any) -> None:
        url = route.request.url
        if request_allowed(url, allowed):
            route.continue_()
        else:
            _blocked(url, on_block)
            route.abort("blockedbyclient")

    return handle


def gate_async(allowed: Iterable[str] = (),
               on_block: Callable[[str], None] | None = None) -> Callable[[Any], Awaitable[None]]:
    """The route handler of `gate` for Playwright's async API."""
    allowed = frozenset(allowed)

    async def handle(route: Any) -> None:
        url = route.request.url
        if request_allowed(url, allowed):
            await route.continue_()
        else:
            _blocked(url, on_block)
            await route.abort("blockedbyclient")

    return handle


def _blocked(url: str, on_block: Callable[[str], None] | None) -> None:
    log.debug("blocked request to another host: %s", url)
    if on_block is not None:
        on_block(url)
