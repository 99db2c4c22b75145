"""The `firewatch` command line: one click group, one command per job.

Heavy imports (Scrapy, scikit-learn, Playwright) happen inside the commands so that
`--help` stays fast. Errors that a user can act on are `FirewatchError`s (and the
crawler's and classifiers' own errors); `main()` maps them to a message and an exit
code in one place.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from rich.console import Console

from firewatch.cli_alerts import alerts
from firewatch.cli_evaluate import evaluate
from firewatch.cli_export import evidence_item, export, verify  # noqa: F401 (evidence_item: demo)
from firewatch.cli_import import import_
from firewatch.cli_search import index, search
from firewatch.cli_notice import notice
from firewatch.cli_schedule import schedule
from firewatch.cli_web import audit, serve, token, user
from firewatch.core.exceptions import FirewatchError, NotFoundError
from firewatch.core.settings import Settings, load_settings

console = Console(stderr=True)
out = Console()


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


def _parse_key(text: str, store) -> tuple[str, str]:
    """'jd:100012' or a bare listing id (must be unique across platforms)."""
    if ":" in text:
        platform, listing_id = text.split(":", 1)
        return platform, listing_id
    matches = [l.key for l in store.iter_listings() if l.listing_id == text]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"no listing with id {text}; use `firewatch search` to find one, or write PLATFORM:ID")
    raise NotFoundError(f"id {text} exists on several platforms ({', '.join(p for p, _ in matches)}): write PLATFORM:ID")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = settings


# -- market -------------------------------------------------------------------------
@cli.group()
def market() -> None:
    """The demo market: a local replica of JD, Taobao/Tmall, PDD and 1688."""


@market.command("serve")
@click.option("--port", default=8800, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--seed", default=7, show_default=True, help="Catalogue seed (same seed, same market).")
@click.option("--day", default=0, show_default=True, help="Market day: later days change prices, delist and relist.")
@click.option("--gentle", is_flag=True, help="Switch off rate limits, captchas and injected 5xx errors.")
def market_serve(port: int, seed: int, day: int, gentle: bool) -> None:
    """Serve the demo market in the foreground until Ctrl-C.

    Advance time while it runs:  curl -X POST -d '{"day": 3}' http://127.0.0.1:PORT/_admin/day
    """
    from demo_market.server import QUIET, serve

    console.print(f"演示市场 demo market: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
    serve(port=port, seed=seed, day=day, **(QUIET if gentle else {}))


# -- crawl ----------------------------------------------------------------------------
PLATFORM_CHOICE = click.Choice(["jd", "taobao", "pdd", "1688"])


@cli.group(invoke_without_command=True)
@click.option("--platform", "platforms", multiple=True, type=PLATFORM_CHOICE, help="Platform to crawl (repeatable; default: crawl.platforms). taobao includes Tmall.")
@click.option("--category", "categories", multiple=True, help="Search the keyword set of this category code (repeatable), e.g. smoke_alarm; see [crawl.keywords].")
@click.option("--query", "keywords", multiple=True, help="Search this keyword (repeatable); overrides keyword sets. Default: the set 'default'.")
@click.option("--base-url", help="Marketplace root (default: crawl.base_url), e.g. the demo market's URL.")
@click.option("--echo-commits", is_flag=True, hidden=True, help="Print each stored listing's key after its commit.")
@click.option("--no-progress", is_flag=True, help="No progress display.")
@click.pass_context
def crawl(ctx, platforms, categories, keywords, base_url, echo_commits, no_progress) -> None:
    """Crawl marketplaces into the store (one run; see `crawl history`)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from crawler.keywords import keyword_plan
    from crawler.run import run_crawl

    settings = _settings(ctx)
    if base_url:
        settings = settings.with_overrides({"crawl": {"base_url": base_url}})
    platforms = platforms or tuple(settings.section("crawl")["platforms"])
    plan = keyword_plan(settings, platforms, categories, keywords)
    level = logging.getLogger().level
    if no_progress or echo_commits:
        results = run_crawl(settings, platforms, plan, echo_commits=echo_commits, log_level=level)
    else:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as progress:
            results = run_crawl(settings, platforms, plan, progress=progress, log_level=level)
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
        raise FirewatchError(f"no page could be fetched from {settings.section('crawl')['base_url']}: is the market "
                             "running (`firewatch market serve`)? Set crawl.base_url or pass --base-url.")


@crawl.command("history")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def crawl_history(ctx, limit: int) -> None:
    """List recorded crawl runs, newest first."""
    from rich.table import Table

    from firewatch.store import open_store

    with open_store(_settings(ctx).store_path) as store:
        table = Table(title="抓取记录 crawl runs")
        cols = ("id", "platform", "started_at", "ended_at", "pages", "items", "errors", "blocks", "throttled", "outcome")
        for c in cols:
            table.add_column(c, no_wrap=True)
        for run in store.crawl_runs(limit):
            cells = {c: "" if run[c] is None else str(run[c]) for c in cols}
            for c in ("started_at", "ended_at"):  # ISO UTC to the second
                cells[c] = cells[c][:19].replace("T", " ")
            table.add_row(*(cells[c] for c in cols))
        out.print(table)


