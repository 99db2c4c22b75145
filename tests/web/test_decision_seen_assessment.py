"""A decision is taken on the assessment the reviewer saw: the decision form carries its time, and a listing
re-scored since (the reasons on record are not the ones judged) refuses the decision with a Chinese message,
nothing written, the way a claim another reviewer holds does."""

from __future__ import annotations

import html
from datetime import timedelta

from firewatch.core.models import Removal, utcnow
from firewatch.store import open_store


def test_a_decision_on_an_assessment_replaced_since_is_refused(as_user, web_data):
    client = as_user("regulator")
    key = ("jd", "100233")
    with open_store(web_data / "firewatch.db") as store:
        assessment = store.assessments.get_assessment(key)
        before = len(store.reviews.decisions(key))
    assert assessment is not None
    page = client.get(f"/listings/{key[0]}/{key[1]}")
    assert page.status_code == 200
    shown = assessment.assessed_at.isoformat()
    assert f'name="assessed_at" value="{html.escape(shown)}"' in page.text  # the form carries what it showed
    stale = (assessment.assessed_at - timedelta(hours=1)).isoformat()  # what the page showed before a re-score
    refused = client.post(f"/listings/{key[0]}/{key[1]}/decision",
                          data={"verdict": "dismiss", "assessed_at": stale, "csrf_token": client.csrf})
    assert refused.status_code == 409 and "已重新评估" in refused.text
    with open_store(web_data / "firewatch.db") as store:
        assert len(store.reviews.decisions(key)) == before
    bad = client.post(f"/listings/{key[0]}/{key[1]}/decision",
                      data={"verdict": "dismiss", "assessed_at": "昨天", "csrf_token": client.csrf})
    assert bad.status_code == 400


def test_a_removal_sighting_shows_apart_from_the_page_evidence_labelled_and_escaped(as_user, web_data):
    key = ("jd", "100234")
    with open_store(web_data / "firewatch.db") as store:
        listing = store.listings.get_listing(key)
        store.listings.record_removal(listing, Removal(*key, utcnow(), listing.url, "https://www.jd.com/?from=item", 200,
                                                       "<b>京东</b>", "home_redirect", recheck=True), timedelta(hours=6))
        evidence = store.evidence.latest_evidence(key)
    page = as_user("regulator").get(f"/listings/{key[0]}/{key[1]}")
    assert page.status_code == 200 and 'id="removal-check"' in page.text
    assert "疑似下架" in page.text and "跳转至平台首页" in page.text
    assert "<b>京东</b>" not in page.text and "&lt;b&gt;京东&lt;/b&gt;" in page.text
    if evidence is not None:  # the page evidence is still the listing's own capture
        assert "取证时间" in page.text


def test_a_suspected_removal_the_listing_was_seen_on_sale_after_is_not_shown(as_user, web_data):
    key = ("jd", "100235")
    with open_store(web_data / "firewatch.db") as store:
        listing = store.listings.get_listing(key)
        at = utcnow()
        store.listings.record_removal(listing, Removal(*key, at, listing.url, "https://www.jd.com/?from=item", 200,
                                                       "京东", "home_redirect", recheck=True), timedelta(hours=6))
    client = as_user("regulator")
    page = client.get(f"/listings/{key[0]}/{key[1]}")
    assert 'id="removal-check"' in page.text and "疑似下架（待确认）" in page.text and "北京时间" in page.text
    with open_store(web_data / "firewatch.db") as store:  # a crawl sees it on sale again
        store.listings.upsert_listing(listing, observed_at=at + timedelta(minutes=5))
    page = client.get(f"/listings/{key[0]}/{key[1]}")
    assert page.status_code == 200 and 'id="removal-check"' not in page.text
