"""Evaluation: report figures, text tables, PNG plots, and the `firewatch evaluate` command."""

import json
import re

import numpy as np
import pytest
from rich.cells import cell_len

from classifiers.corpus import HELDOUT_PATH, load_records, record_to_listing
from classifiers.evaluate import (evaluate_records, format_comparison, format_deciles, format_report, score_deciles,
                                 write_plots)

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
    for needle in ("精确率 precision", "手提式灭火器 portable_extinguisher", "混淆矩阵 confusion matrix",
                   "应付检查 inspection_only", "平均精确率 average precision", "召回率 recall"):
        assert needle in text
    # the tables' columns line up on screen: every line of a table ends at the same display column
    classes, _, reasons = text.split("\n\n")
    assert len({cell_len(line) for line in classes.splitlines()[:-1]}) == 1
    assert len({cell_len(line) for line in reasons.splitlines()[:len(report.reason_recall) + 1]}) == 1


def test_plots(scorer, tmp_path):
    report = evaluate_records(scorer, load_records(HELDOUT_PATH), now=NOW)
    paths = write_plots(report, tmp_path / "reports")
    assert [p.name for p in paths] == ["heldout-confusion.png", "heldout-risk-pr.png", "heldout-reliability.png"]
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
    assert "评估 evaluation of" in result.stdout and "（30 条 records）" in result.stdout and "召回率 recall" in result.stdout
    assert (data_dir / "reports" / "small-confusion.png").is_file()
    result = run_firewatch("evaluate", "--data", str(data), "--out", str(tmp_path / "png"), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "png" / "small-risk-pr.png").is_file()


def test_reason_counts_and_comparison(scorer):
    """Per reason (tp, fp, fn) counted on flagged listings; two sets side by side with risk F1,
    Brier and ECE (issue 17: both held-out sets are reported this way)."""
    records = load_records(HELDOUT_PATH)
    report = evaluate_records(scorer, records, now=NOW)
    flagged_codes = sum(len({r.code for r in a.reasons}) for a, f in
                        zip(scorer.assess_many([record_to_listing(r) for r in records], now=NOW), report.risk_flagged) if f)
    assert sum(tp + fp for tp, fp, _ in report.reason_counts.values()) == flagged_codes
    assert sum(tp + fn for tp, _, fn in report.reason_counts.values()) == sum(len(r["reasons"]) for r in records)
    half = evaluate_records(scorer, records[:100], now=NOW)
    text = format_comparison([("heldout", report), ("first100", half)])
    lines = text.splitlines()
    assert "heldout" in lines[0] and "first100" in lines[0]
    row = next(line for line in lines if line.startswith("应付检查 inspection_only"))
    tp, fp, fn = report.reason_counts["inspection_only"]
    assert f"{tp / (tp + fp):.3f}" in row and f"{tp + fn:>7d}" in row
    for needle in ("风险 F1 risk F1", "Brier", "期望校准误差 ECE", "类别宏平均 F1 category macro-F1"):
        assert needle in text
    assert f"{report.risk_f1:.3f}" in next(line for line in lines if line.startswith("风险 F1 risk F1"))
    assert len({cell_len(line) for line in lines[:-1]}) == 1  # aligned by display width (CJK: two cells)


