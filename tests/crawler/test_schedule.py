"""Scheduled crawls: jobs from the settings, job store in the store's database, crawl and
process in child processes, never two runs of one job at once, missed runs coalesced,
a clean stop on SIGTERM.

`firewatch schedule run` runs as a child process against the demo market, as in
production; the tests wait on its event lines (stdout) and on the store, each with a
timeout, never on sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.schedule import CrawlScheduler, background_scheduler, JobSpec, cron_day_of_week, cron_fields, jobs_from_settings, make_jobstore
from firewatch.core.exceptions import SettingsError
from firewatch.store import open_store
from tests.helpers import ROOT, market_crawl_settings, wait_until

QUERY = "灭火器"


def schedule_command(config: Path, data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "firewatch", "--config", str(config), "--data-dir", str(data), "schedule", *args]


def write_settings(path: Path, market, jobs: list[dict], crawl: str = "", tz: str = "UTC") -> Path:
    values = market_crawl_settings(market)
    lines = ["[crawl]", f"resolve = {json.dumps(values['resolve'])}".replace('": "', '" = "'),
             f"trust_ca = {json.dumps(values['trust_ca'])}", crawl, "", "[crawl.legal_basis]",
             f"taobao = {json.dumps(values['legal_basis']['taobao'])}", "", "[crawl.sessions]",
             *(f"{p.stem} = {json.dumps(str(p))}" for p in market.write_sessions(path.parent / "market-sessions")), "",
             "[schedule]", "capture = false", f'timezone = "{tz}"', "stop_timeout_seconds = 20"]
    for job in jobs:
        lines.append("[[schedule.jobs]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in job.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Scheduler:
    """`firewatch schedule run` as a child; its stdout lines are read on a thread."""

    def __init__(self, config: Path, data: Path, log: Path):
        self.log = log
        self.lines: list[str] = []
        self._new = threading.Condition()
        self.proc = subprocess.Popen(schedule_command(config, data, "run"), stdout=subprocess.PIPE,
                                     stderr=open(log, "w"), text=True, cwd=ROOT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()
        with self._new:
            self._new.notify_all()

    def wait_line(self, predicate, timeout: float = 45) -> str:
        """The first line (seen so far or to come) that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._new:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and seen == len(self.lines)):
                    raise AssertionError(f"no such line within {timeout} s; lines: {self.lines[-20:]}\n"
                                         f"stderr: {self.log.read_text(errors='replace')[-3000:]}")
                self._new.wait(min(left, 0.5))

    def terminate(self, timeout: float = 40) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def expected_keys(market) -> set[tuple[str, str]]:
    return {(l.platform, l.listing_id) for l in market.catalogue.search(QUERY, 0, ("jd",))}


def listing_count(data: Path) -> int:
    db = data / "firewatch.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM listings").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


EVERY_SECOND = {"id": "jd-every-second", "platforms": ["jd"], "keywords": [QUERY], "cron": "* * * * *", "second": "*"}
SLOW_CRAWL = "concurrency_per_domain = 1\ndownload_delay = 0.02\nautothrottle = false\nrecrawl_after = 0"
# One search page a run: a run (two child processes) still lasts well over the 1-second interval.
SHORT_CRAWL = "max_pages = 1\nrecrawl_after = 0"


# -- settings and triggers (no processes) --------------------------------------------------
def test_crontab_weekdays_are_translated_to_apscheduler_names():
    assert cron_day_of_week("1-5") == "mon,tue,wed,thu,fri"  # crontab 1 = Monday, APScheduler 0 = Monday
    assert cron_day_of_week("0") == cron_day_of_week("7") == "sun"
    assert cron_day_of_week("*/2") == "sun,tue,thu,sat"
    assert cron_day_of_week("0-6") == "*"
    assert cron_fields("*/15 2 * * 1", second="*/5") == {"second": "*/5", "minute": "*/15", "hour": "2", "day": "*",
                                                          "month": "*", "day_of_week": "mon"}
    with pytest.raises(ValueError, match="5 fields"):
        cron_fields("* * * *")


