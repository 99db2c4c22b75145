"""Platform report files as leads, end to end: `firewatch import listings` (GBK CSV under a
title row, XLSX with shuffled Chinese columns, JSON) -> `firewatch process` (each listing's
real URL fetched and captured in Chromium through the demo market's host map, read, scored,
indexed) -> the review queue; provenance kept per row; a malformed file changes nothing;
importing a file again adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3

import pytest
from openpyxl import Workbook

from firewatch.store import open_store
from firewatch.web import queries
from firewatch.web.deps import User
from tests.helpers import market_env, whole_queue

CODE = "91350100M000100Y43"
SOURCE = "平台合规数据报送2026Q4"
PAYLOAD = '<img src=x onerror="alert(1)">某公司'


def _pick(market, platform, risky, n):
    found = [x for x in market.catalogue.by_platform(platform)
             if x.listed_day == 0 and x.delisted_day is None and x.risky == risky]
    return found[:n]


@pytest.fixture(scope="module")
def reports(demo_market, tmp_path_factory):
    """Three report files naming real listings of the demo market, and the listings they name."""
    folder = tmp_path_factory.mktemp("reports")
    jd = _pick(demo_market, "jd", True, 2) + _pick(demo_market, "jd", False, 1)
    ali = _pick(demo_market, "tmall", True, 1) + _pick(demo_market, "1688", True, 1)
    pdd = _pick(demo_market, "pdd", True, 1)
    # GBK CSV under two title rows; the first JD row names the listing only by its mobile URL
    rows = [["2026年第四季度 消防产品网络交易合规数据报送"], ["报送平台：京东（单位：元）"],
            ["序号", "商品链接", "商品名称", "销售价格", "店铺名称", "经营者名称", "统一社会信用代码", "年销售额标识",
             "涉嫌违法情形"]]
    for i, x in enumerate(jd, start=1):
        url = f"https://item.m.jd.com/product/{x.listing_id}.html" if i == 1 else x.url
        operator = PAYLOAD if i == 3 else f"{x.shop_name}有限公司"  # seller-written text is hostile
        rows.append([str(i), url, "" if i == 1 else x.title, str(x.price), x.shop_name, operator,
                     CODE, "是", "价格低于成本" if x.risky else ""])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (folder / "jd.csv").write_bytes(buf.getvalue().encode("gbk", errors="replace"))
    # XLSX: columns in another order, platform + item number instead of URLs
    wb = Workbook()
    ws = wb.active
    ws.append(["阿里系平台报送"])
    ws.append(["店铺名称", "平台商品编号", "价格(元)", "电商平台", "商品标题"])
    for x in ali:
        ws.append([x.shop_name, x.listing_id, float(x.price), {"tmall": "天猫", "1688": "1688"}[x.platform], x.title])
    wb.save(folder / "ali.xlsx")
    (folder / "pdd.json").write_text(json.dumps({"code": 0, "data": [
        {"商品链接": x.url, "商品名称": x.title, "店铺名称": x.shop_name} for x in pdd]}, ensure_ascii=False), encoding="utf-8")
    return folder, jd + ali + pdd


@pytest.fixture(scope="module")
def imported(reports, demo_market, trained_model, chromium, tmp_path_factory):
    from tests.helpers import run_cli

    folder, listings = reports
    data = tmp_path_factory.mktemp("import") / "data"
    shutil.copytree(trained_model.directory, data / "models")

    def run(*args):
        return run_cli("--data-dir", str(data), *args, env=market_env(demo_market))

    outputs = {name: run("import", "listings", str(folder / name), "--source", SOURCE)
               for name in ("jd.csv", "ali.xlsx", "pdd.json")}
    process = run("process")
    assert process.returncode == 0, process.stderr[-3000:]
    return data, listings, outputs, process, run


def test_each_file_imports_every_row(imported):
    _, listings, outputs, _, _ = imported
    for name, result in outputs.items():
        assert result.returncode == 0, (name, result.stderr)
    assert "新商品 new 3" in outputs["jd.csv"].stdout and "表头在第 3 行" in outputs["jd.csv"].stdout
    assert "新商品 new 2" in outputs["ali.xlsx"].stdout and "新商品 new 1" in outputs["pdd.json"].stdout


def test_pages_are_fetched_captured_scored_and_indexed(imported):
    data, listings, _, process, run = imported
    assert f"抓取线索页面 fetched {len(listings)}" in process.stdout
    with open_store(data / "firewatch.db") as store:
        for x in listings:
            stored = store.listings.get_listing((x.platform, x.listing_id))
            assert stored.title == x.title, "the page was not read"  # also for the row that gave no title
            assert stored.status == "active" and stored.url == x.url  # the real, canonical URL
            evidence = store.evidence.latest_evidence(stored.key)
            assert evidence is not None and evidence.url == x.url
            assert store.assessments.get_assessment(stored.key) is not None
        assert not store.queue.queue_counts().get("fetch")
    hits = run("search", listings[0].title.split()[0], "--json", "--limit", "200")
    assert (listings[0].platform, listings[0].listing_id) in {(h["platform"], h["listing_id"])
                                                            for h in map(json.loads, hits.stdout.splitlines())}


def test_risky_rows_reach_the_review_queue(imported):
    data, listings, _, _, _ = imported
    with open_store(data / "firewatch.db") as store:
        queued = {row.key for row in whole_queue(store, queries.QueueFilters())}
    risky = {(x.platform, x.listing_id) for x in listings if x.risky}
    assert len(risky & queued) >= len(risky) - 1, "the scorer missed more than one risky report row"
    assert queued  # and the queue shows them with their reasons


def test_every_row_keeps_its_provenance(imported, reports):
    data, listings, _, _, _ = imported
    folder, _ = reports
    import hashlib

    sha = hashlib.sha256((folder / "jd.csv").read_bytes()).hexdigest()
    with open_store(data / "firewatch.db") as store:
        sources = store.sources.sources_of((listings[0].platform, listings[0].listing_id))
        xlsx = store.sources.sources_of((listings[3].platform, listings[3].listing_id))
    report = [s for s in sources if s.kind == "report"]
    assert len(report) == 1 and report[0].name == SOURCE and report[0].ref == f"{sha}:4"  # under 2 title rows + header
    assert report[0].detail["file"] == "jd.csv" and report[0].detail["seller"]["credit_code"] == CODE
    assert report[0].first_seen is not None and report[0].last_seen >= report[0].first_seen
    assert xlsx[0].detail["row"] == "3"


def test_importing_the_same_file_again_adds_nothing(imported, reports):
    data, _, _, _, run = imported
    folder, _ = reports
    before = _counts(data)
    again = run("import", "listings", str(folder / "jd.csv"), "--source", "另一个名字")
    assert again.returncode == 0 and "导入过" in again.stdout
    assert _counts(data) == before


def _counts(data):
    db = sqlite3.connect(data / "firewatch.db")
    try:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("listings", "listing_sources", "import_files", "queue", "snapshots")}
    finally:
        db.close()


def test_a_malformed_file_names_its_bad_rows_and_changes_nothing(imported, demo_market, tmp_path):
    data, listings, _, _, run = imported
    good = _pick(demo_market, "jd", True, 4)[-1]
    rows = [["标题行：某平台报送"], ["商品链接", "商品名称", "价格", "统一社会信用代码"],
            [good.url, good.title, "12", CODE],
            ["https://shop.example.com/item/1", "假链接", "12", ""],
            [good.url.replace(".html", "x.html"), "<script>alert(1)</script>", "免费", CODE[:17] + "0"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(buf.getvalue().encode("gbk"))
    before = _counts(data)
    result = run("import", "listings", str(bad), "--source", SOURCE)
    assert result.returncode == 65
    assert "第 4 行" in result.stderr and "不是受监测平台" in result.stderr
    assert "第 5 行" in result.stderr and "价格无法识别" in result.stderr and "校验位" in result.stderr
    assert "第 3 行" not in result.stderr
    assert "未导入任何内容" in result.stderr
    assert _counts(data) == before
    # the good rows alone, when asked for
    partial = run("import", "listings", str(bad), "--source", SOURCE, "--skip-bad-rows")
    assert partial.returncode == 0 and "新商品 new 1" in partial.stdout
    with open_store(data / "firewatch.db") as store:
        assert store.listings.get_listing((good.platform, good.listing_id)) is not None


def test_platform_users_do_not_see_report_rows_as_listings(imported):
    """A report's listing is reviewed like any: a platform sees it only once confirmed."""
    data, listings, _, _, _ = imported
    with open_store(data / "firewatch.db") as store:
        user = User("jd_team", "platform", "jd")
        assert not queries.may_see(user, store, (listings[0].platform, listings[0].listing_id))


