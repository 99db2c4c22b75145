"""Fixtures for the demo market tests: one catalogue and one quiet server per session."""
from __future__ import annotations

import httpx
import pytest

from demo_market.generator import build_catalogue
from demo_market.server import QUIET, DemoMarket


@pytest.fixture(scope="session")
def catalogue():
    return build_catalogue(seed=7, size=1600)


@pytest.fixture(scope="session")
def market(catalogue):
    m = DemoMarket(seed=7, catalogue=catalogue, **QUIET)
    m.start(port=0)
    yield m
    m.stop()


@pytest.fixture()
def client(market):
    market.day = 0
    with httpx.Client(base_url=market.base_url, timeout=10, follow_redirects=False) as c:
        yield c
    market.day = 0
