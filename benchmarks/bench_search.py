"""Benchmark: SQLite FTS5 query latency at 1,000,000 listings, previous query path against this one.

Both indexes hold the same synthetic listings (`bench_index.synthetic`: demo-catalogue titles,
shops, attributes and descriptions recombined with a seeded RNG): one written by the previous
backend (`benchmarks/baseline.py`: firewatch/search/sqlite_fts.py at the merge base with main),
one by this one. Each is built once and cached under var/bench/ (building prints its docs/s;
reruns reuse the files); when this schema's file is missing but the previous one's is there
with a schema this code migrates (`MIGRATABLE`), a copy of it is migrated in place instead
(the same rows, about half the time). Then the 100 representative queries of
`bench_index.queries` (text, text + filters, text + price + facets, filters + facets, deeper
pages) run on both, alternating, each three times (median kept), after a warm-up pass: p50 and
p95 per path, per kind, and their ratio. It also checks the answers: same total (or, where the
new path caps it, both at least 10,000), same facets where exact, same page except BM25 order.

Run: `.venv/bin/python benchmarks/bench_search.py [--size N] [--base REV]` (default 1,000,000).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import CACHE, baseline_sqlite_fts  # noqa: E402
from bench_index import KINDS, queries, synthetic  # noqa: E402
from firewatch.search import SearchQuery, sqlite_fts  # noqa: E402
from firewatch.search.sqlite_summaries import SUMMARIES  # noqa: E402

DATA_VERSION = "d1"  # bump when bench_index.synthetic changes


def built_index(module, n: int):
    """The cached index of `n` synthetic listings written by `module`, building it if missing."""
    path = CACHE / f"search-v{module.SCHEMA_VERSION}-{n}-{DATA_VERSION}.db"
    done = path.with_suffix(".done")
    older = [CACHE / f"search-v{v}-{n}-{DATA_VERSION}.db" for v in module.MIGRATABLE]
    older = [p for p in older if p.with_suffix(".done").exists()]
    if not done.exists() and older and module is sqlite_fts:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        conn = sqlite3.connect(older[-1])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole index in the file copied
        conn.close()
        shutil.copyfile(older[-1], path)
        start = time.perf_counter()
        module.SQLiteIndex(path).close()
        took = time.perf_counter() - start
        done.write_text(f"{n} listings: a copy of {older[-1].name} migrated in place in {took:.0f} s\n", encoding="utf-8")
        print(f"migrated a copy of {older[-1].name} to {path.name} in {took:.0f} s", flush=True)
    elif not done.exists():
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        index = module.SQLiteIndex(path)
        start = time.perf_counter()
        index.index_many(synthetic(n), batch=5000)
        took = time.perf_counter() - start
        index.close()
        done.write_text(f"{n} listings in {took:.0f} s ({n / took:.0f} docs/s)\n", encoding="utf-8")
        print(f"built {path.name}: {n:,} listings in {took:.0f} s ({n / took:.0f} docs/s)", flush=True)
    else:
        print(f"reusing {path.name} (built: {done.read_text(encoding='utf-8').strip()})", flush=True)
    return module.SQLiteIndex(path)


def timed(index, q) -> tuple[float, object]:
    """One search, its count and facets computed afresh: summaries kept from an earlier run of
    the same query (`sqlite_summaries`, this tree only) are dropped first."""
    SUMMARIES.clear(watchers=False)
    start = time.perf_counter()
    result = index.search(q)
    return (time.perf_counter() - start) * 1000, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def same_answer(q, old, new) -> bool:
    """Same total (or both past the cap), same facets when counted exactly, same page unless BM25-ordered."""
    if new.total_exact:
        if old.total != new.total or (q.facets and old.facets != new.facets):
            return False
    elif old.total < new.total:
        return False
    ranked = q.sort == "relevance" and bool(q.text.strip())
    return ranked or old.ids() == new.ids()


def web_query(r: int) -> list[tuple[str, SearchQuery]]:
    """Round r of the web search page's searches, as the page asks them (analytics.SearchParams)."""
    from bench_web import SEARCHES, new_search
    from firewatch.web.analytics import SearchParams

    asked = [("same six searches", p, 1) for p in SEARCHES] + [("next page", SEARCHES[r % 3], 2 + r % 3),
                                                                ("new query", new_search(r + 1000 * (r < 0)), 1)]
    return [(label, SearchParams(**p).validate().query(page, 100, True)) for label, p, page in asked]


