"""Scheduled crawls: APScheduler 3.x jobs read from the settings, kept in the store's database.

`CrawlScheduler.from_settings(settings).start()` takes the store's one-scheduler lock and runs each
job as `firewatch crawl` then `firewatch process` in child processes, never one job twice at once;
`stop()` stops scheduling and the children (SIGTERM, SIGKILL after `stop_timeout_seconds`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfoNotFoundError

from tzlocal import get_localzone

from firewatch.core.child import child_command
from firewatch.core.clock import zone
from firewatch.core.exceptions import FirewatchError, SettingsError
from firewatch.core.settings import CRAWL_PLATFORMS
from firewatch.store import is_postgres, store_exists
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)

JOB_FUNC = "crawler.schedule:run_scheduled_job"
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 (and 7) is Sunday


@dataclass(frozen=True)
class JobSpec:
    """One scheduled crawl as the settings describe it."""

    id: str
    platforms: tuple[str, ...]
    keywords: tuple[str, ...]
    cron: str
    second: str = "0"
    keyword_set: str = ""  # the [crawl.keywords] set named, if the job named one

    def trigger_fields(self) -> dict[str, str]:
        """The APScheduler CronTrigger fields for this job's crontab string."""
        return cron_fields(self.cron, self.second)


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in _DOW_NAMES:
        return _DOW_NAMES.index(token[:3])
    value = int(token)
    if not 0 <= value <= 7:
        raise ValueError(f"day of week {token} is not in 0-7")
    return value


