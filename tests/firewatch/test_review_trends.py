"""Review precision by reason and week, flag rate, reason mix and the drift note (issue 17,
`services.review_trends` over `store.review_stats`): the figures equal plain SQL over the raw tables
(decisions, listings, assessments) on both engines, and the drift note appears when the reason mix moves
and not when it does not."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from firewatch.core.clock import to_beijing
from firewatch.core.labels import reason_short_name
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.settings import DriftSettings
from firewatch.services.review_trends import compute, review_trends, tv_distance, week_starts
from firewatch.store import open_store

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)  # a Wednesday; weeks start on Beijing Mondays
DRIFT = DriftSettings(weeks=6, baseline_weeks=3, mix_threshold=0.15, rate_threshold=0.5, min_flags=5)


def put(store, lid: str, seen: datetime, codes: list[str], platform: str = "jd") -> tuple[str, str]:
    listing = Listing(platform, lid, url=f"https://item.jd.com/{lid}.html", title=f"灭火器 {lid}", price=Decimal("50"))
    store.listings.upsert_listing(listing, observed_at=seen)
    store.assessments.save_assessment(Assessment(platform, lid, "portable_extinguisher", 0.9, 0.9 if codes else 0.1,
                                                 bool(codes), [Reason(c, "证据", "title") for c in codes], {}, {},
                                                 seen))
    return (platform, lid)


def decide(store, key, verdict: str, at: datetime, reviewer: str = "reviewer") -> None:
    store.reviews.record_decision(Decision(*key, reviewer, verdict, "", at))


def monday_of(when: datetime):
    day = to_beijing(when).date()
    return day - timedelta(days=day.weekday())


def plain_sql_figures(store, weeks: list):
    """The same figures from the raw tables: latest decision per listing by (at, id), reasons from the
    assessment's JSON, first sight from the listing; weeks by the Beijing Monday."""
    db = store._db
    index = {w: i for i, w in enumerate(weeks)}
    verdicts: Counter = Counter()
    overall: Counter = Counter()
    for p, lid, verdict, at in db.execute(
            "SELECT d.platform, d.listing_id, d.verdict, d.at FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM "
            "decisions e WHERE e.platform=d.platform AND e.listing_id=d.listing_id AND (e.at > d.at OR "
            "(e.at = d.at AND e.id > d.id)))").fetchall():
        w = index.get(monday_of(datetime.fromisoformat(at)))
        if verdict in ("confirm", "dismiss") and w is not None:
            # the reasons the reviewer judged: nothing is re-scored here, so the assessment saved before the
            # decision was recorded (re-scores: tests/firewatch/test_decision_reasons.py)
            reasons = db.execute("SELECT reasons FROM assessments WHERE platform=? AND listing_id=?",
                                 (p, lid)).fetchone()[0]
            overall[(w, verdict)] += 1
            for code in sorted({r["code"] for r in json.loads(reasons)}) or ["-"]:
                verdicts[(code, w, verdict)] += 1
    flags, seen, mix = Counter(), Counter(), [Counter() for _ in weeks]
    for first_seen, flagged, reasons in db.execute(
            "SELECT l.first_seen, a.flagged, a.reasons FROM listings l JOIN assessments a "
            "ON a.platform=l.platform AND a.listing_id=l.listing_id").fetchall():
        w = index.get(monday_of(datetime.fromisoformat(first_seen)))
        if w is None:
            continue
        seen[w] += 1
        if flagged:
            flags[w] += 1
            for code in sorted({r["code"] for r in json.loads(reasons)}):
                mix[w][code] += 1
    return verdicts, overall, flags, seen, mix


def test_the_figures_equal_plain_sql_over_the_raw_tables(store_url):
    starts = week_starts(NOW, DRIFT.weeks)
    with open_store(store_url) as store:
        n = 0
        for w, start in enumerate(starts):
            base = datetime(start.year, start.month, start.day, 0, 30, tzinfo=timezone.utc)  # Monday 08:30 Beijing
            for k in range(6 + w):
                n += 1
                codes = [["inspection_only"], ["price_too_low", "no_certification"], [], ["no_certification"]][k % 4]
                key = put(store, str(n), base + timedelta(hours=13 * k), codes, platform=("jd", "pdd")[k % 2])
                if codes and k % 3 != 2:
                    decide(store, key, ("confirm", "dismiss", "confirm")[k % 3], base + timedelta(days=1, minutes=k))
                if codes and k == 4:  # decided again later: the second verdict counts
                    decide(store, key, "dismiss", base + timedelta(days=2), reviewer="second")
                if codes and k == 5:  # escalated last: neither confirmed nor dismissed
                    decide(store, key, "escalate", base + timedelta(days=2))
        # Sunday 23:30 Beijing is still that week; Monday 00:30 Beijing (Sunday 16:30 UTC) the next
        edge = put(store, "edge", datetime.combine(starts[2], datetime.min.time(), timezone.utc) - timedelta(hours=7, minutes=30),
                   ["refurbished"])
        decide(store, edge, "confirm", datetime.combine(starts[3], datetime.min.time(), timezone.utc) - timedelta(hours=8, minutes=30))
        undone = put(store, "undone", NOW - timedelta(days=1), ["prop_or_display"])
        decide(store, undone, "confirm", NOW - timedelta(hours=20), reviewer="undoer")
        store.reviews.undo_last("undoer")
        t = compute(store, DRIFT, NOW)
        verdicts, overall, flags, seen, mix = plain_sql_figures(store, starts)
    got = Counter()
    for row in t.reasons:
        for w in range(len(starts)):
            got[(row.code, w, "confirm")] += row.confirmed[w]
            got[(row.code, w, "dismiss")] += row.dismissed[w]
    assert +got == +verdicts and sum(verdicts.values()) > 20
    assert "prop_or_display" not in {r.code for r in t.reasons}  # the undone confirmation counts nowhere
    assert got[("refurbished", 2, "confirm")] == 1  # decided Sunday 23:30 Beijing time: that week
    assert t.flags[2] == flags[2] and mix[2]["refurbished"] == 1  # first seen Monday 00:30 Beijing: week 2
    assert t.flags == [flags[w] for w in range(len(starts))] and t.seen == [seen[w] for w in range(len(starts))]
    assert t.mix == [{k: v / sum(c.values()) for k, v in c.items()} if c else {} for c in mix]
    assert t.overall.confirmed == [overall[(w, "confirm")] for w in range(len(starts))]
    assert t.overall.dismissed == [overall[(w, "dismiss")] for w in range(len(starts))]
    assert {r.code: r.name for r in t.reasons}["inspection_only"] == reason_short_name("inspection_only")


