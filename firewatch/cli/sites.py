"""`firewatch sites check`: can each configured platform be crawled now, and if not, what to do.

The checks live in `crawler.sitecheck`; this module only picks the platforms, reads the crawl runs
from the store, prints the table (or JSON lines) and sets the exit status.
"""

from __future__ import annotations

import json
import shutil

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.sitecheck import DEFAULT_KEYWORD, SiteCheck, check_sites
from firewatch.cli.common import PLATFORM_CHOICE, settings_of, store_of, with_host_map
from firewatch.core.clock import show_time

# The table stays one line a platform when piped; problem lines are not wrapped (commands to copy).
out = Console(soft_wrap=True, width=max(160, shutil.get_terminal_size().columns))

EXIT_NOT_CRAWLABLE = 3
"""Exit status when a checked platform cannot be crawled (other errors keep their own codes)."""

_SESSION = {"none": "无 none", "valid": "有效 valid", "expired": "失效 expired", "invalid": "无效 invalid",
            "unchecked": "未检测 unchecked", "unknown": "未知 unknown"}


@click.group()
def sites() -> None:
    """The marketplaces as firewatch reaches them: reachability, robots.txt, sessions, blocks."""


@sites.command("check")
@click.option("--platform", "platforms", multiple=True, type=PLATFORM_CHOICE,
              help="Platform to check (repeatable; default: crawl.platforms).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait for each request.")
@click.option("--keyword", default=DEFAULT_KEYWORD, show_default=True,
              help="Keyword of the search page requested to probe the session.")
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=IP:PORT",
              help="Connect to HOST at IP:PORT (repeatable; added to crawl.resolve), as `firewatch crawl --resolve`.")
@click.option("--trust-ca", type=click.Path(exists=True, dir_okay=False),
              help="PEM CA certificate trusted for mapped hosts (default: crawl.trust_ca).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per platform per line instead of a table.")
@click.pass_context
def sites_check(ctx, platforms, timeout, keyword, resolve, trust_ca, as_json) -> None:
    """Check each platform: reachable, robots.txt, session, last block; say what to fix.

    \b
    Per platform: robots.txt and the search page are requested through the host map
    (crawl.resolve) with the crawl's user agent; robots.txt is applied to the search,
    item and price URL forms; the session file is probed with one search for KEYWORD
    (redirects not followed: a login page means the session has expired); the last
    crawl run that met blocks is read from the store.

    \b
    Exit status: 0 when every checked platform can be crawled; 3 when one cannot
    (unreachable, robots.txt disallows a flow and crawl.legal_basis names no basis,
    or its search needs a login and the session is missing, expired or invalid).
    See docs/live.md.
    """
    settings = with_host_map(settings_of(ctx), resolve, trust_ca)
    with store_of(ctx) as store:
        runs = store.listings.crawl_runs(limit=1000)
    checks = check_sites(settings, platforms or None, runs, timeout=timeout, keyword=keyword)
    if as_json:
        for check in checks:
            click.echo(json.dumps(check.as_dict(), ensure_ascii=False))
    else:
        _print(checks)
    if not all(c.crawlable for c in checks):
        raise SystemExit(EXIT_NOT_CRAWLABLE)


def _print(checks: list[SiteCheck]) -> None:
    table = Table(title="平台检查 sites check")
    for heading in ("平台", "可达", "robots.txt", "法律依据", "会话", "最近拦截", "结论"):
        table.add_column(heading, no_wrap=heading != "法律依据", min_width=12 if heading == "法律依据" else None)
    for c in checks:
        robots = _robots(c)
        session = _SESSION[c.session.state] + (" (需登录)" if c.login_needed else "")
        block = (f"{show_time(c.last_block.at)} · {c.last_block.blocks} 次 (#{c.last_block.run_id})"
                 if c.last_block else "无 none")
        verdict = "[green]可抓取 ok[/green]" if c.crawlable else "[red]不可抓取 no[/red]"
        table.add_row(f"{c.name} {c.platform}", "是 yes" if c.reachable else "[red]否 no[/red]", robots,
                      escape(c.legal_basis) or "—", session, block, verdict)
    out.print(table)
    for c in checks:
        for p in c.problems:
            mark = "[red]✗[/red]" if p.fatal else "[yellow]![/yellow]"
            out.print(f"{mark} {c.name} {c.platform} ({p.code}) {escape(p.message)}")
            out.print(f"    下一步 next: {escape(p.fix)}")
        if c.session.detail:
            out.print(f"  {c.name} {c.platform} 会话 session: {escape(c.session.path)} — {escape(c.session.detail)}")


def _robots(check: SiteCheck) -> str:
    """允许 allowed, or 禁止 disallowed with the flows robots.txt forbids (per-flow verdicts are in --json)."""
    allowed = check.robots_allowed
    if allowed is False:
        flows = ", ".join(r.flow for r in check.robots if r.allowed is False)
        return f"[red]禁止 disallowed[/red] ({flows})" if not check.legal_basis else f"禁止 disallowed ({flows})"
    return "允许 allowed" if allowed else "未知 unknown"
