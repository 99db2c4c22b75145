"""The spec rules added for heldout3.jsonl's spec misses (opened set; read once, never trained on).

- a dry powder's main-component content written before its noun (30%磷酸铵盐, 40%含量) below domain.md's 75%;
- the agent a listing names as such (药剂：二氧化碳) against its extinguisher code's (MFZ/ABC: dry powder), where
  the free text names several agents as search words;
- a standard named as the product's own (执行标准) that no row of the standards table knows, for a product whose
  standard domain.md names;
- a cable sold as flame-retardant with GB 31247 class B3 (ordinary cable, as commonly quoted; a switch);
- ordinary glass a listing names as its own beside a fire-glass class;
- a replaceable carbon or alkaline battery with a battery life of many years in an alarm (a switch).

Each test pairs the flag with near misses that must stay clean; the listings are written for these tests, in other
words than heldout3's.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from classifiers.editions import edition_findings, load_editions
from classifiers.spec_checks import check_specs
from classifiers.specs import load_facts

from tests.classifiers.test_recall_rules import found, shop

ON = date(2025, 11, 3)


def codes(rules, title, category, attributes=None, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category, ON)


# -- powder content with the figure first ------------------------------------------------------------------

@pytest.mark.parametrize("title,attributes", [
    ("手提干粉灭火器 5公斤 经济粉 40%含量 厂房用", {}),
    ("MFZ/ABC5 干粉灭火器 车间", {"干粉成分": "30%磷酸二氢铵"}),
    ("8kg 干粉灭火器 仓储", {"药剂": "含 45% 的磷酸铵盐"}),
])
def test_powder_content_before_its_noun_below_75_is_substandard(rules, title, attributes):
    assert "substandard_spec" in codes(rules, title, "portable_extinguisher", attributes)


@pytest.mark.parametrize("title,attributes,description", [
    ("干粉灭火器 5公斤 MFZ/ABC5 厂房用", {"干粉成分": "≥90%磷酸二氢铵"}, ""),
    # another seller's powder, and a water unit's foam concentrate
    ("干粉灭火器 5公斤 MFZ/ABC5 车间", {}, "市面上那种30%磷酸铵盐的便宜粉不要买，我们只用合格粉。"),
    ("水基灭火器 MSWZ/6 车间", {"灭火剂": "水成膜 6%含量"}, ""),
])
def test_powder_content_near_misses_stay_clean(rules, title, attributes, description):
    assert "substandard_spec" not in codes(rules, title, "portable_extinguisher", attributes, description)


# -- the agent named as such against the code ---------------------------------------------------------------

def test_agent_declared_against_code_is_mismatch(rules):
    got = codes(rules, "干粉 二氧化碳 灭火器 MFZ/ABC2 2kg 机房", "portable_extinguisher",
                {"型号": "MFZ/ABC2", "药剂类型": "二氧化碳"})
    assert "spec_mismatch" in got


@pytest.mark.parametrize("title,attributes", [
    ("干粉 二氧化碳 灭火器 MT5 5kg 机房", {"型号": "MT5", "灭火剂": "二氧化碳"}),
    # a water-based unit's AFFF foam agent is its own
    ("水基灭火器 MSWZ/6 6L 泡沫", {"型号": "MSWZ/6", "灭火剂": "水成膜泡沫"}),
    # search words naming several agents, no agent named as such
    ("二氧化碳 干粉 灭火器 MFZ/ABC4 4kg", {"型号": "MFZ/ABC4"}),
])
def test_agent_declared_near_misses_stay_clean(rules, title, attributes):
    assert "spec_mismatch" not in codes(rules, title, "portable_extinguisher", attributes)


# -- an executed standard the table does not know ------------------------------------------------------------

@pytest.mark.parametrize("title,category,attributes", [
    ("消防自救面罩 TZL25 酒店", "escape_respirator", {"执行标准": "GB/T 18664-2002"}),
    ("过滤式自救呼吸器 TZL30 宾馆 产品执行标准：GB 2626-2019", "escape_respirator", {}),
])
def test_unknown_executed_standard_is_substandard(rules, title, category, attributes):
    assert "substandard_spec" in codes(rules, title, category, attributes)


@pytest.mark.parametrize("title,category,attributes,description", [
    # its own standard named too
    ("消防自救面罩 TZL25 酒店", "escape_respirator", {"执行标准": "GB 21976.7-2012、GB/T 18664-2002"}, ""),
    # a former standard the text says is replaced, a standard cited for a part (no 执行 cue)
    ("消防自救面罩 TZL25 酒店", "escape_respirator", {"执行标准": "GB 21976.7-2012"},
     "老产品执行标准GA 209-1999，现已被代替。"),
    ("消防自救面罩 TZL25 酒店", "escape_respirator", {}, "滤毒罐材料参照GB/T 18664-2002选型。"),
    # a category with several product standards is not judged
    ("电缆防火涂料 膨胀型 20kg", "fire_retardant_coating", {"执行标准": "GB 28374-2012"}, ""),
    # an extinguisher naming its powder's standard, or a design code; a blanket naming its burning test, a gas alarm
    # its sector standard: other products' honest listings name standards the table does not hold, so only
    # respirators are judged
    ("干粉灭火器 MFZ/ABC4 4kg", "portable_extinguisher", {"执行标准": "GB 4066-2017"}, ""),
    ("手提式灭火器 MFZ/ABC4 4kg", "portable_extinguisher", {"执行标准": "GB 50140-2005"}, ""),
    ("家用灭火毯 1m*1m 厨房 产品执行标准：GB/T 5455-2014", "fire_blanket", {}, ""),
    ("家用燃气报警器 厨房", "gas_detector", {"执行标准": "GB/T 34004-2017"}, ""),
])
def test_unknown_executed_standard_near_misses_stay_clean(rules, title, category, attributes, description):
    assert "substandard_spec" not in codes(rules, title, category, attributes, description)


# -- a flame-retardant cable of class B3 ---------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    [("title", "ZC-YJV 3x6 电力电缆 按米"), ("attributes.燃烧性能", "燃烧性能 B3级")],
    [("title", "阻燃电线 BV4 家装 GB 31247 B3")],
])
def test_flame_retardant_cable_class_b3_is_substandard(fields):
    got = edition_findings(fields, "flame_retardant_cable", ON)
    assert got and got[0][1].code == "substandard_spec"


@pytest.mark.parametrize("fields", [
    [("title", "非阻燃电线 BV4 家装 燃烧性能B3级")],
    [("title", "YJV 3x6 电力电缆 燃烧性能 B3级")],
    [("title", "阻燃电缆 ZB-YJV 燃烧性能B1(d1,t1,a2)"), ("description", "普通电缆只能做到B3级，这款是B1级。")],
])
def test_flame_retardant_cable_b3_near_misses_stay_clean(fields):
    assert edition_findings(fields, "flame_retardant_cable", ON) == []


def test_flame_retardant_b3_rule_has_a_switch():
    data = copy.deepcopy(load_editions())
    data["cable_burning"]["flame_retardant_claim"]["enforce"] = False
    assert edition_findings([("title", "阻燃电线 BV4 家装 GB 31247 B3")], "flame_retardant_cable", ON, data) == []


# -- ordinary glass sold with a fire-glass class -------------------------------------------------------------

@pytest.mark.parametrize("title,attributes,description", [
    ("防火玻璃 C类 按平方 隔断", {"原片": "普通浮法玻璃"}, ""),
    ("防火玻璃 隔热型 门窗", {}, "其实就是普通钢化玻璃，隔热型防火玻璃的价钱一半都不到。"),
])
def test_ordinary_glass_with_fire_class_is_mismatch(rules, title, attributes, description):
    assert "spec_mismatch" in codes(rules, title, "fire_glass", attributes, description)


@pytest.mark.parametrize("text", [
    "A类隔热防火玻璃 FFB-15-A1.00，普通钢化玻璃遇火就炸，这款不会。",
    "不是普通玻璃，复合隔热型 A类",
    "防火玻璃 比普通钢化玻璃贵，A类 1.5小时",
    "就是普通钢化玻璃，便宜",  # no fire-glass class stated: nothing to contradict
])
def test_ordinary_glass_near_misses_stay_clean(text):
    assert not [f for f in check_specs(text, "fire_glass", ON) if f.code == "spec_mismatch"]


# -- a carbon or alkaline battery lasting years -------------------------------------------------------------

@pytest.mark.parametrize("title,attributes", [
    ("独立式烟感 家用 续航十年 免维护", {"电池": "6F22 碳锌电池"}),
    ("燃气报警器 家用 碱性电池 电池寿命8年", {}),
])
def test_carbon_battery_lasting_years_is_mismatch(rules, title, attributes):
    category = "gas_detector" if "燃气" in title else "smoke_alarm"
    assert "spec_mismatch" in codes(rules, title, category, attributes)


@pytest.mark.parametrize("title,attributes,description", [
    ("独立式烟感 家用 9V电池 10年长效", {}, ""),
    ("独立式烟感 家用 电池寿命10年", {"电池": "内置锂亚电池"}, "告别碳性电池，十年不用换。"),
    ("独立式烟感 家用 碱性电池", {"电池寿命": "约1年"}, ""),
])
def test_carbon_battery_near_misses_stay_clean(rules, title, attributes, description):
    assert "spec_mismatch" not in codes(rules, title, "smoke_alarm", attributes, description)


def test_carbon_battery_of_other_goods_stays_clean():
    text = "独立式烟感 电池寿命10年，普通碳性电池只能用一年"
    assert not [f for f in check_specs(text, "smoke_alarm", ON) if f.code == "spec_mismatch"]


def test_battery_life_rule_has_a_switch():
    facts = copy.deepcopy(load_facts())
    facts["smoke_alarm"]["battery_life"]["enforce"] = False
    text = "独立式烟感 碳性电池 电池寿命10年"
    assert [f.code for f in check_specs(text, "smoke_alarm", ON)] == ["spec_mismatch"]
    assert check_specs(text, "smoke_alarm", ON, facts) == []
