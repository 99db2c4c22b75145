"""Inspection-only wording, a fresh probe round written from the spec before any new held-out set was read (session 38).

taxonomy.md inspection_only: "sold to pass an inspection, not to work". Scored before fixing: 12 of 20 such listings
missed, no false flag among 8 clean ones. Left: 开店办证要看灭火器，拍这个最划算 (a purpose and the cheapest choice: a
compliance buyer's ordinary advice reads the same). Measured after on the sealed sets: no listing gained (heldout7
18 of 23, heldout23 13 of 17), a wording round does not reach a new writer's wording.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("description", [
    "老板放心，街道检查那关这个就够对付。",
    "摆门口，检查的一看有灭火器就走了。",
    "挂上拍个照发给物业就搞定了。",
    "验收那天放着，完了爱咋咋地。",
    "检查组来了它就是道护身符。",
    "网格员来查就靠它了，便宜实惠。",
    "不用管能不能喷，有个瓶子在就过了。",
    "年检的时候往那一放，省心。",
    "只要外观过得去，检查绝对没毛病。",
    "抽查来了有东西摆着就不罚。",
    "消防检查过一下而已，买贵的浪费。",
])
def test_inspection_wording(rules, description):
    assert "inspection_only" in found(rules, shop("干粉灭火器 4kg 店铺用", "25", {"型号": "MFZ/ABC4"}, description),
                                      "portable_extinguisher")


@pytest.mark.parametrize("description", [
    "社区微型消防站灭火就靠它了，正规3C。",
    "社区、工厂的初期火灾都够对付。",
    "检查时放在显眼处，方便取用。",
    "压力不足可拍照发给客服，免费补压。",
    "厨房油锅起火就靠它了。",
    "消防检查的时候会看压力表和日期，我们都是新货。",
    "检查过后请放回箱内，保持通道畅通。",
    "别买那种只为应付检查的便宜货，关键时刻要能用。",
    "物业要求每户配置，这款正规3C可查。",
])
def test_clean_wording_around_checks(rules, description):
    assert "inspection_only" not in found(rules, shop("干粉灭火器 4kg MFZ/ABC4", "65", {"型号": "MFZ/ABC4", "认证": "3C"},
                                                      description), "portable_extinguisher")
