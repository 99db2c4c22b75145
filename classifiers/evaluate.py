"""Evaluation of a trained scorer on a labelled JSONL file: tables and plots.

`evaluate_records(scorer, records)` scores labelled corpus records through the batch path into
an `EvaluationReport` (per-category scores, confusion matrix, recall per reason code, risk scores);
`format_report` renders it as text (headings in Chinese with the English beside, codes with their
Chinese names, columns aligned by display width), `write_plots` as PNGs (`firewatch.core.plotting`, CJK labels):
the confusion matrix, the risk precision-recall curve and the risk score's reliability diagram.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from rich.cells import cell_len
from sklearn.metrics import (average_precision_score, brier_score_loss, confusion_matrix, precision_recall_curve,
                             precision_recall_fscore_support)

from .calibration import expected_calibration_error
from .corpus import record_to_listing
from .exceptions import LabelledFileError
from .risk import REASON_CODES
from firewatch.core.labels import CATEGORY_NAMES, REASON_SHORT_NAMES
from firewatch.core.plotting import png_figure

logger = logging.getLogger(__name__)


@dataclass
class ClassScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class EvaluationReport:
    """Everything `firewatch evaluate` prints and plots for one labelled file."""

    n: int
    threshold: float
    labels: list[str]                       # category codes, confusion matrix order
    per_class: list[ClassScores]
    accuracy: float
    macro_f1: float
    confusion: np.ndarray                   # rows: true label, columns: predicted
    reason_recall: dict[str, tuple[int, int]]  # code -> (found, labelled)
    risk_true: np.ndarray                   # 1 where the record has any reason
    risk_scores: np.ndarray
    risk_flagged: np.ndarray
    risk_precision: float
    risk_recall: float
    average_precision: float
    brier: float = 0.0                      # calibration of risk_score on these records
    calibration_error: float = 0.0          # expected calibration error, 10 bins
    misclassified: list[dict[str, Any]] = field(default_factory=list)
    # code -> (tp, fp, fn): a code counts as predicted when a flagged listing names it
    reason_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def risk_f1(self) -> float:
        p, r = self.risk_precision, self.risk_recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_records(scorer, records: Iterable[dict[str, Any]], threshold: float = 0.5,
                     now: datetime | date | None = None, watchlist: Any = None) -> EvaluationReport:
    """Score labelled records with `scorer.assess_many` and measure the results."""
    records = list(records)
    if not records:
        raise LabelledFileError("没有带标签的记录可评估；请给出带标签的 JSON 行文件（每行一个对象，含 title 与 category）")
    assessments = scorer.assess_many([record_to_listing(r) for r in records], watchlist=watchlist,
                                     threshold=threshold, now=now)
    y_true = [str(r["category"]) for r in records]
    y_pred = [a.category for a in assessments]
    known = [str(c) for c in scorer.category_model_.classes_]
    labels = [c for c in CATEGORY_NAMES if c in set(known) | set(y_true) | set(y_pred)]
    labels += sorted((set(known) | set(y_true) | set(y_pred)) - set(labels))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = [ClassScores(lab, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
                 for i, lab in enumerate(labels)]
    present = [c for c in per_class if c.support > 0]
    macro_f1 = float(np.mean([c.f1 for c in present])) if present else 0.0
    cm = confusion_matrix(y_true, y_pred, labels=labels)

    reason_recall: dict[str, tuple[int, int]] = {}
    for rec, a in zip(records, assessments):
        got = {x.code for x in a.reasons}
        for code in rec.get("reasons", []) or []:
            hits, total = reason_recall.get(code, (0, 0))
            reason_recall[code] = (hits + (code in got), total + 1)
    order = {c: i for i, c in enumerate(REASON_CODES)}
    reason_recall = dict(sorted(reason_recall.items(), key=lambda kv: order.get(kv[0], len(order))))
    reason_counts = _reason_counts(records, assessments)

    risk_true = np.array([bool(rec.get("reasons")) for rec in records], dtype=int)
    risk_scores = np.array([a.risk_score for a in assessments], dtype=float)
    flagged = np.array([a.flagged for a in assessments], dtype=int)
    tp = int(((risk_true == 1) & (flagged == 1)).sum())
    fp = int(((risk_true == 0) & (flagged == 1)).sum())
    fn = int(((risk_true == 1) & (flagged == 0)).sum())
    ap = float(average_precision_score(risk_true, risk_scores)) if 0 < risk_true.sum() < len(risk_true) else 0.0
    misclassified = [{"title": rec.get("title", ""), "true": t, "predicted": pr}
                     for rec, t, pr in zip(records, y_true, y_pred) if t != pr]
    return EvaluationReport(
        n=len(records), threshold=threshold, labels=labels, per_class=per_class,
        accuracy=float(np.mean([t == pr for t, pr in zip(y_true, y_pred)])), macro_f1=macro_f1,
        confusion=cm, reason_recall=reason_recall, risk_true=risk_true, risk_scores=risk_scores,
        risk_flagged=flagged, risk_precision=tp / (tp + fp) if tp + fp else 0.0,
        risk_recall=tp / (tp + fn) if tp + fn else 0.0, average_precision=ap,
        brier=float(brier_score_loss(risk_true, risk_scores)),
        calibration_error=expected_calibration_error(risk_true, risk_scores),
        misclassified=misclassified, reason_counts=reason_counts)


def _reason_counts(records: list[dict[str, Any]], assessments) -> dict[str, tuple[int, int, int]]:
    """Per reason code (tp, fp, fn), every code of the taxonomy: a code is predicted when a
    flagged listing names it (what a reviewer would be shown), true when the record lists it."""
    counts = {code: [0, 0, 0] for code in REASON_CODES}
    for rec, a in zip(records, assessments):
        truth = set(rec.get("reasons", []) or [])
        got = {x.code for x in a.reasons} if a.flagged else set()
        for code in truth | got:
            c = counts.setdefault(code, [0, 0, 0])
            c[0 if code in truth and code in got else 1 if code in got else 2] += 1
    return {code: (tp, fp, fn) for code, (tp, fp, fn) in counts.items()}


def score_deciles(scores) -> list[int]:
    """How many scores fall in each tenth of [0, 1] (the last tenth includes 1.0)."""
    scores = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    which = np.minimum((scores * 10).astype(int), 9)
    return [int((which == b).sum()) for b in range(10)]


def format_deciles(scores, title: str = "risk_score by decile") -> str:
    """One line per tenth: the range, the count and a bar (the spread of the scores)."""
    counts = score_deciles(scores)
    top = max(counts) or 1
    lines = [f"{title} (n={sum(counts)})"]
    for b, n in enumerate(counts):
        lines.append(f"  {b / 10:.1f}-{(b + 1) / 10:.1f}  {n:6d}  {'#' * round(40 * n / top)}")
    return "\n".join(lines)


# -- text ---------------------------------------------------------------------------------
# Headings in Chinese with the English beside them; category and reason codes with their Chinese
# names (firewatch.core.labels, as the web pages show them). Columns are padded by display width
# (rich.cells: a CJK character takes two cells), so they stay aligned in a terminal.
def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - cell_len(text)) + text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of a table: the first column left-aligned, the others right-aligned, two spaces apart."""
    widths = [max(cell_len(cell) for cell in column) for column in zip(header, *rows)]
    return ["  ".join([_left(cells[0], widths[0])] + [_right(c, w) for c, w in zip(cells[1:], widths[1:])]).rstrip()
            for cells in [header, *rows]]


