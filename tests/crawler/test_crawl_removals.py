"""A gone item met by an ordinary crawl goes through the same removal judgement as a notice's re-fetch.

Real `firewatch crawl` children against the demo market: a gate in front of the market's routes has the platform
take a listing down just as the crawl asks for its item page (the search page still listed it, as real search
indexes lag), and the replica then answers the way that platform answers for an item it took down
(`demo_market.gone`). 1688's 404 counts at once; Pinduoduo's gone wording, Taobao's redirect to its error page and
JD's redirect to its home page (read from the redirect itself: JD's robots.txt forbids www.jd.com/?from=item, and
neither target is ever fetched) are only suspected until the next crawl, which fetches the item page again before searching, sees it gone again
([notices] removal_confirm_hours = 0 here) and confirms it. An on-sale sighting between two gone sightings resets
the count; a captcha, a 5xx or a redirect to another item never records a sighting.
"""

from __future__ import annotations

import pytest
from fastapi.responses import PlainTextResponse

from firewatch.store import open_store
from tests.crawler.test_errbacks import QUERY, gated_market
from tests.helpers import market_args, market_env


class TakeDown:
    """Gate answer: as the crawl asks for one of `targets`' item pages, the platform takes it down (the market's
    own gone answer follows); `answers` maps an item path to a response the gate gives instead."""

    def __init__(self):
        self.market, self.targets, self.answers = None, {}, {}

    def take_down(self, *listings) -> None:
        self.targets = {x.path: x for x in listings}

    def __call__(self, request):
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if path in self.answers:
            return self.answers[path]()
        listing = self.targets.get(path)
        if listing is not None and not listing.taken_down:
            listing.taken_down, listing.delisted_day = True, self.market.day
        return None


@pytest.fixture
def takedown():
    """A demo market (seed 7) behind a `TakeDown` gate: (market, gate answer)."""
    answer = TakeDown()
    market, _ = gated_market(answer)
    answer.market = market
    yield market, answer
    market.stop()


def crawl(spawn_firewatch, market, data, platform):
    env = {**market_env(market), "FIREWATCH_NOTICES__REMOVAL_CONFIRM_HOURS": "0", "FIREWATCH_CRAWL__RECRAWL_AFTER": "0",
           # a captcha or a 5xx is given up on quickly
           "FIREWATCH_CRAWL__MAX_BLOCKS": "3", "FIREWATCH_CRAWL__BLOCK_BACKOFF": "0.01", "FIREWATCH_CRAWL__RETRY_TIMES": "1"}
    result = spawn_firewatch("crawl", "--platform", platform, "--query", QUERY, "--no-progress",
                             *market_args(market, data), data_dir=data, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def state(data, key):
    """(stored listing, newest removal sighting counted or not) of `key`."""
    with open_store(data / "firewatch.db") as store:
        return store.listings.get_listing(key), store.listings.latest_removal(key, counted=None)


def sightings(data) -> dict:
    with open_store(data / "firewatch.db") as store:
        return {l.key: seen for l in store.listings.iter_listings()
                if (seen := store.listings.latest_removal(l.key, counted=None)) is not None}


def asked(market, listing) -> int:
    return market.request_counts().get(listing.path, 0)


def target(market, platform):
    return next(x for x in market.catalogue.search(QUERY, 0, (platform,)) if x.platform == platform)


# where each platform's gone redirect leads: the crawl judges the redirect and never asks for it
NEVER_ASKED = {"jd": ("https://www.jd.com/",), "taobao": ("https://err.taobao.com/",)}


def never_asked(market, platform) -> list[str]:
    return [u for u in market.real_requests() if u.startswith(NEVER_ASKED.get(platform, ("-",)))]


@pytest.mark.parametrize("platform,basis,at_once", [("1688", "http_status", True), ("pdd", "gone_text", False),
                                                    ("taobao", "error_page", False), ("jd", "home_redirect", False)])
def test_a_gone_item_met_by_a_crawl_is_a_sighting_confirmed_by_the_next_crawl(
        spawn_firewatch, takedown, tmp_path, platform, basis, at_once):
    market, gate = takedown
    gone = target(market, platform)
    key = (platform, gone.listing_id)
    gate.take_down(gone)
    data = tmp_path / "data"
    crawl(spawn_firewatch, market, data, platform)
    listing, seen = state(data, key)
    assert seen is not None and seen.basis == basis and seen.counted is at_once
    assert listing.status == ("removed" if at_once else "unknown")  # never "removed" on one home/error/gone page
    assert listing.title == gone.title  # kept as its search result showed it
    assert set(sightings(data)) == {key}  # the items on sale recorded none
    assert seen.final_url.startswith(NEVER_ASKED.get(platform, (gone.url,))) and never_asked(market, platform) == []
    first = seen.observed_at

    before = asked(market, gone)
    crawl(spawn_firewatch, market, data, platform)  # the item has left search: only the revisit fetches it
    listing, seen = state(data, key)
    assert listing.status == "removed"
    if at_once:
        assert asked(market, gone) == before  # a counted removal is not fetched again
        assert seen.observed_at == first
    else:
        assert asked(market, gone) == before + 1
        assert seen.counted and seen.basis == basis and seen.first_seen_at == first and seen.observed_at > first
    assert never_asked(market, platform) == []


def test_an_on_sale_sighting_between_resets_and_other_answers_never_count(spawn_firewatch, takedown, tmp_path):
    market, gate = takedown
    found = [x for x in market.catalogue.search(QUERY, 0, ("pdd",)) if x.platform == "pdd"]
    gone, elsewhere, captcha, failing = found[:4]
    key = ("pdd", gone.listing_id)
    gate.take_down(gone)
    gate.answers = {  # another item's page, a captcha, a 5xx: none is this item's removal
        elsewhere.path: lambda: PlainTextResponse("", status_code=302, headers={"Location": found[5].url}),
        captcha.path: lambda: PlainTextResponse("", status_code=302, headers={
            "Location": "https://mobile.yangkeduo.com/psnl_verification.html?from=x"}),
        failing.path: lambda: PlainTextResponse("Service Unavailable", status_code=503)}
    data = tmp_path / "data"
    crawl(spawn_firewatch, market, data, "pdd")
    assert set(sightings(data)) == {("pdd", gone.listing_id)}
    first = state(data, key)[1]
    assert not first.counted

    gone.taken_down, gone.delisted_day = False, None  # back on sale before the next crawl
    gate.take_down()
    crawl(spawn_firewatch, market, data, "pdd")
    listing, seen = state(data, key)
    assert listing.status == "active" and seen.observed_at == first.observed_at
    with open_store(data / "firewatch.db") as store:
        assert store.listings.suspected_removals(["pdd"], listing.last_seen) == []  # nothing left to revisit

    gate.take_down(gone)  # down again: the sighting before the on-sale one no longer confirms
    crawl(spawn_firewatch, market, data, "pdd")
    listing, again = state(data, key)
    assert listing.status == "active" and not again.counted and again.observed_at > listing.last_seen
    crawl(spawn_firewatch, market, data, "pdd")  # its revisit sees it gone a second time since it was on sale
    listing, confirmed = state(data, key)
    assert listing.status == "removed" and confirmed.counted and confirmed.first_seen_at == again.observed_at
    assert set(sightings(data)) == {("pdd", gone.listing_id)}
