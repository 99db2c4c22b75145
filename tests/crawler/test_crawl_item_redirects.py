"""An item page's redirect that is not the platform's gone answer: never a removal, never followed blindly.

Real `firewatch crawl` children against the demo market, whose gate has chosen JD item pages answer with a
redirect: to the same item under another URL (followed, read, stored on sale), to a page robots.txt forbids
that is neither JD's home nor error page (followed as a new request, which robots.txt refuses: stored blocked,
never asked for), to JD's error page (a suspected removal, judged from the redirect), or to JD's login page
(blocked, the platform paused for the regulator's session as any login page does; never a removal), or with no
Location at all (unknown: neither a removal nor a page to parse). More than `[crawl] home_redirect_burst` item
pages in a row sent to JD's home page are a throttle: blocked, not removals. The market's log of real URLs shows what was
asked for.
"""

from __future__ import annotations

import pytest
from fastapi.responses import PlainTextResponse

from tests.crawler.test_crawl_removals import TakeDown, crawl, sightings, state
from tests.crawler.test_errbacks import QUERY, gated_market


@pytest.fixture
def gated():
    """A demo market (seed 7) behind a `TakeDown` gate whose `answers` the test sets: (market, gate answer)."""
    answer = TakeDown()
    market, _ = gated_market(answer)
    answer.market = market
    yield market, answer
    market.stop()


def redirect(location: str):
    return lambda: PlainTextResponse("", status_code=302, headers={"Location": location})


def jd_results(market) -> list:
    return [x for x in market.catalogue.search(QUERY, 0, ("jd",)) if x.platform == "jd"]


def test_other_redirects_are_followed_under_robots_txt_and_an_error_page_redirect_is_a_sighting(
        spawn_firewatch, gated, tmp_path):
    market, gate = gated
    moved, forbidden, error = jd_results(market)[:3]
    moved_to = f"{moved.url}?from=moved"
    gate.answers = {moved.path: redirect(moved_to), forbidden.path: redirect("https://www.jd.com/pop/1000123.html"),
                    error.path: redirect("//www.jd.com/error.aspx?from=item")}  # scheme-relative
    data = tmp_path / "data"
    crawl(spawn_firewatch, market, data, "jd")

    asked = market.real_requests()
    listing, seen = state(data, ("jd", moved.listing_id))
    assert asked[moved_to] == 1 and seen is None  # followed, and its page read
    assert listing.status == "active" and listing.title == moved.title and listing.price is not None
    listing, seen = state(data, ("jd", forbidden.listing_id))
    assert listing.status == "blocked" and seen is None
    jd_home_host = [u for u in asked if u.startswith("https://www.jd.com/")]
    assert jd_home_host == ["https://www.jd.com/robots.txt"]  # asked; it forbids /pop/*.html, never asked for
    assert set(sightings(data)) == {("jd", error.listing_id)}
    listing, seen = state(data, ("jd", error.listing_id))
    assert (seen.basis, seen.counted, seen.http_status) == ("error_page", False, 302)
    assert seen.final_url == "https://www.jd.com/error.aspx?from=item" and listing.status == "unknown"


def test_a_redirect_to_the_login_page_is_blocked_never_a_removal(spawn_firewatch, gated, tmp_path):
    market, gate = gated
    walled = jd_results(market)[0]
    gate.answers = {walled.path: redirect(f"https://passport.jd.com/new/login.aspx?ReturnUrl={walled.url}")}
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "jd")
    assert sightings(data) == {}
    listing, _ = state(data, ("jd", walled.listing_id))
    assert listing is None or listing.status == "blocked"
    assert not [u for u in market.real_requests() if u.startswith("https://passport.jd.com/")]  # never solved
    assert "会话失效" in result.stdout + result.stderr


def test_a_redirect_without_location_is_unknown_not_an_unparsed_page_nor_a_removal(spawn_firewatch, gated, tmp_path):
    market, gate = gated
    bare = jd_results(market)[0]
    gate.answers = {bare.path: lambda: PlainTextResponse("", status_code=302)}
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "jd")
    assert sightings(data) == {}
    listing, _ = state(data, ("jd", bare.listing_id))
    assert listing is not None and listing.status == "unknown"
    log = result.stdout + result.stderr
    assert "redirect without a Location header" in log and "not parsed" not in log


def test_item_pages_all_sent_home_are_throttling_after_the_burst_not_removals(spawn_firewatch, gated, tmp_path,
                                                                              monkeypatch):
    market, gate = gated
    items = jd_results(market)
    assert len(items) >= 6
    home = redirect("https://www.jd.com/?from=item")
    gate.answers = {x.path: home for x in items}  # a throttle: every JD item page is sent home
    monkeypatch.setenv("FIREWATCH_CRAWL__HOME_REDIRECT_BURST", "2")
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "jd")
    seen = sightings(data)
    assert len(seen) == 2 and all(s.basis == "home_redirect" and not s.counted for s in seen.values())
    statuses = [state(data, ("jd", x.listing_id))[0].status for x in items]
    assert statuses.count("blocked") == len(items) - 2
    assert "taken as throttling" in result.stdout + result.stderr


def test_home_redirects_within_the_burst_are_sightings_and_the_other_items_read(spawn_firewatch, gated, tmp_path,
                                                                               monkeypatch):
    market, gate = gated
    items = jd_results(market)
    gone = items[:2]
    home = redirect("https://www.jd.com/?from=item")
    gate.answers = {x.path: home for x in gone}
    monkeypatch.setenv("FIREWATCH_CRAWL__HOME_REDIRECT_BURST", "2")
    data = tmp_path / "data"
    crawl(spawn_firewatch, market, data, "jd")
    assert set(sightings(data)) == {("jd", x.listing_id) for x in gone}
    assert all(state(data, ("jd", x.listing_id))[0].status == "active" for x in items[2:])


def test_revisits_of_many_removals_sent_home_at_once_are_all_confirmed(spawn_firewatch, gated, tmp_path, monkeypatch):
    market, gate = gated
    items = jd_results(market)
    gone = items[:4]
    gate.take_down(*gone)  # a notice removed four items at once: JD sends each page home
    data = tmp_path / "data"
    monkeypatch.setenv("FIREWATCH_CRAWL__HOME_REDIRECT_BURST", "50")
    crawl(spawn_firewatch, market, data, "jd")
    assert {k for k, s in sightings(data).items() if not s.counted} == {("jd", x.listing_id) for x in gone}
    # the next crawl revisits them first, in a row: past the burst they wait for a page read normally
    monkeypatch.setenv("FIREWATCH_CRAWL__HOME_REDIRECT_BURST", "1")
    crawl(spawn_firewatch, market, data, "jd")
    assert [state(data, ("jd", x.listing_id))[0].status for x in gone] == ["removed"] * 4
    assert all(state(data, ("jd", x.listing_id))[0].status == "active" for x in items[4:])
