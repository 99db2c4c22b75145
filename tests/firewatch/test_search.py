"""SQLite FTS5 search with jieba tokens: Chinese queries of two characters, filters, idempotence."""

from decimal import Decimal

import pytest

from firewatch.models import Assessment, Listing, Reason
from firewatch.search import open_index


@pytest.fixture
def index(tmp_path):
    idx = open_index("sqlite", tmp_path / "search.db")
    yield idx
    idx.close()


def add(idx, lid, title, platform="jd", flagged=False, category="portable_extinguisher"):
    l = Listing(platform=platform, listing_id=lid, title=title, price=Decimal("10"), shop_name="店")
    a = Assessment(platform, lid, category, 0.9, 0.9 if flagged else 0.1, flagged,
                   reasons=[Reason("inspection_only", "年检专用")] if flagged else [])
    idx.index_listing(l, a)


def test_two_character_and_word_queries(index):
    add(index, "1", "干粉灭火器4kg 年检专用", flagged=True)
    add(index, "2", "家用烟雾报警器 烟感", category="smoke_alarm")
    add(index, "3", "儿童消防车玩具", category="not_fire")
    assert [h.listing_id for h in index.search("灭火")] == ["1"]
    assert [h.listing_id for h in index.search("灭火器")] == ["1"]
    assert [h.listing_id for h in index.search("烟感")] == ["2"]
    assert [h.listing_id for h in index.search("报警器")] == ["2"]
    assert index.search("呼吸器") == []


def test_filters_and_idempotent_reindex(index):
    add(index, "1", "干粉灭火器", flagged=True)
    add(index, "1", "干粉灭火器", flagged=True)
    add(index, "9", "二氧化碳灭火器", platform="pdd")
    assert index.count() == 2
    assert [h.listing_id for h in index.search("灭火器", platform="pdd")] == ["9"]
    assert [h.listing_id for h in index.search("灭火器", flagged=True)] == ["1"]
    assert index.search("灭火器", flagged=True)[0].reasons == ["inspection_only"]


def test_hostile_query_is_not_fts_syntax(index):
    add(index, "1", "灭火器")
    assert index.search('灭火" OR docs_fts MATCH "*') == []  # quoted tokens: no FTS5 syntax, no error
    assert index.search('"灭火器"')[0].listing_id == "1"
