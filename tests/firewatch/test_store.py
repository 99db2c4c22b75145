"""The store on both backends (SQLite and PostgreSQL): migrations, upsert, snapshots on change,
queue, Decimal money, and its repositories against their protocols; WAL on SQLite."""

import inspect
from decimal import Decimal

import pytest

from firewatch.core.exceptions import StoreError
from firewatch.core.models import Assessment, Listing, PriceTier, Reason
from firewatch.store import open_store, protocols
from firewatch.store.migrations import MIGRATIONS
from firewatch.core.money import from_fen, to_fen


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


ALL_VERSIONS = sorted(v for v, _, _ in MIGRATIONS)


def listing(**kw):
    base = dict(platform="jd", listing_id="100", url="http://x/jd/item/100.html", title="干粉灭火器4kg",
                price=Decimal("58.80"), shop_name="消防器材店", attributes={"型号": "MFZ/ABC4"})
    base.update(kw)
    return Listing(**base)


def test_wal_and_migrations_recorded(store, store_url):
    if store.dialect == "sqlite":
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_versions() == ALL_VERSIONS
    assert store.integrity_ok()
    # reopening applies nothing twice
    with open_store(store_url) as again:
        assert again.schema_versions() == ALL_VERSIONS


def test_newer_schema_is_refused(store_url):
    with open_store(store_url) as store:
        store._db.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'now')")
    with pytest.raises(StoreError, match="newer"):
        open_store(store_url)


def test_upsert_snapshots_only_on_change(store):
    r1 = store.listings.upsert_listing(listing())
    r2 = store.listings.upsert_listing(listing())
    r3 = store.listings.upsert_listing(listing(price=Decimal("49.90")))
    r4 = store.listings.upsert_listing(listing(price=Decimal("49.90"), description="说明变了"))
    r5 = store.listings.upsert_listing(listing(price=Decimal("49.90"), description="说明变了", status="removed"))
    assert (r1.created, r1.snapshot) == (True, True)
    assert (r2.created, r2.snapshot, r2.changed) == (False, False, False)
    assert r3.snapshot and r3.changed
    assert not r4.snapshot and r4.changed  # description is not a snapshot field, but is re-scored
    assert r5.snapshot
    snaps = store.listings.snapshots(("jd", "100"))
    assert [s.price for s in snaps] == [Decimal("58.80"), Decimal("49.90"), Decimal("49.90")]
    assert [s.status for s in snaps] == ["active", "active", "removed"]
    assert store.listings.count_listings() == {"jd": 1}


def test_money_is_exact(store):
    tiers = [PriceTier(2, Decimal("3.80")), PriceTier(100, Decimal("3.05"))]
    store.listings.upsert_listing(listing(price=None, price_range=(Decimal("0.10"), Decimal("0.30")), price_tiers=tiers))
    got = store.listings.get_listing(("jd", "100"))
    assert got.price_range == (Decimal("0.10"), Decimal("0.30"))
    assert got.price_tiers == tiers
    assert to_fen(Decimal("0.1") + Decimal("0.2")) == 30 and from_fen(30) == Decimal("0.30")
    typeof = "typeof" if store.dialect == "sqlite" else "pg_typeof"
    raw = store._db.execute(f"SELECT {typeof}(price_low_fen) FROM listings").fetchone()[0]
    assert raw == ("integer" if store.dialect == "sqlite" else "bigint")


def test_queue_stages_complete_with_their_results(store):
    store.listings.upsert_listing(listing())
    assert store.queue.pending("score") == [("jd", "100")]
    a = Assessment("jd", "100", "portable_extinguisher", 0.9, 0.8, True,
                   reasons=[Reason("inspection_only", "年检专用", "title")])
    store.assessments.save_assessment(a, ("capture", "index"))
    assert store.queue.pending("score") == []
    assert store.queue.queue_counts() == {"capture": 1, "index": 1}
    assert store.assessments.get_assessment(("jd", "100")).reasons[0].code == "inspection_only"
    store.queue.fail_stage(("jd", "100"), "capture", "boom")
    store.queue.fail_stage(("jd", "100"), "capture", "boom")
    store.queue.fail_stage(("jd", "100"), "capture", "boom")
    assert store.queue.pending("capture") == []  # gave up after three attempts, row kept with its error
    assert store._db.execute("SELECT last_error FROM queue WHERE stage='capture'").fetchone()[0] == "boom"


def test_failed_transaction_leaves_nothing(store):
    store.listings.upsert_listing(listing())
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("UPDATE listings SET title='half' WHERE listing_id='100'")
            raise RuntimeError("crash mid-write")
    assert store.listings.get_listing(("jd", "100")).title == "干粉灭火器4kg"


def test_processes_opening_a_new_store_at_once_migrate_it_once(store_url):
    import subprocess
    import sys

    path = store_url
    # each child imports first, then waits for the go line, so the opens start together
    code = "import sys; from firewatch.store import open_store; sys.stdin.readline(); open_store(sys.argv[1]).close()"
    children = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(8)]
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    with open_store(path) as store:
        assert store.schema_versions() == ALL_VERSIONS


REPOSITORIES = {
    "listings": protocols.ListingRepository, "queue": protocols.QueueRepository,
    "assessments": protocols.AssessmentRepository, "evidence": protocols.EvidenceRepository,
    "reviews": protocols.ReviewRepository, "notices": protocols.NoticeRepository,
    "alerts": protocols.AlertRepository, "users": protocols.UserRepository,
    "references": protocols.ReferenceRepository,
}


