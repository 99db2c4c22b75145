"""Mechanisms the opened sixteenth set's misses showed (session 34), each with listings written here, not taken from
the set, and a near miss that must not flag.

1. a reply that hedges its figure or sets its usual condition (答：满电大概三十分钟, 正常用三年左右) answers the
   question as a bare figure would; a figure after a count of several units (两瓶十二斤) is their total;
2. a BC (sodium bicarbonate) powder sold as putting out class A fires (wood, paper) (unverified, behind its switch);
   a denial (不能扑灭A类火) claims nothing;
3. a lamp said to carry its own battery (灯具自带电池) is self-powered, against a central-supply system type;
4. 不能当 denies (不能当氧气呼吸器 claims no self-contained respirator);
5. a noun right after another figure (65口径 20米) names that figure, not the next one.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, category, title, attributes, description, price="80"):
    return set(found(rules, shop(title, price, attributes, description), category))


@pytest.mark.parametrize("category, title, attributes, description", [
    ("emergency_light", "应急照明灯 应急时间90分钟 消防3C", {"应急时间": "90min"}, "问：停电后亮多久？答：满电大概二十分钟。"),
    ("smoke_alarm", "独立式烟感 10年锂电池 光电", {"电池寿命": "10年"}, "问：电池能撑几年？答：一般两年左右。"),
    ("portable_extinguisher", "干粉灭火器 4公斤 店铺", {"规格": "4kg"}, "问：每瓶多少粉？答：一瓶六斤，两瓶十二斤。"),
    ("portable_extinguisher", "BC干粉灭火器 4公斤 仓库", {"灭火剂": "碳酸氢钠"}, "木材纸张起火也能扑。"),
    ("portable_extinguisher", "BC干粉灭火器 4公斤", {"适用火灾": "A类 B类 C类"}, ""),
    ("emergency_light", "集中电源集中控制型 疏散照明灯", {"系统类型": "集中电源集中控制型"}, "每盏灯自带电池，装上就亮。"),
])
def test_flags(rules, category, title, attributes, description):
    assert "spec_mismatch" in codes(rules, category, title, attributes, description)


@pytest.mark.parametrize("category, title, attributes, description", [
    # a charge's time is its own quantity: not a hedge
    ("emergency_light", "应急照明灯 应急时间90分钟 消防3C", {"应急时间": "90min"}, "问：充电要多久？答：充满电大概五个小时。"),
    ("smoke_alarm", "独立式烟感 10年锂电池 光电", {"电池寿命": "10年"}, "问：电池能撑几年？答：一般十年左右。"),
    ("portable_extinguisher", "干粉灭火器 4公斤 店铺", {"规格": "4kg"}, "问：两瓶多重？答：一瓶八斤，两瓶十六斤。"),
    ("portable_extinguisher", "BC干粉灭火器 4公斤 加油站", {"灭火剂": "碳酸氢钠"}, "不能扑灭A类火，木材纸张起火请选ABC干粉。"),
    ("portable_extinguisher", "BC干粉灭火器 4公斤", {}, "问：能灭A类火吗？答：不能，A类火请选ABC的。"),
    ("portable_extinguisher", "ABC干粉灭火器 MFZ/ABC4", {"适用火灾": "A类 B类 C类"}, "木材纸张都能灭"),
    ("emergency_light", "集中电源集中控制型 疏散照明灯 DC36V", {"系统类型": "集中电源集中控制型"}, "配套集中电源柜，柜内自带蓄电池，灯具不含电池。"),
    ("escape_respirator", "TZL30 过滤式自救呼吸器 3C", {"型号": "TZL30"}, "注意：只在氧气不少于17%的环境用，不能当氧气呼吸器。"),
    ("fire_hose", "消防水带 65口径 20米 有衬里", {"口径": "65mm", "长度": "20m"}, ""),
])
def test_near_misses(rules, category, title, attributes, description):
    assert "spec_mismatch" not in codes(rules, category, title, attributes, description)


def test_a_noun_after_a_space_still_names_the_value(rules):
    # 口径 then a space then the value: the noun is the value's own (not after another figure)
    assert "spec_mismatch" in codes(rules, "fire_hose", "水带 口径 65 20米", {"口径": "50mm"}, "", price="90")


def test_a_bare_unit_price_in_the_title_is_one_pieces(rules):
    # 6. 单价18 in the title at 18: the page's price is one blanket's, whatever carton the title names
    assert "price_too_low" not in codes(rules, "fire_blanket", "灭火毯 1×1米 宾馆 整箱50条 单价16", {}, "", price="16")
    # the carton's price (整箱价16元50条) is still the carton's
    assert "price_too_low" in codes(rules, "fire_blanket", "灭火毯 1×1米 整箱50条 批发", {}, "整箱价16元50条", price="16")
