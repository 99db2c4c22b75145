"""Inspection-only and refurbished wording from session 36's probes: whoever checks never cuts a lamp's power to time
it, a unit taken off once the check has passed stood there for the check; an old cylinder (瓶体是老瓶) or expired
stock (过期的库存) is refurbished; near misses that must stay quiet beside them."""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, description", [
    ("emergency_light", "安全出口指示灯", "答：亮着就行，检查员又不会拔电试时间。"),
    ("portable_extinguisher", "灭火器 车载", "审车用的，年审挂上拍照，过完拆下来都行。"),
    ("portable_extinguisher", "灭火器 门店", "验收那天摆着，过了就收起来。"),
])
def test_stood_there_for_the_check(rules, category, title, description):
    assert "inspection_only" in found(rules, shop(title, "39", {}, description), category)


@pytest.mark.parametrize("category, title, description", [
    ("emergency_light", "应急灯 3C", "问：检查会查时间吗？答：会的，按键测试能亮90分钟以上，放心。"),
    ("portable_extinguisher", "MFZ/ABC4 灭火器", "年审没过的话拆下来送检，换粉后再装回去。"),
    ("emergency_light", "应急照明灯 3C", "检查员会拔电试时间，我们这款实测120分钟。"),
])
def test_no_inspection_only(rules, category, title, description):
    assert "inspection_only" not in found(rules, shop(title, "139", {}, description), category)


@pytest.mark.parametrize("description", ["答：瓶体是老瓶，粉是新灌的，压力表换新。", "过期的库存，重新换了包装盒。"])
def test_an_old_cylinder_or_expired_stock_is_refurbished(rules, description):
    assert "refurbished" in found(rules, shop("干粉灭火器 4kg", "39", {}, description), "portable_extinguisher")


@pytest.mark.parametrize("description", ["绝不卖过期的库存，全新出厂。", "旧灭火器回收，老瓶换新瓶，以旧换新抵10元。"])
def test_no_old_cylinder_sold(rules, description):
    assert "refurbished" not in found(rules, shop("干粉灭火器 4kg", "69", {}, description), "portable_extinguisher")