@cli.group()
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
    from crawler.sessions import import_session

    s = import_session(platform, file, _settings(ctx).data_dir)
    dropped = f" ({len(s.expired)} expired dropped)" if s.expired else ""
    out.print(f"已导入 imported {len(s.cookies)} cookies for {', '.join(s.domains)} -> {s.path}{dropped}")


cli.add_command(schedule)
cli.add_command(alerts)
cli.add_command(evaluate)
cli.add_command(import_)
cli.add_command(search)
cli.add_command(index)
cli.add_command(serve)
cli.add_command(user)
cli.add_command(token)
cli.add_command(audit)


# -- models and scoring ---------------------------------------------------------------
@cli.command()
@click.option("--prices-from-store/--no-prices-from-store", default=None,
              help="Fit the price model on the store's listings (default: when it holds at least scoring.price_min_listings).")
@click.pass_context
def train(ctx, prices_from_store) -> None:
    """Train the category and risk models on classifiers/data/ (and prices on the store) and save them."""
    from classifiers.price import fit_price_model_from_store
    from classifiers.scorer import train_default
    from firewatch.store import open_store

    settings = _settings(ctx)
    scorer = train_default(settings.model_dir)
    if prices_from_store is not False and settings.store_path.exists():
        with open_store(settings.store_path) as store:
            n = sum(store.count_listings().values())
            if prices_from_store or n >= int(settings.section("scoring")["price_min_listings"]):
                model = fit_price_model_from_store(store, scorer)
                scorer.set_price_model(model).save(settings.model_dir)
                out.print(f"价格模型 price model: {model.n_listings_} listings in {len(model.groups_)} groups")
    out.print(f"模型已保存 models saved to {settings.model_dir}")
    metrics = scorer.meta_.get("metrics")
    if metrics:
        out.print_json(json.dumps(metrics, ensure_ascii=False, default=str))


def load_scorer(settings: Settings):
    """The saved scorer, trained first when none is saved yet.

    Only a missing model is trained here: a model that fails its checks (tampered, or
    written by another scikit-learn version) raises `ModelIntegrityError`, whose message
    says to run `firewatch train`; retraining over it silently would hide the problem.
    """
    from classifiers.exceptions import ModelNotTrainedError
    from classifiers.scorer import Scorer, train_default

    try:
        scorer = Scorer.load(settings.model_dir)
    except ModelNotTrainedError:
        console.print("[yellow]没有已训练的模型, 正在训练 no saved model: training now (as `firewatch train` does)[/yellow]")
        scorer = train_default(settings.model_dir)
    scorer.rules.registry = load_registry(settings)
    return scorer


SCORE_BATCH = 500  # `firewatch score` records scored together


def load_watchlist(settings: Settings, store=None):
    """The watchlist: names imported into the store (`firewatch import watchlist`) plus the
    spot-check list file named by scoring.watchlist (CSV or XLSX, UTF-8 or GBK), or None."""
    from firewatch.imports import watchlist_from_sources
    from firewatch.store import open_store

    if store is None and settings.store_path.exists():
        with open_store(settings.store_path) as opened:
            return watchlist_from_sources(settings.watchlist_path, opened)
    return watchlist_from_sources(settings.watchlist_path, store)


def load_registry(settings: Settings, store=None):
    """The certificate lookup from the store (`firewatch import certificates`), or None."""
    from firewatch.imports import registry_from_store
    from firewatch.store import open_store

    if store is not None:
        return registry_from_store(store)
    if not settings.store_path.exists():
        return None
    with open_store(settings.store_path) as opened:
        return registry_from_store(opened)


