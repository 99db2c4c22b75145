"""Every input is bounded, one limit and one validation for forms and the API (issue 15's security
findings), over real HTTP against the shared uvicorn server: an over-long login name is refused and
stored nowhere, the audit page keeps working; case titles, notes and decision notes have the same
limits on the form and in the API; a request body beyond the cap is refused before it is read;
FastAPI's own errors ("There was an error parsing the body", JSON errors) answer in Chinese with a code."""

from __future__ import annotations

import httpx
import pytest

from firewatch.store import open_store
from firewatch.web import limits
from tests.web.workbench import login_token


def _counts(web_data) -> tuple[int, int]:
    with open_store(web_data / "firewatch.db") as store:
        db = store._db
        return (db.execute("SELECT COUNT(*) FROM login_attempts").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def test_a_200000_character_login_name_is_refused_and_stored_nowhere(web_url, web_data, as_user):
    client = httpx.Client(base_url=web_url, timeout=60)
    before = _counts(web_data)
    huge = "a" * 200_000
    response = client.post("/login", data={"username": huge, "password": "x" * 10, "csrf_token": login_token(client)},
                           follow_redirects=False)
    assert response.status_code == 400
    assert f"用户名（username）过长：最多 {limits.USERNAME} 个字符" in response.text
    assert huge[:1000] not in response.text
    # in Chinese characters the same name is a 1.8 MB form: refused by the body limit
    chinese = client.post("/login", data={"username": "攻" * 200_000, "password": "x" * 10,
                                          "csrf_token": login_token(client)}, follow_redirects=False)
    assert chinese.status_code == 413 and "请求内容过大" in chinese.text
    assert _counts(web_data) == before  # neither a login attempt nor an audit entry was written
    # a name at the limit is an ordinary (failed) login
    at_limit = client.post("/login", data={"username": "a" * limits.USERNAME, "password": "wrong-password",
                                           "csrf_token": login_token(client)}, follow_redirects=False)
    assert at_limit.status_code == 401
    # an over-long password is refused the same way (Argon2 never sees it)
    long_pw = client.post("/login", data={"username": "admin", "password": "p" * (limits.PASSWORD + 1),
                                          "csrf_token": login_token(client)}, follow_redirects=False)
    assert long_pw.status_code == 400 and "密码（password）过长" in long_pw.text
    audit = as_user("admin").get("/audit")
    assert audit.status_code == 200 and len(audit.text) < 400_000


def test_case_titles_and_notes_have_one_limit_on_forms_and_in_the_api(as_user, web_data):
    inv = as_user("investigator")
    with open_store(web_data / "firewatch.db") as store:
        cases_before = len(store.reviews.cases())
    api = {"X-CSRF-Token": inv.csrf}
    blank = inv.post("/api/v1/cases", json={"title": "   ", "note": ""}, headers=api)
    assert blank.status_code == 400 and blank.json() == {"error": "案件名称（title）不能为空", "code": "invalid"}
    long_note = inv.post("/api/v1/cases", json={"title": "案", "note": "注" * (limits.NOTE + 1)}, headers=api)
    assert long_note.status_code == 400
    assert long_note.json() == {"error": f"备注（note）过长：最多 {limits.NOTE} 个字符", "code": "too_long"}
    form_blank = inv.post("/cases", data={"title": " \u3000 ", "note": "", "csrf_token": inv.csrf})
    assert form_blank.status_code == 400 and "案件名称（title）不能为空" in form_blank.text
    form_long = inv.post("/cases", data={"title": "案", "note": "注" * (limits.NOTE + 1), "csrf_token": inv.csrf})
    assert form_long.status_code == 400 and f"最多 {limits.NOTE} 个字符" in form_long.text
    form_title = inv.post("/cases", data={"title": "题" * (limits.TITLE + 1), "csrf_token": inv.csrf})
    assert form_title.status_code == 400 and "案件名称（title）过长" in form_title.text
    with open_store(web_data / "firewatch.db") as store:
        assert len(store.reviews.cases()) == cases_before  # nothing was cut and kept
    ok = inv.post("/api/v1/cases", json={"title": "  限长测试  ", "note": "注" * limits.NOTE}, headers=api)
    assert ok.status_code == 201
    with open_store(web_data / "firewatch.db") as store:
        case = store.reviews.get_case(ok.json()["case_id"])
    assert case["title"] == "限长测试" and len(case["note"]) == limits.NOTE


def test_a_decision_note_beyond_the_limit_is_refused_not_cut(as_user, web_data):
    reg = as_user("regulator")
    key = ("jd", "100234")
    with open_store(web_data / "firewatch.db") as store:
        before = len(store.reviews.decisions(key))
    note = "备" * (limits.NOTE + 1)
    form = reg.post(f"/listings/{key[0]}/{key[1]}/decision", data={"verdict": "dismiss", "note": note, "csrf_token": reg.csrf})
    api = reg.post(f"/api/v1/listings/{key[0]}/{key[1]}/decisions", json={"verdict": "dismiss", "note": note},
                   headers={"X-CSRF-Token": reg.csrf})
    assert form.status_code == 400 and api.status_code == 400
    assert api.json()["code"] == "too_long" and "备注（note）过长" in api.json()["error"]
    with open_store(web_data / "firewatch.db") as store:
        assert len(store.reviews.decisions(key)) == before


def test_a_20_mb_body_is_refused_before_it_is_read(as_user, web_data):
    inv = as_user("investigator")
    body = '{"title": "大", "note": "'.encode() + b"x" * (20 << 20) + b'"}'
    response = inv.post("/api/v1/cases", content=body, headers={"X-CSRF-Token": inv.csrf, "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "请求内容过大" in response.json()["error"]
    # a form (HTML answer) too, and chunked without a Content-Length
    def chunks():
        yield b"title=%E5%A4%A7&note="
        for _ in range(40):
            yield b"y" * 65536
    form = inv.post("/cases", content=chunks(), headers={"X-CSRF-Token": inv.csrf,
                                                          "content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 413 and "请求内容过大" in form.text
    assert form.headers["x-frame-options"] == "DENY"  # the refusal carries the security headers
    with open_store(web_data / "firewatch.db") as store:
        assert not [c for c in store.reviews.cases() if c["title"] == "大"]


@pytest.mark.parametrize("path, content, content_type, message, code", [
    ("/api/v1/cases", b"{not json", "application/json", "请求内容不是有效的 JSON", "json_invalid"),
    ("/api/v1/cases", b'\xff{"title": 1}', "application/json", "请求内容无法解析", "bad_body"),  # not UTF-8
    ("/api/v1/cases", b"[1, 2]", "application/json", "请求内容应为 JSON 对象", "invalid"),
    ("/cases", b"title=x", "multipart/form-data", "请求内容无法解析", "bad_body"),  # no boundary
])
def test_fastapi_errors_answer_in_chinese_with_a_code(as_user, path, content, content_type, message, code):
    inv = as_user("investigator")
    response = inv.post(path, content=content, headers={"X-CSRF-Token": inv.csrf, "content-type": content_type,
                                                        "accept": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert message in body["error"] and body["code"] == code
    assert "There was an error" not in response.text and "JSON decode" not in response.text


def test_search_text_and_platform_notes_are_bounded(as_user, web_url):
    analyst = as_user("analyst")
    long_q = analyst.get("/search", params={"q": "灭" * (limits.SEARCH_TEXT + 1)})
    assert long_q.status_code == 400 and f"关键词（q）过长：最多 {limits.SEARCH_TEXT} 个字符" in long_q.text
    api = analyst.get("/api/v1/search", params={"shop": "店" * (limits.SEARCH_TEXT + 1)})
    assert api.status_code == 400 and api.json()["code"] == "too_long"
    assert analyst.get("/search", params={"q": "灭" * limits.SEARCH_TEXT}).status_code == 200
    huge_query = analyst.get("/search", params={"q": "a", "x": "b" * 9000})
    assert huge_query.status_code == 414 and "请求地址过长" in huge_query.text
    jd = as_user("jd_team")
    removal = jd.post("/api/v1/platforms/jd/removals", json={"listing_id": "100233", "note": "n" * (limits.NOTE + 1)},
                      headers={"X-CSRF-Token": jd.csrf})
    assert removal.status_code == 400 and "备注（note）过长" in removal.json()["error"]
