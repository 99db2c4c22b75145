"""Findings of the security review, each pinned over real HTTP against a real uvicorn
server: error pages keep the security headers, oversized ids answer 400, `next=` never
leaves the site, a login replaces the browser's old session, rate limiting ignores case
and catches password spraying, unknown names cost an Argon2 verification (counted, not timed), weak hashes are
upgraded, only a platform speaks for itself, the API shows no server paths, screenshots
are not cached, and the audit log, notices and error messages read in Chinese.

Tests that need their own limits run a second app on a fresh store (`fresh_app`), so
their failed logins do not count against the shared server's address.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from argon2 import PasswordHasher

from firewatch.store import open_store
from firewatch.web.security import hash_password, needs_rehash, verify_password
from tests.helpers import PASSWORD, login_client, seen_assessment

HUGE = "99999999999999999999999"


def _login_token(client: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def _try_login(client: httpx.Client, name: str, password: str, next_: str = "") -> httpx.Response:
    return client.post("/login", data={"username": name, "password": password, "csrf_token": _login_token(client),
                                       "next": next_}, follow_redirects=False)


@pytest.fixture
def fresh_app(tmp_path):
    """Start an app on a new store holding user `alice` (password PASSWORD); returns its URL."""
    from firewatch.web import WebConfig, create_app
    from firewatch.web.serving import AppServer

    servers = []

    def start(**config) -> str:
        with open_store(tmp_path / "firewatch.db") as store:
            if store.users.get_user("alice") is None:
                store.users.add_user("alice", "analyst", hash_password(PASSWORD))
        app = create_app(WebConfig(store_path=tmp_path / "firewatch.db", evidence_dir=tmp_path / "evidence",
                                   export_dir=tmp_path / "exports", search_path=tmp_path / "search.db", **config))
        servers.append(AppServer(app))
        return servers[-1].start()

    yield start
    for server in servers:
        server.stop()


def test_an_unexpected_error_keeps_the_security_headers_and_hides_details(web_data, tmp_path):
    from firewatch.web import WebConfig, create_app
    from firewatch.web.serving import AppServer

    # a misconfigured search backend: /search fails inside the app, not in a test double
    app = create_app(WebConfig(store_path=web_data / "firewatch.db", evidence_dir=web_data / "evidence",
                               export_dir=tmp_path, search_url="no-such-backend"))
    server = AppServer(app)
    url = server.start()
    try:
        analyst = login_client(url, "analyst")
        for path in ("/search?q=灭火器", "/api/v1/search?q=灭火器"):
            response = analyst.get(path)
            assert response.status_code == 500, path
            assert "default-src 'none'" in response.headers.get("content-security-policy", ""), path
            assert response.headers.get("x-frame-options") == "DENY", path
            assert response.headers.get("x-content-type-options") == "nosniff", path
            assert response.headers.get("cache-control") == "no-store", path
            assert "服务器内部错误" in response.text, path
            assert "Traceback" not in response.text and "no-such-backend" not in response.text, path
        assert analyst.get("/trends").status_code == 200  # the same keep-alive connection still serves
    finally:
        server.stop()


def test_ids_beyond_sqlite_integers_answer_400(as_user):
    investigator = as_user("investigator")
    assert investigator.get(f"/cases/{HUGE}").status_code == 400
    form = {"case": HUGE, "listing": "jd:100231", "csrf_token": investigator.csrf}
    assert investigator.post("/cases/add", data=form).status_code == 400
    api = investigator.post(f"/api/v1/cases/{HUGE}/items", json={"listing": "jd:100231"},
                            headers={"X-CSRF-Token": investigator.csrf})
    assert api.status_code == 400 and "error" in api.json()
    jd = as_user("jd_team")
    assert jd.post(f"/platform/jd/notices/{HUGE}/ack", data={"csrf_token": jd.csrf}).status_code == 400


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\u3000/evil.example",
                                    "/ /evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "javascript:alert(1)", "/\u200b/evil.example"])
def test_next_never_leaves_the_site(web_url, target):
    client = httpx.Client(base_url=web_url)
    response = _try_login(client, "analyst", PASSWORD, target)
    assert response.status_code == 303
    assert response.headers["location"] == "/search", repr(target)
    form = httpx.get(web_url + "/login", params={"next": target})
    assert 'name="next" value=""' in form.text, repr(target)


def test_next_to_a_page_of_the_site_is_followed(web_url):
    response = _try_login(httpx.Client(base_url=web_url), "regulator", PASSWORD, "/listings/jd/100231?state=all")
    assert response.headers["location"] == "/listings/jd/100231?state=all"


def test_a_login_replaces_the_session_the_browser_held(web_url):
    first = login_client(web_url, "analyst")
    old = first.cookies["fw_session"]
    fresh = httpx.Client(base_url=web_url)
    token = _login_token(fresh)
    # the same browser logs in again (say as another person at a shared desk)
    response = httpx.post(web_url + "/login", data={"username": "investigator", "password": PASSWORD,
                                                    "csrf_token": token, "next": ""},
                          headers={"Cookie": f"fw_session={old}; fw_login={token}"})
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    new = response.cookies["fw_session"]
    assert new and new != old
    assert httpx.get(web_url + "/search", cookies={"fw_session": old}).status_code == 303  # the old one is gone
    assert httpx.get(web_url + "/cases", cookies={"fw_session": new}).status_code == 200


def test_logout_ends_the_session_on_the_server(web_url):
    client = login_client(web_url, "analyst")
    token = client.cookies["fw_session"]
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 303
    assert httpx.get(web_url + "/search", cookies={"fw_session": token}).status_code == 303
    assert httpx.get(web_url + "/api/v1/me", cookies={"fw_session": token}).status_code == 401


def test_rate_limit_counts_a_name_in_any_case_or_width(web_url, web_data):
    with open_store(web_data / "firewatch.db") as store:
        if store.users.get_user("investigator3") is None:
            store.users.add_user("investigator3", "investigator", hash_password(PASSWORD))
    client = httpx.Client(base_url=web_url)
    assert [_try_login(client, "investigator3", "wrong-password").status_code for _ in range(5)] == [401] * 5
    for variant in ("INVESTIGATOR3", "Investigator3 ", "ｉｎｖｅｓｔｉｇａｔｏｒ3", "investigator3"):
        assert _try_login(client, variant, PASSWORD).status_code == 429, variant


def test_password_spraying_from_one_address_is_limited(fresh_app):
    url = fresh_app(login_max_failures=5, login_max_failures_per_ip=6)
    client = httpx.Client(base_url=url)
    # one guess for each of many names never trips the per-name limit ...
    assert [_try_login(client, f"user{i}", "Spring2026!").status_code for i in range(6)] == [401] * 6
    # ... but the address is refused now, even for a right password
    refused = _try_login(client, "alice", PASSWORD)
    assert refused.status_code == 429 and "fw_session" not in refused.headers.get("set-cookie", "")


def test_an_unknown_name_costs_an_argon2_verification_like_a_wrong_password(fresh_app, monkeypatch, tmp_path):
    """No timing: every Argon2 verification the server runs is recorded (the real one runs).
    A wrong password and an unknown name each cost exactly one, over hashes of the same
    Argon2 parameters, so the answer time cannot tell which names exist."""
    from argon2 import extract_parameters

    url = fresh_app(login_max_failures=1000, login_max_failures_per_ip=1000)
    client = httpx.Client(base_url=url)
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def recording_verify(self, hash, password):  # noqa: A002 - argon2's parameter name
        verified.append(hash if isinstance(hash, str) else hash.decode())
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", recording_verify)

    def verifications(name: str) -> list[str]:
        token = _login_token(client)
        verified.clear()
        response = client.post("/login", data={"username": name, "password": "wrong-password", "csrf_token": token})
        assert response.status_code == 401
        return list(verified)

    [known] = verifications("alice")
    with open_store(tmp_path / "firewatch.db") as store:
        assert known == store.users.get_user("alice")["password_hash"]
    for name in ("nobody", "nobody2", "ALICE-not"):
        [unknown] = verifications(name)
        assert extract_parameters(unknown) == extract_parameters(known), name


def test_a_weak_password_hash_is_upgraded_at_login(web_url, web_data):
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    with open_store(web_data / "firewatch.db") as store:
        store.users.add_user("legacy_analyst", "analyst", weak)
    client = login_client(web_url, "legacy_analyst")
    with open_store(web_data / "firewatch.db") as store:
        upgraded = store.users.get_user("legacy_analyst")["password_hash"]
    assert upgraded != weak and not needs_rehash(upgraded) and verify_password(upgraded, PASSWORD)
    assert client.get("/search").status_code == 200  # the upgrade did not end the new session


def _sent_notice(web_data, keys) -> int:
    with open_store(web_data / "firewatch.db") as store:
        notice_id = store.notices.create_notice("jd", keys, created_by="regulator")
        now = datetime.now(timezone.utc)
        store.notices.mark_notice_sent(notice_id, sent_by="regulator", channel="email", at=now,
                               deadline_at=now + timedelta(days=3), html_path=str(web_data / "notices" / "n.html"),
                               pdf_path=str(web_data / "notices" / "n.pdf"), document_sha256="0" * 64)
    return notice_id


def test_only_the_platform_reports_removals_and_acknowledges_notices(as_user, web_data):
    notice_id = _sent_notice(web_data, [("jd", "100232")])
    regulator = as_user("regulator")
    page = regulator.get("/platform/jd").text
    assert 'action="/platform/jd/removed"' not in page and "待平台处理" in page
    assert "已发出" in page  # the notice's status in Chinese
    removed = regulator.post("/platform/jd/removed", data={"listing_id": "100232", "csrf_token": regulator.csrf})
    assert removed.status_code == 403
    ack = regulator.post(f"/platform/jd/notices/{notice_id}/ack", data={"csrf_token": regulator.csrf})
    assert ack.status_code == 403
    with open_store(web_data / "firewatch.db") as store:
        assert store.notices.get_notice(notice_id).status == "sent"
        assert all(r["reported_by"] != "regulator" for r in store.notices.removal_reports("jd").values())
    jd = as_user("jd_team")
    assert jd.post(f"/platform/jd/notices/{notice_id}/ack", data={"csrf_token": jd.csrf}).status_code == 303
    assert "平台已确认收到" in jd.get("/platform/jd").text


def test_the_api_shows_no_server_paths(as_user, web_data):
    _sent_notice(web_data, [("jd", "100232")])
    jd = as_user("jd_team")
    listing = jd.get("/api/v1/listings/jd/100232")
    notices = jd.get("/api/v1/platforms/jd/notices")
    for response in (listing, notices):
        assert response.status_code == 200
        assert str(web_data) not in response.text
    assert notices.json()["notices"] and all("html_path" not in n for n in notices.json()["notices"])
    artefact = listing.json()["evidence"]["artefacts"][0]
    assert jd.get(artefact["url"]).status_code == 200


def test_screenshots_are_not_kept_in_the_browser_cache(as_user):
    response = as_user("jd_team").get("/files/jd/100232/screenshot.png")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"


def test_audit_log_and_errors_read_in_chinese(as_user, web_data):
    regulator = as_user("regulator")
    seen = seen_assessment(web_data / "firewatch.db", ("jd", "100231"))
    assert regulator.post("/listings/jd/100231/decision?state=all",
                          data={"verdict": "escalate", "note": "待核实", "csrf_token": regulator.csrf,
                                "assessed_at": seen}).status_code == 303
    page = as_user("admin").get("/audit").text
    assert "审核结论" in page and "结论：升级处理" in page and "备注：待核实" in page
    assert "{&#39;" not in page  # no Python dict repr
    wrong_method = regulator.post("/queue", data={"csrf_token": regulator.csrf})
    assert wrong_method.status_code == 405 and "不支持此请求方法" in wrong_method.text


def test_a_symlink_in_the_evidence_folder_is_not_followed_outside(as_user, web_data, tmp_path):
    with open_store(web_data / "firewatch.db") as store:
        evidence = store.evidence.latest_evidence(("1688", "7300002"))
    shot = web_data / evidence.directory / "screenshot.png"  # stored relative to the data folder
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"secret outside the evidence dir")
    original = shot.read_bytes()
    shot.unlink()
    shot.symlink_to(secret)
    try:
        response = as_user("admin").get("/files/1688/7300002/screenshot.png")
        assert response.status_code == 403 and b"secret" not in response.content
    finally:
        shot.unlink()
        shot.write_bytes(original)


@pytest.mark.parametrize("name", ["analyst", "investigator", "jd_team"])
def test_only_regulators_decide_and_only_admins_read_the_audit_log(as_user, web_data, name):
    client = as_user(name)
    key = ("jd", "100232")  # a jd listing the platform user may see
    with open_store(web_data / "firewatch.db") as store:
        before = len(store.reviews.decisions(key))
    page = client.post(f"/listings/{key[0]}/{key[1]}/decision", data={"verdict": "dismiss", "csrf_token": client.csrf})
    api = client.post(f"/api/v1/listings/{key[0]}/{key[1]}/decisions", json={"verdict": "dismiss"},
                      headers={"X-CSRF-Token": client.csrf})
    assert (page.status_code, api.status_code) == (403, 403)
    assert client.get("/audit").status_code == 403
    with open_store(web_data / "firewatch.db") as store:
        assert len(store.reviews.decisions(key)) == before
