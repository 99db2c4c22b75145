"""The SQLite backend's own fast paths give exactly the pages of its general path.

`SQLiteIndex.search` takes shortcuts that Elasticsearch parity alone would not pin down:
a text-only relevance page ranked inside FTS5 (ties at the page end completed), a
filter-only page read by walking a sort index, and batched writes. Each is compared here
with the general query on the demo catalogue, including ties, missing prices and risks,
and deep pages. Also: index files of the previous schemas are migrated in place, one of
an unknown schema is emptied with a message, and text matching stays the outer loop.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace

import pytest

from firewatch.search import SearchQuery, open_index
from firewatch.search import sqlite_fts
from firewatch.search.sqlite_fts import SCHEMA_VERSION
from tests.builders import catalogue_items

SORTS = ["risk", "price_asc", "price_desc", "newest"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    idx = open_index("sqlite", tmp_path_factory.mktemp("sqlite-paths") / "search.db")
    items = catalogue_items()
    assert idx.index_many(items, batch=300) == len(items)
    yield idx
    idx.close()


def page(result):
    return [(h.doc_id, h.score, h.price_fen, h.risk_score, h.flagged) for h in result.hits], result.total


@pytest.mark.parametrize("text", ["灭火", "灭火器", "烟感", "旗舰店", "mfz/abc4", "不存在的商品"])
def test_ranked_page_inside_fts_equals_the_full_sort(index, text, monkeypatch):
    monkeypatch.setattr(sqlite_fts, "RANK_SLACK", 2)  # force the "fetch more" loop through many ties
    for page_no, size in ((1, 20), (2, 20), (3, 7), (40, 25), (1, 1000)):
        q = SearchQuery(text=text, page=page_no, page_size=size)
        plan = index._filtered(q)
        expected = index._page(plan, "relevance", size, q.offset)
        got = index._ranked_page(plan.match, size, q.offset)
        assert [dict(r) for r in got] == [dict(r) for r in expected], (text, page_no, size)
        assert [h.doc_id for h in index.search(q).hits] == [r["doc_id"] for r in expected]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("filters", [{"platform": "jd"}, {"flagged": True}, {"flagged": False},
                                     {"status": "active", "category": "portable_extinguisher"},
                                     {"reason": "no_certification"}, {"since": "2026-11-10"}])
def test_walking_the_sort_index_gives_the_sorted_page(index, sort, filters):
    for page_no in (1, 3, 30):
        q = SearchQuery(sort=sort, page=page_no, page_size=9, **filters)
        plan = index._filtered(q)
        walked = index._page(plan, sort, 9, q.offset, walk=True)
        sorted_ = index._page(plan, sort, 9, q.offset, walk=False)
        assert [r["doc_id"] for r in walked] == [r["doc_id"] for r in sorted_], (sort, filters, page_no)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("filters", [{}, {"platform": "jd"}, {"flagged": True}, {"min_price": 20, "max_price": "80.5"},
                                     {"min_price": 30}, {"since": "2026-11-10", "until": "2026-11-20"},
                                     {"until": "2026-11-15", "status": "active"}])
@pytest.mark.parametrize("text", ["灭火", "灭火器", "旗舰店", "mfz/abc4"])
def test_walking_the_sort_buckets_gives_the_sorted_page_of_a_text_match(index, sort, filters, text, monkeypatch):
    monkeypatch.setattr(sqlite_fts, "MAX_BUCKETS_PER_QUERY", 3)  # many small bucket groups
    for page_no, size in ((1, 9), (3, 9), (30, 9), (1, 1000)):
        q = SearchQuery(text, sort=sort, page=page_no, page_size=size, **filters)
        plan = index._filtered(q)
        walked = index._page(plan, sort, size, q.offset, walk=True, q=q)
        sorted_ = index._page(plan, sort, size, q.offset, walk=False)
        assert [r["doc_id"] for r in walked] == [r["doc_id"] for r in sorted_], (sort, filters, page_no)
    assert len(index._page(plan, sort, 1000, 0, walk=False)) == index.search(replace(q, page=1)).total


def test_sort_buckets_follow_the_sort_keys():
    """Each bucket is a non-decreasing function of its sort key, so buckets never reorder listings."""
    prices = [-5, 0, 1, 127, 128, 129, 200, 255, 256, 1000, 99_999, 100_000, 10**9]
    assert [sqlite_fts._price_bucket(p) for p in prices] == sorted(sqlite_fts._price_bucket(p) for p in prices)
    assert sqlite_fts._price_bucket(128) == 128 and sqlite_fts._price_bucket(256) == 192
    assert len({sqlite_fts._price_bucket(p) for p in range(2**17, 2**18)}) == 64  # 64 per doubling
    assert [sqlite_fts._risk_bucket(1, r) for r in (1.5, 1.0, 0.9995, 0.5, 0.0, -1.0, None)] == \
        ["1.1000", "1.1000", "1.999", "1.500", "1.0", "1.0", "1.n"]
    assert sqlite_fts._hour_bucket(3_600_000 * 5 - 1) == 4 and sqlite_fts._hour_bucket(None) is None


def test_missing_prices_and_risks_sort_last(index):
    by_price = index.search(SearchQuery(sort="price_asc", page_size=1000, status="active")).hits
    prices = [h.price_fen for h in by_price]
    assert None in prices and prices[prices.index(None):] == [None] * prices.count(None)
    assert prices[:prices.index(None)] == sorted(prices[:prices.index(None)])
    total = index.search(SearchQuery(flagged=False)).total
    risks = [h.risk_score for n in range(1, total // 1000 + 2)
             for h in index.search(SearchQuery(sort="risk", page=n, page_size=1000, flagged=False)).hits]
    assert len(risks) == total
    assert None in risks and risks[risks.index(None):] == [None] * risks.count(None)


def test_text_is_matched_once_as_the_outer_loop(index):
    plan = index._filtered(SearchQuery(text="灭火", platform="jd", category="portable_extinguisher"))
    steps = [r[3] for r in index._db.execute("EXPLAIN QUERY PLAN SELECT d.id" + plan.body, plan.args)]
    assert steps[0].startswith("SCAN f VIRTUAL TABLE"), steps  # not one FTS probe per filtered row
    assert len(steps) == 2 and "PRIMARY KEY" in steps[1], steps


def test_batched_writes_replace_and_keep_the_last_copy(tmp_path):
    items = catalogue_items()[:50]
    listing, assessment = items[0]
    renamed = replace(listing, title="全新标题 应急灯", description="")
    with open_index("sqlite", tmp_path / "s.db") as idx:
        assert idx.index_many(items + [(renamed, assessment)], batch=1000) == 51
        assert idx.count() == 50
        assert idx.get(listing.key).title == "全新标题 应急灯"
        assert listing.key in {h.key for h in idx.search(SearchQuery("应急灯")).hits}
        idx.index_many([(listing, None)])  # re-index without assessment: reasons and tokens replaced
        assert idx.get(listing.key).reasons == [] and idx.count() == 50
        assert listing.key not in {h.key for h in idx.search(SearchQuery("应急灯")).hits}
        assert idx._db.execute("SELECT COUNT(*) FROM doc_reasons WHERE doc = (SELECT id FROM docs WHERE doc_id=?)",
                               (f"{listing.platform}:{listing.listing_id}",)).fetchone()[0] == 0


def _without_sort_buckets(tags):
    """Tags as schema 4 wrote them: no sort-bucket tokens."""
    prefixes = tuple(sqlite_fts.tag(name, "") for name in ("rk", "pb", "hr"))  # "rk=" etc., encoded
    return " ".join(t for t in tags.split() if not t.startswith(prefixes))


@pytest.mark.parametrize("version", [2, 3, 4])
def test_older_schema_file_is_migrated_in_place(tmp_path, caplog, version):
    path = tmp_path / "old.db"
    with open_index("sqlite", path) as idx:
        idx.index_many(catalogue_items()[:100])
        queries = [SearchQuery("灭火"), SearchQuery("灭火", platform="jd", flagged=False, sort="risk"),
                   SearchQuery("灭火器", category="portable_extinguisher", status="active", facets=True)]
        expected = [(r.ids(), r.total, r.facets) for r in map(idx.search, queries)]
        walked = [idx._page(idx._filtered(q), q.sort, 5, 0, walk=True, q=q)
                  for q in (SearchQuery("灭火", sort=s) for s in SORTS)]
        assert all(walked)
        walked = [[r["doc_id"] for r in rows] for rows in walked]
    db = sqlite3.connect(path)
    if version == 4:  # tags without the sort buckets, detail=column
        db.create_function("old_tags", 1, _without_sort_buckets)
        db.execute("CREATE VIRTUAL TABLE old_fts USING fts5(head, body, tags, "
                   "tokenize='unicode61 remove_diacritics 0', detail=column)")
        db.execute("INSERT INTO old_fts (rowid, head, body, tags) SELECT rowid, head, body, old_tags(tags) FROM docs_fts")
        assert db.execute("SELECT COUNT(*) FROM old_fts WHERE old_fts MATCH ?",
                          (f'tags : "{sqlite_fts.tag("rk", "1.n")}" OR tags : "{sqlite_fts.tag("hr", "n")}"',)
                          ).fetchone()[0] == 0
    else:  # what versions 2 and 3 wrote: FTS without tags, full detail
        db.execute("CREATE VIRTUAL TABLE old_fts USING fts5(head, body, tokenize='unicode61 remove_diacritics 0')")
        db.execute("INSERT INTO old_fts (rowid, head, body) SELECT rowid, head, body FROM docs_fts")
    db.execute("DROP TABLE docs_fts")
    db.execute("ALTER TABLE old_fts RENAME TO docs_fts")
    if version == 2:  # and fewer indexes
        for name in ("docs_category", "docs_newest", "docs_price_asc", "docs_price_desc"):
            db.execute(f"DROP INDEX {name}")
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()
    with caplog.at_level(logging.WARNING), open_index("sqlite", path) as idx:
        assert idx.count() == 100
        assert idx._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        names = {r[0] for r in idx._db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"docs_newest", "docs_price_asc", "docs_price_desc", "docs_category"} <= names
        assert idx.search(SearchQuery(sort="newest", page_size=5)).total == 100
        assert [(r.ids(), r.total, r.facets) for r in map(idx.search, queries)] == expected
        assert [[r["doc_id"] for r in idx._page(idx._filtered(q), q.sort, 5, 0, walk=True, q=q)]
                for q in (SearchQuery("灭火", sort=s) for s in SORTS)] == walked
        assert "docs_fts_old" not in {r[0] for r in idx._db.execute("SELECT name FROM sqlite_master")}
    assert f"has schema {version}: bringing it to schema 5 in place" in caplog.text


def test_unknown_schema_is_emptied_with_a_rebuild_message(tmp_path, caplog):
    path = tmp_path / "older.db"
    with open_index("sqlite", path) as idx:
        idx.index_many(catalogue_items()[:20])
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with caplog.at_level(logging.WARNING), open_index("sqlite", path) as idx:
        assert idx.count() == 0
        assert idx.search(SearchQuery("灭火")).total == 0
    assert "has schema 1, not 5: emptied; run `firewatch index rebuild`" in caplog.text


def test_totals_past_the_cap_are_lower_bounds_and_facets_count_a_named_sample(index, monkeypatch):
    exact = index.search(SearchQuery("灭火", facets=True))
    assert exact.total_exact and exact.total > 60 and exact.total_text == str(exact.total)
    assert exact.facet_sample is None and sum(c for _, c in exact.facets["platform"]) == exact.total
    monkeypatch.setattr(sqlite_fts, "TOTAL_CAP", 50)
    monkeypatch.setattr(sqlite_fts, "FACET_SAMPLE", 20)
    for q in (SearchQuery("灭火"), SearchQuery("灭火", facets=True), SearchQuery("灭火", min_price=1),
              SearchQuery("灭火", min_price=1, facets=True), SearchQuery(status="active"),
              SearchQuery(status="active", facets=True)):
        result = index.search(q)
        assert (result.total, result.total_exact, result.total_text) == (50, False, "50+"), q
        if q.facets:  # the facets say how many matches they count, and count exactly that many
            assert result.facet_sample == 20 and sum(c for _, c in result.facets["platform"]) == 20, q
        else:
            assert result.facet_sample is None and result.facets == {}, q
    few = index.search(SearchQuery("灭火", platform="jd", category="portable_extinguisher", status="removed"))
    assert few.total_exact and few.total == len(few.hits) < 50


def test_relevance_past_the_pool_puts_head_matches_first_newest_first(index, monkeypatch):
    monkeypatch.setattr(sqlite_fts, "RANK_POOL", 30)
    monkeypatch.setattr(sqlite_fts, "RANK_SLACK", 2)
    ids = {r[1]: r[0] for r in index._db.execute("SELECT id, doc_id FROM docs")}
    for q in (SearchQuery("灭火", page_size=10), SearchQuery("灭火", page=4, page_size=10),
              SearchQuery("灭火器", platform="jd", page_size=10)):
        plan = index._filtered(q)
        head = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.head_match,))]
        rest = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.match,)) if r[0] not in set(head)]
        expected = (head + rest)[q.offset:q.offset + 10]
        hits = index.search(q).hits
        assert [ids[h.doc_id] for h in hits] == expected, q
        assert [h.score for h in hits] == [2.0 if i in set(head) else 1.0 for i in expected]
    # with docs conditions (a price, a date) too: bm25 would count every match first, so past the
    # pool the same order, the conditions checked per match
    for q in (SearchQuery("灭火", min_price=1, page_size=10), SearchQuery("灭火", min_price=1, page=3, page_size=10),
              SearchQuery("灭火", since="2026-11-01", max_price=500, page_size=10)):
        plan = index._filtered(q)
        assert plan.filtered and not plan.tagged, q
        passing = {r[0] for r in index._db.execute("SELECT f.rowid" + plan.body, plan.args)}
        head = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.head_match,)) if r[0] in passing]
        rest = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.match,)) if r[0] in passing and r[0] not in set(head)]
        assert len(head + rest) > 32, q  # past the pool
        expected = (head + rest)[q.offset:q.offset + 10]
        hits = index.search(q).hits
        assert [ids[h.doc_id] for h in hits] == expected, q
        assert [h.score for h in hits] == [2.0 if i in set(head) else 1.0 for i in expected]
    within = [SearchQuery("灭火", min_price=1, max_price=p, page_size=10) for p in (5, 8, 10, 12, 15, 20, 25, 30)]
    counts = [index._db.execute("SELECT COUNT(*)" + index._filtered(w).body, index._filtered(w).args).fetchone()[0]
              for w in within]
    q = next(w for w, n in zip(within, counts) if 10 < n <= 30)  # within the pool: BM25
    plan = index._filtered(q)
    ranked = index._db.execute("SELECT d.doc_id, bm25(docs_fts, 4.0, 1.0, 0.0)" + plan.body, plan.args).fetchall()
    expected = [d for _, d in sorted((s, d) for d, s in ranked)][:10]
    assert [h.doc_id for h in index.search(q).hits] == expected


def test_relevance_with_equality_filters_puts_head_matches_first_however_few(index):
    """bm25 would first count every listing holding each filter's tags token (most of the
    index for status=active), so filtered relevance pages never use it."""
    ids = {r[1]: r[0] for r in index._db.execute("SELECT id, doc_id FROM docs")}
    for q in (SearchQuery("灭火", status="active", page_size=1000), SearchQuery("国标", platform="jd", page=2, page_size=100),
              SearchQuery("年检", status="active", page_size=20)):
        plan = index._filtered(q)
        result = index.search(q)
        assert plan.tagged and result.total_exact and result.total <= sqlite_fts.RANK_POOL, q
        head = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.head_match,))]
        rest = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC",
                                                (plan.match,)) if r[0] not in set(head)]
        assert head and rest, q  # both kinds of match take part
        expected = (head + rest)[q.offset:q.offset + q.page_size]
        assert [ids[h.doc_id] for h in result.hits] == expected, q


def test_counts_under_price_and_date_conditions_read_the_small_keys_index(index):
    for q in (SearchQuery("灭火", min_price=20, max_price="80.5"), SearchQuery("灭火", since="2026-11-10"),
              SearchQuery(reason="no_certification", since="2026-11-10")):
        plan = index._filtered(q)
        body = sqlite_fts._count_body(plan)
        steps = " / ".join(r[3] for r in index._db.execute("EXPLAIN QUERY PLAN SELECT 1" + body, plan.args))
        assert "COVERING INDEX docs_keys" in steps, (q, steps)
        count = index._db.execute(f"SELECT COUNT(*) FROM (SELECT 1{body})", plan.args).fetchone()[0]
        assert count == index._db.execute(f"SELECT COUNT(*) FROM (SELECT 1{plan.body})", plan.args).fetchone()[0] > 0
        assert index.search(q).total == count
    other = index._filtered(SearchQuery("灭火", shop="x"))  # a condition the keys index does not hold
    assert sqlite_fts._count_body(other) == other.body


@pytest.mark.parametrize("text", ["干粉灭火器", "干粉灭火器 4kg", "二氧化碳灭火器 5kg", "消防水带", "灭火器箱", "应急照明灯"])
def test_query_without_implied_bigrams_matches_the_same_listings(index, text):
    tokens = sqlite_fts.query_tokens(text)
    kept = sqlite_fts._without_implied(tokens)
    assert len(kept) < len(tokens), (text, tokens)  # something was dropped
    every = {r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?",
                                             (f"{{head body}} : ({sqlite_fts._match(tokens)})",))}
    assert every and {r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?",
                                                      (index._filtered(SearchQuery(text)).match,))} == every
    assert index.search(SearchQuery(text, page_size=1000)).total == len(every)


def test_past_the_cap_a_sorted_page_walks_and_equals_the_full_sort(index, monkeypatch):
    """A capped count is a lower bound: judged by it, a broad match would be sorted whole."""
    monkeypatch.setattr(sqlite_fts, "TOTAL_CAP", 50)
    listings = index.count()
    for q in (SearchQuery("灭火", sort="newest", page_size=100), SearchQuery(status="active", sort="price_asc", page_size=10),
              SearchQuery("消防", sort="risk", page=2, page_size=100)):
        plan = index._filtered(q)
        assert not index._walk_sort_index(plan, 50, q.offset + q.page_size)  # as if 50 were the whole count
        matched = [r[0] for r in index._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? LIMIT 51",
                                                   (plan.match,))] if plan.match else None
        assert index._walk_sort_index(plan, 50, q.offset + q.page_size, exact=False, matched=matched), q
        result = index.search(q)
        assert result.total_exact is False and listings > 100
        full = index._page(plan, q.sort, q.page_size, q.offset, walk=False)
        assert result.ids() == [r["doc_id"] for r in full], q
