"""Decisions: append-only history, the latest verdict counts, confirmed lists per platform."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from firewatch.core.models import Assessment, Decision, Listing
from firewatch.store import open_store


def _listing(platform, lid):
    return Listing(platform=platform, listing_id=lid, url=f"http://x/{lid}", title=f"灭火器 {lid}",
                   price=Decimal("9.90"))


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    for platform, lid, risk in (("jd", "1", 0.9), ("jd", "2", 0.8), ("taobao", "3", 0.7)):
        s.listings.upsert_listing(_listing(platform, lid))
        s.assessments.save_assessment(Assessment(platform=platform, listing_id=lid, category="portable_extinguisher",
                                     category_confidence=0.9, risk_score=risk, flagged=True))
    yield s
    s.close()


def test_latest_verdict_counts_and_history_is_kept(store):
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    store.reviews.record_decision(Decision("jd", "1", "alice", "confirm", at=t0))
    store.reviews.record_decision(Decision("jd", "2", "alice", "confirm", at=t0))
    store.reviews.record_decision(Decision("jd", "2", "bob", "dismiss", "误报", at=t0 + timedelta(hours=1)))
    store.reviews.record_decision(Decision("taobao", "3", "bob", "confirm", at=t0))
    assert [d.verdict for d in store.reviews.decisions(("jd", "2"))] == ["confirm", "dismiss"]
    assert store.reviews.latest_decision(("jd", "2")).reviewer == "bob"
    assert store.reviews.latest_decision(("jd", "9")) is None
    jd = store.reviews.confirmed("jd")
    assert [(lst.listing_id, d.reviewer) for lst, _, d in jd] == [("1", "alice")]
    assert {lst.key for lst, _, _ in store.reviews.confirmed()} == {("jd", "1"), ("taobao", "3")}


def test_bad_verdict_or_unknown_listing_is_refused_and_nothing_written(store):
    with pytest.raises(ValueError, match="verdict"):
        store.reviews.record_decision(Decision("jd", "1", "alice", "approve"))
    with pytest.raises(ValueError, match="no listing"):
        store.reviews.record_decision(Decision("jd", "404", "alice", "confirm"))
    assert store.reviews.decisions(("jd", "1")) == []
