"""`firewatch evaluate`: measure the saved models on a labelled JSONL file.

Prints per-category precision/recall/F1, the confusion matrix and per-reason recall as
text, and writes the confusion matrix and the risk precision-recall curve as PNGs
(default `<data_dir>/reports/`). The logic lives in `classifiers.evaluate`; the CLI's
`main()` maps errors to exit codes as for every other command.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSON lines (title, category, reasons ...); default: the packaged held-out file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Directory for the PNG plots (default: <data_dir>/reports/).")
@click.pass_context
def evaluate(ctx, data_path: str | None, out_dir: str | None) -> None:
    """Evaluate the saved models: per-class scores, confusion matrix, reason recall, PR curve."""
    from classifiers.corpus import HELDOUT_PATH, load_records
    from classifiers.evaluate import evaluate_records, format_report, write_plots
    from firewatch.cli import console, load_scorer, load_watchlist, out

    settings = ctx.find_root().obj
    path = Path(data_path) if data_path else HELDOUT_PATH
    scorer = load_scorer(settings)
    threshold = float(settings.section("scoring")["threshold"])
    report = evaluate_records(scorer, load_records(path), threshold=threshold, watchlist=load_watchlist(settings))
    out.file.write(f"evaluation of {path} ({report.n} records)\n\n{format_report(report)}\n")
    target = Path(out_dir) if out_dir else settings.data_dir / "reports"
    for png in write_plots(report, target, stem=path.stem):
        console.print(f"图表 plot -> {png}")
