"""Shared fixtures: real servers on 127.0.0.1 port 0, one trained model, the command line.

- `trained_model`: the scorer trained once per session (as `firewatch train` does) and its
  model directory (under pytest-xdist, once per run: the workers share it); `install_model(
  data_dir)` copies that directory where the settings look for it (`DATA/models`), so
  `firewatch process`, `score` or the scheduler's children load it instead of training.
  Training in this process anywhere else fails the test (`allow_training` marks a test
  whose point is training);
- `run_firewatch`: the command line in this process (`firewatch.cli.main` under Click's
  `CliRunner`: its exit codes and messages); `spawn_firewatch`: the same as a child
  process, for what needs one (a Scrapy crawl: Twisted's reactor runs once per process);
- `chromium` (Debian's, or a skip naming it) and `capturer`, one evidence `Capturer` for
  the session;
- `demo_market` is the replica marketplace with its real-site behaviours switched off
  (tests of those behaviours start their own with `start_market`);
- `serve(ServerClass, ...)` starts a test HTTP server from tests/servers.py, `smtp_server`
  a real aiosmtpd server, `redis_url` a real redis-server, `es_url` / `es_cluster` real
  Elasticsearch nodes; each is stopped by its fixture;
- `pg_cluster` a real PostgreSQL cluster for the session (Debian's server, started by
  `firewatch.store.pg_node`), `pg_url` a fresh schema in it, and `store_url` the store
  fixture of the store and flow tests: once a SQLite file, once a PostgreSQL schema.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

import classifiers.scorer as _scorer_module
import firewatch.cli.scoring as _cli_scoring
import firewatch.services.loaders as _loaders
from tests.helpers import CHROMIUM, HAS_CHROMIUM, NO_CHROMIUM, NOW, ROOT, firewatch_command, run_cli
from tests.servers import RedisServer, SMTPServer

REAL_PAGES = ROOT.parent / "shared" / "fixtures" / "real-pages"
_TRAIN_DEFAULT = _scorer_module.train_default
# every module that binds `train_default` by name, imported here so each binds the real one
# (imported first inside a guarded test, a module would keep the guard for the whole session)
_TRAINING_MODULES = (_scorer_module, _cli_scoring, _loaders)


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_training: the test trains a model on purpose")


@pytest.fixture(scope="session")
def real_pages() -> Path:
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real pages folder {REAL_PAGES} not found (clone the repository next to shared/)")
    return REAL_PAGES


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium (the test is skipped, with the reason, where it is missing)."""
    if not HAS_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    return CHROMIUM


CAPTURE_UA = "firewatch-test/1.0 (evidence capture)"


def _stand_in_block_check(html: str, url: str) -> str | None:
    """Stand-in for crawler.platforms.blocked.detect_block: verification and login walls."""
    for marker in ("滑动验证", "验证码", "请登录"):
        if marker in html:
            return f"verification page ({marker})"
    return None


@pytest.fixture(scope="session")
def capturer(chromium, tmp_path_factory):
    """One evidence `Capturer` (one Chromium) for the session: allowed host 127.0.0.1,
    screenshots cut at 3000 px, pages with a verification marker refused. Captures land
    under `capturer.out_dir`; give each test its own listing ids."""
    from crawler.capture import Capturer

    out = tmp_path_factory.mktemp("captures") / "evidence"
    with Capturer(chromium, out, CAPTURE_UA, ["127.0.0.1"], max_height=3000, timeout_ms=15000,
                  is_blocked=_stand_in_block_check) as cap:
        yield cap


# -- the model ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainedModel:
    directory: Path  # read-only: copy it (install_model, shutil.copytree) to change anything
    scorer: object
    # what the freshly trained scorer (in memory, before any save) said of each held-out
    # record: (category, confidence, risk score, reason codes), for the save/load round trip
    heldout_results: list


