"""Class words and codes that imply a figure through a standard's table, in shop notations (session 33, issue 17):
listings written for these tests from domain.md's facts (probes), not copied from any data file.

Mechanisms, each with a listing that flags and a near miss that stays clean:
- 甲等/乙等/丙等 is the door grade 甲级/乙级/丙级; 特甲级 is no 甲级, and a grade compared with (比普通甲级门) is other goods';
- a grade word stands for its hours (GB 12955: 甲级 1.5 h, 乙级 1.0 h, 丙级 0.5 h) when the fields are compared, so
  乙级 in the title and 耐火一个半小时 in a reply contradict each other;
- a core count written as a sum (3+1芯) is its total, and the code's section is not the count after the type
  (ZC-YJV 3+1芯 states no 3 mm²);
- a conductor spec written with 芯 (3芯4平方加1芯2.5, 四芯16平方) is a conductor spec, its counts its parts;
- a colour's own 球 (绿球, 红球) names the glass bulb; 4分/6分 threads are DN15/DN20; K系数/K值/流量系数 rows are K-factors;
- a GB 14907 coating type and a coat thicker than its band (超薄型, 涂层厚度25mm) state two coatings (unverified, switch).
"""

from __future__ import annotations

from classifiers.specs import parse_specs
from tests.classifiers.test_recall_rules import found, shop


def mismatch(rules, listing, category):
    return "spec_mismatch" in found(rules, listing, category)


# -- door grades --------------------------------------------------------------------------------------------------------

def test_deng_grade_words_are_the_grades():
    assert parse_specs("甲等防火门 钢质").get("door_grades") == ["甲级"]
    assert parse_specs("乙等 钢质防火门").get("door_grades") == ["乙级"]
    # 特甲级 (claimed above 甲级) is no 甲级; a compared grade is other goods'
    assert not parse_specs("特甲级防火门 A3.00").get("door_grades")
    assert not parse_specs("比普通甲级门便宜").get("door_grades")


def test_deng_grade_against_minutes_flags(rules):
    bad = shop("钢质防火门 楼梯间", "1200", {"品牌": "盾安", "防火等级": "甲等"}, "耐火极限：60分钟，门扇50mm。")
    assert mismatch(rules, bad, "fire_door")
    ok = shop("甲等防火门 楼道", "1200", {"品牌": "盾安", "耐火时间": "1.5h"})
    assert not mismatch(rules, ok, "fire_door")


def test_grade_in_title_and_hours_in_a_reply(rules):
    bad = shop("乙级防火门 通道门", "1200", {"品牌": "盾安"}, "客服：我们这款耐火一个半小时，放心用。")
    assert mismatch(rules, bad, "fire_door")
    bad2 = shop("丙级防火门 管井", "1200", {"品牌": "盾安"}, "答：耐火一个小时。")
    assert mismatch(rules, bad2, "fire_door")
    ok = shop("乙等防火门 楼道", "1200", {"品牌": "盾安"}, "主播：这个门是一小时的耐火。")
    assert not mismatch(rules, ok, "fire_door")


def test_compared_grade_states_no_hours(rules):
    ok = shop("乙级防火门 与甲级对比", "1200", {"品牌": "盾安", "耐火时间": "1小时"}, "比普通甲级门（1.5小时）便宜很多。")
    assert not mismatch(rules, ok, "fire_door")
    ok2 = shop("乙级防火门 楼道", "1200", {"品牌": "盾安"}, "比甲级门便宜，耐火1小时。")
    assert not mismatch(rules, ok2, "fire_door")


def test_special_grade_a_door_is_not_read_as_jia(rules):
    # 特甲级 with 2.5 h: the classes rule's (no A2.50 class), not a 甲级 (1.5 h) contradiction
    item = shop("特甲级防火门 A2.50 钢质", "1680", {"型号": "GFM-1021 A2.50", "耐火等级": "特甲级", "耐火隔热性": "2.5h"},
                "特甲级，比甲级更高，耐火2.5小时。")
    assert "spec_mismatch" not in found(rules, item, "fire_door")


# -- cable core counts and worded conductor specs ----------------------------------------------------------------------

def test_a_sum_of_cores_is_its_total():
    specs = parse_specs("ZC-YJV 3+1芯 阻燃电缆")
    assert specs.get("cores") == [4]
    assert specs["cables"][0]["section_mm2"] is None  # 3 of 3+1芯 is no section