def test_jobs_are_validated_and_keyword_sets_resolved():
    crawl = {"platforms": ["jd", "pdd"], "keywords": {"default": ["灭火器", "消防"], "masks": ["呼吸器"]}}
    jobs = jobs_from_settings({"jobs": [{"id": "a", "cron": "0 3 * * *"},
                                        {"id": "b", "platforms": ["1688"], "keywords": "masks", "cron": "0 * * * 1-5"}]}, crawl)
    assert jobs[0] == JobSpec("a", ("jd", "pdd"), ("灭火器", "消防"), "0 3 * * *", "0", "default")
    assert jobs[1].keywords == ("呼吸器",) and jobs[1].platforms == ("1688",)
    for bad, message in (({"cron": "0 3 * * *"}, "needs an id"),
                         ({"id": "x", "cron": "0 3 * *"}, "not valid"),
                         ({"id": "x", "cron": "0 25 * * *"}, "not valid"),
                         ({"id": "x", "cron": "0 3 * * *", "platforms": ["ebay"]}, "unknown platform"),
                         ({"id": "x", "cron": "0 3 * * *", "keywords": "nosuchset"}, "keyword set")):
        with pytest.raises(SettingsError, match=message):
            jobs_from_settings({"jobs": [bad]}, crawl)
    with pytest.raises(SettingsError, match="twice"):
        jobs_from_settings({"jobs": [{"id": "a", "cron": "0 3 * * *"}, {"id": "a", "cron": "0 4 * * *"}]}, crawl)


# -- coalescing and misfires (real APScheduler, real job store, trivial children) -----------
def test_missed_runs_are_coalesced_and_runs_past_the_grace_time_skipped(tmp_path):
    store = tmp_path / "firewatch.db"
    lines: queue.Queue[str] = queue.Queue()
    jobs = [JobSpec("hourly", ("jd",), (QUERY,), "0 * * * *"), JobSpec("yearly", ("jd",), (QUERY,), "0 0 1 1 *")]

    def scheduler() -> CrawlScheduler:
        trivial = [sys.executable, "-c", "pass"]
        return CrawlScheduler(jobs, f"sqlite:///{store}", lambda spec: trivial, trivial, tmp_path / "schedule.lock",
                              timezone=timezone.utc, misfire_grace_seconds=2 * 3600, stop_timeout_seconds=5,
                              report=lines.put)

    first = scheduler()
    first.start()
    first.stop()
    # The scheduler was "down" for three hours (the hourly job) and since last New Year (the yearly one).
    now = datetime.now(timezone.utc)
    offline = background_scheduler(jobstores={"default": make_jobstore(f"sqlite:///{store}")}, timezone=timezone.utc)
    offline.start(paused=True)
    offline.modify_job("hourly", next_run_time=now - timedelta(hours=3))
    offline.modify_job("yearly", next_run_time=datetime(now.year - 1, 1, 1, tzinfo=timezone.utc))
    offline.shutdown(wait=False)

    second = scheduler()
    second.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while not (any("run done job=hourly" in l for l in seen) and any("missed job=yearly" in l for l in seen)):
            seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
        next_runs = {spec.id: second._scheduler.get_job(spec.id).next_run_time for spec in jobs}
    finally:
        second.stop()
    starts = [l for l in seen if "run start job=hourly" in l]
    assert len(starts) == 1, seen  # three missed hourly runs, one run
    assert not any("run start job=yearly" in l for l in seen)  # too late: skipped, not run
    assert all(t > now for t in next_runs.values()), next_runs


# -- the real thing ----------------------------------------------------------------------
def test_first_run_crawls_and_drains_the_queue(demo_market, install_model, tmp_path):
    data = tmp_path / "data"
    install_model(data)  # the `process` child loads the session's model instead of training
    config = write_settings(tmp_path / "fw.toml", demo_market, [EVERY_SECOND])
    sch = Scheduler(config, data, tmp_path / "stderr.log")
    try:
        sch.wait_line(lambda l: "scheduler started" in l, timeout=30)
        done = sch.wait_line(lambda l: "run done job=jd-every-second run=1" in l, timeout=120)  # the JD search loads in Chromium
        assert "crawl_exit=0 process_exit=0" in done, done
        with open_store(data / "firewatch.db") as store:
            listings = {l.key for l in store.listings.iter_listings()}
            assert listings == expected_keys(demo_market)
            assert all(store.assessments.get_assessment(key) is not None for key in listings)
            queued = store.queue.queue_counts()
            assert not queued.get("score") and not queued.get("index"), queued  # capture = false: only capture waits
            assert queued.get("capture", 0) == len(store.assessments.flagged())
    finally:
        assert sch.terminate() == 0


def test_a_job_that_outlasts_its_interval_never_overlaps_itself(demo_market, install_model, tmp_path):
    data = tmp_path / "data"
    install_model(data)
    config = write_settings(tmp_path / "fw.toml", demo_market, [EVERY_SECOND], crawl=SHORT_CRAWL)
    sch = Scheduler(config, data, tmp_path / "stderr.log")
    try:
        sch.wait_line(lambda l: "run done job=jd-every-second run=2" in l, timeout=150)  # Chromium loads JD search
        sch.wait_line(lambda l: "run skipped job=jd-every-second" in l, timeout=1)
    finally:
        assert sch.terminate() == 0
    with open_store(data / "firewatch.db") as store:
        runs = sorted(store.listings.crawl_runs(), key=lambda r: r["started_at"])
        assert store.integrity_ok()
    assert len(runs) >= 2
    assert all(r["ended_at"] for r in runs), runs
    for before, after in zip(runs, runs[1:]):
        assert before["ended_at"] <= after["started_at"], (before, after)
    starts = [l for l in sch.lines if l.startswith("开始 run start")]
    assert len(starts) == len(runs)  # one crawl per run, and every crawl recorded


