"""Helpers of the workbench tests (issue 15): an app of their own on a fresh sample dataset, so what
they store (long names, hostile cells, closed cases, proxy addresses) never meets the shared server.

`own_app(tmp, extra=..., **config)` builds the sample dataset (tests/web/sample.py) plus `extra`
listings under `tmp`, starts a real uvicorn server on 127.0.0.1 port 0 with a `WebConfig` (config
overrides: `trusted_proxies`, `page_size` ...) and returns (url, data dir, server); stop the server.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.helpers import PASSWORD


def own_app(tmp: Path, extra=(), **config):
    from firewatch.web import WebConfig, create_app
    from firewatch.web.serving import AppServer
    from tests.web.sample import build_sample

    build_sample(tmp, password=PASSWORD, extra=list(extra))
    app = create_app(WebConfig(store_path=tmp / "firewatch.db", evidence_dir=tmp / "evidence",
                               export_dir=tmp / "exports", search_path=tmp / "search.db", **config))
    server = AppServer(app)
    return server.start(), tmp, server


def login_token(client: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def try_login(client: httpx.Client, name: str, password: str = PASSWORD, **headers) -> httpx.Response:
    return client.post("/login", data={"username": name, "password": password, "csrf_token": login_token(client)},
                       headers=headers, follow_redirects=False)
