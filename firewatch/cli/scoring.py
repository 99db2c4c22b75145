"""`firewatch train`, `score` and `evaluate`: the models, on their own or on a JSON-lines file.

`train` fits the category and risk models (and prices from the store when it holds
enough listings); `score` writes category, risk and reasons per input line; `evaluate`
prints per-class and per-reason figures and writes the confusion-matrix and PR-curve PNGs.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.progress import Progress
from rich.table import Table

from classifiers.corpus import (CORPUS_PATH, HELDOUT_PATH, OPENED_PATHS, SEALED_PATHS, TRAINING_PATHS, load_records,
                               load_training)
from classifiers.exceptions import LabelledFileError
from classifiers.feedback import NO_REASON, ReviewSet, reviews_from_store
from classifiers.evaluate import evaluate_records, format_comparison, format_report, write_plots
from classifiers.price import fit_price_model_from_store
from classifiers.scorer import train_default
from classifiers.watchlist import Watchlist
from firewatch.cli.common import console, out, settings_of
from firewatch.cli.score_input import check_record, input_lines, too_long, wrong_encoding
from firewatch.core.exceptions import ImportFileError
from firewatch.core.files import atomic_writer
from firewatch.core.labels import reason_name
from firewatch.imports import labelled_set_watchlist, watchlist_from_sources
from firewatch.services.loaders import load_scorer, load_watchlist
from firewatch.services.review_trends import training_line
from firewatch.store import open_store, store_exists

SCORE_BATCH = 500  # `firewatch score` records scored together
MAX_SHOWN_ERRORS = 50  # bad input lines listed one by one (then a count)


@click.command()
@click.option("--prices-from-store/--no-prices-from-store", default=None,
              help="Fit the price model on the store's listings (default: when it holds at least scoring.price_min_listings).")
@click.option("--from-reviews/--no-reviews", "from_reviews", default=None,
              help="也从审核结论学习（确认：该商品的理由为正例；驳回：负例） learn from reviewers' decisions in the "
                   "store too (default: training.from_reviews).")
@click.pass_context
def train(ctx, prices_from_store, from_reviews) -> None:
    """Train the category and risk models on classifiers/data/ (and on reviewers' decisions and prices from the
    store) and save them."""
    settings = settings_of(ctx)
    use_reviews = settings.training.from_reviews if from_reviews is None else from_reviews
    reviews = None
    if use_reviews and store_exists(settings.store_url):
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            reviews = _read_reviews(store, settings.training)
        print_reviews(reviews)
    elif use_reviews:
        out.print("审核结论：尚无数据库，未使用 no store yet")
    scorer = train_default(settings.model_dir, reviews=reviews)
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


def _read_reviews(store, training) -> ReviewSet:
    """The store's reviewer records, with a progress bar when there are many decisions to read."""
    # the caps are shares of what the models are trained on: the corpus and the other training files
    corpus_size = len(load_training([CORPUS_PATH, *(p for p in TRAINING_PATHS if p.is_file())]))
    kwargs = dict(corpus_size=corpus_size, weight=training.review_weight, max_share=training.review_max_share,
                  reviewer_max_share=training.reviewer_max_share, batch=training.batch)
    if store.feedback.decided_count() <= training.batch:
        return reviews_from_store(store, **kwargs)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("读取审核结论 reading decisions", total=None)
        return reviews_from_store(store, **kwargs,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))


OUTCOMES = (("confirmed", "确认（正例）"), ("dismissed", "驳回（负例）"), ("duplicate", "重复"),
            ("heldout", "留出集"), ("conflict", "结论冲突"), ("no_reason", "确认但无理由"),
            ("reasons_unknown", "结论时理由未知"))


def print_reviews(reviews: ReviewSet) -> None:
    """What `train` learnt from reviewers' decisions, in Chinese: used, dropped and why, by reason."""
    used = len(reviews.records)
    out.print(f"审核结论：读取 {reviews.read} 条有效结论（每个商品最新一条，已撤销的不计），"
              f"使用 {used} 条（确认 {reviews.positives}，驳回 {reviews.negatives}），"
              f"因重复舍弃 {reviews.duplicates} 条，因属留出集舍弃 {reviews.heldout} 条，"
              f"因结论冲突舍弃 {reviews.conflicts} 个文本，确认但无理由 {reviews.no_reason} 条，"
              f"结论时理由未知（早于理由留存、评估晚于结论）{reviews.reasons_unknown} 条", markup=False, soft_wrap=True)
    cap = "" if reviews.scale >= 1 else f"，总量上限按 {reviews.scale:.3f} 缩放"
    capped = f"，{reviews.capped_reviewers} 名审核员达到个人上限" if reviews.capped_reviewers else ""
    out.print(f"审核记录权重合计 {sum(reviews.weights):.1f}（每条 {reviews.settings['weight']:g}，"
              f"{reviews.reviewers} 名审核员{cap}{capped}）", markup=False, soft_wrap=True)
    if not reviews.by_reason:
        return
    table = Table(title="按理由 by reason")
    table.add_column("理由")
    for _, name in OUTCOMES:
        table.add_column(name, justify="right")
    for code, counts in sorted(reviews.by_reason.items()):
        label = "（无理由）" if code == NO_REASON else f"{reason_name(code)} {code}"
        table.add_row(label, *(str(counts.get(k, 0)) for k, _ in OUTCOMES))
    out.print(table)


@click.command()
@click.option("--in", "in_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON lines (UTF-8): id, title, and optionally platform, price, shop, attributes, description, "
                   "first_seen and last_seen (YYYY-MM-DD).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Where to write the scored JSON lines.")
@click.option("--skip-bad-lines", is_flag=True,
              help="有错误行时跳过它们（逐行警告）并为其余各行评分 score the good lines, warn about each bad one "
                   "(default: a file with a bad line is refused and nothing is written).")
