"""Seller networks (issue 16): keys read from listings, shops linked by the key that made the link,
grouping measured against the replica's known networks, and 一处清退、处处关店 (a confirmation on
one platform queues the seller's shops on the others; confirmed there, they join that platform's notice)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alerts.notices import create_notice
from firewatch.core.models import Assessment, Decision, Listing
from firewatch.core.settings import Settings
from firewatch.services.network_eval import evaluate
from firewatch.services.sellers import contact_keys, listing_keys, norm_shop_name, resolve_pending, suggested_track
from firewatch.store import open_store
from firewatch.web.queries import QueueFilters as QueueQuery
from tests.helpers import whole_queue

SETTINGS = Settings()


def test_contacts_written_the_way_sellers_hide_them_are_read():
    text = ("电话 138 1234 5678，薇信 shop_abc12，V:Xyz98765，扣扣 12345678，联系１３９８７６５４３２１，"
            "T: 1 5 8 1 1 1 2 2 2 3 3，地址：杭州市西湖区文三路100号科技大厦1208室。全国服务热线 400-820-1234")
    found = set(contact_keys(text))
    assert {("phone", "13812345678"), ("phone", "13987654321"), ("phone", "15811122233"),
            ("wechat", "shop_abc12"), ("wechat", "xyz98765"), ("qq", "12345678")} <= found
    assert ("address", "杭州市西湖区文三路100号科技大厦1208室") in found
    assert not any(v.startswith("400") or v.startswith("820") for k, v in found if k == "phone")  # a hotline is no key
    # digits inside a longer number (a certificate, a credit code) are not a phone
    assert contact_keys("证书编号：2018010110664259") == []


def test_licence_needs_a_correct_check_character_and_names_are_stemmed():
    good = {"店铺经营者": "杭州 盾安（消防）有限公司", "店铺统一社会信用代码": "91330106MA2GL4CC5X"}
    keys = {(k.kind, k.value) for k in listing_keys({"listing_id": "1", "attributes": good, "shop_name": "浙江盾安旗舰店"})}
    assert ("operator", "杭州盾安(消防)有限公司") in keys and ("shop_name", "盾安") in keys
    from firewatch.core.creditcode import credit_code_problem
    assert (("credit_code", "91330106MA2GL4CC5X") in keys) == (credit_code_problem("91330106MA2GL4CC5X") is None)
    bad = {"店铺统一社会信用代码": "91330106MA2GL4CC5" + ("Y" if "91330106MA2GL4CC5X"[-1] != "Y" else "X")}
    assert not any(k.kind == "credit_code" for k in listing_keys({"listing_id": "1", "attributes": bad}))
    assert norm_shop_name("杭州盾安消防器材专营店") == norm_shop_name("盾安企业店") == "盾安"


def test_grouping_on_the_replica_reaches_090_precision_and_recall(tmp_path):
    with open_store(str(tmp_path / "eval.db")) as store:
        r = evaluate(store, SETTINGS, seed=7, size=1600)
        links = store.sellers.links(store.sellers.seller_of_listing(_a_network_listing(store)))
    assert r["networks"] >= 30 and r["true_pairs"] > 100
    assert r["precision"] >= 0.9, r
    assert r["recall"] >= 0.9, r
    assert links and all(k["kind"] and k["value"] for k in links)
    assert {k["kind"] for k in links} <= {"credit_code", "operator", "phone", "wechat", "qq", "address+shop_name",
                                          "address+image", "image+shop_name", "address+image+shop_name"}


def _a_network_listing(store) -> tuple[str, str]:
    from demo_market.generator import build_catalogue
    net = max(build_catalogue(7, 1600).networks, key=lambda n: len(n.shops))
    platform, shop_id = net.shops[0]
    r = store._db.execute("SELECT platform, listing_id FROM listings WHERE platform=? AND shop_id=? LIMIT 1",
                          (platform, shop_id)).fetchone()
    return (r[0], r[1])


def _listing(platform: str, lid: str, shop_id: str, shop: str, description: str) -> Listing:
    return Listing(platform=platform, listing_id=lid, url=f"http://x/{platform}/{lid}", title=f"干粉灭火器 4kg {lid}",
                   price=Decimal("39.90"), shop_id=shop_id, shop_name=shop, description=description)


def _scored(store, listing: Listing, flagged: bool) -> None:
    store.listings.upsert_listing(listing)
    store.assessments.save_assessment(Assessment(
        platform=listing.platform, listing_id=listing.listing_id, category="portable_extinguisher",
        category_confidence=0.9, risk_score=0.9 if flagged else 0.1, flagged=flagged))


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def test_confirmed_on_one_platform_queues_the_sellers_shops_elsewhere_and_they_join_that_notice(store):
    _scored(store, _listing("jd", "1", "J1", "盾安消防专营店", "正品保障，V:dunan8888"), flagged=True)
    _scored(store, _listing("tmall", "2", "T1", "盾安旗舰店", "薇信 dunan8888 咨询"), flagged=False)
    _scored(store, _listing("tmall", "3", "T1", "盾安旗舰店", "大量现货"), flagged=False)
    _scored(store, _listing("pdd", "4", "P9", "平安百货", "VX：other9999"), flagged=False)
    stats = resolve_pending(store, SETTINGS)
    assert stats.listings == 4
    seller = store.sellers.seller_of_shop("jd", "J1")
    assert seller is not None and seller == store.sellers.seller_of_shop("tmall", "T1")
    assert store.sellers.seller_of_shop("pdd", "P9") != seller
    [link] = store.sellers.links(seller)
    assert (link["kind"], link["value"]) == ("wechat", "dunan8888")  # the link names its key
    assert resolve_pending(store, SETTINGS).listings == 0  # incremental: nothing new, nothing read again

    pending = {r.listing.key for r in whole_queue(store, QueueQuery())}
    assert pending == {("jd", "1")}  # only the flagged one, before any confirmation
    store.reviews.record_decision(Decision("jd", "1", "alice", "confirm"))
    pending = {r.listing.key for r in whole_queue(store, QueueQuery())}
    assert pending == {("tmall", "2"), ("tmall", "3")}  # the seller's Tmall shop, unflagged, now in the queue
    why = store.sellers.linked_review(("tmall", "3"))
    assert (why["from_platform"], why["from_listing_id"], why["kind"], why["value"]) == ("jd", "1", "wechat", "dunan8888")
    assert store.sellers.linked_review(("pdd", "4")) is None

    store.reviews.record_decision(Decision("tmall", "2", "bob", "confirm"))
    # the confirmation on Tmall does not send the already confirmed JD listing back to the queue
    assert store.sellers.linked_review(("jd", "1")) is None
    assert {r.listing.key for r in whole_queue(store, QueueQuery())} == {("tmall", "3")}
    notice_id = create_notice(store, "tmall", created_by="bob")
    assert store.notices.get_notice(notice_id).listing_keys == [("tmall", "2")]
    assert create_notice(store, "tmall") is None  # noticed once
    assert store.sellers.confirmed_count(seller) == 2
    assert suggested_track(2, set(), SETTINGS).endswith("从严查处")
    assert suggested_track(1, set(), SETTINGS).startswith("首次违法")
    assert store.sellers.repeat_offenders_count(2) == 1
    assert store.sellers.networks_count() == 1
    # the seller's timeline, newest first, paged by (time, sort id) on either engine
    events = store.sellers.timeline(seller, limit=100)
    kinds = [e["kind"] for e in events]
    assert kinds.count("seen") == 3 and kinds.count("decision") == 2 and kinds.count("linked") == 2
    assert "notice" in kinds and kinds.count("flagged") == 1
    assert [(e["at"], e["sid"]) for e in events] == sorted(((e["at"], e["sid"]) for e in events), reverse=True)
    first = store.sellers.timeline(seller, limit=4)
    rest = store.sellers.timeline(seller, before=(first[-1]["at"], first[-1]["sid"]), limit=100)
    assert first + rest == events


def test_undoing_a_confirmation_takes_what_it_queued_elsewhere_out_of_the_queue(store):
    _scored(store, _listing("jd", "1", "J1", "盾安消防专营店", "正品保障，V:dunan8888"), flagged=True)
    _scored(store, _listing("tmall", "2", "T1", "盾安旗舰店", "薇信 dunan8888 咨询"), flagged=False)
    _scored(store, _listing("tmall", "3", "T1", "盾安旗舰店", "大量现货"), flagged=False)
    resolve_pending(store, SETTINGS)
    store.reviews.record_decision(Decision("jd", "1", "alice", "confirm"))
    store.reviews.record_decision(Decision("tmall", "3", "bob", "dismiss"))  # decided there: it stays decided
    assert {r.listing.key for r in whole_queue(store, QueueQuery())} == {("tmall", "2")}
    store.reviews.undo_batch("alice")
    assert {r.listing.key for r in whole_queue(store, QueueQuery())} == {("jd", "1")}  # as before the confirmation
    assert store.sellers.linked_review(("tmall", "2")) is None
    assert store.sellers.linked_review(("tmall", "3")) is not None  # its own decision keeps its record
    seller = store.sellers.seller_of_shop("jd", "J1")
    assert [e["listing_id"] for e in store.sellers.timeline(seller, limit=100) if e["kind"] == "linked"] == ["3"]


def test_a_later_listing_joins_the_seller_incrementally_and_weak_keys_only_link_together(store):
    _scored(store, _listing("jd", "1", "J1", "盾安消防专营店", "电话 13812345678，地址：济南市历下区经十路1号国贸大厦1001室"), True)
    _scored(store, _listing("taobao", "5", "B5", "安泰五金", "地址：济南市历下区经十路1号国贸大厦1001室"), False)
    _scored(store, _listing("pdd", "6", "P6", "盾安百货", "正品"), False)
    resolve_pending(store, SETTINGS)
    jd = store.sellers.seller_of_shop("jd", "J1")
    # one weak key each (the office address; a look-alike name) links nobody
    assert store.sellers.seller_of_shop("taobao", "B5") != jd and store.sellers.seller_of_shop("pdd", "P6") != jd
    _scored(store, _listing("1688", "7", "A7", "济南盾安消防器材经营部", "地址：济南市历下区经十路1号国贸大厦1001室"), False)
    _scored(store, _listing("taobao", "8", "B8", "安全小店", "手机：138 1234 5678"), False)
    assert resolve_pending(store, SETTINGS).listings == 2
    assert store.sellers.seller_of_shop("1688", "A7") == jd  # address + shop name together
    assert store.sellers.seller_of_shop("taobao", "B8") == jd  # the same phone, spaced
    kinds = {k["kind"] for k in store.sellers.links(jd)}
    assert kinds == {"phone", "address+shop_name"}


def test_a_shared_image_counts_only_together_with_another_weak_key(store):
    photo, stock = "https://img.example/a.png", "https://img.example/stock.png"
    for url, dhash in ((photo, "f0f0f0f0f0f0f0f0"), (stock, "0123456789abcdef")):
        store.alerts.save_image_hash(url, dhash)
    rows = [("jd", "1", "J1", "盾安消防专营店", [photo, stock]), ("pdd", "2", "P2", "盾安百货", [photo]),
            ("taobao", "3", "B3", "平平五金", [stock]), ("tmall", "4", "T4", "安泰旗舰店", [stock])]
    for platform, lid, shop_id, shop, images in rows:
        listing = _listing(platform, lid, shop_id, shop, "正品")
        listing.image_urls = images
        _scored(store, listing, False)
    resolve_pending(store, SETTINGS)
    jd = store.sellers.seller_of_shop("jd", "J1")
    assert store.sellers.seller_of_shop("pdd", "P2") == jd  # the same photo and the same name stem
    assert store.sellers.seller_of_shop("taobao", "B3") != jd  # a stock photo alone links nobody
    assert store.sellers.seller_of_shop("tmall", "T4") not in (jd, store.sellers.seller_of_shop("taobao", "B3"))
    [link] = store.sellers.links(jd)
    assert link["kind"] == "image+shop_name" and "f0f0f0f0f0f0f0f0" in link["value"] and "盾安" in link["value"]


def test_a_case_proposes_the_seller_named_on_a_linked_shops_licence(store):
    """Data sharing: a JD listing's seller is named by the licence its linked Tmall shop shows openly."""
    from firewatch.core.creditcode import check_character
    from firewatch.services.penalties import case_subjects

    code = "91330106MA2GL4CC5" + check_character("91330106MA2GL4CC5")
    jd = _listing("jd", "1", "J1", "盾安消防", "V:dunan8888")
    tmall = _listing("tmall", "2", "T1", "盾安旗舰店", "薇信 dunan8888")
    tmall.attributes = {"店铺经营者": "杭州盾安消防器材有限公司", "店铺统一社会信用代码": code}
    _scored(store, jd, True)
    _scored(store, tmall, True)
    _scored(store, _listing("pdd", "3", "P3", "别家店", "正品"), True)
    resolve_pending(store, SETTINGS)
    subjects = case_subjects(store, [("jd", "1"), ("pdd", "3")])
    assert [(s.name, s.credit_code, s.source, s.listings) for s in subjects] == \
        [("杭州盾安消防器材有限公司", code, "店铺证照", (("jd", "1"),))]