def web_page_searches(old_module, n: int, rounds: int) -> None:
    """The searches bench_web's search page asks, on bench_web's index of `n` listings (a copy
    for the previous path, whose opening writes): a fresh connection per search as the web app
    opens one, page size 100 with facets; per round the same six searches (`SEARCHES`), a next
    page of one of them and a search asked in no earlier round (`new_search`). The new path keeps
    its summaries between searches as a running app does; wall and CPU (this thread) time."""
    path = CACHE / f"web-sqlite-{n}" / "search.db"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run benchmarks/bench_web.py --listings {n} first")
    copy = CACHE / f"web-sqlite-{n}" / "search-previous.db"
    if not copy.exists():
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copyfile(path, copy)
    SUMMARIES.clear()
    rows: dict[str, dict[str, list[tuple[float, float]]]] = {}
    same = asked = 0
    for r in range(-1, rounds):  # round -1: warm-up, not counted
        for label, q in web_query(r):
            got = {}
            for name, module, file in (("previous", old_module, copy), ("new", sqlite_fts, path)):
                wall, cpu = time.perf_counter(), time.thread_time()
                with module.SQLiteIndex(file) as index:
                    got[name] = index.search(q)
                wall, cpu = (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000
                if r >= 0:
                    rows.setdefault(label, {}).setdefault(name, []).append((wall, cpu))
            if r >= 0:
                same += same_answer(q, got["previous"], got["new"])
                asked += 1
    print(f"\nthe web search page's searches at {n:,} listings, {rounds} rounds, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (ms; wall, then CPU of the searching thread)")
    print(f"{'searches':<26} {'previous p50/p95':>18} {'new p50/p95':>14} {'CPU prev p50/p95':>18} {'CPU new p50/p95':>16}")
    every: dict[str, list[tuple[float, float]]] = {"previous": [], "new": []}
    for label, by in rows.items():
        cells = []
        for k in (0, 1):
            for name in ("previous", "new"):
                v = [t[k] for t in by[name]]
                cells.append(f"{statistics.median(v):.0f} / {p95(v):.0f}")
        for name in by:
            every[name] += by[name]
        print(f"{label:<26} {cells[0]:>18} {cells[1]:>14} {cells[2]:>18} {cells[3]:>16}")
    a, b = [t[0] for t in every["previous"]], [t[0] for t in every["new"]]
    ca, cb = [t[1] for t in every["previous"]], [t[1] for t in every["new"]]
    print(f"{'all':<26} {statistics.median(a):>8.0f} / {p95(a):<7.0f} {statistics.median(b):>5.0f} / {p95(b):<6.0f} "
          f"{statistics.median(ca):>8.0f} / {p95(ca):<7.0f} {statistics.median(cb):>5.0f} / {p95(cb):<6.0f}")
    print(f"p95 ratio previous/new: wall {p95(a) / p95(b):.1f}x, CPU {p95(ca) / p95(cb):.1f}x; same answers "
          f"{same}/{asked} (totals, exact facets, non-BM25 pages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="listings (default 1,000,000)")
    parser.add_argument("--base", help="git revision of the previous backend (default: merge base with main)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query and path; the median is kept")
    parser.add_argument("--web", type=int, metavar="ROUNDS", help="instead: the web search page's searches on "
                        "bench_web's index (var/bench/web-sqlite-SIZE/), ROUNDS rounds")
    args = parser.parse_args()
    old_module = baseline_sqlite_fts(args.base)
    if args.web:
        web_page_searches(old_module, args.size, args.web)
        return
    print(f"machine: {os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}; previous path: sqlite_fts.py at "
          f"{old_module.BASE_REV} (schema {old_module.SCHEMA_VERSION}), new: this tree (schema "
          f"{sqlite_fts.SCHEMA_VERSION}); {args.size:,} listings", flush=True)
    old = built_index(old_module, args.size)
    new = built_index(sqlite_fts, args.size)
    qs = queries()
    for q in qs:  # warm-up: page cache and SQLite caches for both files
        old.search(q)
        new.search(q)
    lat = {"previous": [], "new": []}
    kinds = {"previous": {}, "new": {}}
    same = capped = 0
    for i, q in enumerate(qs):
        runs = {"previous": [], "new": []}
        for _ in range(args.repeat):
            for label, index in (("previous", old), ("new", new)):
                ms, result = timed(index, q)
                runs[label].append(ms)
                if label == "previous":
                    old_result = result
                else:
                    new_result = result
        for label in runs:
            ms = statistics.median(runs[label])
            lat[label].append(ms)
            kinds[label].setdefault(KINDS[i % len(KINDS)], []).append(ms)
        same += same_answer(q, old_result, new_result)
        capped += not new_result.total_exact
    print(f"\n{'kind':<24} {'previous p50':>13} {'new p50':>9} {'previous p95':>13} {'new p95':>9}")
    for kind in KINDS:
        a, b = kinds["previous"][kind], kinds["new"][kind]
        print(f"{kind:<24} {statistics.median(a):11.1f}ms {statistics.median(b):7.1f}ms {p95(a):11.1f}ms "
              f"{p95(b):7.1f}ms")
    a, b = lat["previous"], lat["new"]
    print(f"{'all 100 queries':<24} {statistics.median(a):11.1f}ms {statistics.median(b):7.1f}ms {p95(a):11.1f}ms "
          f"{p95(b):7.1f}ms")
    print(f"\nratio previous/new (same run): p50 {statistics.median(a) / statistics.median(b):.1f}x, "
          f"p95 {p95(a) / p95(b):.1f}x; new p95 {p95(b):.1f} ms: "
          f"{'MET' if p95(b) <= 50 else 'NOT MET'} (goal <= 50 ms)")
    print(f"same answers: {same}/{len(qs)} queries (totals, exact facets, non-BM25 pages); "
          f"{capped} totals capped at {sqlite_fts.TOTAL_CAP:,} (shown as {sqlite_fts.TOTAL_CAP}+)")
    old.close()
    new.close()


if __name__ == "__main__":
    main()
