"""The review queue, its neighbours, the takedown list and the trends come from bounded SQL
(`firewatch.store.triage`): the same rows, order and counts as the whole-table computation
they replace, page after page by keyset, and no request path loads every row.

The reference below is the old in-Python queue (every flagged row, latest verdicts, tips,
filtered and sorted in Python), computed from the store's unbounded methods, which stay for
batch jobs; the pages must agree with it on a store with equal risks, tips before and after
decisions, decided, escalated and confirmed listings on several platforms.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from firewatch.core.clock import show_date
from firewatch.core.money import to_fen
from firewatch.core.priority import priority
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import TipRecord, open_store
from firewatch.store.assessments import SQLiteAssessments
from firewatch.store.listings import SQLiteListings
from firewatch.store.reviews import SQLiteReviews
from firewatch.store.tips import SQLiteTips
from firewatch.web import analytics, queries
from firewatch.web.queries import QueueFilters
from tests.helpers import whole_queue
from firewatch.web.routes import platform as plat

T0 = datetime(2026, 9, 1, 20, 0, tzinfo=timezone.utc)
CATEGORIES = ("portable_extinguisher", "smoke_alarm", "fire_blanket")
REASONS = ("inspection_only", "price_too_low", "no_certification")


def fill(s) -> None:
    """60 listings on three platforms: 40 flagged with risks drawn from four values (ties), tips on
    some flagged and some unflagged ones, decisions (some followed by a tip), a listing decided twice."""
    rng = random.Random(3)
    keys = []
    for i in range(60):
        platform = ("jd", "taobao", "pdd")[i % 3]
        key = (platform, f"{1000 + i}")
        keys.append(key)
        seen = T0 + timedelta(days=i % 20, hours=i % 7)
        s.listings.upsert_listing(Listing(platform, key[1], url=f"https://x/{i}", title=f"灭火器 {i}",
                                          price=Decimal("10.00"), shop_id=f"S{i % 4}", shop_name=f"安盾{i % 4}号店"),
                                  observed_at=seen)
        flagged = i < 40
        codes = [REASONS[i % 3]] + ([REASONS[(i + 1) % 3]] if i % 5 == 0 else [])
        s.assessments.save_assessment(Assessment(platform, key[1], CATEGORIES[i % 3], 0.9,
                                                 rng.choice((0.95, 0.8, 0.8, 0.6)) if flagged else 0.2, flagged,
                                                 [Reason(c, "x") for c in codes] if flagged else [], {}, {}, seen))
    at = T0 + timedelta(days=30)
    for n, key in enumerate(keys[:40:3]):
        verdict = ("confirm", "dismiss", "escalate")[n % 3]
        s.reviews.record_decision(Decision(*key, "r", verdict, "", at + timedelta(minutes=n)))
    s.reviews.record_decision(Decision(*keys[0], "r", "confirm", "again", at + timedelta(hours=5)))
    tip_at = at + timedelta(hours=1)
    for n, key in enumerate([keys[3], keys[4], keys[7], keys[11], keys[45], keys[50]]):
        s.tips.add_tip(TipRecord(f"R{n:015d}", "假货", platform=key[0], listing_id=key[1], on_platform=True,
                                 created_at=tip_at + timedelta(minutes=n)), f"ip{n}", T0, 100)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def make_store(request, tmp_path_factory):
    """New empty stores of one backend: a SQLite file, or a PostgreSQL schema of the session's cluster."""
    made = []

    def make():
        if request.param == "sqlite":
            s = open_store(tmp_path_factory.mktemp("paging") / "firewatch.db")
        else:
            s = open_store(request.getfixturevalue("pg_cluster").new_schema("p"))
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture(scope="module")
def store(make_store):
    s = make_store()
    fill(s)
    return s


