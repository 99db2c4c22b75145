"""Starting headless Chromium, written once: Debian's Chromium driven by Playwright.

`launch(browser_type, executable_path, env=...)` starts it with `CHROMIUM_ARGS` from a Playwright
`BrowserType` (sync or async API); `chromium_path(settings)` names the executable. `gate(allowed)`
and `gate_async(allowed)` are route handlers that abort requests to hosts not in `allowed`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

# Playwright is not imported here: callers import it inside functions (it is slow to import).

__all__ = ["CHROMIUM_ARGS", "DEFAULT_CHROMIUM", "chromium_path", "gate", "gate_async", "host_allowed", "launch",
           "request_allowed"]

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
