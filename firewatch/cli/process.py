"""`firewatch process`: drain the process queue (score, flag, capture, index), then the alert rules."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from firewatch.cli.common import console, out, settings_of
from firewatch.core.exceptions import ProcessDegraded
from firewatch.services.processing import run_processing


HELP = f"""Drain the process queue: score, flag, capture evidence, index; then run the alert rules.

Exit status: 0 when every stage did its work; {ProcessDegraded.exit_code} when a stage ran degraded
(search index unreachable so indexing was deferred, captures failed or were blocked,
listings failed a stage; they stay queued for the next run); other codes for errors.
"""


@click.command(help=HELP)
@click.option("--capture/--no-capture", default=True, show_default=True, help="Capture screenshots of flagged listings.")
@click.option("--max-captures", type=int, default=None, help="Capture at most this many now; the rest stay queued.")
@click.option("--index", "index_url", metavar="URL",
              help="Search backend for this run: 'sqlite' or http://host:9200[,...] (default: settings search.url).")
@click.pass_context
def process(ctx, capture: bool, max_captures: int | None, index_url: str | None) -> None:
    settings = settings_of(ctx)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        stats = run_processing(settings, capture=capture, max_captures=max_captures, progress=progress,
                               report=console.print, index_url=index_url)
    fetched = f"抓取线索页面 fetched {stats.fetched}, " if stats.fetched else ""
    out.print(f"{fetched}评分 scored {stats.scored}, 标记 flagged {stats.flagged}, 截图 captured {stats.captured}, "
              f"索引 indexed {stats.indexed}, 错误 errors {len(stats.errors)}")
    if stats.index_unavailable:
        console.print(f"[yellow]索引暂停 index stage paused:[/yellow] {stats.index_unavailable}")
    if settings.alerts.run_on_process:
        new = ", ".join(f"{rule} {n}" for rule, n in stats.new_alerts.items()) or "none"
        out.print(f"告警 new alerts: {new}" + ("; send them: firewatch alerts send" if stats.new_alert_ids else ""))
    if stats.degraded:
        raise ProcessDegraded(stats.degraded)
