"""Issue 16, data sharing in the web app: penalty decisions recorded on a case (bad input 400 naming
every problem, a repeated document number 409, hostile text escaped), the credit-information export
downloaded and read back, the transfer package refused until the case's pack is exported and then
built on that same pack, the JSON API paged by keyset; every act audited. Own data folder and server."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from firewatch.core.models import Source
from firewatch.store import open_store
from tests.helpers import browser_login, login_client, wait_until
from tests.web.sample import make_case, sample_site

CODE = "91330100MA2B123450"
HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium):
    with sample_site(tmp_path_factory.mktemp("sharing-data"), chromium) as site:
        yield site


def _case(site, title: str, keys) -> int:
    return make_case(site["data"], title, keys)


def _form(client, **kw):
    data = {"csrf_token": client.csrf, "subject_name": "杭州安盾消防器材有限公司", "credit_code": CODE,
            "decided_on": "2026-11-20", "authority": "杭州市市场监督管理局", "document_no": "杭市监处罚〔2026〕7号",
            "penalty": "罚款人民币两万元"}
    data.update(kw)
    return data


def test_penalties_are_recorded_checked_exported_and_audited(site):
    case_id = _case(site, "信用共享专案", [("jd", "100231"), ("jd", "100232")])
    inv = login_client(site["url"], "investigator")
    bad = inv.post(f"/cases/{case_id}/penalties", data=_form(inv, credit_code="91330100MA2B123451", decided_on="2026/11/20",
                                                             authority=" "))
    assert bad.status_code == 400
    for words in ("校验", "年-月-日", "请填写处罚机关"):
        assert words in bad.text
    ok = inv.post(f"/cases/{case_id}/penalties", data=_form(inv, subject_name=HOSTILE))
    assert ok.status_code == 303 and ok.headers["location"].endswith("#penalties")
    again = inv.post(f"/cases/{case_id}/penalties", data=_form(inv))
    assert again.status_code == 409 and "已登记" in again.text
    page = inv.get(f"/cases/{case_id}").text
    assert "杭市监处罚〔2026〕7号" in page and HOSTILE not in page and "&lt;img src=x" in page

    cases = inv.get("/cases").text
    assert re.search(r"<title>[^<]*</title>", cases) and cases.count('id="credit-export"') == 1  # the form, once, in the page
    got = inv.get("/exports/credit.xlsx", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert got.status_code == 200 and "filename" in got.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(got.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("行政处罚决定书文号", "当事人名称", "统一社会信用代码")
    assert [(r[0], r[1], r[2], r[9]) for r in rows[1:]] == [("杭市监处罚〔2026〕7号", HOSTILE, CODE, 2)]
    assert inv.get("/exports/credit.json", params={"from": "2026-12-01", "to": "2026-11-01"}).status_code == 400

    api = inv.get("/api/v1/penalties", params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert [p["document_no"] for p in api["penalties"]] == ["杭市监处罚〔2026〕7号"] and api["next"] is None
    made = inv.post(f"/api/v1/cases/{case_id}/penalties",
                    json={"subject_name": "另一公司", "decided_on": "2026-11-21", "authority": "杭州市市场监督管理局",
                          "document_no": "杭市监处罚〔2026〕8号", "listings": ["jd:100231"]},
                    headers={"X-CSRF-Token": inv.csrf})
    assert made.status_code == 200, made.text
    assert made.json()["penalty"]["listing_count"] == 1 and made.json()["penalty"]["violation"].startswith("网络销售")
    outside = inv.post(f"/api/v1/cases/{case_id}/penalties",
                       json={"subject_name": "x", "decided_on": "2026-11-21", "authority": "y", "document_no": "z",
                             "listings": ["pdd:404"]}, headers={"X-CSRF-Token": inv.csrf})
    assert outside.status_code == 400 and "不在本案件中" in outside.json()["error"]

    analyst = login_client(site["url"], "analyst")
    assert analyst.get("/exports/credit.csv").status_code == 403
    with open_store(site["data"] / "firewatch.db") as store:
        actions = [e["action"] for e in store.users.audit_entries(subject=f"case:{case_id}")]
        exports = store.users.audit_entries(subject="penalties")
    assert actions.count("penalty_record") == 2 and [e["action"] for e in exports] == ["export_credit"]


def test_transfer_waits_for_the_case_pack_then_builds_on_it(site, tmp_path):
    case_id = _case(site, "移送专案", [("jd", "100231"), ("1688", "7300001")])
    with open_store(site["data"] / "firewatch.db") as store:
        store.sources.record(("1688", "7300001"), Source("report", "阿里报送", "f:1",
                                                        {"seller": {"operator": "义乌消防器材有限公司", "credit_code": CODE}}))
    inv = login_client(site["url"], "investigator")
    refused = inv.post(f"/cases/{case_id}/transfer", data={"csrf_token": inv.csrf, "recipient": "义乌市公安局"})
    assert refused.status_code == 400 and "请先" in refused.text and "导出证据包" in refused.text
    started = inv.post(f"/cases/{case_id}/export", data={"csrf_token": inv.csrf})
    export_id = int(re.search(r"export=(\d+)", started.headers["location"]).group(1))
    wait_until(lambda: inv.get(f"/cases/{case_id}/packs/{export_id}/status").json()["state"] != "running",
               timeout=120, what="the case's pack export")
    pack = inv.get(f"/cases/{case_id}/packs/{export_id}").content
    got = inv.post(f"/cases/{case_id}/transfer", data={"csrf_token": inv.csrf, "recipient": "义乌市公安局"})
    assert got.status_code == 200, got.text
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.read(f"证据包-案件{case_id}.zip") == pack  # the very pack the case page offers
        assert "义乌市公安局" in zf.read("移送函.html").decode()
    assert manifest["recipient"] == "义乌市公安局" and [s["name"] for s in manifest["subjects"]][0] == "义乌消防器材有限公司"
    with open_store(site["data"] / "firewatch.db") as store:
        [entry] = [e for e in store.users.audit_entries(subject=f"case:{case_id}") if e["action"] == "case_transfer"]
    assert entry["detail"]["sha256"] == hashlib.sha256(pack).hexdigest()  # the audit names the pack that went out
    # the temporary file goes once the response is sent (a background task after the body)
    wait_until(lambda: not list((site["data"] / "exports" / "downloads").glob(f"transfer-{case_id}-*")), timeout=10,
               what="the transfer's temporary file to be removed")


def test_the_case_page_records_a_penalty_in_a_browser(site, browser):
    case_id = _case(site, "浏览器专案", [("pdd", "8800103")])
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = site["url"]
    try:
        browser_login(page, "investigator")
        page.goto(f"{page.base}/cases/{case_id}")
        form = page.locator("#add-penalty")
        form.locator("input[name=subject_name]").fill(HOSTILE)
        form.locator("input[name=credit_code]").fill(CODE)
        form.locator("input[name=document_no]").fill("拼市监处罚〔2026〕3号")
        form.locator("input[name=decided_on]").fill("2026-11-03")
        form.locator("input[name=authority]").fill("上海市市场监督管理局")
        form.locator("button").click()
        row = page.locator("table.penalties tr[data-penalty]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("拼市监处罚〔2026〕3号")
        expect(row).to_contain_text(HOSTILE)  # shown as text
        assert page.evaluate("window.pwned") is None
        expect(page.locator("#case-transfer")).to_be_visible()
    finally:
        context.close()