def test_the_listing_page_and_api_show_provenance_escaped(imported):
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.security import hash_password
    from firewatch.web.serving import AppServer
    from tests.helpers import PASSWORD, login_client

    data, listings, _, _, _ = imported
    with open_store(data / "firewatch.db") as store:
        store.users.add_user("reviewer", "regulator", hash_password(PASSWORD))
        store.users.add_user("jd_team", "platform", hash_password(PASSWORD), platform="jd")
    server = AppServer(create_app(load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})))
    url = server.start()
    try:
        client = login_client(url, "reviewer")
        hostile = listings[2]
        page = client.get(f"/listings/{hostile.platform}/{hostile.listing_id}")
        assert page.status_code == 200
        assert "线索来源" in page.text and "平台报送" in page.text and "jd.csv 第 6 行" in page.text
        assert "北京时间" in page.text and "91350100M000100Y43" in page.text
        assert PAYLOAD not in page.text and "&lt;img src=x onerror=" in page.text
        api = client.get(f"/api/v1/listings/{hostile.platform}/{hostile.listing_id}").json()
        assert {s["kind"] for s in api["sources"]} == {"report"}
        assert api["sources"][0]["detail"]["seller"]["operator"] == PAYLOAD  # data stays as sent; only display escapes
        # a platform never sees where a lead came from
        with open_store(data / "firewatch.db") as store:
            from firewatch.core.models import Decision
            store.reviews.record_decision(Decision(hostile.platform, hostile.listing_id, "reviewer", "confirm"))
        platform = login_client(url, "jd_team")
        seen = platform.get(f"/listings/{hostile.platform}/{hostile.listing_id}")
        assert seen.status_code == 200 and "线索来源" not in seen.text
        assert platform.get(f"/api/v1/listings/{hostile.platform}/{hostile.listing_id}").json()["sources"] == []
    finally:
        server.stop()


