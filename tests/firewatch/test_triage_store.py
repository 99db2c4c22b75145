"""The review queue's store side (issue 15), on SQLite and PostgreSQL: the documented priority
(docs/priority.md), the region/price/flagged-day filters, reviewers' claims, undo of a
reviewer's last decision and bulk decisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from firewatch.core.clock import show_date
from firewatch.core.exceptions import ClaimHeld
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.priority import priority
from firewatch.store import open_store, triage
from firewatch.store.triage import QueueQuery

T0 = datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc)


def put(s, lid: str, *, risk: float = 0.99, codes=("price_too_low",), sales=None, price="10.00", platform="jd",
        attributes=None, seen=T0, assessed=None, shop="店"):
    s.listings.upsert_listing(Listing(platform, lid, url=f"https://x/{lid}", title=f"灭火器 {lid}",
                                      price=Decimal(price) if price else None, sales=sales, shop_name=shop,
                                      shop_id=f"id-{shop}", attributes=attributes or {}), observed_at=seen)
    s.assessments.save_assessment(Assessment(platform, lid, "portable_extinguisher", 0.9, risk, True,
                                             [Reason(c, "x") for c in codes], {}, {}, assessed or seen))


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def order(s, q=QueueQuery(), reviewer=None, size=3) -> list[str]:
    """Every row's listing id, page after page by keyset."""
    out, after = [], None
    while True:
        spots = s.reviews.queue_page(q, after=after, limit=size, reviewer=reviewer)
        out += [spot.listing_id for spot in spots]
        if len(spots) < size:
            return out
        after = spots[-1]


def test_equal_scores_come_out_in_the_documented_priority_order(store):
    # all score 0.99 (as 356 of 357 demo flags did): severity, then exposure decide
    put(store, "prop", codes=("prop_or_display",))                               # 40p + 6*2
    put(store, "inspection", codes=("inspection_only",))                         # 40p + 6*5
    put(store, "two-reasons", codes=("no_certification", "price_too_low"))       # 40p + 6*(4+1)
    put(store, "cert", codes=("no_certification",))                              # 40p + 6*4
    put(store, "cert-sold", codes=("no_certification",), sales=150)              # 40p + 6*4 + 6*3
    put(store, "cert-turnover", codes=("no_certification",), sales=5, price="30000.00")  # 150,000 yuan: tier 4
    put(store, "low-risk", risk=0.5, codes=("inspection_only",))                 # 20 + 30
    # the two at 40p + 30 tie: platform and listing id decide, ascending
    assert order(store) == ["cert-turnover", "cert-sold", "inspection", "two-reasons", "cert", "prop", "low-risk"]
    got = {spot.listing_id: -spot.neg_priority for spot in store.reviews.queue_page(QueueQuery(), limit=50)}
    assert got["inspection"] == pytest.approx(40 * 0.99 + 30) == got["two-reasons"]
    assert got["cert-turnover"] == pytest.approx(40 * 0.99 + 24 + 24)
    assert got["cert-sold"] == pytest.approx(40 * 0.99 + 24 + 18)
    assert got["low-risk"] == pytest.approx(20 + 30) and got["prop"] == pytest.approx(40 * 0.99 + 12)
    assert order(store) == sorted(got, key=lambda k: (-got[k], "jd", k))
    assert priority(0.99, ["inspection_only"], None, 1000) == got["inspection"]


def test_ties_page_by_keyset_stably(store):
    for i in range(23):
        put(store, f"t{i:02d}", platform=("jd", "pdd")[i % 2])
    one_page = [s.listing_id for s in store.reviews.queue_page(QueueQuery(), limit=100)]
    assert len(one_page) == 23 and order(store, size=4) == one_page == order(store, size=7)
    assert one_page == [f"t{i:02d}" for i in range(0, 23, 2)] + [f"t{i:02d}" for i in range(1, 23, 2)]  # jd, then pdd


