"""Enforcement assistance in the web app: a regulator issues a 协查函 from the listing page, downloads
its PDF and template, and, once the filled reply is imported, the listing page (and its shop's other
listings) show the seller identity, credit code, sales and stock, with hostile text escaped.

Its own data folder and server: issuing requests and importing replies changes the store, which
the shared sample of tests/web must not see.
"""

from __future__ import annotations

import pytest

from firewatch.core.settings import load_settings
from firewatch.store import open_store
from tests.alerts.test_assistance import ANSWERS, GOOD_CODE, PHONE, fill_reply
from tests.helpers import login_client, run_cli
from tests.web.sample import build_sample


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium):
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("assist-web") / "data"
    build_sample(data)
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)},
                                                     "capture": {"chromium": chromium}})
    server = AppServer(create_app(settings))
    url = server.start()
    yield url, data
    server.stop()


@pytest.mark.timeout(240)
def test_issue_request_import_reply_and_show_it(site, tmp_path):
    url, data = site
    regulator = login_client(url, "regulator")
    page = regulator.get("/listings/jd/100231")
    assert page.status_code == 200 and 'id="assist-request"' in page.text and "尚未就此商品发出协查函" in page.text

    refused = regulator.post("/listings/jd/100231/assist", data={"deadline_days": "5"})
    assert refused.status_code == 403  # no CSRF token
    made = regulator.post("/listings/jd/100231/assist", data={"deadline_days": "5", "csrf_token": regulator.csrf})
    assert made.status_code == 303 and made.headers["location"] == "/listings/jd/100231#assist"
    with open_store(data / "firewatch.db") as store:
        (request,) = store.assist.requests(key=("jd", "100231"))
        assert store.users.audit_entries(action="assist_request")[0]["subject"] == "jd:100231"
    assert (request.deadline_at - request.created_at).days == 5
    page = regulator.get("/listings/jd/100231")
    assert request.number in page.text and f"/assist/{request.id}/letter.pdf" in page.text

    pdf = regulator.get(f"/assist/{request.id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "sandbox" in pdf.headers["content-security-policy"]
    xlsx = regulator.get(f"/assist/{request.id}/reply.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert regulator.get(f"/assist/{request.id}/other.txt").status_code == 404

    template = tmp_path / "template.xlsx"
    template.write_bytes(xlsx.content)
    reply = fill_reply(template, tmp_path / "reply.xlsx", ANSWERS)
    imported = run_cli("--data-dir", str(data), "assist", "import", str(reply))
    assert imported.returncode == 0, imported.stdout + imported.stderr

    page = regulator.get("/listings/jd/100231").text
    assert GOOD_CODE in page and "1200" in page and "15000.50" in page and "2025-01-01至2026-11-30" in page
    assert PHONE in page  # officers see the contact the platform gave
    assert 'class="source-assist"' in page and "reply.xlsx 第 4 行" in page  # the provenance partial names the reply
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;安盾消防器材有限公司" in page
    shop_page = regulator.get("/listings/jd/100232").text  # same shop, no reply of its own
    assert "同店其他商品的协查回复" in shop_page and GOOD_CODE in shop_page


@pytest.mark.timeout(120)
def test_roles_and_paths(site):
    url, data = site
    analyst = login_client(url, "analyst")
    assert analyst.post("/listings/jd/100233/assist", data={"csrf_token": analyst.csrf}).status_code == 403
    assert 'id="assist-request"' not in analyst.get("/listings/jd/100233").text
    platform = login_client(url, "jd_team")  # jd:100232 is confirmed: the platform sees the listing, not the section
    page = platform.get("/listings/jd/100232")
    assert page.status_code == 200 and 'id="assist"' not in page.text
    with open_store(data / "firewatch.db") as store:
        rogue = store.assist.create_request("jd", [("jd", "100233")], created_by="x",
                                            deadline_at=store.listings.get_listing(("jd", "100233")).last_seen)
        store.assist.set_documents(rogue.id, pdf_path="../../../etc/passwd", xlsx_path="firewatch.db",
                                   document_sha256="", xlsx_sha256="")
    investigator = login_client(url, "investigator")
    assert investigator.get(f"/assist/{rogue.id}/letter.pdf").status_code == 403
    assert investigator.get(f"/assist/{rogue.id}/reply.xlsx").status_code == 403
    assert platform.get(f"/assist/{rogue.id}/reply.xlsx").status_code == 403
    bad_days = investigator.post("/listings/jd/100233/assist", data={"deadline_days": "x", "csrf_token": investigator.csrf})
    assert bad_days.status_code == 400


@pytest.mark.timeout(180)
def test_case_listings_of_one_platform_get_one_request(site):
    url, data = site
    investigator = login_client(url, "investigator")
    made = investigator.post("/cases", data={"title": "灭火器专案", "csrf_token": investigator.csrf})
    case_path = made.headers["location"]
    for key in ("jd:100233", "jd:100235", "taobao:62004"):
        investigator.post(f"{case_path}/items", data={"listing": key, "csrf_token": investigator.csrf})
    page = investigator.get(case_path).text
    assert 'id="case-assist"' in page and 'value="taobao"' in page
    issued = investigator.post(f"{case_path}/assist", data={"platform": "jd", "csrf_token": investigator.csrf})
    assert issued.status_code == 303 and issued.headers["location"] == "/listings/jd/100233#assist"
    with open_store(data / "firewatch.db") as store:
        request = store.assist.requests(key=("jd", "100235"))[0]
        assert request.listing_keys == [("jd", "100233"), ("jd", "100235")]
        assert store.users.audit_entries(subject=case_path.replace("/cases/", "case:"), action="assist_request")
    assert investigator.post(f"{case_path}/assist", data={"platform": "pdd", "csrf_token": investigator.csrf}).status_code == 400
    regulator = login_client(url, "regulator")
    assert regulator.post(f"{case_path}/assist", data={"platform": "jd", "csrf_token": regulator.csrf}).status_code == 403


def _csv_reply(rows: list[list[str]]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["商品链接", "经营者登记名称", "统一社会信用代码", "库存数量"])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.mark.timeout(120)
def test_upload_reply_from_the_listing_page(site):
    url, data = site
    regulator = login_client(url, "regulator")
    assert 'id="assist-import"' in regulator.get("/listings/jd/100234").text
    bad = _csv_reply([["https://item.jd.com/100234.html", "海湾安防有限公司", "91350100M000100Y44", "5"]])
    refused = regulator.post("/assist/import", data={"csrf_token": regulator.csrf, "back": "/listings/jd/100234"},
                             files={"reply": ("回复.csv", bad, "text/csv")})
    assert refused.status_code == 400 and "row 2" in refused.text and "校验位" in refused.text
    with open_store(data / "firewatch.db") as store:
        assert store.assist.replies_for(("jd", "100234")) == []
    good = _csv_reply([["https://item.jd.com/100234.html", "海湾安防有限公司", GOOD_CODE, "5"]])
    done = regulator.post("/assist/import", data={"csrf_token": regulator.csrf, "back": "/listings/jd/100234"},
                          files={"reply": ("回复.csv", good, "text/csv")})
    assert done.status_code == 303 and done.headers["location"] == "/listings/jd/100234#assist"
    page = regulator.get("/listings/jd/100234").text
    assert "海湾安防有限公司" in page and GOOD_CODE in page
    analyst = login_client(url, "analyst")
    assert analyst.post("/assist/import", data={"csrf_token": analyst.csrf},
                        files={"reply": ("r.csv", good, "text/csv")}).status_code == 403
