"""The wording-reason rules added for the misses and false flags on real_voice5.jsonl.

real_voice5.jsonl (520 listings by 1688/B2B suppliers and retail shops, written without the rules)
showed: a unit put out when the check comes (检查来了摆着) missed; a disposal service offered beside
new goods and a showroom piece taken down read as used goods; an empty cabinet quoted without its
agent and the 摆设 of an inspection-only unit read as props; a "random" brand not read as no maker;
无标识 beside 无合格证 (the conformity mark) read as no maker. Each test pairs the flag with a listing
that must stay clean; the listings are written for these tests, in other words than real_voice5's.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


# -- inspection_only: the unit is put out when the check comes -----------------------------------

@pytest.mark.parametrize("description", [
    "消防验收的时候摆一下就好，平时收起来。",
    "年检那天拿出来摆上，用不用无关紧要。",
    "安检来了放一下，其余时间随便。",
    "抽查时候摆着，便宜的就够。",
])
def test_unit_put_out_for_the_check(rules, description):
    assert "inspection_only" in found(rules, shop("干粉灭火器 4kg 店铺", "40", description=description),
                                      "portable_extinguisher")


@pytest.mark.parametrize("description", [
    "灭火器应放在显眼易取的位置，检查时放在明处方便查看。",
    "每月检查时摆正瓶身，看压力表指针是否在绿区。",
    "验收合格，附检验报告，摆放位置按规范。",
])
def test_placement_and_upkeep_are_not_inspection_only(rules, description):
    assert "inspection_only" not in found(rules, shop("干粉灭火器 MFZ/ABC4 3C", "65", description=description),
                                          "portable_extinguisher")


# -- refurbished: disposal services and showroom pieces ------------------------------------------

@pytest.mark.parametrize("title,description,category", [
    ("二氧化碳灭火器 MT3 新品", "本店另可代办过期灭火器回收，售出的都是当年新瓶。", "portable_extinguisher"),
    ("耐火电缆 NH-YJV 4×16", "另外提供失效旧线回收，出售的全是新线。", "fire_resistant_cable"),
    ("疏散指示灯 LED 样品处理", "展会拆下来的样机，外壳有划痕。", "emergency_light"),
])
def test_disposal_services_and_display_pieces_are_not_used_goods(rules, title, description, category):
    assert "refurbished" not in found(rules, shop(title, "60", description=description), category)


@pytest.mark.parametrize("title,description", [
    ("灭火器 4kg 便宜", "都是过期回收的瓶子重新充的，压力够。"),
    ("灭火器 4kg 过期回收 重新喷漆", ""),
    ("灭火器 4kg", "从工地拆下来的，还能用。"),
])
def test_recycled_goods_still_flagged(rules, title, description):
    assert "refurbished" in found(rules, shop(title, "15", description=description), "portable_extinguisher")


def test_showroom_piece_is_still_a_prop(rules):
    reasons = found(rules, shop("疏散指示灯 LED 样品处理", "8", description="展会拆下来的样机，外壳有划痕，样品。"),
                    "emergency_light")
    assert "prop_or_display" in reasons and "refurbished" not in reasons


# -- prop_or_display: equipment quoted without its agent; 摆设 of an inspection-only unit ----------

def test_cylinder_quoted_without_agent_is_not_a_prop(rules):
    item = shop("悬挂式七氟丙烷 空瓶 未充装 XQQ40", "900", {"药剂": "不含"}, "灭火剂单独报价，到场后充装。")
    assert "prop_or_display" not in found(rules, item, "gas_suppression")


def test_empty_cylinder_without_that_is_still_a_prop(rules):
    item = shop("悬挂式七氟丙烷 空瓶 未充装 XQQ40", "90", {"药剂": "不含"}, "装好看着一样。")
    assert "prop_or_display" in found(rules, item, "gas_suppression")
    # the agent quoted apart does not excuse a prop named as such
    prop = shop("七氟丙烷 道具 空瓶 拍摄用", "90", description="药剂另计。")
    assert "prop_or_display" in found(rules, prop, "gas_suppression")


def test_for_show_at_the_check_is_inspection_only_not_a_prop(rules):
    item = shop("应急照明灯 双头 摆设款", "9", description="年检专用，插上不亮也行，摆设。")
    reasons = found(rules, item, "emergency_light")
    assert "inspection_only" in reasons and "prop_or_display" not in reasons


def test_for_show_without_a_check_is_still_a_prop(rules):
    assert "prop_or_display" in found(rules, shop("应急照明灯 双头 摆设款 不通电", "9"), "emergency_light")
    # a prop named as such stays beside inspection wording
    both = shop("灭火器 道具 空瓶 年检专用", "9")
    reasons = found(rules, both, "portable_extinguisher")
    assert "prop_or_display" in reasons and "inspection_only" in reasons


# -- no_manufacturer: a random brand; the conformity mark is not the maker ----------------------

@pytest.mark.parametrize("title,attributes,description", [
    ("烟雾报警器 独立式 10只装", {"品牌": "随机发货"}, ""),
    ("防火毯 1×1米", {"规格": "1m"}, "厂家不固定，有什么发什么。"),
    ("灭火器 4kg", {}, "品牌随机发，不指定。"),
])
def test_random_brand_is_no_manufacturer(rules, title, attributes, description):
    category = "smoke_alarm" if "烟雾" in title else "fire_blanket" if "防火毯" in title else "portable_extinguisher"
    assert "no_manufacturer" in found(rules, shop(title, "30", attributes, description), category)


@pytest.mark.parametrize("title,attributes,description", [
    ("烟雾报警器 独立式 10只装", {"品牌": "海湾", "颜色": "随机"}, "颜色随机发货。"),
    ("灭火器 4kg 款式随机", {"生产企业": "浙江某某消防设备有限公司"}, "外观款式随机发。"),
])
def test_random_colour_or_style_is_not_no_manufacturer(rules, title, attributes, description):
    category = "smoke_alarm" if "烟雾" in title else "portable_extinguisher"
    assert "no_manufacturer" not in found(rules, shop(title, "60", attributes, description), category)


def test_missing_conformity_mark_is_not_no_manufacturer(rules):
    door = shop("钢质防火门 乙级 处理", "500", description="无合格证，无标识，现货。")
    reasons = found(rules, door, "fire_door")
    assert "no_certification" in reasons and "no_manufacturer" not in reasons
    bare = shop("钢质防火门 乙级 处理", "500", description="门上无标识，不知道哪家做的。")
    assert "no_manufacturer" in found(rules, bare, "fire_door")


# -- prop_or_display: a sample sent before a wholesale purchase; a spare cylinder body ------------

def test_sample_before_a_purchase_is_not_a_prop(rules):
    item = shop("烟感报警器 独立式 3C 工程批发", "30", {"样品": "可寄"}, "大批量下单前可先看样，样品为正常产品。")
    assert "prop_or_display" not in found(rules, item, "smoke_alarm")
    shown = shop("烟感报警器 独立式 样品 不通电", "5", {"样品": "展示"}, "橱窗撤下来的。")
    assert "prop_or_display" in found(rules, shown, "smoke_alarm")


def test_spare_cylinder_body_for_maintenance_shops_is_not_a_prop(rules):
    item = shop("二氧化碳灭火器 钢瓶 空瓶 未充装 3kg", "70", description="新钢瓶，供维保公司换瓶使用，不是成品。")
    assert "prop_or_display" not in found(rules, item, "portable_extinguisher")
    dummy = shop("二氧化碳灭火器 钢瓶 空瓶 未充装 3kg", "20", description="放着看，跟真的一样。")
    assert "prop_or_display" in found(rules, dummy, "portable_extinguisher")
