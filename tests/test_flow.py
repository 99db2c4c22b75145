"""The whole flow once, real at every stage, through the command line.

demo market (HTTP on port 0) -> `firewatch crawl` (Scrapy, child process) -> store ->
`firewatch process` (jieba + scikit-learn scoring with the session's model, Playwright
screenshots in Debian's Chromium, SQLite FTS5 index) -> `firewatch search`, `export
takedown`, `export evidence`, `verify` (and `verify` failing on a tampered pack). Every
command but the crawl runs in this process (`tests.helpers.run_cli`). Once with the store in
a SQLite file, once in PostgreSQL (`[store] url` from the environment, as a deployment sets it).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from firewatch.core.datapaths import resolve_path
from firewatch.store import open_store
from tests.helpers import ROOT, firewatch_command, market_args, market_env, run_cli


def _flow_store(request, data: Path) -> tuple[str, dict[str, str]]:
    """The store's URL and the environment naming it: a file in the data dir, or a fresh schema
    in the session's PostgreSQL."""
    if request.param == "sqlite":
        return str(data / "firewatch.db"), {}
    url = request.getfixturevalue("pg_cluster").new_schema("flow")
    return url, {"FIREWATCH_STORE__URL": url}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def flow(request, demo_market, trained_model, chromium, tmp_path_factory):
    data = tmp_path_factory.mktemp("flow") / "data"
    store_url, store_env = _flow_store(request, data)
    env = {**market_env(demo_market), **store_env}

    def run(*args):  # with the market's host map, as the crawl: captures reach the replica too
        return run_cli("--data-dir", str(data), *args, env=env)

    crawl = subprocess.run(firewatch_command(data, "crawl", *market_args(demo_market, data), "--query", "灭火器",
                                             "--query", "呼吸器", "--platform", "jd", "--platform", "taobao",
                                             "--platform", "pdd", "--platform", "1688", "--no-progress"),
                           capture_output=True, text=True, timeout=600, cwd=ROOT, env={**os.environ, **env})
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    shutil.copytree(trained_model.directory, data / "models")
    process = run("--verbose", "process", "--max-captures", "4")
    assert process.returncode == 0, process.stderr[-3000:]
    return data, run, store_url


def test_crawl_reaches_every_platform(flow, demo_market):
    data, _, store_url = flow
    with open_store(store_url) as store:
        counts = store.listings.count_listings()
    assert {"jd", "taobao", "tmall", "pdd", "1688"} <= set(counts)
    expected = {(l.platform, l.listing_id) for kw in ("灭火器", "呼吸器")
                for l in demo_market.catalogue.search(kw, 0, ("jd", "taobao", "tmall", "pdd", "1688"))}
    assert sum(counts.values()) == len(expected)


def test_flags_have_reasons_and_screenshots_have_hashes(flow):
    data, _, store_url = flow
    with open_store(store_url) as store:
        flagged = store.assessments.flagged()
        assert flagged, "no listing was flagged"
        assert all(a.reasons for _, a in flagged), "a flag without a reason"
        captured = [store.evidence.latest_evidence(l.key) for l, _ in flagged if store.evidence.latest_evidence(l.key)]
        assert len(captured) == 4
        assert store.queue.queue_counts().get("capture", 0) == len(flagged) - 4  # the rest wait, nothing lost
        # `process` ran the alert rules: every flag at or above the alert threshold raised one alert
        new_flagged = {a.key for a in store.alerts.alerts() if a.rule == "new_flagged"}
        assert new_flagged == {l.key for l, a in flagged if a.risk_score >= 0.8}
    for evidence in captured:
        shot = next(a for a in evidence.artefacts if a.media_type == "image/png")
        png = resolve_path(evidence.directory, data) / shot.name  # stored relative to the data folder
        assert png.is_relative_to(data / "evidence")
        assert hashlib.sha256(png.read_bytes()).hexdigest() == shot.sha256
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_finds_two_character_query(flow):
    _, run, _ = flow
    result = run("search", "灭火", "--json", "--limit", "500")
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and all("灭火" in h["title"] or "灭火" in h["shop_name"] for h in hits[:50])
    table = run("search", "灭火", "--flagged")
    assert table.returncode == 0 and "灭火" in table.stdout


def test_takedown_list_holds_one_platform(flow, tmp_path):
    data, run, store_url = flow
    out = tmp_path / "jd.csv"
    result = run("export", "takedown", "--platform", "jd", "--format", "csv", "--include-unconfirmed",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    with open_store(store_url) as store:
        assert len(rows) == len(store.assessments.flagged("jd")) > 0
    assert {r["平台"] for r in rows} == {"jd"}
    assert all(r["原因代码"] for r in rows)


def test_evidence_pack_verifies_and_tampering_is_named(flow, tmp_path):
    data, run, store_url = flow
    with open_store(store_url) as store:
        key = next(l.key for l, _ in store.assessments.flagged() if store.evidence.latest_evidence(l.key))
    pack = tmp_path / "pack.zip"
    made = run("export", "evidence", f"{key[0]}:{key[1]}", "--out", str(pack))
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(pack) as z:
        names = z.namelist()
    assert any(n.endswith("screenshot.png") for n in names)
    assert any(n.endswith("page.html") for n in names)
    assert any(n.endswith("assessment.json") for n in names)
    assert "manifest.json" in names
    ok = run("verify", str(pack))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    member = next(n for n in names if n.endswith("page.html"))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                body = body.replace("灭火".encode(), "合格".encode(), 1) + b"<!-- edited -->"
            dst.writestr(info, body)
    bad = run("verify", str(tampered))
    assert bad.returncode != 0
    assert member in bad.stdout + bad.stderr


def test_process_groups_the_crawled_shops_into_sellers(flow, demo_market):
    """`firewatch process` runs the sellers step: every crawled shop has a seller, the grouping it built
    as listings arrived equals a full recompute (`firewatch sellers rebuild`), every link names its key,
    and shops put together truly belong together (pairwise precision against the replica's networks;
    recall is not asserted here: a crawl of two keywords sees only some listings of each shop, so some
    shops show no key at all; the whole catalogue's recall is test_sellers.py's)."""
    from firewatch.services.sellers import pairwise_scores

    _, run, store_url = flow
    truth = {shop: net.network_id for net in demo_market.catalogue.networks for shop in net.shops}

    def groups() -> dict:
        with open_store(store_url) as store:
            shops = {(r[0], r[1]) for r in store._db.execute("SELECT DISTINCT platform, shop_id FROM listings")}
            sellers = {shop: store.sellers.seller_of_shop(*shop) for shop in shops}
            links = [k for s in set(sellers.values()) if s is not None for k in store.sellers.links(s)]
        members: dict = {}
        for shop, seller in sellers.items():
            members.setdefault(seller, set()).add(shop)
        return sellers, {shop: frozenset(members[seller]) for shop, seller in sellers.items()}, links

    sellers, as_processed, links = groups()
    assert None not in sellers.values()
    assert links and all(k["kind"] and k["value"] for k in links)
    scores = pairwise_scores(sellers, {s: truth.get(s, ("alone", s)) for s in sellers})
    assert scores["predicted_pairs"] >= 10 and scores["precision"] >= 0.9, scores
    assert run("sellers", "rebuild").returncode == 0
    assert groups()[1] == as_processed  # incremental = full recompute
