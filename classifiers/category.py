"""Category model: which of the 22 taxonomy categories a listing's text belongs to.

`CategoryModel` is a scikit-learn estimator (BaseEstimator, ClassifierMixin): word and
character TF-IDF (`features.make_features`) of the whole text and, weighted by `title_weight`, of
the title alone (a box or bracket whose description names the extinguisher it holds is still a
box), into a linear classifier, either a LinearSVC
calibrated with `CalibratedClassifierCV` (default) or a LogisticRegression. `fit(X, y)`
takes texts (see `corpus.listing_text`) and category codes.
"""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from .features import make_features

logger = logging.getLogger(__name__)


class CategoryModel(BaseEstimator, ClassifierMixin):
    """Text -> category code, with calibrated probabilities."""

    def __init__(self, classifier="svc", C=1.0, word_ngram_range=(1, 2), char_ngram_range=(1, 3),
                 min_df=1, calibration_cv=3, class_weight="balanced", random_state=0, title_weight=1.0):
        self.classifier = classifier
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.calibration_cv = calibration_cv
        self.class_weight = class_weight
        self.random_state = random_state
        self.title_weight = title_weight

    def _make_classifier(self):
        if self.classifier == "svc":
            svc = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            return CalibratedClassifierCV(svc, cv=self.calibration_cv)
        if self.classifier == "logreg":
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000,
                                      random_state=self.random_state)
        raise ValueError(f"unknown classifier {self.classifier!r}: use 'svc' or 'logreg'")

    def fit(self, X, y):
        """Fit on texts `X` and category codes `y`; returns self."""
        X = list(X)
        y = np.asarray(list(y))
        self.pipeline_ = Pipeline([
            ("features", make_features(self.word_ngram_range, self.char_ngram_range, self.min_df,
                                       getattr(self, "title_weight", 0.0))),
            ("clf", self._make_classifier()),
        ])
        self.pipeline_.fit(X, y)
        self.classes_ = self.pipeline_.classes_
        logger.info("category model fitted on %d texts, %d classes", len(X), len(self.classes_))
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(list(X))

    def transformer(self):
        """The fitted feature union (for the batch scorer, which builds the matrix itself)."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.named_steps["features"]

    def predict_proba_transformed(self, Xt):
        """`predict_proba` on an already transformed feature matrix."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.named_steps["clf"].predict_proba(Xt)

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
