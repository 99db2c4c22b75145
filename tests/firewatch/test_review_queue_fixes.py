"""The review queue's store side after review (issue 15 findings 4, 6-8, 10, 11), on SQLite and
PostgreSQL: a long CJK shop name stores on both engines; one shop named exactly (platform and id or
whole name); a bulk action undone whole; undo refused after its window or once a notice went out;
migration 16 fills earlier rows' priorities in batches; a new queue page gives back the page before."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from firewatch.core.models import Assessment, Decision, Listing, Reason, utcnow
from firewatch.store import open_store, sqlstore, triage
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.triage import QueueQuery
from firewatch.web.queries import QueueFilters, queue_page
from tests.firewatch.test_triage_store import put


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def pending(s) -> set[str]:
    return {k.listing_id for k in s.reviews.queue_page(QueueQuery(), limit=100)}


# -- finding 4 ------------------------------------------------------------------------------------
def test_a_long_cjk_shop_name_stores_and_filters_on_both_engines(store):
    """1,000 CJK characters (3,000 bytes in UTF-8) as a shop name: PostgreSQL's btree refused the
    row when the name was a column of the pending queue's index (ProgramLimitExceeded)."""
    rng = random.Random(1)
    shop = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(1000))
    for name in (shop, shop + "二号"):  # a later write of the same listing too
        store.listings.upsert_listing(Listing("jd", "long", url="https://x/long", title="灭火器", price=Decimal("9.90"),
                                              shop_name=name, shop_id="s-1"))
        store.assessments.save_assessment(Assessment("jd", "long", "portable_extinguisher", 0.9, 0.99, True, [
            Reason(c, "x") for c in ("inspection_only", "no_certification", "price_too_low", "prop_or_display")]))
    assert store.listings.shop_listing_keys("jd", "", shop + "二号") == [("jd", "long")]
    assert [k.listing_id for k in store.reviews.queue_page(QueueQuery(shop=shop[400:420]), limit=5)] == ["long"]
    store.reviews.record_decision(Decision("jd", "long", "alice", "confirm"))
    assert store.reviews.is_confirmed(("jd", "long"))


# -- finding 6 ------------------------------------------------------------------------------------
def test_an_exact_shop_is_one_platform_and_a_whole_name_or_id(store):
    put(store, "1", shop="安全消防旗舰店")
    put(store, "2", shop="安全消防旗舰店")
    put(store, "3", shop="正品安全消防旗舰店二号")
    put(store, "4", shop="安全消防旗舰店", platform="taobao")
    by_name = QueueQuery(platform="jd", shop="安全消防旗舰店", shop_exact=True)
    assert sorted(k.listing_id for k in store.reviews.queue_page(by_name, limit=10)) == ["1", "2"]
    by_id = QueueQuery(platform="jd", shop="ID-正品安全消防旗舰店二号", shop_exact=True)  # case ignored
    assert [k.listing_id for k in store.reviews.queue_page(by_id, limit=10)] == ["3"]
    assert sorted(k.listing_id for k in store.reviews.queue_page(QueueQuery(shop="安全消防旗舰店"), limit=10)) == \
        ["1", "2", "3", "4"]  # the filter (not the bulk action) still matches a part of the name anywhere
    with pytest.raises(ValueError):
        store.reviews.queue_page(QueueQuery(shop="安全消防旗舰店", shop_exact=True), limit=10)  # no platform


# -- findings 7 and 8 -----------------------------------------------------------------------------
def test_undo_after_a_bulk_action_takes_back_the_whole_batch(store):
    for lid in ("1", "2", "3", "4"):
        put(store, lid)
    store.reviews.record_decision(Decision("jd", "4", "alice", "dismiss"))  # before the bulk action: stays
    done = store.reviews.record_decisions([Decision("jd", k, "alice", "confirm") for k in ("1", "2", "3")])
    ids = done.ids
    assert len(ids) == 3 and done.held == [] and done.rescored == []
    last = store.reviews.last_decision_by("alice")
    assert last[0] == max(ids) and last[2] == 3
    done = store.reviews.undo_batch("alice", max(ids))
    assert sorted(d[1].listing_id for d in done) == ["1", "2", "3"]
    assert pending(store) == {"1", "2", "3"}
    assert [store.reviews.latest_decision(("jd", k)) for k in ("1", "2", "3")] == [None, None, None]
    assert store.reviews.latest_decision(("jd", "4")).verdict == "dismiss"
    assert store.reviews.last_decision_by("alice")[2] == 1  # the single decision before it is next


def test_undo_is_refused_once_the_listing_is_in_a_sent_notice(store):
    put(store, "9")
    put(store, "10")
    store.reviews.record_decision(Decision("jd", "10", "alice", "confirm"))
    store.notices.create_notice("jd", [("jd", "10")], created_by="alice")  # a draft
    assert store.reviews.undo_last("alice")[1].listing_id == "10"  # only a draft names it: undo works
    store.reviews.record_decision(Decision("jd", "9", "alice", "confirm"))
    nid = store.notices.create_notice("jd", [("jd", "9")], created_by="alice")
    store.notices.mark_notice_sent(nid, at=utcnow(), sent_by="alice", channel="email",
                                   deadline_at=utcnow() + timedelta(days=3), html_path="", pdf_path="",
                                   document_sha256="x")
    with pytest.raises(ValueError, match="已发出的下架通知"):
        store.reviews.undo_last("alice")
    assert store.reviews.latest_decision(("jd", "9")).verdict == "confirm"
    assert store.reviews.is_confirmed(("jd", "9"))