def test_a_reported_page_the_platform_answers_404_is_recorded_removed(imported, tmp_path):
    """A reported listing whose item page answers 404 (the platform says it does not exist: a removal,
    `crawler.platforms.gone`) is still scored from what the row said, and stored removed with the 404 as
    evidence; its fetch is done (it used to stay queued as an unreadable page, never verified)."""
    data, _, _, _, run = imported
    gone = ("jd", "999999999999")
    rows = [["商品链接", "商品名称", "销售价格"], [f"https://item.jd.com/{gone[1]}.html", "年检专用 干粉灭火器 4kg 便宜", "9.9"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (tmp_path / "gone.csv").write_text(buf.getvalue(), encoding="utf-8")
    assert run("import", "listings", str(tmp_path / "gone.csv"), "--source", SOURCE).returncode == 0
    process = run("process")
    assert process.returncode == 0, process.stdout + process.stderr
    with open_store(data / "firewatch.db") as store:
        listing = store.listings.get_listing(gone)
        assert listing.title == "年检专用 干粉灭火器 4kg 便宜" and listing.status == "removed"
        assert store.assessments.get_assessment(gone) is not None  # judged on the row's own words
        assert not store.queue.queue_counts().get("fetch")
        seen = store.listings.latest_removal(gone)
    assert (seen.basis, seen.http_status, seen.final_url) == ("http_status", 404, f"https://item.jd.com/{gone[1]}.html")
    assert "页面不存在" in seen.text
