"""The campaign page (issue 16): the campaign report's figures, charts and downloads in the web app,
for analysts and regulators, in real Chromium against the shared sample (hostile listings included)."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from firewatch.core.clock import show_date, utcnow
from firewatch.core.settings import CampaignSettings
from firewatch.services.campaign import Period, campaign_figures
from firewatch.store import open_store
from tests.builders import PAYLOADS
from tests.chinese import english_in
from tests.helpers import browser_login


def _figures(web_data, first: date, last: date, platform: str = ""):
    with open_store(web_data / "firewatch.db", data_dir=web_data) as store:
        return campaign_figures(store, Period.of(first, last), CampaignSettings(), platform)


def test_campaign_page_in_chromium(page, web_data, tmp_path):
    browser_login(page, "analyst")
    page.goto(page.base + "/trends")
    page.click("#campaign-link")
    expect(page.locator("h1")).to_contain_text("阶段总结")
    today = date.fromisoformat(show_date(utcnow()))
    f = _figures(web_data, date(2026, 9, 1), today)
    assert f.totals["flagged"] > 0 and f.totals["confirmed"] > 0  # the sample has flags and confirmations
    summary = page.locator("#campaign-summary").inner_text()
    assert f"确认违规\t{f.totals['confirmed']}（" in summary and f"疑似违规（首次标记）\t{f.totals['flagged']}" in summary
    charts = page.locator("img.chart")
    expect(charts).to_have_count(4)
    for i in range(4):  # every chart image decoded (a PNG data URI the CSP allows)
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 300", charts.nth(i).element_handle())
    flagged_jd = {code: n for _, code, n in f.breakdown["flagged"]["platform"]}.get("jd", 0)
    assert page.locator("table.campaign-platform tr", has_text="京东").first.inner_text().split("\t")[2] == str(flagged_jd)
    body = page.locator("main").inner_text()
    assert page.locator("img[onerror], [onload], script:not([src])").count() == 0
    sellers = [c.title for c in f.cases] + [c.shop_name for c in f.cases] + [r["shop_name"] for r in f.repeat_shops]
    sellers += [ev for c in f.cases for _, ev in c.reasons] + list(PAYLOADS)
    assert english_in(body, allowed=sellers + ["Excel"]) == [], body[:500]

    page.fill("#campaign-form input[name=from]", "2026-11-01")
    page.select_option("#campaign-form select[name=platform]", "jd")
    page.click("#campaign-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("2026-11-01")
    assert "from=2026-11-01" in page.url and "platform=jd" in page.url
    jd = _figures(web_data, date(2026, 11, 1), today, "jd")
    assert f"确认违规\t{jd.totals['confirmed']}（" in page.locator("#campaign-summary").inner_text()
    with page.expect_download() as info:
        page.click("#campaign-xlsx")
    path = tmp_path / "campaign.xlsx"
    info.value.save_as(path)
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    overview = {r[0]: r[1] for r in wb["总览"].iter_rows(values_only=True) if r[0]}
    assert overview["范围"] == "京东" and overview["确认违规"].startswith(f"{jd.totals['confirmed']}（")


def test_campaign_page_roles_dates_and_pdf(as_user, web_data):
    for name in ("investigator", "jd_team"):
        assert as_user(name).get("/campaign").status_code == 403, name
    regulator = as_user("regulator")
    assert regulator.get("/campaign").status_code == 200
    bad = regulator.get("/campaign?from=2026-13-01")
    assert bad.status_code == 400 and "年-月-日" in bad.text
    reversed_range = regulator.get("/campaign?from=2026-11-02&to=2026-11-01")
    assert reversed_range.status_code == 400 and "早于开始日期" in reversed_range.text
    assert regulator.get("/campaign?platform=ebay").status_code == 400
    pdf = regulator.get("/campaign.pdf?from=2026-11-01&to=2026-12-31", timeout=120)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="campaign-report-2026-11-01-2026-12-31.pdf"' in pdf.headers["content-disposition"]
    with open_store(web_data / "firewatch.db", data_dir=web_data) as store:
        entries = store.users.audit_entries(actor="regulator", action="export_campaign_pdf")
    assert entries and entries[-1]["subject"] == "campaign"


@pytest.mark.parametrize("last, kind", [("2026-12-30", "阶段总结"), ("2026-12-31", "总体总结")])
def test_campaign_page_names_the_summary_by_range(as_user, last, kind):
    page = as_user("analyst").get(f"/campaign?from=2026-09-01&to={last}")
    assert page.status_code == 200 and kind in page.text


def test_the_page_reuses_its_count_for_the_set_time_and_says_when_it_counted(tmp_path):
    """Counting takes seconds at a million listings: the page's figures are reused per range and platform
    for `[campaign] page_cache_seconds`, the page says when they were counted, downloads count afresh."""
    import re

    from firewatch.core.models import Decision
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer
    from tests.helpers import PASSWORD, login_client
    from tests.web.sample import build_sample

    build_sample(tmp_path, password=PASSWORD)
    app = create_app(load_settings(env={}).with_overrides({"paths": {"data_dir": str(tmp_path)},
                                                           "campaign": {"page_cache_seconds": 300}}))
    server = AppServer(app)
    client = login_client(server.start(), "analyst")
    try:
        url = "/campaign?from=2026-09-01&to=2026-12-31"

        def confirmed(text: str) -> int:
            return int(re.search(r"<td>确认违规</td><td>(\d+)（", text).group(1))

        first = client.get(url).text
        assert "统计于" in first and "北京时间" in first and "5.0 分钟内再次打开" in first
        with open_store(tmp_path / "firewatch.db", data_dir=tmp_path) as store:
            store.reviews.record_decision(Decision("jd", "100231", "regulator", "confirm",
                                                   at=datetime(2026, 11, 3, tzinfo=timezone.utc)))
        again = client.get(url).text
        assert confirmed(again) == confirmed(first)  # reused: the same count, the same time shown
        assert re.search(r"统计于 [^；]+", again).group(0) == re.search(r"统计于 [^；]+", first).group(0)
        xlsx = client.get(url.replace("/campaign?", "/campaign.xlsx?"))
        overview = {r[0]: r[1] for r in load_workbook(io.BytesIO(xlsx.content))["总览"].iter_rows(values_only=True) if r[0]}
        assert overview["确认违规"].startswith(f"{confirmed(first) + 1}（")  # the download counts afresh
        other = client.get(url + "&platform=jd").text  # another platform is counted on its own
        assert confirmed(other) >= 1
        for key, (at, context) in list(app.state.campaign_pages.items()):  # five minutes pass
            app.state.campaign_pages[key] = (at - 301, context)
        assert confirmed(client.get(url).text) == confirmed(first) + 1
    finally:
        client.close()
        server.stop()