def test_region_price_and_flagged_day_filters(store):
    put(store, "zj", attributes={"item_loc": "浙江 金华"}, price="12.00", assessed=T0 + timedelta(days=2, hours=20))
    put(store, "gd", attributes={"province": "广东"}, price="99.50", assessed=T0 + timedelta(days=5))
    put(store, "none", price=None)
    put(store, "zj2", attributes={"location": "浙江杭州"}, price="100.00", assessed=T0 + timedelta(days=9))
    assert order(store, QueueQuery(region="浙江")) == ["zj", "zj2"]
    assert order(store, QueueQuery(region="广东")) == ["gd"]
    assert set(order(store, QueueQuery(price_min="12", price_max="99.50"))) == {"zj", "gd"}
    assert set(order(store, QueueQuery(price_min="99.51"))) == {"zj2"}
    # the flagged day is Beijing's: 20:00 UTC on 3 Oct is 4 Oct in Beijing
    day = show_date(T0 + timedelta(days=2, hours=20))
    assert day == "2026-10-04"
    assert set(order(store, QueueQuery(flagged_since="2026-10-04", flagged_until="2026-10-06"))) == {"zj", "gd"}
    assert set(order(store, QueueQuery(flagged_until="2026-10-03"))) == {"none"}
    assert store.reviews.queue_count(QueueQuery(region="浙江", price_max="50")) == 1


def test_a_claimed_row_is_skipped_by_others_and_their_decision_refused(store):
    for i in range(6):
        put(store, f"c{i}", sales=(None, 1, 10, 100, 1000, 10000)[i])  # exposure tiers 0 … 5: c5 first
    mine = store.reviews.claim([("jd", "c5"), ("jd", "c4")], "alice", 10)
    assert mine == [("jd", "c5"), ("jd", "c4")]
    assert store.reviews.claim([("jd", "c4"), ("jd", "c3")], "bob", 10) == [("jd", "c3")]  # c4 is alice's
    assert order(store, reviewer="bob") == ["c3", "c2", "c1", "c0"]
    assert order(store, reviewer="alice") == ["c5", "c4", "c2", "c1", "c0"]
    assert order(store) == ["c5", "c4", "c3", "c2", "c1", "c0"]  # no reviewer: everything
    assert store.reviews.queue_count(QueueQuery(), reviewer="bob") == 4
    with pytest.raises(ClaimHeld, match="正由审核员 alice 处理"):
        store.reviews.record_decision(Decision("jd", "c5", "bob", "confirm"))
    assert store.reviews.latest_decision(("jd", "c5")) is None
    done = store.reviews.record_decisions([Decision("jd", k, "bob", "dismiss", "批量") for k in ("c4", "c3", "c2")])
    assert len(done.ids) == 2 and done.held == [("jd", "c4")] and done.decided == [("jd", "c3"), ("jd", "c2")]
    assert store.reviews.latest_decision(("jd", "c3")).note == "批量"
    store.reviews.record_decision(Decision("jd", "c5", "alice", "confirm"))  # the holder may
    # an expired claim frees the row (a claim of -1 minutes ran out already)
    store.reviews.claim([("jd", "c1")], "carol", -1)
    assert store.reviews.claim([("jd", "c1")], "bob", 10) == [("jd", "c1")]
    store.reviews.release([("jd", "c1")], "bob")
    assert store.reviews.claim_holder(("jd", "c1"), "dave") is None


def _row(s, key):
    with s.transaction() as db:
        r = db.execute("SELECT * FROM triage WHERE platform=? AND listing_id=?", key).fetchone()
        return {k: r[k] for k in r.keys() if k not in ("claimed_by", "claimed_until")}