@click.pass_context
def score(ctx, in_path: str, out_path: str, skip_bad_lines: bool) -> None:
    """Score listings from a JSON-lines file (category, risk, reasons, evidence).

    \b
    每行一个 UTF-8 编码的 JSON 对象，id 与 title 必填。某行不是 JSON 对象、缺少 id 或 title、
    price 不是非负数字或价格文本、attributes 不是对象、first_seen 或 last_seen 不是日期、
    超过 1 MB 时，按文件和行号列出每个错误行及原因，不写入任何内容（退出码 65）；
    加 --skip-bad-lines 则跳过错误行（逐行警告）并为其余各行评分。文件不是 UTF-8
    （如 UTF-16）时整份拒绝，并说明如何转换。
    """
    bad: list[tuple[int, str]] = []
    with open(in_path, "rb") as src:  # every line checked before anything is scored or written
        encoding = wrong_encoding(src.read(4096))
        if encoding:
            raise ImportFileError(f"{in_path} 第 1 行起：{encoding}；未评分、未写入 {out_path}")
        src.seek(0)
        for lineno, line in input_lines(src):
            problem = too_long() if line is None else check_record(line)[1] if line.strip() else None
            if problem:
                bad.append((lineno, problem))
    for lineno, problem in bad[:MAX_SHOWN_ERRORS]:
        console.print(f"{'警告：跳过 ' if skip_bad_lines else ''}{in_path} 第 {lineno} 行：{problem}", markup=False, soft_wrap=True)
    if len(bad) > MAX_SHOWN_ERRORS:
        console.print(f"……另有 {len(bad) - MAX_SHOWN_ERRORS} 行有错误", markup=False, soft_wrap=True)
    if bad and not skip_bad_lines:
        raise ImportFileError(f"{in_path}: {len(bad)} 行有错误，未评分、未写入 {out_path}；改正这些行后重试，"
                              "或加 --skip-bad-lines 跳过错误行")
    settings = settings_of(ctx)
    scorer = load_scorer(settings, console.print)
    watchlist = load_watchlist(settings)
    threshold = settings.scoring.threshold
    skip = {lineno for lineno, _ in bad}
    n = 0
    batch: list[dict] = []

    def flush(dst) -> None:  # score a batch at once (the scorer's fast path), write it in input order
        for line_out in scorer.score_records(batch, watchlist=watchlist, threshold=threshold):
            dst.write((json.dumps(line_out, ensure_ascii=False) + "\n").encode("utf-8"))
        batch.clear()

    with open(in_path, "rb") as src, atomic_writer(out_path) as dst:
        for lineno, line in input_lines(src):
            if line is None or not line.strip() or lineno in skip:
                continue
            record, _ = check_record(line)
            batch.append(record)
            n += 1
            if len(batch) >= SCORE_BATCH:
                flush(dst)
        flush(dst)
    skipped = f"，跳过错误行 {len(bad)} 行 skipped" if bad else ""
    console.print(f"{n} 条已评分 scored{skipped} -> {out_path}")


@click.command()
@click.option("--data", "data_paths", multiple=True, type=click.Path(),
              help="Labelled JSON lines (title, category, reasons ...), repeatable; default: the packaged "
                   "held-out files (the first; the second, third, ninth, tenth, eleventh, sixteenth, eighteenth, "
                   "nineteenth, twentieth, twenty-first, twenty-second and twenty-third, opened in sessions 29 to 39, their misses read; the sealed others when present), "
                   "side by side.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Directory for the PNG plots (default: <data_dir>/reports/).")
@click.pass_context
def evaluate(ctx, data_paths: tuple[str, ...], out_dir: str | None) -> None:
    """Evaluate the saved models: per-class scores, confusion matrix, reason recall, PR curve;
    several files are also compared side by side (per reason P/R/support, risk F1, Brier, ECE)."""
    settings = settings_of(ctx)
    paths = [Path(p) for p in data_paths] or [p for p in (HELDOUT_PATH, *OPENED_PATHS, *SEALED_PATHS) if p.is_file()]
    labelled = {path: load_records(path) for path in paths}  # every file checked before the models load
    for path, records in labelled.items():
        if not records:
            raise LabelledFileError(f"{path} 没有带标签的记录（文件为空或只有空行）；--data 应指向带标签的 JSON 行文件"
                                    "（每行一个对象，含 title 与 category）")
    scorer = load_scorer(settings, console.print)
    out.print(training_line(scorer.meta_), markup=False, soft_wrap=True)
    threshold = settings.scoring.threshold
    watchlist = load_watchlist(settings)
    target = Path(out_dir) if out_dir else settings.data_dir / "reports"
    reports = []
    for path in paths:
        # a labelled set may come with the spot-check list its watchlist_seller labels refer to,
        # used with the configured watchlist for that set only
        side = labelled_set_watchlist(path)
        extra = watchlist_from_sources(side) if side else None
        names = (watchlist.names if watchlist else []) + (extra.names if extra else [])
        report = evaluate_records(scorer, labelled[path], threshold=threshold,
                                  watchlist=Watchlist(names) if names else None)
        if extra:
            console.print(f"名单 watchlist for {path.name}: {side} ({len(extra)} names)")
        reports.append((path.stem, report))
        out.file.write(f"评估 evaluation of {path}（{report.n} 条 records）\n\n{format_report(report)}\n\n")
        for png in write_plots(report, target, stem=path.stem):
            console.print(f"图表 plot -> {png}")
    if len(reports) > 1:
        out.file.write(f"并列对比（阈值 {threshold:g}）side by side (threshold {threshold:g})\n{format_comparison(reports)}\n")
