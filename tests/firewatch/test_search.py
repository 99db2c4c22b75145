"""The search protocol on both backends (SQLite FTS5 and a real Elasticsearch node).

Every test here runs unchanged against `sqlite` and `es` (the `make_index` fixture of
tests/firewatch/conftest.py: the session's Elasticsearch node, each test its own index
prefix; the rows are tests/builders.py's `SEARCH_ROWS`). It covers Chinese
two-character queries, model codes, every filter, sorts, pagination, facets, history,
shop listings, similar listings, idempotent re-indexing and hostile query text.
`test_search_parity.py` checks that both backends give identical pages for the same data.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from firewatch.core.exceptions import SearchError
from firewatch.search import SearchQuery
from tests.builders import HOSTILE_QUERIES as HOSTILE, SEARCH_ROWS as ROWS, search_items as make_items, when


@pytest.fixture
def index(make_index):
    idx = make_index()
    assert idx.index_many(make_items()) == len(ROWS)
    idx.refresh()
    return idx


def ids(result) -> list[str]:
    return [h.doc_id for h in (result.hits if hasattr(result, "hits") else result)]


def found(index, text="", **filters) -> set[str]:
    return set(ids(index.search(SearchQuery(text=text, page_size=100, **filters))))


def test_two_character_queries_codes_and_descriptions(index):
    extinguishers = {"jd:1001", "jd:1002", "jd:1004", "1688:4001", "tmall:5001", "pdd:2003"}
    assert found(index, "灭火") == extinguishers
    assert found(index, "灭火器") == extinguishers - {"tmall:5001"}
    assert found(index, "烟感") == {"pdd:2001", "pdd:2002", "pdd:2003"}
    assert found(index, "报警器") == {"pdd:2001"}
    assert found(index, "MFZ/ABC4") == found(index, "mfz/abc4") == {"jd:1001", "jd:1002", "jd:1004"}
    assert found(index, "ＭＦＺ／ＡＢＣ４") == {"jd:1001", "jd:1002", "jd:1004"}  # full-width, as sellers write
    assert found(index, "年检专用 灭火器") == {"jd:1001", "jd:1004"}  # every token must be present
    assert found(index, "翻新") == {"1688:4001"}  # description
    assert found(index, "旗舰店") == {"jd:1001", "jd:1002", "jd:1004"}  # shop name
    assert found(index, "呼吸器") == {"taobao:3001"}
    assert found(index, "水带") == set()


def test_every_filter(index):
    assert found(index, platform="pdd") == {"pdd:2001", "pdd:2002", "pdd:2003"}
    assert found(index, "灭火", platform="jd") == {"jd:1001", "jd:1002", "jd:1004"}
    assert found(index, category="smoke_alarm") == {"pdd:2001", "pdd:2002"}
    assert found(index, flagged=True) == {"jd:1001", "jd:1004", "pdd:2001", "pdd:2002", "1688:4001", "pdd:2003"}
    assert found(index, "灭火", flagged=False) == {"jd:1002", "tmall:5001"}
    assert found(index, reason="inspection_only") == {"jd:1001", "jd:1004", "pdd:2002"}
    assert found(index, shop="s2") == found(index, shop="平安安防") == {"pdd:2001", "pdd:2002"}
    assert found(index, shop="s6") == {"tmall:5001"}
    assert found(index, min_price="19.90", max_price="35") == {"pdd:2001", "jd:1001", "jd:1004", "tmall:5001"}
    assert found(index, max_price=Decimal("12.5")) == {"pdd:2002", "pdd:2003"}
    assert found(index, min_price=100) == {"1688:4001"}
    assert found(index, since="2026-11-04") == {"taobao:3001", "tmall:5001", "pdd:2003"}
    assert found(index, until="2026-10-25") == {"pdd:2001", "pdd:2002", "1688:4001"}
    assert found(index, since="2026-11-01", until="2026-11-01") == {"jd:1001", "jd:1004"}
    assert found(index, since="2026-11-01T08:30:00.124+00:00", until="2026-11-02") == {"jd:1003"}
    assert found(index, status="removed") == {"pdd:2002"}
    assert found(index, "灭火", status="blocked", platform="1688", category="portable_extinguisher",
                 flagged=True, reason="refurbished", shop="s4", min_price=100, since="2026-09-01") == {"1688:4001"}


def test_sorts_break_ties_by_document_id(index):
    def order(**kw):
        return ids(index.search(SearchQuery(page_size=100, **kw)))

    assert order(sort="risk") == ["jd:1001", "jd:1004", "pdd:2002", "pdd:2001", "1688:4001", "pdd:2003",
                                  "jd:1002", "taobao:3001", "jd:1003", "tmall:5001"]
    assert order(sort="relevance") == order(sort="risk")  # no text: relevance is risk order
    assert order(sort="price_asc") == ["pdd:2003", "pdd:2002", "pdd:2001", "tmall:5001", "jd:1001", "jd:1004",
                                       "taobao:3001", "jd:1002", "1688:4001", "jd:1003"]  # no price: last
    assert order(sort="price_desc")[:3] == ["1688:4001", "jd:1002", "taobao:3001"]
    assert order(sort="price_desc")[-1] == "jd:1003"
    assert order(sort="newest") == ["pdd:2003", "taobao:3001", "tmall:5001", "jd:1002", "jd:1003", "jd:1001",
                                    "jd:1004", "pdd:2002", "pdd:2001", "1688:4001"]
    hits = index.search(SearchQuery("灭火", sort="relevance", page_size=100)).hits
    assert {h.doc_id for h in hits} == {"jd:1001", "jd:1002", "jd:1004", "1688:4001", "tmall:5001", "pdd:2003"}
    assert all(h.score > 0 for h in hits)


def test_pagination_covers_every_hit_once(index):
    full = ids(index.search(SearchQuery(sort="price_asc", page_size=100)))
    pages = [index.search(SearchQuery(sort="price_asc", page=p, page_size=3)) for p in (1, 2, 3, 4, 5)]
    assert [len(p.hits) for p in pages] == [3, 3, 3, 1, 0]
    assert sum((ids(p) for p in pages), []) == full
    assert {p.total for p in pages} == {10}
    with pytest.raises(SearchError, match="narrow the query"):
        index.search(SearchQuery(page=101, page_size=100))
    with pytest.raises(SearchError, match="sort"):
        index.search(SearchQuery(sort="cheapest"))


def test_facet_counts(index):
    result = index.search(SearchQuery(facets=True, page_size=1))
    assert result.total == 10 and len(result.hits) == 1
    assert result.facets["category"] == [("portable_extinguisher", 5), ("smoke_alarm", 2), ("escape_respirator", 1),
                                         ("not_fire", 1)]
    assert result.facets["platform"] == [("jd", 4), ("pdd", 3), ("1688", 1), ("taobao", 1), ("tmall", 1)]
    assert result.facets["reason"] == [("inspection_only", 3), ("no_certification", 3), ("no_manufacturer", 1),
                                       ("price_too_low", 1), ("refurbished", 1)]
    assert result.facets["shop"][:2] == [("消防器材旗舰店", 3), ("平安安防", 2)]
    assert ("", 1) not in result.facets["shop"]  # no name: no bucket
    smoke = index.search(SearchQuery("烟感", facets=True))
    assert smoke.facets["platform"] == [("pdd", 3)]
    assert smoke.facets["reason"] == [("inspection_only", 1), ("no_certification", 1), ("no_manufacturer", 1),
                                      ("price_too_low", 1)]


def test_history_shop_listings_and_similar(index):
    history = index.history(("jd", "1001"))
    assert [(s.observed_at.date().isoformat(), s.price, s.status, s.stock) for s in history] == [
        ("2026-10-01", Decimal("39.00"), "active", 5), ("2026-10-15", Decimal("35.00"), "active", 3),
        ("2026-11-01", Decimal("35.00"), "removed", 0)]
    assert history[0].observed_at == when("2026-10-01").replace(microsecond=123000)
    assert index.history(("jd", "1002")) == []
    shop = index.shop_listings("jd", "消防器材旗舰店")
    assert ids(shop) == ["jd:1001", "jd:1004", "jd:1002"] and shop.total == 3
    assert ids(index.shop_listings(None, "s2")) == ["pdd:2002", "pdd:2001"]
    assert ids(index.shop_listings("jd", "s2")) == []
    similar = index.similar(("jd", "1001"), limit=3)
    assert similar[0].doc_id == "jd:1004"
    assert "jd:1001" not in ids(similar)
    assert index.similar(("jd", "9999")) == []


def test_reindexing_is_idempotent_and_replaces(index):
    items = make_items()
    index.index_many(items)
    index.index_many(items[:3])
    listing, assessment, _ = items[1]
    listing.title = "手提式水基灭火器"
    listing.attributes = {}
    listing.price = Decimal("66.60")
    index.index_listing(listing, None)
    index.refresh()
    assert index.count() == 10
    assert "jd:1002" not in found(index, "MFZ/ABC4")
    assert "jd:1002" in found(index, "水基")
    hit = index.search(SearchQuery("水基")).hits[0]
    assert (hit.price_fen, hit.category, hit.flagged, hit.reasons, hit.risk_score) == (6660, None, False, [], None)
    assert len(index.history(("jd", "1001"))) == 3  # snapshots indexed twice, stored once
    hit = index.search(SearchQuery("年检", sort="risk")).hits[0]
    assert (hit.doc_id, hit.title, hit.shop_name, hit.price_fen, hit.status, hit.risk_score) == (
        "jd:1001", "干粉灭火器4kg 年检专用 MFZ/ABC4", "消防器材旗舰店", 3500, "active", 0.92)
    assert hit.last_seen == when("2026-11-01").replace(microsecond=123000)


def test_hostile_text_never_errors(index):
    for text in HOSTILE:
        result = index.search(SearchQuery(text, facets=True))
        assert result.total == len(result.hits) <= 10, text
    assert found(index, 'title:*') == {"pdd:2003"}  # "title" is just a word here: the seller wrote it
    assert found(index, '(') == set()  # no searchable token: nothing matches
    assert found(index, '"灭火器"') == found(index, "灭火器")
    assert found(index, '(灭火器) "OR"') == {"pdd:2003"}  # matched as words, not as syntax
    assert found(index, "   ") == found(index)  # blank text: no text condition
