"""The seller page (issue 16) in a real Chromium against its own server and store: every shop of a
seller across platforms, each link with its key, the confirmed count and suggested track, one paged
timeline in 北京时间; the queue and listing pages mark the seller; hostile seller text stays text."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from firewatch.core.browser import gate
from firewatch.core.models import Assessment, Decision, Listing
from firewatch.core.settings import load_settings
from firewatch.services.sellers import resolve_pending
from firewatch.store import open_store
from firewatch.web.security import hash_password
from tests.builders import PAYLOADS
from tests.helpers import PASSWORD, browser_login

HOSTILE_SHOP = f"盾安{PAYLOADS[0]}旗舰店"


@pytest.fixture(scope="module")
def seller_site(tmp_path_factory):
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("seller-site")
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})
    with open_store(data / "firewatch.db") as store:
        rows = [("jd", "1", "J1", "盾安消防专营店", f"V:dunan8888 {PAYLOADS[1]}", True),
                ("tmall", "2", "T1", HOSTILE_SHOP, "薇信 dunan8888", False),
                ("pdd", "3", "P1", "盾安百货", f"手机 138 0000 1111，微信 dunan8888 {PAYLOADS[2]}", True)]
        rows += [("taobao", f"9{i:02d}", "B1", "盾安企业店", "电话13800001111", False) for i in range(60)]
        for platform, lid, shop_id, shop, desc, flagged in rows:
            store.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"https://example.com/{lid}",
                                                  title=f"干粉灭火器 {lid}", price=Decimal("19.90"), shop_id=shop_id,
                                                  shop_name=shop, description=desc))
            store.assessments.save_assessment(Assessment(platform=platform, listing_id=lid,
                                                         category="portable_extinguisher", category_confidence=0.9,
                                                         risk_score=0.9 if flagged else 0.2, flagged=flagged))
        resolve_pending(store, settings)
        store.reviews.record_decision(Decision("jd", "1", "regulator", "confirm", "年检专用"))
        store.reviews.record_decision(Decision("pdd", "3", "regulator", "confirm", "无3C"))
        for name, role in (("regulator", "regulator"), ("analyst", "analyst"), ("jd_team", "platform")):
            store.users.add_user(name, role, hash_password(PASSWORD), "jd" if role == "platform" else "")
        seller = store.sellers.seller_of_shop("jd", "J1")
    server = AppServer(create_app(settings))
    url = server.start()
    yield url, seller
    server.stop()


@pytest.fixture
def spage(browser, seller_site):
    url, _ = seller_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15000)
    context.route("**/*", gate([urlsplit(url).netloc]))
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.base = url.rstrip("/")
    yield page
    context.close()


def test_seller_page_shows_shops_links_track_and_a_paged_timeline(spage, seller_site):
    _, seller = seller_site
    browser_login(spage, "analyst")
    spage.goto(f"{spage.base}/sellers/{seller}")
    expect(spage.locator("#seller-shops tr")).to_have_count(1 + 4)  # jd, pdd, taobao, tmall
    expect(spage.locator("#seller-shops")).to_contain_text(HOSTILE_SHOP)  # shown as text, not markup
    kinds = spage.locator("#seller-links td.kind").all_inner_texts()
    assert "微信号" in kinds and "手机号" in kinds
    expect(spage.locator("#seller-links")).to_contain_text("dunan8888")
    expect(spage.locator("#confirmed-count")).to_have_text("2")
    expect(spage.locator("#track")).to_contain_text("从严查处")
    expect(spage.locator("#seller-timeline tr[data-kind]")).to_have_count(50)
    expect(spage.locator("#seller-timeline")).to_contain_text("北京时间")
    seen: list[str] = []
    while True:
        rows = spage.locator("#seller-timeline tr[data-kind]")
        seen += [r.get_attribute("data-kind") + " " + r.locator("td").nth(2).inner_text() for r in rows.all()]
        if spage.locator("#older").count() == 0:
            break
        spage.click("#older")
    # 63 listings first seen, 2 flagged, 2 decisions, and queued by the link: tmall 1 + taobao 60 + pdd 1
    # (the jd listing, already decided, is not queued again by the pdd confirmation)
    assert len(seen) == len(set(seen)) == 63 + 2 + 2 + 62
    assert sum(s.startswith("linked") for s in seen) == 62
    assert spage.locator("script:not([src])").evaluate_all(
        "els => els.filter(e => e.textContent.includes('xss')).length") == 0
    assert spage.dialogs == []


def test_queue_and_listing_mark_the_repeat_offender_with_the_link(spage, seller_site):
    _, seller = seller_site
    browser_login(spage, "regulator")
    spage.goto(spage.base + "/queue?platform=tmall")
    mark = spage.locator("#queue tbody tr[data-key='tmall:2'] a.tag.seller")
    expect(mark).to_contain_text("屡犯")
    expect(mark).to_have_attribute("href", f"/sellers/{seller}")
    spage.goto(spage.base + "/listings/tmall/2")
    expect(spage.locator("#seller-mark a")).to_have_attribute("href", f"/sellers/{seller}")
    expect(spage.locator("#linked-why")).to_contain_text("dunan8888")
    expect(spage.locator("#linked-why")).to_contain_text("wechat")
    assert spage.dialogs == []


def test_a_platform_user_cannot_open_a_seller_page(spage, seller_site):
    _, seller = seller_site
    browser_login(spage, "jd_team")
    response = spage.goto(f"{spage.base}/sellers/{seller}")
    assert response.status == 403


def test_bad_seller_requests_get_chinese_errors(seller_site):
    from tests.helpers import login_client

    url, seller = seller_site
    client = login_client(url, "analyst")
    try:
        bad = client.get(f"/sellers/{seller}", params={"before": "不是时间|x"})
        assert bad.status_code == 400 and "翻页位置" in bad.text
        assert client.get("/sellers/999999").status_code == 404
        assert client.get(f"/sellers/{2**70}").status_code in (400, 422)
    finally:
        client.close()