def test_undo_restores_the_previous_state_exactly(store):
    put(store, "u1")
    put(store, "u2")
    key = ("jd", "u1")
    pending = _row(store, key)
    first = store.reviews.record_decision(Decision(*key, "alice", "confirm", "先确认", T0))
    confirmed = _row(store, key)
    second = store.reviews.record_decision(Decision(*key, "alice", "dismiss", "改为排除", T0 + timedelta(hours=1)))
    assert _row(store, key)["verdict"] == "dismiss"
    undone_id, undone, now = store.reviews.undo_last("alice")
    assert (undone_id, undone.verdict, undone.note, now.verdict) == (second, "dismiss", "改为排除", "confirm")
    assert _row(store, key) == confirmed and store.reviews.is_confirmed(key)
    assert [d.verdict for d in store.reviews.decisions(key)] == ["confirm"]
    with store.transaction() as db:
        kept = db.execute("SELECT decision_id, verdict, note, reviewer, undone_by FROM decisions_undone").fetchall()
    assert [tuple(r) for r in kept] == [(second, "dismiss", "改为排除", "alice", "alice")]
    # naming a decision that is not the reviewer's last is refused
    store.reviews.record_decision(Decision("jd", "u2", "alice", "dismiss"))
    with pytest.raises(ValueError, match="最近的一条"):
        store.reviews.undo_last("alice", first)
    store.reviews.undo_last("alice")  # u2's
    assert store.reviews.undo_last("alice", first)[0] == first
    assert _row(store, key) == pending and store.reviews.latest_decision(key) is None
    assert [s.listing_id for s in store.reviews.queue_page(QueueQuery(), limit=5)] == ["u1", "u2"]
    # someone decided on the listing after: the reviewer's last decision is not undone
    store.reviews.record_decision(Decision(*key, "alice", "confirm", at=T0))
    store.reviews.record_decision(Decision(*key, "bob", "dismiss", at=T0 + timedelta(hours=1)))
    with pytest.raises(ValueError, match="此后已有其他审核结论"):
        store.reviews.undo_last("alice")
    with pytest.raises(ValueError, match="没有可撤销"):
        store.reviews.undo_last("nobody")


def test_rows_from_before_migration_16_get_their_priority_on_first_use(store_url):
    s = open_store(store_url)
    try:
        put(s, "old", codes=("inspection_only",), sales=20, attributes={"province": "江苏"})
        expected = _row(s, ("jd", "old"))
        store_claims = s.reviews.claim([("jd", "old")], "alice", 10)
        with s.transaction() as db:  # as migration 16 leaves rows written before it
            db.execute("UPDATE triage SET neg_priority=NULL, region='', price_fen=NULL, flagged_day=''")
        triage._BUILT.clear()
        assert [x.listing_id for x in s.reviews.queue_page(QueueQuery(region="江苏"), limit=5)] == ["old"]
        assert _row(s, ("jd", "old")) == expected and store_claims == [("jd", "old")]
        assert s.reviews.claim_holder(("jd", "old"), "bob") == "alice"  # the claim survives the recomputation
    finally:
        s.close()


def test_a_migration_missing_below_the_newest_is_applied(store_url):
    """Branches merged in another order (16 here, 17 on main) can leave a store at the newest
    version without one below it: opening it applies the missing one."""
    s = open_store(store_url)
    try:
        with s.transaction() as db:  # as if migration 14 had never run on this store
            db.execute("DROP INDEX queue_done_at")
            db.execute("DELETE FROM schema_migrations WHERE version=14")
    finally:
        s.close()
    s = open_store(store_url)
    try:
        assert 14 in s.schema_versions()
        with s.transaction() as db:
            db.execute("DROP INDEX queue_done_at")  # there again: this fails when the migration was skipped
    finally:
        s.close()


def test_two_reviewers_claiming_at_once_never_share_a_row(store_url):
    """Two connections claim the same 40 rows at the same moment, five times: each row ends up with
    exactly one of them, as its claimed_by says."""
    import threading

    with open_store(store_url) as s:
        for i in range(40):
            put(s, f"r{i:02d}")
    keys = [("jd", f"r{i:02d}") for i in range(40)]
    stores = [open_store(store_url), open_store(store_url)]
    try:
        for round_ in range(5):
            barrier, got = threading.Barrier(2), {}

            def claim(n: int) -> None:
                barrier.wait()
                got[n] = stores[n].reviews.claim(keys[::-1] if n else keys, f"reviewer{n}-{round_}", 10)

            threads = [threading.Thread(target=claim, args=(n,)) for n in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not set(got[0]) & set(got[1]) and len(got[0]) + len(got[1]) == 40
            with stores[0].transaction() as db:
                owners = dict(((r[0], r[1]), r[2]) for r in db.execute("SELECT platform, listing_id, claimed_by FROM triage"))
            assert all(owners[k] == f"reviewer0-{round_}" for k in got[0])
            assert all(owners[k] == f"reviewer1-{round_}" for k in got[1])
            for n in (0, 1):
                stores[n].reviews.release(got[n], f"reviewer{n}-{round_}")
    finally:
        for s in stores:
            s.close()
