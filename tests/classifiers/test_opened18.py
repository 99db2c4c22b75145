"""Mechanisms read from heldout18's misses and false flags once it was opened (session 36), each beside a near miss.

1. a mass right after 多 or 少 (比别家多一公斤) is a difference, one in a clause naming another shop's goods (别家只有
   4公斤) is theirs; neither hides the goods' own fill (每瓶装粉5公斤 against 充装量 4kg); a Chinese mass unit may run into
   latin letters (实际装3公斤CO2);
2. an extinguisher's cylinder called aluminium alloy and cold-rolled steel (unverified family, behind its switch);
3. an emergency lamp needing no separate power cabinet (不用另配电源箱) is self-powered;
4. a discharge hose in 公分 and in a reply to a question naming it (问：喷管多长？答：30公分);
5. a reply's first percentage to a question naming the powder's content (答：这个价位是40%的，要75%的补差价);
6. a piece sold to show how the goods are worn (演示训练款) is a prop;
7. false flags: a taxi's annual review (出租车年审用) asks for a real unit; what a rule bans (新国标禁用的是钴酸锂) is no
   battery of the goods; a thickness tolerance (厚度误差正负0.5毫米) is no thickness.
"""

from __future__ import annotations

import copy

import pytest

from classifiers.specs import load_facts, normalized, word_values
from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("portable_extinguisher", "4公斤干粉灭火器 MFZ/ABC4", {"充装量": "4kg"}, "我们是足量款，每瓶装粉5公斤，比别家多一公斤。",
     "spec_mismatch"),
    ("portable_extinguisher", "4公斤干粉灭火器 MFZ/ABC4", {"充装量": "4kg"}, "每瓶装粉5公斤，别家只有4公斤。", "spec_mismatch"),
    ("portable_extinguisher", "4公斤干粉灭火器 MFZ/ABC4", {"充装量": "4kg"}, "与同行相比我们装5公斤。", "spec_mismatch"),
    ("portable_extinguisher", "二氧化碳灭火器 MT5", {"型号": "MT5"}, "问：这款装多少公斤？答：实际装3公斤CO2。", "spec_mismatch"),
    ("portable_extinguisher", "铝合金瓶 干粉灭火器 MFZ/ABC2", {"瓶体材质": "铝合金"}, "瓶体采用1.2mm冷轧钢板整体拉伸。",
     "spec_mismatch"),
    ("emergency_light", "疏散指示标志灯 集中电源型", {"系统类型": "集中电源型"}, "自带电池，插220V市电就行，不用另配电源箱。",
     "spec_mismatch"),
    ("portable_extinguisher", "4kg干粉灭火器 MFZ/ABC4", {}, "问：喷管多长？答：30公分，比常规短。", "substandard_spec"),
    ("portable_extinguisher", "4kg干粉灭火器 MFZ/ABC4", {}, "喷管30公分。", "substandard_spec"),
    ("portable_extinguisher", "ABC干粉灭火器 4kg", {"型号": "MFZ/ABC4"}, "问：磷酸铵盐多少？答：这个价位是40%的，要75%的补差价。",
     "substandard_spec"),
    ("escape_respirator", "逃生面罩 演示训练款 培训用", {}, "消防演练教人怎么戴的。", "prop_or_display"),
])
def test_heldout18_mechanisms(rules, category, title, attributes, description, code):
    assert code in found(rules, shop(title, "50", attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("portable_extinguisher", "4公斤干粉灭火器 MFZ/ABC4", {"充装量": "4kg"}, "每瓶装粉4公斤，比别家多1公斤。", "spec_mismatch"),
    ("portable_extinguisher", "4公斤干粉灭火器 MFZ/ABC4", {"充装量": "4kg"}, "装粉至少4公斤。", "spec_mismatch"),
    ("portable_extinguisher", "干粉灭火器 MFZ/ABC2", {"瓶体材质": "冷轧钢板"}, "铝合金压把，轻便。", "spec_mismatch"),
    ("portable_extinguisher", "铝合金瓶 灭火器 MFZ/ABC2", {}, "无缝钢瓶，耐压。", "spec_mismatch"),
    ("emergency_light", "疏散指示标志灯 集中电源型", {}, "需要另配电源箱，不用另配电源箱的请选自带电源款。", "spec_mismatch"),
    ("portable_extinguisher", "4kg干粉灭火器 MFZ/ABC4", {}, "问：喷管多长？答：45公分。", "substandard_spec"),
    ("portable_extinguisher", "ABC干粉灭火器 4kg", {"型号": "MFZ/ABC4"}, "问：别家的磷酸铵盐多少？答：20%左右，我们的是75%。",
     "substandard_spec"),
    ("portable_extinguisher", "水基灭火器 MSWZ/3", {}, "问：含量多少？答：6%的。", "substandard_spec"),
    ("escape_respirator", "消防面罩 化学氧自生氧 TZL30", {}, "靠化学药剂自己产氧，没有滤毒罐，戴上就能呼吸。", "prop_or_display"),
    ("portable_extinguisher", "出租车年审用 1公斤干粉灭火器 MFZ/ABC1", {"充装量": "1kg"}, "很多司机年审前来买，交管要求车上配一具。",
     "inspection_only"),
    ("emergency_light", "消防应急灯 GB17945-2024 锂电", {"电池": "磷酸铁锂"}, "问：是锂电池安全吗？答：是磷酸铁锂，新国标禁用的是钴酸锂三元锂。",
     "substandard_spec"),
    ("fire_glass", "复合防火玻璃 FFB-25-A1.50 甲级 1.5h", {"型号": "FFB-25-A1.50"}, "尺寸定做，厚度误差正负0.5毫米以内。",
     "spec_mismatch"),
])
def test_heldout18_near_misses(rules, category, title, attributes, description, code):
    price = "820" if category == "fire_glass" else "60"
    assert code not in found(rules, shop(title, price, attributes, description), category)


def test_the_cylinder_material_family_sits_behind_its_switch():
    facts = copy.deepcopy(load_facts())
    assert facts["word_families"]["families"]["cylinder_material"]["enforce"] is True
    facts["word_families"]["families"]["cylinder_material"]["enforce"] = False
    text = normalized("铝合金瓶。冷轧钢板")
    assert "cylinder_material" in word_values(text, load_facts())
    assert "cylinder_material" not in word_values(text, facts)


def test_word_families_stay_linear_on_a_repeated_word():
    # each word's span was checked against every span read before it: 10,000 repeats of 铝合金瓶 took seconds
    import time
    text = normalized("铝合金瓶" * 10000)
    word_values(normalized("铝合金瓶"), load_facts())  # warm
    start = time.perf_counter()
    word_values(text, load_facts())
    assert time.perf_counter() - start < 1.0
