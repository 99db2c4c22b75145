"""Shared fixtures for the classifiers tests: one scorer trained per session."""

from __future__ import annotations

from datetime import date

import pytest

from classifiers.risk import RiskRules
from classifiers.scorer import train_default

NOW = date(2026, 1, 15)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("model")


@pytest.fixture(scope="session")
def scorer(model_dir):
    return train_default(model_dir, now=NOW)


@pytest.fixture(scope="session")
def rules():
    return RiskRules()
