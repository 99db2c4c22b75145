"""The workbench features of issue 15 in a real Chromium: the queue's 导出 Excel keeps its filters,
the audit log filters by date and exports, and an investigator closes a case with a note."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.helpers import browser_login


def test_queue_excel_download_keeps_the_filters(page, tmp_path):
    browser_login(page, "regulator")
    page.goto(page.base + "/queue?platform=taobao&state=all")
    with page.expect_download() as download:
        page.click("#queue-xlsx")
    path = tmp_path / "queue.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("queue-") and download.value.suggested_filename.endswith(".xlsx")
    ws = load_workbook(path).active
    platforms = {row[0].value for row in ws.iter_rows(min_row=2)}
    assert platforms == {"淘宝"}


def test_audit_log_filters_by_date_and_exports(page, tmp_path):
    browser_login(page, "admin")
    page.goto(page.base + "/audit")
    page.select_option("#audit-filters select[name=action]", "login")
    page.fill("#audit-filters input[name=date_from]", "2020-01-01")
    page.click("#audit-filters button[type=submit]")
    expect(page).to_have_url(page.base + "/audit?actor=&action=login&date_from=2020-01-01&date_to=")
    expect(page.locator("table.audit tr").nth(1)).to_contain_text("登录")
    with page.expect_download() as download:
        page.click("#audit-xlsx")
    path = tmp_path / "audit.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert rows and {r[4] for r in rows} == {"login"}


def test_an_investigator_closes_a_case_with_a_note(page):
    browser_login(page, "investigator")
    page.goto(page.base + "/cases")
    page.fill("#new-case input[name=title]", "浏览器结案测试")
    page.click("#new-case button[type=submit]")
    page.fill("#add-item input[name=listing]", "jd:100231")
    page.click("#add-item button[type=submit]")
    page.fill("#close-case input[name=note]", "证据已移交执法部门")
    page.click("#close-case button[type=submit]")
    expect(page.locator("#case-closed")).to_contain_text("证据已移交执法部门")
    expect(page.locator("#add-item")).to_have_count(0)
    expect(page.locator("#reopen-case")).to_have_count(0)
    expect(page.locator("table").first).to_contain_text("100231")  # the items stay, read-only
