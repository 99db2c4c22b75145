"""One crawl per platform at a time outside Redis mode, and crawl runs whose process is gone
marked "killed" by the next crawl of their platform.

Every process here is real: `firewatch crawl` children, a child that holds a platform's
lock, and short-lived children whose pids are gone. They are coordinated through pipes and
a market page that answers only when the test lets it, never by sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from crawler.lock import lock_path, platform_lock
from crawler.runs import reap_killed_runs, this_host
from firewatch.core.models import utcnow
from firewatch.store import open_store
from tests.helpers import ROOT, firewatch_command, market_args
from tests.servers import Handler, LocalHTTPServer

QUERY = "灭火器"
LOCKED_EXIT = 75


class _HeldHandler(Handler):
    def handle(self) -> None:  # a connection (TLS or not) is held open, unanswered, until release
        self.owner.arrived.set()
        self.owner.release.wait(120)


class HeldMarket(LocalHTTPServer):
    """A market that answers nothing until `release` is set (then 404 to every request):
    a crawl started against it stays busy, holding its platform's lock, for as long as
    the test needs."""

    handler = _HeldHandler

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.release = threading.Event()

    def stop(self) -> None:
        self.release.set()
        super().stop()


def hold_lock_in_child(data_dir, platform: str) -> subprocess.Popen:
    """A child process that takes `platform`'s crawl lock, says "held", and keeps it until
    its stdin closes (or it is killed)."""
    code = ("import sys; from crawler.lock import platform_lock; "
            f"lock = platform_lock({str(data_dir)!r}, {platform!r}); print('held', flush=True); sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "held"
    return child


def jd_runs(data_dir) -> list[dict]:
    with open_store(data_dir / "firewatch.db") as store:
        return [r for r in store.listings.crawl_runs() if r["platform"] == "jd"]


def test_a_second_crawl_of_a_running_platform_is_refused_with_its_own_exit_code(spawn_firewatch, serve, tmp_path):
    data = tmp_path / "data"
    market = serve(HeldMarket)
    held = ["--resolve", f"*={urlsplit(market.url).netloc}"]
    first = subprocess.Popen(firewatch_command(data, "crawl", "--platform", "jd", "--query", QUERY, *held,
                                               "--no-progress"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert market.arrived.wait(120), "the first crawl never reached the market"
        second = spawn_firewatch("crawl", "--platform", "jd", "--query", QUERY, *held,
                                 "--no-progress", data_dir=data)
        assert second.returncode == LOCKED_EXIT, second.stderr[-3000:]
        assert "已有抓取在运行" in second.stderr and f"pid {first.pid}" in second.stderr
        running = jd_runs(data)
        assert [(r["pid"], r["outcome"]) for r in running] == [(first.pid, "running")]  # the refused one recorded nothing
    finally:
        market.release.set()
        first.communicate(timeout=120)
    assert first.returncode != LOCKED_EXIT
    assert [r["outcome"] for r in jd_runs(data)] == ["finished"]


def test_the_lock_of_a_killed_holder_is_free_and_other_platforms_crawl_meanwhile(spawn_firewatch, demo_market,
                                                                                  tmp_path):
    data = tmp_path / "data"
    holder = hold_lock_in_child(data, "jd")
    try:
        both = spawn_firewatch("crawl", "--platform", "jd", "--platform", "pdd", "--query", QUERY,
                               *market_args(demo_market, data), "--no-progress", data_dir=data)
        assert both.returncode == 0, both.stderr[-3000:]
        assert "跳过 skipped jd" in both.stderr and f"pid {holder.pid}" in both.stderr
        with open_store(data / "firewatch.db") as store:
            assert {r["platform"] for r in store.listings.crawl_runs()} == {"pdd"}
            assert store.listings.count_listings().get("pdd", 0) > 0 and "jd" not in store.listings.count_listings()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert lock_path(data, "jd").exists()  # the file stays; the kernel dropped the lock with its holder
    alone = spawn_firewatch("crawl", "--platform", "jd", "--query", QUERY, *market_args(demo_market, data),
                            "--no-progress", data_dir=data)
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert [r["outcome"] for r in jd_runs(data)] == ["finished"]


def test_lock_is_exclusive_until_released(tmp_path):
    from crawler.exceptions import CrawlLockedError

    lock = platform_lock(tmp_path, "jd")
    try:
        try:
            platform_lock(tmp_path, "jd")
        except CrawlLockedError as exc:
            assert exc.platform == "jd" and exc.pid == os.getpid() and exc.exit_code == LOCKED_EXIT
        else:
            raise AssertionError("a second lock of jd was granted")
        with platform_lock(tmp_path, "pdd"):  # another platform is independent
            pass
    finally:
        lock.release()
    with platform_lock(tmp_path, "jd") as again:
        assert again.held
    assert not again.held


def test_runs_whose_process_is_gone_are_marked_killed_and_live_ones_kept(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    host = this_host()
    try:
        with open_store(tmp_path / "fw.db") as store:
            alive_run = store.listings.start_crawl_run("jd", pid=live.pid, host=host)
            dead_run = store.listings.start_crawl_run("jd", pid=gone.pid, host=host)
            elsewhere = store.listings.start_crawl_run("jd", pid=gone.pid, host="another-host")  # its pid means nothing here
            silent = store.listings.start_crawl_run("jd", pid=live.pid, host="another-host")
            stale = (utcnow() - timedelta(hours=1)).isoformat()
            store._db.execute("UPDATE crawl_runs SET heartbeat_at=? WHERE id=?", (stale, silent))
            other_platform = store.listings.start_crawl_run("pdd", pid=gone.pid, host=host)

            assert sorted(reap_killed_runs(store, "jd", host)) == sorted([dead_run, silent])
            outcome = {r["id"]: r["outcome"] for r in store.listings.crawl_runs()}
            assert outcome == {alive_run: "running", dead_run: "killed", elsewhere: "running", silent: "killed",
                               other_platform: "running"}
            assert reap_killed_runs(store, "jd", host) == []  # nothing left to reap
    finally:
        live.communicate(timeout=30)
