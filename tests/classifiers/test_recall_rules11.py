"""The rules added for the opened held-out set's (heldout2) spec misses: ratings below a standard's least, a denied
protection, a value outside the cited edition's, a cable code's conductor, and a measured value below the nominal.

Mechanisms, each tested with a flagged listing and a near miss that stays clean (listings written for these tests,
not copied from heldout2):
- rated_minimums.py `rated_minimums`: a sprinkler's 额定工作压力 below 1.2 MPa (GB 5135.1-2019), a coupling's 公称压力
  below 1.6 MPa (GB 12514), HFC-227ea purity below 99.6 % (GB 18614), an N cable's fire-test temperature below
  750 ℃, a steel-structure coating's 耐火极限 below 0.50 h (GB 14907-2018) -- each as commonly quoted, behind a switch;
- rated_minimums.py `denied_protection`: an escape respirator saying it gives no CO protection (GB 21976.7-2012);
- rated_minimums.py `edition_values`: a smoke alarm citing GB 20517-2025 with a 消音时间 outside (7±1) h;
- word_families.conductor_material.code_values: YJV (copper) against 导体材质：铝, YJLV (aluminium) against 铜芯;
- measured.py: a fill, hose length, emergency duration the listing gives as real or measured below its nominal
  (substandard_spec, and no longer spec_mismatch: measured_below.also_mismatch).
"""

from __future__ import annotations

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes=None, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category)


# -- rated minimums ---------------------------------------------------------------------------------

def test_sprinkler_rated_pressure_below_the_least(rules):
    low = codes(rules, "玻璃球洒水喷头 ZSTZ15/68 直立型 工程用", "sprinkler", {"额定工作压力": "0.8MPa"}, price="6")
    assert "substandard_spec" in low and "1.2" in low["substandard_spec"]
    # the least pressure a head works at, a range, or a rating of 1.2 MPa is no rating below the least
    for attrs in ({"最低工作压力": "0.05MPa"}, {"工作压力": "0.1-1.2MPa"}, {"额定工作压力": "1.2MPa"}):
        assert "substandard_spec" not in codes(rules, "玻璃球洒水喷头 ZSTZ15/68 直立型 工程用", "sprinkler", attrs, price="6")


def test_coupling_nominal_pressure_below_the_least(rules):
    low = codes(rules, "消防接口 KD50 内扣式 铝合金", "fire_coupling", {"公称压力": "1.0MPa"}, price="18")
    assert "substandard_spec" in low and "1.6" in low["substandard_spec"]
    assert "substandard_spec" not in codes(rules, "消防接口 KD50 内扣式 铝合金", "fire_coupling", {"公称压力": "1.6MPa"},
                                           price="18")
    # a hose's working pressure in a coupling listing is the hose's
    assert "substandard_spec" not in codes(rules, "消防接口 KD65 配8-65水带", "fire_coupling", {"水带工作压力": "0.8MPa"},
                                           price="18")


def test_hfc227ea_purity_below_the_least(rules):
    low = codes(rules, "七氟丙烷灭火装置 柜式 双瓶组", "gas_suppression", {"药剂纯度": "98.5%"}, price="6800")
    assert "substandard_spec" in low and "99.6" in low["substandard_spec"]
    assert "substandard_spec" not in codes(rules, "七氟丙烷灭火装置 柜式 双瓶组", "gas_suppression",
                                           {"药剂纯度": "99.9%"}, price="6800")
    # another agent's purity is not judged by HFC-227ea's
    assert "substandard_spec" not in codes(rules, "IG541混合气体灭火系统 瓶组", "gas_suppression",
                                           {"氮气纯度": "99.0%"}, price="9800")


def test_fire_resistant_cable_test_temperature_below_750(rules):
    low = codes(rules, "NH-YJV 3*2.5 耐火电缆 国标", "fire_resistant_cable", {"耐火温度": "600℃"}, price="900")
    assert "substandard_spec" in low and "750" in low["substandard_spec"]
    assert "substandard_spec" not in codes(rules, "NH-YJV 3*2.5 耐火电缆 国标", "fire_resistant_cable",
                                           {"耐火温度": "950℃"}, price="900")
    # the conductor's working temperature is another quantity
    assert "substandard_spec" not in codes(rules, "NH-YJV 3*2.5 耐火电缆 国标", "fire_resistant_cable",
                                           {"长期工作温度": "90℃"}, price="900")


def test_steel_coating_fire_resistance_below_the_lowest_class(rules):
    low = codes(rules, "室内薄型钢结构防火涂料 水性", "fire_retardant_coating", {"耐火极限": "20分钟"}, price="120")
    assert "substandard_spec" in low and "0.5" in low["substandard_spec"]
    assert "substandard_spec" not in codes(rules, "室内薄型钢结构防火涂料 水性", "fire_retardant_coating",
                                           {"耐火极限": "1.0h"}, price="120")
    # a wood coating is not judged by the steel classes
    assert "substandard_spec" not in codes(rules, "饰面型防火涂料 木材用 透明", "fire_retardant_coating",
                                           {"耐火时间": "0.3h"}, price="80")


# -- a denied protection -----------------------------------------------------------------------------