def test_a_shops_first_seen_is_its_earliest_listings_not_when_the_step_ran(store):
    """The campaign report counts new networks by when their shops were first seen: a rebuild or a late
    sellers step must not move them all into the current period."""
    from datetime import datetime, timedelta, timezone

    from firewatch.services.sellers import rebuild

    early, later = datetime(2026, 9, 3, 2, tzinfo=timezone.utc), datetime(2026, 10, 20, 2, tzinfo=timezone.utc)
    for listing, at in ((_listing("taobao", "21", "T21", "盾安消防器材", "微信 dunan8899 电话 13900001111"), later),
                        (_listing("jd", "22", "J22", "盾安京东店", "电话 13900001111"), early)):
        store.listings.upsert_listing(listing, observed_at=at)

    def first_seen() -> dict[str, str]:
        return {r[0]: r[1][:10] for r in store._db.execute("SELECT shop_id, first_seen FROM seller_shops")}

    rebuild(store, SETTINGS)
    assert first_seen() == {"T21": "2026-10-20", "J22": "2026-09-03"}
    seller = store.sellers.seller_of_shop("jd", "J22")
    assert seller == store.sellers.seller_of_shop("taobao", "T21")  # the same phone
    # the network's newest shop was first seen in October: it is counted there, not today
    assert store.sellers.networks_count("2026-10-01T00:00:00+00:00", "2026-10-31T23:59:59+00:00") == 1
    assert store.sellers.networks_count((datetime.now(timezone.utc) - timedelta(days=1)).isoformat(), "") == 0


