"""The crawler against the demo market: 429, captcha and 5xx are met without losing or
mis-storing anything, and a crawl killed with SIGKILL restarts cleanly.

The crawl runs in a child process (`firewatch crawl`), as in production; the market
runs in this process on 127.0.0.1 port 0.
"""

from __future__ import annotations

import os
import signal
import subprocess

from firewatch.store import open_store
from tests.helpers import ROOT, firewatch_command, market_args

QUERY = "灭火器"


class RequestClock:
    """A market clock that moves `step` seconds per request and not otherwise, so that the
    rate limit and the captcha wall trip at the same requests on an idle or a loaded machine
    (with the wall clock, a crawler slowed down by a busy machine never reaches the limit)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:  # called once per request, under the market's lock
        self.now += self.step
        return self.now


def expected_keys(market, platforms: tuple[str, ...]) -> set[tuple[str, str]]:
    found = market.catalogue.search(QUERY, 0, platforms)
    return {(l.platform, l.listing_id) for l in found}


def stored(data_dir) -> dict[tuple[str, str], object]:
    with open_store(data_dir / "firewatch.db") as store:
        return {l.key: l for l in store.listings.iter_listings()}


def test_429_captcha_and_5xx_are_met_and_no_captcha_is_stored(start_market, spawn_firewatch, tmp_path):
    # on the request clock (0.01 s a request): every 101st request is answered 429, a wall of
    # 3 captcha pages goes up after 80 answered requests within 90, and 4 % fail with 503
    market = start_market(seed=7, rate_limit=100, rate_window=1.01, error_rate=0.04,
                          captcha_burst=80, captcha_window=0.9, captcha_cooldown=3)
    market.behaviour.clock = RequestClock(0.01)
    data = tmp_path / "data"
    result = spawn_firewatch("crawl", "--platform", "jd", "--platform", "pdd", "--query", QUERY,
                           *market_args(market, data), "--no-progress", data_dir=data)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = market.behaviour.counts
    print(f"market answers: {counts} of {market.behaviour.requests} requests")
    assert counts["rate_limited"] > 0 and counts["captcha"] > 0 and counts["error"] > 0, counts
    listings = stored(data)
    assert set(listings) == expected_keys(market, ("jd", "pdd"))
    for listing in listings.values():
        assert "/_sec/" not in listing.url
        assert "安全验证" not in listing.title and "滑块" not in listing.title
        assert listing.title and listing.display_price is not None
    with open_store(data / "firewatch.db") as store:
        runs = store.listings.crawl_runs()
    assert sum(r["blocks"] for r in runs) > 0
    assert sum(r["throttled"] for r in runs) > 0


def test_sigkill_mid_crawl_then_restart_loses_and_duplicates_nothing(demo_market, spawn_firewatch, tmp_path):
    data = tmp_path / "data"
    args = ["crawl", "--platform", "jd", "--platform", "pdd", "--query", QUERY, *market_args(demo_market, data),
            "--echo-commits"]
    child = subprocess.Popen(firewatch_command(data, *args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, cwd=ROOT)
    committed = set()
    for line in child.stdout:
        if line.startswith("committed "):
            _, platform, listing_id = line.split()
            committed.add((platform, listing_id))
            if len(committed) >= 25:
                break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with open_store(data / "firewatch.db") as store:  # the killed run could not say it ended
        assert {(r["pid"], r["outcome"]) for r in store.listings.crawl_runs()} == {(child.pid, "running")}

    after_kill = stored(data)
    assert committed <= set(after_kill), "a listing reported committed was lost"
    with open_store(data / "firewatch.db") as store:
        assert store.integrity_ok()
        for listing in after_kill.values():  # no half-written row
            assert listing.title and listing.url and listing.display_price is not None
            assert len(store.listings.snapshots(listing.key)) == 1
    expected = expected_keys(demo_market, ("jd", "pdd"))
    assert len(after_kill) < len(expected), "the crawl finished before it was killed; kill earlier"

    rerun = spawn_firewatch(*args[:-1], "--no-progress", data_dir=data)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    final = stored(data)
    assert set(final) == expected
    with open_store(data / "firewatch.db") as store:
        assert store.integrity_ok()
        dupes = store._db.execute(
            "SELECT COUNT(*) FROM (SELECT platform, listing_id FROM snapshots GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0]
        assert dupes == 0  # nothing changed between the runs, so one snapshot each
        assert store.queue.queue_counts().get("score") == len(expected)  # every listing queued once for scoring
        runs = store.listings.crawl_runs()
    for key in committed:  # listings stored before the kill were kept as they were
        assert final[key].first_seen == after_kill[key].first_seen
    # the next crawl of each platform marked the killed process's runs "killed"
    assert sorted((r["platform"], r["outcome"]) for r in runs if r["pid"] == child.pid) == [("jd", "killed"), ("pdd", "killed")]
    assert sorted((r["platform"], r["outcome"]) for r in runs if r["pid"] != child.pid) == [("jd", "finished"), ("pdd", "finished")]


def test_a_platform_that_keeps_blocking_leaves_listings_blocked_not_removed(start_market, spawn_firewatch, tmp_path):
    from demo_market.server import QUIET

    walled = start_market(seed=7, rate_limit=None, error_rate=0.0, captcha_burst=8, captcha_window=5.0,
                          captcha_cooldown=50)
    walled.behaviour.clock = RequestClock(0.01)  # the wall goes up at the 9th request, however slow the crawl
    data = tmp_path / "data"
    args = ["crawl", "--platform", "pdd", "--query", QUERY, "--no-progress"]
    env = {**os.environ, "FIREWATCH_CRAWL__MAX_BLOCKS": "3", "FIREWATCH_CRAWL__BLOCK_BACKOFF": "0.05"}
    first = spawn_firewatch(*args, *market_args(walled, data), data_dir=data, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "ALERT" in first.stderr
    listings = stored(data)
    blocked = [l for l in listings.values() if l.status == "blocked"]
    assert blocked, "no listing was left blocked"
    for listing in listings.values():
        assert "安全验证" not in listing.title and listing.status in ("active", "blocked")
    with open_store(data / "firewatch.db") as store:
        assert sum(r["blocks"] for r in store.listings.crawl_runs()) > 3

    open_market = start_market(seed=7, **QUIET)
    second = spawn_firewatch(*args, *market_args(open_market, data), data_dir=data)
    assert second.returncode == 0, second.stderr[-3000:]
    after = stored(data)
    assert set(after) == expected_keys(open_market, ("pdd",))
    assert all(after[l.key].status == "active" for l in blocked)
    with open_store(data / "firewatch.db") as store:
        assert [s.status for s in store.listings.snapshots(blocked[0].key)] == ["blocked", "active"]
