"""Shared fixtures: real servers started once per session on 127.0.0.1 port 0.

`demo_market` is the replica marketplace with its real-site behaviours switched off
(tests of those behaviours start their own with `start_market`). `run_firewatch` runs the
command line in a child process, as the scheduler and the demo do. `es_url` and
`es_cluster` (tests/es_fixtures.py) start real Elasticsearch nodes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.es_fixtures import es_cluster, es_url  # noqa: F401 (fixtures: real Elasticsearch nodes)

ROOT = Path(__file__).resolve().parents[1]
REAL_PAGES = ROOT.parent / "shared" / "fixtures" / "real-pages"


@pytest.fixture(scope="session")
def real_pages() -> Path:
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real pages folder {REAL_PAGES} not found (clone the repository next to shared/)")
    return REAL_PAGES


@pytest.fixture(scope="session")
def start_market():
    """Start a demo market with the given knobs; all are stopped at the session's end."""
    from demo_market.server import DemoMarket

    started = []

    def start(**knobs):
        market = DemoMarket(**knobs)
        market.start(host="127.0.0.1", port=0)
        started.append(market)
        return market

    yield start
    for market in started:
        market.stop()


@pytest.fixture(scope="session")
def demo_market(start_market):
    """A gentle demo market (no rate limit, captcha or injected errors), seed 7."""
    from demo_market.server import QUIET

    return start_market(seed=7, **QUIET)


def firewatch_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "firewatch", "--data-dir", str(data_dir), *args]


@pytest.fixture
def run_firewatch(tmp_path):
    """Run `firewatch ARGS` in a child process with a fresh data directory; return the result."""

    def run(*args: str, data_dir: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(firewatch_command(data_dir or tmp_path / "data", *args), capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)

    return run