def test_a_shop_known_only_by_its_name_has_its_listings_counted_queued_and_on_the_timeline(store):
    """A page without a shop id keys its shop by name ("name:…"); the seller's listings, confirmed count,
    timeline, repeat-offender count and linked queueing all reach that shop's listings (they joined by
    shop id only, so such a seller showed no listings and no confirmations)."""
    _scored(store, _listing("jd", "31", "J31", "盾安消防专营店", "正品保障，V:dunan7777"), flagged=True)
    _scored(store, _listing("pdd", "32", "", "盾安消防小铺", "微信 dunan7777 批发"), flagged=False)
    _scored(store, _listing("pdd", "33", "", "盾安消防小铺", "现货"), flagged=False)
    _scored(store, _listing("pdd", "34", "", "别家小铺", "现货"), flagged=False)
    resolve_pending(store, SETTINGS)
    seller = store.sellers.seller_of_shop("jd", "J31")
    assert seller == store.sellers.seller_of_listing(("pdd", "33"))
    counts = {(s["platform"], s["shop_id"]): s["listings"] for s in store.sellers.shops(seller)}
    assert counts == {("jd", "J31"): 1, ("pdd", "name:盾安消防小铺"): 2}

    store.reviews.record_decision(Decision("jd", "31", "alice", "confirm"))  # queues the name-keyed shop's listings
    assert {r.listing.key for r in whole_queue(store, QueueQuery())} == {("pdd", "32"), ("pdd", "33")}
    store.reviews.record_decision(Decision("pdd", "33", "bob", "confirm"))
    assert store.sellers.confirmed_count(seller) == 2
    assert store.sellers.repeat_offenders_count(2) == 1
    seen = {e["listing_id"] for e in store.sellers.timeline(seller, limit=100) if e["kind"] == "seen"}
    assert seen == {"31", "32", "33"}


