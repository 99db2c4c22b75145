"""Skip-if-unchanged compares a search result with what the search page showed last time:
on 1688 the stored listing comes from the offer page (wholesale tiers) while the search
page shows one price or a range, so comparing with the stored listing refetched the offer.

The listings go through the real store pipeline into a real SQLite store; the offer page is
the real 1688 page of `../shared/fixtures/real-pages/`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from crawler.pipelines import StorePipeline
from crawler.platforms import parse_page
from crawler.skip import SearchFound, found_item, search_signature, skip_key_map, unchanged
from firewatch.core.models import Listing, PriceTier, utcnow
from firewatch.store import open_store


def stored_through_pipeline(store_path: Path, *items) -> None:
    pipeline = StorePipeline(str(store_path), echo=False)
    pipeline.open_spider()
    try:
        for item in items:
            pipeline.process_item(item)
    finally:
        pipeline.close_spider()


def known(store_path: Path) -> dict:
    with open_store(store_path) as store:
        return skip_key_map(store, utcnow() - timedelta(hours=6))


def test_search_signature_is_what_the_search_result_shows_in_fen():
    assert search_signature(Listing("jd", "1", price=Decimal("12.5"))) == search_signature(
        Listing("jd", "1", price=Decimal("12.50"))) == "p=1250"
    assert search_signature(Listing("1688", "1", price_range=(Decimal("3.8"), Decimal("8.2")))) == "r=380-820"
    assert search_signature(Listing("1688", "1", price_tiers=[PriceTier(10, Decimal("7")), PriceTier(2, Decimal("8"))])) \
        == "t=2:800,10:700"
    assert search_signature(Listing("pdd", "1")) == "none"
    # a range whose high end moved is a change, though its low end (the display price) is not
    assert search_signature(Listing("1688", "1", price_range=(Decimal("3.80"), Decimal("9.00")))) != "r=380-820"


def test_a_1688_offer_is_skipped_when_its_search_result_shows_the_same_price(real_pages, tmp_path):
    (offer,) = parse_page("1688", "item", (real_pages / "1688-offer-2026.html").read_bytes(),
                          source="1688-offer-2026.html")
    assert offer.price_tiers and offer.display_price == Decimal("3.80")
    # the search card shows one price that is none of the offer page's tier prices' minimum
    found = Listing("1688", offer.listing_id, url=offer.url, title=offer.title, price=Decimal("8.20"))
    store_path = tmp_path / "fw.db"

    stored_through_pipeline(store_path, offer)  # stored the old way (no signature): compared by display price
    assert not unchanged(known(store_path), found)  # the refetch-every-run of issue 12

    stored_through_pipeline(store_path, found_item(offer, found))  # what the spider yields from now on
    assert known(store_path)[offer.key] == "p=820"
    assert unchanged(known(store_path), found)  # same search result: the offer page is not fetched again
    assert not unchanged(known(store_path), Listing("1688", offer.listing_id, price=Decimal("8.00")))  # price moved
    assert not unchanged(known(store_path), Listing("1688", "other", price=Decimal("8.20")))  # never stored

    with open_store(store_path) as store:
        assert store.listings.get_listing(offer.key).price_tiers == offer.price_tiers  # the offer page's data kept
        assert len(store.listings.snapshots(offer.key)) == 1  # the signature is not content


def test_listings_stored_without_a_signature_are_compared_as_before(tmp_path):
    store_path = tmp_path / "fw.db"
    jd = Listing("jd", "100", url="https://item.jd.com/100.html", title="干粉灭火器", price=Decimal("58.80"))
    removed = Listing("jd", "101", url="https://item.jd.com/101.html", title="灭火器箱", price=Decimal("30"),
                      status="removed")
    stored_through_pipeline(store_path, jd, removed)
    keys = known(store_path)
    assert unchanged(keys, Listing("jd", "100", price=Decimal("58.8")))
    assert not unchanged(keys, Listing("jd", "100", price=Decimal("59.00")))
    assert not unchanged(keys, Listing("jd", "100"))  # no price on the search page: fetch it
    assert not unchanged(keys, Listing("jd", "101", price=Decimal("30")))  # not active: always fetched


def test_the_pipeline_stores_a_search_found_item_as_its_listing(tmp_path):
    store_path = tmp_path / "fw.db"
    listing = Listing("pdd", "9", url="https://mobile.yangkeduo.com/goods.html?goods_id=9", title="烟雾报警器",
                      price=Decimal("19.9"))
    pipeline = StorePipeline(str(store_path), echo=False)
    pipeline.open_spider()
    try:
        assert pipeline.process_item(SearchFound(listing, "p=1990")) is listing
    finally:
        pipeline.close_spider()
    assert known(store_path) == {("pdd", "9"): "p=1990"}
