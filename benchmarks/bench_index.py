"""Benchmark: bulk indexing and 100 representative queries on SQLite FTS5 and Elasticsearch.

Synthetic listings are made from the demo catalogue (titles, shops, attributes,
descriptions; ids, prices, dates, categories, risk and reasons varied by a seeded RNG).
For each backend it reports bulk indexing speed (documents/s, jieba tokenisation
included) and p50/p95 latency of 100 queries (text, filters, sorts, facets) at
`--size` listings, the Elasticsearch/SQLite ratio of the same run, and SQLite alone at
`--sqlite-size`. Elasticsearch comes from `--url` (e.g. what `make es` printed) or,
without it, from `firewatch.search.es_node.EsCluster` when that module exists.

Run: `.venv/bin/python benchmarks/bench_index.py [--quick] [--size N] [--sqlite-size N] [--url URL]`
(full size: 200,000 on both, 1,000,000 on SQLite; `--quick`: 5,000 and 20,000).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_market.catalogue import build_catalogue  # noqa: E402
from firewatch.models import Assessment, Listing, Reason  # noqa: E402
from firewatch.search import SearchQuery, open_index  # noqa: E402

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)
TEXTS = ["灭火", "灭火器", "烟感", "呼吸器", "防火门", "消防水带", "应急灯", "喷头", "mfz/abc4", "干粉灭火器 4kg",
         "年检", "3c", "国标", "旗舰店", "批发", "防火涂料", "灭火毯", "七氟丙烷", "阻燃电缆", "二氧化碳"]
PLATFORMS = ["jd", "taobao", "tmall", "pdd", "1688"]
REASONS = ["inspection_only", "no_certification", "price_too_low", "refurbished", "no_manufacturer"]


def synthetic(n: int, seed: int = 7):
    """`n` (listing, assessment) pairs built from the demo catalogue, deterministic."""
    rng = random.Random(seed)
    cat = build_catalogue(seed=7).listings
    for i in range(n):
        c = cat[i % len(cat)]
        platform = PLATFORMS[i % len(PLATFORMS)]
        seen = BASE + timedelta(minutes=rng.randrange(0, 60 * 24 * 330))
        price = (c.price * Decimal(rng.randrange(60, 140)) / 100).quantize(Decimal("0.01"))
        listing = Listing(platform, f"{i:09d}", url=f"https://example.test/{i}", title=c.title, price=price,
                          shop_id=f"s{i % 5000}", shop_name=f"{c.shop_name}{i % 97}", attributes=dict(c.attributes),
                          description=c.description, status="active" if rng.random() < 0.9 else "removed",
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


def run_backend(name: str, index, n: int, qs: list[SearchQuery]) -> dict:
    start = time.perf_counter()
    done = index.index_many(synthetic(n))
    index.refresh()
    build = time.perf_counter() - start
    for q in qs[:10]:  # warm caches
        index.search(q)
    latencies = []
    for q in qs:
        t = time.perf_counter()
        index.search(q)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    row = {"backend": name, "docs": done, "build_s": build, "docs_per_s": done / build,
           "p50_ms": statistics.median(latencies), "p95_ms": p95}
    print(f"{name:<14} {done:>9,} docs  index {build:8.1f} s  {row['docs_per_s']:8.0f} docs/s  "
          f"p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms", flush=True)
    return row


def es_url(stack: ExitStack, url: str | None) -> str | None:
    if url:
        return url
    try:
        from firewatch.search.es_node import EsCluster  # the infra module, when present
    except ImportError:
        print("no --url and no firewatch.search.es_node: Elasticsearch skipped (start one with `make es`)")
        return None
    cluster = stack.enter_context(EsCluster(nodes=1))
    return cluster.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000, help="listings on both backends (default 200,000)")
    parser.add_argument("--sqlite-size", type=int, default=1_000_000, help="listings on SQLite alone (default 1,000,000)")
    parser.add_argument("--url", help="Elasticsearch URL (default: start one through firewatch.search.es_node)")
    parser.add_argument("--quick", action="store_true", help="5,000 and 20,000 listings, to try it out")
    args = parser.parse_args()
    if args.quick:
        args.size, args.sqlite_size = 5_000, 20_000
    qs = queries()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        url = es_url(stack, args.url)
        print(f"{len(qs)} queries; sizes: {args.size:,} on both backends, {args.sqlite_size:,} on SQLite")
        sqlite = open_index("sqlite", Path(tmp) / "a.db")
        a = run_backend("sqlite", sqlite, args.size, qs)
        sqlite.close()
        if url:
            es = open_index(url, None, prefix="bench" + uuid.uuid4().hex[:8], timeout=120)
            try:
                b = run_backend("elasticsearch", es, args.size, qs)
            finally:
                es.drop()
                es.close()
            print(f"ratio elasticsearch/sqlite at {args.size:,}: indexing speed {b['docs_per_s'] / a['docs_per_s']:.2f}, "
                  f"p50 {b['p50_ms'] / a['p50_ms']:.2f}, p95 {b['p95_ms'] / a['p95_ms']:.2f}")
        if args.sqlite_size:
            big = open_index("sqlite", Path(tmp) / "b.db")
            run_backend("sqlite", big, args.sqlite_size, qs)
            big.close()


if __name__ == "__main__":
    main()