def category_label(code: str) -> str:
    """A category code with its Chinese name before it ("手提式灭火器 portable_extinguisher")."""
    name = CATEGORY_NAMES.get(code)
    return f"{name} {code}" if name else code


def reason_label(code: str) -> str:
    """A reason code with its short Chinese name before it ("应付检查 inspection_only")."""
    name = REASON_SHORT_NAMES.get(code)
    return f"{name} {code}" if name else code


def format_classification(report: EvaluationReport) -> str:
    rows = [[category_label(c.label), f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.support)]
            for c in report.per_class]
    rows.append(["准确率 accuracy", "", "", f"{report.accuracy:.3f}", str(report.n)])
    lines = _table(["类别 category", "精确率 precision", "召回率 recall", "F1", "样本数 support"], rows)
    lines.append(f"宏平均 F1（有样本的类别）macro F1 (classes with support)  {report.macro_f1:.3f}")
    return "\n".join(lines)


def format_confusion(report: EvaluationReport) -> str:
    """The confusion matrix with numbered columns (column k = label k in the row list)."""
    labels, cm = report.labels, report.confusion
    names = [category_label(lab) for lab in labels]
    width = max(cell_len(name) for name in names) + 1
    cell = max(3, len(str(int(cm.max()))) + 1) if cm.size else 3
    head = " " * (width + 3) + "".join(f"{k:>{cell}}" for k in range(len(labels)))
    lines = ["混淆矩阵 confusion matrix（行：真实类别 true，列：预测类别 predicted，列号即行号 numbered as the rows）", head]
    for k, name in enumerate(names):
        row = "".join(f"{int(v) if v else '.':>{cell}}" for v in cm[k])
        lines.append(f"{k:>2} {_left(name, width)}{row}")
    return "\n".join(lines)