def test_sum_of_cores_against_the_spec(rules):
    ok = shop("ZC-YJV 3+1芯 阻燃电缆", "30", {"品牌": "缆安", "规格": "3×4+1×2.5", "芯数": "四芯"})
    assert not mismatch(rules, ok, "flame_retardant_cable")
    ok5 = shop("ZC-YJV 3+2芯 阻燃电缆", "30", {"品牌": "缆安", "规格": "3×4+2×2.5"})
    assert not mismatch(rules, ok5, "flame_retardant_cable")
    bad = shop("ZC-YJV 3+1芯 阻燃电缆", "30", {"品牌": "缆安", "规格": "3×4+2×2.5"})
    assert mismatch(rules, bad, "flame_retardant_cable")


def test_worded_conductor_spec():
    specs = parse_specs("规格 3芯4平方加1芯2.5 五芯电缆")
    assert [c["total_cores"] for c in specs["conductors"]] == [4]
    assert specs.get("cores") == [5]  # the spec's own 3 and 1 are its parts
    assert parse_specs("四芯16平方")["conductors"][0]["sections_mm2"] == [16.0]
    assert "conductors" not in parse_specs("四芯电缆 足米")


def test_worded_conductor_spec_against_a_count(rules):
    bad = shop("ZC-YJV 阻燃电缆", "30", {"品牌": "缆安", "规格": "3芯4平方加1芯2.5"}, "五芯电缆。")
    assert mismatch(rules, bad, "flame_retardant_cable")
    bad2 = shop("ZC-YJV 阻燃电缆 五芯", "30", {"品牌": "缆安", "规格": "四芯16平方"})
    assert mismatch(rules, bad2, "flame_retardant_cable")
    ok = shop("ZC-YJV 阻燃电缆 四芯", "30", {"品牌": "缆安", "规格": "4芯16平方"})
    assert not mismatch(rules, ok, "flame_retardant_cable")


# -- sprinklers -------------------------------------------------------------------------------------------------------

def test_colour_ball_names_the_bulb(rules):
    bad = shop("喷头 68℃ 下垂", "5", {"品牌": "喷安"}, "答：是绿球的哦。")
    assert mismatch(rules, bad, "sprinkler")
    ok = shop("喷头 93℃ 绿球", "5", {"品牌": "喷安"})
    assert not mismatch(rules, ok, "sprinkler")


def test_fen_thread_is_a_bore(rules):
    assert parse_specs("喷头 4分口").get("dn") == [15]
    assert parse_specs("接口 6分").get("dn") == [20]
    assert not parse_specs("4分钟发货 评分4分").get("dn")
    bad = shop("喷头 4分口 K=115", "5", {"品牌": "喷安"})
    assert mismatch(rules, bad, "sprinkler")
    ok = shop("喷头 6分 K115 大流量", "5", {"品牌": "喷安"})
    assert not mismatch(rules, ok, "sprinkler")


def test_k_factor_rows(rules):
    assert parse_specs("K系数 80").get("k_factors") == [80]
    assert parse_specs("流量系数：115").get("k_factors") == [115]
    bad = shop("喷头", "5", {"品牌": "喷安", "接口": "4分", "K值": "115"})
    assert mismatch(rules, bad, "sprinkler")
    ok = shop("喷头 4分 68℃ 红色", "5", {"品牌": "喷安", "流量系数": "K80"})
    assert not mismatch(rules, ok, "sprinkler")


# -- coatings ---------------------------------------------------------------------------------------------------------

def test_coating_type_against_thickness(rules):
    bad = shop("超薄型钢结构防火涂料", "200", {"品牌": "涂安", "涂层厚度": "25mm"})
    assert mismatch(rules, bad, "fire_retardant_coating")
    thick = shop("厚型钢结构防火涂料", "200", {"品牌": "涂安", "涂层厚度": "2mm", "耐火极限": "3小时"})
    assert mismatch(rules, thick, "fire_retardant_coating")
    for ok in (shop("薄型钢结构防火涂料", "200", {"品牌": "涂安", "涂层厚度": "5mm"}),
               shop("超薄型钢结构防火涂料 室内", "200", {"品牌": "涂安"}, "涂层厚度约2毫米，耐火1小时。"),
               shop("超薄型钢结构防火涂料", "200", {"品牌": "涂安"}, "超薄型厚度≤3mm，厚型厚度7-45mm。"),
               shop("超薄型 薄型 厚型 钢结构防火涂料 齐全", "200", {"品牌": "涂安", "涂层厚度": "20mm"})):
        assert not mismatch(rules, ok, "fire_retardant_coating")


# -- more cable notations (second round of probes) ---------------------------------------------------------------------

