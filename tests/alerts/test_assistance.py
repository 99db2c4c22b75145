"""Enforcement-assistance requests (执法协查) against a real store, real files and real Chromium.

A request renders its letter to PDF with Chinese text and writes the XLSX reply template with
prefilled rows; the template, filled by openpyxl with its columns shuffled and a title row added,
imports through `firewatch assist import` (once: the same file again adds nothing); a reply with a
bad credit code or an unknown listing names its rows and changes nothing; an evidence pack carries
the listing's provenance.json and assistance.json (no personal contact data) and still verifies.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from alerts.assist_fields import FIELDS, credit_code_problem
from alerts.assistance import reply_template
from alerts.evidence_pack import verify_pack
from alerts.notices import NoticeConfig
from firewatch.core.settings import load_settings
from firewatch.store import open_store
from firewatch.store.assist import AssistRequest
from tests.alerts.test_evidence_pack import pdf_unicode
from tests.web.sample import build_sample

GOOD_CODE = "91350100M000100Y43"  # check digit valid (GB 32100-2015)
HEADERS = [f.header for f in FIELDS]
PHONE = "13800138000"


def request_paths(stdout: str) -> tuple[Path, Path]:
    pdf = re.search(r"PDF\s+(\S+\.pdf)", stdout).group(1)
    xlsx = re.search(r"XLSX\s+(\S+\.xlsx)", stdout).group(1)
    return Path(pdf), Path(xlsx)


def template_rows(xlsx: Path) -> tuple[str, list[dict[str, str]]]:
    """(title cell, data rows as {header: value}) of a reply template."""
    ws = load_workbook(xlsx).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows[1]
    return rows[0][0], [dict(zip(header, r)) for r in rows[2:] if any(r)]


def fill_reply(template: Path, out: Path, answers: dict[str, dict[str, object]], extra: list[dict] = (),
               seed: int = 7) -> Path:
    """The template filled the way a platform might: columns shuffled, a title row of its own, the
    answers per 平台商品编号 laid over the prefilled cells, further rows appended."""
    _, rows = template_rows(template)
    filled = []
    for row in rows:
        row = dict(row)
        row.update(answers.get(str(row["平台商品编号"]), {}))
        filled.append(row)
    filled.extend(extra)
    columns = list(HEADERS)
    random.Random(seed).shuffle(columns)
    wb = Workbook()
    ws = wb.active
    ws.append(["某平台 执法协查数据回复（平台填报）"])
    ws.append([])
    ws.append(columns)
    for row in filled:
        ws.append([row.get(c) for c in columns])
    wb.save(out)
    return out


@pytest.fixture()
def data(tmp_path) -> Path:
    build_sample(tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture()
def settings(data):
    return load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})


def test_credit_code_check_digit():
    assert credit_code_problem(GOOD_CODE) == ""
    assert credit_code_problem("91440300708461136T") == ""
    assert "校验位" in credit_code_problem("91350100M000100Y44")
    assert "18 位" in credit_code_problem("9135010")
    assert "I、O、S、V、Z" in credit_code_problem("91350100M00010OY43")


@pytest.mark.timeout(180)
def test_request_renders_chinese_pdf_and_prefilled_template(data, run_firewatch, chromium):
    result = run_firewatch("assist", "request", "--platform", "jd", "--deadline-days", "10", "--by", "王科长",
                           "jd:100231", "https://item.jd.com/100232.html", data_dir=data)
    assert result.returncode == 0, result.stdout + result.stderr
    pdf_path, xlsx_path = request_paths(result.stdout)
    assert pdf_path.is_relative_to(data / "exports" / "assist") and xlsx_path.parent == pdf_path.parent
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and (b"NotoSansCJK" in pdf or b"NotoSerifCJK" in pdf)
    text = pdf_unicode(pdf)
    assert set("网络交易执法协查函暂行办法统一社会信用代码北京时间") <= set(text)
    title, rows = template_rows(xlsx_path)
    assert "〔" in title and "协查第1号" in title and "北京时间" in title
    assert [r["平台商品编号"] for r in rows] == ["100231", "100232"]
    assert [r["商品链接"] for r in rows] == ["https://item.jd.com/100231.html", "https://item.jd.com/100232.html"]
    assert {r["店铺名称"] for r in rows} == {"安盾消防专营店"} and all(r["协查编号"].endswith("协查第1号") for r in rows)
    assert all(r["统一社会信用代码"] is None for r in rows)
    header = [c.value for c in load_workbook(xlsx_path).worksheets[0][2]]
    assert header == HEADERS
    with open_store(data / "firewatch.db") as store:
        request = store.assist.get_request(1)
    assert request.listing_keys == [("jd", "100231"), ("jd", "100232")] and request.created_by == "王科长"
    assert (request.deadline_at - request.created_at).days == 10
    assert data / request.pdf_path == pdf_path and len(request.document_sha256) == 64
    listed = run_firewatch("assist", "list", data_dir=data)
    assert listed.returncode == 0 and "协查第1号" in listed.stdout


def test_request_refuses_unknown_or_foreign_listing(data, run_firewatch):
    unknown = run_firewatch("assist", "request", "--platform", "jd", "jd:999", data_dir=data)
    foreign = run_firewatch("assist", "request", "--platform", "jd", "taobao:62001", data_dir=data)
    not_item = run_firewatch("assist", "request", "--platform", "jd", "https://example.com/x.html", data_dir=data)
    assert (unknown.returncode, foreign.returncode, not_item.returncode) == (65, 65, 65)
    assert "jd:999" in unknown.stderr and "taobao:62001" in foreign.stderr
    with open_store(data / "firewatch.db") as store:
        assert store.assist.requests() == []


def _make_request(settings, chromium, refs=("jd:100231", "jd:100232")):
    from firewatch.services.assistance import request_assistance

    with open_store(settings.store_path) as store:
        request = request_assistance(settings, store, "jd", list(refs), created_by="wang")
    return request, settings.data_dir / request.xlsx_path


ANSWERS = {"100231": {"经营者登记名称": "<script>alert(1)</script>安盾消防器材有限公司", "统一社会信用代码": GOOD_CODE,
                      "经营地址": "浙江省杭州市某区某路1号", "联系人": "张三", "联系电话": PHONE, "销售数量": 1200,
                      "销售额": "15,000.50", "销售起止日期": "2025-01-01至2026-11-30", "库存数量": 300,
                      "发货地": "浙江杭州", "承运商": "某快递", "物流单号": "SF100200300", "退货数量": 3}}


@pytest.mark.timeout(180)
def test_filled_reply_imports_once_with_sources(settings, data, run_firewatch, chromium, tmp_path):
    request, template = _make_request(settings, chromium)
    reply = fill_reply(template, tmp_path / "reply.xlsx", ANSWERS)
    first = run_firewatch("assist", "import", str(reply), data_dir=data)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "imported 1" in first.stdout and "1 行未填写" in first.stdout  # 100232 was left blank
    again = run_firewatch("assist", "import", str(reply), data_dir=data)
    assert again.returncode == 0 and "already imported" in again.stdout
    with open_store(data / "firewatch.db") as store:
        assert store.assist.reply_count() == 1
        (got,) = store.assist.replies_for(("jd", "100231"))
        sources = [s for s in store.sources.sources_of(("jd", "100231")) if s.kind == "assist"]
        shop = store.assist.replies_for_shop("jd", got.shop_id, got.shop_name)
    assert got.credit_code == GOOD_CODE and got.request_id == request.id and got.request_number == request.number
    assert got.fields["sales_quantity"] == 1200 and got.fields["sales_amount"] == "15000.50"
    assert got.fields["sales_from"] == "2025-01-01" and got.fields["stock_quantity"] == 300
    assert got.fields["contact_phone"] == PHONE  # kept in the store for officers
    assert got.file_row == 4  # title row, blank row, header, then the first data row
    (source,) = sources
    assert source.name == "jd" and source.ref == f"{got.file_sha256}:4"
    assert source.detail == {"request_number": request.number, "file": "reply.xlsx", "row": 4,
                             "seller": {"operator": ANSWERS["100231"]["经营者登记名称"], "credit_code": GOOD_CODE}}
    assert [r.listing_id for r in shop] == ["100231"]


@pytest.mark.timeout(180)
def test_bad_rows_are_named_and_nothing_changes(settings, data, run_firewatch, chromium, tmp_path):
    _make_request(settings, chromium)
    bad = {"100231": {"经营者登记名称": "某公司", "统一社会信用代码": "91350100M000100Y44"},
           "100232": {"经营者登记名称": "某公司", "统一社会信用代码": GOOD_CODE, "销售数量": "很多"}}
    unknown = {"平台商品编号": "5550001", "商品链接": "https://item.jd.com/5550001.html", "经营者登记名称": "别的公司",
               "统一社会信用代码": GOOD_CODE}
    reply = fill_reply(settings.data_dir / "exports" / "assist" / "assist-jd-00001-reply.xlsx", tmp_path / "bad.xlsx",
                       bad, extra=[unknown])
    result = run_firewatch("assist", "import", str(reply), data_dir=data)
    assert result.returncode == 65, result.stdout + result.stderr
    message = result.stderr
    assert "row 4" in message and "校验位" in message
    assert "row 5" in message and "销售数量" in message
    assert "row 6" in message and "jd:5550001" in message and "未知商品" in message
    with open_store(data / "firewatch.db") as store:
        assert store.assist.reply_count() == 0
        assert not [s for s in store.sources.sources_of(("jd", "100231")) if s.kind == "assist"]
        assert store.sources.imported_file("assist_reply", "0" * 64) is None
    not_a_reply = tmp_path / "other.csv"
    not_a_reply.write_text("名称,地址\n甲,乙\n", encoding="utf-8")
    assert run_firewatch("assist", "import", str(not_a_reply), data_dir=data).returncode == 65


@pytest.mark.timeout(180)
def test_gbk_csv_reply_without_request_number(settings, data, run_firewatch, chromium, tmp_path):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["京东 协查数据"])
    writer.writerow(["统一社会信用代码", "经营者登记名称", "平台商品编号", "库存数量"])
    writer.writerow([GOOD_CODE, "海湾安防有限公司", "100234", "12"])
    path = tmp_path / "reply.csv"
    path.write_bytes(buf.getvalue().encode("gbk"))
    no_platform = run_firewatch("assist", "import", str(path), data_dir=data)
    assert no_platform.returncode == 65 and "row 3" in no_platform.stderr
    ok = run_firewatch("assist", "import", "--platform", "jd", str(path), data_dir=data)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    with open_store(data / "firewatch.db") as store:
        (reply,) = store.assist.replies_for(("jd", "100234"))
    assert reply.request_id is None and reply.operator_name == "海湾安防有限公司" and reply.fields["stock_quantity"] == 12


@pytest.mark.timeout(240)
def test_evidence_pack_carries_provenance_and_assistance(settings, data, run_firewatch, chromium, tmp_path):
    from firewatch.core.models import Source
    from firewatch.services.evidence import export_evidence_pack

    _, template = _make_request(settings, chromium)
    reply = fill_reply(template, tmp_path / "reply.xlsx", ANSWERS)
    assert run_firewatch("assist", "import", str(reply), data_dir=data).returncode == 0
    with open_store(settings.store_path) as store:
        store.sources.record(("jd", "100231"), Source("crawl", "jd", "", {"run": 7}))
        out = tmp_path / "pack.zip"
        export_evidence_pack(settings, store, [("jd", "100231")], out, operator="li")
    assert verify_pack(out) == []
    with zipfile.ZipFile(out) as zf:
        provenance = json.loads(zf.read("jd_100231/provenance.json"))
        assistance = json.loads(zf.read("jd_100231/assistance.json"))
        everything = b"".join(zf.read(n) for n in zf.namelist() if not n.endswith((".png", ".pdf")))
        html = zf.read("report.html").decode()
    kinds = {(p["kind"], p["name"]) for p in provenance}
    assert ("crawl", "jd") in kinds and ("assist", "jd") in kinds
    crawl = next(p for p in provenance if p["kind"] == "crawl")
    assert crawl["detail"] == {"run": 7} and crawl["first_seen"].endswith("+00:00")
    assert crawl["first_seen_beijing"].endswith("北京时间")
    (record,) = assistance
    assert record["credit_code"] == GOOD_CODE and record["fields"]["sales_quantity"] == 1200
    assert "contact_phone" not in record["fields"] and "tracking_numbers" not in record["fields"]
    assert set(record["omitted_personal_fields"]) == {"contact_person", "contact_phone", "tracking_numbers"}
    assert PHONE.encode() not in everything and "张三".encode() not in everything
    assert GOOD_CODE in html and "执法协查回复" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    verified = run_firewatch("verify", str(out), data_dir=data)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_reply_template_survives_control_characters_in_seller_text():
    """A shop name with a control character (which XLSX cannot hold) still gives a template."""
    at = datetime(2026, 12, 1, tzinfo=timezone.utc)
    request = AssistRequest(1, "〔2026〕协查第1号", "jd", at, "regulator", at, [("jd", "1")])
    rows = [{"platform": "jd", "listing_id": "1", "url": "https://item.jd.com/1.html", "title": "灭火器\x0b4kg",
             "shop_name": "某店\x0b旗舰", "shop_id": "9"}]
    book = load_workbook(io.BytesIO(reply_template(request, rows, NoticeConfig())))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("某店") and "旗舰" in v and "\x0b" not in v for v in cells)
