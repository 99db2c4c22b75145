"""Each reason code's reliability, P(risky | the rule fired), and where it came from.

`load_priors(path)` reads `data/reliability.yaml`: a judged prior per reason (a value counting as
`strength` listings, each marked as a judgement and switchable with `enabled`), a `default` for
reasons it does not list, `corpus_weight` and `ceiling` (how much the fired reasons together can
prove: the scorer scales their noisy-OR by it). `Priors.reliability(code, reviews, corpus)` adds
reviewers' decisions ({reviewer: (confirmed, dismissed)} decision counts) and the training corpus's
firings (risky, fired; each counting `corpus_weight`) as listings:

    (value·strength + confirmed + w·risky) / (strength + confirmed + dismissed + w·fired)

One reviewer's decisions on a reason count at most `strength` listings (scaled down alike beyond it),
so one reviewer alone moves a reason at most halfway.

Lowering needs agreement. When the reviews would put a value below what the judgement and the corpus
give (the base), the value is recomputed with each reviewer's dismissals capped by the other reviewers'
dismissals combined, and is at most the base:

    value = formula                                  when formula >= base (reviews raise it)
    value = min(base, formula with agreed dismissals) otherwise

So no reviewer supplies more than half of the dismissals that lower a reason; a reviewer dismissing
alone lowers nothing (`MIN_REVIEWERS`: at least two reviewers must dismiss); one who dismisses 50 and
another who dismisses once lower it by two dismissals (one each); one who dismisses 50 and another who
confirms once leave it at the base (disputed, neither raised nor lowered). Confirmations and the
dismissals that only temper a raise count in full (capped per reviewer as above).

The corpus was written with the rules in view (they look always right there), so reviewers'
decisions, not the corpus, are the evidence that moves a reliability away from its judgement.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .datafiles import load_yaml
from .exceptions import DataFileError

RELIABILITY_PATH = Path(__file__).parent / "data" / "reliability.yaml"
MIN_REVIEWERS = 2  # reviewers who dismissed needed before reviews may lower a reliability below its judgement


@dataclass(frozen=True)
class Prior:
    """One reason's judged reliability and how many listings the judgement counts as."""

    value: float
    strength: float
    note: str = ""


@dataclass(frozen=True)
class Reliability:
    """A reason's reliability and what it was made of (pseudo-listings per source)."""

    value: float
    prior: Prior
    confirmed: float = 0.0
    dismissed: float = 0.0
    corpus_risky: float = 0.0
    corpus_fired: float = 0.0
    corpus_weight: float = 0.0
    reviewers: int = 0  # distinct reviewers whose decisions counted
    dismissed_agreed: float = 0.0  # the dismissals that may lower it: each reviewer's capped by the others'

    def summary(self) -> dict:
        counts = {"prior": self.prior.strength, "reviews": self.confirmed + self.dismissed,
                  "corpus": self.corpus_weight * self.corpus_fired}
        return {"value": round(self.value, 4), "prior": self.prior.value, "prior_strength": self.prior.strength,
                "reviews_confirmed": round(self.confirmed, 4), "reviews_dismissed": round(self.dismissed, 4),
                "reviews_dismissed_agreed": round(self.dismissed_agreed, 4),
                "reviewers": self.reviewers,
                "corpus_fired": round(self.corpus_fired, 2), "corpus_risky": round(self.corpus_risky, 2),
                "corpus_weight": self.corpus_weight,
                "sources": [name for name, n in counts.items() if n > 0],
                "note": self.prior.note}


