"""Issue 16, data sharing: penalty decisions recorded against a case's subjects (checked before
anything is written, document numbers unique, on both engines) and exported for credit-information
sharing as CSV, XLSX and JSON in the documented columns, read back from the files."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.exceptions import DuplicateDocument, InvalidRecord, NotFoundError
from firewatch.core.models import Assessment, Listing, Reason, Source
from firewatch.services.credit import COLUMNS, SCHEMA, write_credit
from firewatch.services.penalties import PenaltyForm, record_penalty
from firewatch.store import open_store

CODE = "91330100MA2B123450"  # a well-formed unified social credit code (check character computed)
HOSTILE = '=HYPERLINK("http://x.example","点我")<script>'


def _case(store, keys, reasons=("inspection_only",)) -> int:
    for n, (platform, lid) in enumerate(keys):
        store.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"https://item.jd.com/{lid}.html",
                                              title=f"年检专用灭火器 {n}", shop_id="s1", shop_name="安盾消防"))
        store.assessments.save_assessment(Assessment(platform, lid, "portable_extinguisher", 0.9, 0.9, True,
                                                     [Reason(c, "年检专用") for c in reasons]))
    case_id = store.reviews.create_case("年检专用灭火器专案", "inv")
    for key in keys:
        store.reviews.add_case_item(case_id, key, "inv")
    return case_id


def _form(**kw) -> PenaltyForm:
    values = {"subject_name": "杭州安盾消防器材有限公司", "credit_code": CODE, "decided_on": "2026-11-20",
              "authority": "杭州市市场监督管理局", "document_no": "杭市监处罚〔2026〕101号", "penalty": "罚款人民币五万元"}
    values.update(kw)
    return PenaltyForm(**values)


def test_a_penalty_is_recorded_with_its_listings_reasons_and_words(store_url):
    with open_store(store_url) as store:
        case_id = _case(store, [("jd", "1001"), ("jd", "1002")], reasons=("inspection_only", "price_too_low"))
        pid = record_penalty(store, case_id, _form(), "regulator")
        p = store.penalties.get(pid)
        assert p.listings == [("jd", "1001"), ("jd", "1002")]
        assert p.reason_codes == ["inspection_only", "price_too_low"]
        assert "年检" in p.violation and p.credit_code == CODE and p.case_id == case_id
        assert [x.id for x in store.penalties.of_case(case_id)] == [pid]


def test_bad_input_names_every_problem_and_writes_nothing(store_url):
    with open_store(store_url) as store:
        case_id = _case(store, [("jd", "2001")])
        tomorrow = (to_beijing(utcnow()).date() + timedelta(days=1)).isoformat()
        with pytest.raises(InvalidRecord) as err:
            record_penalty(store, case_id, _form(subject_name=" ", credit_code="91330100MA2B123451", decided_on=tomorrow,
                                                 authority="", listings=[("pdd", "9")]), "regulator")
        text = str(err.value)
        for words in ("请填写当事人名称", "请填写处罚机关", "校验", "晚于今天", "不在本案件中"):
            assert words in text, (words, text)
        with pytest.raises(InvalidRecord, match="年-月-日"):
            record_penalty(store, case_id, _form(decided_on="20/11/2026"), "regulator")
        with pytest.raises(NotFoundError):
            record_penalty(store, case_id + 99, _form(), "regulator")
        assert store.penalties.of_case(case_id) == []


def test_a_document_number_is_recorded_once(store_url):
    with open_store(store_url) as store:
        case_id = _case(store, [("jd", "3001")])
        first = record_penalty(store, case_id, _form(), "regulator")
        with pytest.raises(DuplicateDocument) as err:
            record_penalty(store, case_id, _form(subject_name="别的公司"), "regulator")
        assert err.value.existing == first and "已登记" in str(err.value)
        assert len(store.penalties.of_case(case_id)) == 1


def test_subjects_come_from_reports_and_assistance_replies(store_url):
    with open_store(store_url) as store:
        case_id = _case(store, [("jd", "4001"), ("jd", "4002")])
        store.sources.record(("jd", "4001"), Source("report", "京东合规报送", "f:2",
                                                    {"seller": {"operator": "杭州安盾消防器材有限公司", "credit_code": CODE}}))
        store.sources.record(("jd", "4002"), Source("report", "京东合规报送", "f:3",
                                                    {"seller": {"operator": "杭州安盾消防器材有限公司", "credit_code": CODE}}))
        store.sources.record(("jd", "4002"), Source("crawl", "jd"))
        subjects = store.penalties.subjects_of([("jd", "4001"), ("jd", "4002")])
        assert [(s.name, s.credit_code, s.source, len(s.listings)) for s in subjects] == \
            [("杭州安盾消防器材有限公司", CODE, "报送", 2)]
        assert case_id


def _record_many(store, case_id: int, n: int) -> None:
    for i in range(n):
        record_penalty(store, case_id, _form(document_no=f"杭市监处罚〔2026〕{i + 1}号", decided_on=f"2026-10-{1 + i % 28:02d}",
                                             subject_name=HOSTILE if i == 0 else f"公司{i}"), "regulator")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_credit_export_has_the_documented_columns_and_every_decision_in_range(tmp_path, fmt):
    with open_store(tmp_path / "s.db") as store:
        case_id = _case(store, [("jd", "5001"), ("jd", "5002")])
        _record_many(store, case_id, 1203)  # more than two export batches of 500
        record_penalty(store, case_id, _form(document_no="范围外", decided_on="2026-09-30"), "regulator")
        path = tmp_path / f"credit.{fmt}"
        result = write_credit(store, path, fmt, date(2026, 10, 1), date(2026, 10, 31))
        expected = store._db.execute("SELECT COUNT(*) FROM penalties WHERE decided_on BETWEEN '2026-10-01' AND '2026-10-31'"
                                     ).fetchone()[0]
    assert result.rows == expected == 1203
    headers = [label for _, label, _ in COLUMNS]
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == headers
        records = [dict(zip(headers, r)) for r in rows[1:]]
    elif fmt == "xlsx":
        ws = load_workbook(path).worksheets[0]
        assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if isinstance(c.value, str))  # never a formula
        rows = [[c if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)]
        assert list(rows[0]) == headers
        records = [dict(zip(headers, map(str, r))) for r in rows[1:]]
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["schema"] == SCHEMA and doc["from"] == "2026-10-01" and list(doc["fields"].values()) == headers
        records = [{doc["fields"][k]: v for k, v in r.items()} for r in doc["records"]]
    assert len(records) == 1203
    dates = [r["处罚决定日期"] for r in records]
    assert dates == sorted(dates) and "2026-09-30" not in dates
    assert {r["统一社会信用代码"] for r in records} == {CODE}
    assert all(str(r["涉案商品数"]) == "2" for r in records)
    hostile = [r["当事人名称"] for r in records if "HYPERLINK" in r["当事人名称"]]
    assert len(hostile) == 1
    if fmt == "csv":
        assert hostile[0] == "'" + HOSTILE  # a spreadsheet never runs it as a formula
    else:
        assert hostile[0] == HOSTILE  # XLSX: a text cell (checked above); JSON: data as entered
