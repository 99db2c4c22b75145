"""End to end: the listings of a sent notice that the platforms took down answer the way the real sites do
today (Taobao's 302 to err.taobao.com, JD's redirect to its home page, Tmall's and Pinduoduo's gone pages,
1688's 404), none of them saying 下架 in an item page; the real fetch stage (Chromium through the host map,
against the replica) records what it saw. The 404 counts at once; a home or error page or gone wording is only
suspected (an anti-bot answer or a sold-out page look the same): the notice stays open, shows it as such and
queues another fetch, and the second matching sighting (here [notices] removal_confirm_hours = 0) verifies the
notice with the evidence (final URL, HTTP status, the words seen, both sightings) as each item's basis. The
removal captures never become the listings' latest evidence."""

from __future__ import annotations

import shutil

import pytest

from alerts.notices import NoticeConfig, create_notice, evaluate_notice, send_notice, suspected
from crawler.sites import site
from demo_market.behaviour import TakedownDesk
from demo_market.generator import build_catalogue
from demo_market.server import QUIET
from firewatch.core.models import Assessment, Decision, Listing, Reason, utcnow
from firewatch.core.settings import load_settings
from firewatch.services.processing import run_processing
from firewatch.store import open_store
from tests.helpers import first_on_sale, market_env

CONFIG = NoticeConfig(sender_org="某市消防救援支队", sender_contact="0571-00000000", legal_basis="依据测试法第一条",
                      reply_deadline_days=7, channel="测试通道")
EXPECTED = {"taobao": ("error_page", "err.taobao.com/error1.html", "宝贝不存在"),
            "jd": ("home_redirect", "www.jd.com/?from=item", "京东"),
            "tmall": ("gone_text", "detail.tmall.com/item.htm", "此商品已下架"),
            "1688": ("http_status", "detail.1688.com/offer/", "页面不存在"),
            "pdd": ("gone_text", "mobile.yangkeduo.com/goods.html", "商品已售罄或已下架")}


@pytest.mark.timeout(300)
def test_items_taken_down_behind_error_pages_and_redirects_verify_the_notice(start_market, trained_model, chromium,
                                                                              tmp_path):
    catalogue = build_catalogue(seed=9, size=200)  # its own: the takedowns change it
    market = start_market(seed=9, catalogue=catalogue, **QUIET)
    picks = first_on_sale(catalogue)
    data = tmp_path / "data"
    shutil.copytree(trained_model.directory, data / "models")
    settings = load_settings(env={**market_env(market), "FIREWATCH_DATA_DIR": str(data),
                                  "FIREWATCH_CAPTURE__CHROMIUM": chromium, "FIREWATCH_NOTICES__REMOVAL_CONFIRM_HOURS": "0"})
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        for platform, x in picks.items():
            key = (platform, x.listing_id)
            store.listings.upsert_listing(Listing(platform, x.listing_id, url=site(platform).item_url(x.listing_id, platform),
                                                  title=x.title, price=x.price, shop_name=x.shop_name))
            store.assessments.save_assessment(Assessment(*key, x.true_category, 0.9, 0.95, True,
                                                         [Reason("inspection_only", "年检专用")]))
            store.reviews.record_decision(Decision(*key, "审核员", "confirm"))
        notices = {p: create_notice(store, p, created_by="王") for p in picks}
        for notice_id in notices.values():
            send_notice(store, notice_id, sent_by="王", out_dir=tmp_path / "letters", config=CONFIG, chromium=chromium)
        TakedownDesk(catalogue, seed=9, min_days=1, max_days=1, ignore_rate=0.0).receive(
            [(x.platform, x.listing_id) for x in picks.values()], day=0)
        market.day = 1  # the platforms took them down
        for platform, x in picks.items():
            store.queue.enqueue((platform, x.listing_id), "fetch")  # the regulator's re-check
    stats = run_processing(settings, capture=True)
    assert stats.fetched == len(picks), stats.errors
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        for platform, x in picks.items():
            key = (platform, x.listing_id)
            once = platform != "1688"  # only the 404 counts on one sighting
            assert (store.listings.get_listing(key).status == "removed") is not once
            seen = store.listings.latest_removal(key, counted=None)
            basis, where, words = EXPECTED[platform]
            assert (seen.basis, seen.http_status, seen.counted) == (basis, 200 if once else 404, not once)
            assert where in seen.final_url and words in seen.text
            # the capture is kept apart: never the listing's latest evidence
            assert store.evidence.latest_evidence(key) is None
            assert store.evidence.latest_removal_evidence(key).final_url == seen.final_url
            notice = evaluate_notice(store, notices[platform], now=utcnow())
            if once:
                assert notice.status == "sent" and not notice.removed
                assert suspected(store, notice, store.listings.get_listing(key)) is not None
                assert store.queue.pending("fetch") and key in store.queue.pending("fetch")  # fetched again
            else:
                assert notice.status == "removal_verified" and set(notice.removed) == {key}
    stats = run_processing(settings, capture=True)  # the second sighting
    assert stats.fetched == len(picks) - 1, stats.errors
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        for platform, x in picks.items():
            key = (platform, x.listing_id)
            assert store.listings.get_listing(key).status == "removed"
            seen = store.listings.latest_removal(key)
            basis, where, words = EXPECTED[platform]
            assert seen.counted and (seen.first_seen_at is not None) == (platform != "1688")
            notice = evaluate_notice(store, notices[platform], now=utcnow())
            assert notice.status == "removal_verified" and set(notice.removed) == {key}
            recorded = store.notices.notice_item_bases(notices[platform])[key]
            assert recorded.startswith("重新抓取：") and seen.final_url in recorded and words in recorded
            assert ("两次确认" in recorded) == (platform != "1688")
