"""The trends page's review precision, flag rate and drift section (issue 17; `/trends/reviews`, which the
trends page loads after itself) in real Chromium, on a sample
of its own (decisions in the last weeks, a reason code carrying markup): the table shows what
`services.review_trends` counts, hostile text stays text, and platform users are refused."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from firewatch.core.browser import gate
from firewatch.core.clock import utcnow
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.settings import DriftSettings
from firewatch.services.review_trends import compute
from firewatch.store import open_store
from tests.builders import PAYLOADS
from tests.helpers import PASSWORD, browser_login, login_client
from tests.web.sample import build_sample

HOSTILE_CODE = PAYLOADS[1]  # no space: reason codes are space-separated in the triage row


@pytest.fixture(scope="module")
def review_site(tmp_path_factory):
    """The web sample plus, over the last three weeks, 12 listings decided (inspection_only: 6 confirmed,
    3 dismissed; price_too_low: 1 confirmed, 2 dismissed) and one whose reason code is markup; its own server."""
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("review-trends")
    build_sample(data, password=PASSWORD)
    now = utcnow()
    with open_store(data / "firewatch.db") as store:
        for i in range(13):
            seen = now - timedelta(days=20 - i)
            codes = [HOSTILE_CODE] if i == 12 else ["inspection_only"] if i < 9 else ["price_too_low"]
            listing = Listing("jd", f"77{i:04d}", url=f"https://item.jd.com/77{i:04d}.html", title=f"灭火器 {i}",
                              price=Decimal("40"))
            store.listings.upsert_listing(listing, observed_at=seen)
            store.assessments.save_assessment(Assessment("jd", listing.listing_id, "portable_extinguisher", 0.9, 0.95,
                                                         True, [Reason(c, "证据", "title") for c in codes], {}, {}, seen))
            verdict = "confirm" if i in (0, 1, 2, 3, 4, 5, 9, 12) else "dismiss"
            store.reviews.record_decision(Decision("jd", listing.listing_id, "regulator", verdict, "",
                                                   seen + timedelta(hours=2)))
    (data / "models").mkdir()  # the sidecar `firewatch train` writes beside the model: what it learnt from
    (data / "models" / "model.json").write_text(json.dumps({
        "trained_at": "2026-11-30T02:00:00+00:00", "n_records": 3423,
        "reviews": {"used": 16, "positives": 4, "negatives": 12, "duplicates": 3, "heldout": 1, "conflicts": 0,
                    "total_weight": 16.0, "read_at": "2026-11-30T01:59:00+00:00",
                    "generation": {"decisions": 40, "last_decision_id": 41, "undone": 1}}}), encoding="utf-8")
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})
    server = AppServer(create_app(settings))
    url = server.start()
    yield data, url
    server.stop()


@pytest.fixture
def review_page(browser, review_site):
    data, url = review_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15000)
    blocked: list[str] = []
    context.route("**/*", gate([urlsplit(url).netloc], on_block=blocked.append))
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.base = url.rstrip("/")
    page.blocked = blocked
    yield page
    context.close()


def test_the_trends_page_shows_review_precision_by_reason_and_week(review_page, review_site):
    data, _ = review_site
    with open_store(data / "firewatch.db") as store:
        figures = compute(store, DriftSettings(), utcnow())
    browser_login(review_page, "analyst")
    review_page.goto(review_page.base + "/trends")  # the section is loaded after the page
    review_page.wait_for_selector("#review-trends[data-loaded='1']")
    table = review_page.locator("#precision-table")
    row = table.locator("tr[data-code=inspection_only]")
    assert row.locator("td").first.inner_text().startswith("应付检查")
    counted = {r.code: r for r in figures.reasons}
    for code in ("inspection_only", "price_too_low"):
        c, d, p = counted[code].total
        assert table.locator(f"tr[data-code={code}]").locator("td").last.inner_text().split() == [
            f"{p * 100:.0f}%", f"{c}/{c + d}"]
    # the sample's own decisions plus this module's: 6 of 9 and 1 of 3 confirmed
    assert counted["inspection_only"].total[:2] >= (6, 3) and counted["price_too_low"].total[:2] >= (1, 2)
    weekly = [c.inner_text().split() for c in row.locator("td.num").all()[:-1]]
    reason = counted["inspection_only"]
    expected = [[f"{p * 100:.0f}%", f"{c}/{c + d}"] if p is not None else ["—"]
                for p, c, d in zip(reason.precision, reason.confirmed, reason.dismissed)]
    assert weekly == expected and len(weekly) == 12
    assert "北京时间" in review_page.locator("#review-trends h2").inner_text()
    assert review_page.locator("#review-trends svg.chart").count() == 1
    assert review_page.locator("#flag-rate-table").is_visible() and review_page.locator("#drift-checks").inner_text()
    # the reason code that is markup is shown as text, in the table and in the chart's legend
    hostile = table.locator("tr", has_text=HOSTILE_CODE)
    assert hostile.count() == 1 and HOSTILE_CODE in hostile.first.inner_text()
    assert review_page.locator("#review-trends img, [onerror], [onload], script:not([src])").count() == 0
    assert review_page.dialogs == [] and review_page.blocked == []
    assert review_page.locator("#model-training").inner_text() == (
        "模型训练于 2026-11-30 10:00 北京时间：手写语料 3423 条，审核结论 16 条（确认 4，驳回 12；重复 3、留出集 1、冲突 0 条未用；"
        "权重合计 16.0），读取时数据库共 40 条审核结论（最新编号 41，2026-11-30 09:59 北京时间）")


def test_platform_users_may_not_see_the_trends_page(review_site):
    _, url = review_site
    platform, regulator = login_client(url, "jd_team"), login_client(url, "regulator")
    try:
        assert platform.get("/trends").status_code == 403 and platform.get("/trends/reviews").status_code == 403
        page = regulator.get("/trends/reviews")  # also without a script: the trends page links to it
        assert page.status_code == 200 and 'id="precision-table"' in page.text
        assert 'href="/trends/reviews"' in regulator.get("/trends").text
        assert HOSTILE_CODE not in page.text and "&lt;script&gt;alert(" in page.text
    finally:
        platform.close()
        regulator.close()
