"""Security of the web app over real HTTP: CSRF, roles and platforms, safe file serving,
login rate limiting, session cookies, headers, API tokens and the audit trail."""

from __future__ import annotations

import re

import httpx
import pytest

from firewatch.store import open_store
from tests.builders import XSS_KEY, XSS_UNCONFIRMED
from tests.helpers import PASSWORD, login_client, seen_assessment


def _decisions(web_data, key):
    with open_store(web_data / "firewatch.db") as store:
        return store.reviews.decisions(key)


def test_session_cookie_and_headers(web_url):
    client = httpx.Client(base_url=web_url)
    page = client.get("/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("fw_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # web.secure_cookies is off in the test settings


def test_login_without_form_token_is_refused(web_url):
    client = httpx.Client(base_url=web_url)
    response = client.post("/login", data={"username": "regulator", "password": PASSWORD})
    assert response.status_code == 403
    assert "fw_session" not in response.headers.get("set-cookie", "")


def test_post_without_csrf_token_is_refused_and_nothing_recorded(as_user, web_data):
    regulator = as_user("regulator")
    key = ("jd", "100231")
    before = len(_decisions(web_data, key))
    for data in ({"verdict": "confirm"}, {"verdict": "confirm", "csrf_token": "forged"}):
        response = regulator.post(f"/listings/{key[0]}/{key[1]}/decision", data=data)
        assert response.status_code == 403
        assert "CSRF" in response.text
    assert regulator.post("/logout").status_code == 403
    api = regulator.post(f"/api/v1/listings/{key[0]}/{key[1]}/decisions", json={"verdict": "confirm"})
    assert api.status_code == 403 and "CSRF" in api.json()["error"]
    assert len(_decisions(web_data, key)) == before
    # with the token it works, and lands in the audit log
    ok = regulator.post(f"/listings/{key[0]}/{key[1]}/decision?state=all",
                        data={"verdict": "escalate", "note": "核实中", "csrf_token": regulator.csrf,
                              "assessed_at": seen_assessment(web_data / "firewatch.db", key)})
    assert ok.status_code == 303
    assert _decisions(web_data, key)[-1].verdict == "escalate"
    with open_store(web_data / "firewatch.db") as store:
        entry = store.users.audit_entries(subject="jd:100231", action="decision")[0]
        assert entry["actor"] == "regulator" and entry["detail"]["verdict"] == "escalate"
        assert store.users.audit_verify() == []


@pytest.mark.parametrize("path", [
    "/listings/taobao/62004",  # another platform's confirmed listing
    "/platform/taobao",  # another platform's list
    "/platform/taobao/takedown.csv",
    "/files/taobao/62004/screenshot.png",  # another platform's screenshot
    "/api/v1/platforms/taobao/takedown",
    "/api/v1/listings/taobao/62004",
    "/listings/jd/100231",  # own platform but not confirmed
    "/files/jd/100231/screenshot.png",
    "/queue", "/search?q=灭火器", "/trends", "/cases", "/audit",  # other roles' pages
])
def test_platform_user_is_refused_everything_else(as_user, path):
    jd = as_user("jd_team")
    response = jd.get(path)
    assert response.status_code == 403, (path, response.status_code)


def test_platform_user_sees_own_confirmed(as_user):
    jd = as_user("jd_team")
    page = jd.get("/platform/jd")
    assert page.status_code == 200
    assert "二手翻新 二氧化碳灭火器" in page.text  # confirmed jd listing
    assert "年检专用 手提式干粉灭火器" not in page.text  # flagged, never confirmed
    assert jd.get("/listings/jd/100232").status_code == 200
    assert jd.get("/files/jd/100232/screenshot.png").headers["content-type"] == "image/png"
    csv = jd.get("/platform/jd/takedown.csv")
    assert csv.status_code == 200 and "100232" in csv.content.decode("utf-8-sig")
    assert "100231" not in csv.content.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["..%2F..%2F..%2Fetc%2Fpasswd", "..%2Ffirewatch.db", "%2E%2E%5C%2E%2E%5Cfirewatch.db",
                                  "..", "screenshot.png%00.txt", "%2Fetc%2Fpasswd", "manifest.json"])
def test_path_traversal_on_files_is_refused(as_user, name):
    admin = as_user("admin")
    for listing in ("jd/100231", "..%2F..%2Fjd/100231"):
        response = admin.get(f"/files/{listing}/{name}")
        assert response.status_code in (400, 403, 404), (listing, name, response.status_code)
        assert "root:" not in response.text and "SQLite format" not in response.text


