"""`firewatch train`, `score` and `evaluate`: the models, on their own or on a JSON-lines file.

`train` fits the category and risk models (and prices from the store when it holds
enough listings); `score` writes category, risk and reasons per input line; `evaluate`
prints per-class and per-reason figures and writes the confusion-matrix and PR-curve PNGs.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from classifiers.corpus import HELDOUT2_PATH, HELDOUT_PATH, load_records
from classifiers.evaluate import evaluate_records, format_comparison, format_report, write_plots
from classifiers.price import fit_price_model_from_store
from classifiers.scorer import train_default
from firewatch.cli.common import console, out, settings_of
from firewatch.core.exceptions import FirewatchError
from classifiers.watchlist import Watchlist
from firewatch.imports import watchlist_from_sources
from firewatch.services.loaders import load_scorer, load_watchlist
from firewatch.store import open_store, store_exists

SCORE_BATCH = 500  # `firewatch score` records scored together


@click.command()
@click.option("--prices-from-store/--no-prices-from-store", default=None,
              help="Fit the price model on the store's listings (default: when it holds at least scoring.price_min_listings).")
@click.pass_context
def train(ctx, prices_from_store) -> None:
    """Train the category and risk models on classifiers/data/ (and prices on the store) and save them."""
    settings = settings_of(ctx)
    scorer = train_default(settings.model_dir)
    if prices_from_store is not False and store_exists(settings.store_url):
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            n = sum(store.listings.count_listings().values())
            if prices_from_store or n >= settings.scoring.price_min_listings:
                model = fit_price_model_from_store(store, scorer)
                scorer.set_price_model(model).save(settings.model_dir)
                out.print(f"价格模型 price model: {model.n_listings_} listings in {len(model.groups_)} groups")
    out.print(f"模型已保存 models saved to {settings.model_dir}")
    metrics = scorer.meta_.get("metrics")
    if metrics:
        out.print_json(json.dumps(metrics, ensure_ascii=False, default=str))


@click.command()
@click.option("--in", "in_path", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON lines: id, title, and optionally platform, price, shop, attributes, description.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Where to write the scored JSON lines.")
@click.pass_context
def score(ctx, in_path: str, out_path: str) -> None:
    """Score listings from a JSON-lines file (category, risk, reasons, evidence)."""
    settings = settings_of(ctx)
    scorer = load_scorer(settings, console.print)
    watchlist = load_watchlist(settings)
    threshold = settings.scoring.threshold
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


@click.command()
@click.option("--data", "data_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSON lines (title, category, reasons ...), repeatable; default: both packaged "
                   "held-out files (the second when present), side by side.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Directory for the PNG plots (default: <data_dir>/reports/).")
@click.pass_context
def evaluate(ctx, data_paths: tuple[str, ...], out_dir: str | None) -> None:
    """Evaluate the saved models: per-class scores, confusion matrix, reason recall, PR curve;
    several files are also compared side by side (per reason P/R/support, risk F1, Brier, ECE)."""
    settings = settings_of(ctx)
    paths = [Path(p) for p in data_paths] or [p for p in (HELDOUT_PATH, HELDOUT2_PATH) if p.is_file()]
    scorer = load_scorer(settings, console.print)
    threshold = settings.scoring.threshold
    watchlist = load_watchlist(settings)
    target = Path(out_dir) if out_dir else settings.data_dir / "reports"
    reports = []
    for path in paths:
        # a labelled set may come with the spot-check list its watchlist_seller labels refer to
        # (<stem>_watchlist.csv beside it), used with the configured watchlist for that set only
        side = path.with_name(f"{path.stem}_watchlist.csv")
        extra = watchlist_from_sources(side) if side.is_file() else None
        names = (watchlist.names if watchlist else []) + (extra.names if extra else [])
        report = evaluate_records(scorer, load_records(path), threshold=threshold,
                                  watchlist=Watchlist(names) if names else None)
        if extra:
            console.print(f"名单 watchlist for {path.name}: {side} ({len(extra)} names)")
        reports.append((path.stem, report))
        out.file.write(f"evaluation of {path} ({report.n} records)\n\n{format_report(report)}\n\n")
        for png in write_plots(report, target, stem=path.stem):
            console.print(f"图表 plot -> {png}")
    if len(reports) > 1:
        out.file.write(f"side by side (threshold {threshold:g})\n{format_comparison(reports)}\n")
