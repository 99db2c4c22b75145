"""Sessions and proxies, with real parts: crawls go through real local forward proxies and a
demo market that records the Cookie header it receives.

Two working proxies (tests/servers.py `ForwardProxy`: absolute-URI GETs forwarded with
http.client, counted) and one dead address (a closed port) sit on 127.0.0.1; the crawl runs
in a child process (`CrawlerProcess`, as `firewatch crawl` does) with the firewatch
Scrapy settings plus the proxy and session middlewares. Pure parts (rotation, eviction,
cool-down, file validation, cookie matching) are tested directly.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.exceptions import ProxiesExhaustedError, ProxyError, SessionError, UnknownPlatformError
from crawler.proxies import ProxyMiddleware, ProxyPool, check_proxy_url, proxy_label, proxy_list
from crawler.sessions import SessionCookiesMiddleware, import_session, load_session, session_files
from firewatch.core.settings import load_settings
from firewatch.store import open_store
from tests.helpers import ROOT, market_crawl_settings
from tests.servers import ForwardProxy, dead_url

QUERY = "灭火器"


def run_child(data_dir: Path, market, crawl: dict, platform: str = "jd", **extra) -> dict:
    """One Scrapy crawl of `platform` in a child process (`tests.helpers.crawl_in_child`):
    the firewatch Scrapy settings with `crawl` laid over them; returns the crawl's stats
    (and its log under "_log")."""
    if not (Path(data_dir) / "sessions").is_dir():
        market.write_sessions(data_dir)
    spec = json.dumps({"data_dir": str(data_dir), "crawl": {**market_crawl_settings(market), **crawl}, "platform": platform,
                       "query": QUERY, **extra})
    code = "import sys; from tests.helpers import crawl_in_child; crawl_in_child(sys.argv[1])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIREWATCH_")}
    done = subprocess.run([sys.executable, "-c", code, spec], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(l for l in done.stdout.splitlines() if l.startswith("STATS "))
    stats = json.loads(line[len("STATS "):])
    stats["_log"] = done.stderr
    return stats


@pytest.fixture
def proxies(serve):
    return [serve(ForwardProxy), serve(ForwardProxy)]


def stored_keys(data_dir: Path) -> set[tuple[str, str]]:
    with open_store(data_dir / "firewatch.db") as store:
        return {l.key for l in store.listings.iter_listings()}


# -- proxies -----------------------------------------------------------------------------

def test_crawl_rotates_live_proxies_evicts_the_dead_one_and_loses_nothing(demo_market, proxies, tmp_path):
    dead = dead_url()
    a, b = proxies
    data = tmp_path / "data"
    # 1688: every request is Scrapy's (JD's and PDD's searches load in Chromium, which has no
    # per-request proxy)
    stats = run_child(data, demo_market, {"proxies": [a.url, dead, b.url], "proxy_max_failures": 2,
                                          "proxy_cooldown": 300}, platform="1688")
    expected = {(l.platform, l.listing_id) for l in demo_market.catalogue.search(QUERY, 0, ("1688",))}
    assert stored_keys(data) == expected, "a listing was lost going through the proxies"

    def st(proxy, what):
        return stats.get(f"firewatch/proxy/{proxy_label(proxy)}/{what}", 0)

    # the dead proxy: evicted once, after its 2 failures (plus requests already on their way to it)
    assert st(dead, "evictions") == 1
    assert st(dead, "responses") == 0
    # every request given to it failed; at most one wave of concurrent requests reached it
    assert 2 <= st(dead, "failures") == st(dead, "requests") <= 2 + 16
    assert "evicted" in stats["_log"] and proxy_label(dead) in stats["_log"]
    # the live ones took turns: (almost) the same number of requests each, carried in HTTPS
    # tunnels (CONNECT) that the proxies saw being opened, several requests to a tunnel
    assert st(a.url, "requests") > 20 and st(b.url, "requests") > 20
    assert abs(st(a.url, "requests") - st(b.url, "requests")) <= 2
    assert 0 < a.count <= st(a.url, "requests") and 0 < b.count <= st(b.url, "requests")
    assert all(p.startswith("CONNECT ") for p in a.paths + b.paths)
    assert stats.get("retry/count", 0) == 0, "proxy failures must not spend the requests' own retries"
    assert stats.get("firewatch/proxy/refused", 0) == 0
    assert stats.get("response_received_count") == st(a.url, "responses") + st(b.url, "responses")


def test_all_proxies_dead_drops_requests_with_an_alert(demo_market, tmp_path):
    dead = [dead_url(), dead_url()]
    stats = run_child(tmp_path / "data", demo_market, {"proxies": dead, "proxy_max_failures": 2}, platform="1688")
    assert stats.get("firewatch/alert") == "all proxies evicted"
    assert stats.get("firewatch/proxy/evictions") == 2
    assert stats.get("firewatch/proxy/refused", 0) >= 1
    assert stats.get("response_received_count", 0) == 0
    assert stats["_log"].count("ALERT: all 2 proxies are evicted") == 1
    assert "fix the proxy list ([crawl] proxies)" in stats["_log"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_pool_round_robin_eviction_cooldown_and_probation():
    clock = Clock()
    pool = ProxyPool(["http://a:1", "http://b:2", "http://c:3"], max_failures=3, cooldown=60, clock=clock)
    assert [pool.next() for _ in range(6)] == ["http://a:1", "http://b:2", "http://c:3"] * 2
    assert not pool.failure("http://b:2") and not pool.failure("http://b:2")
    pool.success("http://b:2")  # a success resets the run of failures
    assert not pool.failure("http://b:2") and not pool.failure("http://b:2")
    assert pool.failure("http://b:2")  # third in a row: evicted
    assert [pool.next() for _ in range(4)] == ["http://a:1", "http://c:3"] * 2
    clock.now += 59
    assert pool.next() == "http://a:1" and pool.readmitted == []
    clock.now += 1
    assert pool.next() == "http://b:2" and pool.readmitted == ["http://b:2"]
    assert pool.failure("http://b:2")  # on probation: one failure evicts it again
    for url in ("http://a:1", "http://c:3"):
        for _ in range(3):
            pool.failure(url)
    assert pool.next() is None and pool.available == []


def test_proxy_list_is_validated_with_the_culprit_named():
    assert check_proxy_url(" http://user:pw@10.0.0.1:3128 ") == "http://user:pw@10.0.0.1:3128"
    for bad in ("10.0.0.1:3128", "socks5://10.0.0.1:1080", "http://10.0.0.1", "http://:80", "http://h:1/path"):
        with pytest.raises(ProxyError, match="proxies"):
            check_proxy_url(bad)
    with pytest.raises(ProxyError, match="listed twice"):
        ProxyPool(["http://a:1", "http://a:1"])
    assert proxy_list(["http://a:1", "https://b:2"]) == ["http://a:1", "https://b:2"]
    assert proxy_label("http://user:secret@10.0.0.1:3128") == "http://10.0.0.1:3128"


def test_middleware_leaves_explicit_proxies_alone_and_refuses_when_all_evicted():
    crawler = get_crawler(Spider, {"FIREWATCH_PROXIES": ["http://p:1"], "FIREWATCH_PROXY_MAX_FAILURES": 1})
    crawler.spider = Spider("t")
    crawler.stats.open_spider()
    mw = ProxyMiddleware.from_crawler(crawler)
    direct = Request("http://x/", meta={"proxy": None})
    mw.process_request(direct)
    assert direct.meta["proxy"] is None
    req = Request("http://x/a")
    mw.process_request(req)
    assert req.meta["proxy"] == "http://p:1"
    from scrapy.exceptions import DownloadConnectionRefusedError

    rerouted = mw.process_exception(req, DownloadConnectionRefusedError("refused"))
    assert rerouted is not None and rerouted.dont_filter
    with pytest.raises(ProxiesExhaustedError, match=r"fix the proxy list \(\[crawl\] proxies\)"):
        mw.process_request(rerouted)
    assert crawler.stats.get_value("firewatch/alert") == "all proxies evicted"


# -- sessions ----------------------------------------------------------------------------

def cookie(name, value, domain=".jd.com", path="/", expires=-1, secure=False, **extra):
    return {"name": name, "value": value, "domain": domain, "path": path, "expires": expires,
            "httpOnly": True, "secure": secure, "sameSite": "Lax", **extra}


def storage_state(path: Path, cookies, origins=()) -> Path:
    path.write_text(json.dumps({"cookies": list(cookies), "origins": list(origins)}), encoding="utf-8")
    return path


@pytest.fixture
def recording_market():
    """A quiet demo market that records the Cookie header of every request it serves."""
    from demo_market.server import QUIET, DemoMarket

    market = DemoMarket(seed=7, login_required=(), **QUIET)  # the test's own cookie values, not the market's
    seen: list[tuple[str, str]] = []

    @market.app.middleware("http")
    async def record_cookies(request, call_next):
        seen.append((request.url.path, request.headers.get("cookie", "")))
        return await call_next(request)

    market.start(host="127.0.0.1", port=0)
    market.seen_cookies = seen
    yield market
    market.stop()


def test_imported_session_cookies_reach_the_market(recording_market, tmp_path, caplog):
    now = time.time()
    source = storage_state(tmp_path / "jd-state.json", [
        cookie("thor", "LOGGED-IN", expires=now + 86400),
        cookie("pin", "jd_user", path="/Search"),            # search pages only
        cookie("old", "STALE", expires=now - 3600),           # expired: dropped with a warning
        cookie("sec", "TLS-ONLY", secure=True),              # secure: sent, the sites are HTTPS
        cookie("cart", "C", path="/cart"),                   # another path
        cookie("tb", "T", domain=".taobao.com"),             # another site
    ], origins=[{"origin": "https://www.jd.com", "localStorage": [{"name": "k", "value": "v"}]}])
    data = tmp_path / "data"
    with caplog.at_level(logging.WARNING, logger="crawler.sessions"):
        session = import_session("jd", source, data)
    assert "dropped 1 expired cookie(s): old" in caplog.text
    target = data / "sessions" / "jd.json"
    assert session.path == target and target.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [c["name"] for c in session.cookies] == ["thor", "pin", "sec", "cart", "tb"]

    stats = run_child(data, recording_market, {}, max_pages=1)
    assert stats.get("firewatch/session/cookies") == 5
    assert stats.get("firewatch/session/expired_dropped") == 1
    assert "dropped 1 expired cookie(s): old" in stats["_log"]
    seen = recording_market.seen_cookies
    jd_requests = [(p, c) for p, c in seen if p.startswith("/jd/")]
    assert len(jd_requests) > 5
    for path, header in jd_requests:
        sent = dict(part.split("=", 1) for part in header.split("; "))
        expected = {"thor": "LOGGED-IN", "sec": "TLS-ONLY"}
        if path == "/jd/search_shell":  # https://search.jd.com/Search (in Chromium): the /Search cookie too
            expected["pin"] = "jd_user"
        assert sent == expected, (path, header)
    robots = [c for p, c in seen if p == "/robots.txt"]
    assert robots and set(robots) == {"thor=LOGGED-IN; sec=TLS-ONLY"}  # the /Search cookie stays on its path
    assert stored_keys(data)


def test_session_cookies_match_domain_path_and_scheme(tmp_path):
    file = storage_state(tmp_path / "s.json", [
        cookie("d", "1", domain=".jd.com"), cookie("h", "2", domain="item.jd.com"),
        cookie("s", "3", domain=".jd.com", secure=True), cookie("p", "4", domain=".jd.com", path="/cart")])
    crawler = get_crawler(Spider, {"FIREWATCH_SESSIONS": {"jd": str(file)}})
    crawler.spider = Spider("jd")
    crawler.stats.open_spider()
    mw = SessionCookiesMiddleware.from_crawler(crawler)

    def sent(url, **meta):
        req = Request(url, meta=meta)
        mw.process_request(req)
        return sorted(v.split("=")[0] for v in req.headers.get("Cookie", b"").decode().split("; ") if v)

    assert sent("http://search.jd.com/Search") == ["d"]
    assert sent("http://item.jd.com/1.html") == ["d", "h"]
    assert sent("https://item.jd.com/cart/add") == ["d", "h", "p", "s"]
    assert sent("http://jd.com.evil.example/") == []
    assert sent("http://www.taobao.com/") == []
    assert sent("http://item.jd.com/1.html", cookiejar="second") == ["d", "h"]  # every jar is seeded
    other = get_crawler(Spider, {"FIREWATCH_SESSIONS": {"jd": str(file)}})
    other.spider = Spider("pdd")
    mw_pdd = SessionCookiesMiddleware.from_crawler(other)
    req = Request("http://item.jd.com/1.html")
    mw_pdd.process_request(req)
    assert b"Cookie" not in req.headers  # another platform's spider gets no jd session


@pytest.mark.parametrize("content, problem", [
    ("{not json", r"not valid JSON \(line 1 column 2"),
    ("[]", "top level is list"),
    ('{"origins": []}', "no 'cookies' list"),
    ('{"cookies": {}, "origins": []}', "'cookies' is dict, expected a list"),
    ('{"cookies": [], "origins": "x"}', "'origins' must be a list"),
    ('{"cookies": [{"name": "thor", "value": "v", "path": "/", "expires": -1, "httpOnly": true, "secure": false}]}',
     r"cookies\[0\] \('thor'\) has no 'domain'"),
    ('{"cookies": [{"name": "a", "value": "v", "domain": "x", "path": "/", "expires": "soon", "httpOnly": true, '
     '"secure": false}]}', r"cookies\[0\] \('a'\) field 'expires' is 'soon', expected a number"),
    ('{"cookies": [{"name": "a", "value": "v", "domain": "x", "path": "/", "expires": -1, "httpOnly": true, '
     '"secure": "no"}]}', "field 'secure' is 'no', expected true or false"),
    ('{"cookies": [{"name": "a", "value": "v", "domain": "x", "path": "p", "expires": -1, "httpOnly": true, '
     '"secure": false}]}', "path 'p' does not start with '/'"),
    ('{"cookies": [{"name": "a", "value": "v", "domain": "x", "path": "/", "expires": -1, "httpOnly": true, '
     '"secure": false, "sameSite": "Sometimes"}]}', "sameSite 'Sometimes' is not one of Strict, Lax, None"),
])
def test_malformed_session_file_gives_a_clear_error(tmp_path, content, problem):
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(SessionError, match=problem) as info:
        import_session("jd", file, tmp_path / "data")
    assert str(file) in str(info.value)
    assert not (tmp_path / "data" / "sessions" / "jd.json").exists()


def test_import_refuses_unknown_platform_missing_file_and_all_expired(tmp_path):
    file = storage_state(tmp_path / "s.json", [cookie("old", "x", expires=time.time() - 10)])
    with pytest.raises(SessionError, match="every cookie has expired"):
        import_session("jd", file, tmp_path / "data")
    with pytest.raises(UnknownPlatformError, match="known: jd"):
        import_session("amazon", file, tmp_path / "data")
    with pytest.raises(SessionError, match="file not found"):
        load_session(tmp_path / "missing.json")


def test_session_files_come_from_settings_and_the_import_folder(tmp_path):
    data = tmp_path / "data"
    import_session("jd", storage_state(tmp_path / "jd.json", [cookie("a", "1")]), data)
    storage_state(tmp_path / "pdd.json", [cookie("b", "2")])
    settings = load_settings(env={"FIREWATCH_DATA_DIR": str(data)}).with_overrides(
        {"crawl": {"sessions": {"pdd": str(tmp_path / "pdd.json")}}})
    assert session_files(settings) == {"jd": str(data / "sessions" / "jd.json"), "pdd": str(tmp_path / "pdd.json")}
    assert session_files(settings, ["jd"]) == {"jd": str(data / "sessions" / "jd.json")}
    broken = settings.with_overrides({"crawl": {"sessions": {"taobao": "nowhere.json"}}})
    with pytest.raises(SessionError, match=r"nowhere\.json: file not found"):
        session_files(broken)
