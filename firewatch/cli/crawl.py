"""`firewatch crawl`, `crawl history`, `session import` and `parse`: getting listings in.

A crawl runs Scrapy in this process (one reactor per process) and stores what it finds;
`parse` runs a platform parser on a saved page and prints JSON listings.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.keywords import keyword_plan
from crawler.platforms import parse_page
from crawler.run import run_crawl
from crawler.sessions import import_session
from firewatch.cli.common import PLATFORM_CHOICE, console, out, settings_of, store_of, with_host_map
from firewatch.core.exceptions import FirewatchError
from firewatch.core.models import PLATFORMS


@click.group(invoke_without_command=True)
@click.option("--platform", "platforms", multiple=True, type=PLATFORM_CHOICE, help="Platform to crawl (repeatable; default: crawl.platforms). taobao includes Tmall.")
@click.option("--category", "categories", multiple=True, help="Search the keyword set of this category code (repeatable), e.g. smoke_alarm; see [crawl.keywords].")
@click.option("--query", "keywords", multiple=True, help="Search this keyword (repeatable); overrides keyword sets. Default: the set 'default'.")
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=IP:PORT",
              help="Connect to HOST (a pattern such as *.jd.com) at IP:PORT instead of its DNS address; URLs stay "
                   "the platform's (repeatable; added to crawl.resolve). For a local replica such as the demo market.")
@click.option("--trust-ca", type=click.Path(exists=True, dir_okay=False), help="PEM CA certificate trusted for "
              "mapped hosts (default: crawl.trust_ca), e.g. the demo market's.")
@click.option("--echo-commits", is_flag=True, hidden=True, help="Print each stored listing's key after its commit.")
@click.option("--no-progress", is_flag=True, help="No progress display.")
@click.pass_context
def crawl(ctx, platforms, categories, keywords, resolve, trust_ca, echo_commits, no_progress) -> None:
    """Crawl marketplaces into the store (one run; see `crawl history`).

    Outside Redis mode one crawl per platform runs at a time: a platform another crawl is
    running is skipped with a message, and when none is left the command exits 75.
    """
    if ctx.invoked_subcommand is not None:
        return


    settings = settings_of(ctx)
    settings = with_host_map(settings, resolve, trust_ca)
    platforms = platforms or tuple(settings.crawl.platforms)
    plan = keyword_plan(settings, platforms, categories, keywords)
    level = logging.getLogger().level

    def report(message: str) -> None:
        console.print(message, style="yellow", markup=False)

    if no_progress or echo_commits:
        results = run_crawl(settings, platforms, plan, echo_commits=echo_commits, log_level=level, report=report)
    else:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as progress:
            results = run_crawl(settings, platforms, plan, progress=progress, log_level=level, report=report)
    table = Table(title="抓取结果 crawl summary")
    for col in ("平台", "页面", "商品", "新增", "跳过(未变)", "验证码", "429", "5xx", "错误", "结束"):
        table.add_column(col)
    for platform, r in results.items():
        table.add_row(platform, *(str(r[k]) for k in ("pages", "items", "new", "skipped", "blocks", "throttled", "http_5xx", "errors", "finish_reason")))
    console.print(table)
    for platform, r in results.items():
        if r["alert"]:
            console.print(f"[red]告警 ALERT {platform}: {r['alert']}[/red]")
    if all(r["pages"] == 0 for r in results.values()):
        mapped = ", ".join(f"{k}={v}" for k, v in settings.crawl.resolve.items()) or "DNS"
        raise FirewatchError(f"没有抓到任何页面 no page could be fetched (host map: {mapped}): check the network, "
                             "`firewatch sites check`, or, for a local replica, that it runs and crawl.resolve "
                             "points at it.")


@crawl.command("history")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def crawl_history(ctx, limit: int) -> None:
    """List recorded crawl runs, newest first."""


    with store_of(ctx) as store:
        table = Table(title="抓取记录 crawl runs")
        cols = ("id", "platform", "started_at", "ended_at", "pages", "items", "errors", "blocks", "throttled", "outcome")
        for c in cols:
            table.add_column(c, no_wrap=True)
        for run in store.listings.crawl_runs(limit):
            cells = {c: "" if run[c] is None else str(run[c]) for c in cols}
            for c in ("started_at", "ended_at"):  # ISO UTC to the second
                cells[c] = cells[c][:19].replace("T", " ")
            table.add_row(*(cells[c] for c in cols))
        out.print(table)


@click.group()
def session() -> None:
    """Logged-in browser sessions (Playwright storage_state JSON) per platform."""


@session.command("import")
@click.option("--platform", required=True, type=PLATFORM_CHOICE, help="Platform whose spider sends these cookies.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def session_import(ctx, platform: str, file: str) -> None:
    """Validate a storage_state file and keep it as <data>/sessions/PLATFORM.json (mode 0600).

    Export one from a logged-in browser with Playwright: context.storage_state(path="jd.json").
    """

    s = import_session(platform, file, settings_of(ctx).data_dir)
    dropped = f" ({len(s.expired)} expired dropped)" if s.expired else ""
    out.print(f"已导入 imported {len(s.cookies)} cookies for {', '.join(s.domains)} -> {s.path}{dropped}")


@click.command()
@click.option("--platform", required=True, type=click.Choice([*PLATFORMS, "web"]),
              help="web: any shop page carrying schema.org Product data (JSON-LD, microdata, OpenGraph).")
@click.option("--kind", required=True, type=click.Choice(["search", "item"]))
@click.option("--url", default="", help="The page's original URL (to make links absolute).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def parse(platform: str, kind: str, url: str, file: str) -> None:
    """Parse a saved page (any encoding) and print one JSON listing per line."""
    for listing in parse_page(platform, kind, Path(file).read_bytes(), url=url, source=file):
        out.file.write(json.dumps(listing.to_dict(), ensure_ascii=False) + "\n")
