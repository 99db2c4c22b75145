"""Every CSV and XLSX the web app hands out goes through one neutraliser (`firewatch.core.cells`):
seller text starting with a formula sign behind any space (U+3000, no-break, zero-width, BOM) or
with `|`, `%`, `@`, `+`, `-` never runs as a formula in the search CSV and Excel, the queue export,
the takedown list and the audit export; the queue and search Excel exports follow their filters and
stop at their row limit with a note. Real HTTP against an app of this module (tests/web/workbench.py)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from firewatch.core.cells import csv_cell, looks_like_formula
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from tests.helpers import login_client
from tests.web.workbench import own_app

SNEAKY = ["\u3000=1+1", "\xa0=cmd|' /C calc'!A0", "|calc", "\ufeff+1", "\u200b-2", "%0A=1", "@SUM(1)",
          "  =HYPERLINK(\"http://evil\")", "\t=1", "\u2003\u3000@x"]
MARK = "公式测试灭火器"


def hostile_listings():
    out = []
    for i, text in enumerate(SNEAKY):
        listing = Listing(platform="jd", listing_id=f"99{i:03d}", url=f"https://item.jd.com/99{i:03d}.html",
                          title=f"{text} {MARK} {i}", price=Decimal("9.90"), shop_id=text, shop_name=text)
        out.append((listing, Assessment("jd", listing.listing_id, "portable_extinguisher", 0.9, 0.999 - i / 1000, True,
                                        [Reason("inspection_only", text, "title")])))
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url, data, server = own_app(tmp_path_factory.mktemp("exports"), extra=hostile_listings())
    with open_store(data / "firewatch.db") as store:
        for listing, _ in hostile_listings():
            store.reviews.record_decision(Decision("jd", listing.listing_id, "regulator", "confirm", listing.shop_name))
        for text in SNEAKY:
            store.users.audit("regulator", "decision", text, {"note": text, "verdict": "confirm"}, "127.0.0.1")
    yield url, data
    server.stop()


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _assert_inert_xlsx(ws, columns: list[str]) -> int:
    headers = [c.value for c in ws[1]]
    checked = 0
    for name in columns:
        col = headers.index(name) + 1
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row=row, column=col)
            if isinstance(cell.value, str) and looks_like_formula(cell.value):
                assert cell.data_type == "s" and cell.quotePrefix, (name, cell.value)
                checked += 1
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    return checked


def _assert_inert_csv(data: bytes, columns: list[str]) -> int:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    checked = 0
    for row in rows:
        for name in columns:
            value = row.get(name) or ""
            assert not looks_like_formula(value) or value.startswith("'"), (name, value)
            checked += value.startswith("'")
    return checked


@pytest.mark.parametrize("text", SNEAKY)
def test_the_neutraliser_catches_every_prefix(text):
    assert looks_like_formula(text) and csv_cell(text) == "'" + text
    assert not looks_like_formula("干粉灭火器 =4kg") and csv_cell(12) == 12


def test_search_csv_and_excel_are_inert(app):
    url, _ = app
    analyst = login_client(url, "analyst")
    csv_data = analyst.get("/search.csv", params={"q": MARK}).content
    assert _assert_inert_csv(csv_data, ["标题", "店铺"]) >= 2 * len(SNEAKY)
    xlsx = analyst.get("/search.xlsx", params={"q": MARK})
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = _sheet(xlsx.content)
    assert ws.max_row == len(SNEAKY) + 1
    assert _assert_inert_xlsx(ws, ["商品标题", "店铺名称"]) == 2 * len(SNEAKY)


def test_queue_excel_follows_the_filters_and_is_inert(app):
    url, data = app
    reg = login_client(url, "regulator")
    ws = _sheet(reg.get("/queue.xlsx", params={"state": "decided", "platform": "jd"}).content)
    headers = [c.value for c in ws[1]]
    titles = [ws.cell(row=r, column=headers.index("商品标题") + 1).value for r in range(2, ws.max_row + 1)]
    assert sum(MARK in t for t in titles) == len(SNEAKY)
    assert {ws.cell(row=r, column=headers.index("平台") + 1).value for r in range(2, ws.max_row + 1)} == {"京东"}
    assert _assert_inert_xlsx(ws, ["商品标题", "店铺名称", "违规原因"]) >= 2 * len(SNEAKY)
    # the filters choose the rows: taobao's pending queue holds none of them
    other = _sheet(reg.get("/queue.xlsx", params={"platform": "taobao"}).content)
    assert all(MARK not in str(c.value) for row in other.iter_rows() for c in row)
    assert _assert_inert_csv(reg.get("/queue.csv", params={"state": "decided"}).content, ["商品标题", "店铺名称"]) >= 2 * len(SNEAKY)
    with open_store(data / "firewatch.db") as store:
        entry = store.users.audit_entries(action="export_queue", limit=1)[0]
    assert entry["detail"]["state"] == "decided" and entry["detail"]["format"] in ("xlsx", "csv")


def test_exports_stop_at_their_limit_with_a_note(app, monkeypatch):
    from firewatch.web.routes import exports

    monkeypatch.setattr(exports, "QUEUE_LIMIT", 3)
    url, data = app
    reg = login_client(url, "regulator")
    ws = _sheet(reg.get("/queue.xlsx", params={"state": "all"}).content)
    assert ws.max_row == 1 + 3 + 1  # header, three rows, the note
    assert "仅导出前 3 行" in ws.cell(row=5, column=1).value
    with open_store(data / "firewatch.db") as store:
        entry = store.users.audit_entries(action="export_queue", limit=1)[0]
    assert entry["detail"]["rows"] == 3 and entry["detail"]["truncated"] is True


def test_takedown_lists_are_inert(app):
    url, _ = app
    jd = login_client(url, "jd_team")
    ws = _sheet(jd.get("/platform/jd/takedown.xlsx").content)
    assert _assert_inert_xlsx(ws, ["商品标题", "店铺名称", "店铺ID", "证据摘录"]) >= 3 * len(SNEAKY)
    assert _assert_inert_csv(jd.get("/platform/jd/takedown.csv").content, ["商品标题", "店铺名称", "店铺ID"]) >= 3 * len(SNEAKY)


def test_audit_exports_are_inert(app):
    url, _ = app
    admin = login_client(url, "admin")
    ws = _sheet(admin.get("/audit.xlsx", params={"action": "decision"}).content)
    assert _assert_inert_xlsx(ws, ["对象"]) == len(SNEAKY)
    assert _assert_inert_csv(admin.get("/audit.csv", params={"action": "decision"}).content, ["对象"]) == len(SNEAKY)


def test_a_bad_export_format_is_refused(app):
    url, _ = app
    reg = login_client(url, "regulator")
    response = reg.get("/queue.pdf")
    assert response.status_code == 400 and "导出格式应为 xlsx 或 csv" in response.text
    assert httpx.get(url + "/queue.xlsx", follow_redirects=False).status_code == 303  # login first
