"""Session 38 probes: two exclusive properties claimed of one product, written from the spec (domain.md, taxonomy.md and
the brief's pairs), not from any data set.

Word families audited (classifiers/data/specs.yaml `word_families`): where one product is always exactly one value the family
is `one_value` (a field naming two of its values names one another field does not, and a description or an attribute row
naming two contradicts itself: spec_checks.one_field_mismatch); where a product can be two (a set, a pump set's two pumps, a
door's parts, an alarm on mains with a backup battery) it is not, and one field contradicts itself only where one value is
said to be the only one (电池供电，仅支持AC220V). Two values named as a list or as options (单面、双面均有, 水性、溶剂型都有,
集中电源型和自带电源型的区别, a set of several) name none; a title naming two is a shop's list of what it sells and is not
read alone. Words holding a value's word name other things (双面胶, 锂离子电池, 室外气温); a value the shop says it also sells
(也有推车式的) is no value of these goods in any family, nor that value said again after it.

FLAGGED: each missed by the code before this session. CLEAN: near misses (both on offer, comparisons, denials, advice, a
part or accessory, a buyer's question, honest both) -- guards, some of which were flagged before.
"""

from __future__ import annotations

import time

import pytest

from classifiers.specs import load_facts, normalized, said_as_only, word_values
from tests.classifiers.test_spec_contradictions import (
    mismatch,  # the listing's spec_mismatch reason, or None
)

FLAGGED = [
    ("emergency_light", "消防应急标志灯 安全出口 LED", {}, "集中电源型出口灯，灯体自带电池，断电自动亮。"),
    ("emergency_light", "疏散指示灯 LED 3C", {"供电方式": "集中电源，灯具内置电池"}, ""),
    ("smoke_alarm", "烟雾报警器 家用 3C", {}, "独立式感烟报警器，只感温，温度到57度报警。"),
    ("smoke_alarm", "烟感报警器 家用 3C", {}, "独立式烟感，需接火灾报警控制器才能报警。"),
    ("gas_detector", "家用燃气报警器 天然气", {}, "电池供电，仅支持AC220V市电，插上就能用。"),
    ("fire_retardant_coating", "钢结构防火涂料 超薄型 室内", {}, "水性防火涂料，溶剂型配方，附着力强。"),
    ("fire_glass", "防火玻璃 复合 定制", {}, "隔热型防火玻璃，非隔热型，耐火1小时。"),
    ("escape_respirator", "消防自救呼吸器 TZL30 3C", {}, "过滤式自救呼吸器，化学氧生氧，不怕缺氧。"),
    ("smoke_alarm", "烟雾报警器 家用 3C", {"探测方式": "感烟，仅感温"}, ""),
    ("fire_glass", "防火玻璃 6mm 定制", {"隔热性能": "隔热型，非隔热防火玻璃"}, ""),
    ("foam_agent", "水成膜泡沫灭火剂 6%", {}, "答：亲，这款是抗溶型的，非抗溶，醇类不能用。"),
    ("smoke_alarm", "烟感报警器 3C", {}, "答：这款是独立式的，二总线接主机使用。"),
    ("gas_detector", "家用燃气报警器 天然气", {"供电方式": "电池供电，仅支持AC220V"}, ""),
]


