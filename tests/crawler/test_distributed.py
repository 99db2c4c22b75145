"""Distributed mode: two `firewatch crawl` processes share one scrapy-redis frontier.

A real Redis server (Debian's redis-server, the `redis_url` fixture) starts once per session; two
crawl child processes run against one demo market with the same `crawl.redis_url` and
the same data directory. The market counts requests per path, so the test sees every
page fetched exactly once across both processes, and nothing missed.

So that both processes are certainly at work at once (a lone crawl of the demo market
takes well under a second), the test's market holds item pages until more of them are
waiting than one process may have in flight (`concurrency_per_domain`): from then on
both processes hold item requests. The hold is released by that event, not by a timer.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import uuid

from crawler.distributed import redis_settings
from crawler.run import scrapy_settings
from firewatch.core.settings import load_settings
from firewatch.store import open_store
from tests.helpers import ROOT, firewatch_command, market_args, wait_until
from tests.servers import free_port

QUERY = "灭火器"
CONCURRENCY = 4  # crawl.concurrency_per_domain of each child process


class HoldItemPages:
    """Market middleware: JD item pages wait until more than `threshold` are waiting."""

    def __init__(self, threshold: int, timeout: float = 30.0):
        self.threshold = threshold
        self.timeout = timeout
        self.waiting = 0
        self.released = False
        self.event: asyncio.Event | None = None

    async def __call__(self, request, call_next):
        if request.url.path.startswith("/jd/item/") and not self.released:
            if self.event is None:
                self.event = asyncio.Event()  # created on the server's loop
            self.waiting += 1
            if self.waiting > self.threshold:
                self.released = True
                self.event.set()
            else:
                try:
                    await asyncio.wait_for(self.event.wait(), self.timeout)
                except asyncio.TimeoutError:
                    pass  # the assertions below report it
        return await call_next(request)


def _expected(market) -> set[tuple[str, str]]:
    return {(l.platform, l.listing_id) for l in market.catalogue.search(QUERY, 0, ("jd",))}


def test_two_processes_crawl_one_frontier_each_page_once(redis_url, demo_market, tmp_path):
    import redis

    from demo_market.server import QUIET, DemoMarket

    market = DemoMarket(seed=7, catalogue=demo_market.catalogue, **QUIET)
    gate = HoldItemPages(CONCURRENCY)
    market.app.middleware("http")(gate)
    market.start(host="127.0.0.1", port=0)
    prefix = f"fwtest-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "FIREWATCH_CRAWL__REDIS_URL": redis_url, "FIREWATCH_CRAWL__REDIS_KEY_PREFIX": prefix,
           "FIREWATCH_CRAWL__CONCURRENCY_PER_DOMAIN": str(CONCURRENCY)}
    data = tmp_path / "data"
    args = ["crawl", "--platform", "jd", "--query", QUERY, *market_args(market, data), "--no-progress"]
    # Output goes to files, not pipes: a child blocked on a full pipe would stall (and,
    # with its heartbeat stopped, hold the other open until redis_worker_timeout).
    logs = [tmp_path / f"crawl{i}.log" for i in range(2)]
    children: list[subprocess.Popen] = []
    try:
        for log in logs:
            with log.open("w") as out:
                children.append(subprocess.Popen(firewatch_command(data, *args), stdout=out,
                                                 stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env))
        for child in children:
            child.wait(timeout=180)
        counts = market.request_counts()
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
        market.stop()
    for child, log in zip(children, logs):
        assert child.returncode == 0, log.read_text(encoding="utf-8", errors="replace")[-4000:]
    assert gate.released, "never were both processes holding item pages at once"

    expected = _expected(market)
    with open_store(data / "firewatch.db") as store:
        assert store.integrity_ok()
        stored = {l.key: l for l in store.listings.iter_listings()}
        runs = [r for r in store.listings.crawl_runs() if r["platform"] == "jd"]
    assert set(stored) == expected  # none missed, nothing extra
    for listing in stored.values():
        assert listing.title and listing.display_price is not None or listing.status == "removed"

    item_paths = {f"/jd/item/{listing_id}.html" for _, listing_id in expected}
    fetched_items = {path: n for path, n in counts.items() if path.startswith("/jd/item/")}
    assert set(fetched_items) == item_paths
    assert all(n == 1 for n in fetched_items.values()), {p: n for p, n in fetched_items.items() if n != 1}
    prices = {path: n for path, n in counts.items() if "functionId=pc_detailpage_wareBusiness" in path}
    assert prices and all(n == 1 for n in prices.values()), {p: n for p, n in prices.items() if n != 1}
    searches = {path: n for path, n in counts.items() if path.startswith("/jd/search_shell")}  # in Chromium
    assert searches and all(n == 1 for n in searches.values()), searches
    answers = {path: n for path, n in counts.items() if "functionId=pc_search_searchWare" in path}
    assert len(answers) == len(searches)  # each page's own script fetched its data once
    # robots.txt per process and host (search.jd.com, item.jd.com, api.m.jd.com): read once by
    # the check before the crawl starts (crawler.sitecheck.robots_refusal), once by Scrapy (cached)
    assert 6 < counts["/robots.txt"] <= 12

    # both processes did real work, and each listing was stored by exactly one of them
    assert len(runs) == 2 and all(r["outcome"] == "finished" for r in runs), runs
    assert all(r["items"] > 0 and r["pages"] > 0 for r in runs), runs
    assert sum(r["items"] for r in runs) == len(expected), runs

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.keys(f"{prefix}:*") == []  # the last process out cleared the frontier
    finally:
        client.close()
    print(f"two-process crawl: {len(expected)} listings, runs {[(r['pages'], r['items']) for r in runs]}")


def _listing_count(db) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM listings").fetchone()[0]
        except sqlite3.OperationalError:  # not migrated yet
            return 0


def test_an_idle_process_waits_for_a_busy_peer(redis_url, demo_market, tmp_path):
    """A process that has emptied the shared queue stays open while a peer is busy (the
    peer might still add requests) and closes once the peer's heartbeat goes stale.

    The peer is a heartbeat entry this test keeps fresh until the crawl is idle (every
    listing stored, the process no longer marked busy); then it lets it go stale."""
    import redis

    prefix = f"fwtest-{uuid.uuid4().hex[:8]}"
    workers = f"{prefix}:jd:workers"
    peer = "peer-on-another-machine"
    client = redis.Redis.from_url(redis_url)

    def redis_now() -> float:
        seconds, micros = client.time()
        return seconds + micros / 1e6

    child = None
    try:
        client.zadd(workers, {peer: redis_now() + 600})  # busy for now
        env = {**os.environ, "FIREWATCH_CRAWL__REDIS_URL": redis_url, "FIREWATCH_CRAWL__REDIS_KEY_PREFIX": prefix}
        data = tmp_path / "data"
        log = tmp_path / "crawl.log"
        expected = _expected(demo_market)
        with log.open("w") as out:
            child = subprocess.Popen(firewatch_command(data, "crawl", "--platform", "jd", "--query", QUERY,
                                                       *market_args(demo_market, data), "--no-progress"),
                                     stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)

        def idle() -> bool:
            assert child.poll() is None, log.read_text(encoding="utf-8", errors="replace")[-4000:]
            members = {m.decode() for m in client.zrange(workers, 0, -1)}
            return _listing_count(data / "firewatch.db") == len(expected) and members == {peer}

        wait_until(idle, 120, "the crawl to store every listing and go idle")
        assert child.poll() is None  # idle, yet open: the peer is busy
        client.zadd(workers, {peer: redis_now() + 0.2})  # the peer stops beating
        assert child.wait(timeout=120) == 0, log.read_text(encoding="utf-8", errors="replace")[-4000:]
        with open_store(data / "firewatch.db") as store:
            assert {l.key for l in store.listings.iter_listings()} == expected
        assert client.keys(f"{prefix}:*") == []  # the stale peer dropped, the last one out cleared the frontier
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        client.close()


def test_an_unreachable_redis_fails_the_crawl_before_it_starts(tmp_path):
    env = {**os.environ, "FIREWATCH_CRAWL__REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    result = subprocess.run(firewatch_command(tmp_path / "data", "crawl", "--platform", "jd", "--query", QUERY,
                                              "--no-progress"),
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 69, result.stderr[-3000:]
    assert "Redis does not answer" in result.stderr + result.stdout
    with open_store(tmp_path / "data" / "firewatch.db") as store:
        assert store.listings.crawl_runs() == []


def test_without_redis_url_the_default_scheduler_is_used():
    settings = load_settings(env={})
    assert settings.crawl.redis_url == ""
    s = scrapy_settings(settings)
    assert s.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    assert s.get("DUPEFILTER_CLASS") == "scrapy.dupefilters.RFPDupeFilter"
    assert s.get("REDIS_URL") is None
    assert redis_settings("", "firewatch", 60) == {} and redis_settings("  ", "fw", 1) == {}


def test_a_redis_url_selects_the_shared_frontier():
    settings = load_settings(env={"FIREWATCH_CRAWL__REDIS_URL": "redis://10.0.0.5:6379/2",
                                  "FIREWATCH_CRAWL__REDIS_KEY_PREFIX": "fw-a"})
    s = scrapy_settings(settings)
    assert s.get("SCHEDULER") == "crawler.distributed.SharedFrontierScheduler"
    assert s.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert s.get("REDIS_URL") == "redis://10.0.0.5:6379/2"
    assert s.get("SCHEDULER_QUEUE_KEY") == "fw-a:%(spider)s:requests"
    assert s.get("SCHEDULER_DUPEFILTER_KEY") == "fw-a:%(spider)s:dupefilter"
    assert s.getbool("SCHEDULER_PERSIST")  # one process finishing must not clear the others' frontier

