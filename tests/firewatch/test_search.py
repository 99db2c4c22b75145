"""The search protocol on both backends (SQLite FTS5 and a real Elasticsearch node).

Every test here runs unchanged against `sqlite` and `es` (the session's Elasticsearch
node from the `es_url` fixture; each test gets its own index prefix). It covers Chinese
two-character queries, model codes, every filter, sorts, pagination, facets, history,
shop listings, similar listings, idempotent re-indexing and hostile query text.
`test_search_parity.py` checks that both backends give identical pages for the same data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import pytest

from firewatch.core.exceptions import SearchError
from firewatch.core.models import Assessment, Listing, Reason, Snapshot
from firewatch.search import SearchQuery, open_index


def when(day: str) -> datetime:
    return datetime.fromisoformat(day + "T08:30:00.123456+00:00")


# (key, title, shop_id, shop_name, price, status, last_seen, description, category, risk, flagged, reasons)
ROWS = [
    ("jd:1001", "干粉灭火器4kg 年检专用 MFZ/ABC4", "s1", "消防器材旗舰店", "35.00", "active", "2026-11-01", "",
     "portable_extinguisher", 0.92, True, ["inspection_only", "no_certification"]),
    ("jd:1002", "手提式干粉灭火器 MFZ/ABC4 3C认证", "s1", "消防器材旗舰店", "89.00", "active", "2026-11-03", "",
     "portable_extinguisher", 0.2, False, []),
    ("pdd:2001", "家用烟雾报警器 烟感 独立式", "s2", "平安安防", "19.90", "active", "2026-10-20", "",
     "smoke_alarm", 0.75, True, ["no_certification"]),
    ("pdd:2002", "烟感探测器 消防验收专用 无线", "s2", "平安安防", "12.50", "removed", "2026-10-25", "",
     "smoke_alarm", 0.88, True, ["inspection_only", "price_too_low"]),
    ("taobao:3001", "过滤式消防自救呼吸器 防毒面具", "s3", "安全家居", "59.00", "active", "2026-11-05", "",
     "escape_respirator", 0.1, False, []),
    ("1688:4001", "二氧化碳灭火器 MT/3 批发", "s4", "宁波消防厂", "120.00", "blocked", "2026-09-30", "二手翻新 钢瓶",
     "portable_extinguisher", 0.6, True, ["refurbished"]),
    ("jd:1003", "儿童消防车玩具", "s5", "玩具店", None, "active", "2026-11-02", "", "not_fire", 0.05, False, []),
    ("tmall:5001", "灭火毯 家用厨房 1.2米", "s6", "", "29.00", "active", "2026-11-04", "", None, None, None, []),
    ("jd:1004", "干粉灭火器4kg 年检专用 MFZ/ABC4 特价", "s1", "消防器材旗舰店", "35.00", "active", "2026-11-01", "",
     "portable_extinguisher", 0.92, True, ["inspection_only", "no_certification"]),
    ("pdd:2003", 'title:* (灭火器) "OR" AND NOT 烟感* {!', "s7", "[red]假店[/red]", "9.90", "active", "2026-11-06", "",
     "portable_extinguisher", 0.5, True, ["no_manufacturer"]),
]
HOSTILE = ['title:*', '(', ')', '"', '灭火" OR docs_fts MATCH "*', 'NEAR(灭火 烟感)', '*', 'a OR b', '灭火 AND',
           '{"query": 1}', '\\', 'tokens:灭火~2', '[red]x[/red]', '   ', '\x00', 'NOT', '^', 'title:(灭火 OR 烟感)']


def make_items():
    items = []
    for key, title, shop_id, shop, price, status, seen, desc, cat, risk, flagged, reasons in ROWS:
        platform, lid = key.split(":")
        listing = Listing(platform=platform, listing_id=lid, url=f"https://example.test/{platform}/{lid}", title=title,
                          price=Decimal(price) if price else None, shop_id=shop_id, shop_name=shop, description=desc,
                          attributes={"型号": "MFZ/ABC4"} if "MFZ" in title else {}, status=status,
                          first_seen=when("2026-09-01"), last_seen=when(seen))
        assessment = None if cat is None else Assessment(
            platform, lid, cat, 0.9, risk, flagged, reasons=[Reason(code, "…") for code in reasons],
            assessed_at=when(seen))
        snapshots = None
        if key == "jd:1001":
            snapshots = [Snapshot(platform, lid, when("2026-10-01"), Decimal("39.00"), title, 5, "active", "a" * 64),
                         Snapshot(platform, lid, when("2026-10-15"), Decimal("35.00"), title, 3, "active", "b" * 64),
                         Snapshot(platform, lid, when("2026-11-01"), Decimal("35.00"), title, 0, "removed", "c" * 64)]
        items.append((listing, assessment, snapshots))
    return items


def es_url_or_skip(request) -> str:
    try:
        return request.getfixturevalue("es_url")
    except pytest.FixtureLookupError:
        pytest.skip("no es_url fixture: tests/conftest.py does not start an Elasticsearch node in this tree")


@pytest.fixture
def make_index(request, tmp_path):
    """A factory of empty indexes of one backend (param): sqlite files or ES prefixes."""
    made = []

    def make(backend: str | None = None):
        backend = backend or request.param
        if backend == "sqlite":
            idx = open_index("sqlite", tmp_path / f"search-{len(made)}.db")
        else:
            idx = open_index(es_url_or_skip(request), tmp_path, prefix="t" + uuid.uuid4().hex[:12], retries=1,
                             backoff=0.05)
        made.append(idx)
        return idx

    yield make
    for idx in made:
        if idx.backend == "elasticsearch":
            idx.drop()
        idx.close()


BACKENDS = pytest.mark.parametrize("make_index", ["sqlite", "es"], indirect=True)


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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
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


@BACKENDS
def test_hostile_text_never_errors(index):
    for text in HOSTILE:
        result = index.search(SearchQuery(text, facets=True))
        assert result.total == len(result.hits) <= 10, text
    assert found(index, 'title:*') == {"pdd:2003"}  # "title" is just a word here: the seller wrote it
    assert found(index, '(') == set()  # no searchable token: nothing matches
    assert found(index, '"灭火器"') == found(index, "灭火器")
    assert found(index, '(灭火器) "OR"') == {"pdd:2003"}  # matched as words, not as syntax
    assert found(index, "   ") == found(index)  # blank text: no text condition