@cli.command()
@click.option("--in", "in_path", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON lines: id, title, and optionally platform, price, shop, attributes, description.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Where to write the scored JSON lines.")
@click.pass_context
def score(ctx, in_path: str, out_path: str) -> None:
    """Score listings from a JSON-lines file (category, risk, reasons, evidence)."""
    settings = _settings(ctx)
    scorer = load_scorer(settings)
    watchlist = load_watchlist(settings)
    threshold = float(settings.section("scoring")["threshold"])
    n = 0
    batch: list[dict] = []

    def flush() -> None:  # score a batch at once (the scorer's fast path), write it in input order
        for line_out in scorer.score_records(batch, watchlist=watchlist, threshold=threshold):
            dst.write(json.dumps(line_out, ensure_ascii=False) + "\n")
        batch.clear()

    with open(in_path, encoding="utf-8-sig") as src, open(out_path, "w", encoding="utf-8") as dst:
        for lineno, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FirewatchError(f"{in_path}:{lineno}: not JSON ({exc})") from exc
            batch.append(record)
            n += 1
            if len(batch) >= SCORE_BATCH:
                flush()
        flush()
    console.print(f"{n} 条已评分 scored -> {out_path}")


@cli.command()
@click.option("--capture/--no-capture", default=True, show_default=True, help="Capture screenshots of flagged listings.")
@click.option("--max-captures", type=int, default=None, help="Capture at most this many now; the rest stay queued.")
@click.pass_context
def process(ctx, capture: bool, max_captures: int | None) -> None:
    """Drain the process queue: score, flag, capture evidence, index; then run the alert rules."""
    settings = _settings(ctx)
    stats = run_processing(settings, capture=capture, max_captures=max_captures)
    out.print(f"评分 scored {stats.scored}, 标记 flagged {stats.flagged}, 截图 captured {stats.captured}, "
              f"索引 indexed {stats.indexed}, 错误 errors {len(stats.errors)}")
    if stats.index_unavailable:
        console.print(f"[yellow]索引暂停 index stage paused:[/yellow] {stats.index_unavailable}")
    if settings.section("alerts")["run_on_process"]:
        from alerts.rules import AlertsConfig, run_rules
        from firewatch.store import open_store

        with open_store(settings.store_path) as store:
            result = run_rules(store, AlertsConfig.from_settings(settings))
        new = ", ".join(f"{rule} {n}" for rule, n in result.new_per_rule.items()) or "none"
        out.print(f"告警 new alerts: {new}" + ("; send them: firewatch alerts send" if result.new_ids else ""))


def run_processing(settings: Settings, capture: bool = True, max_captures: int | None = None,
                   allowed_hosts: tuple[str, ...] = ()):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crawler.capture import CaptureError, Capturer
    from crawler.platforms.blocked import detect_block
    from firewatch.pipeline import Pipeline
    from firewatch.search import open_index_from_settings
    from firewatch.store import open_store
    from urllib.parse import urlsplit

    scorer = load_scorer(settings)
    threshold = float(settings.section("scoring")["threshold"])
    cap = settings.section("capture")
    hosts = allowed_hosts or (urlsplit(settings.section("crawl")["base_url"]).hostname or "127.0.0.1",)
    capturer = None
    if capture:
        capturer = Capturer(cap["chromium"], settings.evidence_dir, settings.section("crawl")["user_agent"], hosts,
                            max_height=int(cap["max_height"]), timeout_ms=int(cap["timeout_ms"]), is_blocked=detect_block,
                            concurrency=int(cap["concurrency"]), settle_ms=int(cap["settle_ms"]))
    with open_store(settings.store_path) as store:
        index = open_index_from_settings(settings)
        pipeline = Pipeline(store, index, scorer, threshold, load_watchlist(settings, store), capturer,
                            capture_errors=(CaptureError,), capture_limit=max_captures)
        try:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as progress:
                return pipeline.run(progress)
        finally:
            if capturer is not None:
                capturer.close()
            index.close()


# -- parse (search and index live in firewatch.cli_search) -------------------------------
@cli.command()
@click.option("--platform", required=True, type=click.Choice(["jd", "taobao", "tmall", "pdd", "1688", "web"]),
              help="web: any shop page carrying schema.org Product data (JSON-LD, microdata, OpenGraph).")
@click.option("--kind", required=True, type=click.Choice(["search", "item"]))
@click.option("--url", default="", help="The page's original URL (to make links absolute).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def parse(platform: str, kind: str, url: str, file: str) -> None:
    """Parse a saved page (any encoding) and print one JSON listing per line."""
    from crawler.platforms import parse_page

    for listing in parse_page(platform, kind, Path(file).read_bytes(), url=url, source=file):
        out.file.write(json.dumps(listing.to_dict(), ensure_ascii=False) + "\n")


# -- export and verify (firewatch/cli_export.py) -----------------------------------------
cli.add_command(export)
cli.add_command(verify)
cli.add_command(notice)


# -- demo -------------------------------------------------------------------------------
@cli.command()
@click.option("--port", default=0, show_default=True, help="Demo market port (0: a free one).")
@click.option("--max-captures", default=40, show_default=True, help="Screenshots to take now; other flagged listings stay queued.")
@click.option("--keep", is_flag=True, help="Keep earlier demo data instead of starting clean.")
@click.pass_context
def demo(ctx, port: int, max_captures: int, keep: bool) -> None:
    """Run the whole flow once against the demo market and print a summary."""
    from firewatch.demo import run_demo

    run_demo(_settings(ctx), port=port, max_captures=max_captures, keep=keep, console=console, out=out)


def _error_types() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [FirewatchError]
    for module, name in (("crawler.exceptions", "CrawlerError"), ("classifiers.exceptions", "ClassifierError"),
                         ("alerts.exceptions", "AlertsError")):
        try:
            errors.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(errors)


def main() -> None:
    """Entry point: run the CLI and map known errors to a message and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        console.print("aborted")
        sys.exit(130)
    except _error_types() as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(getattr(exc, "exit_code", 1) if isinstance(getattr(exc, "exit_code", 1), int) else 1)
