"""Blocked never loses work: each kind of request that fails still leaves its listing stored.

A real `firewatch crawl` child against a demo market whose answers the test turns hostile per
request kind, through a gate in front of the market's routes: a blocked price answer keeps the
item with its price pending; a blocked item page keeps what the search showed, as blocked; an
item page that keeps failing keeps it as unknown; a blocked search page is remembered and the
next run resumes there; a logged-out session pauses the platform with a 会话失效 alert and
stores no login page.
"""

from __future__ import annotations

import json

import pytest
from fastapi.responses import JSONResponse, PlainTextResponse

from demo_market.server import QUIET
from firewatch.store import open_store
from tests.helpers import market_args, market_env

QUERY = "灭火器"


class Gate:
    """Answers chosen requests itself while `on` (the others reach the market)."""

    def __init__(self, answer):
        self.answer = answer
        self.on = True

    async def __call__(self, request, call_next):
        if self.on:
            response = self.answer(request)
            if response is not None:
                return response
        return await call_next(request)


def gated_market(answer) -> tuple[object, Gate]:
    from demo_market.server import DemoMarket

    market = DemoMarket(seed=7, **QUIET)
    gate = Gate(answer)
    market.app.middleware("http")(gate)
    market.start(host="127.0.0.1", port=0)
    return market, gate


@pytest.fixture
def gated():
    """`gated(answer)`: a started `gated_market`, stopped after the test."""
    started = []

    def start(answer):
        market, gate = gated_market(answer)
        started.append(market)
        return market, gate

    yield start
    for market in started:
        market.stop()


def crawl(spawn_firewatch, market, data, *platforms, **env):
    extra = {f"FIREWATCH_CRAWL__{k.upper()}": str(v) for k, v in env.items()}
    args = ["crawl", *sum((["--platform", p] for p in platforms), []), "--query", QUERY, "--no-progress"]
    return spawn_firewatch(*args, *market_args(market, data), data_dir=data, env={**market_env(market), **extra})


def listings(data) -> dict:
    with open_store(data / "firewatch.db") as store:
        return {l.key: l for l in store.listings.iter_listings()}


def expected(market, platforms=("jd",)) -> set:
    return {(l.platform, l.listing_id) for l in market.catalogue.search(QUERY, 0, platforms)}


def runs(data) -> list[dict]:
    with open_store(data / "firewatch.db") as store:
        return store.listings.crawl_runs()


def test_a_blocked_price_answer_keeps_the_item_with_its_price_pending(spawn_firewatch, gated, tmp_path):
    def answer(request):
        if request.url.path == "/jd/api" and "pc_detailpage_wareBusiness" in request.url.query:
            return JSONResponse({"code": "605", "echo": "risk"})  # JD's block: HTTP 200, a JSON code
        return None

    market, _ = gated(answer)
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "jd", max_blocks=2, block_backoff=0.01)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = listings(data)
    assert set(stored) == expected(market)  # 0 lost
    assert all(l.status == "active" for l in stored.values())  # never "removed" for want of a price
    pending = [l for l in stored.values() if l.price_pending]
    assert pending and all(l.display_price is not None for l in pending)  # the search page's price is kept
    assert sum(r["blocks"] for r in runs(data)) > 2


def test_blocked_item_pages_keep_what_the_search_showed_as_blocked(spawn_firewatch, gated, tmp_path):
    def answer(request):
        if request.url.path.startswith("/pdd/goods.html"):
            return PlainTextResponse("", status_code=302, headers={
                "Location": "https://mobile.yangkeduo.com/psnl_verification.html?from=x"})
        return None

    market, _ = gated(answer)
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "pdd", max_blocks=3, block_backoff=0.01)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = listings(data)
    assert set(stored) == expected(market, ("pdd",))
    assert {l.status for l in stored.values()} == {"blocked"}
    assert all(l.title and "验证" not in l.title for l in stored.values())


def test_item_pages_that_keep_failing_keep_the_listing_as_unknown(spawn_firewatch, gated, tmp_path):
    def answer(request):
        if request.url.path.startswith("/1688/offer/"):
            return PlainTextResponse("Service Unavailable", status_code=503)
        return None

    market, _ = gated(answer)
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "1688", retry_times=1)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = listings(data)
    assert set(stored) == expected(market, ("1688",))
    assert {l.status for l in stored.values()} == {"unknown"}