def test_score_deciles():
    assert score_deciles([0.0, 0.05, 0.5, 0.95, 1.0, 0.999]) == [2, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert "0.9-1.0" in format_deciles([0.95])


def test_cli_evaluate_side_by_side(install_model, run_firewatch, tmp_path):
    data_dir = tmp_path / "data"
    install_model(data_dir)
    rows = load_records(HELDOUT_PATH)
    paths = []
    for name, part in (("one", rows[:40]), ("two", rows[40:90])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in part), encoding="utf-8")
        paths.append(path)
    result = run_firewatch("evaluate", "--data", str(paths[0]), "--data", str(paths[1]), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    side = result.stdout.split("并列对比（阈值 0.5）side by side", 1)[1]
    assert "one" in side and "two" in side and "风险 F1 risk F1" in side and "ECE" in side
    assert (data_dir / "reports" / "two-risk-pr.png").is_file()


def test_a_dev_split_is_judged_against_its_sealed_twins_spot_check_list(install_model, run_firewatch, tmp_path):
    """watchlist_seller labels refer to published spot-check lists (domain.md, 抽查结果名单); the packaged
    heldout2_watchlist.csv holds them with their sources, and heldout2_dev uses the same file."""
    from firewatch.imports import labelled_set_watchlist, read_watchlist_file
    from classifiers.corpus import HELDOUT2_DEV_PATH, HELDOUT2_PATH

    packaged = labelled_set_watchlist(HELDOUT2_DEV_PATH)
    assert packaged == labelled_set_watchlist(HELDOUT2_PATH) == HELDOUT2_PATH.with_name("heldout2_watchlist.csv")
    assert read_watchlist_file(packaged).records  # real rows, each with its publisher and source address

    data_dir = tmp_path / "data"
    install_model(data_dir)
    watched = {"title": "消防器材 手提式干粉灭火器4kg MFZ/ABC4 店铺工厂用", "category": "portable_extinguisher",
               "reasons": ["watchlist_seller"], "platform": "taobao", "price": "65.00",
               "attributes": {"品牌": "鑫安", "生产企业": "玉环富捷消防设备有限公司"}, "shop": "平安消防器材店"}
    data = tmp_path / "probe_dev.jsonl"
    data.write_text(json.dumps(watched, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_firewatch("evaluate", "--data", str(data), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert re.search(r"watchlist_seller\s+0 / 1 ", result.stdout)  # no list beside the set: cannot be found
    (tmp_path / "probe_watchlist.csv").write_bytes(packaged.read_bytes())
    result = run_firewatch("evaluate", "--data", str(data), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "名单 watchlist for probe_dev.jsonl" in result.stderr
    assert re.search(r"watchlist_seller\s+1 / 1 ", result.stdout)


GOOD_LINE = json.dumps({"title": "手提式干粉灭火器 4kg", "category": "portable_extinguisher", "reasons": []},
                       ensure_ascii=False)


@pytest.mark.parametrize("second,reason", [
    (b"", None),  # an empty file: nothing to evaluate
    ('{"title": "灭火器", "category": "portable_extinguisher"}'.encode("gbk"), "第 2 行：不是 UTF-8 文本"),
    ('{"title": "灭火器", "category": "portable_extinguisher", "first_seen": "昨天"}'.encode(),
     "第 2 行：first_seen「昨天」不是日期"),
    ('{"title": "灭火器", "category": "portable_extinguisher", "last_seen": 5}'.encode(),
     "第 2 行：last_seen 应为日期文本（YYYY-MM-DD），实为数字"),
    ('["灭火器", "portable_extinguisher"]'.encode(), "第 2 行：应为 JSON 对象"),
    ('{"title": "灭火器"}'.encode(), "第 2 行：缺少 category"),
    ('{"title": "灭火器", "category": "portable_extinguisher", "reasons": "inspection_only"}'.encode(),
     "第 2 行：reasons 应为理由代码的数组（如 [\"inspection_only\"]，无理由写 []），实为文本"),
    ('{"title": "灭火器", "category": "extinguisher", "reasons": []}'.encode(),
     "第 2 行：category「extinguisher」不是分类代码"),
    ('{"title": "灭火器", "category": "portable_extinguisher", "reasons": ["fake_cert"]}'.encode(),
     "第 2 行：reasons 中的「fake_cert」不是理由代码"),
    ('{"title": ["灭火器"], "category": "portable_extinguisher"}'.encode(), "第 2 行：title 应为文本，实为数组"),
])
def test_a_malformed_data_file_is_named_with_line_and_field(run_firewatch, tmp_path, second, reason):
    """Each problem of a --data file: exit 2 (a usage error: nothing evaluated), one Chinese line naming
    the file, the line and the field, no traceback; checked before the models load (none is installed)."""
    data = tmp_path / "bad.jsonl"
    data.write_bytes(second if reason is None else GOOD_LINE.encode() + b"\n" + second + b"\n")
    result = run_firewatch("evaluate", "--data", str(data))
    message = result.stderr.replace("\n", "")
    assert result.returncode == 2 and "Traceback" not in message, message
    assert message.startswith("数据文件错误 data file error: ")
    if reason is None:
        assert f"{data} 没有带标签的记录" in message
    else:
        assert f"{data} {reason}" in message
    assert "no trained model" not in message


def test_a_missing_data_file_is_named_in_chinese(run_firewatch, tmp_path):
    for path, what in ((tmp_path / "nowhere.jsonl", "不存在"), (tmp_path, "是目录，不是文件")):
        result = run_firewatch("evaluate", "--data", str(path))
        assert result.returncode == 2 and f"数据文件 {path} {what}" in result.stderr.replace("\n", "")