CLEAN = [
    ("emergency_light", "安全出口指示灯 集中电源型", {}, "集中电源型/自带电源型可选，下单备注。"),
    ("emergency_light", "安全出口指示灯 集中电源型", {}, "集中电源型，另有自带电源型，需要请咨询。"),
    ("emergency_light", "安全出口指示灯 LED", {}, "有集中电源型和自带电源型两种，拍前咨询。"),
    ("emergency_light", "安全出口指示灯 自带电源型", {}, "自带电源型比集中电源型安装简单，不用布线。"),
    ("emergency_light", "安全出口指示灯 自带电源型", {}, "不是集中电源的，每个灯自带电池。"),
    ("emergency_light", "安全出口指示灯 自带电源", {}, "大型商场建议选集中电源型，小店用自带电源的就够了。"),
    ("emergency_light", "安全出口指示灯 集中电源型", {}, "问：有自带电源的吗？ 答：有的，另一个链接。"),
    ("emergency_light", "应急照明集中电源 主机 A型", {"类型": "集中电源"}, "集中电源主机，内置蓄电池组，带8回路。"),
    ("emergency_light", "安全出口指示灯 单双面 吊装", {"显示面": "单面"}, ""),
    ("emergency_light", "疏散指示灯 单面 3C", {}, "背面带双面胶，免打孔安装。"),
    ("emergency_light", "疏散指示灯 单面", {}, "单面/双面可选，吊装壁挂都行。"),
    ("emergency_light", "疏散指示灯 单面 3C", {}, "也有双面的，吊装用双面。"),
    ("emergency_light", "疏散指示灯 双面 吊装", {}, "比单面的亮，两面都能看到。"),
    ("smoke_alarm", "独立式感烟火灾探测报警器 家用 3C", {}, "厨房建议装感温的，卧室客厅用感烟。"),
    ("smoke_alarm", "独立式感烟报警器 3C", {}, "问：有感温的吗？ 答：感温请另拍。"),
    ("smoke_alarm", "烟温复合报警器 独立式 3C", {"探测类型": "感烟感温"}, ""),
    ("smoke_alarm", "独立式烟感报警器 3C", {}, "独立式，无需接控制器，装上电池就能用。"),
    ("smoke_alarm", "独立式烟感报警器 3C", {}, "不是总线制的，不用接主机。"),
    ("smoke_alarm", "独立式光电烟感 3C", {}, "光电式比离子式更适合家用，无放射源。"),
    ("smoke_alarm", "独立式烟感报警器 电池供电 3C", {}, "问：能插电吗？ 答：不能，只支持电池供电。"),
    ("smoke_alarm", "独立式烟感报警器 3C", {}, "独立式/总线制可选，工程请选总线制。"),
    ("gas_detector", "家用燃气报警器 交直流两用", {"供电": "AC220V+备用电池"}, "插电使用，停电时备用电池供电。"),
    ("gas_detector", "家用燃气报警器 双电源", {}, "插电款，内置电池停电也能用，双电源。"),
    ("gas_detector", "家用燃气报警器 插电款", {}, "电池款/插电款可选。"),
    ("gas_detector", "家用燃气报警器 插电款", {}, "插电款比电池款稳定，不用换电池。"),
    ("gas_detector", "家用燃气报警器 插电款", {}, "没有插座的厨房建议选电池款。"),
    ("fire_retardant_coating", "水性钢结构防火涂料 超薄型", {}, "水性，比溶剂型环保，无异味。"),
    ("fire_retardant_coating", "水性钢结构防火涂料 超薄型", {}, "不是溶剂型的，无味。"),
    ("fire_retardant_coating", "水性钢结构防火涂料", {}, "也有溶剂型的，需要请咨询。"),
    ("fire_retardant_coating", "室内超薄型钢结构防火涂料 水性", {}, "施工环境温度5℃以上，室外气温低于5度不宜施工。"),
    ("fire_retardant_coating", "钢结构防火涂料 室内外通用", {"使用场所": "室内"}, ""),
    ("fire_retardant_coating", "水性钢结构防火涂料", {}, "问：有溶剂型的吗？ 答：没有。"),
    ("fire_glass", "隔热型防火玻璃 复合 FFB", {}, "比非隔热的贵，但背火面不烫。"),
    ("fire_glass", "防火玻璃 隔热型/非隔热型可选", {"类型": "隔热型"}, ""),
    ("fire_glass", "非隔热防火玻璃 单片 铯钾", {}, "问：隔热吗？ 答：不隔热，要隔热请选复合的。"),
    ("fire_door", "钢质防火门 乙级 隔热", {}, "不是非隔热的，是隔热防火门。"),
    ("fire_door", "钢木质防火门 乙级", {"材质": "钢质"}, ""),
    ("fire_door", "防火门 单双扇可选", {"门扇": "单扇"}, ""),
    ("foam_agent", "抗溶性水成膜泡沫灭火剂 AR-AFFF 3%", {}, "比非抗溶的适用范围广，醇类也能灭。"),
    ("foam_agent", "水成膜泡沫液 非抗溶 6%", {}, "扑救醇类请选抗溶型。"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {}, "不是化学氧的，缺氧环境不能用。"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {}, "比化学氧的便宜，酒店常用。"),
    ("sprinkler", "玻璃球洒水喷头 ZSTX15-68", {}, "玻璃球比易熔合金的反应快。"),
    ("gas_suppression", "七氟丙烷 柜式/悬挂式 无管网灭火装置", {"类型": "柜式"}, ""),
    ("gas_suppression", "柜式七氟丙烷灭火装置 无管网", {}, "大机房建议选管网式。"),
    ("fire_pump", "卧式消防泵 XBD5.0/20", {}, "立式卧式都有，拍前咨询。"),
    ("fire_pump", "消防泵组 一用一备", {"动力": "电动+柴油机"}, "电动泵一台，柴油机泵一台，一用一备。"),
    ("portable_extinguisher", "手提式干粉灭火器 4kg MFZ/ABC4", {}, "也有推车式的，需要请另拍。"),
    ("flame_retardant_cable", "无卤低烟阻燃电缆 WDZ-YJY", {}, "比PVC护套的环保，无卤低烟。"),
    ("electrical_fire_detector", "组合式电气火灾监控探测器 剩余电流 测温", {}, "剩余电流式+测温式二合一。"),
    ("emergency_light", "安全出口指示灯 双面", {}, "单双面都有，吊装用双面。"),
    ("emergency_light", "安全出口指示灯 LED", {}, "单面、双面均有，拍前咨询。"),
    ("emergency_light", "安全出口指示灯 LED", {"显示面": "单面 双面"}, ""),
    ("emergency_light", "安全出口指示灯 LED", {}, "集中电源型和自带电源型的区别：集中电源型由主机供电，自带电源型灯内有电池。"),
    ("emergency_light", "集中电源型 安全出口指示灯 自带电源型 LED 3C", {}, ""),
    ("smoke_alarm", "独立式光电烟感报警器 3C", {}, "内置锂离子电池，续航持久。"),
    ("gas_detector", "家用燃气报警器 双电源", {}, "不仅支持AC220V，停电也能电池供电。"),
    ("gas_detector", "家用燃气报警器 电池供电", {}, "只支持电池供电，不用插电。"),
    ("fire_retardant_coating", "钢结构防火涂料 超薄型", {}, "水性、溶剂型都有，拍前咨询。"),
    ("fire_glass", "防火玻璃 定制", {}, "隔热型非隔热型均可定做。"),
    ("smoke_alarm", "烟感报警器 3C", {}, "感烟感温都有，厨房选感温，卧室选感烟。"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {}, "缺氧环境请使用隔绝式呼吸器。"),
    # a title listing the kinds a shop sells, against a row naming one; a count's 只
    ("emergency_light", "安全出口指示灯 单面 LED 疏散指示 双面 吊装", {"显示面": "单面"}, ""),
    ("smoke_alarm", "烟温套装 独立式感烟报警器 3C", {}, "配一只感温探头，厨房用。"),
]


