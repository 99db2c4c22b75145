"""Specification rules from the opened heldout10 (first part), each general rule paired with a near miss that must
not flag.

1. a door's model code (型号 GFM-…: steel) against another attribute's material (门体材质：木质) -> spec_mismatch;
2. a shutter's type row (类型：钢质防火卷帘) against its curtain row (帘面材质：无机纤维布) -> spec_mismatch;
3. a stand-alone smoke alarm (独立式) wired to a two-wire bus (二总线, 需接火灾报警控制器) -> spec_mismatch;
4. a mass stated with its cylinder after it (重量 约1.6kg(含瓶)) is no agent amount: no spec_mismatch;
5. a prop's look-alike size (4kg外观) against its own weight: the contradiction yields to prop_or_display;
6. a TZL code against a time above 30 minutes in another field: spec_mismatch alone, not also substandard_spec;
7. a stated fill nearer its code's size than any other size (MFZ/ABC4, 充装量 3.6kg) -> substandard_spec (fill
   tolerance), not spec_mismatch; a fill at another size (3kg) stays spec_mismatch.

The listings are written for these tests.
"""

from __future__ import annotations

from classifiers.specs import parse_specs
from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes, description=""):
    return found(rules, shop(title, "300", attributes, description), category)


# -- 1. door code against the material of another attribute ---------------------------------------------

def test_steel_door_code_against_wood_material_attribute(rules):
    # the title names both (a code and a word) and so states neither: the two attributes are compared
    got = codes(rules, "乙级防火门 GFM-0921 木质防火门 会议室", "fire_door",
                {"型号": "GFM-0921 A1.00(乙级)", "门扇材质": "实木复合(木质)", "耐火时间": "1.0h"})
    assert "spec_mismatch" in got


def test_wood_door_code_with_wood_material_is_not_flagged(rules):
    got = codes(rules, "乙级防火门 MFM-0921 木质防火门 会议室", "fire_door",
                {"型号": "MFM-0921 A1.00(乙级)", "门扇材质": "实木复合(木质)", "耐火时间": "1.0h"})
    assert "spec_mismatch" not in got


def test_two_attributes_naming_two_parts_are_still_not_compared(rules):
    # neither row is a code or a type row: a door's leaf and its facing may differ
    got = codes(rules, "乙级防火门 酒店 走廊", "fire_door", {"门扇": "钢质", "饰面": "木质贴皮"})
    assert "spec_mismatch" not in got


# -- 2. shutter type row against its curtain row -----------------------------------------------------------

def test_steel_shutter_type_row_against_fabric_curtain_row(rules):
    got = codes(rules, "防火卷帘门 特级 地下车库 工程安装", "fire_shutter",
                {"类型": "钢质防火卷帘", "帘面材质": "无机纤维布", "计价单位": "平方米"})
    assert "spec_mismatch" in got


def test_title_naming_steel_shutter_with_fabric_curtain_is_not_flagged(rules):
    # 钢质防火卷帘 in a title names shutters of any curtain (the sellers' search words)
    got = codes(rules, "钢质防火卷帘门 无机布 特级 车库", "fire_shutter",
                {"类型": "无机纤维复合特级", "帘面材质": "无机纤维布"})
    assert "spec_mismatch" not in got


def test_steel_shutter_type_row_with_steel_curtain_is_not_flagged(rules):
    got = codes(rules, "防火卷帘门 双轨 厂房 工程安装", "fire_shutter",
                {"类型": "钢质防火卷帘", "帘面材质": "双层钢质"})
    assert "spec_mismatch" not in got


# -- 3. stand-alone smoke alarm on a bus ------------------------------------------------------------------

def test_standalone_alarm_wired_to_a_bus(rules):
    got = codes(rules, "独立式烟雾报警器 光电 写字楼 工程款", "smoke_alarm",
                {"接线方式": "两总线，需接火灾报警控制器", "执行标准": "GB 20517-2006"})
    assert "spec_mismatch" in got


def test_standalone_alarm_that_needs_no_bus_is_not_flagged(rules):
    got = codes(rules, "独立式烟雾报警器 光电 家用 出租屋", "smoke_alarm",
                {"供电": "3V锂电池", "安装": "免布线，无需总线"}, "无线联网款可接入物业平台。")
    assert "spec_mismatch" not in got


