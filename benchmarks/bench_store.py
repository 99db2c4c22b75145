"""Store write speed on SQLite and PostgreSQL, as crawls write: one listing per transaction.

Times in one run, on the same generated listings (title, attributes, description, images):

- baseline: one process upserting N new listings into a SQLite file (WAL, synchronous=NORMAL);
- one process upserting them into PostgreSQL (a cluster of its own with the default, durable
  settings: every commit waits for its WAL flush), and again the same listings seen a second
  time (unchanged: the common case of a re-crawl);
- K processes at once upserting disjoint listings, on each backend (what several crawl
  processes do; writers take turns on both, see firewatch/store/pgdb.py);
- `firewatch store migrate`: copying the SQLite store into an empty PostgreSQL schema and
  verifying it (rows per second).

Prints listings per second and the ratio to the baseline. Run:
`python benchmarks/bench_store.py [--listings 20000] [--writers 4] [--pg-url URL]`
(without --pg-url a throwaway cluster is started from Debian's postgresql).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from firewatch.core.models import Listing, Source  # noqa: E402
from firewatch.store import open_store  # noqa: E402
from firewatch.store.copy import copy_store, verify_copy  # noqa: E402

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")


def make_listing(n: int, seen: int = 0) -> Listing:
    platform = PLATFORMS[n % len(PLATFORMS)]
    return Listing(platform=platform, listing_id=str(10_000_000 + n), url=f"https://item.jd.com/{10_000_000 + n}.html",
                   title=f"手提式干粉灭火器4kg 3C认证 年检专用 家用商用 {n}", price=Decimal(12 + n % 90) + Decimal("0.80"),
                   shop_id=str(n % 5000), shop_name=f"消防器材店{n % 5000}",
                   attributes={"型号": "MFZ/ABC4", "品牌": f"品牌{n % 300}", "灭火剂": "ABC干粉", "重量": "4kg"},
                   description="适用于家庭、商铺、工厂。压力表指针在绿区。" * 4, sales=n % 3000 + seen,
                   image_urls=[f"https://img10.360buyimg.com/n1/{n}-{i}.jpg" for i in range(4)])


def upsert_range(url: str, start: int, stop: int, seen: int = 0, barrier=None) -> float:
    """Upsert listings [start, stop) one transaction each; seconds taken."""
    source = Source("crawl", "bench")
    with open_store(url) as store:
        items = [make_listing(n, seen) for n in range(start, stop)]
        if barrier is not None:
            barrier.wait()
        began = time.perf_counter()
        for item in items:
            store.listings.upsert_listing(item, source=source)
        return time.perf_counter() - began


def _worker(args):
    url, start, stop, barrier = args
    return upsert_range(url, start, stop, barrier=barrier)


def parallel(url: str, first: int, n: int, writers: int) -> float:
    """Wall seconds for `writers` processes to upsert n listings between them, starting together."""
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(writers + 1)
        step = n // writers
        jobs = [(url, first + i * step, first + (i + 1) * step, barrier) for i in range(writers)]
        with ctx.Pool(writers) as pool:
            pending = pool.map_async(_worker, jobs)
            barrier.wait()
            began = time.perf_counter()
            pending.get()
            return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--pg-url", default="", help="an empty PostgreSQL database (default: start a cluster)")
    args = parser.parse_args()
    n, k = args.listings, args.writers
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    work.chmod(0o755)
    cluster = None
    try:
        pg_base = args.pg_url
        if not pg_base:
            from firewatch.store.pg_node import PgCluster, free_port

            cluster = PgCluster(work / "pg", free_port())
            pg_base = cluster.start()
        import psycopg

        def schema(name: str) -> str:
            with psycopg.connect(pg_base, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                conn.execute(f"CREATE SCHEMA {name}")
            sep = "&" if "?" in pg_base else "?"
            return f"{pg_base}{sep}options=-csearch_path%3D{name}"

        sqlite_url, pg_url = str(work / "one.db"), schema("bench_one")
        rows = []
        base = upsert_range(sqlite_url, 0, n)
        rows.append(("SQLite, 1 process, new listings (baseline)", n / base))
        t = upsert_range(pg_url, 0, n)
        rows.append(("PostgreSQL, 1 process, new listings", n / t))
        t = upsert_range(sqlite_url, 0, n, seen=0)
        rows.append(("SQLite, 1 process, unchanged listings seen again", n / t))
        t = upsert_range(pg_url, 0, n, seen=0)
        rows.append(("PostgreSQL, 1 process, unchanged listings seen again", n / t))
        t = parallel(str(work / "many.db"), 0, n, k)
        rows.append((f"SQLite, {k} processes at once, new listings", n / t))
        t = parallel(schema("bench_many"), 0, n, k)
        rows.append((f"PostgreSQL, {k} processes at once, new listings", n / t))
        with open_store(sqlite_url) as source, open_store(schema("bench_copy")) as target:
            began = time.perf_counter()
            copied = copy_store(source, target)
            checks = verify_copy(source, target, list(copied))
            t = time.perf_counter() - began
            assert all(c.ok for c in checks)
        total_rows = sum(copied.values())
        print(f"store writes, {n:,} listings (rows/s; ratio to the baseline in this run)")
        print(f"{'case':58} {'listings/s':>11} {'ratio':>7}")
        for name, rate in rows:
            print(f"{name:58} {rate:11,.0f} {rate / rows[0][1]:7.2f}")
        print(f"{'store migrate SQLite -> PostgreSQL, copy + verify (rows/s)':58} {total_rows / t:11,.0f} "
              f"{'':>7}  ({total_rows:,} rows in {t:.1f} s)")
    finally:
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
