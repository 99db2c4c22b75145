"""Scorer: category model + risk rules + text risk model -> an `Assessment` per listing.

`Scorer.fit(records)` trains both text models and, first, the risk calibration on cross-validation
folds of the same records (`calibration.ReliabilityCombiner`: each rule counts by its reliability, a
judged prior moved by reviewers' decisions per reason, `classifiers.reliability`); with
`review_records`, the text risk model also learns reviewers' decisions, and a corpus-only text model
is kept beside it (a rule's reason that reviewers' decisions overturned, `REVIEW_FLIP`, is
withdrawn). `assess(listing)` and the faster `assess_many` give identical `Assessment`s.
`train_default` trains on the packaged corpus, the hand-written and the real-voice files (and reviews).
`save(dir)` writes `model.joblib` and a JSON sidecar; `Scorer.load(dir)` raises `ModelIntegrityError`
unless the sidecar's format is `FORMAT_VERSION` and the file matches its hash and scikit-learn version.
"""

from __future__ import annotations

import gc
from collections import Counter
import hashlib
import importlib.metadata
import json
import os
import logging
import platform as _platform
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import jieba
import joblib
import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from firewatch.core.files import sha256_file, stage_file
from firewatch.core.models import Assessment, Listing, Reason

from .calibration import ReliabilityCombiner, expected_calibration_error
from .category import CategoryModel
from .corpus import CORPUS_PATH, HELDOUT_PATH, TRAINING_PATHS, file_sha256, listing_text, \
    load_records, load_training, record_to_listing, refuse_sealed
from .exceptions import ModelIntegrityError, ModelNotTrainedError
from .features import TITLE_END, FastFeatures
from .certification import CERTIFICATES_PATH, SCOPE_PATH
from .editions import EDITIONS_PATH
from .risk import LEXICON_PATH, PRICE_PRIORS_PATH, RiskRules
from .reliability import Priors, load_priors
from .risk_model import RiskTextModel
from .specs import SPECS_PATH, locate
from firewatch.core.text import USERDICT, normalize, tokenize_normalized
from firewatch.core.text import engine as text_engine
from .watchlist import Watchlist

logger = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
SIDECAR_FILE = "model.json"
FORMAT_VERSION = 3  # 3: the rules' ceiling and the priors' sha256 recorded (issue 17); 1 and 2 are refused
BATCH_SIZE = 1000  # listings vectorised and predicted together by `assess_many`
# A rule's reason whose code the text model also reads is withdrawn when the corpus-only text model read
# the listing as that reason (p >= REVIEW_FLIP) and the model retrained with reviewers' decisions does not
# (p < REVIEW_FLIP) by at least REVIEW_MARGIN: only reviewers' decisions separate the two models, so they
# overturned it; the margin keeps a borderline reading nudged by decisions on other texts from counting.
REVIEW_FLIP = 0.5
REVIEW_MARGIN = 0.3


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"



def rules_hash() -> str:
    """Hash of the rule data files (lexicon, specs, price priors, CCC scope, certificates, editions, user dictionary)."""
    return file_sha256(LEXICON_PATH, SPECS_PATH, PRICE_PRIORS_PATH, SCOPE_PATH, CERTIFICATES_PATH, EDITIONS_PATH,
                       USERDICT)


