"""Benchmark: bulk indexing and 100 representative queries on SQLite FTS5 and Elasticsearch.

Synthetic listings are made from the demo catalogue (titles, shops, attributes,
descriptions; ids, prices, dates, categories, risk and reasons varied by a seeded RNG).
For each backend it reports bulk indexing speed (documents/s, jieba tokenisation
included) and p50/p95 latency of 100 queries (text, filters, sorts, facets) at
`--size` listings, the Elasticsearch/SQLite ratio of the same run, and SQLite alone at
`--sqlite-size`. Elasticsearch comes from `--url` (e.g. what `make es` printed) or,
without it, from a node this script starts with `firewatch.search.es_node.EsCluster`
and stops at the end. It also checks that both backends gave the same totals, facets
and (except BM25-ordered) pages, and ends with a Markdown table of the figures.

First, bulk indexing of `--write-size` pre-built listings (default 50,000) by the previous SQLite
backend with the previous tokenizer (Python jieba; `benchmarks/baseline.py` loads the old module
from git) against this backend with rjieba, and on Elasticsearch jieba against rjieba: docs/s
and the ratio of the same run (goal 10,000 docs/s). `--size 0 --sqlite-size 0` runs only that.

Run: `.venv/bin/python benchmarks/bench_index.py [--quick] [--size N] [--sqlite-size N] [--write-size N] [--url URL | --no-es]`
(full size: 200,000 on both, 1,000,000 on SQLite; `--quick`: 5,000 and 20,000).
"""

from __future__ import annotations

import argparse
import os
from platform import python_version
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.core.models import PLATFORMS, Assessment, Listing, Reason  # noqa: E402
from firewatch.search import SearchQuery, open_index  # noqa: E402
from firewatch.search.es_node import VERSION  # noqa: E402
from firewatch.search.sqlite_fts import TOTAL_CAP  # noqa: E402
from firewatch.core.text import use_engine  # noqa: E402
from baseline import baseline_sqlite_fts  # noqa: E402

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)
TEXTS = ["灭火", "灭火器", "烟感", "呼吸器", "防火门", "消防水带", "应急灯", "喷头", "mfz/abc4", "干粉灭火器 4kg",
         "年检", "3c", "国标", "旗舰店", "批发", "防火涂料", "灭火毯", "七氟丙烷", "阻燃电缆", "二氧化碳"]
KINDS = ["text", "text+filters/risk", "text+price/facets", "filters/newest/facets", "text+filters/pages"]
REASONS = ["inspection_only", "no_certification", "price_too_low", "refurbished", "no_manufacturer"]


POOL_SIZE = 20_000  # distinct demo-market listings the synthetic ones are recombined from


def _pool():
    """20,000 demo-market catalogue listings (seed 7): titles, shops, attributes, descriptions."""
    return build_catalogue(seed=7, size=POOL_SIZE).listings


def synthetic(n: int, seed: int = 7):
    """`n` (listing, assessment) pairs made from the demo catalogue generator, deterministic.

    Each listing takes its title, shop and attributes from one pool listing and its
    description from another, so the texts do not simply repeat every few thousand listings.
    """
    rng = random.Random(seed)
    cat = _pool()
    for i in range(n):
        c = cat[rng.randrange(len(cat))]
        d = cat[rng.randrange(len(cat))]
        platform = PLATFORMS[i % len(PLATFORMS)]
        seen = BASE + timedelta(minutes=rng.randrange(0, 60 * 24 * 330))
        price = (c.price * Decimal(rng.randrange(60, 140)) / 100).quantize(Decimal("0.01"))
        listing = Listing(platform, f"{i:09d}", url=f"https://example.test/{i}", title=c.title, price=price,
                          shop_id=f"s{i % 5000}", shop_name=f"{c.shop_name}{i % 97}", attributes=dict(c.attributes),
                          description=d.description, status="active" if rng.random() < 0.9 else "removed",
                          first_seen=seen - timedelta(days=30), last_seen=seen)
        risk = round(rng.random(), 3)
        reasons = [Reason(r, "…") for r in rng.sample(REASONS, rng.randrange(0, 3))] if risk >= 0.5 else []
        yield listing, Assessment(platform, listing.listing_id, c.true_category, 0.8, risk, risk >= 0.5,
                                  reasons=reasons, assessed_at=seen)


