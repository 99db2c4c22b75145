"""Risk-score calibration: a monotone map from the scorer's combined score to P(risky).

`RiskCalibrator().fit(raw_scores, y)` learns an isotonic regression on listings the models did not
train on (ValueError with too few of either class) and keeps its breakpoints; `predict` and
`predict_one` interpolate them, never reordering listings. `expected_calibration_error` measures it.
"""

from __future__ import annotations

import bisect

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss


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
