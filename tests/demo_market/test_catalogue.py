"""Catalogue generation: size, coverage of categories and reasons, determinism, variety."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from decimal import Decimal

from demo_market.catalogue import PLATFORMS
from demo_market.generator import build_catalogue

CATEGORIES = {
    "portable_extinguisher", "escape_respirator", "sprinkler", "fire_door", "fire_glass",
    "fire_shutter", "fire_blanket", "gas_detector", "smoke_alarm", "emergency_light", "fire_pump",
    "gas_suppression", "flame_retardant_cable", "fire_resistant_cable", "electrical_fire_detector",
    "fire_retardant_coating", "foam_agent", "fire_hose", "fire_coupling", "rescue_equipment",
    "other_fire", "not_fire"}
REASONS = {"inspection_only", "no_certification", "invalid_certificate", "refurbished",
           "price_too_low", "spec_mismatch", "substandard_spec", "prop_or_display",
           "no_manufacturer", "watchlist_seller"}


def test_size_categories_and_platforms(catalogue):
    initial = catalogue.initial()
    assert len(initial) >= 1500
    assert {x.true_category for x in initial} == CATEGORIES
    assert {x.platform for x in initial} == set(PLATFORMS)


def test_risk_share_and_every_reason(catalogue):
    initial = catalogue.initial()
    assert sum(x.risky for x in initial) / len(initial) >= 0.20
    seen = Counter(r for x in initial for r in x.true_reasons)
    assert set(seen) == REASONS
    assert all(n >= 2 for n in seen.values())
    assert not any(x.risky for x in initial if x.true_category == "not_fire")


def test_deterministic_by_seed():
    a, b, c = build_catalogue(seed=3, size=300), build_catalogue(seed=3, size=300), build_catalogue(seed=4, size=300)
    key = lambda cat: [(x.listing_id, x.title, x.price, x.true_reasons) for x in cat.listings]
    assert key(a) == key(b)
    assert key(a) != key(c)


def test_ids_and_prices(catalogue):
    ids = [(x.platform, x.listing_id) for x in catalogue.listings]
    assert len(ids) == len(set(ids))
    lengths = {"jd": range(10, 13), "taobao": range(12, 13), "tmall": range(12, 13),
               "pdd": range(11, 13), "1688": range(12, 13)}
    for x in catalogue.listings:
        assert x.listing_id.isdigit() and len(x.listing_id) in lengths[x.platform]
        assert isinstance(x.price, Decimal) and x.price == x.price.quantize(Decimal("0.01"))
        assert x.price > 0


def test_titles_vary(catalogue):
    orders = defaultdict(set)
    for x in catalogue.initial():
        orders[x.true_category].add(x.title)
    for cat, titles in orders.items():
        assert len(titles) >= 0.9 * sum(1 for x in catalogue.initial() if x.true_category == cat)
    ext = [x.title for x in catalogue.initial() if x.true_category == "portable_extinguisher"]
    starts = Counter(re.split(r"[\s】]", t)[0][:2] for t in ext)
    assert len(starts) >= 15  # many different words open the title
    assert any("【" in t for t in ext)
    a1688 = [x.title for x in catalogue.initial() if x.platform == "1688"]
    assert sum(any(w in t for w in ("批发", "厂家直销", "源头工厂", "一件代发", "量大从优")) for t in a1688) > 0.8 * len(a1688)


def test_risk_evidence_is_planted(catalogue):
    for x in catalogue.initial():
        text = x.title + x.description + " ".join(x.attributes.values())
        if "inspection_only" in x.true_reasons:
            assert re.search("年检|过检|检查|验收专用|审车", text)
        if "invalid_certificate" in x.true_reasons:
            assert not re.fullmatch(r"20(1[5-9]|2[0-5])\d{12}", x.attributes["认证证书编号"])
        if "watchlist_seller" in x.true_reasons:
            makers = {r["标称生产单位"] for r in catalogue.watchlist}
            shops = {r["受检单位"] for r in catalogue.watchlist}
            assert x.shop_name in shops or x.attributes.get("生产企业") in makers
        if not x.risky and "认证证书编号" in x.attributes:
            assert re.fullmatch(r"20(1[5-9]|2[0-5])\d{12}", x.attributes["认证证书编号"])


def test_watchlist_columns(catalogue):
    cols = ["序号", "产品种类", "受检单位", "标称生产单位", "标称生产单位所在地", "产品名称",
            "规格型号", "生产日期/批号", "主要不合格项目", "承检机构", "电商平台", "备注"]
    assert list(catalogue.watchlist[0]) == cols


def test_relistings_are_risky_with_new_ids_and_shops(catalogue):
    relists = [x for x in catalogue.listings if x.relist_of]
    assert relists
    for x in relists:
        orig = catalogue.get(x.platform, x.relist_of)
        assert orig.risky and orig.delisted_day is not None and x.risky
        assert x.listing_id != orig.listing_id and x.shop_id != orig.shop_id
        assert x.listed_day >= orig.delisted_day
