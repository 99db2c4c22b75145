"""Text risk model: the probability that a listing's text carries each textual risk reason.

`RiskTextModel` is a scikit-learn estimator: the same word + character TF-IDF features
as the category model (the title's also weighted apart, `title_weight`), into one-vs-rest LogisticRegression over the reason codes the
lexicon marks `text_model: true` (inspection_only, no_certification, refurbished, ...).
It generalises the phrase rules to wordings they do not list. `fit(X, y)` takes texts
and, per text, a list of reason codes (codes outside `codes` are ignored); optionally a weight
per text (`sample_weight`) and `n_vocabulary`: the features are fitted on the first that many texts
only (the hand-written corpus), so records added from reviews are weighed in the same vocabulary as
the category model's (one shared feature matrix when scoring) and change no IDF.
"""

from __future__ import annotations

import logging

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from .features import make_features

logger = logging.getLogger(__name__)

TEXT_CODES = ("inspection_only", "no_certification", "refurbished", "prop_or_display",
              "no_manufacturer")


class RiskTextModel(BaseEstimator, ClassifierMixin):
    """Text -> probability per textual reason code."""

    def __init__(self, codes=TEXT_CODES, C=4.0, word_ngram_range=(1, 2), char_ngram_range=(1, 3),
                 min_df=1, class_weight="balanced", title_weight=1.0):
        self.codes = codes
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.class_weight = class_weight
        self.title_weight = title_weight

    def fit(self, X, y, sample_weight=None, n_vocabulary=None):
        """Fit on texts `X` and lists of reason codes `y` (each text weighing `sample_weight`, default 1;
        the features fitted on `X[:n_vocabulary]`, default all); returns self."""
        X = list(X)
        wanted = set(self.codes)
        labels = [[c for c in codes if c in wanted] for codes in y]
        present = sorted({c for codes in labels for c in codes}, key=list(self.codes).index)
        if not present:
            raise ValueError("no text risk labels in the training data")
        self.binarizer_ = MultiLabelBinarizer(classes=present)
        Y = self.binarizer_.fit_transform(labels)
        self.features_ = make_features(self.word_ngram_range, self.char_ngram_range, self.min_df, self.title_weight)
        if n_vocabulary is None or n_vocabulary >= len(X):
            Xt = self.features_.fit_transform(X)
        else:
            self.features_.fit(X[:n_vocabulary])
            Xt = self.features_.transform(X)
        if sample_weight is None:
            self.model_ = OneVsRestClassifier(LogisticRegression(
                C=self.C, class_weight=self.class_weight, max_iter=3000))
            self.model_.fit(Xt, Y)
        else:  # scikit-learn routes a sample weight through OneVsRestClassifier only with metadata routing on
            with sklearn.config_context(enable_metadata_routing=True):
                self.model_ = OneVsRestClassifier(LogisticRegression(
                    C=self.C, class_weight=self.class_weight, max_iter=3000).set_fit_request(sample_weight=True))
                self.model_.fit(Xt, Y, sample_weight=np.asarray(sample_weight, dtype=float))
        self.classes_ = np.array(present)
        logger.info("risk text model fitted on %d texts, codes %s", len(X), present)
        return self

    def predict_proba(self, X):
        """Array (n_texts, n_codes): probability of each code in `classes_`."""
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.features_.transform(list(X)))

    def transformer(self):
        """The fitted feature union (for the batch scorer, which builds the matrix itself)."""
        check_is_fitted(self, "model_")
        return self.features_

    def predict_proba_transformed(self, Xt):
        """`predict_proba` on an already transformed feature matrix."""
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(Xt)

    def predict(self, X):
        """Per text, the list of codes with probability >= 0.5."""
        proba = self.predict_proba(X)
        return [list(self.classes_[row >= 0.5]) for row in proba]

    def top_terms(self, text: str, code: str, n: int = 3, row=None, names=None) -> list[str]:
        """The word features of `text` that push most towards `code`.

        `row` (the text's feature row) and `names` (`features_.get_feature_names_out()`)
        may be passed in by a caller that already has them.
        """
        check_is_fitted(self, "model_")
        idx = list(self.classes_).index(code)
        row = (self.features_.transform([text]) if row is None else row).tocsr()
        coef = self.model_.estimators_[idx].coef_.ravel()
        names = self.features_.get_feature_names_out() if names is None else names
        contrib = sorted(((row.data[k] * coef[j], names[j]) for k, j in enumerate(row.indices)),
                         reverse=True)
        terms = []
        for weight, name in contrib:
            if weight <= 0:
                break
            term = name.split("__", 1)[-1]
            if term.strip() and term not in terms:
                terms.append(term)
            if len(terms) >= n:
                break
        return terms
