"""A noticed item's page fetched again that looks gone proves the removal only when it is safe to: a 404/410 at
the item URL counts at once; a home or error page or the platform's gone wording (an anti-bot redirect and a
sold-out page look the same) counts only when seen again on the same basis at least `confirm_after` later,
with the item not seen on sale in between; one sighting is suspected, shown in Chinese and fetched again.
The capture of a removal is kept apart from the listing's page captures. After a script navigated the page,
nothing is judged. Real stores on both engines (`store_url`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alerts.notices import create_notice, evaluate_notice, suspected, suspected_removal
from crawler.capture import BODY_NAME, MANIFEST_NAME
from firewatch.core.models import Artefact, Assessment, Decision, Evidence, Listing, Reason, Removal
from firewatch.services.leads import read_captured
from firewatch.store import open_store

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
HOURS6 = timedelta(hours=6)
JD = "https://item.jd.com/{}.html"


def listing(lid: str) -> Listing:
    return Listing("jd", lid, url=JD.format(lid), title=f"年检专用灭火器 {lid}号", price=Decimal("30"))


def sighting(lid: str, at: datetime, basis: str = "home_redirect") -> Removal:
    status = 404 if basis == "http_status" else 200
    final = JD.format(lid) if basis == "http_status" else "https://www.jd.com/?from=item"
    return Removal("jd", lid, at, JD.format(lid), final, status, "京东", basis, recheck=basis != "http_status")


def evidence(lid: str, at: datetime, final_url: str, directory: str = "/nowhere") -> Evidence:
    return Evidence("jd", lid, at, JD.format(lid), final_url, 200, None, "ua", "chromium", directory,
                    [Artefact("screenshot.png", "a" * 64, "image/png", 1)])


def test_a_home_redirect_counts_only_when_seen_again_hours_later(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing("1"), observed_at=T0)
        first = store.listings.record_removal(listing("1"), sighting("1", T0 + timedelta(hours=1)), HOURS6)
        assert not first.counted and store.listings.get_listing(("jd", "1")).status != "removed"
        soon = store.listings.record_removal(listing("1"), sighting("1", T0 + timedelta(hours=3)), HOURS6)
        assert not soon.counted  # two hours later: still only suspected
        assert store.listings.latest_removal(("jd", "1")) is None
        assert store.listings.latest_removal(("jd", "1"), counted=False).observed_at == T0 + timedelta(hours=3)
        later = store.listings.record_removal(listing("1"), sighting("1", T0 + timedelta(hours=7)), HOURS6)
        assert later.counted and later.first_seen_at == T0 + timedelta(hours=1)
        assert store.listings.get_listing(("jd", "1")).status == "removed"
        assert store.listings.latest_removal(("jd", "1")).first_seen_at == T0 + timedelta(hours=1)


def test_a_sighting_before_the_item_was_seen_on_sale_again_or_on_another_basis_confirms_nothing(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing("2"), observed_at=T0)
        store.listings.record_removal(listing("2"), sighting("2", T0 + timedelta(hours=1)), HOURS6)
        store.listings.upsert_listing(listing("2"), observed_at=T0 + timedelta(hours=2))  # on sale after all
        assert not store.listings.record_removal(listing("2"), sighting("2", T0 + timedelta(hours=9)), HOURS6).counted
        store.listings.upsert_listing(listing("3"), observed_at=T0)
        store.listings.record_removal(listing("3"), sighting("3", T0 + timedelta(hours=1), "gone_text"), HOURS6)
        assert not store.listings.record_removal(listing("3"), sighting("3", T0 + timedelta(hours=9)), HOURS6).counted
        assert store.listings.get_listing(("jd", "2")).status != "removed"
        assert store.listings.get_listing(("jd", "3")).status != "removed"


def test_a_404_at_the_item_url_counts_at_once(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing("4"), observed_at=T0)
        seen = store.listings.record_removal(listing("4"), sighting("4", T0 + timedelta(hours=1), "http_status"), HOURS6)
        assert seen.counted and seen.first_seen_at is None
        assert store.listings.get_listing(("jd", "4")).status == "removed"


def test_a_removal_capture_is_never_the_listings_latest_evidence(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing("5"), observed_at=T0)
        store.evidence.save_evidence(evidence("5", T0, JD.format("5")))
        store.evidence.save_evidence(evidence("5", T0 + timedelta(days=1), "https://www.jd.com/?from=item"),
                                     role="removal")
        assert store.evidence.latest_evidence(("jd", "5")).final_url == JD.format("5")
        assert store.evidence.latest_evidence_of([("jd", "5")])[("jd", "5")].final_url == JD.format("5")
        assert store.evidence.latest_removal_evidence(("jd", "5")).final_url == "https://www.jd.com/?from=item"
        with pytest.raises(ValueError):
            store.evidence.save_evidence(evidence("5", T0, JD.format("5")), role="other")


def test_one_sighting_keeps_the_notice_open_shows_it_suspected_and_queues_a_fetch(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        key = ("jd", "6")
        store.listings.upsert_listing(listing("6"), observed_at=T0)
        store.assessments.save_assessment(Assessment(*key, "portable_extinguisher", 0.9, 0.95, True,
                                                     [Reason("inspection_only", "年检专用")], {}, {}, T0))
        store.reviews.record_decision(Decision(*key, "审核员", "confirm"))
        notice_id = create_notice(store, "jd", created_by="王")
        assert store.notices.mark_notice_sent(notice_id, sent_by="王", channel="测试", at=T0 + timedelta(hours=1),
                                              deadline_at=T0 + timedelta(days=7), html_path="", pdf_path="",
                                              document_sha256="")  # the letter itself is tested elsewhere
        notice = store.notices.get_notice(notice_id)
        assert notice.sent_at is not None, "the notice must be sent for the test to mean anything"
        at = notice.sent_at + timedelta(hours=1)
        store.listings.record_removal(listing("6"), sighting("6", at), HOURS6)
        notice = evaluate_notice(store, notice_id, now=at + timedelta(minutes=5))
        assert notice.status == "sent" and not notice.removed
        seen = suspected(store, notice, store.listings.get_listing(key))
        assert seen is not None and key in store.queue.pending("fetch")
        text = suspected_removal(seen, HOURS6)
        assert text.startswith("疑似下架（待确认）") and "6 小时后再次抓取" in text and "跳转至平台首页" in text
        store.listings.record_removal(listing("6"), sighting("6", at + timedelta(hours=7)), HOURS6)
        notice = evaluate_notice(store, notice_id, now=at + timedelta(hours=8))
        assert notice.status == "removal_verified" and key in notice.removed
        assert "两次确认" in store.notices.notice_item_bases(notice_id)[key]


def test_after_a_scripts_navigation_nothing_is_judged_removed(tmp_path):
    folder = tmp_path / "capture"
    folder.mkdir()
    home = '<html><head><title>京东(JD.COM)-正品低价</title></head><body>家用电器</body></html>'
    (folder / BODY_NAME).write_bytes(home.encode("utf-8"))
    item = listing("7")
    for answered, gone in ((JD.format("7"), False), ("https://www.jd.com/?from=item", True)):
        (folder / MANIFEST_NAME).write_text(json.dumps({"response_url": answered}), encoding="utf-8")
        captured = Evidence("jd", "7", T0, item.url, "https://www.jd.com/?from=item", 200, None, "ua", "chromium",
                            str(folder), [Artefact(BODY_NAME, "b" * 64, "text/html", len(home))])
        if gone:  # the redirect came from the server: the captured answer is the home page's
            assert read_captured(item, captured).basis == "home_redirect"
        else:  # the item URL answered 200 and a script then went home: its status and body are not the home page's
            with pytest.raises(ValueError):
                read_captured(item, captured)