def test_respirator_saying_it_gives_no_co_protection(rules):
    for attrs, description in (({"防一氧化碳": "否"}, ""), ({}, "只能过滤烟雾，不能防一氧化碳。")):
        denied = codes(rules, "过滤式消防自救呼吸器 TZL30 酒店", "escape_respirator", attrs, description, price="55")
        assert "substandard_spec" in denied and "一氧化碳" in denied["substandard_spec"]
    for attrs, description in (({"一氧化碳防护": "有"}, ""), ({}, "普通口罩不防一氧化碳，本款可以。"),
                               ({}, "可防一氧化碳，一氧化碳无忧。")):
        assert "substandard_spec" not in codes(rules, "过滤式消防自救呼吸器 TZL30 酒店", "escape_respirator", attrs,
                                               description, price="55")


# -- a value outside the cited edition's --------------------------------------------------------------

def test_smoke_alarm_hush_outside_the_2025_editions_period(rules):
    hush = codes(rules, "独立式光电烟雾报警器 家用", "smoke_alarm", {"执行标准": "GB 20517-2025", "消音时间": "10分钟"},
                 price="49")
    assert "substandard_spec" in hush and "7±1" in hush["substandard_spec"]
    assert "substandard_spec" not in codes(rules, "独立式光电烟雾报警器 家用", "smoke_alarm",
                                        {"执行标准": "GB 20517-2025", "消音时间": "7小时"}, price="49")
    # without the 2025 edition the listing claims no period it could contradict
    assert "substandard_spec" not in codes(rules, "独立式光电烟雾报警器 家用", "smoke_alarm", {"消音时间": "10分钟"}, price="49")


# -- a cable code's conductor -------------------------------------------------------------------------

def test_cable_code_conductor_against_the_stated_metal(rules):
    alu = codes(rules, "阻燃电力电缆 工程用 国标", "flame_retardant_cable",
                {"型号": "ZC-VV 3*16+1*10", "导体材质": "铝"}, price="60")
    assert "spec_mismatch" in alu and "铝" in alu["spec_mismatch"]
    assert "spec_mismatch" in codes(rules, "阻燃电力电缆 工程用 国标", "flame_retardant_cable",
                                    {"型号": "ZR-YJLV 4*25", "线芯": "铜芯"}, price="60")
    # an aluminium-alloy armour or an aluminium-foil screen names no conductor; a copper conductor agrees
    for attrs in ({"型号": "ZR-YJV22 4*25", "铠装": "铝合金带铠装"}, {"型号": "ZR-YJV 4*25", "屏蔽": "铝箔屏蔽"},
                  {"型号": "ZR-YJV 4*25", "导体材质": "铜"}):
        assert "spec_mismatch" not in codes(rules, "阻燃电力电缆 工程用 国标", "flame_retardant_cable", attrs, price="60")


# -- a measured value below the nominal ---------------------------------------------------------------

def test_measured_values_below_the_nominal(rules):
    fill = codes(rules, "干粉灭火器 MFZ/ABC5 5公斤 仓库", "portable_extinguisher", {"实测装粉": "4.2kg"}, price="70")
    assert {"substandard_spec", "spec_mismatch"} <= set(fill)  # below the standard, and the listing contradicts itself
    hose = codes(rules, "消防水带 13-65-25 PVC衬里", "fire_hose", {}, "标25米，实际22米。", price="90")
    assert {"substandard_spec", "spec_mismatch"} <= set(hose)
    light = codes(rules, "消防应急照明灯 应急时间90分钟 LED", "emergency_light", {"买家实测": "35分钟"}, price="30")
    assert "substandard_spec" in light


def test_measured_values_below_the_nominal_only_substandard_when_the_policy_says_so(rules):
    """`measured_below.also_mismatch` (specs.yaml): the labellings disagree (open files mostly substandard_spec
    alone, the opened heldout3 spec_mismatch); switched off, the contradiction is left to measured.py."""
    import copy

    from classifiers.risk import RiskRules
    facts = copy.deepcopy(rules.facts)
    facts["measured_below"]["also_mismatch"] = False
    hose = codes(RiskRules(facts=facts), "消防水带 13-65-25 PVC衬里", "fire_hose", {}, "标25米，实际22米。", price="90")
    assert "substandard_spec" in hose and "spec_mismatch" not in hose


def test_measured_values_at_or_above_the_nominal_or_of_other_goods(rules):
    assert "substandard_spec" not in codes(rules, "消防水带 13-65-25 PVC衬里", "fire_hose", {}, "实测25.5米，足米。",
                                           price="90")
    assert "substandard_spec" not in codes(rules, "干粉灭火器 MFZ/ABC5 5公斤 仓库", "portable_extinguisher", {},
                                           "别家标5公斤实际只有4公斤，我家足量。", price="70")
    assert "substandard_spec" not in codes(rules, "消防应急照明灯 应急时间90分钟 LED", "emergency_light",
                                           {"实测应急时间": "120分钟"}, price="30")


def test_measured_fill_against_a_bare_size_and_within_the_tolerance(rules):
    # no model code: the one other mass the listing states is the nominal
    bare = codes(rules, "干粉灭火器 4kg 店铺用", "portable_extinguisher", {}, "实际装粉3kg，够用。", price="45")
    assert {"substandard_spec", "spec_mismatch"} <= set(bare)
    # within the 4 kg size's ±2 %: neither below the standard nor a contradiction
    assert "substandard_spec" not in codes(rules, "干粉灭火器 MFZ/ABC4 4公斤", "portable_extinguisher",
                                           {"实际充装量": "3.95kg"}, price="60")
