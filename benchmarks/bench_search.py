"""Benchmark: SQLite FTS5 over jieba tokens against a LIKE '%…%' scan, same data, same run.

Indexes the demo catalogue's titles repeated to N documents, then times the same Chinese
queries through `SQLiteIndex.search` and through a plain `LIKE` scan of the titles (the
baseline; it matches substrings, so its hits are a superset) and prints the ratio. Run: `.venv/bin/python benchmarks/bench_search.py [N]`.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.core.models import Listing  # noqa: E402
from firewatch.search import open_index  # noqa: E402

QUERIES = ["灭火", "灭火器", "烟感", "呼吸器", "消防水带", "防火门"]


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 20000) -> None:
    titles = [l.title for l in build_catalogue(seed=7).listings]
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index("sqlite", Path(tmp) / "search.db")
        start = time.perf_counter()
        for i in range(n):
            index.index_listing(Listing("jd", str(i), title=titles[i % len(titles)], price=Decimal("1")), None)
        build = time.perf_counter() - start
        plain = sqlite3.connect(Path(tmp) / "search.db")
        print(f"documents: {n}; index build {build:.1f} s ({n / build:.0f} docs/s)")
        print("first page = 20 results in risk order; all = up to 1,000 hits (the index's page limit)")
        print(f"{'query':<8} {'hits':>6} {'FTS5 20':>9} {'LIKE 20':>9} {'ratio':>6} {'FTS5 all':>9} {'LIKE all':>9} {'ratio':>6}")
        order = " ORDER BY flagged DESC, risk_score IS NULL, risk_score DESC, doc_id"
        for q in QUERIES:
            row = []
            for limit in (20, 1000):
                fts = best_of(lambda: index.search(q, limit=min(limit, 1000), sort="risk"))
                like = best_of(lambda: plain.execute(
                    "SELECT * FROM docs WHERE title LIKE ?" + order + " LIMIT ?", (f"%{q}%", limit)).fetchall())
                row += [fts * 1000, like * 1000, like / fts]
            hits = index.search(q).total
            print(f"{q:<8} {hits:6d} {row[0]:9.2f} {row[1]:9.2f} {row[2]:6.2f} {row[3]:9.2f} {row[4]:9.2f} {row[5]:6.2f}")
        print("ratio = LIKE time / FTS5 time (above 1: FTS5 faster)")
        index.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
