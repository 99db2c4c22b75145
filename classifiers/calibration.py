"""Risk-score calibration: from what the models and rules found to P(risky).

`RiskCombiner().fit(features, y)` is the scorer's calibration (issue 17): a logistic model
(Platt scaling, L2-regularised) over three inputs, fitted on listings the models did not train
on: the text model's probability (as a logit), the strength of the rules that fired
(1 - prod(1 - weight), the weights of data/lexicon.yaml) and whether any rule fired. It keeps
the ordering that rule strength and text evidence give, so scores spread instead of piling up
at 1.0; `combine_features` builds the inputs. `RiskCalibrator` (isotonic, on the raw combined
score) is the older calibration, still loaded from models saved before it.
`expected_calibration_error` measures either.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

P_CLIP = 1e-4  # the text probability is clipped to [P_CLIP, 1 - P_CLIP] before its logit


def combine_features(p_text: float, weights) -> list[float]:
    """The combiner's inputs: logit of the text model's probability, the rules' strength
    1 - prod(1 - w) over the fired rules' weights (bounded: many rules cannot push the score
    to 1.0 on their own), and 1.0 when any rule fired."""
    p = min(1.0 - P_CLIP, max(P_CLIP, float(p_text)))
    keep = 1.0
    for w in weights:
        keep *= 1.0 - float(w)
    strength = 1.0 - keep
    return [math.log(p / (1.0 - p)), strength, 1.0 if strength > 0 else 0.0]


def expected_calibration_error(y_true, proba, bins: int = 10) -> float:
    """Mean |observed rate - mean predicted| over equal-width probability bins, weighted by size."""
    y_true, proba = np.asarray(y_true, dtype=float), np.asarray(proba, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(y_true[mask].mean() - proba[mask].mean())
    return float(total / max(len(y_true), 1))


class RiskCalibrator(BaseEstimator):
    """Isotonic map raw score -> P(risky)."""

    def __init__(self, min_samples: int = 50) -> None:
        self.min_samples = min_samples

    def fit(self, raw_scores, y) -> "RiskCalibrator":
        raw = np.asarray(raw_scores, dtype=float)
        y = np.asarray(y, dtype=float)
        if len(raw) < self.min_samples or len(set(y.tolist())) < 2:
            raise ValueError(f"calibration needs at least {self.min_samples} scores of both classes, "
                             f"got {len(raw)}")
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y)
        # Only the breakpoints are kept: `predict` is one numpy.interp, cheap per listing.
        self.x_ = np.asarray(iso.X_thresholds_, dtype=float)
        self.y_ = np.asarray(iso.y_thresholds_, dtype=float)
        self.n_samples_ = int(len(raw))
        self.brier_raw_ = float(brier_score_loss(y, np.clip(raw, 0, 1)))
        calibrated = self.predict(raw)
        self.brier_ = float(brier_score_loss(y, calibrated))
        self.ece_raw_ = expected_calibration_error(y, np.clip(raw, 0, 1))
        self.ece_ = expected_calibration_error(y, calibrated)
        return self

    def predict(self, raw_scores) -> np.ndarray:
        return np.interp(np.asarray(raw_scores, dtype=float), self.x_, self.y_)

    def predict_one(self, raw: float) -> float:
        """`predict` for one score in plain Python: numpy.interp's arithmetic, same result
        to the last bit, without numpy's per-call overhead (the scorer calls it per listing)."""
        xs, ys = self._lists()
        if raw != raw:
            return float("nan")
        j = bisect.bisect_right(xs, raw) - 1  # the last breakpoint <= raw, as numpy's search
        if j < 0:
            return ys[0]
        if j >= len(xs) - 1:
            return ys[-1]
        if raw == xs[j]:
            return ys[j]
        slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
        return slope * (raw - xs[j]) + ys[j]

    def _lists(self) -> tuple[list[float], list[float]]:
        cached = getattr(self, "_lists_cache", None)
        if cached is None or cached[0] is not self.x_:
            cached = (self.x_, self.x_.tolist(), self.y_.tolist())
            self._lists_cache = cached
        return cached[1], cached[2]

    def summary(self) -> dict:
        return {"n": self.n_samples_, "brier_raw": round(self.brier_raw_, 4), "brier": round(self.brier_, 4),
                "ece_raw": round(self.ece_raw_, 4), "ece": round(self.ece_, 4)}


class RiskCombiner(BaseEstimator):
    """P(risky) = sigmoid(a·logit(p_text) + b·rule strength + c·[any rule] + d), fitted on
    held-out folds of the training data. `C` is the inverse L2 strength: the corpus is close to
    separable, and a bounded slope keeps one weak rule below several strong ones."""

    kind = "combiner"

    def __init__(self, C: float = 1.0, min_samples: int = 50) -> None:
        self.C = C
        self.min_samples = min_samples

    def fit(self, features, y, sample_weight=None) -> "RiskCombiner":
        X = np.asarray(features, dtype=float)
        y = np.asarray(y, dtype=float)
        if len(X) < self.min_samples or len(set(y.tolist())) < 2:
            raise ValueError(f"calibration needs at least {self.min_samples} scores of both classes, "
                             f"got {len(X)}")
        model = LogisticRegression(C=self.C, max_iter=1000).fit(X, y, sample_weight=sample_weight)
        self.coef_ = [float(v) for v in model.coef_.ravel()]
        self.intercept_ = float(model.intercept_[0])
        self.n_samples_ = int(len(X))
        proba = self.predict(X)
        self.brier_ = float(brier_score_loss(y, proba, sample_weight=sample_weight))
        self.ece_ = expected_calibration_error(y, proba)
        return self

    def predict_one(self, features) -> float:
        z = self.intercept_ + sum(c * x for c, x in zip(self.coef_, features))
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def predict(self, features) -> np.ndarray:
        return np.array([self.predict_one(f) for f in np.asarray(features, dtype=float).tolist()])

    def summary(self) -> dict:
        return {"kind": self.kind, "n": self.n_samples_, "coef": [round(c, 4) for c in self.coef_],
                "intercept": round(self.intercept_, 4), "brier": round(self.brier_, 4), "ece": round(self.ece_, 4)}
