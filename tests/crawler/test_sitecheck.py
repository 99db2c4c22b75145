"""`firewatch sites check` against a real demo market reached through its host map: reachability,
robots.txt per flow and the legal basis, live session probes (valid, logged out, none), the
last block from the store's crawl runs, and the exit status."""
from __future__ import annotations

import json
import socket
import time

import pytest

from crawler.sitecheck import check_sites, last_block
from demo_market.server import QUIET
from firewatch.core.settings import load_settings
from firewatch.store import open_store
from tests.helpers import market_args

NOT_CRAWLABLE = 3


@pytest.fixture(scope="module")
def market(start_market):
    """This module's own quiet replica (tests here log its sessions out)."""
    return start_market(seed=7, size=200, **QUIET)


@pytest.fixture()
def data(tmp_path):
    return tmp_path / "data"


def checked(result) -> dict[str, dict]:
    """platform -> its JSON line."""
    return {row["platform"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_a_valid_session_passes_and_a_logged_out_one_is_expired(market, data, run_firewatch):
    args = ["sites", "check", "--platform", "jd", *market_args(market, data)]
    ok = run_firewatch(*args, data_dir=data)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "有效 valid" in ok.stdout and "可抓取 ok" in ok.stdout
    row = checked(run_firewatch(*args, "--json", data_dir=data))["jd"]
    assert row["crawlable"] and row["reachable"] and row["robots_allowed"] is True
    assert row["session"]["state"] == "valid" and row["login_needed"]

    market.expire_sessions("jd")  # the site logs the session out; the file still looks fine
    expired = run_firewatch(*args[:4], "--resolve", f"*={market.address}", "--trust-ca", market.ca_file,
                            data_dir=data)
    assert expired.returncode == NOT_CRAWLABLE
    assert "失效 expired" in expired.stdout and "session_expired" in expired.stdout
    assert "firewatch session import --platform jd FILE" in expired.stdout
    row = checked(run_firewatch(*args[:4], "--json", "--resolve", f"*={market.address}", "--trust-ca",
                                market.ca_file, data_dir=data))["jd"]
    assert row["session"]["state"] == "expired" and "passport.jd.com" in row["session"]["detail"]
    assert [p["code"] for p in row["problems"] if p["fatal"]] == ["session_expired"]

    market.write_sessions(data, platforms=("jd",))  # re-imported after logging in again
    assert run_firewatch(*args[:4], "--resolve", f"*={market.address}", "--trust-ca", market.ca_file,
                         data_dir=data).returncode == 0


def test_a_login_flow_without_a_session_cannot_be_crawled_but_pdd_can(market, data, run_firewatch):
    args = ["sites", "check", "--platform", "jd", "--platform", "pdd", "--json",
            "--resolve", f"*={market.address}", "--trust-ca", market.ca_file]
    result = run_firewatch(*args, data_dir=data)
    assert result.returncode == NOT_CRAWLABLE
    rows = checked(result)
    assert rows["jd"]["session"]["state"] == "none" and not rows["jd"]["crawlable"]
    assert [p["code"] for p in rows["jd"]["problems"]] == ["session_missing"]
    assert "firewatch session import --platform jd" in rows["jd"]["problems"][0]["fix"]
    assert rows["pdd"]["session"]["state"] == "none" and rows["pdd"]["crawlable"]
    assert not rows["pdd"]["login_needed"]


def test_taobao_robots_disallow_needs_a_legal_basis(market, data, run_firewatch):
    args = ["sites", "check", "--platform", "taobao", *market_args(market, data)]
    refused = run_firewatch(*args, data_dir=data)
    assert refused.returncode == NOT_CRAWLABLE
    assert "禁止 disallowed" in refused.stdout and "robots_disallowed" in refused.stdout
    assert "[crawl.legal_basis] taobao" in refused.stdout  # the fix, not swallowed as markup
    row = checked(run_firewatch(*args, "--json", data_dir=data))["taobao"]
    assert row["robots_allowed"] is False and {r["flow"]: r["allowed"] for r in row["robots"]} == {
        "search": False, "item": False, "item:tmall": False}
    assert row["session"]["state"] == "unchecked"  # the search page robots.txt forbids is not requested
    assert not any(f["url"].startswith("https://s.taobao.com/search") for f in row["fetches"])

    basis = "阿里巴巴书面授权 测试第1号"
    env = {"FIREWATCH_CRAWL__LEGAL_BASIS": json.dumps({"taobao": basis})}
    allowed = run_firewatch(*args, data_dir=data, env=env)
    assert allowed.returncode == 0, allowed.stdout
    assert basis in allowed.stdout and "可抓取 ok" in allowed.stdout
    row = checked(run_firewatch(*args, "--json", data_dir=data, env=env))["taobao"]
    assert row["crawlable"] and row["legal_basis"] == basis
    assert row["session"]["state"] == "valid"  # with a basis the search page is probed


def test_an_unreachable_host_map_is_reported_with_what_to_check(data, run_firewatch):
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        address = "127.0.0.1:%d" % closed.getsockname()[1]
        result = run_firewatch("sites", "check", "--platform", "jd", "--platform", "1688", "--resolve",
                               f"*={address}", data_dir=data)
        rows = checked(run_firewatch("sites", "check", "--platform", "1688", "--json", "--resolve",
                                     f"*={address}", data_dir=data))
    assert result.returncode == NOT_CRAWLABLE
    assert result.stdout.count("否 no") == 2 and "unreachable" in result.stdout
    assert f"*={address}" in result.stdout  # the host map in force, to check
    row = rows["1688"]
    assert not row["reachable"] and row["robots_allowed"] is None and row["session"]["state"] == "none"
    assert [p["code"] for p in row["problems"]] == ["unreachable"]
    assert len(row["fetches"]) == 1 and "ConnectError" in row["fetches"][0]["error"]  # no second wait


def test_a_silent_host_times_out_after_the_timeout_option(data, run_firewatch):
    with socket.socket() as silent:  # accepts connections (backlog) but never answers the TLS handshake
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        rows = checked(run_firewatch("sites", "check", "--platform", "pdd", "--json", "--timeout", "0.5",
                                     "--resolve", "*=127.0.0.1:%d" % silent.getsockname()[1], data_dir=data))
        elapsed = time.monotonic() - started
    assert not rows["pdd"]["reachable"] and "timeout" in rows["pdd"]["fetches"][0]["error"]
    assert elapsed < 5


def test_last_block_comes_from_the_newest_blocked_crawl_run(market, data, run_firewatch):
    settings = load_settings(env={"FIREWATCH_DATA_DIR": str(data)})
    with open_store(settings.store_path) as store:
        blocked = store.listings.start_crawl_run("pdd")
        store.listings.finish_crawl_run(blocked, "finished", pages=5, blocks=7)
        store.listings.finish_crawl_run(store.listings.start_crawl_run("jd"), "finished", pages=5, blocks=2)
        runs = store.listings.crawl_runs()
    args = ["sites", "check", "--platform", "pdd", *market_args(market, data)]
    result = run_firewatch(*args, data_dir=data)
    assert result.returncode == 0  # a past block is reported, it does not stop a crawl
    assert "7 次" in result.stdout and "北京时间" in result.stdout and "recent_blocks" in result.stdout
    last = last_block(runs, "pdd")
    assert (last.run_id, last.blocks, last.latest) == (blocked, 7, True)

    with open_store(settings.store_path) as store:  # a later clean run: still shown, no longer a warning
        store.listings.finish_crawl_run(store.listings.start_crawl_run("pdd"), "finished", pages=5)
    row = checked(run_firewatch(*args, "--json", data_dir=data))["pdd"]
    assert row["last_block"]["run_id"] == blocked and row["last_block"]["blocks"] == 7
    assert not row["last_block"]["latest"] and row["problems"] == []
    assert last_block(runs, "1688") is None


def test_session_files_judged_before_any_request(market, tmp_path):
    """An expired cookie in the file is expired, a file without the site's session cookie or
    unreadable is invalid; neither is sent to the site."""
    folder = tmp_path / "sessions"
    folder.mkdir()
    state = market.issue_session("jd")
    state["cookies"][0]["expires"] = 1_000_000  # 1970
    (folder / "jd.json").write_text(json.dumps(state), encoding="utf-8")
    other = market.issue_session("pdd")  # a PDD login imported as 1688's
    (folder / "1688.json").write_text(json.dumps(other), encoding="utf-8")
    (folder / "pdd.json").write_text("{not json", encoding="utf-8")
    settings = load_settings(env={"FIREWATCH_DATA_DIR": str(tmp_path)}).with_overrides(
        {"crawl": {"resolve": market.resolve, "trust_ca": market.ca_file}})
    checks = {c.platform: c for c in check_sites(settings, ["jd", "1688", "pdd"], timeout=10)}
    assert checks["jd"].session.state == "expired" and "thor" in checks["jd"].session.detail
    assert [p.code for p in checks["jd"].problems] == ["session_expired"]
    assert checks["1688"].session.state == "invalid" and "cookie2" in checks["1688"].session.detail
    assert checks["1688"].crawlable  # 1688's search needs no login: a warning only
    assert [p.code for p in checks["1688"].problems] == ["session_expired_optional"]
    assert checks["pdd"].session.state == "invalid" and "not valid JSON" in checks["pdd"].session.detail


def test_help_names_the_exit_status(run_firewatch):
    result = run_firewatch("sites", "check", "--help")
    assert result.returncode == 0
    assert "3 when one cannot" in result.stdout and "docs/live.md" in result.stdout