# -- 4. a mass with its cylinder after it -----------------------------------------------------------------

def test_mass_with_cylinder_in_brackets_is_no_agent_amount():
    assert parse_specs("重量 约2.9kg(含瓶)").get("weights_kg") is None
    assert parse_specs("重量 2.9公斤（含钢瓶）").get("weights_kg") is None
    # a mass named in the brackets is another mass; the cylinder's word leading to a second figure
    assert parse_specs("净重 2kg（毛重2.6kg）").get("weights_kg") == [2.0]
    assert parse_specs("2kg 含瓶约3公斤").get("weights_kg") == [2.0]


def test_gross_mass_after_the_figure_does_not_contradict_the_size(rules):
    got = codes(rules, "车载灭火器 2kg 干粉 家用", "portable_extinguisher", {"重量": "约2.9kg(含瓶)"})
    assert "spec_mismatch" not in got


def test_agent_mass_against_the_size_still_contradicts(rules):
    got = codes(rules, "车载灭火器 2kg 干粉 家用", "portable_extinguisher", {"重量": "约1kg"})
    assert "spec_mismatch" in got


# -- 5. a prop's look-alike size ----------------------------------------------------------------------------

def test_prop_size_against_its_weight_yields_to_prop(rules):
    got = codes(rules, "8公斤灭火器 仿真道具 外观同款 影视拍摄", "portable_extinguisher",
                {"规格": "8kg外观", "重量": "约1.5kg", "用途": "道具"})
    assert "prop_or_display" in got
    assert "spec_mismatch" not in got


def test_working_unit_size_against_its_weight_is_flagged(rules):
    got = codes(rules, "8公斤干粉灭火器 仓库 厂房", "portable_extinguisher", {"规格": "8kg", "重量": "约1.5kg"})
    assert "prop_or_display" not in got
    assert "spec_mismatch" in got


# -- 6. a TZL code against a time above the ratings in another field ------------------------------------

def test_code_against_long_time_in_another_field_is_mismatch_alone(rules):
    got = codes(rules, "过滤式消防自救呼吸器 TZL30 宾馆 家庭", "escape_respirator", {"防护时间": "50分钟"})
    assert "spec_mismatch" in got
    assert "substandard_spec" not in got


def test_long_time_without_a_code_is_substandard(rules):
    got = codes(rules, "过滤式消防自救呼吸器 宾馆 家庭", "escape_respirator", {"防护时间": "50分钟"})
    assert "substandard_spec" in got


def test_code_against_short_time_stays_both(rules):
    got = codes(rules, "过滤式消防自救呼吸器 TZL20 宾馆", "escape_respirator", {"防护时间": "8分钟"})
    assert {"spec_mismatch", "substandard_spec"} <= set(got)


# -- 7. a fill nearer its code's size than any other size ----------------------------------------------

def test_short_fill_of_the_code_size_is_substandard(rules):
    got = codes(rules, "MFZ/ABC5 5kg手提式干粉灭火器 工厂", "portable_extinguisher", {"充装量": "4.6kg"})
    assert "substandard_spec" in got
    assert "spec_mismatch" not in got


def test_fill_of_another_size_is_mismatch(rules):
    got = codes(rules, "MFZ/ABC5 5kg手提式干粉灭火器 工厂", "portable_extinguisher", {"充装量": "4kg"})
    assert "spec_mismatch" in got


def test_fill_within_the_tolerance_is_not_flagged(rules):
    got = codes(rules, "MFZ/ABC5 5kg手提式干粉灭火器 工厂", "portable_extinguisher", {"充装量": "4.95kg"})
    assert "spec_mismatch" not in got and "substandard_spec" not in got


def test_co2_fill_off_its_code_stays_a_contradiction(rules):
    # the band is the dry-powder series'; a CO2 unit has no fill tolerance rule to judge it
    got = codes(rules, "MT5 二氧化碳灭火器 5kg 机房", "portable_extinguisher", {"充装量": "4.5kg"})
    assert "spec_mismatch" in got