def test_undo_is_refused_after_its_window(store):
    put(store, "5")
    put(store, "6")
    store.reviews.record_decision(Decision("jd", "5", "alice", "confirm", at=utcnow() - timedelta(minutes=11)))
    with pytest.raises(ValueError, match="超过 10 分钟"):
        store.reviews.undo_last("alice", window_minutes=10)
    assert store.reviews.latest_decision(("jd", "5")).verdict == "confirm"
    store.reviews.record_decision(Decision("jd", "6", "alice", "dismiss", at=utcnow() - timedelta(minutes=2)))
    assert store.reviews.undo_last("alice", window_minutes=10)[1].listing_id == "6"


# -- finding 10 -----------------------------------------------------------------------------------
def test_migration_16_fills_earlier_rows_in_batches_before_any_queue_request(store_url, monkeypatch):
    """A store at 15 with queue rows: opening it with 16 computes their priorities in the migration
    (no queue request needed, so no rebuild under the lock at first use)."""
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] <= 15])
    with open_store(store_url) as s, s.transaction() as db:
        for i in range(7):
            db.execute("INSERT INTO listings (platform, listing_id, url, title, shop_name, shop_id, first_seen, last_seen, "
                       "status, attributes, sales, price_fen, content_hash) VALUES ('jd',?,'https://x','t','店','s',"
                       "'2026-10-01T03:00:00+00:00','2026-10-01T03:00:00+00:00','active',?,?,?,'h')",
                       (f"m{i}", '{"province": "江苏"}' if i % 2 else "{}", 10 * i, 100 + i))
            db.execute("INSERT INTO assessments (platform, listing_id, assessed_at, category, category_confidence, "
                       "risk_score, flagged, reasons, specs, model_versions) VALUES ('jd',?,'2026-10-01T03:00:00+00:00',"
                       "'portable_extinguisher',0.9,?,1,'[{\"code\": \"price_too_low\", \"text\": \"x\"}]','{}','{}')",
                       (f"m{i}", 0.5 + i / 20))
            db.execute("INSERT INTO triage (platform, listing_id, queued, flagged, decided, state, verdict, neg_risk, "
                       "untipped, category, reason_codes, seen_day, seen_week, shop_name_lc, shop_id_lc) VALUES "
                       "('jd',?,1,1,0,'pending',NULL,?,1,'portable_extinguisher',' price_too_low ','2026-10-01',"
                       "'2026-W40','店','s')", (f"m{i}", -(0.5 + i / 20)))
    monkeypatch.setattr(sqlstore, "MIGRATIONS", MIGRATIONS)
    with open_store(store_url) as s:
        got = {r[0]: tuple(r)[1:] for r in s._db.execute(
            "SELECT listing_id, neg_priority, region, price_fen, flagged_day FROM triage ORDER BY listing_id")}
        assert all(v[0] is not None for v in got.values()), got  # filled by the migration itself
        with s.transaction() as db:
            for i in range(7):
                triage.refresh_in(db, ("jd", f"m{i}"))
        again = {r[0]: tuple(r)[1:] for r in s._db.execute(
            "SELECT listing_id, neg_priority, region, price_fen, flagged_day FROM triage ORDER BY listing_id")}
        assert got == again and got["m1"][1] == "江苏" and got["m3"][2] == 103


def test_filling_priorities_reads_a_batch_at_a_time_and_matches_a_full_recompute(store):
    for i in range(9):
        put(store, f"b{i}", sales=i * 5, attributes={"province": "广东"} if i % 3 else {}, price=f"{10 + i}.00")
    before = list(store._db.execute("SELECT * FROM triage ORDER BY platform, listing_id"))
    with store.transaction() as db:
        db.execute("UPDATE triage SET neg_priority=NULL, region='', price_fen=NULL, flagged_day=''")
        assert triage.fill_priorities_in(db, batch=2) == 9
    assert [tuple(r) for r in store._db.execute("SELECT * FROM triage ORDER BY platform, listing_id")] == \
        [tuple(r) for r in before]


# -- finding 11 -----------------------------------------------------------------------------------
def test_a_new_queue_page_gives_back_the_reviewers_earlier_claims(store):
    for i in range(6):
        put(store, f"q{i}")
    first = queue_page(store, QueueFilters(), size=3, reviewer="alice", claim_minutes=10)
    first_keys = [r.key for r in first.rows]
    assert all(store.reviews.claim_holder(k, "bob") == "alice" for k in first_keys)
    second = queue_page(store, QueueFilters(), after=first.after, size=3, reviewer="alice", claim_minutes=10)
    assert all(store.reviews.claim_holder(r.key, "bob") == "alice" for r in second.rows)
    assert [store.reviews.claim_holder(k, "bob") for k in first_keys] == [None, None, None]
    # bob's queue now offers the first page's rows again
    assert {r.key for r in queue_page(store, QueueFilters(), size=10, reviewer="bob", claim_minutes=10).rows} == \
        set(first_keys)
