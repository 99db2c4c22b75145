"""Fixtures of the classifiers tests: the session's trained scorer (tests/conftest.py)."""

from __future__ import annotations

import pytest

from classifiers.risk import RiskRules


@pytest.fixture(scope="session")
def model_dir(trained_model):
    """The session model's directory: read it, or copy it before changing anything."""
    return trained_model.directory


@pytest.fixture(scope="session")
def scorer(trained_model):
    return trained_model.scorer


@pytest.fixture(scope="session")
def rules():
    return RiskRules()


@pytest.fixture(scope="session")
def taxonomy() -> set[str]:
    """The 22 product categories the corpus, the held-out file and the model must cover."""
    return {
        "portable_extinguisher", "escape_respirator", "sprinkler", "fire_door", "fire_glass",
        "fire_shutter", "fire_blanket", "gas_detector", "smoke_alarm", "emergency_light", "fire_pump",
        "gas_suppression", "flame_retardant_cable", "fire_resistant_cable", "electrical_fire_detector",
        "fire_retardant_coating", "foam_agent", "fire_hose", "fire_coupling", "rescue_equipment",
        "other_fire", "not_fire",
    }