def test_core_sum_with_each_count_marked_and_a_bare_count_row(rules):
    assert parse_specs("ZC-YJV 阻燃电缆 3芯+1芯").get("cores") == [4]
    assert parse_specs("芯数：5").get("cores") == [5]
    ok = shop("ZC-YJV 阻燃电缆 3芯+1芯", "30", {"品牌": "缆安", "规格": "3×10+1×6"})
    assert not mismatch(rules, ok, "flame_retardant_cable")
    bad = shop("NH-YJV 耐火电缆", "40", {"品牌": "缆安", "规格": "3*6+1*4", "芯数": "5"})
    assert mismatch(rules, bad, "fire_resistant_cable")


def test_single_core_wire_with_a_core_count(rules):
    bad = shop("ZC-BVR 4平方", "30", {"品牌": "缆安", "芯数": "3芯"})
    assert mismatch(rules, bad, "flame_retardant_cable")
    # a strand count (多股 19芯) is no core count of a multi-core cable
    ok = shop("ZC-BVR 4平方 多股软线", "30", {"品牌": "缆安", "结构": "19股"}, "19芯多股绞合。")
    assert not mismatch(rules, ok, "flame_retardant_cable")


def test_fire_resistance_in_hours_on_a_fire_resistant_cable(rules):
    bad = shop("NH-YJV 耐火电缆", "40", {"品牌": "缆安"}, "答：耐火半小时。")
    assert "substandard_spec" in found(rules, bad, "fire_resistant_cable")
    ok = shop("NH-YJV 耐火电缆", "40", {"品牌": "缆安", "耐火时间": "一个半小时"})
    assert "substandard_spec" not in found(rules, ok, "fire_resistant_cable")


# -- a reply sending the buyer to another listing ------------------------------------------------------------------------

def test_reply_about_another_listing_states_nothing_of_this_one(rules):
    ok = shop("ZC-YJV 阻燃电缆", "30", {"品牌": "缆安", "规格": "3x4+1x2.5"}, "问：有五芯的吗？答：五芯的是3x4+2x2.5，另拍。")
    assert not mismatch(rules, ok, "flame_retardant_cable")
    ok2 = shop("乙级防火门 木质", "1200", {"品牌": "盾安"}, "问：有甲级的吗？耐火1.5小时那种 答：甲级要定做。")
    assert not mismatch(rules, ok2, "fire_door")
    # a reply about this product itself still states it
    bad = shop("ZC-YJV 阻燃电缆", "30", {"品牌": "缆安", "规格": "3x4+1x2.5"}, "问：几芯的？答：这款是五芯的。")
    assert mismatch(rules, bad, "flame_retardant_cable")


# -- a code or class word in the title, the figure it implies contradicted in the description -----------------------------

def test_code_in_title_contradicted_in_the_description(rules):
    bad = shop("ZC-YJV 阻燃电缆", "30", {"品牌": "缆安"}, "耐火电缆，着火能坚持90分钟供电。")
    assert mismatch(rules, bad, "flame_retardant_cable")
    thin = shop("薄型钢结构防火涂料", "200", {"品牌": "涂安"}, "客服：涂层厚度15mm就能到2小时。")
    assert mismatch(rules, thin, "fire_retardant_coating")
    # a total of several units in the description states no one unit's figure
    hose = shop("消防水带 8-65-20 2盘装", "130", {"型号": "8-65-20", "数量": "2盘"}, "俗称8公斤压力，两盘共40米。")
    assert not mismatch(rules, hose, "fire_hose")
    # a size tolerance is no thickness
    assert parse_specs("尺寸允许偏差±2mm").get("glass_thickness_mm") is None
    glass = shop("防火玻璃 FFB复合 甲级", "300", {"型号": "FFB-25-A1.50"}, "请提供精确尺寸，尺寸允许偏差±2mm。")
    assert not mismatch(rules, glass, "fire_glass")


def test_fire_resistance_mark_denied(rules):
    bad = shop("WDZN-YJY 4*10", "40", {"品牌": "缆安", "是否耐火": "否"})
    assert mismatch(rules, bad, "flame_retardant_cable")
    bad2 = shop("N-YJV 耐火电缆", "40", {"品牌": "缆安"}, "答：这款不耐火，只是阻燃。")
    assert mismatch(rules, bad2, "fire_resistant_cable")
    ok = shop("NH-YJV 4*10 耐火电缆", "40", {"品牌": "缆安", "是否耐火": "是"}, "比非耐火电缆多一层云母带。")
    assert not mismatch(rules, ok, "fire_resistant_cable")
