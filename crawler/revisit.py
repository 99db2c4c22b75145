"""A known item page that a crawl finds gone, and the suspected removals a crawl fetches again.

A spider that meets an item page showing the item gone (`crawler.platforms.gone.judge_page`: the same judgement
as the 'fetch' stage's) yields a `GoneItem`: the listing as its search result (or the store) showed it and the
`Removal` sighting; the store pipeline keeps it with `ListingStore.record_removal`, which counts it (a 404/410)
or keeps it suspected until a later sighting, from a crawl or the 'fetch' stage, confirms it
(`[notices] removal_confirm_hours`). `revisit_plan` names, per crawled platform, the stored listings with a
suspected removal older than that window and not seen on sale since: the spider fetches their item pages again
before searching, so the removal is confirmed, or cleared when the item is back on sale. A revisit is an ordinary
item request: a redirect it meets is judged from the redirect answer itself, as a first visit's is (JD's redirect
to its home page, which its robots.txt forbids fetching, is a sighting, not a blocked page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from firewatch.core.models import Listing, Removal

__all__ = ["GoneItem", "revisit_plan"]


@dataclass(frozen=True)
class GoneItem:
    """What a crawl saw of an item whose page shows it gone: `listing` (its search result or stored row) and
    the `removal` sighting (where the fetch ended, status, words, basis)."""

    listing: Listing
    removal: Removal


def revisit_plan(store, spiders: dict[str, Iterable[str]], confirm_after: timedelta, now: datetime
                 ) -> dict[str, list[Listing]]:
    """Crawl platform -> the stored listings of the platforms its spider reads item pages of (`spiders`: crawl
    platform -> those platforms, Taobao's includes Tmall) with a suspected removal at least `confirm_after`
    before `now` and not seen since."""
    return {crawled: store.listings.suspected_removals(platforms, now - confirm_after)
            for crawled, platforms in spiders.items()}