def test_a_page_naming_no_shop_gives_no_seller_and_old_first_seen_rows_are_corrected(store, store_url):
    """Listings with neither a shop id nor a shop name were all one shop "name:" per platform, so one
    key linked unrelated listings; now they belong to no seller. Migration 26 corrects the first_seen of
    shops recorded before it (the time the step ran) to their earliest listing's."""
    from datetime import datetime, timezone

    _scored(store, _listing("jd", "41", "J41", "盾安消防专营店", "电话 13911112222"), flagged=True)
    for lid in ("42", "43"):
        _scored(store, _listing("pdd", lid, "", "", "电话 13911112222" if lid == "42" else "现货"), flagged=False)
    resolve_pending(store, SETTINGS)
    seller = store.sellers.seller_of_shop("jd", "J41")
    assert store.sellers.seller_of_listing(("pdd", "43")) is None and store.sellers.shop_count(seller) == 1
    assert {s["shop_id"] for s in store.sellers.shops(seller)} == {"J41"}

    store.listings.upsert_listing(_listing("jd", "44", "J41", "盾安消防专营店", ""),
                                  observed_at=datetime(2026, 9, 2, tzinfo=timezone.utc))
    store._db.execute("UPDATE seller_shops SET first_seen='2026-12-01T00:00:00+00:00' WHERE shop_id='J41'")
    store._db.execute("DELETE FROM schema_migrations WHERE version=26")
    store.close()
    again = open_store(store_url)  # the store applies the migration it lacks
    try:
        row = again._db.execute("SELECT first_seen FROM seller_shops WHERE shop_id='J41'").fetchone()
        assert row[0].startswith("2026-09-02")
    finally:
        again.close()
