"""Both backends answer every query the same way: same hits, order, pages, totals and facets.

The demo market's catalogue (1,702 listings with real-style Chinese titles, attributes
and descriptions, seed 7; tests/builders.py `catalogue_items`) is indexed into SQLite FTS5 and into the session's
Elasticsearch node; then a matrix of texts, filters, sorts and pages is asked of both.
Risk scores are rounded so that many tie and the document-id tie-break is exercised.
For `sort="relevance"` with text, each backend ranks by its own BM25, so there the test
compares the full result sets (and totals and facets), not the order.
"""

from __future__ import annotations

import uuid

import pytest

from firewatch.search import SearchQuery, open_index
from tests.builders import HOSTILE_QUERIES as HOSTILE, catalogue_items

TEXTS = ["灭火", "灭火器", "烟感", "呼吸器", "防火门", "水带", "消防水带", "国标", "旗舰店", "3C", "3c认证", "mfz/abc4",
         "4kg", "年检", "1.0x1.0", "XF 1205-2014", "批发", "应急灯", "喷头", "长沙", "不存在的商品", "防火 涂料",
         "二氧化碳灭火器 5kg"] + HOSTILE
FILTERS = [{}, {"platform": "jd"}, {"flagged": True}, {"flagged": False, "platform": "pdd"},
           {"category": "portable_extinguisher"}, {"reason": "no_certification"}, {"min_price": 20, "max_price": "80.5"},
           {"since": "2026-11-10", "until": "2026-11-20"}, {"status": "active", "platform": "1688"}]
ORDERED = ["risk", "price_asc", "price_desc", "newest"]


@pytest.fixture(scope="module")
def both(es_url, tmp_path_factory):
    items = catalogue_items()
    url = es_url
    sqlite = open_index("sqlite", tmp_path_factory.mktemp("parity") / "search.db")
    es = open_index(url, None, prefix="p" + uuid.uuid4().hex[:12])
    assert sqlite.index_many(items) == es.index_many(items) == len(items)
    es.refresh()
    yield sqlite, es
    es.drop()
    es.close()
    sqlite.close()


def comparable(result):
    return ([(h.doc_id, h.title, h.shop_name, h.price_fen, h.status, h.flagged, h.risk_score, h.reasons, h.category,
              h.last_seen) for h in result.hits], result.total, result.facets)


def test_counts_agree(both):
    sqlite, es = both
    assert sqlite.count() == es.count() == len(catalogue_items())


@pytest.mark.parametrize("text", TEXTS)
def test_same_pages_for_every_filter_and_sort(both, text):
    sqlite, es = both
    for filters in FILTERS:
        for sort in ORDERED:
            for page in (1, 2, 5):
                q = SearchQuery(text=text, sort=sort, page=page, page_size=7, facets=page == 1, **filters)
                assert comparable(sqlite.search(q)) == comparable(es.search(q)), (text, filters, sort, page)
        q = SearchQuery(text=text, sort="relevance", page_size=1000, facets=True, **filters)
        a, b = sqlite.search(q), es.search(q)
        assert (sorted(a.ids()), a.total, a.facets) == (sorted(b.ids()), b.total, b.facets), (text, filters)


def test_matrix_is_not_trivial(both):
    """The texts above do find things, and two-character queries find the longer words."""
    sqlite, _ = both
    totals = {t: sqlite.search(SearchQuery(t)).total for t in ("灭火", "灭火器", "烟感", "水带", "mfz/abc4")}
    assert all(totals.values()), totals
    assert totals["灭火"] > totals["灭火器"]
    assert sqlite.search(SearchQuery(flagged=True)).total > 50


def test_similar_finds_the_same_near_duplicates(both):
    sqlite, es = both
    listing, _ = catalogue_items()[0]
    a = sqlite.similar(listing.key, limit=5)
    b = es.similar(listing.key, limit=5)
    assert a and b and listing.key not in {h.key for h in a + b}
    assert len({h.doc_id for h in a} & {h.doc_id for h in b}) >= 2  # different scoring, same neighbourhood
