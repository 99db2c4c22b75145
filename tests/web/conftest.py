"""Fixtures of the web app tests: one sample dataset with hostile listings, one real
uvicorn server and one Chromium for tests/web; a fresh browser context per test.

The dataset is `tests/web/sample.py` plus listings whose title, shop name, attributes,
description, URL and review note carry XSS payloads, and three listings of a shop that
only the keyboard-triage test touches (tests/builders.py). The browser blocks every
request to a host other than the app's, so a payload that did load something would fail
loudly, not leak. `login_client` and `browser_login` are in tests/helpers.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from firewatch.core.browser import gate, launch
from firewatch.core.models import Decision
from tests.builders import PAYLOADS, XSS_KEY, web_extra_listings
from tests.helpers import PASSWORD, login_client
from tests.web.sample import build_sample


@pytest.fixture(scope="session")
def web_data(tmp_path_factory) -> Path:
    from firewatch.store import open_store

    data = tmp_path_factory.mktemp("web-data")
    build_sample(data, password=PASSWORD, extra=web_extra_listings())
    with open_store(data / "firewatch.db") as store:
        at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        store.reviews.record_decision(Decision(*XSS_KEY, "regulator", "confirm", f"备注 {PAYLOADS[1]} {PAYLOADS[0]}", at))
    return data


@pytest.fixture(scope="session")
def web_settings(web_data):
    from firewatch.core.settings import load_settings

    # the shared sample changes from test to test: the campaign page counts afresh on every request
    # (its reuse is tested on its own app in test_campaign_page.py)
    return load_settings(env={}).with_overrides({"paths": {"data_dir": str(web_data)},
                                                 "campaign": {"page_cache_seconds": 0}})


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


@pytest.fixture(scope="package")
def browser(chromium):
    """One Chromium through Playwright's sync API for the web tests. Package scope: while a
    sync Playwright runs, this thread cannot run another event loop (the evidence
    `Capturer`, PDF rendering), so it ends with the last test of tests/web."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw.chromium, chromium)
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
