"""The web app in a real Chromium (Debian's, through Playwright) against a real server:
log in, triage three listings with the keyboard, a platform downloads its list, an
investigator exports an evidence pack, an analyst filters a search, and stored XSS
payloads stay inert text on every page."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from firewatch.store import open_store
from tests.builders import PAYLOADS, TRIAGE_KEYS, TRIAGE_SHOP, XSS_KEY, XSS_UNCONFIRMED
from tests.helpers import browser_login


def test_regulator_triages_three_listings_with_the_keyboard(page, web_data):
    browser_login(page, "regulator")
    expect(page).to_have_url(page.base + "/queue")
    page.goto(page.base + "/queue?shop=" + TRIAGE_SHOP)
    rows = page.locator("#queue tbody tr[data-key]")
    expect(rows).to_have_count(3)
    expect(page.locator("#queue[data-ready='1']")).to_have_count(1)
    # visible help on "?"
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_hidden()
    expect(rows.nth(0)).to_have_class("sel")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("sel")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class("sel")
    page.keyboard.press("n")
    page.keyboard.type("年检专用，确认")
    page.keyboard.press("Escape")
    page.keyboard.press("c")  # first: confirm, with the note
    expect(rows.nth(0)).to_have_class("done")
    expect(rows.nth(1)).to_have_class("sel")
    page.keyboard.press("d")  # second: dismiss
    expect(rows.nth(1)).to_have_class("done")
    page.keyboard.press("e")  # third: escalate
    expect(rows.nth(2)).to_have_class("done")
    expect(page.locator("#queue tbody tr.done")).to_have_count(3)
    with open_store(web_data / "firewatch.db") as store:
        got = [store.reviews.latest_decision(k) for k in TRIAGE_KEYS]
        assert [d.verdict for d in got] == ["confirm", "dismiss", "escalate"]
        assert got[0].note == "年检专用，确认" and all(d.reviewer == "regulator" for d in got)
    page.reload()
    expect(page.locator("#queue tbody tr[data-key]")).to_have_count(0)  # nothing pending for that shop
    assert page.dialogs == []


def test_listing_page_keys_decide_and_move_on(page, web_data):
    browser_login(page, "regulator")
    page.goto(page.base + "/listings/1688/7300003?state=all")
    expect(page.locator("#listing[data-ready='1']")).to_have_count(1)
    expect(page.locator("svg.chart")).to_have_count(1)  # price history
    with page.expect_navigation():
        page.keyboard.press("d")
    expect(page).not_to_have_url(page.base + "/listings/1688/7300003?state=all")
    with open_store(web_data / "firewatch.db") as store:
        decision = store.reviews.latest_decision(("1688", "7300003"))
    assert decision.verdict == "dismiss" and decision.reviewer == "regulator"
    expect(page.locator("#listing")).to_have_count(1)  # moved on to the next listing of the queue
    # a flagged listing shows highlighted evidence and its screenshot
    page.goto(page.base + "/listings/jd/100235")
    expect(page.locator("h1.title mark")).to_contain_text("道具灭火器 模型 展示品")
    expect(page.locator(".shot img")).to_have_js_property("complete", True)
    assert page.locator(".shot img").evaluate("img => img.naturalWidth") > 0


def test_platform_user_downloads_its_list(page, tmp_path):
    browser_login(page, "jd_team")
    expect(page).to_have_url(page.base + "/platform/jd")
    expect(page.locator("table.takedown")).to_contain_text("二手翻新 二氧化碳灭火器")
    with page.expect_download() as info:
        page.click("#download-csv")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    assert "100232" in text and "100231" not in text and "62004" not in text
    with page.expect_download() as info:
        page.click("#download-xlsx")
    xlsx = tmp_path / "list.xlsx"
    info.value.save_as(xlsx)
    from openpyxl import load_workbook

    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row]
    assert "100232" in [str(v) for v in values]
    # mark one removed
    row = page.locator("tr[data-key='jd:100233']")
    row.locator("input[name=note]").fill("已处理")
    row.locator("button").click()
    expect(page.locator("tr[data-key='jd:100233']")).to_contain_text("已报告下架")
    response = page.goto(page.base + "/platform/taobao")
    assert response.status == 403


def test_investigator_builds_a_case_and_exports_a_pack(page, tmp_path):
    browser_login(page, "investigator")
    expect(page).to_have_url(page.base + "/cases")
    page.fill("#new-case input[name=title]", "年检专用灭火器专案")
    page.click("#new-case button")
    expect(page.locator("h1")).to_contain_text("年检专用灭火器专案")
    case_url = page.url
    page.fill("#add-item input[name=listing]", "jd:100231")
    page.click("#add-item button")
    page.goto(page.base + "/listings/pdd/8800101")
    page.select_option("#case-select", label=page.locator("#case-select option", has_text="年检专用灭火器专案").first.inner_text())
    page.click("#add-to-case button")
    expect(page).to_have_url(case_url)
    expect(page.locator("tr[data-key]")).to_have_count(2)
    page.click("#export-pack button")  # runs in the background; the page shows its progress, then the link
    expect(page.locator("#pack-download")).to_be_visible(timeout=120000)
    with page.expect_download(timeout=60000) as info:
        page.click("#pack-download")
    pack = tmp_path / info.value.suggested_filename
    info.value.save_as(pack)
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
    assert "jd_100231/screenshot.png" in names and "pdd_8800101/screenshot.png" in names
    assert "custody.jsonl" in names
    from alerts.evidence_pack import verify_pack

    assert verify_pack(pack) == []
    page.goto(case_url)
    expect(page.locator("table.custody tr")).not_to_have_count(1)
    expect(page.locator("table.custody")).to_contain_text("packed")


def test_analyst_filters_a_search(page, tmp_path):
    browser_login(page, "analyst")
    expect(page).to_have_url(page.base + "/search")
    page.fill("#search-form input[name=q]", "灭火器")
    page.click("#search-form button[type=submit]")
    results = page.locator("table.results tbody tr[data-key]")
    expect(results.first).to_be_visible()
    total = results.count()
    page.click("ul.facet[data-facet=platform] a[data-value=pdd]")
    expect(page.locator("ul.facet[data-facet=platform] li.on")).to_have_count(1)
    keys = [results.nth(i).get_attribute("data-key") for i in range(results.count())]
    assert keys and all(k.startswith("pdd:") for k in keys) and len(keys) < total
    page.select_option("#flagged", "1")
    page.click("#search-form button[type=submit]")
    expect(page.locator("table.results tbody tr[data-key]").first).to_be_visible()
    assert "flagged=1" in page.url and "platform=pdd" in page.url
    with page.expect_download() as info:
        page.click("#search-csv")
    path = tmp_path / "search.csv"
    info.value.save_as(path)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert len(lines) - 1 == page.locator("table.results tbody tr[data-key]").count()
    assert all(",pdd," in line or line.startswith("pdd,") for line in lines[1:])
    page.goto(page.base + "/trends")
    # the category and platform charts; the review section loads its own chart later (test_review_trends_page)
    expect(page.locator("section:not(#review-trends) > svg.chart")).to_have_count(2)


def test_stored_xss_is_inert_on_every_page(page, web_data):
    browser_login(page, "admin")
    with open_store(web_data / "firewatch.db") as store:
        case_id = store.reviews.create_case(f"案件 {PAYLOADS[0]}", "admin")
        store.reviews.add_case_item(case_id, XSS_KEY, "admin")
    pages = [f"/listings/{XSS_KEY[0]}/{XSS_KEY[1]}", f"/listings/{XSS_UNCONFIRMED[0]}/{XSS_UNCONFIRMED[1]}",
             "/queue?shop=恶意店铺", "/queue?state=all&platform=jd", "/platform/jd", f"/cases/{case_id}", "/cases",
             "/search?q=年检专用灭火器", "/search?shop=" + f"恶意店铺{PAYLOADS[2]}", "/trends", "/audit"]
    for path in pages:
        page.goto(page.base + path)
        body = page.locator("body").inner_text()
        assert page.locator("img[onerror], [onload], script:not([src])").count() == 0, path
        scripts = [page.locator("script").nth(i).get_attribute("src") for i in range(page.locator("script").count())]
        assert scripts and set(scripts) <= {"/static/app.js", "/static/case.js"}, (path, scripts)  # our files only
        assert page.locator("a[href^='javascript:']").count() == 0, path
        if path.startswith("/listings/") or "shop=" in path or path.startswith("/cases"):
            assert any(p in body for p in PAYLOADS), (path, body[:300])
    page.goto(page.base + f"/listings/{XSS_KEY[0]}/{XSS_KEY[1]}")
    body = page.locator("body").inner_text()
    for payload in PAYLOADS:
        assert payload in body  # shown as text
    marked = page.locator(".description mark").filter(has_text="onerror")
    expect(marked).to_have_text(PAYLOADS[0])  # the matched evidence is highlighted, still as text
    assert page.dialogs == [], page.dialogs
    assert page.blocked == [], page.blocked  # nothing tried to reach another host


def test_shortcut_letters_typed_into_a_note_are_only_text(page, web_data):
    browser_login(page, "regulator")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(page.base + "/queue")
    expect(page.locator("#queue[data-ready='1']")).to_have_count(1)
    first = page.locator("#queue tbody tr[data-key]").first
    key = tuple(first.get_attribute("data-key").split(":", 1))
    with open_store(web_data / "firewatch.db") as store:
        before = len(store.reviews.decisions(key))
    page.click("#triage-note")
    page.keyboard.type("check dedup jk o?")
    page.keyboard.press("Enter")
    expect(page.locator("#triage-note")).to_have_value("check dedup jk o?")
    expect(page.locator("#queue tbody tr.done")).to_have_count(0)
    expect(page.locator("#help")).to_be_hidden()
    expect(page).to_have_url(page.base + "/queue")
    assert first.get_attribute("data-busy") is None
    # the listing page's note box, likewise
    page.goto(page.base + f"/listings/{key[0]}/{key[1]}?state=all")
    expect(page.locator("#listing[data-ready='1']")).to_have_count(1)
    url = page.url
    page.click("#decision-note")
    page.keyboard.type("cde ujk n?")
    expect(page.locator("#decision-note")).to_have_value("cde ujk n?")
    expect(page.locator("#help")).to_be_hidden()
    assert page.url == url and posts == []
    with open_store(web_data / "firewatch.db") as store:
        assert len(store.reviews.decisions(key)) == before
