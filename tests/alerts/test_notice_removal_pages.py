"""End to end: the listings of a sent notice that the platforms took down answer the way the real sites do
today (Taobao's 302 to err.taobao.com, JD's redirect to its home page, Tmall's and Pinduoduo's gone pages,
1688's 404), none of them saying 下架 in an item page; the real fetch stage (Chromium through the host map,
against the replica) records each as removed with what it saw, and the notice becomes removal_verified with
the evidence (final URL, HTTP status, the words seen) as each item's basis."""

from __future__ import annotations

import shutil

import pytest

from alerts.notices import NoticeConfig, create_notice, evaluate_notice, send_notice
from crawler.sites import site
from demo_market.behaviour import TakedownDesk
from demo_market.generator import build_catalogue
from demo_market.server import QUIET
from firewatch.core.models import Assessment, Decision, Listing, Reason, utcnow
from firewatch.core.settings import load_settings
from firewatch.services.processing import run_processing
from firewatch.store import open_store
from tests.helpers import market_env

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
    picks = {}
    for x in catalogue.initial():
        if x.delisted_day is None and x.platform not in picks:
            picks[x.platform] = x
    data = tmp_path / "data"
    shutil.copytree(trained_model.directory, data / "models")
    settings = load_settings(env={**market_env(market), "FIREWATCH_DATA_DIR": str(data),
                                  "FIREWATCH_CAPTURE__CHROMIUM": chromium})
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
            assert store.listings.get_listing(key).status == "removed"
            seen = store.listings.latest_removal(key)
            basis, where, words = EXPECTED[platform]
            assert (seen.basis, seen.http_status) == (basis, 404 if platform == "1688" else 200)
            assert where in seen.final_url and words in seen.text
            assert store.evidence.latest_evidence(key).final_url == seen.final_url  # the capture kept as evidence
            notice = evaluate_notice(store, notices[platform], now=utcnow())
            assert notice.status == "removal_verified" and set(notice.removed) == {key}
            recorded = store.notices.notice_item_bases(notices[platform])[key]
            assert recorded.startswith("重新抓取：") and seen.final_url in recorded and words in recorded