def _heldout_results(scorer) -> list:
    from classifiers.corpus import HELDOUT_PATH, load_records, record_to_listing

    listings = [record_to_listing(r) for r in load_records(HELDOUT_PATH)]
    return [[a.category, a.category_confidence, a.risk_score, [r.code for r in a.reasons]]
            for a in scorer.assess_many(listings, now=NOW)]


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> TrainedModel:
    """The packaged corpus trained once for the session (as `firewatch train` does), saved.

    Under pytest-xdist the workers share one: the first to need it trains it into the run's
    common temporary folder while holding a lock; the others wait for the lock and load it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        directory = tmp_path_factory.mktemp("model") / "models"
        scorer = _TRAIN_DEFAULT(directory, now=NOW)
        return TrainedModel(directory, scorer, _heldout_results(scorer))
    shared = tmp_path_factory.getbasetemp().parent / "session-model"
    shared.mkdir(exist_ok=True)
    directory, results = shared / "models", shared / "heldout-results.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not results.exists():
            scorer = _TRAIN_DEFAULT(directory, now=NOW)
            model = TrainedModel(directory, scorer, _heldout_results(scorer))
            results.write_text(json.dumps(model.heldout_results), encoding="utf-8")
            return model
    return TrainedModel(directory, _scorer_module.Scorer.load(directory),
                        json.loads(results.read_text(encoding="utf-8")))


@pytest.fixture
def install_model(trained_model):
    """`install_model(data_dir)`: a copy of the session's model at DATA/models (the default
    scoring.model_dir), where the command line loads it from; returns that path."""

    def install(data_dir: Path) -> Path:
        target = Path(data_dir) / "models"
        shutil.copytree(trained_model.directory, target)
        return target

    return install


@pytest.fixture(autouse=True)
def _no_training_behind_the_tests_back(request, monkeypatch):
    """Training takes seconds: a test that would train in this process (a command line
    without a model, say) fails and is pointed at `install_model` instead."""
    if request.node.get_closest_marker("allow_training"):
        return

    def refuse(*args, **kwargs):
        pytest.fail("this test trained a model: use the session's (`install_model(data_dir)`, or the "
                    "`trained_model` fixture), or mark the test `allow_training`", pytrace=False)

    for module in _TRAINING_MODULES:
        monkeypatch.setattr(module, "train_default", refuse)


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def run_firewatch(tmp_path):
    """`run_firewatch(*args, data_dir=None, input=None, env=None)`: `firewatch --data-dir DATA ARGS`
    in this process; returns returncode, stdout and stderr (DATA defaults to tmp_path/data)."""

    def run(*args: str, data_dir: Path | None = None, input: str | None = None, env: dict | None = None):
        return run_cli("--data-dir", str(data_dir or tmp_path / "data"), *args, input=input, env=env)

    return run


@pytest.fixture
def spawn_firewatch(tmp_path):
    """`spawn_firewatch(*args, data_dir=None, env=None, timeout=300)`: the command line as a
    child process (`python -m firewatch`), for what needs a process of its own."""

    def run(*args: str, data_dir: Path | None = None, env: dict | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(firewatch_command(data_dir or tmp_path / "data", *args), capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT, env=env)

    return run


# -- servers -----------------------------------------------------------------------------------

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
    """A gentle demo market (no rate limit, captcha or injected errors), seed 7. Shared:
    tests only read it (they never move its day)."""
    from demo_market.server import QUIET

    return start_market(seed=7, **QUIET)


@pytest.fixture
def serve():
    """`serve(ServerClass, *args, **kwargs)`: start a server from tests/servers.py (a real
    HTTP server on 127.0.0.1 port 0 in a thread); every one is stopped after the test."""
    started = []

    def start(server_class, *args, **kwargs):
        server = server_class(*args, **kwargs)
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 port 0 that keeps every message."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on 127.0.0.1 (no persistence) for the session."""
    if not Path(RedisServer.EXECUTABLE).exists():
        pytest.skip(f"{RedisServer.EXECUTABLE} not found (Debian package redis-server; `make test` installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server.url
    server.stop()


# -- Elasticsearch: real 7.10.2 nodes in a JVM started by firewatch.search.es_node --------------
# A missing es/lib fails the test with the fix (`make es-fetch`) rather than skipping it:
# `make test` fetches the jars first, so a skip would only hide a broken set-up.

def _start_es(cluster):
    from firewatch.search.es_node import EsNodeError

    try:
        cluster.start()
    except EsNodeError as exc:
        pytest.fail(f"could not start Elasticsearch for the tests: {exc}", pytrace=False)
    return cluster


@pytest.fixture(scope="session")
def es_url(tmp_path_factory) -> str:
    """URL of one real Elasticsearch 7.10.2 node, shared by the session (use your own index names)."""
    from firewatch.search.es_node import EsCluster

    cluster = _start_es(EsCluster(nodes=1, data_dir=tmp_path_factory.mktemp("es-session"),
                                  cluster_name=f"firewatch-test-{uuid.uuid4().hex[:8]}", heap="512m"))
    yield cluster.live_urls()[0]
    cluster.stop()


@pytest.fixture(scope="module")
def es_cluster(tmp_path_factory):
    """Factory: `es_cluster(nodes=3, heap="1g")` starts a cluster and returns its `EsCluster`.

    Node 1 bootstraps the cluster, so it is the elected master until it stops. Every
    cluster made is stopped when the test module ends (a module may share one between
    its tests through a module fixture).
    """
    from firewatch.search.es_node import EsCluster

    started = []
    base = tmp_path_factory.mktemp("es-clusters")

    def start(nodes: int = 3, heap: str = "1g"):
        cluster = EsCluster(nodes=nodes, data_dir=base / f"es-{len(started)}",
                            cluster_name=f"firewatch-test-{uuid.uuid4().hex[:8]}", heap=heap)
        started.append(cluster)
        return _start_es(cluster)

    yield start
    for cluster in started:
        cluster.stop()


# -- PostgreSQL: a real cluster (Debian's postgresql, run by firewatch.store.pg_node) --------------
# Missing binaries fail with the fix rather than skip: `make test` installs the package.

@pytest.fixture(scope="session")
def pg_cluster():
    """One real PostgreSQL cluster for the session, in a fresh folder the server's user can enter."""
    from firewatch.store.pg_node import PgCluster, PgNodeError, free_port

    base = Path(tempfile.mkdtemp(prefix="firewatch-pg-"))
    base.chmod(0o755)  # under root the cluster runs as `postgres`, which must reach its folder
    cluster = PgCluster(base / "data", free_port(), fast=True)
    try:
        cluster.start()
    except PgNodeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL for the tests: {exc}", pytrace=False)
    yield cluster
    cluster.destroy()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster):
    """A PostgreSQL store URL of the test's own: a new schema, first on the connection's search_path."""
    url = pg_cluster.new_schema("t")
    yield url
    pg_cluster.drop_schema(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where the test's store lives, once per backend: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "fw.db")
    return request.getfixturevalue("pg_url")
