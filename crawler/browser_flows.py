"""Reading what a page received in a real browser: the data answers of a browser flow.

Sites that sign their data requests in their own JavaScript (JD's h5st, Taobao's mtop sign,
PDD's anti_content) are loaded in Chromium through scrapy-playwright, in one browser context
per platform holding the regulator's imported session. The page's own script signs and fetches;
`Answers` keeps the responses whose URL carries the flow's data marker, so the spider reads the
JSON the page received. Nothing here computes a signature or touches a token.

`Answers` is registered as the page's "response" event handler before navigation, so an answer
that arrives while the page loads is never missed; `first()` then returns it (or waits for it),
and `next_by_scrolling()` scrolls to the end of the list and returns the answer the page's script
fetched for the next page.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

SCROLL_TO_END = "window.scrollTo(0, document.body.scrollHeight)"


def browser_meta(context: str, handler: str, timeout_ms: int) -> dict[str, Any]:
    """Request meta for a scrapy-playwright request in `context`, with `handler` (a spider method
    name) seeing every response of the page."""
    return {"playwright": True, "playwright_context": context, "playwright_include_page": True,
            "playwright_page_event_handlers": {"response": handler, "requestfailed": f"{handler}_failed"},
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded", "timeout": timeout_ms}}


class FailedAnswer:
    """A data request of the page that got no answer; `status` 0 marks it."""

    status = 0

    def __init__(self, url: str, failure: Any):
        self.url = url
        self.failure = failure or "request failed"

    async def text(self) -> str:
        return ""


class Answers:
    """Data answers per open page, keyed by the page object's id."""

    def __init__(self, marker: str, timeout_ms: int = 20000):
        self.marker = marker
        self.timeout_ms = timeout_ms
        self._seen: dict[int, list[Any]] = {}

    def matches(self, response: Any) -> bool:
        return self.marker in response.url

    def collect(self, response: Any) -> None:
        """The page's "response" event handler."""
        if self.matches(response):
            self._seen.setdefault(id(response.frame.page), []).append(response)

    def fail(self, request: Any) -> None:
        """The page's "requestfailed" event handler: a data request that got no answer (refused by
        the network, or by the browser, e.g. an error answer without CORS headers)."""
        if self.marker in request.url:
            self._seen.setdefault(id(request.frame.page), []).append(FailedAnswer(request.url, request.failure))

    async def first(self, page: Any) -> Any:
        """The first data answer the page received (waiting for it when it has not come yet); a
        `FailedAnswer` when the data request failed."""
        got = self._seen.pop(id(page), [])
        if got:  # no await between this check and the wait below: no answer slips through
            return got[0]
        answered = asyncio.ensure_future(page.wait_for_event("response", predicate=self.matches,
                                                             timeout=self.timeout_ms))
        failed = asyncio.ensure_future(page.wait_for_event("requestfailed", predicate=self.matches,
                                                           timeout=self.timeout_ms))
        try:
            done, _ = await asyncio.wait((answered, failed), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (answered, failed):
                if not waiter.done():
                    waiter.cancel()
        if answered in done and answered.exception() is None:
            return answered.result()
        if failed in done and failed.exception() is None:
            request = failed.result()
            return FailedAnswer(request.url, request.failure)
        raise (answered if answered in done else failed).exception()

    async def next_by_scrolling(self, page: Any) -> Any:
        """Scroll to the end of the list; the answer the page's script fetches for the next page."""
        self._seen.pop(id(page), None)
        async with page.expect_response(self.matches, timeout=self.timeout_ms) as answer:
            await page.evaluate(SCROLL_TO_END)
        return await answer.value

    def forget(self, page: Any) -> None:
        self._seen.pop(id(page), None)


async def close_page(page: Any) -> None:
    """Close a page, ignoring a browser that has already gone."""
    try:
        await page.close()
    except Exception as exc:  # noqa: BLE001 - Playwright raises its own Error types; the page is gone either way
        log.debug("closing page: %s", exc)