def reference(store, f: QueueFilters) -> list[tuple[str, str]]:
    """The old whole-table queue: keys in order."""
    verdicts = store.reviews.latest_verdicts()
    tipped = store.tips.tipped()
    rows = list(store.assessments.flagged(f.platform or None))
    keys = {l.key for l, _ in rows}
    for key in tipped:
        if key not in keys and (not f.platform or key[0] == f.platform):
            a = store.assessments.get_assessment(key)
            if a is not None:
                rows.append((store.listings.get_listing(key), a))
    out = []
    for listing, a in rows:
        d = verdicts.get(listing.key)
        tips = tipped.get(listing.key, [])
        if d and tips and max(t.created_at for t in tips) > datetime.fromisoformat(d["at"]):
            d = None
        v = d["verdict"] if d else None
        if (f.state == "pending" and v) or (f.state == "escalated" and v != "escalate") or (f.state == "decided" and not v):
            continue
        if f.category and a.category != f.category or f.reason and f.reason not in {r.code for r in a.reasons}:
            continue
        shop = f.shop.strip().lower()
        if shop and shop not in listing.shop_name.lower() and shop != listing.shop_id.lower():
            continue
        day = show_date(listing.first_seen)
        if f.since and day < f.since or f.until and day > f.until:
            continue
        out.append(((-priority(a.risk_score, [r.code for r in a.reasons], listing.sales, to_fen(listing.display_price)),
                     not tips, listing.platform, listing.listing_id), listing.key))
    return [k for _, k in sorted(out)]


FILTERS = [QueueFilters(), QueueFilters(state="all"), QueueFilters(state="decided"), QueueFilters(state="escalated"),
           QueueFilters(platform="jd"), QueueFilters(category="smoke_alarm"), QueueFilters(reason="price_too_low"),
           QueueFilters(shop="安盾2"), QueueFilters(shop="s1"), QueueFilters(since="2026-09-05", until="2026-09-12"),
           QueueFilters(platform="taobao", reason="no_certification", state="all")]


def walk(store, f: QueueFilters, size: int) -> list[tuple[str, str]]:
    keys, after = [], ""
    while True:
        page = queries.queue_page(store, f, after=after, size=size)
        keys += [r.key for r in page.rows]
        if page.after is None:
            return keys
        after = page.after


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: str(f.as_params()))
def test_pages_in_order_match_the_whole_table_queue(store, f):
    expected = reference(store, f)
    assert expected, "each filter keeps some rows"
    assert walk(store, f, size=4) == expected
    page = queries.queue_page(store, f, size=4)
    assert (page.total, page.capped) == (len(expected), False)


def test_equal_priorities_put_tipped_first_and_a_tip_after_a_decision_reopens(store):
    rows = whole_queue(store, QueueFilters(state="all"))
    order = [(-priority(r.assessment.risk_score, [c.code for c in r.assessment.reasons], r.listing.sales,
                        to_fen(r.listing.display_price)), not r.tips) for r in rows]
    assert order == sorted(order)
    reopened = next(r for r in whole_queue(store, QueueFilters()) if r.key == ("jd", "1003"))
    assert reopened.tips and reopened.decision is None  # decided, then tipped: pending again
    unflagged_tipped = [r for r in whole_queue(store, QueueFilters(state="all")) if not r.assessment.flagged]
    assert {r.key for r in unflagged_tipped} == {("jd", "1045"), ("pdd", "1050")}


def test_triaging_page_one_does_not_skip_the_next_page(make_store):
    """Decide every row of page 1; the next page (after page 1's last row) starts with the row that
    followed it, which an offset page 2 of the shrunken queue would have skipped."""
    s = make_store()
    fill(s)
    before = reference(s, QueueFilters())
    page1 = queries.queue_page(s, QueueFilters(), size=5)
    assert [r.key for r in page1.rows] == before[:5]
    for r in page1.rows:
        s.reviews.record_decision(Decision(*r.key, "r", "dismiss", ""))
    page2 = queries.queue_page(s, QueueFilters(), after=page1.after, size=5)
    assert [r.key for r in page2.rows] == before[5:10]
    assert queries.queue_page(s, QueueFilters(), size=5).total == len(before) - 5
    assert page2.before is None  # everything before it is decided now: no pending page before
    # a tip on a decided listing puts it back, at its place
    s.tips.add_tip(TipRecord("RZ0000000000001", "又上架了", platform=before[0][0], listing_id=before[0][1],
                             on_platform=True), "ipz", T0, 100)
    assert queries.queue_page(s, QueueFilters(), size=1).rows[0].key == before[0]
    # a shop renamed on a later crawl is filtered by its new name
    listing = s.listings.get_listing(before[1])
    listing.shop_name = "改名后的Shop"
    s.listings.upsert_listing(listing)
    assert [r.key for r in whole_queue(s, QueueFilters(shop="后的shop", state="all"))] == [before[1]]


