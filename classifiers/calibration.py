"""Risk-score calibration: from what the models and rules found to P(risky).

`ReliabilityCombiner(priors, reviews).fit(rows, y)` is the scorer's calibration (issue 17, "scores
that rank"): each row is what the scorer saw of a listing it was not trained on (cross-validation
folds of the training data): the text model's probability, the reason codes the rules fired (with
their lexicon weights), the category model's confidence and whether the listing is a whole page.
Every rule has a reliability, P(risky | it fired): a judged prior per reason
(`classifiers.reliability`, data/reliability.yaml) moved by reviewers' confirmed and dismissed flags
(the real evidence of a rule's precision) and, only by a configured weight, by the training rows
(written with the rules in view, where every rule looks right). The score is the noisy-OR of the
fired rules' reliabilities and a Platt-scaled text probability fitted on the rows no rule fired on:
nothing fitted on the training rows lifts a rule above its reliability, so one weak reason scores
about its reliability and several strong ones near 1. `cross_validated` gives the same fit's
predictions on held-out folds of its rows (Brier / ECE kept in the summary). `predict_one` is plain
Python (per listing).

`expected_calibration_error` measures it.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import StratifiedKFold

from .reliability import Priors

P_CLIP = 1e-4  # the text probability is clipped to [P_CLIP, 1 - P_CLIP] before its logit


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


def _logit(p: float, clip: float = P_CLIP) -> float:
    p = min(1.0 - clip, max(clip, p))
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


class ReliabilityCombiner(BaseEstimator):
    """P(risky) from (p_text, [(code, lexicon weight), ...], category confidence, whole page) rows:

        P = 1 - (1 - text) · (1 - ceiling · (1 - prod over the distinct fired codes of (1 - reliability(code))))

    `text` = sigmoid(a·logit(p_text) + b·[whole page] + c), Platt scaling fitted (L2 `C`, a >= 0)
    on the rows where no rule fired, so it is the score of a listing with no reason, and a rule's
    reliability comes from `priors` (`classifiers.reliability`: a judgement per reason), `reviews`
    ({code: {reviewer: (confirmed, dismissed)}} reviewers' decisions) and, by `priors.corpus_weight`,
    the rows it fired on (`priors=None`: the rows count fully). Nothing fitted on the (rule-tuned) training rows can lift a rule above
    its reliability: one weak reason scores about its reliability, several strong ones near 1;
    more text evidence or another rule never lowers the score; with no rule it is `text` alone.
    `priors.ceiling` scales the rules' noisy-OR: it treats reasons as independent, but one seller's
    words are not, so four reasons do not make a listing 0.99999 risky."""

    kind = "reliability"

    def __init__(self, priors: Priors | None = None, reviews: dict | None = None, C: float = 1.0,
                 min_samples: int = 50, folds: int = 5, random_state: int = 0) -> None:
        self.priors = priors
        self.reviews = reviews
        self.C = C
        self.min_samples = min_samples
        self.folds = folds
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, rows, y, sample_weight=None) -> "ReliabilityCombiner":
        rows, y = list(rows), np.asarray(y, dtype=float)
        w = np.ones(len(rows)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if len(rows) < self.min_samples or len(set(y.tolist())) < 2:
            raise ValueError(f"calibration needs at least {self.min_samples} scores of both classes, "
                             f"got {len(rows)}")
        # no table: the rows are the only evidence, shrunk towards the default prior
        priors = self.priors if self.priors is not None else Priors(corpus_weight=1.0)
        hits: dict[str, list[float]] = {}
        for (_, pairs, _, _), label in zip(rows, y.tolist()):
            for code in {code for code, _ in pairs}:
                h = hits.setdefault(code, [0.0, 0.0])
                h[0] += label
                h[1] += 1.0
        reviews = {str(code): dict(by) for code, by in (self.reviews or {}).items()}
        codes = sorted(set(priors.reasons) | set(hits) | set(reviews))
        self.reliabilities_ = {code: priors.reliability(code, reviews.get(code),
                                                        tuple(hits.get(code, (0.0, 0.0))))
                               for code in codes}
        self.default_ = priors.reliability("")  # a code none of the sources knows
        self.values_ = {code: r.value for code, r in self.reliabilities_.items()}
        self.corpus_weight_ = priors.corpus_weight
        self.ceiling_ = priors.ceiling
        self.priors_sha256_ = priors.sha256
        # the text part: Platt scaling on the listings no rule fired on
        clean = np.array([not pairs for _, pairs, _, _ in rows])
        if len(set(y[clean].tolist())) < 2:
            clean = np.ones(len(rows), dtype=bool)  # too few rule-free rows of both classes: all rows
        X = np.array([[_logit(float(p)), 1.0 if page else 0.0] for p, _, _, page in rows])[clean]
        used = [0, 1]
        while True:
            model = LogisticRegression(C=self.C, max_iter=2000).fit(X[:, used], y[clean], sample_weight=w[clean])
            coef = dict(zip(used, model.coef_.ravel().tolist()))
            if coef.get(0, 0.0) >= 0:
                break
            used = [1]  # the text slope is kept >= 0: more text evidence never lowers the score
        self.coef_ = [float(coef.get(j, 0.0)) for j in range(2)]
        self.intercept_ = float(model.intercept_[0])
        self.n_samples_ = len(rows)
        self.n_text_ = int(clean.sum())
        proba = self.predict(rows)
        self.brier_ = float(brier_score_loss(y, proba, sample_weight=w))
        self.ece_ = expected_calibration_error(y, proba)
        return self

    def cross_validated(self, rows, y, sample_weight=None, groups=None) -> np.ndarray:
        """Each row's probability from a combiner fitted on the other folds (stratified by label,
        fixed seed): calibration measured on rows it did not learn from."""
        rows, y = list(rows), np.asarray(y, dtype=float)
        w = np.ones(len(rows)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        strata = y if groups is None else np.array([f"{int(a)}{g}" for a, g in zip(y, groups)])
        out = np.zeros(len(rows))
        split = StratifiedKFold(n_splits=self.folds, shuffle=True, random_state=self.random_state)
        for train, test in split.split(np.zeros(len(rows)), strata):
            part = ReliabilityCombiner(priors=self.priors, reviews=self.reviews, C=self.C, min_samples=0)
            part.fit([rows[i] for i in train], y[train], w[train])
            out[test] = part.predict([rows[i] for i in test])
        return out

    # -- prediction -----------------------------------------------------------------------------
    def reliability(self, code: str) -> float:
        """P(risky | the code fired): its judged prior, moved by reviewers' decisions (and the
        corpus by its weight)."""
        value = self.values_.get(code)
        return self.default_.value if value is None else value

    def text_probability(self, p_text: float, page: bool) -> float:
        """The score of a listing no rule fired on."""
        return _sigmoid(self.intercept_ + self.coef_[0] * _logit(float(p_text)) + (self.coef_[1] if page else 0.0))

    def predict_one(self, p_text: float, pairs, confidence: float, page: bool) -> float:
        clean = 1.0 - self.text_probability(p_text, page)
        if not pairs:
            return 1.0 - clean
        keep = 1.0
        seen = set()
        for code, _ in pairs:
            if code not in seen:
                seen.add(code)
                keep *= 1.0 - self.reliability(code)
        return 1.0 - clean * (1.0 - self.ceiling_ * (1.0 - keep))

    def predict(self, rows) -> np.ndarray:
        return np.array([self.predict_one(*row) for row in rows])

    def summary(self) -> dict:
        out = {"kind": self.kind, "n": self.n_samples_, "n_text": self.n_text_,
               "text_coef": [round(c, 4) for c in self.coef_], "intercept": round(self.intercept_, 4),
               "brier": round(self.brier_, 4), "ece": round(self.ece_, 4),
               "corpus_weight": self.corpus_weight_, "ceiling": self.ceiling_, "priors_sha256": self.priors_sha256_,
               "reliability": {code: r.summary() for code, r in sorted(self.reliabilities_.items())},
               "default_reliability": round(self.default_.value, 4)}
        out.update(getattr(self, "cv_", {}))
        return out