def cron_day_of_week(text: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler weekday names.

    APScheduler 3 numbers weekdays from Monday = 0, so crontab numbers are never passed
    through as they are: `1-5` becomes `mon,tue,wed,thu,fri`.
    """
    if text in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            lo, hi = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            lo, hi = _weekday(a), _weekday(b)
        else:
            lo = _weekday(span)
            hi = 6 if step_text else lo
        if hi < lo or step < 1:
            raise ValueError(f"day-of-week range {part!r} is not ascending")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return "*" if len(days) == 7 else ",".join(_DOW_NAMES[d] for d in sorted(days))


def cron_fields(cron: str, second: str = "0") -> dict[str, str]:
    """`minute hour day month day_of_week` (crontab order) as CronTrigger keyword arguments."""
    parts = cron.split()
    if len(parts) != 5:
        raise ValueError(f"cron {cron!r} must have 5 fields: minute hour day-of-month month day-of-week")
    minute, hour, day, month, dow = parts
    return {"second": str(second), "minute": minute, "hour": hour, "day": day, "month": month,
            "day_of_week": cron_day_of_week(dow)}


def make_trigger(spec: JobSpec, timezone: Any):

    return CronTrigger(timezone=timezone, **spec.trigger_fields())


def resolve_timezone(name: str):
    """The zone named in schedule.timezone, or the system's zone when it is empty."""
    if not name:
        return get_localzone()
    try:
        return zone(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"schedule.timezone {name!r} is not a known time zone (e.g. Asia/Shanghai, UTC)") from exc


def jobs_from_settings(schedule: dict[str, Any], crawl: dict[str, Any]) -> list[JobSpec]:
    """Validate the `[[schedule.jobs]]` entries; raise `SettingsError` naming the bad one."""
    specs: list[JobSpec] = []
    seen: set[str] = set()
    keyword_sets = crawl.get("keywords", {}) or {}
    for n, raw in enumerate(schedule.get("jobs", []) or [], 1):
        where = f"schedule.jobs entry {n}"
        if not isinstance(raw, dict):
            raise SettingsError(f"{where}: must be a table ([[schedule.jobs]] with id, platforms, keywords, cron)")
        job_id = str(raw.get("id", "")).strip()
        if not job_id:
            raise SettingsError(f"{where}: needs an id (a short unique name such as \"jd-hourly\")")
        where = f"schedule job {job_id!r}"
        if job_id in seen:
            raise SettingsError(f"{where}: the id is used twice; job ids must be unique")
        seen.add(job_id)
        platforms = raw.get("platforms") or list(crawl.get("platforms", CRAWL_PLATFORMS))
        if isinstance(platforms, str):
            platforms = [platforms]
        unknown = [p for p in platforms if p not in CRAWL_PLATFORMS]
        if unknown:
            raise SettingsError(f"{where}: unknown platform(s) {', '.join(unknown)}; choose from {', '.join(CRAWL_PLATFORMS)}")
        keywords = raw.get("keywords", "default")
        keyword_set = ""
        if isinstance(keywords, str):
            keyword_set = keywords
            if keywords not in keyword_sets:
                raise SettingsError(f"{where}: keyword set {keywords!r} is not in [crawl.keywords] "
                                    f"(known: {', '.join(keyword_sets) or 'none'}); name one or give a list")
            keywords = keyword_sets[keywords]
        keywords = [str(k) for k in keywords if str(k).strip()]
        if not keywords:
            raise SettingsError(f"{where}: no keywords")
        cron = str(raw.get("cron", "")).strip()
        second = str(raw.get("second", "0")).strip() or "0"
        spec = JobSpec(job_id, tuple(platforms), tuple(keywords), cron, second, keyword_set)
        try:
            make_trigger(spec, "UTC")
        except ValueError as exc:
            raise SettingsError(f"{where}: cron {cron!r} (second {second!r}) is not valid: {exc}") from exc
        specs.append(spec)
    return specs


def _job_description(spec: JobSpec) -> str:
    return f"{spec.id}: crawl {','.join(spec.platforms)} for {','.join(spec.keywords)}"


def _background_scheduler_class():

    class SafeBackgroundScheduler(BackgroundScheduler):
        """A BackgroundScheduler that processes jobs only while running.

        APScheduler 3's loop makes one last pass after `shutdown()` (state STOPPED is not
        PAUSED); that pass cannot submit a due job (the executor is gone) yet advances its
        next run time in the job store, so a run due at the moment of a stop would be lost.
        """

        def _process_jobs(self):
            if self.state != STATE_RUNNING:
                return None
            return super()._process_jobs()

    return SafeBackgroundScheduler


def background_scheduler(**options):
    """A BackgroundScheduler (see `_background_scheduler_class`) with these options."""
    return _background_scheduler_class()(**options)


# The job store keeps a reference to this function (and the job id as its argument), so
# it is module-level; it hands the run to the scheduler that is running in this process.
_ACTIVE: "CrawlScheduler | None" = None


def run_scheduled_job(job_id: str) -> None:
    """The function APScheduler calls: one scheduled run of `job_id`."""
    active = _ACTIVE
    if active is None:
        log.error("scheduled job %s fired but no CrawlScheduler is running in this process", job_id)
        return
    active.run_job(job_id)


@dataclass
class _Child:
    job_id: str
    step: str
    popen: subprocess.Popen


@dataclass
class CrawlScheduler:
    """Runs the scheduled crawls of one store; build it with `from_settings` or directly.

    `crawl_command(spec)` and `process_command` are the child command lines;
    `report(line)` receives one line per event (run started, child started and ended,
    run skipped or missed, run done); every line is also logged.
    """

    jobs: Sequence[JobSpec]
    jobstore_url: str
    crawl_command: Callable[[JobSpec], list[str]]
    process_command: list[str]
    lock_path: Path
    timezone: Any = None
    misfire_grace_seconds: int = 600
    stop_timeout_seconds: float = 20.0
    report: Callable[[str], None] = print
    _jobs: dict[str, JobSpec] = field(init=False, default_factory=dict)
    _runs: dict[str, int] = field(init=False, default_factory=dict)
    _children: dict[int, _Child] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _report_lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _process_lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _stopping: bool = field(init=False, default=False)
    _scheduler: Any = field(init=False, default=None)
    _lock_file: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._jobs = {spec.id: spec for spec in self.jobs}
        self._runs = {spec.id: 0 for spec in self.jobs}

    @classmethod
    def from_settings(cls, settings, report: Callable[[str], None] = print) -> "CrawlScheduler":
        sch = settings.schedule
        jobs = jobs_from_settings(settings.section("schedule"), settings.section("crawl"))

        def crawl_command(spec: JobSpec) -> list[str]:
            args = ["crawl", "--no-progress"]
            for p in spec.platforms:
                args += ["--platform", p]
            for k in spec.keywords:
                args += ["--query", k]
            return child_command(settings, *args)

        process_args = ["process"]
        if not sch.capture:
            process_args.append("--no-capture")
        elif sch.max_captures > 0:
            process_args += ["--max-captures", str(sch.max_captures)]
        store_path = settings.store_path
        return cls(jobs=jobs, jobstore_url=jobstore_url(settings.store_url), crawl_command=crawl_command,
                   process_command=child_command(settings, *process_args), lock_path=store_path.with_suffix(".schedule.lock"),
                   timezone=resolve_timezone(sch.timezone), misfire_grace_seconds=sch.misfire_grace_seconds,
                   stop_timeout_seconds=sch.stop_timeout_seconds, report=report)

    # -- events ------------------------------------------------------------------------
    def _say(self, line: str) -> None:
        log.info("%s", line)
        with self._report_lock:
            self.report(line)

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> list[tuple[JobSpec, datetime | None]]:
        """Take the store's scheduler lock, sync the jobs into the job store and start.

        Returns each job with its next run time.
        """
        global _ACTIVE

        self._take_lock()
        try:
            self._scheduler = background_scheduler(
                jobstores={"default": make_jobstore(self.jobstore_url)},
                executors={"default": ThreadPoolExecutor(max(len(self._jobs), 1))},
                # Jobs live in the store's SQLite file, so next run times survive a restart;
                # runs missed meanwhile are coalesced into one when younger than
                # `misfire_grace_seconds`.
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.misfire_grace_seconds},
                timezone=self.timezone or resolve_timezone(""))
            self._scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
            self._scheduler.start(paused=True)
            _ACTIVE = self
            self._sync_jobs()
            planned = [(spec, self._scheduler.get_job(spec.id).next_run_time) for spec in self.jobs]
            self._scheduler.resume()
        except BaseException:
            self._release()
            raise
        return planned

    def _sync_jobs(self) -> None:
        """Make the job store hold exactly the settings' jobs.

        A job whose trigger is unchanged keeps its stored next run time, so runs missed
        while no scheduler ran are still seen (and coalesced) on start.
        """
        stored = {job.id: job for job in self._scheduler.get_jobs()}
        for job_id in set(stored) - set(self._jobs):
            self._scheduler.remove_job(job_id)
            self._say(f"任务已移除 job removed: {job_id} (no longer in the settings)")
        options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": self.misfire_grace_seconds}
        for spec in self.jobs:
            trigger = make_trigger(spec, self._scheduler.timezone)
            old = stored.get(spec.id)
            if old is not None and str(old.trigger) == str(trigger) and str(old.trigger.timezone) == str(trigger.timezone) \
                    and old.func_ref == JOB_FUNC:
                self._scheduler.modify_job(spec.id, name=_job_description(spec), args=[spec.id], **options)
            else:
                self._scheduler.add_job(JOB_FUNC, trigger, args=[spec.id], id=spec.id, name=_job_description(spec),
                                        replace_existing=True, **options)

    def _on_event(self, event) -> None:

        if event.code == EVENT_JOB_MAX_INSTANCES:
            self._say(f"跳过 run skipped job={event.job_id}: its previous run is still going (never two at once)")
        elif event.code == EVENT_JOB_MISSED:
            self._say(f"错过 run missed job={event.job_id} at {event.scheduled_run_time}: older than "
                      f"misfire_grace_seconds={self.misfire_grace_seconds}")
        elif event.code == EVENT_JOB_ERROR:
            self._say(f"出错 run failed job={event.job_id}: {event.exception!r}")

    def stop(self) -> None:
        """Stop scheduling, stop running children cleanly, wait for job threads; idempotent."""
        global _ACTIVE
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            children = list(self._children.values())

        try:
            self._scheduler.pause()
        except (SchedulerNotRunningError, AttributeError):
            pass
        # Children's work is transactional; on SIGTERM Scrapy stops gracefully and records the run.
        # The signal goes to the child alone, not its group: its browser (Playwright's driver and
        # Chromium) is closed by scrapy-playwright as the crawl stops. A browser signalled directly
        # dies under an open page, and the crawl's shutdown can then hang on it (scrapy-playwright
        # issue #62, playwright-python #1170). The group is killed at the timeout.
        for child in children:
            self._say(f"停止子进程 stopping {child.step} job={child.job_id} pid={child.popen.pid} (SIGTERM)")
            try:
                child.popen.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.stop_timeout_seconds
        for child in children:
            try:
                child.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self._say(f"强制结束 killing {child.step} job={child.job_id} pid={child.popen.pid}: "
                          f"no exit within {self.stop_timeout_seconds:g} s")
                _signal_group(child.popen, signal.SIGKILL)
                child.popen.wait()
            _signal_group(child.popen, signal.SIGKILL)  # whatever the child left in its session (a browser)
        try:
            self._scheduler.shutdown(wait=True)
        except (SchedulerNotRunningError, AttributeError):
            pass
        if _ACTIVE is self:
            _ACTIVE = None
        self._release()
        self._say("调度已停止 scheduler stopped")

    def _take_lock(self) -> None:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise FirewatchError(f"another `firewatch schedule run` (pid {holder}) already schedules this store "
                                 f"({self.lock_path}); stop it first, one scheduler per store") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    # -- one run -----------------------------------------------------------------------
    def run_job(self, job_id: str) -> None:
        """One run: crawl in a child, then drain the process queue in a child."""
        spec = self._jobs.get(job_id)
        if spec is None:
            self._say(f"未知任务 unknown job={job_id} in the job store; skipped")
            return
        with self._lock:
            self._runs[job_id] += 1
            n = self._runs[job_id]
        started = time.monotonic()
        self._say(f"开始 run start job={job_id} run={n} platforms={','.join(spec.platforms)} "
                  f"keywords={','.join(spec.keywords)}")
        # A child process: Twisted's reactor cannot restart inside one process.
        crawl_rc = self._run_child(spec, "crawl", self.crawl_command(spec))
        if crawl_rc is None or self._stopping:
            self._say(f"中止 run stopped job={job_id} run={n} (scheduler stopping)")
            return
        with self._process_lock:  # one queue: process steps of different jobs take turns
            process_rc = self._run_child(spec, "process", self.process_command)
        if process_rc is None:
            self._say(f"中止 run stopped job={job_id} run={n} (scheduler stopping)")
            return
        ok = crawl_rc == 0 and process_rc == 0
        self._say(f"{'完成' if ok else '完成(有错误)'} run done job={job_id} run={n} crawl_exit={crawl_rc} "
                  f"process_exit={process_rc} seconds={time.monotonic() - started:.1f}")

    def _run_child(self, spec: JobSpec, step: str, cmd: list[str]) -> int | None:
        """Run one child to its end; None when the scheduler is stopping (or it was stopped)."""
        with self._lock:
            if self._stopping:
                return None
            # A session of its own: a terminal's Ctrl-C reaches only the scheduler, which
            # then stops the whole group (Chromium included) on its own terms.
            popen = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=2, start_new_session=True)
            self._children[popen.pid] = _Child(spec.id, step, popen)
        self._say(f"子进程 {step} started job={spec.id} pid={popen.pid}")
        started = time.monotonic()
        try:
            rc = popen.wait()
        finally:
            with self._lock:
                self._children.pop(popen.pid, None)
                stopping = self._stopping
        self._say(f"子进程 {step} finished job={spec.id} pid={popen.pid} exit={rc} seconds={time.monotonic() - started:.1f}")
        return None if stopping else rc