@pytest.mark.parametrize("category,title,attributes,description", FLAGGED)
def test_two_exclusive_values_flagged(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, attributes, description) is not None


@pytest.mark.parametrize("category,title,attributes,description", CLEAN)
def test_near_misses_clean(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, attributes, description) is None


def test_evidence_names_the_family_and_both_values(rules):
    found = mismatch(rules, "emergency_light", "消防应急标志灯 安全出口 LED", {}, "集中电源型出口灯，灯体自带电池，断电自动亮。")
    assert "应急灯具供电方式" in found.evidence and "集中电源" in found.evidence and "自带电源" in found.evidence
    assert found.source == "description"


@pytest.mark.parametrize("text, family", [
    ("集中控制、非集中控制均有", "light_control"),
    ("集中控制型 非集中控制型", "light_control"),
    ("水性/溶剂型", "coating_base"),
    ("隔热型非隔热型均可定做", "glass_insulation"),
    ("套装含玻璃球喷头10只、易熔合金喷头10只", "sprinkler_element"),
])
def test_values_named_as_options_name_none(text, family):
    assert family not in word_values(normalized(text), load_facts())


@pytest.mark.parametrize("text, word, only", [
    ("仅支持ac220v", "ac220v", True),
    ("只感温", "感温", True),
    ("不仅支持ac220v", "ac220v", False),
    ("支持ac220v", "ac220v", False),
    ("配一只感温探头", "感温", False),
])
def test_said_as_only(text, word, only):
    assert said_as_only(text, word) is only


def test_one_field_reading_stays_linear_on_hostile_text():
    facts = load_facts()
    start = time.perf_counter()
    word_values("单面" + "，" * 20000 + "双面" * 3000, facts)
    word_values(("单面" + " " * 50) * 2000 + "双面", facts, "单面" * 5000)
    word_values("集中电源型" + "。" * 20000 + "也有自带电源型" * 2000, facts)
    said_as_only("仅" * 20000 + "感温" * 5000, "感温")
    assert time.perf_counter() - start < 1.5