@pytest.mark.parametrize("f", [QueueFilters(), QueueFilters(platform="pdd"), QueueFilters(state="all")],
                         ids=lambda f: str(f.as_params()))
def test_neighbours_are_the_adjacent_rows(store, f):
    order = reference(store, f)
    for i, key in enumerate(order):
        prev, nxt = queries.neighbours(store, f, key)
        assert prev == (order[i - 1] if i else None)
        assert nxt == (order[i + 1] if i + 1 < len(order) else None)
    assert queries.neighbours(store, f, ("jd", "no-such")) == (None, order[0])


def test_previous_page_is_the_page_before(store):
    pages = []
    page = queries.queue_page(store, QueueFilters(state="all"), size=6)
    pages.append(page)
    while page.after:
        page = queries.queue_page(store, QueueFilters(state="all"), after=page.after, size=6)
        pages.append(page)
    assert len(pages) >= 3 and pages[0].before is None
    back = queries.queue_page(store, QueueFilters(state="all"), before=pages[2].before, size=6)
    assert [r.key for r in back.rows] == [r.key for r in pages[1].rows]


def test_takedown_pages_are_the_confirmed_list(store):
    for platform in ("jd", "taobao", "pdd"):
        expected = [l.listing_id for l, _, _ in store.reviews.confirmed(platform)]
        got, after = [], ""
        while True:
            page = plat.takedown_page(store, platform, after=after, size=2)
            got += [r["listing_id"] for r in page.rows]
            assert page.total == len(expected)
            if page.after is None:
                break
            after = page.after
        assert got == expected


def test_trends_count_in_sql_what_the_rows_say(store):
    t = analytics.trends(store)
    flagged = store.assessments.flagged()
    assert sum(r["flags"] for r in t.rows if r["platform"]) == len(flagged)
    assert sum(r["flags"] for r in t.rows if r["category"]) == len(flagged)
    weeks = {analytics_week(l.first_seen) for l, _ in flagged}
    assert set(t.weeks) == weeks


def analytics_week(when) -> str:
    year, week, _ = when.date().isocalendar()
    return f"{year}-W{week:02d}"


def test_a_store_from_before_migration_11_is_indexed_on_first_use(make_store):
    s = make_store()
    fill(s)
    expected = reference(s, QueueFilters(state="all"))
    with s.transaction() as db:  # as migration 11 leaves a store that already held data
        db.execute("DELETE FROM triage")
    assert [r.key for r in whole_queue(s, QueueFilters(state="all"))] == expected
    with s.transaction() as db:
        assert db.execute("SELECT COUNT(*) FROM triage").fetchone()[0] == len(expected)  # all decided ones are flagged


def test_no_page_loads_every_row(web_url, as_user, monkeypatch):
    """With the whole-table methods made to fail, every review page and API answers."""
    def refuse(*args, **kwargs):
        raise AssertionError("a request loaded every row")

    for cls, name in ((SQLiteAssessments, "flagged"), (SQLiteReviews, "confirmed"), (SQLiteReviews, "latest_verdicts"),
                      (SQLiteTips, "tipped")):
        monkeypatch.setattr(cls, name, refuse)
    monkeypatch.setattr(SQLiteListings, "listing_titles", refuse)
    monkeypatch.setattr(SQLiteListings, "count_listings", refuse)
    regulator, analyst = as_user("regulator"), as_user("analyst")
    first = regulator.get("/api/v1/queue?limit=2").json()
    key = (first["items"][0]["listing"]["platform"], first["items"][0]["listing"]["listing_id"])
    for path in ("/queue", "/queue?state=all&platform=jd", f"/listings/{key[0]}/{key[1]}",
                 f"/listings/{key[0]}/{key[1]}/similar", "/platform/jd", "/api/v1/queue", "/api/v1/platforms/jd/takedown",
                 f"/api/v1/listings/{key[0]}/{key[1]}", "/api/v1/platforms/jd/notices"):
        assert regulator.get(path).status_code == 200, path
    if first["next"]:
        assert regulator.get("/api/v1/queue", params={"limit": 2, "after": first["next"]}).status_code == 200
    for path in ("/trends", "/api/v1/trends", "/search?q=灭火器"):
        assert analyst.get(path).status_code == 200, path
    assert regulator.get("/queue?after=garbage").status_code == 400
