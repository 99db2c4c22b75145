"""`firewatch store maintain`: monthly snapshot partitions on PostgreSQL (rows that reached the
default partition moved into their month), retention by whole months, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from firewatch.core.models import Listing
from firewatch.store import open_store
from firewatch.store.upkeep import maintain, snapshot_months
from tests.helpers import run_cli, store_env


def _history(store) -> None:
    """One listing whose price changed in September, October and November 2026."""
    for month, price in ((9, "30"), (10, "25"), (11, "20")):
        store.listings.upsert_listing(Listing("jd", "7", "https://item.jd.com/7.html", "干粉灭火器4kg",
                                              price=Decimal(price)),
                                      observed_at=datetime(2026, month, 15, tzinfo=timezone.utc))


def _where(store) -> dict[str, int]:
    rows = store._db.execute("SELECT tableoid::regclass::text, COUNT(*) FROM snapshots GROUP BY 1")
    return {r[0]: r[1] for r in rows}


def test_months_get_partitions_and_old_rows_move_into_them(pg_url):
    with open_store(pg_url) as store:
        _history(store)
        assert _where(store) == {"snapshots_default": 3}
        report = maintain(store, date(2026, 11, 20), months_ahead=2)
        assert snapshot_months(store) == [f"snapshots_2026_{m:02d}" for m in (9, 10, 11, 12)] + ["snapshots_2027_01"]
        assert report.moved_rows == 3
        assert _where(store) == {"snapshots_2026_09": 1, "snapshots_2026_10": 1, "snapshots_2026_11": 1}
        # a new snapshot goes straight to its month; the history reads as before
        store.listings.upsert_listing(Listing("jd", "7", "https://item.jd.com/7.html", "干粉灭火器4kg",
                                              price=Decimal("18")),
                                      observed_at=datetime(2026, 12, 2, tzinfo=timezone.utc))
        assert _where(store)["snapshots_2026_12"] == 1
        assert [s.price for s in store.listings.snapshots(("jd", "7"))] == [Decimal(p) for p in ("30", "25", "20", "18")]
        again = maintain(store, date(2026, 11, 20), months_ahead=2)
        assert again.added == [] and again.moved_rows == 0


def test_retention_drops_whole_months(store_url):
    with open_store(store_url) as store:
        _history(store)
        report = maintain(store, date(2026, 11, 20), keep_months=2)  # November and October stay
        assert [s.observed_at.month for s in store.listings.snapshots(("jd", "7"))] == [10, 11]
        if store.dialect == "postgresql":
            assert report.dropped == ["snapshots_2026_09"]  # a whole month at once, no row-by-row DELETE
        else:
            assert report.deleted_rows == 1


def test_maintain_command_runs_on_either_store(store_url, tmp_path):
    with open_store(store_url) as store:
        _history(store)
    done = run_cli("--data-dir", str(tmp_path / "data"), "store", "maintain", env=store_env(store_url))
    assert done.returncode == 0, done.stderr
    assert "删除分区 dropped: 无" in done.stdout  # keep_snapshot_months defaults to 0: everything kept
    with open_store(store_url) as store:
        assert len(store.listings.snapshots(("jd", "7"))) == 3