def drift_store(store, last_week_codes: list[str], last_week_listings: int = 40) -> None:
    """Three baseline weeks with half inspection_only, half price_too_low flags out of 40 listings a week,
    then the last complete week with `last_week_codes` flagged (cycled) out of `last_week_listings`."""
    starts = week_starts(NOW, DRIFT.weeks)
    n = 0
    for w in (1, 2, 3, 4):
        base = datetime(starts[w].year, starts[w].month, starts[w].day, 1, 0, tzinfo=timezone.utc)
        count = last_week_listings if w == 4 else 40
        for k in range(count):
            n += 1
            flagged = k % 4 == 0
            codes = (last_week_codes if w == 4 else ["inspection_only", "price_too_low"])
            put(store, str(n), base + timedelta(hours=3 * k), [codes[(k // 4) % len(codes)]] if flagged else [])


def test_the_drift_note_appears_when_the_reason_mix_moves_and_not_when_it_does_not(store_url, request, tmp_path):
    with open_store(store_url) as store:
        drift_store(store, ["inspection_only", "price_too_low"])
        steady = compute(store, DRIFT, NOW)
    assert steady.notes == [] and steady.tv_distance is not None and steady.tv_distance < DRIFT.mix_threshold
    assert any("总变差距离" in c for c in steady.checks)
    cluster = request.getfixturevalue("pg_cluster") if "://" in store_url else None
    moved_url = cluster.new_schema("moved") if cluster else str(tmp_path / "moved.db")
    try:
        with open_store(moved_url) as store:
            drift_store(store, ["no_certification"])
            moved = compute(store, DRIFT, NOW)
    finally:
        if cluster:
            cluster.drop_schema(moved_url)
    assert moved.tv_distance == 1.0  # no reason in common with the baseline
    assert len(moved.notes) == 1 and "理由构成变化" in moved.notes[0]
    assert reason_short_name("no_certification") in moved.notes[0] and reason_short_name("inspection_only") in moved.notes[0]
    assert moved.rate_change == 0  # the same share of listings flagged: no note about the rate


def test_the_flag_rate_note_and_the_cache_follow_the_store(store_url):
    with open_store(store_url) as store:
        drift_store(store, ["inspection_only", "price_too_low"], last_week_listings=12)  # 3 of 12: too few flags
        few = review_trends(store, DRIFT, NOW)
        assert few.notes == [] and "未比较" in few.checks[0]
        loose = DriftSettings(**{**DRIFT.model_dump(), "min_flags": 3})
        rate = review_trends(store, loose, NOW)
        assert any("标记率升高" in note for note in rate.notes) is False and rate.rate_change == 0
        starts = week_starts(NOW, DRIFT.weeks)
        base = datetime(starts[4].year, starts[4].month, starts[4].day, 2, 0, tzinfo=timezone.utc)
        for k in range(6):  # six more flags in the last week: 9 of 18 instead of a quarter
            put(store, f"more{k}", base + timedelta(minutes=k), ["inspection_only" if k % 2 else "price_too_low"])
        again = review_trends(store, loose, NOW)
        assert again is not rate and again.flags[4] == 9  # a new generation, counted again
        assert any("标记率升高" in note for note in again.notes), again.checks
        assert review_trends(store, loose, NOW) is again  # nothing changed: the cached figures


def test_total_variation_distance():
    assert tv_distance({"a": 0.5, "b": 0.5}, {"a": 0.5, "b": 0.5}) == 0
    assert tv_distance({"a": 1.0}, {"b": 1.0}) == 1.0
    assert abs(tv_distance({"a": 0.7, "b": 0.3}, {"a": 0.5, "b": 0.5}) - 0.2) < 1e-9
