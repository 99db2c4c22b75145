"""The `firewatch` command line: a root group whose commands load on first use.

Each command group lives in its own module under `firewatch.cli` and is imported only
when it runs (or its own `--help` is asked for), so `firewatch --help` stays fast.
`main()` maps every known error to one line and an exit code, in this one place.
"""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import timedelta
from pathlib import Path

import click

from firewatch.core.clock import set_offset
from firewatch.core.exceptions import FirewatchError
from firewatch.core.settings import load_settings

# name -> (module, attribute, the first paragraph of its help, listed by `firewatch --help` without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "alerts": ("firewatch.cli.alerts", "alerts",
               "Alerts: rules over the store, delivery by e-mail and webhook, a daily digest."),
    "assist": ("firewatch.cli.assist", "assist",
               "执法协查 Enforcement assistance: 协查函 (PDF + XLSX template) to a platform, import its reply."),
    "audit": ("firewatch.cli.web", "audit",
              "The web app's audit log: every login, decision and export, hash-chained."),
    "crawl": ("firewatch.cli.crawl", "crawl",
              "Crawl marketplaces into the store (one run; see `crawl history`)."),
    "demo": ("firewatch.cli.demo", "demo",
             "Run the whole flow once against the demo market and print a summary."),
    "evaluate": ("firewatch.cli.scoring", "evaluate",
                 "Evaluate the saved models: per-class scores, confusion matrix, reason recall, PR curve; "
                 "several files are also compared side by side (per reason P/R/support, risk F1, Brier, ECE)."),
    "export": ("firewatch.cli.export", "export",
               "Takedown lists, evidence packs, credit-sharing records and case-transfer packages."),
    "import": ("firewatch.cli.imports", "import_",
               "Import platforms' report files (listings) and official reference lists into the store."),
    "index": ("firewatch.cli.search", "index",
              "The search index: a projection of the store (SQLite FTS5 or Elasticsearch)."),
    "market": ("firewatch.cli.market", "market",
               "The demo market: a local replica of JD, Taobao/Tmall, PDD and 1688."),
    "notice": ("firewatch.cli.notice", "notice",
               "Takedown notices to platforms: create, send, acknowledge, check removal."),
    "parse": ("firewatch.cli.crawl", "parse",
              "Parse a saved page (any encoding) and print one JSON listing per line."),
    "penalty": ("firewatch.cli.penalty", "penalty",
                "行政处罚决定 Penalty decisions recorded against a case's subjects (for credit-information sharing)."),
    "process": ("firewatch.cli.process", "process",
                "Drain the process queue: score, flag, capture evidence, index; then run the alert rules."),
    "report": ("firewatch.cli.report", "report",
               "Reports: the campaign report (XLSX + Chinese PDF with charts) for a date range."),
    "schedule": ("firewatch.cli.schedule", "schedule",
                 "Scheduled crawls (APScheduler): cron jobs per platform and keyword set."),
    "score": ("firewatch.cli.scoring", "score",
              "Score listings from a JSON-lines file (category, risk, reasons, evidence)."),
    "search": ("firewatch.cli.search", "search",
               "Search listings (Chinese full text: two-character queries such as 灭火 or 烟感 work)."),
    "sellers": ("firewatch.cli.sellers", "sellers",
                "经营者关联 Sellers behind shops: networks across platforms, repeat offenders."),
    "serve": ("firewatch.cli.web", "serve",
              "Serve the review web app (regulators, platforms, investigators, analysts)."),
    "session": ("firewatch.cli.crawl", "session",
                "Logged-in browser sessions (Playwright storage_state JSON) per platform."),
    "sites": ("firewatch.cli.sites", "sites",
              "The marketplaces as firewatch reaches them: reachability, robots.txt, sessions, blocks."),
    "store": ("firewatch.cli.store", "store",
              "The store of record: which one the settings name, and moving it to PostgreSQL."),
    "token": ("firewatch.cli.web", "token",
              "API tokens for platform integrations (Authorization: Bearer)."),
    "train": ("firewatch.cli.scoring", "train",
              "Train the category and risk models on classifiers/data/ (and on reviewers' decisions and prices from "
              "the store) and save them."),
    "user": ("firewatch.cli.web", "user",
             "Users of the web app: add, change a password, list."),
    "verify": ("firewatch.cli.export", "verify",
               "Verify an evidence pack: hashes, completeness, custody chain, signature, timestamp."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        command = getattr(importlib.import_module(module), attr)
        command.name = name
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, from the help lines above instead of importing every module."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)) for name in names])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False), help="Settings file (default: firewatch.toml, or $FIREWATCH_CONFIG).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Data directory (store, index, evidence, exports); overrides paths.data_dir.")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, config: str | None, data_dir: str | None, verbose: int) -> None:
    """firewatch: find counterfeit and uncertified fire-safety products on online marketplaces.

    \b
    The flow: crawl -> store -> score -> flag -> capture -> index -> export.
    Start with `firewatch demo` (the whole flow against a local replica market),
    then try `firewatch search 灭火`, `firewatch export takedown --platform jd`.
    """
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings(config)
    if data_dir:
        settings = settings.with_overrides({"paths": {"data_dir": str(Path(data_dir).resolve())}})
    set_offset(timedelta(days=settings.clock.offset_days))  # 0 unless a simulation (the demo) asks
    ctx.obj = settings


def main() -> None:
    """Entry point: run the CLI; a known error prints one line and exits with its code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止 aborted", err=True)
        sys.exit(130)
    except FirewatchError as exc:  # every package's errors derive from it
        message = " ".join(str(exc).splitlines())
        click.echo(f"{exc.label}: {message}" if exc.label else message, err=True)
        code = getattr(exc, "exit_code", 1)
        sys.exit(code if isinstance(code, int) else 1)
