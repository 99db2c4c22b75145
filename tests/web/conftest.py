"""Fixtures of the web app tests: one sample dataset with hostile listings, one real
uvicorn server and one Chromium per session; a fresh browser context per test.

The dataset is `tests/web/sample.py` plus listings whose title, shop name, attributes,
description, URL and review note carry XSS payloads, and three listings of a shop that
only the keyboard-triage test touches. The browser blocks every request to a host other
than the app's, so a payload that did load something would fail loudly, not leak.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from firewatch.core.browser import gate, launch
from firewatch.core.models import Assessment, Decision, Listing, Reason
from tests.web.sample import PASSWORD, build_sample

CHROMIUM = "/usr/bin/chromium"
PAYLOADS = ['<img src=x onerror=alert("xss1")>', '<script>alert("xss2")</script>', '"><svg onload=alert("xss3")>',
            "'-alert(\"xss4\")-'"]
XSS_KEY = ("jd", "666001")
XSS_UNCONFIRMED = ("taobao", "666002")
TRIAGE_SHOP = "键盘分拣测试店"
TRIAGE_KEYS = [("pdd", "555001"), ("pdd", "555002"), ("pdd", "555003")]


def _hostile() -> list[tuple[Listing, Assessment]]:
    p1, p2, p3, p4 = PAYLOADS
    out = []
    for key, risk in ((XSS_KEY, 0.99), (XSS_UNCONFIRMED, 0.98)):
        listing = Listing(platform=key[0], listing_id=key[1], url='javascript:alert("xss5")',
                          title=f"年检专用灭火器 {p1} {p4}", price=Decimal("6.60"), shop_id="evil-shop",
                          shop_name=f"恶意店铺{p3}", attributes={p2: p1, "规格": f"4kg {p3}"},
                          description=f"{p2} 年检专用 {p1} 描述 {p4}")
        assessment = Assessment(key[0], key[1], "portable_extinguisher", 0.9, risk, True,
                                [Reason("inspection_only", "年检专用", "title"), Reason("no_certification", p1, "description")])
        out.append((listing, assessment))
    for i, key in enumerate(TRIAGE_KEYS):
        listing = Listing(platform=key[0], listing_id=key[1], url=f"https://item.example.com/{key[1]}",
                          title=f"分拣测试 干粉灭火器 年检专用 第{i + 1}件", price=Decimal("10.00") + i,
                          shop_id="triage-shop", shop_name=TRIAGE_SHOP)
        out.append((listing, Assessment(key[0], key[1], "portable_extinguisher", 0.9, 0.9 - i * 0.01, True,
                                        [Reason("inspection_only", "年检专用", "title")])))
    return out


@pytest.fixture(scope="session")
def web_data(tmp_path_factory) -> Path:
    from firewatch.store import open_store

    data = tmp_path_factory.mktemp("web-data")
    build_sample(data, password=PASSWORD, extra=_hostile())
    with open_store(data / "firewatch.db") as store:
        at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        store.reviews.record_decision(Decision(*XSS_KEY, "regulator", "confirm", f"备注 {PAYLOADS[1]} {PAYLOADS[0]}", at))
    return data


@pytest.fixture(scope="session")
def web_settings(web_data):
    from firewatch.core.settings import load_settings

    return load_settings(env={}).with_overrides({"paths": {"data_dir": str(web_data)}})


@pytest.fixture(scope="session")
def web_app(web_settings):
    from firewatch.web import create_app

    return create_app(web_settings)


@pytest.fixture(scope="session")
def web_url(web_app) -> str:
    from firewatch.web.serving import AppServer

    server = AppServer(web_app)
    url = server.start()
    yield url
    server.stop()


def login_client(base_url: str, name: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client logged in as `name` (its CSRF token in `client.csrf`)."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": ""})
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    client.csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', home.text).group(1)
    return client


@pytest.fixture
def as_user(web_url):
    clients = []

    def make(name: str) -> httpx.Client:
        client = login_client(web_url, name)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw.chromium, CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_url):
    """A fresh context (no cookies) that blocks other hosts and records any dialog."""
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15000)
    origin = web_url.rstrip("/")
    blocked: list[str] = []
    context.route("**/*", gate([urlsplit(origin).netloc], on_block=blocked.append))
    page = context.new_page()
    page.dialogs = []
    page.blocked = blocked
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.base = origin
    yield page
    context.close()


def browser_login(page, name: str, password: str = PASSWORD) -> None:
    page.goto(page.base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("header nav")
