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

import logging
from typing import Any

log = logging.getLogger(__name__)

SCROLL_TO_END = "window.scrollTo(0, document.body.scrollHeight)"


def browser_meta(context: str, handler: str, timeout_ms: int) -> dict[str, Any]:
    """Request meta for a scrapy-playwright request in `context`, with `handler` (a spider method
    name) seeing every response of the page."""
    return {"playwright": True, "playwright_context": context, "playwright_include_page": True,
            "playwright_page_event_handlers": {"response": handler},
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded", "timeout": timeout_ms}}


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

    async def first(self, page: Any) -> Any:
        """The first data answer the page received (waiting for it when it has not come yet)."""
        got = self._seen.pop(id(page), [])
        if got:  # no await between this check and the wait below: no answer slips through
            return got[0]
        return await page.wait_for_event("response", predicate=self.matches, timeout=self.timeout_ms)

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
