"""Platforms read the notices they acknowledge (issue 15): each notice's letter as HTML and PDF (that
platform only), its listings paged with their real URLs, an acknowledge endpoint in the API, 已下架
counting the platform's removal reports once (a duplicate report is refused in Chinese), over the
form routes, the token API and in Chromium. The module has its own data folder and server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from playwright.sync_api import expect

from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from tests.helpers import browser_login, login_client
from tests.web.sample import build_sample

EXTRA = 57  # more listings in the big notice than fit one page (50)
PDF = b"%PDF-1.4 notice letter"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("platform-data")
    build_sample(data)
    letters = data / "exports" / "notices"
    letters.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    notices = {}
    with open_store(data / "firewatch.db") as store:
        for n in range(EXTRA):
            store.listings.upsert_listing(Listing(platform="jd", listing_id=f"9{n:04d}", url=f"https://item.jd.com/9{n:04d}.html",
                                                  title=f"批量灭火器 {n}", shop_name="批量店"))
            store.assessments.save_assessment(Assessment("jd", f"9{n:04d}", "portable_extinguisher", 0.9, 0.9, True,
                                                         [Reason("inspection_only", "年检专用", "title")]))
            store.reviews.record_decision(Decision("jd", f"9{n:04d}", "regulator", "confirm", "", now))
        for name, keys in (("small", [("jd", "100232"), ("jd", "100233")]),
                           ("big", [("jd", f"9{n:04d}") for n in range(EXTRA)]),
                           ("taobao", [("taobao", "62004")])):
            platform = keys[0][0]
            notice_id = store.notices.create_notice(platform, keys, created_by="regulator")
            (letters / f"{name}.html").write_text(f"<html><body><h1>整改通知 {name}</h1></body></html>", encoding="utf-8")
            (letters / f"{name}.pdf").write_bytes(PDF + name.encode())
            store.notices.mark_notice_sent(notice_id, sent_by="regulator", channel="email", at=now,
                                           deadline_at=now + timedelta(days=7), html_path=str(letters / f"{name}.html"),
                                           pdf_path=str(letters / f"{name}.pdf"), document_sha256="0" * 64)
            notices[name] = notice_id
        store.users.add_api_token("jd-sync", "jd", "jd-secret-token", "admin")
        store.users.add_api_token("tb-sync", "taobao", "tb-secret-token", "admin")
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})
    server = AppServer(create_app(settings))
    url = server.start()
    yield {"url": url, "data": data, "notices": notices}
    server.stop()


def _api(site, token):
    return httpx.Client(base_url=site["url"], headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_the_platform_page_links_each_notice_letter_for_that_platform_only(site):
    small = site["notices"]["small"]
    jd = login_client(site["url"], "jd_team")
    page = jd.get("/platform/jd").text
    assert f'href="/platform/jd/notices/{small}/letter.pdf"' in page
    assert f'href="/platform/jd/notices/{small}/letter.html"' in page
    html = jd.get(f"/platform/jd/notices/{small}/letter.html")
    assert html.status_code == 200 and "整改通知 small" in html.text
    assert html.headers["content-security-policy"].startswith("sandbox")
    pdf = jd.get(f"/platform/jd/notices/{small}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content == PDF + b"small"
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["content-disposition"].startswith("inline")
    download = jd.get(f"/platform/jd/notices/{small}/letter.pdf?download=1")
    assert download.headers["content-disposition"].startswith("attachment")
    taobao = login_client(site["url"], "taobao_team")
    assert taobao.get(f"/platform/jd/notices/{small}/letter.pdf").status_code == 403
    assert taobao.get(f"/platform/taobao/notices/{small}/letter.pdf").status_code == 404  # not its notice
    assert jd.get(f"/platform/jd/notices/{small}/../../firewatch.db").status_code == 404
    regulator = login_client(site["url"], "regulator")
    assert regulator.get(f"/platform/jd/notices/{small}/letter.pdf").status_code == 200  # officers read every letter


def test_a_notice_lists_its_listings_paged_with_real_urls(site):
    big = site["notices"]["big"]
    jd = login_client(site["url"], "jd_team")
    first = jd.get(f"/platform/jd/notices/{big}").text
    urls = re.findall(r'class="real-url" href="([^"]+)"', first)
    assert len(urls) == 50 and urls[0] == "https://item.jd.com/90000.html"
    after = re.search(r'id="next-page" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = jd.get(after).text
    rest = re.findall(r'class="real-url" href="([^"]+)"', second)
    assert len(rest) == EXTRA - 50 and not set(rest) & set(urls) and 'id="next-page"' not in second
    api = _api(site, "jd-secret-token")
    got, after = [], ""
    while True:
        answer = api.get(f"/api/v1/platforms/jd/notices/{big}/items", params={"limit": 20, "after": after}).json()
        got += [i["url"] for i in answer["items"]]
        if answer["next"] is None:
            break
        after = answer["next"]
    assert got == [f"https://item.jd.com/9{n:04d}.html" for n in range(EXTRA)]
    assert _api(site, "tb-secret-token").get(f"/api/v1/platforms/jd/notices/{big}/items").status_code == 403


def test_removal_reports_count_once_and_a_duplicate_is_refused_in_chinese(site):
    small = site["notices"]["small"]
    jd = login_client(site["url"], "jd_team")

    def removed_count() -> str:
        page = jd.get("/platform/jd").text
        row = re.search(rf'<tr data-notice="{small}">.*?</tr>', page, re.S).group(0)
        return re.search(r'class="num removed-count">(\d+)', row).group(1)

    assert removed_count() == "0"
    first = jd.post("/platform/jd/removed", data={"listing_id": "100232", "csrf_token": jd.csrf})
    assert first.status_code == 303
    assert removed_count() == "1"
    again = jd.post("/platform/jd/removed", data={"listing_id": "100232", "csrf_token": jd.csrf})
    assert again.status_code == 409 and "已报告下架，不能重复报告" in again.text
    api = _api(site, "jd-secret-token")
    repeat = api.post("/api/v1/platforms/jd/removals", json={"listing_id": "100232"})
    assert repeat.status_code == 409 and "不能重复报告" in repeat.json()["error"]
    assert removed_count() == "1"
    made = api.post("/api/v1/platforms/jd/removals", json={"listing_id": "100233", "note": "已删除"})
    assert made.status_code == 201
    assert removed_count() == "2"
    listed = api.get("/api/v1/platforms/jd/notices").json()["notices"]
    counts = next(n["counts"] for n in listed if n["id"] == small)
    assert counts == {"items": 2, "removed": 2, "reported": 2, "verified": 0}
    with open_store(site["data"] / "firewatch.db") as store:
        reports = store.users.audit_entries(subject="jd:100232")
    assert len([r for r in reports if r["action"] == "report_removed"]) == 1


def test_the_api_acknowledges_a_notice_once(site):
    notice_id = site["notices"]["taobao"]
    regulator = login_client(site["url"], "regulator")
    refused = regulator.post(f"/api/v1/platforms/taobao/notices/{notice_id}/acknowledge", json={},
                             headers={"X-CSRF-Token": regulator.csrf})
    assert refused.status_code == 403
    assert _api(site, "jd-secret-token").post(f"/api/v1/platforms/taobao/notices/{notice_id}/acknowledge").status_code == 403
    api = _api(site, "tb-secret-token")
    ack = api.post(f"/api/v1/platforms/taobao/notices/{notice_id}/acknowledge", json={"note": "已安排下架"})
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == "token:tb-sync"
    again = api.post(f"/api/v1/platforms/taobao/notices/{notice_id}/acknowledge")
    assert again.status_code == 409 and "已于" in again.json()["error"] and "北京时间" in again.json()["error"]
    listed = api.get("/api/v1/platforms/taobao/notices").json()["notices"][0]
    assert listed["status"] == "acknowledged" and listed["pdf_url"] == f"/platform/taobao/notices/{notice_id}/letter.pdf"
    assert api.get(listed["pdf_url"]).content == PDF + b"taobao"  # the token reads its letter too
    spec = httpx.get(site["url"] + "/openapi.json").json()["paths"]
    assert "/api/v1/platforms/{platform}/notices/{notice_id}/acknowledge" in spec
    assert "/api/v1/platforms/{platform}/notices/{notice_id}/items" in spec


def test_a_platform_user_reads_acknowledges_and_reports_in_chromium(site, browser):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = site["url"]
    try:
        browser_login(page, "jd_team")
        big = site["notices"]["big"]
        row = page.locator(f"tr[data-notice='{big}']")
        expect(row.locator("a.letter-pdf")).to_have_attribute("href", f"/platform/jd/notices/{big}/letter.pdf")
        assert page.request.get(page.base + f"/platform/jd/notices/{big}/letter.pdf").body() == PDF + b"big"
        row.get_by_text("商品清单").click()
        expect(page.locator("h1")).to_contain_text(f"下架通知 #{big}")
        expect(page.locator("a.real-url").first).to_have_attribute("href", "https://item.jd.com/90000.html")
        expect(page.locator("table.notice-items tbody tr")).to_have_count(50)
        page.fill("#ack-notice input[name=note]", "收到，处理中")
        page.click("#ack-notice button")
        expect(page.locator(".notice-facts")).to_contain_text("确认收到")
        expect(page.locator("#ack-notice")).to_have_count(0)
        item = page.locator("tr[data-key='jd:90001']")
        item.locator("button").click()
        expect(page).to_have_url(re.compile(rf"/platform/jd/notices/{big}$"))
        expect(page.locator("tr[data-key='jd:90001']")).to_contain_text("已报告")
        expect(page.locator(".removed-count")).to_contain_text("1")
        page.click("p.crumbs a")
        expect(page.locator(f"tr[data-notice='{big}'] .removed-count")).to_contain_text("1")
        expect(page.locator(f"tr[data-notice='{big}']")).to_contain_text("平台已确认收到")
    finally:
        context.close()


def test_older_notices_page_by_id_and_takedown_rows_link_the_real_url(site):
    with open_store(site["data"] / "firewatch.db") as store:
        now = datetime.now(timezone.utc)
        made = []
        for _ in range(21):
            notice_id = store.notices.create_notice("jd", [("jd", "100232")], created_by="regulator")
            store.notices.mark_notice_sent(notice_id, sent_by="regulator", channel="email", at=now,
                                           deadline_at=now + timedelta(days=7), html_path="", pdf_path="",
                                           document_sha256="0" * 64)
            made.append(notice_id)
    jd = login_client(site["url"], "jd_team")
    first = jd.get("/platform/jd").text
    shown = [int(n) for n in re.findall(r'<tr data-notice="(\d+)">', first)]
    assert shown == sorted(made, reverse=True)[:20]
    older = re.search(r'id="older-notices" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    rest = [int(n) for n in re.findall(r'<tr data-notice="(\d+)">', jd.get(older).text)]
    assert rest and max(rest) < min(shown) and made[0] in rest
    assert 'class="real-url" href="https://item.example.com/jd/100232.html"' in first
    assert jd.get("/platform/jd?notices_before=0").status_code == 400  # a bad position: a clear error
