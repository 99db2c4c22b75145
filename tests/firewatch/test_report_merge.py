"""A report row never rewrites what a listing's page showed: it fills gaps only, writes no price
snapshot and does not move last_seen; a fetched page that went to another item is refused.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from firewatch.core.models import Artefact, Evidence, Listing, PriceTier
from firewatch.services.leads import read_captured
from firewatch.services.reports import import_listings
from firewatch.store import open_store

CRAWLED_AT = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def test_a_report_row_fills_gaps_and_changes_nothing_the_page_showed(tmp_path):
    crawled = Listing("1688", "777", url="https://detail.1688.com/offer/777.html", title="消防水带 65型 20米",
                      price_range=(Decimal("25"), Decimal("30")),
                      price_tiers=[PriceTier(1, Decimal("30")), PriceTier(50, Decimal("25"))],
                      shop_name="某水带厂", description="", stock=None)
    report = tmp_path / "r.csv"
    report.write_text("商品链接,商品名称,销售价格,店铺名称,商品描述,库存数量\n"
                      "https://detail.1688.com/offer/777.html,另一个标题,5,另一家店,报送的描述,120\n", encoding="utf-8")
    with open_store(tmp_path / "db.sqlite") as store:
        store.listings.upsert_listing(crawled, observed_at=CRAWLED_AT)
        before = store.listings.snapshots(crawled.key)
        outcome = import_listings(store, report, "平台报送")
        after = store.listings.get_listing(crawled.key)
        assert outcome.written.updated == 1 and outcome.fetch == 0  # its page was read: no fetch
        assert after.title == crawled.title and after.shop_name == crawled.shop_name
        assert after.price is None and after.price_range == crawled.price_range and after.price_tiers == crawled.price_tiers
        assert after.description == "报送的描述" and after.stock == 120  # the gaps, filled
        assert after.last_seen == CRAWLED_AT  # a report is not a sighting of the page
        assert store.listings.snapshots(crawled.key) == before
        assert [s.kind for s in store.sources.sources_of(crawled.key)] == ["report"]


def _evidence(final_url: str, folder) -> Evidence:
    page = "<html><head><title>京东</title></head><body>搜索结果 灭火器</body></html>".encode("utf-8")
    (folder / "response.body").write_bytes(page)
    return Evidence("jd", "100", datetime.now(timezone.utc), "https://item.jd.com/100.html", final_url, 200, None,
                    "ua", "chromium", str(folder), [Artefact("response.body", "0" * 64, "text/html", len(page))])


@pytest.mark.parametrize("final_url, words", [("https://item.jd.com/200.html", "另一个商品"),
                                              ("https://search.jd.com/Search?keyword=x", "非商品页面"),
                                              ("https://mall.jd.com/index-1000.html", "非商品页面")])
def test_a_fetched_page_that_went_elsewhere_is_not_this_listing(final_url, words, tmp_path):
    stub = Listing("jd", "100", url="https://item.jd.com/100.html", status="unknown")
    with pytest.raises(ValueError, match=words):
        read_captured(stub, _evidence(final_url, tmp_path))


def test_a_fetch_that_ended_on_the_home_page_is_only_a_suspected_removal(tmp_path):
    stub = Listing("jd", "100", url="https://item.jd.com/100.html", status="unknown")
    seen = read_captured(stub, _evidence("https://www.jd.com/", tmp_path))
    assert (seen.basis, seen.recheck) == ("home_redirect", True)  # an anti-bot redirect looks the same
