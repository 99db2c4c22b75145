"""Evaluation: report figures, text tables, PNG plots, and the `firewatch evaluate` command."""

import json

import numpy as np

from classifiers.corpus import HELDOUT_PATH, load_records
from classifiers.evaluate import evaluate_records, format_report, write_plots

from tests.helpers import NOW


def test_report_matches_scorer_evaluate(scorer):
    records = load_records(HELDOUT_PATH)
    report = evaluate_records(scorer, records, now=NOW)
    summary = scorer.evaluate(records, now=NOW)
    assert report.n == summary["n"] == len(records)
    assert round(report.accuracy, 4) == summary["category_accuracy"]
    assert round(report.risk_precision, 4) == summary["risk_precision"]
    assert round(report.risk_recall, 4) == summary["risk_recall"]
    assert report.confusion.shape == (len(report.labels), len(report.labels))
    assert report.confusion.sum() == len(records)
    assert int(np.trace(report.confusion)) == round(report.accuracy * len(records))
    hits = sum(h for h, _ in report.reason_recall.values())
    total = sum(t for _, t in report.reason_recall.values())
    assert round(hits / total, 4) == summary["reason_code_recall"]
    assert 0 < report.average_precision <= 1
    text = format_report(report)
    for needle in ("precision", "portable_extinguisher", "confusion matrix", "inspection_only", "average precision"):
        assert needle in text


def test_plots(scorer, tmp_path):
    report = evaluate_records(scorer, load_records(HELDOUT_PATH), now=NOW)
    paths = write_plots(report, tmp_path / "reports")
    assert [p.name for p in paths] == ["heldout-confusion.png", "heldout-risk-pr.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000


def test_cli_evaluate(install_model, run_firewatch, tmp_path):
    data_dir = tmp_path / "data"
    install_model(data_dir)
    data = tmp_path / "small.jsonl"
    rows = load_records(HELDOUT_PATH)[:30]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")

    result = run_firewatch("evaluate", "--data", str(data), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "evaluation of" in result.stdout and "(30 records)" in result.stdout and "recall" in result.stdout
    assert (data_dir / "reports" / "small-confusion.png").is_file()
    result = run_firewatch("evaluate", "--data", str(data), "--out", str(tmp_path / "png"), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "png" / "small-risk-pr.png").is_file()