def test_a_blocked_search_page_is_where_the_next_run_starts(spawn_firewatch, gated, tmp_path):
    def answer(request):  # page 2 of JD's search API answers a block code, however often it is asked
        if "pc_search_searchWare" in request.url.query and '"page":2' in request.query_params.get("body", ""):
            return JSONResponse({"code": "605", "echo": "risk"})
        return None

    market, gate = gated(answer)
    data = tmp_path / "data"
    first = crawl(spawn_firewatch, market, data, "jd", max_blocks=2, block_backoff=0.01)
    assert first.returncode == 0, first.stderr[-3000:]
    with open_store(data / "firewatch.db") as store:
        assert store.listings.resume_pages("jd") == {QUERY: 2}
    after_first = listings(data)
    assert after_first and set(after_first) < expected(market)
    page_one = f"/jd/search_shell?keyword={QUERY}&enc=utf-8&page=1"
    shells = lambda: {k: v for k, v in market.request_counts().items() if k.startswith("/jd/search_shell")}  # noqa: E731
    before = sum(n for k, n in shells().items() if "page=1" in k)

    gate.on = False
    second = crawl(spawn_firewatch, market, data, "jd")
    assert second.returncode == 0, second.stderr[-3000:]
    assert set(listings(data)) == expected(market)  # the rest came from page 2 on
    assert sum(n for k, n in shells().items() if "page=1" in k) == before, page_one  # page 1 not asked again
    with open_store(data / "firewatch.db") as store:
        assert store.listings.resume_pages("jd") == {}


def test_a_logged_out_session_pauses_the_platform_with_an_alert(spawn_firewatch, start_market, run_firewatch, tmp_path):
    market = start_market(seed=7, **QUIET)
    data = tmp_path / "data"
    args = market_args(market, data)  # imports a session per platform
    market.expire_sessions("jd")  # then the site logs the jd one out
    result = spawn_firewatch("crawl", "--platform", "jd", "--platform", "pdd", "--query", QUERY, "--no-progress",
                             *args, data_dir=data, env=market_env(market))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "会话失效" in result.stderr and "firewatch session import --platform jd" in result.stderr
    stored = listings(data)
    assert not any(key[0] == "jd" for key in stored)  # no login page became a listing
    assert set(stored) == expected(market, ("pdd",))  # the other platform went on
    outcomes = {r["platform"]: r["outcome"] for r in runs(data)}
    assert outcomes == {"jd": "session_expired", "pdd": "finished"}
    conditions = {r["platform"]: json.loads(r["conditions"]) for r in runs(data)}
    assert conditions["jd"]["host_map"] == {"*": market.address} and conditions["jd"]["session"] is True
    assert run_firewatch("alerts", "run", data_dir=data).returncode == 0
    listed = run_firewatch("alerts", "list", data_dir=data)
    assert "会话失效" in listed.stdout and "京东" in listed.stdout


def test_a_platform_whose_robots_txt_disallows_the_crawl_is_refused_unless_a_legal_basis_is_named(
        spawn_firewatch, start_market, tmp_path):
    market = start_market(seed=7, **QUIET)
    data = tmp_path / "data"
    args = ["crawl", "--query", QUERY, "--no-progress", *market_args(market, data)]  # no legal basis
    alone = spawn_firewatch(*args, "--platform", "taobao", data_dir=data)
    assert alone.returncode == 77, alone.stderr[-3000:]
    assert "robots.txt 不允许抓取" in alone.stderr and "legal_basis" in alone.stderr
    both = spawn_firewatch(*args, "--platform", "taobao", "--platform", "pdd", data_dir=data)
    assert both.returncode == 0, both.stderr[-3000:]
    assert "拒绝 refused taobao" in both.stderr
    assert {key[0] for key in listings(data)} == {"pdd"}  # nothing fetched from the refused platform
    outcomes = [(r["platform"], r["outcome"]) for r in sorted(runs(data), key=lambda r: r["id"])]
    assert outcomes == [("taobao", "refused_robots"), ("taobao", "refused_robots"), ("pdd", "finished")]
    assert not [k for k in market.request_counts() if k.startswith("/taobao/") and "robots" not in k]
    with_basis = spawn_firewatch(*args, "--platform", "taobao", data_dir=data, env=market_env(market))
    assert with_basis.returncode == 0, with_basis.stderr[-3000:]
    basis = json.loads(sorted(runs(data), key=lambda r: r["id"])[-1]["conditions"])["legal_basis"]
    assert basis == "test replica" and any(key[0] in ("taobao", "tmall") for key in listings(data))


def test_a_compressed_captcha_page_is_seen_as_a_block(spawn_firewatch, gated, tmp_path):
    import gzip

    from fastapi.responses import Response

    captcha = gzip.compress("<html><head><title>安全验证</title></head><body><div id='nocaptcha'></div>"
                            "</body></html>".encode("utf-8"))

    def answer(request):  # a real site gzips its walls too
        if request.url.path.startswith("/1688/offer/"):
            return Response(captcha, headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"})
        return None

    market, _ = gated(answer)
    data = tmp_path / "data"
    result = crawl(spawn_firewatch, market, data, "1688", max_blocks=2, block_backoff=0.01)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = listings(data)
    assert set(stored) == expected(market, ("1688",))
    assert {l.status for l in stored.values()} == {"blocked"}  # not a listing titled 安全验证
    assert sum(r["blocks"] for r in runs(data)) > 2
