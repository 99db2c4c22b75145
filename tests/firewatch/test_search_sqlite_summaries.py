"""SQLite FTS counts and facets reused across pages, sorts and connections, never stale.

The web app opens a fresh index connection per request; opening one must write nothing
(a write per open would also look like a change of the file). A query's count and facets
(firewatch.search.sqlite_summaries) are reused by the next page or another sort of it,
and give way at once to a write from another connection or process, or to a replaced file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from firewatch.search import SearchQuery, open_index
from firewatch.search.sqlite_summaries import SUMMARIES, Summaries
from tests.builders import catalogue_items

ROOT = Path(__file__).resolve().parents[2]
FACET_SQL = "d.category, d.platform, d.shop_name, d.reasons"


@pytest.fixture
def index_path(tmp_path):
    path = tmp_path / "search.db"
    with open_index("sqlite", path) as idx:
        idx.index_many(catalogue_items())
    return path


def search(path: Path, q: SearchQuery, trace: list[str] | None = None):
    """`q` on a fresh connection, as the web app asks it; `trace` collects the SQL it ran."""
    with open_index("sqlite", path) as idx:
        if trace is not None:
            idx._db.set_trace_callback(trace.append)
        return idx.search(q)


def answer(result):
    return result.total, result.total_exact, result.facets, result.facet_sample, [h.doc_id for h in result.hits]


def test_opening_a_current_index_writes_nothing(index_path):
    watcher = sqlite3.connect(index_path)
    before = watcher.execute("PRAGMA data_version").fetchone()[0]
    for _ in range(3):
        search(index_path, SearchQuery("灭火", facets=True))
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == before
    with open_index("sqlite", index_path) as idx:  # a write through another connection is seen
        idx.delete((catalogue_items()[0][0].platform, catalogue_items()[0][0].listing_id))
    assert watcher.execute("PRAGMA data_version").fetchone()[0] != before
    watcher.close()


@pytest.mark.parametrize("filters", [{"text": "灭火"}, {"text": "灭火", "platform": "jd"}, {"platform": "jd"},
                                     {"text": "灭火", "min_price": 1}, {"flagged": True, "since": "2026-11-05"}])
def test_the_next_page_and_another_sort_reuse_the_count_and_facets(index_path, filters):
    first = search(index_path, SearchQuery(**filters, facets=True, page_size=5))
    assert first.total > 10 and first.facets["platform"], filters
    for sort in ("relevance", "newest", "price_asc", "risk"):
        trace: list[str] = []
        later = search(index_path, SearchQuery(**filters, facets=True, page=2, page_size=5, sort=sort), trace)
        assert not [s for s in trace if "COUNT(*)" in s or FACET_SQL in s], (filters, sort, trace)
        assert (later.total, later.total_exact, later.facets) == (first.total, first.total_exact, first.facets)
        SUMMARIES.clear()  # the same query counted from scratch gives the same page, count and facets
        assert answer(search(index_path, SearchQuery(**filters, facets=True, page=2, page_size=5, sort=sort))) == \
            answer(later), (filters, sort)


def test_a_write_from_another_process_or_connection_is_seen_at_once(index_path):
    q = SearchQuery("灭火", facets=True, sort="newest", page_size=1000)
    before = search(index_path, q)
    victim = before.hits[0]
    script = ("import sys; from firewatch.search import open_index\n"
              "with open_index('sqlite', sys.argv[1]) as idx: idx.delete((sys.argv[2], sys.argv[3]))")
    subprocess.run([sys.executable, "-c", script, str(index_path), victim.platform, victim.listing_id], check=True,
                   cwd=ROOT)
    after = search(index_path, q)
    assert after.total == before.total - 1 and victim.doc_id not in [h.doc_id for h in after.hits]
    platforms, fewer = dict(before.facets["platform"]), dict(after.facets["platform"])
    assert fewer.get(victim.platform, 0) == platforms[victim.platform] - 1
    item = next(i for i in catalogue_items() if f"{i[0].platform}:{i[0].listing_id}" == victim.doc_id)
    with open_index("sqlite", index_path) as idx:  # this process, another connection: indexed again
        idx.index_many([item])
    assert answer(search(index_path, q))[:3] == answer(before)[:3]


def test_a_replaced_index_file_is_another_index(tmp_path):
    path, other = tmp_path / "search.db", tmp_path / "other.db"
    items = catalogue_items()
    for target, part in ((path, items[:60]), (other, items[60:200])):
        with open_index("sqlite", target) as idx:
            idx.index_many(part)
    q = SearchQuery("灭火", facets=True)
    small = search(path, q)
    os.replace(other, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    replaced = search(path, q)
    SUMMARIES.clear()
    assert answer(replaced) == answer(search(path, q)) and replaced.total != small.total


def test_summaries_are_bounded_and_keyed_by_generation(tmp_path):
    cache = Summaries(max_entries=3, max_files=2)
    paths = []
    for name in ("a.db", "b.db", "c.db"):
        paths.append(tmp_path / name)
        sqlite3.connect(paths[-1]).execute("CREATE TABLE t (x)").connection.close()
    gen = cache.generation(paths[0])
    for k in range(5):
        cache.put(gen, k, k)
    assert [cache.get(gen, k) for k in range(5)] == [None, None, 2, 3, 4]
    writer = sqlite3.connect(paths[0])
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    newer = cache.generation(paths[0])
    assert newer != gen and cache.get(newer, 4) is None
    cache.generation(paths[1])
    cache.generation(paths[2])  # a third file: the least recently asked watcher goes, with its entries
    assert cache.get(newer, 4) is None and len(cache._watchers) == 2
    assert cache.generation(tmp_path / "missing.db") is None
    cache.put(newer, "k", 1)
    cache.clear(watchers=False)
    assert cache.get(newer, "k") is None and len(cache._watchers) == 2
    writer.close()
    cache.clear()
    assert not cache._watchers