def test_evidence_record_pointing_outside_the_evidence_dir_is_refused(as_user, web_data, tmp_path):
    import json

    secret = tmp_path / "screenshot.png"
    secret.write_bytes(b"secret outside the evidence dir")
    with open_store(web_data / "firewatch.db") as store:
        row = store._db.execute("SELECT id, record FROM evidence WHERE platform='1688' AND listing_id='7300002'").fetchone()
        record = json.loads(row["record"])
        original = record["directory"]
        record["directory"] = str(tmp_path)
        store._db.execute("UPDATE evidence SET record=? WHERE id=?", (json.dumps(record), row["id"]))
    try:
        response = as_user("admin").get("/files/1688/7300002/screenshot.png")
        assert response.status_code == 403
        assert b"secret" not in response.content
    finally:
        record["directory"] = original
        with open_store(web_data / "firewatch.db") as store:
            store._db.execute("UPDATE evidence SET record=? WHERE id=?", (json.dumps(record), row["id"]))


def test_captured_html_is_an_attachment_never_rendered(as_user):
    response = as_user("admin").get("/files/jd/100231/page.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in response.headers["content-security-policy"]


def test_login_is_rate_limited_per_user_and_address(web_url, web_data):
    client = httpx.Client(base_url=web_url)

    def attempt(password: str) -> httpx.Response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        return client.post("/login", data={"username": "investigator2", "password": password, "csrf_token": token},
                           follow_redirects=False)

    with open_store(web_data / "firewatch.db") as store:
        from firewatch.web.security import hash_password

        if store.users.get_user("investigator2") is None:
            store.users.add_user("investigator2", "investigator", hash_password(PASSWORD))
    statuses = [attempt("wrong-password").status_code for _ in range(5)]
    assert statuses == [401] * 5
    refused = attempt(PASSWORD)  # even the right password is refused now
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "fw_session" not in refused.headers.get("set-cookie", "")
    with open_store(web_data / "firewatch.db") as store:
        actions = [e["action"] for e in store.users.audit_entries(actor="investigator2")]
    assert actions.count("login_failed") == 5 and "login_refused" in actions
    # another user from the same address is not affected
    assert login_client(web_url, "investigator").get("/cases").status_code == 200


def test_bearer_token_acts_as_its_platform_only(web_url, web_data):
    from firewatch.web.security import new_token

    token = new_token()
    with open_store(web_data / "firewatch.db") as store:
        token_id = store.users.add_api_token("jd-sync", "jd", token)
    api = httpx.Client(base_url=web_url, headers={"Authorization": f"Bearer {token}"})
    listing = api.get("/api/v1/platforms/jd/takedown")
    assert listing.status_code == 200
    ids = {row["listing_id"] for row in listing.json()["items"]}
    assert "100232" in ids and "100231" not in ids
    assert api.get("/api/v1/platforms/taobao/takedown").status_code == 403
    assert api.get("/api/v1/queue").status_code == 403
    removed = api.post("/api/v1/platforms/jd/removals", json={"listing_id": "100232", "note": "已下架"})
    assert removed.status_code == 201  # no CSRF token needed with a bearer token
    assert api.post("/api/v1/platforms/jd/removals", json={"listing_id": "100231"}).status_code == 403
    with open_store(web_data / "firewatch.db") as store:
        assert store.notices.removal_reports("jd")["100232"]["reported_by"] == "token:jd-sync"
        store.users.revoke_api_token(token_id)
    assert api.get("/api/v1/platforms/jd/takedown").status_code == 401
    assert httpx.get(web_url + "/api/v1/me").status_code == 401


def test_openapi_documents_the_api(web_url):
    spec = httpx.get(web_url + "/openapi.json").json()
    assert "/api/v1/platforms/{platform}/takedown" in spec["paths"]
    assert "/api/v1/listings/{platform}/{listing_id}/decisions" in spec["paths"]
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
    assert httpx.get(web_url + "/docs").status_code == 200


def test_pages_need_login(web_url):
    client = httpx.Client(base_url=web_url)
    response = client.get("/queue?platform=jd")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=%2Fqueue")
    assert client.get("/files/jd/100232/screenshot.png").status_code == 303
    assert client.get("/api/v1/queue").status_code == 401


def test_xss_payloads_are_escaped_in_html(as_user):
    admin = as_user("admin")
    for path in (f"/listings/{XSS_KEY[0]}/{XSS_KEY[1]}", f"/listings/{XSS_UNCONFIRMED[0]}/{XSS_UNCONFIRMED[1]}",
                 "/queue?shop=恶意", "/platform/jd", "/search?q=年检专用灭火器", "/audit"):
        html = admin.get(path).text
        assert "<img src=x" not in html and "<script>alert" not in html and "<svg onload" not in html, path
        assert 'href="javascript:' not in html, path
