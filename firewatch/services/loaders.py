"""Build the judging components from settings: the scorer, the watchlist, the certificate registry.

The scorer is the saved model in `scoring.model_dir`, trained first only when none is
saved; a model failing its checks raises `ModelIntegrityError` (retrain explicitly).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from classifiers.exceptions import ModelNotTrainedError
from classifiers.scorer import Scorer, train_default
from firewatch.core.settings import Settings
from firewatch.imports import registry_from_store, watchlist_from_sources
from firewatch.store import open_store, store_exists

log = logging.getLogger(__name__)

TRAINING_NOTICE = "没有已训练的模型, 正在训练 no saved model: training now (as `firewatch train` does)"


def load_scorer(settings: Settings, report: Callable[[str], Any] = log.warning) -> Scorer:
    """The saved scorer with the store's certificate registry; trained first when none is saved."""
    try:
        scorer = Scorer.load(settings.model_dir)
    except ModelNotTrainedError:
        report(TRAINING_NOTICE)
        scorer = train_default(settings.model_dir)
    scorer.rules.registry = load_registry(settings)
    return scorer


def load_watchlist(settings: Settings, store=None):
    """Names imported into the store (`firewatch import watchlist`) plus the spot-check list
    file named by `scoring.watchlist` (CSV or XLSX, UTF-8 or GBK), or None."""
    if store is None and store_exists(settings.store_url):
        with open_store(settings.store_url, data_dir=settings.data_dir) as opened:
            return watchlist_from_sources(settings.watchlist_path, opened)
    return watchlist_from_sources(settings.watchlist_path, store)


def load_registry(settings: Settings, store=None):
    """The certificate lookup from the store (`firewatch import certificates`), or None."""
    if store is not None:
        return registry_from_store(store)
    if not store_exists(settings.store_url):
        return None
    with open_store(settings.store_url, data_dir=settings.data_dir) as opened:
        return registry_from_store(opened)
