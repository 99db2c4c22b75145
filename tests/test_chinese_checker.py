"""The checker the Chinese-output tests use (tests/chinese.py) fails on what the old outputs held."""

from __future__ import annotations

import pytest

from tests.chinese import english_in


@pytest.mark.parametrize("text", [
    "MFZ/ABC8 means 8 kg but the listing states 4 kg: MFZ/ABC8 可开发票热卖4公斤…",  # old spec evidence
    "4 kg ABC 干粉: prior median 60 yuan; this one 9.50 yuan = 0.16x",  # old price evidence
    "{'text': '1.5米x1.5米', 'width_m': 1.5}",  # a parsed spec as a Python repr
    "[('blanket size', 1.5)]",
    "武汉江城防护装备有限公司 ~ watchlist: 武汉江城防护装备有限公司",
    "normal_price", "jd_venderId", "not_fire", "True", "active", "review:confirm",
])
def test_flags_english_and_reprs(text):
    assert english_in(text)


@pytest.mark.parametrize("text", [
    "型号 MFZ/ABC8 表示 8 千克，商品却标称 4 千克：MFZ/ABC8 可开发票热卖4公斤…",
    "4 kg ABC 干粉：参考中位价 60 元；本商品 9.50 元，为参考价的 0.16 倍",
    "型号 8-65-20 表示工作压力 0.8 MPa，商品却标称 1.6 MPa", "引用的 GB 4351.1-2005 已于 2025-01-01 废止",
    "链接 https://item.jd.com/100012345678.html，SHA-256 3f2a9c0d1e4b5a6f7788",
])
def test_passes_chinese_with_codes_numbers_units_and_links(text):
    assert english_in(text) == []


def test_seller_text_is_set_aside():
    assert english_in("标题 Super Fire Extinguisher Pro", allowed=["Super Fire Extinguisher Pro"]) == []