def test_list_shows_next_run_times_from_the_job_store(demo_market, run_firewatch, tmp_path):
    data = tmp_path / "data"
    nightly = {"id": "nightly", "platforms": ["jd", "pdd"], "keywords": "default", "cron": "30 2 * * *"}
    weekdays = {"id": "weekdays", "platforms": ["1688"], "keywords": [QUERY], "cron": "0 9 * * 1-5"}
    config = write_settings(tmp_path / "fw.toml", demo_market, [nightly, weekdays], tz="Asia/Shanghai")
    sch = Scheduler(config, data, tmp_path / "stderr.log")
    sch.wait_line(lambda l: "scheduler started" in l, timeout=30)
    second = subprocess.run(schedule_command(config, data, "run"), capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert second.returncode != 0 and "already schedules this store" in second.stderr, second  # one scheduler per store
    assert sch.terminate() == 0
    with sqlite3.connect(data / "firewatch.db") as conn:
        stored = dict(conn.execute("SELECT id, next_run_time FROM apscheduler_jobs"))
    assert set(stored) == {"nightly", "weekdays"}

    # A job added to the settings and one removed since: list says so, stored times stay.
    added = {"id": "added", "platforms": ["pdd"], "keywords": [QUERY], "cron": "0 12 * * *"}
    write_settings(config, demo_market, [nightly, added], tz="Asia/Shanghai")
    listed = run_firewatch("--config", str(config), "schedule", "list", "--json", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows["nightly"]["state"] == "scheduled"
    assert datetime.fromisoformat(rows["nightly"]["next_run_time"]).timestamp() == pytest.approx(stored["nightly"])
    nxt = datetime.fromisoformat(rows["nightly"]["next_run_time"])
    assert (nxt.hour, nxt.minute, nxt.utcoffset()) == (2, 30, timedelta(hours=8))  # 02:30 in Asia/Shanghai
    assert rows["weekdays"]["state"] == "not in settings"
    assert datetime.fromisoformat(rows["weekdays"]["next_run_time"]).timestamp() == pytest.approx(stored["weekdays"])
    assert datetime.fromisoformat(rows["weekdays"]["next_run_time"]).weekday() < 5  # Monday to Friday
    assert rows["added"]["state"] == "not yet stored"
    assert rows["nightly"]["keywords"][0] == "灭火器" and rows["nightly"]["keyword_set"] == "default"

    table = subprocess.run(schedule_command(config, data, "list"), capture_output=True, text=True, cwd=ROOT,
                           timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert table.returncode == 0, table.stderr
    assert "nightly" in table.stdout and "30 2 * * *" in table.stdout
    assert datetime.fromisoformat(rows["nightly"]["next_run_time"]).strftime("%Y-%m-%d %H:%M:%S") in table.stdout


def test_sigterm_stops_a_running_crawl_and_exits_0(demo_market, tmp_path):
    data = tmp_path / "data"
    slower = SLOW_CRAWL.replace("0.02", "0.05")
    config = write_settings(tmp_path / "fw.toml", demo_market, [EVERY_SECOND], crawl=slower)
    sch = Scheduler(config, data, tmp_path / "stderr.log")
    started = sch.wait_line(lambda l: "crawl started job=jd-every-second" in l, timeout=30)
    pid = int(started.rsplit("pid=", 1)[1])
    wait_until(lambda: listing_count(data) >= 5, 30, "the crawl to store a few listings")
    assert sch.terminate() == 0
    said = "\n".join(sch.lines) + "\n--- stderr ---\n" + (tmp_path / "stderr.log").read_text(errors="replace")[-4000:]
    assert any(f"stopping crawl job=jd-every-second pid={pid}" in l for l in sch.lines), said
    assert not any("killing" in l for l in sch.lines), said  # it ended on SIGTERM, not at the stop timeout
    assert not any("process started" in l for l in sch.lines), said  # a stopped run is not processed
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the child crawl is gone (and reaped)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # and so is its browser (Playwright's driver and Chromium, in the child's session)
    with open_store(data / "firewatch.db") as store:
        assert store.integrity_ok()
        runs = store.listings.crawl_runs()
        listings = list(store.listings.iter_listings())
    assert runs and all(r["outcome"] != "running" and r["ended_at"] for r in runs), runs  # it stopped cleanly
    assert 5 <= len(listings) < len(expected_keys(demo_market))  # stopped mid-crawl
    for listing in listings:
        assert listing.title and listing.url and listing.display_price is not None
