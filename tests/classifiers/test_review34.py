"""False flags a review of session 34's rules found, each beside the flag that must stay.

1. a word family's word inside a longer word or phrase: 家用 in 商家用心, 有衬里 in 没有衬里, 隔热防火门 in
   部分隔热防火门; a refusal (不适合家用) names no use;
2. a price per mass (30元一公斤) is no fill;
3. a bare 单价 row of goods sold by length may be one metre's: it says nothing of how many pieces the price buys;
   a deposit page naming the full price elsewhere (全款价8000元) is still a deposit.
"""

from __future__ import annotations

import pytest

from classifiers.price import sold_count
from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, attributes, description", [
    ("gas_detector", "工业用可燃气体探测器 点型", {}, "商家用心做好每一台"),
    ("gas_detector", "工业用可燃气体探测器 点型", {}, "不适合家用"),
    ("fire_hose", "无衬里消防水带 8-65-20", {}, "这款没有衬里，轻便"),
    ("fire_door", "乙级部分隔热防火门 钢质", {"隔热性": "部分隔热"}, ""),
    ("portable_extinguisher", "MFZ/ABC4 4公斤干粉灭火器", {}, "干粉30元一公斤"),
    ("portable_extinguisher", "MFZ/ABC4 4公斤干粉灭火器", {}, "25块一公斤"),
])
def test_no_contradiction(rules, category, title, attributes, description):
    assert "spec_mismatch" not in found(rules, shop(title, "300", attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("gas_detector", "家用可燃气体探测器 天然气报警器 厨房", {"适用场所": "工业用"}, ""),
    ("gas_detector", "可燃气体探测器 天然气", {"用途": "家用"}, "答：这个是工业用的哦"),
    ("fire_hose", "无衬里消防水带 8-65-20", {"衬里": "有衬里"}, ""),
    ("portable_extinguisher", "MFZ/ABC4 4公斤干粉灭火器", {}, "答：这款是两公斤的"),
])
def test_still_a_contradiction(rules, category, title, attributes, description):
    assert "spec_mismatch" in found(rules, shop(title, "300", attributes, description), category)


def test_a_bare_unit_price_row_of_a_cable_counts_no_pieces(rules):
    wire = shop("NH-BV 2.5平方 100米一卷 耐火电线", "280", {"单价": "2.8元"})
    assert sold_count(wire, 280.0) == 1
    assert "price_too_low" not in found(rules, wire, "fire_resistant_cable")
    # a row naming the piece still does: 2.8元/只 at 28 buys ten
    assert sold_count(shop("独立式烟雾报警器 10只装", "28", {"单价": "2.8元/只"}), 28.0) == 10


def test_a_deposit_page_naming_the_full_price_is_a_deposit(rules):
    deposit = shop("七氟丙烷柜式气体灭火装置 70L", "100", {}, "本链接为定金链接，全款价8000元")
    assert "price_too_low" not in found(rules, deposit, "gas_suppression")
