"""The audit log read by time (filters, keyset pages, migration 17's indexes) and cases closed and
reopened, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from firewatch.core.exceptions import CaseClosed
from firewatch.core.models import Listing
from firewatch.store import open_store


def _audit_at(store, at: datetime, actor: str, action: str, subject: str) -> None:
    """An entry at a chosen time (the store stamps `now`; the test moves it, chain and all)."""
    entry_id = store.users.audit(actor, action, subject, {"n": subject})
    with store.transaction() as db:
        db.execute("UPDATE audit_log SET at=? WHERE id=?", (at.isoformat(), entry_id))


def test_audit_pages_by_time_with_filters(store_url):
    store = open_store(store_url)
    t0 = datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc)  # 23:00 Beijing time on 11-30
    for i in range(25):
        _audit_at(store, t0 + timedelta(hours=i), "alice" if i % 2 else "bob", "login" if i % 3 else "decision", f"s{i}")
    everything = store.users.audit_page(limit=100)
    assert [e["subject"] for e in everything] == [f"s{i}" for i in reversed(range(25))]
    # keyset pages of 7 cover the log once, newest first
    seen, before = [], None
    while True:
        page = store.users.audit_page(limit=7, before=before)
        if not page:
            break
        seen += [e["subject"] for e in page]
        before = (page[-1]["at"], page[-1]["id"])
    assert seen == [e["subject"] for e in everything]
    # a time window [since, until) and an actor
    since, until = (t0 + timedelta(hours=5)).isoformat(), (t0 + timedelta(hours=10)).isoformat()
    window = store.users.audit_page(since=since, until=until, limit=100)
    assert [e["subject"] for e in window] == [f"s{i}" for i in (9, 8, 7, 6, 5)]
    assert [e["subject"] for e in store.users.audit_page(actor="alice", action="decision", limit=100)] == ["s21", "s15", "s9", "s3"]
    names = {r[0] for r in store._db.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename='audit_log'" if store.dialect == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='audit_log'")}
    assert {"audit_log_at", "audit_log_actor", "audit_log_action"} <= names
    store.close()


def test_a_closed_case_is_read_only_until_reopened(store_url):
    store = open_store(store_url)
    store.listings.upsert_listing(Listing(platform="jd", listing_id="1", url="https://item.jd.com/1.html", title="灭火器"))
    store.listings.upsert_listing(Listing(platform="jd", listing_id="2", url="https://item.jd.com/2.html", title="灭火毯"))
    case = store.reviews.create_case("年检专用灭火器", "inv")
    assert store.reviews.add_case_item(case, ("jd", "1"), "inv")
    assert store.reviews.set_case_status(case, "closed", "inv", "已移送执法")
    assert not store.reviews.set_case_status(case, "closed", "inv", "again")  # closed already
    got = store.reviews.get_case(case)
    assert got["status"] == "closed" and got["closed_by"] == "inv" and got["close_note"] == "已移送执法" and got["closed_at"]
    with pytest.raises(CaseClosed):
        store.reviews.add_case_item(case, ("jd", "2"), "inv")
    with pytest.raises(CaseClosed):
        store.reviews.remove_case_item(case, ("jd", "1"))
    assert [i["listing_id"] for i in store.reviews.case_items(case)] == ["1"]
    assert store.reviews.set_case_status(case, "open", "admin")
    assert store.reviews.get_case(case)["status"] == "open" and store.reviews.get_case(case)["closed_at"] is None
    assert store.reviews.add_case_item(case, ("jd", "2"), "inv")
    with pytest.raises(ValueError):
        store.reviews.set_case_status(case, "archived", "admin")
    store.close()
