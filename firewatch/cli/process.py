"""`firewatch process`: drain the process queue (score, flag, capture, index), then the alert rules;
once, or with `--loop` as a long-running worker beside others on the same store."""

from __future__ import annotations

import signal
import threading

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from firewatch.cli.common import console, out, settings_of
from firewatch.core.clock import show_time, utcnow
from firewatch.core.exceptions import ProcessDegraded
from firewatch.services.pipeline import PipelineStats
from firewatch.services.processing import Claims, run_processing


HELP = f"""Drain the process queue: score, flag, capture evidence, index; then run the alert rules.

Several workers (on any machines) may drain one store at once: each claims a batch of queue rows
under its worker id for a lease, renews the lease while it works, and completes a row only while it
holds it; the rows of a worker that died are claimed by another once its lease ran out. SIGTERM or
Ctrl-C stops a worker after the listing in hand and gives back what it had claimed.

Exit status: 0 when every stage did its work; {ProcessDegraded.exit_code} when a stage ran degraded
(search index unreachable so indexing was deferred, captures failed or were blocked,
listings failed a stage; they stay queued for the next run); other codes for errors.
"""


def _summary(stats: PipelineStats) -> str:
    fetched = f"抓取线索页面 fetched {stats.fetched}, " if stats.fetched else ""
    lost = f", 租约被接管 claims_lost {stats.claims_lost}" if stats.claims_lost else ""
    ocr = f"图片文字识别 ocr {stats.ocr}, " if stats.ocr else ""
    return (f"{fetched}评分 scored {stats.scored}, 标记 flagged {stats.flagged}, {ocr}截图 captured {stats.captured}, "
            f"索引 indexed {stats.indexed}, 错误 errors {len(stats.errors)}{lost}")


@click.command(help=HELP)
@click.option("--capture/--no-capture", default=True, show_default=True, help="Capture screenshots of flagged listings.")
@click.option("--max-captures", type=int, default=None, help="Capture at most this many now; the rest stay queued.")
@click.option("--index", "index_url", metavar="URL",
              help="Search backend for this run: 'sqlite' or http://host:9200[,...] (default: settings search.url).")
@click.option("--worker-id", default="", metavar="ID", help="This worker's name in its claims (default: host:pid).")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Queue rows per claim (captures: at most 16).")
@click.option("--lease", type=click.FloatRange(min=0.1), default=300.0, show_default=True,
              help="Seconds a claim lasts without renewal; a dead worker's rows wait this long.")
@click.option("--loop", is_flag=True, help="Keep draining until stopped (SIGTERM, Ctrl-C): a long-running worker.")
@click.option("--idle", type=click.FloatRange(min=0.05), default=5.0, show_default=True,
              help="With --loop: seconds to wait after a drain that found nothing to do.")
@click.option("--ocr-refetch", is_flag=True,
              help="图片文字识别时重新完整下载每张图片：不受 [ocr] refetch_hours 间隔限制，也不发送条件请求"
                   "（If-None-Match / If-Modified-Since）；图片字节与此前读过的相同时不重复识别。"
                   " OCR fetches every image in full: no refetch interval, no conditional GET.")
@click.pass_context
def process(ctx, capture: bool, max_captures: int | None, index_url: str | None, worker_id: str, batch: int,
            lease: float, loop: bool, idle: float, ocr_refetch: bool) -> None:
    settings = settings_of(ctx)
    claims = Claims(worker_id, batch, lease)
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():  # Python delivers signals there only
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if loop:
            console.print(f"工作进程 worker {claims.worker_id}: 持续处理, SIGTERM 或 Ctrl-C 停止")

            def drained(stats: PipelineStats) -> None:
                out.print(f"{show_time(utcnow(), seconds=True)} {_summary(stats)}")

            stats = run_processing(settings, capture=capture, max_captures=max_captures, report=console.print,
                                   index_url=index_url, claims=claims, loop=True, idle=idle, stop=stop,
                                   on_drain=drained, ocr_refetch=ocr_refetch)
            out.print(f"工作进程 worker {claims.worker_id} 合计 total: {_summary(stats)}")
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console) as progress:
                stats = run_processing(settings, capture=capture, max_captures=max_captures, progress=progress,
                                       report=console.print, index_url=index_url, claims=claims, stop=stop,
                                       ocr_refetch=ocr_refetch)
            out.print(_summary(stats))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stats.index_unavailable:
        console.print(f"[yellow]索引暂停 index stage paused:[/yellow] {stats.index_unavailable}")
    if settings.alerts.run_on_process:
        new = ", ".join(f"{rule} {n}" for rule, n in stats.new_alerts.items()) or "none"
        out.print(f"告警 new alerts: {new}" + ("; send them: firewatch alerts send" if stats.new_alert_ids else ""))
    if stats.degraded:
        raise ProcessDegraded(stats.degraded)