def format_reasons(report: EvaluationReport) -> str:
    rows = [[reason_label(code), f"{hits} / {total}", f"{hits / total:.3f}"]
            for code, (hits, total) in report.reason_recall.items()]
    lines = _table(["理由 reason", "命中 / 标注 found / labelled", "召回率 recall"], rows)
    lines.append(f"风险标记（阈值 {report.threshold:g}）risk at threshold {report.threshold:g}: "
                 f"精确率 precision {report.risk_precision:.3f}，召回率 recall {report.risk_recall:.3f}；"
                 f"平均精确率 average precision {report.average_precision:.3f}")
    lines.append(f"风险分校准 risk_score calibration: Brier {report.brier:.4f}，期望校准误差 expected calibration error "
                 f"{report.calibration_error:.4f}（10 个区间 10 bins）")
    lines.append("风险分十分位（全部：条数/有风险比例）risk_score by decile (all: n / risky share):  " + "  ".join(
        f"{lo:.1f} {n}/{rate}" for lo, n, rate in reliability_bins(report.risk_true, report.risk_scores)))
    flagged = report.risk_scores[report.risk_flagged == 1]
    lines.append("已标记商品的风险分十分位 flagged listings' risk_score by decile:  " + "  ".join(
        f"{b / 10:.1f} {n}" for b, n in enumerate(score_deciles(flagged)) if b >= 5 or n))
    return "\n".join(lines)


def reliability_bins(y_true, scores, bins: int = 10) -> list[tuple[float, int, str]]:
    """Per tenth of [0, 1] holding scores: (lower edge, count, share that is risky as text)."""
    y_true, scores = np.asarray(y_true, dtype=float), np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    which = np.minimum((scores * bins).astype(int), bins - 1)
    return [(b / bins, int((which == b).sum()), f"{y_true[which == b].mean():.2f}")
            for b in range(bins) if (which == b).any()]


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def format_comparison(reports: list[tuple[str, EvaluationReport]]) -> str:
    """Several labelled sets side by side: per reason precision, recall and support (labelled
    records), then category macro-F1, risk precision / recall / F1 and the calibration of the
    risk score (Brier, ECE) of each set."""
    codes = [c for c in REASON_CODES if any(r.reason_counts.get(c, (0, 0, 0)) != (0, 0, 0) for _, r in reports)]
    metrics = [
        ("条数 records", lambda r: str(r.n)),
        ("类别准确率 category accuracy", lambda r: f"{r.accuracy:.3f}"),
        ("类别宏平均 F1 category macro-F1", lambda r: f"{r.macro_f1:.3f}"),
        ("风险精确率 risk precision", lambda r: f"{r.risk_precision:.3f}"),
        ("风险召回率 risk recall", lambda r: f"{r.risk_recall:.3f}"),
        ("风险 F1 risk F1", lambda r: f"{r.risk_f1:.3f}"),
        ("平均精确率 average precision", lambda r: f"{r.average_precision:.3f}"),
        ("Brier 分数 Brier", lambda r: f"{r.brier:.4f}"),
        ("期望校准误差 ECE (10 bins)", lambda r: f"{r.calibration_error:.4f}"),
    ]
    first = max(cell_len(x) for x in ["理由 reason", *map(reason_label, codes), *(label for label, _ in metrics)])
    col = max(22, *(cell_len(name) + 2 for name, _ in reports))
    lines = [_left("", first) + "".join(_right(name, col) for name, _ in reports),
             _left("理由 reason", first) + "".join(f"{'P':>{col - 14}}{'R':>7}{'n':>7}" for _ in reports)]
    for code in codes:
        row = _left(reason_label(code), first)
        for _, r in reports:
            tp, fp, fn = r.reason_counts.get(code, (0, 0, 0))
            row += f"{_ratio(tp, tp + fp):>{col - 14}}{_ratio(tp, tp + fn):>7}{tp + fn:>7d}"
        lines.append(row)
    lines += [_left(label, first) + "".join(_right(fmt(r), col) for _, r in reports) for label, fmt in metrics]
    lines.append("（P 精确率 precision，R 召回率 recall，n 标注条数 labelled）")
    return "\n".join(lines)