def queries(n: int = 100, seed: int = 11) -> list[SearchQuery]:
    """Representative mix: text alone, text with filters, filters only, sorts, facets, deeper pages."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 5
        text = rng.choice(TEXTS)
        if kind == 0:
            q = SearchQuery(text)
        elif kind == 1:
            q = SearchQuery(text, platform=rng.choice(PLATFORMS), flagged=True, sort="risk")
        elif kind == 2:
            q = SearchQuery(text, min_price=rng.choice([10, 50]), max_price=rng.choice([100, 500]), sort="price_asc",
                            facets=True)
        elif kind == 3:
            q = SearchQuery(reason=rng.choice(REASONS), since="2026-06-01", sort="newest", facets=True)
        else:
            q = SearchQuery(text, category="portable_extinguisher", status="active", page=rng.randrange(1, 6))
        out.append(q)
    return out


def _comparable(q: SearchQuery, result) -> tuple:
    """What both backends must agree on: totals, facets, and the page unless it is BM25-ordered.

    Past TOTAL_CAP matches SQLite counts up to the cap (and takes facets from those first
    matches): then both need only be past the cap."""
    ranked = q.sort == "relevance" and bool(q.text.strip())
    capped = not result.total_exact or result.total > TOTAL_CAP
    return (f"{TOTAL_CAP}+" if capped else result.total, None if capped else result.facets,
            None if ranked else result.ids())


def run_backend(label: str, index, n: int, qs: list[SearchQuery]) -> dict:
    """Bulk-index `n` synthetic listings into `index`, then time the queries (one warm-up pass of 10)."""
    start = time.perf_counter()
    done = index.index_many(synthetic(n))
    index.refresh()
    build = time.perf_counter() - start
    for q in qs[:10]:  # warm caches
        index.search(q)
    latencies, answers, by_kind = [], [], {}
    for i, q in enumerate(qs):
        t = time.perf_counter()
        result = index.search(q)
        ms = (time.perf_counter() - t) * 1000
        latencies.append(ms)
        by_kind.setdefault(KINDS[i % len(KINDS)], []).append(ms)
        answers.append(_comparable(q, result))
    row = {"backend": label, "docs": done, "build_s": build, "docs_per_s": done / build,
           "p50_ms": statistics.median(latencies), "p95_ms": _p95(latencies), "answers": answers}
    print(f"{label:<14} {done:>9,} docs  index {build:8.1f} s  {row['docs_per_s']:8.0f} docs/s  "
          f"p50 {row['p50_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms", flush=True)
    print("    p50 by kind: " + ", ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in by_kind.items()), flush=True)
    return row


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def start_es(heap: str) -> tuple[object, str]:
    """Start one Elasticsearch node of our own (firewatch.search.es_node); (cluster, url)."""
    from firewatch.search.es_node import EsCluster

    cluster = EsCluster(nodes=1, heap=heap, quick=False)  # full JIT: peak speed, not start-up time
    urls = cluster.start()
    print(f"started Elasticsearch {VERSION} (one node, heap {heap}) in {cluster.start_seconds:.1f} s at {urls[0]}",
          flush=True)
    return cluster, urls[0]


def bench_es(url: str, n: int, qs: list[SearchQuery]) -> dict:
    es = open_index(url, None, prefix="bench" + uuid.uuid4().hex[:8], timeout=120)
    try:
        return run_backend("elasticsearch", es, n, qs)
    finally:
        es.drop()
        es.close()


def bench_sqlite(path: Path, n: int, qs: list[SearchQuery]) -> dict:
    index = open_index("sqlite", path)
    try:
        return run_backend("sqlite", index, n, qs)
    finally:
        index.close()


def write_speed(label: str, make_index, items: list, engine: str) -> float:
    """Documents/s of `index_many` over pre-built items (tokenising included) with a tokenizer engine."""
    with use_engine(engine):
        index = make_index()
        try:
            start, cpu = time.perf_counter(), time.process_time()
            done = index.index_many(items)
            index.refresh()
            rate = done / (time.perf_counter() - start)
            cpu_rate = done / (time.process_time() - cpu)
        finally:
            if hasattr(index, "drop"):
                index.drop()
            index.close()
    print(f"  {label:<52} {rate:8.0f} docs/s wall, {cpu_rate:8.0f} docs per CPU-second of this process", flush=True)
    return cpu_rate if "sqlite" in label else rate  # SQLite writes in this process; Elasticsearch in its own


def bench_writes(n: int, url: str | None, tmp: Path) -> None:
    """Bulk indexing, previous code against this one, same listings, same run."""
    items = list(synthetic(n))
    old = baseline_sqlite_fts()
    print(f"bulk indexing of {n:,} listings (pre-built; tokenising included):", flush=True)
    before = write_speed(f"sqlite, previous backend ({old.BASE_REV}) + jieba", lambda: old.SQLiteIndex(tmp / "w0.db"),
                         items, "jieba")
    # then the previous backend and this one, both on rjieba, alternating (best of two each), so
    # that the tokenizer's memo, warm after the first run, serves both alike
    same_engine = {"previous": [], "this": []}
    for run in range(2):
        same_engine["previous"].append(write_speed(f"sqlite, previous backend ({old.BASE_REV}) + rjieba",
                                                   lambda: old.SQLiteIndex(tmp / f"w2{run}.db"), items, "rjieba"))
        same_engine["this"].append(write_speed("sqlite, this backend + rjieba",
                                               lambda: open_index("sqlite", tmp / f"w1{run}.db"), items, "rjieba"))
    previous, after = max(same_engine["previous"]), max(same_engine["this"])
    print(f"  sqlite: {after / before:.1f}x the previous backend with jieba, {after / previous:.2f}x the previous backend "
          f"with rjieba (CPU, best of 2 each); {'MET' if after >= 10_000 else 'NOT MET'} "
          f"10,000 docs per CPU-second ({after:,.0f})", flush=True)
    if url:
        def es():
            return open_index(url, None, prefix="bench" + uuid.uuid4().hex[:8], timeout=120)
        before = write_speed("elasticsearch + jieba (previous tokenizer)", es, items, "jieba")
        after = write_speed("elasticsearch + rjieba", es, items, "rjieba")
        print(f"  elasticsearch: {after / before:.1f}x the previous speed; {'MET' if after >= 10_000 else 'NOT MET'} "
              f"10,000 docs/s ({after:,.0f})", flush=True)


def table(rows: list[dict]) -> None:
    """The figures as a Markdown table (for the README), and the ratios of the same run."""
    print("\n| backend | listings | bulk indexing (docs/s) | query p50 (ms) | query p95 (ms) |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['backend']} | {r['docs']:,} | {r['docs_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000, help="listings on both backends (default 200,000)")
    parser.add_argument("--sqlite-size", type=int, default=1_000_000,
                        help="listings on SQLite alone (default 1,000,000; 0 skips)")
    parser.add_argument("--url", help="Elasticsearch URL (default: start a node through firewatch.search.es_node)")
    parser.add_argument("--no-es", action="store_true", help="SQLite only")
    parser.add_argument("--heap", default="1g", help="heap of the Elasticsearch node started here (default 1g)")
    parser.add_argument("--write-size", type=int, default=50_000,
                        help="listings for the bulk-indexing comparison, previous code vs this one (default 50,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 and 20,000 listings, to try it out")
    args = parser.parse_args()
    if args.quick:
        args.size, args.sqlite_size, args.write_size = 5_000, 20_000, 5_000
    qs = queries()
    print(f"machine: {os.cpu_count()} CPUs, Python {python_version()}, SQLite {sqlite3.sqlite_version}")
    print(f"{len(qs)} queries ({', '.join(KINDS)}); sizes: {args.size:,} on both backends, "
          f"{args.sqlite_size:,} on SQLite", flush=True)
    rows = []
    cluster, ratio = None, ""
    try:
        url = None if args.no_es else args.url
        if not args.no_es and not url:
            cluster, url = start_es(args.heap)
        with tempfile.TemporaryDirectory() as tmp:
            if args.write_size:
                bench_writes(args.write_size, url, Path(tmp))
            a = bench_sqlite(Path(tmp) / "a.db", args.size, qs) if args.size else None
            if a:
                rows.append(a)
            if url and a:
                b = bench_es(url, args.size, qs)
                rows.append(b)
                same = sum(x == y for x, y in zip(a["answers"], b["answers"]))
                print(f"same totals, facets and (non-BM25) pages on both backends: {same}/{len(qs)} queries")
                ratio = (f"ratio elasticsearch/sqlite at {args.size:,} (same run): indexing speed "
                         f"{b['docs_per_s'] / a['docs_per_s']:.2f}, query p50 {b['p50_ms'] / a['p50_ms']:.2f}, "
                         f"p95 {b['p95_ms'] / a['p95_ms']:.2f} (latency ratio above 1: SQLite faster)")
                print(ratio, flush=True)
            if args.sqlite_size:
                rows.append(bench_sqlite(Path(tmp) / "b.db", args.sqlite_size, qs))
    finally:
        if cluster is not None:
            cluster.stop()
    table(rows)
    if ratio:
        print(ratio)


if __name__ == "__main__":
    main()
