"""Small web basics (issue 15): `/healthz` says whether the store and the search index answer (200 or
503, JSON); HEAD is answered wherever GET is; a favicon is served; the review pages are usable at
phone width (375 px, no horizontal scroll) and print without navigation or buttons, with full URLs
and sane page breaks. HTTP tests against real servers; layout in a real Chromium."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from firewatch.web import WebConfig, create_app
from firewatch.web.routes.basics import HEALTH_TTL
from firewatch.web.serving import AppServer
from tests.builders import XSS_KEY
from firewatch.store import open_store
from firewatch.web.security import hash_password
from tests.helpers import browser_login, login_client
from tests.web.sample import PASSWORD


class _DownIndex:
    def __init__(self):
        raise ConnectionError("search node down")


@pytest.fixture
def app_server():
    servers = []

    def start(config: WebConfig) -> str:
        servers.append(AppServer(create_app(config)))
        return servers[-1].start()

    yield start
    for server in servers:
        server.stop()


def test_healthz_answers_200_when_store_and_index_answer(web_url, as_user):
    response = httpx.get(web_url + "/healthz")
    assert response.status_code == 200
    # without login: ok/down per part only, no counts or versions
    assert response.json() == {"status": "ok", "store": {"ok": True}, "search": {"ok": True}}
    assert response.headers["cache-control"] == "no-store"
    body = as_user("regulator").get("/healthz").json()
    assert body["status"] == "ok" and body["store"]["ok"] and body["search"]["ok"]
    assert body["store"]["schema"] >= 17 and body["search"]["documents"] > 0


def test_healthz_answers_503_naming_what_is_down(app_server, web_data, tmp_path):
    # a PostgreSQL store on a port where nothing listens, a search node that cannot be reached
    url = app_server(WebConfig(store_path=tmp_path / "firewatch.db", store_url="postgresql://firewatch@127.0.0.1:9/none",
                               evidence_dir=tmp_path, export_dir=tmp_path, index_opener=_DownIndex))
    response = httpx.get(url + "/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "store": {"ok": False}, "search": {"ok": False}}
    # the store answers, the index does not
    url = app_server(WebConfig(store_path=web_data / "firewatch.db", evidence_dir=tmp_path, export_dir=tmp_path,
                               index_opener=_DownIndex))
    response = httpx.get(url + "/healthz")
    assert response.status_code == 503 and response.json()["store"]["ok"] and not response.json()["search"]["ok"]


class _CountedIndex:
    """A search index that counts how often it is opened (the health probe opens it)."""

    opened = 0

    def __init__(self):
        type(self).opened += 1

    def count(self) -> int:
        return 7

    def close(self) -> None:
        pass


def test_healthz_probes_at_most_once_per_few_seconds(app_server, web_data, tmp_path):
    url = app_server(WebConfig(store_path=web_data / "firewatch.db", evidence_dir=tmp_path, export_dir=tmp_path,
                               index_opener=_CountedIndex))
    _CountedIndex.opened = 0
    started = time.monotonic()
    for _ in range(20):
        assert httpx.get(url + "/healthz").status_code == 200
    elapsed = time.monotonic() - started
    # one probe per HEALTH_TTL (5 s) however many calls come (a slow machine may cross a boundary)
    assert _CountedIndex.opened <= 1 + int(elapsed / HEALTH_TTL) < 20


@pytest.mark.parametrize("path, user", [
    ("/login", None), ("/healthz", None), ("/favicon.ico", None), ("/static/app.css", None),
    ("/queue", "regulator"), ("/listings/jd/100231", "regulator"), ("/search?q=灭火器", "analyst"),
    ("/api/v1/me", "analyst"), ("/cases", "investigator"), ("/audit", "admin"),
])
def test_head_is_answered_wherever_get_is(web_url, as_user, path, user):
    client = as_user(user) if user else httpx.Client(base_url=web_url)
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200, path
    assert head.status_code == 200 and head.content == b"", path
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("content-security-policy") == get.headers.get("content-security-policy")


def test_head_without_login_redirects_like_get(web_url):
    assert httpx.head(web_url + "/queue").status_code == 303


def test_a_favicon_is_served(web_url):
    response = httpx.get(web_url + "/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00" and b"PNG" in response.content[:40]
    assert '<link rel="icon" href="/favicon.ico">' in httpx.get(web_url + "/login").text


def _no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.mark.parametrize("user, path", [
    ("regulator", "/queue"), ("regulator", f"/listings/{XSS_KEY[0]}/{XSS_KEY[1]}"), ("regulator", "/listings/jd/100231"),
    ("analyst", "/search?q=灭火器"), ("admin", "/audit"), ("investigator", "/cases"),
])
def test_pages_fit_a_phone_screen(page, user, path):
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, user)
    page.goto(page.base + path)
    page.wait_for_load_state("networkidle")
    scroll, client = _no_horizontal_scroll(page)
    assert scroll <= client, f"{path}: document {scroll} px wide on a {client} px screen"
    expect(page.locator("header nav")).to_be_visible()


def test_listing_and_case_pages_print_without_navigation_and_with_full_urls(page):
    browser_login(page, "admin")
    page.goto(page.base + "/listings/jd/100231")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("form#decide")).to_be_hidden()
    original = page.locator(".meta a[href^='http']").first
    after = original.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://item.example.com/jd/100231.html" in after
    assert page.evaluate("() => getComputedStyle(document.querySelector('h2')).breakAfter") == "avoid"
    page.emulate_media(media="screen")
    page.goto(page.base + "/cases")
    page.fill("#new-case input[name=title]", "打印测试案件")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#add-item")
    page.emulate_media(media="print")
    expect(page.locator("#add-item")).to_be_hidden()
    expect(page.locator("#close-case")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    rows = page.locator("table tr")
    assert rows.first.evaluate("tr => getComputedStyle(tr).breakInside") == "avoid"


def _audit_count(web_data) -> int:
    with open_store(web_data / "firewatch.db") as store:
        return store._db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def _claims_of(web_data, name: str) -> int:
    with open_store(web_data / "firewatch.db") as store:
        return store._db.execute("SELECT COUNT(*) FROM triage WHERE claimed_by=?", (name,)).fetchone()[0]


@pytest.mark.parametrize("path, user", [
    ("/queue.xlsx", "regulator"), ("/queue.csv", "regulator"), ("/search.csv?q=灭火器", "analyst"),
    ("/search.xlsx?q=灭火器", "analyst"), ("/trends.csv", "analyst"), ("/audit.csv", "admin"),
    ("/platform/jd/takedown.csv", "jd_team"), ("/api/v1/platforms/jd/takedown", "jd_team"),
    ("/files/jd/100231/screenshot.png", "regulator"), ("/exports/credit.csv", "regulator"),
])
def test_head_on_an_export_is_refused_and_leaves_no_audit_entry(web_url, web_data, as_user, path, user):
    client = as_user(user)
    assert client.get(path).status_code == 200, path  # the export exists (GET builds and audits it)
    before = _audit_count(web_data)
    head = client.head(path)
    assert head.status_code == 405 and head.headers["allow"] == "GET", path
    assert _audit_count(web_data) == before, path


def test_head_on_the_queue_and_a_listing_claims_nothing(web_url, web_data):
    name = "head_reviewer"
    with open_store(web_data / "firewatch.db") as store:
        if store.users.get_user(name) is None:
            store.users.add_user(name, "regulator", hash_password(PASSWORD))
        # earlier tests' reviewers may hold the sample's whole queue: free it so the GET below can claim
        store._db.execute("UPDATE triage SET claimed_by='', claimed_until='' WHERE claimed_by<>''")
    client = login_client(web_url, name)  # its home page is the queue: GET claims rows there
    with open_store(web_data / "firewatch.db") as store:
        store._db.execute("UPDATE triage SET claimed_by='', claimed_until='' WHERE claimed_by=?", (name,))
    try:
        assert _claims_of(web_data, name) == 0
        assert client.head("/queue").status_code == 200
        assert client.head("/listings/jd/100231").status_code == 200
        assert _claims_of(web_data, name) == 0  # HEAD changed nothing
        assert client.get("/queue").status_code == 200
        assert _claims_of(web_data, name) > 0  # while GET claims the page's rows for the reviewer
    finally:
        with open_store(web_data / "firewatch.db") as store:
            store._db.execute("UPDATE triage SET claimed_by='', claimed_until='' WHERE claimed_by=?", (name,))
        client.close()