@pytest.mark.parametrize("attr", sorted(REPOSITORIES))
def test_each_repository_is_exactly_its_protocol(store, attr):
    """Same public methods with the same parameters: what callers type against is what runs."""
    proto, repo = REPOSITORIES[attr], getattr(store, attr)
    assert isinstance(repo, proto)
    public = {n for n in dir(type(repo)) if not n.startswith("_")}
    assert public == {n for n in dir(proto) if not n.startswith("_")}
    def params(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    for name in public:
        assert params(getattr(type(repo), name)) == params(getattr(proto, name)), name


def test_repositories_share_one_connection_and_its_transaction(store):
    """A write of any repository is rolled back with the transaction it ran in: one connection."""
    assert {id(getattr(store, attr)._db) for attr in REPOSITORIES} == {id(store._db)}
    store.listings.upsert_listing(listing())
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("UPDATE listings SET title='half' WHERE listing_id='100'")
            assert store.listings.get_listing(("jd", "100")).title == "half"  # the same connection sees it
            raise RuntimeError("crash mid-write")
    assert store.listings.get_listing(("jd", "100")).title == "干粉灭火器4kg"


def test_writers_of_the_same_listings_at_once_lose_nothing(store, store_url):
    """Four connections upserting the same new listings at the same moment (several crawl
    processes finding one item): no duplicate-key failure, one listing each, its first sighting
    snapshotted once and later price changes each snapshotted, one queue row each."""
    import threading

    barrier, errors = threading.Barrier(4), []

    def write(writer: int) -> None:
        try:
            with open_store(store_url) as own:
                barrier.wait(timeout=30)
                for i in range(40):
                    own.listings.upsert_listing(listing(listing_id=str(i), price=Decimal(10 + writer)))
        except Exception as exc:  # noqa: BLE001 - reported below with the writer's number
            errors.append((writer, exc))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert store.listings.count_listings() == {"jd": 40}
    for i in range(40):
        snaps = store.listings.snapshots(("jd", str(i)))
        prices = [s.price for s in snaps]
        # each snapshot is a change from the one before it: the writes were taken in turn
        assert all(a != b for a, b in zip(prices, prices[1:])), prices
        assert 1 <= len(snaps) <= 4
    assert store.queue.queue_counts() == {"score": 40}


def test_a_recrawl_during_a_workers_batch_waits_its_turn(pg_url):
    """A worker's batch completes a listing's score row and then writes its assessment and queue
    row, while a re-crawl of the same listing (new shop, new content) writes the listing, its
    queue row and its review row: both take the listing's lock first, so the re-crawl waits and
    neither deadlocks nor leaves the review row with the old shop (PostgreSQL; SQLite has one
    writer anyway)."""
    import threading

    from firewatch.core.models import utcnow
    from firewatch.store.assessments import _upsert_in
    from firewatch.store.listings import upsert_in
    from firewatch.store.queue import take_in
    from tests.helpers import wait_until

    with open_store(pg_url) as setup:
        setup.listings.upsert_listing(listing(listing_id="X", shop_name="旧店"))
        first = Assessment("jd", "X", "portable_extinguisher", 0.9, 0.9, True, reasons=[Reason("price_too_low", "9.9")])
        setup.assessments.save_assessment(first)
        setup.queue.enqueue(("jd", "X"), "score")
        assert setup.queue.claim("score", "w1", 10, 600) == [("jd", "X")]
    worker, crawler, watcher = open_store(pg_url), open_store(pg_url), open_store(pg_url)
    inside, go, results = threading.Event(), threading.Event(), {}

    def batch():
        try:
            with worker._db.transaction() as db:
                take_in(db, ("jd", "X"), "score", "w1")
                inside.set()
                go.wait(30)
                _upsert_in(db, first)
            results["batch"] = "ok"
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            results["batch"] = repr(exc)

    def recrawl():
        try:
            with crawler._db.transaction(exclusive=False) as db:
                upsert_in(db, listing(listing_id="X", title="干粉灭火器4kg 新款", shop_name="新店"), utcnow())
            results["crawl"] = "ok"
        except Exception as exc:  # noqa: BLE001
            results["crawl"] = repr(exc)

    threads = [threading.Thread(target=batch)]
    threads[0].start()
    assert inside.wait(30)
    threads.append(threading.Thread(target=recrawl))
    threads[1].start()
    wait_until(lambda: watcher._db.execute(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type='Lock' AND datname=current_database() "
        "AND query LIKE '%pg_advisory_xact_lock%'").fetchone()[0], 30, "the re-crawl to wait for the listing")
    go.set()
    for t in threads:
        t.join(60)
    try:
        assert results == {"batch": "ok", "crawl": "ok"}
        shop = watcher._db.execute("SELECT shop_name_lc FROM triage WHERE listing_id='X'").fetchone()[0]
        assert shop == "新店"
        assert watcher.queue.queue_counts().get("score") == 1  # the changed content is queued again
    finally:
        for s in (worker, crawler, watcher):
            s.close()


def test_pooled_connections_survive_a_server_that_dropped_them(pg_url):
    """After the server ends the pool's connections (a restart, a failover), the next stores the
    web app opens still work and no connection is lost from the pool."""
    import psycopg

    from firewatch.store import pgdb

    stores = [open_store(pg_url, pooled=True) for _ in range(3)]
    pids = {s._db._conn.info.backend_pid for s in stores}
    for s in stores:
        s.close()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    for _ in range(20):  # more than the pool holds: a leak would exhaust it
        with open_store(pg_url, pooled=True) as s:
            assert s.listings.count_listings() == {}
    stats = pgdb._pool(pg_url).get_stats()
    assert stats["pool_size"] - stats.get("pool_available", 0) == 0  # every connection came back
