"""Each reason code's reliability, P(risky | the rule fired), and where it came from.

`load_priors(path)` reads `data/reliability.yaml`: a judged prior per reason (a value counting as
`strength` listings, each marked as a judgement and switchable with `enabled`), a `default` for
reasons it does not list, `corpus_weight` and `ceiling` (how much the fired reasons together can
prove: the scorer scales their noisy-OR by it). `Priors.reliability(code, reviews, corpus)` adds
reviewers' decisions (confirmed, dismissed; weighted) and the training corpus's firings (risky,
fired; each counting `corpus_weight`) as listings:

    (value·strength + confirmed + w·risky) / (strength + confirmed + dismissed + w·fired)

The corpus was written with the rules in view (they look always right there), so reviewers'
decisions, not the corpus, are the evidence that moves a reliability away from its judgement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .datafiles import load_yaml
from .exceptions import DataFileError

RELIABILITY_PATH = Path(__file__).parent / "data" / "reliability.yaml"


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

    def summary(self) -> dict:
        counts = {"prior": self.prior.strength, "reviews": self.confirmed + self.dismissed,
                  "corpus": self.corpus_weight * self.corpus_fired}
        return {"value": round(self.value, 4), "prior": self.prior.value, "prior_strength": self.prior.strength,
                "reviews_confirmed": round(self.confirmed, 4), "reviews_dismissed": round(self.dismissed, 4),
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

    def reliability(self, code: str, reviews: tuple[float, float] = (0.0, 0.0),
                    corpus: tuple[float, float] = (0.0, 0.0)) -> Reliability:
        """`reviews` = (confirmed, dismissed) weights, `corpus` = (risky, fired) listings."""
        prior = self.prior(code)
        confirmed, dismissed = reviews
        risky, fired = corpus
        w = self.corpus_weight
        value = (prior.value * prior.strength + confirmed + w * risky) / \
            (prior.strength + confirmed + dismissed + w * fired)
        return Reliability(value, prior, confirmed, dismissed, risky, fired, w)


def _prior(where: str, entry) -> Prior:
    if not isinstance(entry, dict):
        raise DataFileError(f"{where}: expected a mapping with value and strength")
    try:
        value, strength = float(entry["value"]), float(entry.get("strength", 20))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"{where}: value and strength must be numbers ({exc})") from exc
    if not 0.0 < value < 1.0 or strength <= 0:
        raise DataFileError(f"{where}: value must lie in (0, 1) and strength be positive")
    return Prior(value, strength, str(entry.get("note") or ""))


def load_priors(path: str | Path = RELIABILITY_PATH) -> Priors:
    """The table at `path`; a `DataFileError` naming the entry when one is malformed."""
    data = load_yaml(path)
    reasons = {}
    for code, entry in (data.get("reasons") or {}).items():
        if isinstance(entry, dict) and entry.get("enabled", True) is False:
            continue
        reasons[str(code)] = _prior(f"{path}: reasons.{code}", entry)
    try:
        corpus_weight = float(data.get("corpus_weight", 0.0))
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: corpus_weight must be a number") from exc
    if corpus_weight < 0:
        raise DataFileError(f"{path}: corpus_weight must not be negative")
    try:
        ceiling = float(data.get("ceiling", 1.0))
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: ceiling must be a number") from exc
    if not 0.5 < ceiling <= 1.0:
        raise DataFileError(f"{path}: ceiling must lie in (0.5, 1]")
    default = _prior(f"{path}: default", data["default"]) if "default" in data else Prior(0.8, 20.0)
    return Priors(reasons, default, corpus_weight, ceiling, hashlib.sha256(Path(path).read_bytes()).hexdigest())
