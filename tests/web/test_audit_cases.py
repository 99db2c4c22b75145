"""The admin's audit log page (Beijing-date filter, keyset paging, exports) and closing a case
(with a note; closed cases read-only, reopened by an admin), over real HTTP against an app of this
module (tests/web/workbench.py)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from firewatch.store import open_store
from tests.helpers import login_client
from tests.web.workbench import own_app

# 2026-11-30 15:30 UTC is 23:30 on 11-30 in Beijing; one entry an hour from then on
T0 = datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url, data, server = own_app(tmp_path_factory.mktemp("audit"))
    with open_store(data / "firewatch.db") as store:
        for i in range(240):
            entry = store.users.audit("auditor" if i % 2 else "checker", "decision", f"jd:{i}", {"verdict": "confirm"})
            with store.transaction() as db:
                db.execute("UPDATE audit_log SET at=? WHERE id=?", ((T0 + timedelta(hours=i)).isoformat(), entry))
    yield url, data
    server.stop()


def _ids(html: str) -> list[str]:
    return re.findall(r"<tr><td>(\d+)</td><td>", html)


def test_the_date_filter_takes_beijing_days(app):
    url, _ = app
    admin = login_client(url, "admin")
    # Beijing 12-01 runs from 11-30 16:00 UTC to 12-01 16:00 UTC: entries i = 1..24
    page = admin.get("/audit", params={"date_from": "2026-12-01", "date_to": "2026-12-01", "action": "decision"})
    assert page.status_code == 200
    subjects = re.findall(r"<td>(jd:\d+)</td>", page.text)
    assert subjects == [f"jd:{i}" for i in range(24, 0, -1)]
    assert "2026-12-01 00:30 北京时间" in page.text and "2026-11-30 23:30" not in page.text
    bad = admin.get("/audit", params={"date_from": "2026-12-02", "date_to": "2026-12-01"})
    assert bad.status_code == 400 and "开始日期晚于结束日期" in bad.text
    assert admin.get("/audit", params={"date_from": "12/01/2026"}).status_code == 400


def test_pages_follow_on_by_keyset_and_cover_the_log_once(app):
    url, _ = app
    admin = login_client(url, "admin")
    seen, link = [], "/audit?action=decision"
    while link:
        page = admin.get(link)
        seen += re.findall(r"<td>(jd:\d+)</td>", page.text)
        found = re.search(r'id="next-page" href="([^"]+)"', page.text)
        link = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [f"jd:{i}" for i in range(239, -1, -1)]  # 240 entries, 100 a page, none twice


def test_audit_export_follows_the_filters(app):
    url, data = app
    admin = login_client(url, "admin")
    response = admin.get("/audit.xlsx", params={"actor": "auditor", "date_from": "2026-12-01", "date_to": "2026-12-02"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["编号", "时间(北京时间)", "操作人", "操作"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert {r[2] for r in rows} == {"auditor"} and len(rows) == 24  # odd i within two Beijing days (1..48)
    assert all(r[1].endswith("北京时间") and r[3] == "审核结论" for r in rows)
    with open_store(data / "firewatch.db") as store:
        entry = store.users.audit_entries(action="export_audit", limit=1)[0]
    assert entry["detail"]["rows"] == 24 and entry["detail"]["actor"] == "auditor"
    assert login_client(url, "regulator").get("/audit.csv").status_code == 403


def test_closing_a_case_makes_it_read_only_until_an_admin_reopens_it(app):
    url, data = app
    inv = login_client(url, "investigator")
    created = inv.post("/cases", data={"title": "结案测试", "csrf_token": inv.csrf})
    case = int(created.headers["location"].rsplit("/", 1)[1])
    assert inv.post(f"/cases/{case}/items", data={"listing": "jd:100231", "csrf_token": inv.csrf}).status_code == 303
    # a note is required
    blank = inv.post(f"/cases/{case}/close", data={"note": "  ", "csrf_token": inv.csrf})
    assert blank.status_code == 400 and "备注（note）不能为空" in blank.text
    assert inv.post(f"/cases/{case}/close", data={"note": "已移送执法大队", "csrf_token": inv.csrf}).status_code == 303
    page = inv.get(f"/cases/{case}").text
    assert "已结案" in page and "已移送执法大队" in page and 'id="add-item"' not in page and "移出</button>" not in page
    assert 'id="reopen-case"' not in page  # only an admin reopens
    refused = inv.post(f"/cases/{case}/items", data={"listing": "jd:100232", "csrf_token": inv.csrf})
    assert refused.status_code == 409 and "案件已结案" in refused.text
    api = inv.post(f"/api/v1/cases/{case}/items", json={"listing": "jd:100232"}, headers={"X-CSRF-Token": inv.csrf})
    assert api.status_code == 409 and api.json()["code"] == "case_closed"
    removed = inv.post(f"/cases/{case}/items/remove", data={"listing": "jd:100231", "csrf_token": inv.csrf})
    assert removed.status_code == 409
    assert inv.post(f"/cases/{case}/reopen", data={"csrf_token": inv.csrf}).status_code == 403
    admin = login_client(url, "admin")
    assert 'id="reopen-case"' in admin.get(f"/cases/{case}").text
    reopened = admin.post(f"/api/v1/cases/{case}/reopen", json={"note": "补充证据"}, headers={"X-CSRF-Token": admin.csrf})
    assert reopened.status_code == 200 and reopened.json()["case"]["status"] == "open"
    assert inv.post(f"/cases/{case}/items", data={"listing": "jd:100232", "csrf_token": inv.csrf}).status_code == 303
    with open_store(data / "firewatch.db") as store:
        history = [(e["action"], e["detail"].get("note")) for e in store.users.audit_entries(subject=f"case:{case}")]
        assert [i["listing_id"] for i in store.reviews.case_items(case)] == ["100231", "100232"]
    assert ("case_close", "已移送执法大队") in history and ("case_reopen", "补充证据") in history
    listing = inv.get("/cases")
    assert "办理中" in listing.text
