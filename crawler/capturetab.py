"""The browser side of one capture attempt: a fresh context with its page, recorder and traffic count.

`open_tab(browser, ...)` makes a `Tab` (context, page, CDP session, started `NetworkRecorder`),
everything a capture needs before it navigates, so that `TabPool` can make the next one while
the current page loads. `Tab.gate(allowed)` routes only the requests that may be refused
through Python (`foreign_url_pattern`); `Tab.settle(...)` waits for the page's network to go
quiet, counting document, XHR and fetch requests only (images, fonts and styles must be done,
but their traffic does not restart the quiet window).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firewatch.core.browser import foreign_url_pattern, gate_async

from crawler.netrecord import NetworkRecorder

log = logging.getLogger(__name__)

__all__ = ["Tab", "TabPool", "open_tab"]

# Requests that restart the quiet window; every other kind only has to have finished.
_CONTENT_TYPES = frozenset({"Document", "XHR", "Fetch"})
# Requests that may stay open for the life of the page: never waited for.
_LONG_LIVED = frozenset({"WebSocket", "EventSource", "Media", "Ping", "Prefetch"})


@dataclass
class Tab:
    """A fresh browser context and its page, recorder and in-flight request count."""

    context: Any
    page: Any
    cdp: Any
    recorder: NetworkRecorder
    aborted: list[str] = field(default_factory=list)
    gated_for: frozenset[str] | None = None  # the hosts `gate` allowed, once called
    inflight: dict[str, str] = field(default_factory=dict)  # request id -> resource type
    last_content_activity: float = 0.0

    def _track(self) -> None:
        loop = asyncio.get_running_loop()
        self.last_content_activity = loop.time()

        def sent(event: dict[str, Any]) -> None:
            kind = event.get("type", "")
            if kind in _LONG_LIVED:
                return
            self.inflight[str(event.get("requestId", ""))] = kind
            if kind in _CONTENT_TYPES:
                self.last_content_activity = loop.time()

        def ended(event: dict[str, Any]) -> None:
            kind = self.inflight.pop(str(event.get("requestId", "")), None)
            if kind in _CONTENT_TYPES:
                self.last_content_activity = loop.time()

        self.cdp.on("Network.requestWillBeSent", sent)
        self.cdp.on("Network.loadingFinished", ended)
        self.cdp.on("Network.loadingFailed", ended)

    async def gate(self, allowed: frozenset[str]) -> None:
        """Abort (and list in `aborted`) every request to a host not in `allowed`."""
        self.gated_for = allowed
        await self.context.route(foreign_url_pattern(allowed), gate_async(allowed, on_block=self.aborted.append))

    async def settle(self, quiet_s: float, limit_s: float) -> bool:
        """Wait until nothing is in flight and no document/XHR/fetch request started or ended for
        `quiet_s`; False when that has not happened within `limit_s` (a page that keeps polling)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + limit_s
        while True:
            now = loop.time()
            idle_for = now - self.last_content_activity
            if not self.inflight and idle_for >= quiet_s:
                return True
            if now >= end:
                return False
            wait = quiet_s - idle_for if not self.inflight else 0.02
            await asyncio.sleep(max(0.005, min(wait, end - now)))

    async def close(self) -> None:
        try:
            await self.context.close()
        except Exception:  # browser gone: nothing to close
            log.debug("context close failed", exc_info=True)


async def open_tab(browser: Any, *, user_agent: str, viewport: tuple[int, int], locale: str, timeout_ms: int,
                   clock: Callable[[], datetime], allowed: frozenset[str] = frozenset()) -> Tab:
    """A fresh context (no cookies or cache from earlier pages) with its page, recording already;
    gated for `allowed` unless that is empty."""
    context = await browser.new_context(
        user_agent=user_agent,
        viewport={"width": viewport[0], "height": viewport[1]},
        locale=locale,
        service_workers="block",
        accept_downloads=False,
    )
    try:
        context.set_default_timeout(timeout_ms)
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        tab = Tab(context, page, cdp, NetworkRecorder(cdp, clock=clock))
        tab._track()
        await tab.recorder.start()
        if allowed:
            await tab.gate(allowed)
        return tab
    except BaseException:
        await asyncio.shield(context.close())
        raise


class TabPool:
    """Hands out fresh tabs, with `spares` made ahead while the current pages load (0: none).

    `take()` returns a ready tab (or makes one) and starts making replacements, keeping
    `spares` ready; `release(tab)` closes a used tab in the background; `drain()` waits
    for those closes; `close()` also closes the spares. Use from one event loop.
    """

    def __init__(self, make: Callable[[], Coroutine[Any, Any, Tab]], spares: int = 0) -> None:
        self.make = make
        self.spares = spares
        self._ready: list[asyncio.Task[Tab]] = []
        self._closing: set[asyncio.Task[None]] = set()

    async def take(self) -> Tab:
        task = self._ready.pop(0) if self._ready else None
        while len(self._ready) < self.spares:
            self._ready.append(asyncio.ensure_future(self.make()))
        if task is not None:
            try:
                return await task
            except Exception:  # the spare failed (browser restarting...): make one now
                log.debug("spare tab failed", exc_info=True)
        return await self.make()

    def release(self, tab: Tab) -> None:
        task = asyncio.ensure_future(tab.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def drain(self) -> None:
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def trim(self, spares: int) -> None:
        """Keep at most `spares` ready tabs from now on, closing the others; wait for closes."""
        self.spares = spares
        extra, self._ready = self._ready[spares:], self._ready[:spares]
        await self._discard(extra)
        await self.drain()

    async def close(self) -> None:
        ready, self._ready = self._ready, []
        await self._discard(ready)
        await self.drain()

    @staticmethod
    async def _discard(ready: list[asyncio.Task[Tab]]) -> None:
        for result in await asyncio.gather(*ready, return_exceptions=True):
            if isinstance(result, Tab):
                await result.close()
