"""A decision keeps the reasons the reviewer judged (migration 27): precision by week on the trends page
and the labels `firewatch train` learns from reviewers use them, so a re-score after the decision does not
rewrite review history; decisions made before the reasons were kept are filled from the assessment that
was on record when deciding where that is known, else from the current one, marked as such. Real stores
on both engines (`store_url`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alerts.takedown import takedown_rows
from classifiers.feedback import reviews_from_store
from firewatch.core.exceptions import AssessmentChanged
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.settings import DriftSettings, Settings
from firewatch.services.sellers import resolve_pending
from firewatch.services.review_trends import compute
from firewatch.store import open_store, sqlstore, triage
from firewatch.store.migrations import MIGRATIONS

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)
DRIFT = DriftSettings(weeks=4, baseline_weeks=2, mix_threshold=0.15, rate_threshold=0.5, min_flags=5)
DAY = NOW - timedelta(days=1)


def put(store, lid: str, codes: list[str], at: datetime) -> tuple[str, str]:
    listing = Listing("jd", lid, url=f"https://item.jd.com/{lid}.html", title=f"年检专用灭火器 {lid}号",
                      price=Decimal("30"))
    store.listings.upsert_listing(listing, observed_at=at)
    score(store, ("jd", lid), codes, at)
    return ("jd", lid)


def score(store, key, codes: list[str], at: datetime) -> None:
    store.assessments.save_assessment(Assessment(*key, "portable_extinguisher", 0.9, 0.95 if codes else 0.1,
                                                 bool(codes), [Reason(c, "证据", "title") for c in codes], {}, {}, at))


def precision(store) -> dict[str, tuple[int, int]]:
    return {r.code: (sum(r.confirmed), sum(r.dismissed)) for r in compute(store, DRIFT, NOW).reasons}


def test_a_rescore_after_the_decision_changes_neither_precision_nor_the_labels(store_url):
    with open_store(store_url) as store:
        confirmed = put(store, "1", ["inspection_only"], DAY)
        dismissed = put(store, "2", ["price_too_low"], DAY)
        store.reviews.record_decision(Decision(*confirmed, "审核员甲", "confirm", "", DAY + timedelta(hours=1)))
        store.reviews.record_decision(Decision(*dismissed, "审核员甲", "dismiss", "", DAY + timedelta(hours=1)))
        before = precision(store)
        assert before == {"inspection_only": (1, 0), "price_too_low": (0, 1)}
        # a new model re-scores both listings after the decisions, with other reasons
        score(store, confirmed, ["fake_certificate"], DAY + timedelta(hours=2))
        score(store, dismissed, ["no_certification"], DAY + timedelta(hours=2))
        assert precision(store) == before
        assert store.reviews.judged_reasons(confirmed) == ("decision", ["inspection_only"])
        learnt = reviews_from_store(store, corpus_size=1000, heldout_files=())
        assert [r["reasons"] for r in learnt.records if r["reasons"]] == [["inspection_only"]]
        assert set(learnt.by_reason) == {"inspection_only", "price_too_low"}
        # a decision made now judges the reasons on record now
        store.reviews.record_decision(Decision(*confirmed, "审核员乙", "confirm", "", DAY + timedelta(hours=3)))
        assert precision(store)["fake_certificate"] == (1, 0) and "inspection_only" not in precision(store)
        # undoing it brings back the earlier decision with the reasons that one judged
        store.reviews.undo_last("审核员乙")
        assert precision(store) == before


def _triage_row(db, key, verdict: str, at: str) -> None:
    """A review-queue row as a store before migration 27 wrote it."""
    db.execute("INSERT INTO triage (platform, listing_id, queued, flagged, decided, state, verdict, neg_risk, untipped, "
               "category, reason_codes, seen_day, seen_week, shop_name_lc, shop_id_lc, neg_priority, region, price_fen, "
               "flagged_day, decided_at, flagged_at) VALUES (?,?,1,1,1,?,?,-0.95,1,'portable_extinguisher',' x ',"
               "'2026-11-24','2026-W48','','',-0.9,'',3000,'2026-11-24',?,?)", (*key, verdict, verdict, at, at))


def test_older_decisions_are_filled_from_the_assessment_of_their_time_or_marked(store_url, monkeypatch):
    assessed = lambda hours: (DAY + timedelta(hours=hours)).isoformat()  # noqa: E731
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 27])
    with open_store(store_url) as store:  # a store as it was before migration 27
        rows = (("then", ["inspection_only"], 0), ("later", ["refurbished"], 5), ("bare", None, 0))
        for lid, _, _ in rows:
            store.listings.upsert_listing(Listing("jd", lid, url=f"https://item.jd.com/{lid}.html", title=lid),
                                          observed_at=DAY)
        with store._db.transaction() as tx:
            for lid, codes, at in rows:
                if codes:
                    tx.execute("INSERT INTO assessments (platform, listing_id, assessed_at, category, category_confidence, "
                               "risk_score, flagged, reasons, specs, model_versions) VALUES ('jd',?,?,"
                               "'portable_extinguisher',0.9,0.95,1,?,'{}','{}')",
                               (lid, assessed(at), json.dumps([{"code": c, "evidence": "证据"} for c in codes])))
                tx.execute("INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at) VALUES "
                           "('jd',?,'审核员','confirm','',?)", (lid, assessed(2)))
                if codes:
                    _triage_row(tx, ("jd", lid), "confirm", assessed(2))
        assert 27 not in store.schema_versions()
    monkeypatch.undo()
    with open_store(store_url) as store:
        assert {27, 28} <= set(store.schema_versions())
        assert store.reviews.judged_reasons(("jd", "then")) == ("assessment_then", ["inspection_only"])
        assert store.reviews.judged_reasons(("jd", "later")) == ("assessment_later", ["refurbished"])
        assert store.reviews.judged_reasons(("jd", "bare")) == ("none", [])
        codes = dict(store._db.execute("SELECT listing_id, decided_codes FROM triage").fetchall())
        # the reasons of 'later' were not the ones judged: out of precision by reason and out of training
        assert codes == {"then": " inspection_only ", "later": None}
        assert precision(store) == {"inspection_only": (1, 0)}
        assert sum(compute(store, DRIFT, NOW).overall.confirmed) == 2  # the verdict itself still counts overall
        learnt = reviews_from_store(store, corpus_size=1000, heldout_files=())
        assert learnt.reasons_unknown == 1 and learnt.summary()["reasons_unknown"] == 1
        assert [r["title"] for r in learnt.records] == ["then"]
        assert learnt.no_reason == 1  # 'bare': confirmed with no assessment at all
        with store._db.transaction() as tx:  # a full rebuild of the queue keeps it so
            triage.rebuild_in(tx)
        assert dict(store._db.execute("SELECT listing_id, decided_codes FROM triage").fetchall()) == codes


def test_a_rescore_after_confirmation_changes_no_letter_campaign_count_or_seller_reasons(store_url):
    with open_store(store_url) as store:
        key = ("jd", "8")
        store.listings.upsert_listing(Listing(*key, url="https://item.jd.com/8.html", title="年检专用灭火器 8号",
                                              price=Decimal("30"), shop_id="J8", shop_name="盾安消防专营店"),
                                      observed_at=DAY)
        score(store, key, ["inspection_only"], DAY)
        store.reviews.record_decision(Decision(*key, "审核员甲", "confirm", "", DAY + timedelta(hours=1)))
        resolve_pending(store, Settings())
        # a new model re-scores the confirmed listing with a reason nobody confirmed
        score(store, key, ["fake_certificate"], DAY + timedelta(hours=2))
        [row] = takedown_rows(store, "jd")
        assert row["reasons"] == "inspection_only" and "fake_certificate" not in row["reason_names"]
        start, end = (DAY - timedelta(days=1)).isoformat(), (NOW + timedelta(days=1)).isoformat()
        assert store.campaign.event_counts("confirmed", "reasons", start, end) == [(" inspection_only ", 1)]
        assert store.campaign.event_counts("flagged", "reasons", start, end) == [(" fake_certificate ", 1)]
        seller = store.sellers.seller_of_listing(key)
        assert seller is not None and store.sellers.confirmed_reason_codes(seller) == {"inspection_only"}


def test_a_decision_on_an_assessment_replaced_since_is_refused(store_url):
    with open_store(store_url) as store:
        key = put(store, "9", ["inspection_only"], DAY)
        seen = store.assessments.get_assessment(key).assessed_at
        score(store, key, ["fake_certificate"], DAY + timedelta(hours=2))  # re-scored while the reviewer looked
        with pytest.raises(AssessmentChanged, match="已重新评估"):
            store.reviews.record_decision(Decision(*key, "审核员甲", "confirm"), seen_assessed_at=seen)
        assert store.reviews.decisions(key) == []
        fresh = store.assessments.get_assessment(key).assessed_at
        store.reviews.record_decision(Decision(*key, "审核员甲", "confirm"), seen_assessed_at=fresh)
        assert store.reviews.judged_reasons(key) == ("decision", ["fake_certificate"])


def test_a_bulk_decision_leaves_out_listings_rescored_since_the_reviewer_saw_them(store_url):
    """Bulk decisions carry what each row showed: a listing re-scored since is not decided (named as re-scored),
    a listing shown without an assessment that has one now likewise; the rest are decided in one batch."""
    with open_store(store_url) as store:
        kept, moved, fresh = (put(store, lid, ["inspection_only"], DAY) for lid in ("b1", "b2", "b3"))
        unseen = put(store, "b4", ["inspection_only"], DAY)
        seen = {k: store.assessments.get_assessment(k).assessed_at for k in (kept, moved, fresh)}
        seen[unseen] = None  # the page showed no assessment for it
        score(store, moved, ["fake_certificate"], DAY + timedelta(hours=2))  # re-scored after the page
        unchecked = put(store, "b5", ["inspection_only"], DAY)  # not named as seen: not checked
        keys = [kept, moved, fresh, unseen, unchecked]
        done = store.reviews.record_decisions([Decision(*k, "审核员甲", "dismiss", "批量") for k in keys], seen=seen)
        assert done.decided == [kept, fresh, unchecked] and len(done.ids) == 3
        assert done.rescored == [moved, unseen] and done.held == []
        assert store.reviews.decisions(moved) == [] and store.reviews.decisions(unseen) == []
        assert store.reviews.judged_reasons(kept) == ("decision", ["inspection_only"])
        assert store.reviews.last_decision_by("审核员甲")[2] == 3  # one batch, one undo