def _signal_group(popen: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(popen.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def jobstore_url(store: str | Path) -> str:
    """SQLAlchemy's URL for the job store: in the store's own database (psycopg 3 for PostgreSQL)."""
    text = str(store)
    if is_postgres(text):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return f"sqlite:///{Path(text).resolve()}"


def make_jobstore(url: str):
    if url.startswith("postgresql"):
        return SQLAlchemyJobStore(url=url)

    # The crawl child writes to the same file; wait for its transactions instead of failing.
    return SQLAlchemyJobStore(url=url, engine_options={"connect_args": {"timeout": 30}})


@dataclass(frozen=True)
class JobRow:
    """A job for `schedule list`: from the settings, the job store, or both."""

    id: str
    platforms: tuple[str, ...]
    keywords: tuple[str, ...]
    keyword_set: str
    cron: str
    next_run_time: datetime | None
    state: str  # "scheduled", "paused", "not yet stored", "not in settings"


def list_jobs(settings) -> list[JobRow]:
    """The settings' jobs with their next run times as stored in the job store (read only)."""
    specs = jobs_from_settings(settings.section("schedule"), settings.section("crawl"))
    tz = resolve_timezone(settings.schedule.timezone)
    stored = read_stored_jobs(settings.store_url, tz)
    rows = []
    for spec in specs:
        job = stored.pop(spec.id, None)
        cron = spec.cron if spec.second == "0" else f"{spec.cron} (second {spec.second})"
        if job is None:
            nxt = make_trigger(spec, tz).get_next_fire_time(None, datetime.now(tz))
            rows.append(JobRow(spec.id, spec.platforms, spec.keywords, spec.keyword_set, cron, nxt, "not yet stored"))
        else:
            state = "scheduled" if job.next_run_time is not None else "paused"
            if str(job.trigger) != str(make_trigger(spec, tz)):
                state = "changed in settings"
            rows.append(JobRow(spec.id, spec.platforms, spec.keywords, spec.keyword_set, cron, job.next_run_time, state))
    for job_id, job in stored.items():
        rows.append(JobRow(job_id, (), (), "", str(job.trigger), job.next_run_time, "not in settings"))
    return rows


def read_stored_jobs(store_path: str | Path, timezone: Any) -> dict[str, Any]:
    """The jobs in the store's job store, without starting a scheduler."""

    if not store_exists(store_path):
        return {}
    jobstore = make_jobstore(jobstore_url(store_path))
    jobstore.start(BackgroundScheduler(timezone=timezone), "default")
    try:
        return {job.id: job for job in jobstore.get_all_jobs()}
    finally:
        jobstore.shutdown()