@dataclass(frozen=True)
class Priors:
    """The reliability table of `data/reliability.yaml`."""

    reasons: dict[str, Prior] = field(default_factory=dict)
    default: Prior = Prior(0.8, 20.0)
    corpus_weight: float = 0.0
    ceiling: float = 1.0  # the fired reasons' noisy-OR evidence is scaled by this (they are not independent)
    sha256: str = ""

    def prior(self, code: str) -> Prior:
        return self.reasons.get(code, self.default)

    def reliability(self, code: str, reviews: Mapping[str, tuple[float, float]] | None = None,
                    corpus: tuple[float, float] = (0.0, 0.0)) -> Reliability:
        """`reviews` = {reviewer: (confirmed, dismissed)} decisions, `corpus` = (risky, fired) listings."""
        prior = self.prior(code)
        confirmed = 0.0
        dismissals: list[float] = []  # per reviewer who decided, after the per-reviewer cap
        for c, d in (reviews or {}).values():
            c, d = float(c), float(d)
            if c + d <= 0:
                continue
            share = min(1.0, prior.strength / (c + d))  # one reviewer counts at most `strength` listings
            confirmed += c * share
            dismissals.append(d * share)
        dismissed = sum(dismissals)
        agreed = agreed_dismissals(dismissals)
        risky, fired = corpus
        w = self.corpus_weight
        base = prior.value * prior.strength + w * risky, prior.strength + w * fired
        value = (base[0] + confirmed) / (base[1] + confirmed + dismissed)
        if value < base[0] / base[1]:  # lowering: only as far as agreed dismissals take it
            value = min(base[0] / base[1], (base[0] + confirmed) / (base[1] + confirmed + agreed))
        return Reliability(value, prior, confirmed, dismissed, risky, fired, w, len(dismissals), agreed)


def agreed_dismissals(dismissals: list[float]) -> float:
    """The dismissals that may lower a reason: each reviewer's count capped by the other reviewers' counts
    combined (only the largest can exceed the rest, so no reviewer supplies more than half); 0 when fewer
    than `MIN_REVIEWERS` reviewers dismissed."""
    if sum(1 for d in dismissals if d > 0) < MIN_REVIEWERS:
        return 0.0
    total = sum(dismissals)
    return sum(min(d, total - d) for d in dismissals)


def _number(where: str, raw, ok, rule: str) -> float:
    """`raw` as a finite float satisfying `ok`, else a Chinese `DataFileError` naming `where`."""
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{where}：须为数字（{rule}），实为 {raw!r}") from exc
    if not math.isfinite(value) or not ok(value):
        raise DataFileError(f"{where}：{rule}，实为 {raw!r}")
    return value


def _prior(where: str, entry) -> Prior:
    if not isinstance(entry, dict) or "value" not in entry:
        raise DataFileError(f"{where}：须为含 value 与 strength 的映射")
    value = _number(f"{where}.value", entry["value"], lambda v: 0.0 < v < 1.0, "须在 0 与 1 之间（不含两端）")
    strength = _number(f"{where}.strength", entry.get("strength", 20), lambda v: v > 0, "须为正数")
    return Prior(value, strength, str(entry.get("note") or ""))


def load_priors(path: str | Path = RELIABILITY_PATH) -> Priors:
    """The table at `path`; a `DataFileError` (Chinese, naming the key) when an entry is malformed:
    values must be finite, 0 < value < 1, strength > 0, corpus_weight >= 0, 0.5 < ceiling <= 1."""
    data = load_yaml(path)
    reasons = {}
    for code, entry in (data.get("reasons") or {}).items():
        if isinstance(entry, dict) and entry.get("enabled", True) is False:
            continue
        reasons[str(code)] = _prior(f"{path}: reasons.{code}", entry)
    corpus_weight = _number(f"{path}: corpus_weight", data.get("corpus_weight", 0.0), lambda v: v >= 0,
                            "须为非负数")
    ceiling = _number(f"{path}: ceiling", data.get("ceiling", 1.0), lambda v: 0.5 < v <= 1.0,
                      "须大于 0.5 且不超过 1")
    default = _prior(f"{path}: default", data["default"]) if "default" in data else Prior(0.8, 20.0)
    return Priors(reasons, default, corpus_weight, ceiling, hashlib.sha256(Path(path).read_bytes()).hexdigest())
