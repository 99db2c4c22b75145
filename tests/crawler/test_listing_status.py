"""A listing the platform reports as gone parses as `removed`, on every platform of the
demo market, and an ordinary item page as `active` (the real pages included)."""

from __future__ import annotations

import httpx
import pytest

from crawler.platforms import parse_page

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")


@pytest.fixture(scope="module")
def later_market(start_market):
    from demo_market.server import QUIET

    market = start_market(seed=7, **QUIET)
    response = httpx.post(f"{market.base_url}/_admin/day", json={"day": 30})
    assert response.status_code == 200
    return market


@pytest.mark.parametrize("platform", PLATFORMS)
def test_delisted_and_active_item_pages(later_market, platform):
    cat = later_market.catalogue
    mine = cat.by_platform(platform)
    gone = next(x for x in mine if cat.status(x, 30) == "delisted")
    live = next(x for x in mine if cat.status(x, 30) == "active")
    for item, expected in ((gone, "removed"), (live, "active")):
        body = httpx.get(later_market.base_url + item.path).content
        url = item.url
        [listing] = parse_page(platform, "item", body, url=url)
        assert listing.listing_id == item.listing_id
        assert listing.status == expected, (platform, item.listing_id)


def test_real_item_pages_are_active(real_pages):
    for platform, name in (("jd", "jd-item-2018.gbk.html"), ("taobao", "taobao-item-2020.html"),
                           ("tmall", "tmall-item-2020.gbk.html"), ("1688", "1688-offer-2026.html")):
        [listing] = parse_page(platform, "item", (real_pages / name).read_bytes(), source=name)
        assert listing.status == "active", name