def format_report(report: EvaluationReport) -> str:
    """All text tables: per-class scores, confusion matrix, per-reason recall."""
    return "\n\n".join([format_classification(report), format_confusion(report), format_reasons(report)])


# -- plots --------------------------------------------------------------------------------
def plot_confusion(report: EvaluationReport, path: str | Path) -> Path:
    """Confusion matrix PNG, Chinese category names on both axes."""
    labels = [f"{CATEGORY_NAMES.get(lab, lab)}" for lab in report.labels]
    cm = report.confusion
    size = max(6.0, 0.45 * len(labels) + 3)
    with png_figure(path, figsize=(size + 1.5, size)) as (fig, ax):
        image = ax.imshow(cm, cmap="Blues")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        threshold = cm.max() / 2 if cm.size else 0
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                if cm[i, j]:
                    ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=7,
                            color="white" if cm[i, j] > threshold else "black")
        ax.set_xlabel("预测类别 predicted")
        ax.set_ylabel("真实类别 true")
        ax.set_title(f"类别混淆矩阵 confusion matrix (n={report.n}, accuracy {report.accuracy:.3f})")
    return Path(path)


def plot_precision_recall(report: EvaluationReport, path: str | Path) -> Path:
    """Risk precision-recall curve PNG, the operating threshold marked."""
    with png_figure(path, figsize=(6.5, 5.5)) as (fig, ax):
        if 0 < report.risk_true.sum() < len(report.risk_true):
            precision, recall, _ = precision_recall_curve(report.risk_true, report.risk_scores)
            ax.step(recall, precision, where="post", label=f"风险分 risk score (AP {report.average_precision:.3f})")
        ax.plot([report.risk_recall], [report.risk_precision], "o", color="crimson",
                label=f"阈值 threshold {report.threshold:g}: P {report.risk_precision:.3f}, R {report.risk_recall:.3f}")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("召回率 recall")
        ax.set_ylabel("精确率 precision")
        ax.set_title(f"风险标记 精确率-召回率 (n={report.n}, 有风险 {int(report.risk_true.sum())})")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left")
    return Path(path)


def plot_reliability(report: EvaluationReport, path: str | Path) -> Path:
    """Reliability diagram PNG of the risk score: per tenth of the scores, the share that is risky
    against the mean score (the diagonal is perfect calibration), with the count per tenth below."""
    with png_figure(path, 2, 1, figsize=(6.5, 7), gridspec_kw={"height_ratios": [3, 1]},
                    sharex=True) as (fig, (ax, bars)):
        scores, truth = np.clip(report.risk_scores, 0, 1), report.risk_true
        which = np.minimum((scores * 10).astype(int), 9)
        used = [b for b in range(10) if (which == b).any()]
        means = [scores[which == b].mean() for b in used]
        rates = [truth[which == b].mean() for b in used]
        ax.plot([0, 1], [0, 1], "--", color="grey", label="完全校准 perfect")
        ax.plot(means, rates, "o-", color="crimson",
                label=f"风险分 risk score (Brier {report.brier:.4f}, ECE {report.calibration_error:.4f})")
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("实际有风险比例 observed risky share")
        ax.set_title(f"风险分校准 reliability (n={report.n})")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
        counts = [int((which == b).sum()) for b in range(10)]
        bars.bar([b / 10 + 0.05 for b in range(10)], counts, width=0.09, color="steelblue")
        bars.set_xlabel("风险分 risk score（十分位 deciles）")
        bars.set_ylabel("条数 count")
    return Path(path)


def write_plots(report: EvaluationReport, out_dir: str | Path, stem: str = "heldout") -> list[Path]:
    """The PNGs into `out_dir`: <stem>-confusion.png, <stem>-risk-pr.png, <stem>-reliability.png."""
    out_dir = Path(out_dir)
    return [plot_confusion(report, out_dir / f"{stem}-confusion.png"),
            plot_precision_recall(report, out_dir / f"{stem}-risk-pr.png"),
            plot_reliability(report, out_dir / f"{stem}-reliability.png")]
