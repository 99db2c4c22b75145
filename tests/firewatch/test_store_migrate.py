"""`firewatch store migrate --to`: a SQLite store copied into PostgreSQL, every table verified
by row count and checksum; ids keep counting after the copy; a non-empty target copies nothing."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from firewatch.store.copy import copy_order, verify_copy
from tests.helpers import run_cli

AT = datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def sqlite_store(tmp_path):
    """A SQLite store with rows in the main tables, including hostile and non-ASCII text."""
    path = tmp_path / "data" / "firewatch.db"
    with open_store(path) as s:
        for i, title in enumerate(["干粉灭火器4kg 年检专用", "消防自救呼吸器 3C", "'; DROP TABLE listings; -- 100%"]):
            s.listings.upsert_listing(Listing("jd", str(i), f"https://item.jd.com/{i}.html", title,
                                              price=Decimal("19.90") + i, attributes={"型号": "MFZ/ABC4"}))
            s.assessments.save_assessment(Assessment("jd", str(i), "portable_extinguisher", 0.9, 0.8 + i / 100, True,
                                                     reasons=[Reason("inspection_only", "年检专用", "title")]))
        s.listings.upsert_listing(Listing("jd", "0", "https://item.jd.com/0.html", "干粉灭火器4kg", price=Decimal("9.90")))
        s.reviews.record_decision(Decision("jd", "0", "alice", "confirm", "确认：年检专用", at=AT))
        s.reviews.record_decision(Decision("jd", "1", "bob", "dismiss", at=AT))
        s.notices.create_notice("jd", [("jd", "0")], created_by="alice")
        s.users.add_user("alice", "regulator", "argon2-hash")
        s.alerts.add_alerts([{"rule": "new_flag", "dedupe_key": "k1", "platform": "jd", "listing_id": "0",
                              "summary": "新标记", "details": {"分数": 0.8}}])
    return path


def test_migrate_copies_every_table_and_verifies_it(sqlite_store, pg_url, tmp_path):
    done = run_cli("--data-dir", str(sqlite_store.parent), "store", "migrate", "--to", pg_url, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "已复制并核对" in done.stdout and "不一致" not in done.stdout
    with open_store(sqlite_store) as source, open_store(pg_url) as target:
        checks = verify_copy(source, target)
        assert checks and all(c.ok for c in checks)
        assert {c.table for c in checks} == set(copy_order(source))
        rows = {c.table: c.target_rows for c in checks}
        assert (rows["listings"], rows["snapshots"], rows["decisions"], rows["notice_items"]) == (3, 4, 2, 1)
        # the copy reads back as the store it came from
        assert target.listings.get_listing(("jd", "2")).title == "'; DROP TABLE listings; -- 100%"
        assert target.assessments.get_assessment(("jd", "1")) == source.assessments.get_assessment(("jd", "1"))
        assert [d.note for d in target.reviews.decisions(("jd", "0"))] == ["确认：年检专用"]
        # new ids follow the copied ones
        copied_max = target._db.execute("SELECT MAX(id) FROM decisions").fetchone()[0]
        assert target.reviews.record_decision(Decision("jd", "2", "carol", "confirm", at=AT)) == copied_max + 1


def test_a_changed_row_is_named_by_the_verification(sqlite_store, pg_url):
    assert run_cli("--data-dir", str(sqlite_store.parent), "store", "migrate", "--to", pg_url,
                   "--no-progress").returncode == 0
    with open_store(sqlite_store) as source, open_store(pg_url) as target:
        target._db.execute("UPDATE listings SET title=? WHERE listing_id=?", ("改过的标题", "1"))
        bad = [c.table for c in verify_copy(source, target) if not c.ok]
    assert bad == ["listings"]


def test_a_target_holding_rows_gets_nothing(sqlite_store, pg_url):
    with open_store(pg_url) as target:
        target.listings.upsert_listing(Listing("pdd", "9", "https://mobile.yangkeduo.com/goods.html?goods_id=9", "灭火毯"))
    done = run_cli("--data-dir", str(sqlite_store.parent), "store", "migrate", "--to", pg_url, "--no-progress")
    assert done.returncode == 74
    assert "目标库不是空的" in done.stderr
    with open_store(pg_url) as target:
        assert target.listings.count_listings() == {"pdd": 1}


def test_the_schedulers_job_store_stays_behind(sqlite_store, pg_url):
    """`firewatch schedule run` keeps APScheduler's jobs in the store's database; they are not the
    store's data (the scheduler writes them again from the settings), so a migration skips them."""
    from crawler.schedule import jobstore_url, make_jobstore

    make_jobstore(jobstore_url(sqlite_store)).start(None, "default")
    with open_store(sqlite_store) as source:
        assert "apscheduler_jobs" in source.tables()
    done = run_cli("--data-dir", str(sqlite_store.parent), "store", "migrate", "--to", pg_url, "--no-progress")
    assert done.returncode == 0, done.stderr
    with open_store(pg_url) as target:
        assert "apscheduler_jobs" not in target.tables()
        assert target.listings.count_listings() == {"jd": 3}