class Scorer:
    """Joins the category model, the text risk model and the risk rules."""

    def __init__(self, rules: RiskRules | None = None, category_params: dict | None = None,
                 risk_params: dict | None = None, calibration_fraction: float = 0.2,
                 random_state: int = 0, calibration_C: float = 1.0,
                 calibration_extra_share: float = 1.0, calibration_folds: int = 3,
                 reliability_priors: Priors | None = None) -> None:
        self.rules = rules or RiskRules()
        self.category_params = dict(category_params or {})
        self.risk_params = dict(risk_params or {})
        self.calibration_fraction = calibration_fraction  # 0: no calibration (the probes' own setting)
        self.calibration_C = calibration_C
        self.calibration_folds = calibration_folds
        # each reason's judged reliability (data/reliability.yaml), moved by reviewers' decisions at `fit`
        self.reliability_priors = reliability_priors
        # In the calibration, the listings shaped like real pages (attributes or a description:
        # the real-voice training records, hand-written pages) weigh together this share of what
        # the title-only corpus lines weigh: the generated corpus, written with the rules, makes
        # every rule look certain; real pages show how often each rule is right
        self.calibration_extra_share = calibration_extra_share
        self._feature_sink: list | None = None  # set while fitting the combiner: _combine's inputs
        self.random_state = random_state
        self.category_model_: CategoryModel | None = None
        self.risk_model_: RiskTextModel | None = None
        # the text risk model of the corpus alone, kept when risk_model_ also learnt reviewers' decisions
        self.risk_corpus_model_: RiskTextModel | None = None
        self.calibrator_: ReliabilityCombiner | None = None  # -> P(risky)
        self.price_model_ = None  # a fitted classifiers.price.PriceModel, or None: priors only
        self.meta_: dict[str, Any] = {}

    # -- training ----------------------------------------------------------------------
    def fit(self, records: Iterable[dict[str, Any]], data_hash: str = "",
            review_records: Iterable[dict[str, Any]] = (), review_weights: Iterable[float] = (),
            review_reasons: dict[str, dict[str, tuple[float, float]]] | None = None) -> "Scorer":
        """Train both text models on labelled records; returns self.

        The risk calibration is fitted first, on cross-validation folds of `records` (see
        `_fit_calibrator`). The sealed held-out set is refused in `records` and `review_records`.
        `review_records` (with a weight each, `review_weights`): listings reviewers decided
        (`classifiers.feedback`), learnt by the text risk model only, in the corpus's vocabulary
        (reviewers judge the flag, not the category). `review_reasons`: {code: {reviewer: (confirmed,
        dismissed)}} reviewers' decisions per reason (`ReviewSet.reason_reviews`), which move the
        reasons' reliabilities in the calibration."""
        records = list(records)
        reviewed = list(review_records)
        weights = [float(w) for w in review_weights]
        if len(weights) != len(reviewed):
            raise ValueError("one weight per review record")
        refuse_sealed(records + reviewed)  # the sealed held-out set is measured, never learnt from
        self.calibrator_ = self._fit_calibrator(records, review_reasons or {}) \
            if self.calibration_fraction > 0 else None
        texts = [listing_text(record_to_listing(r)) for r in records]
        self.category_model_ = CategoryModel(**self.category_params).fit(
            texts, [r["category"] for r in records])
        codes = self.rules.text_codes
        self.risk_corpus_model_ = None
        if reviewed:
            self.risk_corpus_model_ = RiskTextModel(codes=codes, **self.risk_params).fit(
                texts, [r.get("reasons", []) for r in records])
            self.risk_model_ = RiskTextModel(codes=codes, **self.risk_params).fit(
                texts + [listing_text(record_to_listing(r)) for r in reviewed],
                [r.get("reasons", []) for r in records + reviewed],
                sample_weight=[1.0] * len(records) + weights, n_vocabulary=len(records))
        else:
            self.risk_model_ = RiskTextModel(codes=codes, **self.risk_params).fit(
                texts, [r.get("reasons", []) for r in records])
        digest = data_hash or hashlib.sha256(
            json.dumps(records, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        self.meta_ = {
            "format": FORMAT_VERSION,
            "trained_at": datetime.now(timezone.utc).isoformat(),
            "n_records": len(records),
            "data_sha256": digest,
            "labels": [str(c) for c in self.category_model_.classes_],
            "risk_codes": [str(c) for c in self.risk_model_.classes_],
            "category_params": self.category_model_.get_params(),
            "risk_params": {k: v for k, v in self.risk_model_.get_params().items()},
            "versions": self.library_versions(),
            "metrics": {},
            "calibration": self.calibrator_.summary() if self.calibrator_ is not None else None,
            "reviews": None,  # what was learnt from reviewers' decisions (`firewatch train` fills it in)
            # the reliability table the scores come from (edit it, then `firewatch train` to apply)
            "reliability_sha256": getattr(self.calibrator_, "priors_sha256_", ""),
        }
        return self

    def _fit_calibrator(self, records: list[dict[str, Any]],
                        review_reasons: dict[str, dict[str, tuple[float, float]]] | None = None) -> ReliabilityCombiner:
        """Cross-fitting: the records are split into `calibration_folds` folds (stratified by risk
        label and by page shape, fixed seed); for each fold, probe models trained on the other
        folds score it, so every record is seen by models that did not learn from it. The combiner
        then takes each rule's reliability from its judged prior and reviewers' decisions
        (`review_reasons`; the rows only by the priors' `corpus_weight`) and fits the text part's
        Platt map on the rows no rule fired on, real-page rows weighted (`calibration_extra_share`),
        and its own cross-validated predictions give the honest Brier / ECE kept in the summary. The
        final models are then trained on every record."""
        y = np.array([int(bool(r.get("reasons"))) for r in records])
        real = np.array([real_page(r) for r in records])
        n = len(records)
        rows: list = [None] * n
        folds = StratifiedKFold(n_splits=self.calibration_folds, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(np.zeros(n), [f"{a}{b}" for a, b in zip(y, real)]):
            probe = Scorer(rules=self.rules, category_params=self.category_params, risk_params=self.risk_params,
                           calibration_fraction=0.0).fit([records[i] for i in train])
            probe._feature_sink = []
            probe.assess_many([record_to_listing(records[i]) for i in test])
            for i, row in zip(test, probe._feature_sink):
                rows[i] = row
        n_real = int(real.sum())
        share = self.calibration_extra_share * (len(real) - n_real) / n_real if n_real and n_real < len(real) else 1.0
        weights = np.where(real, share, 1.0)
        priors = self.reliability_priors if self.reliability_priors is not None else load_priors()
        combiner = ReliabilityCombiner(priors=priors, reviews=dict(review_reasons or {}), C=self.calibration_C,
                                       random_state=self.random_state)
        cv = combiner.cross_validated(rows, y, weights, groups=real)
        combiner.fit(rows, y, sample_weight=weights)
        flagged = cv[cv >= 0.5]
        combiner.cv_ = {
            "cv_folds": combiner.folds, "n_real_page": n_real, "real_page_weight": round(float(share), 4),
            "cv_brier": round(float(np.average((cv - y) ** 2, weights=weights)), 4),
            "cv_ece": round(expected_calibration_error(y, cv), 4),
            "cv_brier_real_page": round(float(np.mean((cv[real] - y[real]) ** 2)), 4) if n_real else None,
            "cv_ece_real_page": round(expected_calibration_error(y[real], cv[real]), 4) if n_real else None,
            "cv_flagged_by_decile": [int(((flagged >= b / 10) & ((flagged < (b + 1) / 10) | (b == 9))).sum())
                                     for b in range(10)],
        }
        logger.info("risk calibration: %s", combiner.cv_)
        return combiner

    @staticmethod
    def library_versions() -> dict[str, str]:
        return {"python": _platform.python_version(), "scikit-learn": sklearn.__version__,
                "numpy": np.__version__, "jieba": getattr(jieba, "__version__", "unknown"),
                "rjieba": _dist_version("rjieba"), "tokenizer_engine": text_engine(),
                "joblib": joblib.__version__}

    def _check_fitted(self) -> None:
        if self.category_model_ is None or self.risk_model_ is None:
            raise ModelNotTrainedError()

    @property
    def model_versions(self) -> dict[str, str]:
        data = self.meta_.get("data_sha256", "")[:12]
        reviews = (self.meta_.get("reviews") or {}).get("sha256", "")[:8]
        return {"category": f"CategoryModel:{data}",
                "risk_text": f"RiskTextModel:{data}" + (f"+reviews:{reviews}" if reviews else ""),
                "rules": f"rules:{rules_hash()[:12]}",
                "reliability": f"reliability:{self.priors_sha256[:12]}",
                "scikit-learn": sklearn.__version__}

    @property
    def priors_sha256(self) -> str:
        """The sha256 of the reliability table (data/reliability.yaml) this model's scores were made with."""
        return str(self.meta_.get("reliability_sha256") or getattr(self.calibrator_, "priors_sha256_", "") or "")

    # -- scoring -----------------------------------------------------------------------
    def assess(self, listing: Listing, watchlist: Watchlist | None = None, threshold: float = 0.5,
               now: datetime | date | None = None) -> Assessment:
        """Category, risk score, flag and reasons for one listing (the reference path;
        `assess_many` gives the same results much faster for many listings)."""
        self._check_fitted()
        text = listing_text(listing)
        # scikit-learn's own transform (the reference), once when both models share their features
        X = self.category_model_.transformer().transform([text])
        X_risk = X if self._fast_features()[1] is None else self.risk_model_.transformer().transform([text])
        proba = self.category_model_.predict_proba_transformed(X)[0]
        code_proba = self.risk_model_.predict_proba_transformed(X_risk)[0]
        base = self.risk_corpus_model_.predict_proba_transformed(X_risk)[0] \
            if self.risk_corpus_model_ is not None else None
        return self._combine(listing, proba, code_proba, watchlist, threshold, now, self.model_versions,
                             lambda code: self.risk_model_.top_terms(text, code), base, normalize(text))

    def _names(self) -> tuple[list[str], int | None, list[str]]:
        """(category names, index of not_fire or None, risk code names), as plain Python values."""
        key = (id(self.category_model_), id(self.risk_model_))
        cached = getattr(self, "_names_cache", None)
        if cached is None or cached[0] != key:
            cats = [str(c) for c in self.category_model_.classes_]
            cached = (key, cats, cats.index("not_fire") if "not_fire" in cats else None,
                      [str(c) for c in self.risk_model_.classes_])
            self._names_cache = cached
        return cached[1], cached[2], cached[3]

    def _combine(self, listing: Listing, proba, code_proba, watchlist: Watchlist | None, threshold: float,
                 now: datetime | date | None, versions: dict[str, str], top_terms, base_proba=None,
                 norm_text: str | None = None) -> Assessment:
        """One listing's assessment from both models' probabilities plus the rules.

        `proba` and `code_proba` are one row each, as lists of floats (numpy rows work too);
        per-listing work stays in plain Python, which is faster than numpy on 22 numbers.
        `base_proba`: the corpus-only text model's row when the text model also learnt reviewers'
        decisions: a rule's reason they overturned (`REVIEW_FLIP`) is withdrawn and noted in the specs.
        `norm_text`: the listing's model text normalised, when the caller has it (`_denied` looks in it first)."""
        cats, not_fire, codes = self._names()
        proba = proba.tolist() if hasattr(proba, "tolist") else proba
        code_proba = code_proba.tolist() if hasattr(code_proba, "tolist") else code_proba
        confidence = max(proba)
        category = cats[proba.index(confidence)]  # the first maximum, as numpy.argmax
        p_not_fire = proba[not_fire] if not_fire is not None else 0.0

        reasons, specs = self.rules.check(listing, category, watchlist, now)
        overturned: dict[str, dict[str, float]] = {}
        if base_proba is not None and reasons:
            base_proba = base_proba.tolist() if hasattr(base_proba, "tolist") else base_proba
            base_codes = [str(c) for c in self.risk_corpus_model_.classes_]
            for code in {r.code for r in reasons}:
                if code in codes and code in base_codes:
                    before, after = base_proba[base_codes.index(code)], code_proba[codes.index(code)]
                    if before >= REVIEW_FLIP > after and before - after >= REVIEW_MARGIN:
                        overturned[code] = {"corpus": round(before, 4), "reviewed": round(after, 4)}
            if overturned:
                reasons = [r for r in reasons if r.code not in overturned]
        code_proba, denied = self._denied(listing, code_proba, codes, {r.code for r in reasons}, norm_text)
        code_proba, not_required = self._ccc_not_required(listing, category, code_proba, codes, now)
        p_top = max(code_proba)
        top = code_proba.index(p_top)
        p_text = p_top * (1.0 - p_not_fire)
        w_text = self.rules.text_model_weight
        # risk = 1 - (1 - w_text * p_text) * prod(1 - w_r) over the rules' reasons (weights in
        # data/lexicon.yaml), then calibrated when a calibrator was fitted.
        weights = [self.rules.weight(reason.code, category) for reason in reasons]
        keep = 1.0 - w_text * p_text
        for w in weights:
            keep *= 1.0 - w
        raw_score = float(min(1.0, max(0.0, 1.0 - keep)))
        calibrator = self.calibrator_
        pairs = [(reason.code, w) for reason, w in zip(reasons, weights)]
        page = bool(listing.attributes or listing.description)
        if self._feature_sink is not None:
            self._feature_sink.append((p_text, pairs, confidence, page))
        # a ReliabilityCombiner (formats before 3 are refused at load), or None: the raw score (probes)
        risk_score = raw_score if calibrator is None else calibrator.predict_one(p_text, pairs, confidence, page)
        if not reasons and risk_score >= threshold:
            code = codes[top]
            terms = top_terms(code)
            span = next((found for found in (locate(listing.title or "", t) for t in terms) if found), None)
            reasons.append(Reason(code, f"文本模型判断概率 {p_text:.2f}；主要依据词：{'、'.join(terms) or '无'}",
                                  "text_model", *(span or (None, None)), "title" if span else None))
        specs = dict(specs)
        specs["text_risk"] = {c: round(p, 4) for c, p in zip(codes, code_proba)}
        specs["risk_raw"] = round(raw_score, 4)
        if weights and calibrator is not None:  # why the score: each rule's reason's reliability (noisy-OR)
            specs["reason_reliability"] = {code: round(calibrator.reliability(code), 4) for code, _ in pairs}
        if overturned:  # reasons withdrawn because reviewers' decisions taught the text model otherwise
            specs["review_overturned"] = overturned
        if denied:  # text-model reasons the listing explicitly denies, read without the denying words
            specs["text_denied"] = denied
        if not_required:  # the text model's no_certification on a day CCC was not compulsory for the product
            specs["text_ccc_not_required"] = not_required
        return Assessment(
            platform=listing.platform, listing_id=listing.listing_id, category=category,
            category_confidence=round(confidence, 4), risk_score=round(risk_score, 4),
            flagged=risk_score >= threshold, reasons=reasons, specs=specs,
            model_versions=dict(versions))

    def _denied(self, listing: Listing, code_proba: list, codes: list[str], found: set[str],
                norm_text: str | None = None) -> tuple[list, dict[str, dict[str, Any]]]:
        """The text model's probabilities with each reason the listing explicitly denies (非翻新, 不是二手:
        `RiskRules.denials`, from the lexicon) read on the listing without the denying words, and what was
        changed: the text model reads words, not their negation, so a denial alone must not make it name the
        reason. A reason the rules found in the listing (`found`: evidence of it elsewhere) is left as it is,
        and so is any reason the rest of the text still reads as (its probability without the denial)."""
        denials = {code: spans for code, spans in self.rules.denials(listing, norm_text).items()
                   if code in codes and code not in found}
        if not denials:
            return code_proba, {}
        texts = [listing_text(self.rules.blanked(listing, spans)) for spans in denials.values()]
        rows = self.risk_model_.predict_proba(texts)
        fields = dict(self.rules.fields(listing))
        code_proba = list(code_proba)
        changed: dict[str, dict[str, Any]] = {}
        for (code, spans), row in zip(denials.items(), rows):
            i = codes.index(code)
            without = float(row[i])
            if without < code_proba[i]:
                words = list(dict.fromkeys(fields[source][a:b].strip() for source, a, b in spans))
                changed[code] = {"words": "、".join(words), "p": round(code_proba[i], 4), "p_without": round(without, 4)}
                code_proba[i] = without
        return code_proba, changed

    def _ccc_not_required(self, listing: Listing, category: str, code_proba: list, codes: list[str],
                          now: datetime | date | None) -> tuple[list, dict[str, float]]:
        """The text model's probabilities with no_certification set to 0 when it is the code the text model reads
        most (the one its score and its named reason come from) and the listing speaks of CCC on a day CCC was not
        compulsory for it (`RiskRules.ccc_not_required_text`, ccc_scope.yaml), and what was changed: "无3C" is then
        true, not a defect, for the text model as for the rules."""
        code = "no_certification"
        if code not in codes or not code_proba[codes.index(code)] or code_proba[codes.index(code)] < max(code_proba) \
                or not self.rules.ccc_not_required_text(listing, category, now):
            return code_proba, {}
        code_proba = list(code_proba)
        i = codes.index(code)
        changed = {"p": round(code_proba[i], 4)}
        code_proba[i] = 0.0
        return code_proba, changed

    def _fast_features(self):
        """(category FastFeatures, risk FastFeatures or None when it shares the category's)."""
        key = (id(self.category_model_), id(self.risk_model_))
        cached = getattr(self, "_fast_cache", None)
        if cached is None or cached[0] != key:
            cat = FastFeatures(self.category_model_.transformer())
            risk = FastFeatures(self.risk_model_.transformer())
            cached = (key, cat, None if cat.same_as(risk) else risk, [None])
            self._fast_cache = cached
        return cached[1], cached[2], cached[3]

    def assess_many(self, listings: Iterable[Listing], watchlist: Watchlist | None = None,
                    threshold: float = 0.5, now: datetime | date | None = None,
                    chunk_size: int = BATCH_SIZE) -> list[Assessment]:
        """`assess` for many listings at once, with identical results.

        Each text is normalised and tokenised once and the tokens are shared by both models
        (whose vocabularies are identical when trained by `fit`; otherwise each gets its
        own matrix from the same tokens); the matrix is built for the whole chunk and each
        model predicts once per chunk.
        """
        self._check_fitted()
        listings = list(listings)
        if not listings:
            return []
        # Scoring allocates many small objects that live on (assessments, reasons, specs) and
        # no reference cycles; the cyclic collector would scan them again and again as the
        # output grows (about 9% of the time at 20,000 listings), so it pauses for the batch.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._assess_batch(listings, watchlist, threshold, now, chunk_size)
        finally:
            if paused:
                gc.enable()

    def _assess_batch(self, listings: list[Listing], watchlist: Watchlist | None, threshold: float,
                      now: datetime | date | None, chunk_size: int) -> list[Assessment]:
        out: list[Assessment] = []
        cat_fast, risk_fast, names_box = self._fast_features()
        versions = self.model_versions
        for lo in range(0, len(listings), chunk_size):
            chunk = listings[lo:lo + chunk_size]
            norms = [normalize(listing_text(listing)) for listing in chunk]
            titles, tokens = [], []
            for norm in norms:
                # the title and the rest are cut apart: jieba cuts at the line break between them
                # anyway, and the title blocks of the features need the title's own tokens
                title, _, body = norm.partition(TITLE_END)
                title_tokens = tokenize_normalized(title)
                titles.append(title_tokens)
                tokens.append(title_tokens + tokenize_normalized(body) if body else title_tokens)
            X = cat_fast.transform(norms, tokens, titles)
            X_risk = X if risk_fast is None else risk_fast.transform(norms, tokens, titles)
            proba = self.category_model_.predict_proba_transformed(X)
            code_proba = self.risk_model_.predict_proba_transformed(X_risk)
            proba_rows, code_rows = proba.tolist(), code_proba.tolist()
            # the corpus-only text model shares the vocabulary (both fitted their features on the corpus)
            base_rows = self.risk_corpus_model_.predict_proba_transformed(X_risk).tolist() \
                if self.risk_corpus_model_ is not None else [None] * len(chunk)

            for i, listing in enumerate(chunk):
                def top_terms(code: str, i: int = i, listing: Listing = listing) -> list[str]:
                    if names_box[0] is None:
                        names_box[0] = self.risk_model_.transformer().get_feature_names_out()
                    return self.risk_model_.top_terms(listing_text(listing), code, row=X_risk[i],
                                                      names=names_box[0])
                out.append(self._combine(listing, proba_rows[i], code_rows[i], watchlist, threshold, now,
                                         versions, top_terms, base_rows[i], norms[i]))
        return out

    def score_record(self, record: dict[str, Any], watchlist: Watchlist | None = None,
                     threshold: float = 0.5, now: datetime | date | None = None) -> dict[str, Any]:
        """One `firewatch score` output line: the input plus category, risk, reasons, evidence."""
        return self.score_records([record], watchlist, threshold, now)[0]

    def score_records(self, records: Iterable[dict[str, Any]], watchlist: Watchlist | None = None,
                      threshold: float = 0.5, now: datetime | date | None = None) -> list[dict[str, Any]]:
        """`score_record` for many records, through `assess_many`."""
        records = list(records)
        assessments = self.assess_many([record_to_listing(r) for r in records], watchlist, threshold, now)
        return [record_line(record, a) for record, a in zip(records, assessments)]

    # -- measurement -------------------------------------------------------------------
    def evaluate(self, records: Iterable[dict[str, Any]], threshold: float = 0.5,
                 now: datetime | date | None = None) -> dict[str, Any]:
        """Category accuracy / macro-F1 and risk precision / recall on labelled records."""
        records = list(records)
        assessments = self.assess_many([record_to_listing(r) for r in records], threshold=threshold, now=now)
        y_cat = [r["category"] for r in records]
        p_cat = [a.category for a in assessments]
        y_risk = [bool(r.get("reasons")) for r in records]
        p_risk = [a.flagged for a in assessments]
        tp = sum(1 for y, p in zip(y_risk, p_risk) if y and p)
        fp = sum(1 for y, p in zip(y_risk, p_risk) if p and not y)
        fn = sum(1 for y, p in zip(y_risk, p_risk) if y and not p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        code_hits = code_total = 0
        for r, a in zip(records, assessments):
            got = {x.code for x in a.reasons}
            for code in r.get("reasons", []):
                code_total += 1
                code_hits += code in got
        return {
            "n": len(records),
            "category_accuracy": round(accuracy_score(y_cat, p_cat), 4),
            "category_macro_f1": round(f1_score(y_cat, p_cat, average="macro", zero_division=0), 4),
            "risk_precision": round(precision, 4),
            "risk_recall": round(recall, 4),
            "risk_f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "reason_code_recall": round(code_hits / code_total, 4) if code_total else 0.0,
            "threshold": threshold,
        }

    def set_price_model(self, model: Any) -> "Scorer":
        """Use a fitted PriceModel for price_too_low (None: the priors only); saved with the scorer."""
        self.price_model_ = model
        self.rules.price_model = model
        if model is not None:
            self.meta_["price_model"] = {"n_listings": int(model.n_listings_), "groups": len(model.groups_),
                                         "params": model.get_params()}
        return self

    # -- persistence -------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write model.joblib and its sidecar model.json into `directory`."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        model_path, sidecar_path = directory / MODEL_FILE, directory / SIDECAR_FILE
        # Write both files under temporary names and rename them into place, model first:
        # a process killed mid-save leaves the previous pair (or none), never half a model.
        models = {"category": self.category_model_, "risk": self.risk_model_, "risk_corpus": self.risk_corpus_model_,
                  "price": self.price_model_, "calibration": self.calibrator_}
        staged = [stage_file(model_path, lambda fh: joblib.dump(models, fh))]
        try:
            sidecar = dict(self.meta_)
            sidecar.update({"artifact": MODEL_FILE, "artifact_sha256": sha256_file(staged[0]),
                            "rules_sha256": rules_hash()})
            staged.append(stage_file(sidecar_path, json.dumps(sidecar, ensure_ascii=False, indent=2, default=str)))
            sidecar_path.unlink(missing_ok=True)  # no sidecar naming a model that is not there yet
            os.replace(staged[0], model_path)
            os.replace(staged[1], sidecar_path)
        finally:
            for tmp in staged:
                tmp.unlink(missing_ok=True)
        logger.info("saved scorer to %s", directory)
        return directory

    @classmethod
    def load(cls, directory: str | Path, rules: RiskRules | None = None) -> "Scorer":
        """Load a scorer saved by `save`; the artefact must match the sidecar's hash."""
        directory = Path(directory)
        sidecar_path, model_path = directory / SIDECAR_FILE, directory / MODEL_FILE
        if not sidecar_path.is_file() or not model_path.is_file():
            raise ModelNotTrainedError(str(directory))
        try:
            meta = json.loads(sidecar_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelIntegrityError(f"unreadable sidecar {sidecar_path}: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION or meta.get("artifact") != MODEL_FILE:
            raise ModelIntegrityError(f"{sidecar_path}：模型格式 {meta.get('format')!r} 不是本版本的格式 {FORMAT_VERSION}，"
                                      "请用 `firewatch train` 重新训练 (unknown model format: retrain)")
        if sha256_file(model_path) != meta.get("artifact_sha256"):
            raise ModelIntegrityError(f"{model_path} does not match the hash in {sidecar_path}: "
                                      "refusing to load; retrain with `firewatch train`")
        saved = (meta.get("versions") or {}).get("scikit-learn")
        if saved != sklearn.__version__:
            # scikit-learn does not promise that pickles load (or predict the same) across
            # versions: refuse before unpickling rather than score with a silently changed model
            raise ModelIntegrityError(
                f"{model_path} was trained with scikit-learn {saved or 'of an unknown version'}, "
                f"this is scikit-learn {sklearn.__version__}: retrain with `firewatch train`")
        models = joblib.load(model_path)
        scorer = cls(rules=rules)
        scorer.category_model_ = models["category"]
        scorer.risk_model_ = models["risk"]
        scorer.risk_corpus_model_ = models.get("risk_corpus")  # models saved before issue 17's reviews: None
        scorer.set_price_model(models.get("price"))
        scorer.calibrator_ = models.get("calibration")
        scorer.meta_ = meta
        return scorer



def record_line(record: dict[str, Any], assessment: Assessment) -> dict[str, Any]:
    """The `firewatch score` output line: the input record plus the assessment's fields."""
    out = dict(record)
    out.update({
        "category": assessment.category,
        "category_confidence": assessment.category_confidence,
        "risk": int(assessment.flagged),
        "risk_score": assessment.risk_score,
        "reasons": [r.code for r in assessment.reasons],
        "evidence": {r.code: r.evidence for r in assessment.reasons},
    })
    return out


def real_page(record: dict[str, Any]) -> bool:
    """A record shaped like a real listing page: it has attributes or a description."""
    return bool(record.get("attributes") or record.get("description"))


def train_default(model_dir: str | Path, corpus_path: str | Path = CORPUS_PATH,
                  heldout_path: str | Path = HELDOUT_PATH, now: datetime | date | None = None,
                  training_paths: Iterable[str | Path] = TRAINING_PATHS, reviews: Any = None) -> Scorer:
    """Train on the packaged corpus and the other training files that exist (the hand-written
    corpus, the real-voice listings; `corpus.load_training`) and, when given, `reviews` (a
    `classifiers.feedback.ReviewSet`: the text risk model also learns its records, with their weights,
    and the model records its summary); measure on the held-out file, save to `model_dir`."""
    paths = [Path(corpus_path)] + [Path(p) for p in training_paths if Path(p).is_file()]
    records = load_training(paths)
    scorer = Scorer().fit(records, data_hash=file_sha256(*paths),
                          review_records=reviews.records if reviews else (),
                          review_weights=reviews.weights if reviews else (),
                          review_reasons=reviews.reason_reviews if reviews else None)
    if reviews is not None:
        scorer.meta_["reviews"] = reviews.summary()
    scorer.meta_["training_files"] = [p.name for p in paths]
    scorer.meta_["training_sources"] = dict(Counter(str(r.get("source") or "") for r in records))
    heldout = Path(heldout_path)
    if heldout.exists():
        scorer.meta_["metrics"] = {"heldout": scorer.evaluate(load_records(heldout), now=now)}
        scorer.meta_["heldout_sha256"] = file_sha256(heldout)
        logger.info("heldout metrics: %s", scorer.meta_["metrics"]["heldout"])
    scorer.save(model_dir)
    return scorer
