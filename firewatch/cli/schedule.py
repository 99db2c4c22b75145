"""`firewatch schedule`: run the scheduled crawls in the foreground, list their next runs.

The jobs come from `[[schedule.jobs]]` in the settings file; the scheduler itself is
`crawler.schedule.CrawlScheduler` (APScheduler 3, job store in the store's database).
This module only parses options, installs the SIGTERM/SIGINT handlers and prints; the
root group (`firewatch.cli`) registers it with `cli.add_command(schedule)`.
"""

from __future__ import annotations

import json
import signal
import threading

import click
from rich.console import Console
from rich.table import Table

from crawler.schedule import CrawlScheduler, list_jobs
from firewatch.cli.common import settings_of
from firewatch.core.clock import show_time

console = Console(stderr=True)
out = Console()


def _when(dt) -> str:
    return show_time(dt, seconds=True) if dt is not None else "-"


@click.group()
def schedule() -> None:
    """Scheduled crawls (APScheduler): cron jobs per platform and keyword set.

    \b
    Jobs live in the settings file, one [[schedule.jobs]] table each:
        [[schedule.jobs]]
        id = "jd-hourly"
        platforms = ["jd"]
        keywords = "default"        # a set from [crawl.keywords], or a list of keywords
        cron = "15 * * * *"         # minute hour day month day-of-week (0 or 7 = Sunday)
    Next run times are kept in the store's database, so a restart neither loses nor
    repeats runs: runs missed while nothing was running are coalesced into one when
    they are younger than schedule.misfire_grace_seconds.
    """


@schedule.command("run")
@click.pass_context
def schedule_run(ctx: click.Context) -> None:
    """Run the schedule in the foreground until SIGTERM or Ctrl-C.

    \b
    Each run starts `firewatch crawl` for the job's platforms and keywords in a child
    process, then `firewatch process` (score, flag, capture, index, alert) in another.
    A job never runs twice at once: a run due while the previous one is still going is
    skipped. SIGTERM or Ctrl-C stops scheduling, stops a running child cleanly (its
    work is transactional; after schedule.stop_timeout_seconds it is killed) and exits 0.
    One line per event goes to stdout; the children's output goes to stderr.
    """

    settings = settings_of(ctx)
    scheduler = CrawlScheduler.from_settings(settings, report=lambda line: click.echo(line))
    if not scheduler.jobs:
        console.print("[yellow]没有任务 no jobs: add [[schedule.jobs]] tables to the settings file "
                      "(see `firewatch schedule --help`)[/yellow]")
        return
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        planned = scheduler.start()
    except BaseException:
        for s, handler in previous.items():
            signal.signal(s, handler)
        raise
    try:
        for spec, nxt in planned:
            click.echo(f"已排程 scheduled job={spec.id} cron={spec.cron!r} second={spec.second!r} next={_when(nxt)}")
        click.echo(f"调度运行中 scheduler started: {len(planned)} job(s), store {settings.store_path}; "
                   "SIGTERM or Ctrl-C stops it")
        while not stop.wait(1.0):
            pass
        name = signal.Signals(received[0]).name if received else "stop"
        click.echo(f"收到 {name} received: stopping")
    finally:
        scheduler.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON lines (id, platforms, keywords, cron, next_run_time, state) instead of a table.")
@click.pass_context
def schedule_list(ctx: click.Context, as_json: bool) -> None:
    """List the jobs and their next run times (as stored in the job store).

    \b
    State: scheduled (in the job store), not yet stored (the time shown is computed;
    `schedule run` stores it), changed in settings (the next `schedule run` reschedules
    it), not in settings (the next `schedule run` removes it), paused.
    """


    settings = settings_of(ctx)
    rows = list_jobs(settings)
    if as_json:
        for r in rows:
            record = {"id": r.id, "platforms": list(r.platforms), "keywords": list(r.keywords), "keyword_set": r.keyword_set,
                      "cron": r.cron, "next_run_time": r.next_run_time.isoformat() if r.next_run_time else None,
                      "state": r.state}
            out.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title="定时任务 scheduled jobs")
    for col in ("任务 job", "平台 platforms", "关键词 keywords", "cron", "下次运行 next run", "状态 state"):
        table.add_column(col, overflow="fold")
    for r in rows:
        keywords = ", ".join(r.keywords)
        if r.keyword_set:
            keywords = f"[{r.keyword_set}] {keywords}"
        table.add_row(r.id, ", ".join(r.platforms), keywords, r.cron, _when(r.next_run_time), r.state)
    out.print(table)
    if not rows:
        console.print("没有任务 no jobs: add [[schedule.jobs]] tables to the settings file (see `firewatch schedule --help`)")
