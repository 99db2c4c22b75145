"""Behind a TLS reverse proxy every connection comes from the proxy's address. With the proxy named in
`[web] trusted_proxies` the app takes the client from X-Forwarded-For (from that proxy only), so the
login limits count each client and name separately and the audit log records the client; without
it, X-Forwarded-For is ignored (a client cannot pick its own address). Real uvicorn servers, real
HTTP: each `httpx.Client` below is one browser behind the proxy (127.0.0.1, the test's own address)."""

from __future__ import annotations

import httpx
import pytest

from firewatch.store import open_store
from tests.helpers import PASSWORD
from tests.web.workbench import own_app, try_login

CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def app_with(tmp_path):
    servers = []

    def start(**config):
        url, data, server = own_app(tmp_path / f"app{len(servers)}", **config)
        servers.append(server)
        return url, data

    yield start
    for server in servers:
        server.stop()


def _audit_ips(data, action: str) -> list[str]:
    with open_store(data / "firewatch.db") as store:
        return [e["ip"] for e in store.users.audit_entries(action=action, limit=100)]


def test_two_clients_behind_a_trusted_proxy_are_limited_and_audited_apart(app_with):
    url, data = app_with(trusted_proxies=("127.0.0.1",), login_max_failures=3, login_max_failures_per_ip=6)
    a = httpx.Client(base_url=url, headers={"X-Forwarded-For": CLIENT_A})
    b = httpx.Client(base_url=url, headers={"X-Forwarded-For": CLIENT_B})
    # client A guesses analyst's password until that name is refused to A ...
    assert [try_login(a, "analyst", "wrong-password").status_code for _ in range(3)] == [401] * 3
    assert try_login(a, "analyst").status_code == 429
    # ... while client B, behind the same proxy, logs in as analyst
    assert try_login(b, "analyst").status_code == 303
    b.cookies.clear()
    # A sprays other names until its address is refused: B is still let in
    assert [try_login(a, f"user{i}", "Spring2026!").status_code for i in range(3)] == [401] * 3
    assert try_login(a, "admin").status_code == 429
    assert try_login(b, "admin").status_code == 303
    # the audit log names the clients, not the proxy
    assert set(_audit_ips(data, "login_failed")) == {CLIENT_A}
    assert set(_audit_ips(data, "login")) == {CLIENT_B}
    with open_store(data / "firewatch.db") as store:
        entries = store.users.audit_entries(action="login_refused", limit=10)
    assert {e["ip"] for e in entries} == {CLIENT_A}


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(app_with):
    url, data = app_with(login_max_failures=3, login_max_failures_per_ip=3)  # no trusted proxies (the default)
    spoofer = httpx.Client(base_url=url)
    statuses = [try_login(spoofer, f"user{i}", "Spring2026!", **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(4)]
    assert statuses == [401, 401, 401, 429]  # a new X-Forwarded-For each time does not reset the limit
    assert set(_audit_ips(data, "login_failed")) == {"127.0.0.1"}


def test_a_proxy_not_named_is_not_trusted(app_with):
    url, data = app_with(trusted_proxies=("10.9.8.7",))
    client = httpx.Client(base_url=url, headers={"X-Forwarded-For": CLIENT_A})
    assert try_login(client, "analyst").status_code == 303
    assert _audit_ips(data, "login") == ["127.0.0.1"]


def test_trusted_proxies_come_from_the_settings(tmp_path):
    from firewatch.core.settings import load_settings
    from firewatch.web import WebConfig

    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(tmp_path)},
                                                     "web": {"trusted_proxies": ["127.0.0.1", "10.0.0.0/8"]}})
    assert WebConfig.from_settings(settings).trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert WebConfig.from_settings(load_settings(env={})).trusted_proxies == ()
    assert PASSWORD  # the sample users' password logs in above
