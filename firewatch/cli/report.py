"""`firewatch report campaign --from DATE --to DATE`: the campaign report as XLSX and a Chinese PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from firewatch.cli.common import date_option, console, out, settings_of, store_of
from firewatch.core.clock import show_date, utcnow
from firewatch.core.models import PLATFORMS
from firewatch.services.campaign import Period
from firewatch.services.campaign_report import RENDER_STEPS, days_text, write_campaign_report



@click.group()
def report() -> None:
    """Reports: the campaign report (XLSX + Chinese PDF with charts) for a date range."""


@report.command("campaign")
@click.option("--from", "first", required=True, callback=date_option, help="First day (Beijing time), YYYY-MM-DD.")
@click.option("--to", "last", callback=date_option, help="Last day (Beijing time), YYYY-MM-DD; default: today.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the files (default: <exports>/reports).")
@click.option("--platform", type=click.Choice(PLATFORMS), help="One platform only (default: all).")
@click.pass_context
def campaign(ctx, first: date, last: date | None, out_dir: str | None, platform: str | None) -> None:
    """The campaign report for FROM..TO (Beijing days, both included): listings monitored, flagged,
    confirmed and removed by platform, category, region and reason; time from flag to removal;
    relistings; repeat offenders; typical cases with screenshots; the weekly trend. A period that
    reaches [campaign] end is the overall summary (总体总结), an earlier one a stage summary (阶段总结)."""
    settings = settings_of(ctx)
    last = last or date.fromisoformat(show_date(utcnow()))
    try:
        period = Period.of(first, last)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from/--to") from None
    folder = Path(out_dir) if out_dir else settings.export_dir / "reports"
    with store_of(ctx) as store, Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                          TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("统计 counting", total=RENDER_STEPS)

        def tick(step: str) -> None:
            progress.update(task, advance=1, description=step)

        files = write_campaign_report(store, settings, period, folder, platform or "", tick=tick)
    f = files.figures
    out.print(f"{f.title}（{period.first} 至 {period.last}，{f.scope}）")
    for key in ("monitored", "flagged", "confirmed", "removed", "relisted"):
        out.print(f"  {key:>9}: {f.totals[key]}")
    out.print(f"  flag→removal median {days_text(f.removal_median)}, p90 {days_text(f.removal_p90)}; "
              f"repeat offenders {f.repeat_total}; typical cases {len(f.cases)}")
    out.print(f"XLSX {files.xlsx}")
    out.print(f"PDF  {files.pdf}")
