"""Takedown lists from a real SQLite store: confirmed only, one platform each, safe spreadsheets."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from alerts.takedown import takedown_rows, write_takedown
from firewatch.core.models import Artefact, Assessment, Decision, Evidence, Listing, Reason
from firewatch.store import open_store
from tests.helpers import store_env

HOSTILE = '=HYPERLINK("http://evil.example","点我")'
T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    rows = (("jd", "1", HOSTILE, "confirm"), ("jd", "2", "<script>alert(1)</script>灭火器", "confirm"),
            ("jd", "3", "干粉灭火器 4kg", "dismiss"), ("jd", "4", "呼吸器", None), ("taobao", "5", "灭火毯", "confirm"))
    for platform, lid, title, verdict in rows:
        s.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"https://item.example/{lid}",
                                 title=title, price=Decimal("9.90"), shop_name="-1+1 消防专营店"))
        s.assessments.save_assessment(Assessment(platform=platform, listing_id=lid, category="portable_extinguisher",
                                     category_confidence=0.9, risk_score=0.9, flagged=True,
                                     reasons=[Reason("inspection_only", "年检专用"), Reason("price_too_low", "9.90")]))
        if verdict:
            s.reviews.record_decision(Decision(platform, lid, "alice", verdict, at=T0))
    s.evidence.save_evidence(Evidence(platform="jd", listing_id="1", captured_at=T0, url="https://item.example/1",
                             final_url="https://item.example/1", http_status=200, server_ip="127.0.0.1",
                             user_agent="ua", browser_version="156", directory="/nowhere",
                             artefacts=[Artefact("screenshot.png", "a" * 64, "image/png", 10)],
                             manifest_sha256="b" * 64))
    yield s
    s.close()


def test_confirmed_only_and_one_platform(store):
    rows = takedown_rows(store, "jd")
    assert {r["listing_id"] for r in rows} == {"1", "2"}
    assert {r["platform"] for r in rows} == {"jd"}
    row = next(r for r in rows if r["listing_id"] == "1")
    assert row["screenshot_sha256"] == "a" * 64 and row["capture_manifest_sha256"] == "b" * 64
    assert row["captured_at"].startswith("2026-11-01") and row["reviewer"] == "alice"
    assert "以应付检查为目的销售" in row["reason_names"] and row["reasons"] == "inspection_only price_too_low"
    assert row["review_status"] == "确认违规" and "年检专用" in row["evidence"]
    unconfirmed = {r["listing_id"]: r for r in takedown_rows(store, "jd", include_unconfirmed=True)}
    assert set(unconfirmed) == {"1", "2", "4"}  # the dismissed one never goes to a platform
    assert unconfirmed["4"]["review_status"] == "未复核" and not unconfirmed["4"]["confirmed"]
    assert [r["listing_id"] for r in takedown_rows(store, "taobao")] == ["5"]
    assert takedown_rows(store, "pdd") == []
    with pytest.raises(ValueError):
        takedown_rows(store, "ebay")


def test_xlsx_headers_links_frozen_and_inert_formulas(store, tmp_path):
    path = write_takedown(takedown_rows(store, "jd"), tmp_path / "jd.xlsx", "xlsx")
    ws = load_workbook(path).active
    headers = [c.value for c in ws[1]]
    assert {"商品链接", "店铺名称", "违规原因", "取证时间(北京时间)", "截图SHA-256", "复核人"} <= set(headers)
    assert ws.freeze_panes == "A2"
    url_col = headers.index("商品链接") + 1
    title_col = headers.index("商品标题") + 1
    shop_col = headers.index("店铺名称") + 1
    for r in (2, 3):
        cell = ws.cell(row=r, column=url_col)
        assert cell.hyperlink is not None and cell.hyperlink.target == cell.value
        assert cell.value.startswith("https://item.example/")
    titles = {ws.cell(row=r, column=title_col).value: ws.cell(row=r, column=title_col) for r in (2, 3)}
    hostile = titles[HOSTILE]  # kept exactly as the seller wrote it ...
    assert hostile.data_type == "s" and hostile.quotePrefix  # ... and never a formula
    assert ws.cell(row=2, column=shop_col).data_type == "s"
    assert ws.column_dimensions["C"].width >= 40
    # no cell of the sheet is a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_csv_and_json(store, tmp_path):
    rows = takedown_rows(store, "jd")
    path = write_takedown(rows, tmp_path / "jd.csv", "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    read = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    titles = {r["商品标题"] for r in read}
    assert "'" + HOSTILE in titles and HOSTILE not in titles
    assert all(r["店铺名称"].startswith("'-1+1") for r in read)
    assert {r["平台"] for r in read} == {"jd"}
    data = json.loads(write_takedown(rows, tmp_path / "jd.json", "json").read_text(encoding="utf-8"))
    assert {d["title"] for d in data} == {HOSTILE, "<script>alert(1)</script>灭火器"}  # JSON keeps text as is
    with pytest.raises(ValueError):
        write_takedown(rows, tmp_path / "x.pdf", "pdf")


def test_cli_export_takedown_xlsx(store, store_url, tmp_path, run_firewatch):
    data = tmp_path / "data"
    data.mkdir()
    store.close()
    out = tmp_path / "tb.xlsx"
    result = run_firewatch("export", "takedown", "--platform", "taobao", "--format", "xlsx", "--out", str(out),
                           data_dir=data, env=store_env(store_url))
    assert result.returncode == 0, result.stderr
    ws = load_workbook(out).active
    assert ws.max_row == 2 and ws.cell(row=2, column=1).value == "taobao"


SNEAKY = ["\u3000=1+1", "\xa0=cmd|' /C calc'!A0", "\x0b@SUM(1)", "\ufeff+1", "\u200b-2", "|calc", "%0A=1",
          "  =HYPERLINK(\"http://evil\")"]


def test_every_seller_field_is_inert_whatever_precedes_the_formula(tmp_path):
    """Title, shop name, shop id and evidence text, each starting with a formula behind some
    kind of space, or holding characters XML cannot carry: CSV cells get the apostrophe, the
    XLSX is written at all and its cells are quoted strings."""
    s = open_store(tmp_path / "s.db")
    for i, text in enumerate(SNEAKY):
        lid = str(100 + i)
        s.listings.upsert_listing(Listing(platform="jd", listing_id=lid, url=f"https://item.example/{lid}",
                                 title=text + "\x1b\x07灭火器", shop_name=text, shop_id=text))
        s.assessments.save_assessment(Assessment(platform="jd", listing_id=lid, category="portable_extinguisher",
                                     category_confidence=0.9, risk_score=0.9, flagged=True,
                                     reasons=[Reason("inspection_only", text)]))
        s.reviews.record_decision(Decision("jd", lid, "alice", "confirm", at=T0))
    rows = takedown_rows(s, "jd")
    s.close()
    assert len(rows) == len(SNEAKY)
    path = write_takedown(rows, tmp_path / "jd.csv", "csv")
    read = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    for r in read:
        for column in ("商品标题", "店铺名称", "店铺ID"):
            assert r[column].startswith("'"), (column, r[column])
    xlsx = write_takedown(rows, tmp_path / "jd.xlsx", "xlsx")
    ws = load_workbook(xlsx).active
    headers = [c.value for c in ws[1]]
    for column in ("商品标题", "店铺名称", "店铺ID"):
        col = headers.index(column) + 1
        for r in range(2, len(SNEAKY) + 2):
            cell = ws.cell(row=r, column=col)
            assert cell.data_type == "s" and cell.quotePrefix, (column, cell.value)
    titles = [ws.cell(row=r, column=headers.index("商品标题") + 1).value for r in range(2, len(SNEAKY) + 2)]
    assert all(t.endswith("\ufffd\ufffd灭火器") for t in titles), titles
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
