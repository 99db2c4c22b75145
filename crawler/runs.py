"""Crawl runs and the processes behind them: which open run was killed, and a heartbeat.

A crawl run is recorded in the store when it starts (with the pid and host of the process
running it) and finished when the crawl ends. A run killed with SIGKILL (or lost with its
machine) never finishes; when the next crawl of its platform starts, `reap_killed_runs`
ends every open run of that platform whose process is gone — its pid is not alive on this
host, or (any host) its heartbeat is older than `STALE_AFTER` — with outcome "killed".
A live crawl writes its heartbeat every `HEARTBEAT_EVERY` seconds.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from firewatch.core.models import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 30.0  # seconds between heartbeats of a running crawl
STALE_AFTER = timedelta(minutes=10)  # a run silent this long is taken for dead, whatever its host


def this_host() -> str:
    """The name recorded as a run's host (the pid is only meaningful on it)."""
    return socket.gethostname()


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this pid runs on this machine (a zombie counts as gone)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):  # no /proc (not Linux): kill(0) has answered
        return True


def run_is_dead(run: dict, host: str, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    """Whether an open crawl run (a `crawl_runs` row) belongs to a process that is gone."""
    if run.get("host") == host and run.get("pid") and not pid_alive(int(run["pid"])):
        return True
    beat = run.get("heartbeat_at") or run.get("started_at")
    return beat is not None and datetime.fromisoformat(beat) < now - stale_after


def reap_killed_runs(store, platform: str, host: str | None = None,
                     stale_after: timedelta = STALE_AFTER) -> list[int]:
    """End every open run of `platform` whose process is gone as "killed"; return their ids."""
    host = this_host() if host is None else host
    now = utcnow()
    killed = []
    for run in store.listings.open_crawl_runs(platform):
        if run.get("pid") == os.getpid() and run.get("host") == host:
            continue  # this very process (a second crawl in one process): alive by definition
        if run_is_dead(run, host, now, stale_after) and store.listings.mark_crawl_run_killed(run["id"]):
            killed.append(run["id"])
            log.warning("crawl run %s of %s (pid %s on %s) never finished: marked killed",
                        run["id"], platform, run.get("pid"), run.get("host") or "?")
    return killed
