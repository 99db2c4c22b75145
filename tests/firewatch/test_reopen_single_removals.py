"""Migration 30, on SQLite and PostgreSQL: a listing stored removed on one sighting of a home or error page or
gone wording (before a second sighting was required) is suspected again; a 404, two sightings, or the item's own
下架 page stay removed; every value changed is kept in removals_reopened and nothing is deleted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from firewatch.core.models import Listing, Removal
from firewatch.store import open_store, sqlstore
from firewatch.store.migrations import MIGRATIONS

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
SENT, SEEN = T0 + timedelta(hours=1), T0 + timedelta(days=2)


def listing(lid: str, status: str = "active") -> Listing:
    return Listing("jd", lid, url=f"https://item.jd.com/{lid}.html", title=f"灭火器{lid}", status=status)


def removed_once(store, lid: str, basis: str, at: datetime) -> None:
    """What the code before the second-sighting rule did: one sighting stored the listing removed (migration 29
    then marked a home/error/gone-wording sighting uncounted, leaving the listing removed)."""
    seen = Removal("jd", lid, at, listing(lid).url, "https://www.jd.com/?from=item", 200, "京东首页", basis)
    store.listings.record_removal(listing(lid), seen)
    if basis != "http_status":
        with store._db.transaction() as tx:
            tx.execute("UPDATE listing_removals SET counted = 0 WHERE listing_id = ?", (lid,))


def test_removals_seen_once_become_suspected_again_and_nothing_is_lost(store_url, monkeypatch):
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 30])
    with open_store(store_url) as store:  # a store as it was before migration 30
        for lid in ("home", "http", "twice", "own", "alone"):
            store.listings.upsert_listing(listing(lid), observed_at=T0)
        notice = store.notices.create_notice("jd", [("jd", "home"), ("jd", "http")], created_by="王", at=T0)
        store.notices.mark_notice_sent(notice, sent_by="王", channel="测试", at=SENT, deadline_at=SENT + timedelta(days=7),
                                       html_path="", pdf_path="", document_sha256="")
        store.notices.mark_notice_acknowledged(notice, by="平台", at=SENT + timedelta(hours=2))
        removed_once(store, "home", "home_redirect", SEEN)
        removed_once(store, "http", "http_status", SEEN)
        removed_once(store, "twice", "error_page", SEEN - timedelta(hours=8))
        removed_once(store, "twice", "error_page", SEEN)
        removed_once(store, "alone", "gone_text", SEEN)
        store.listings.upsert_listing(listing("own", "removed"), observed_at=SEEN)  # its own page said 下架
        for lid in ("home", "http"):
            store.notices.mark_notice_item_removed(notice, ("jd", lid), SEEN, f"重新抓取：{lid}")
        store.notices.set_notice_state(notice, ("acknowledged",), "removal_verified", checked_at=SEEN,
                                       removal_verified_at=SEEN)
        before = {t: store._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("listings", "snapshots", "listing_removals", "notice_items", "notices")}
        assert 30 not in store.schema_versions()
    monkeypatch.undo()
    with open_store(store_url) as store:
        assert 30 in store.schema_versions()
        status = {l.listing_id: l.status for l in store.listings.iter_listings()}
        assert status == {"home": "active", "alone": "active", "http": "removed", "twice": "removed", "own": "removed"}
        assert {t: store._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in before} == before
        seen = store.listings.latest_removal(("jd", "home"), counted=None)
        assert (seen.basis, seen.counted, seen.observed_at) == ("home_redirect", False, SEEN)  # kept, suspected
        n = store.notices.get_notice(notice)
        assert n.status == "acknowledged" and n.removal_verified_at is None and set(n.removed) == {("jd", "http")}
        kept = store._db.execute("SELECT listing_id, listing_status, restored_status, notice_id, removed_at, "
                                 "removal_basis, notice_status, removal_verified_at FROM removals_reopened "
                                 "ORDER BY listing_id").fetchall()
        assert [tuple(r) for r in kept] == [
            ("alone", "removed", "active", None, None, "", None, None),
            ("home", "removed", "active", notice, SEEN.isoformat(), "重新抓取：home", "removal_verified",
             SEEN.isoformat())]
        assert {k for k in store.queue.pending("fetch")} == {("jd", "home"), ("jd", "alone")}  # fetched again
        # a later sighting at least the confirm window after the old one confirms it
        again = Removal("jd", "home", SEEN + timedelta(hours=7), listing("home").url, "https://www.jd.com/?from=item",
                        200, "京东首页", "home_redirect", recheck=True)
        stored = store.listings.record_removal(store.listings.get_listing(("jd", "home")), again, timedelta(hours=6))
        assert stored.counted and stored.first_seen_at == SEEN
        assert store.listings.get_listing(("jd", "home")).status == "removed"
