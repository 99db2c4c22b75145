"""Fixtures for the demo market tests: one catalogue and one quiet server per session.

The server is this package's own (tests here move its day), started with the session's
`start_market` (tests/conftest.py) and stopped at the session's end."""
from __future__ import annotations

import httpx
import pytest

from demo_market.generator import build_catalogue
from demo_market.server import QUIET
from firewatch.core.hostmap import HostMap


@pytest.fixture(scope="session")
def catalogue():
    return build_catalogue(seed=7, size=1600)


@pytest.fixture(scope="session")
def market(catalogue, start_market):
    return start_market(seed=7, catalogue=catalogue, **QUIET)


@pytest.fixture()
def client(market):
    """Relative paths go to the internal routes; the platforms' real URLs through the host map."""
    market.day = 0
    transport = HostMap.parse(market.resolve, market.ca_file).httpx_transport()
    with httpx.Client(base_url=market.base_url, timeout=10, follow_redirects=False, transport=transport) as c:
        yield c
    market.day = 0
