"""The rules added when heldout2's misses were read (session 29: heldout2 was opened, fresh sets sealed instead).

Mechanisms, each tested with a flagged listing and a near miss (listings written for these tests, not copied
from heldout2):
- CCC scope (ccc_scope.yaml): after the 2019 notice only fire alarm products, extinguishers and escape products
  stayed under CCC, so a 3C claim on a fire blanket or a hose coupling is invalid_certificate, and "no 3C" on
  one is no defect; CCC wires and cables are rated 450/750 V and below, so a 3C claim on a 0.6/1 kV power cable
  is invalid_certificate, unless the listing itself says its certificate is a voluntary one;
- inspection_only: a record of every unit getting through (没一个过不了的), a buyer's "will it pass?" answered
  with a bare yes, "nobody takes it down to test it at the check", and 检查一次过;
- no_certification: never sent for testing (没送检), a test-report attribute stating none;
- false flags: a rack for showing extinguishers (展柜) is no prop, a cylinder body sold as a repair part is no
  dummy, a used hose sold for watering and not for fire use is no refurbished fire product, and 工程验收用
  beside the reports and a passing result is the buyer's acceptance.
"""

from __future__ import annotations

from datetime import date

from tests.classifiers.test_recall_rules import found, shop

ON = date(2025, 9, 1)


def codes(rules, title, category, attributes=None, description="", price="100", on=ON):
    return found(rules, shop(title, price, attributes, description), category, on)


# -- CCC scope ------------------------------------------------------------------------------------

def test_a_3c_claim_on_a_fire_blanket_or_coupling_after_2019(rules):
    blanket = codes(rules, "家用灭火毯 1.2米 3C认证 厨房必备", "fire_blanket", {"规格": "1.2m×1.2m"}, price="39")
    assert "invalid_certificate" in blanket and "三类" in blanket["invalid_certificate"]
    coupling = codes(rules, "KD65 内扣式消防接口 通过3C认证", "fire_coupling", price="25")
    assert "invalid_certificate" in coupling
    # the same claim before the notice is not judged (what held then is not known here)
    assert "invalid_certificate" not in codes(rules, "家用灭火毯 1.2米 3C认证", "fire_blanket", price="39",
                                              on=date(2019, 5, 1))
    # a blanket with its own standard and no CCC claim is clean
    assert "invalid_certificate" not in codes(rules, "家用灭火毯 1.2米 XF1205-2014", "fire_blanket", price="39")


def test_no_3c_on_a_fire_blanket_is_no_defect(rules):
    said = codes(rules, "灭火毯 不带3C认证 玻璃纤维 1米", "fire_blanket", {"规格": "1.0×1.0m"},
                 "灭火毯不在3C目录里，有检验报告。", price="25")
    assert "no_certification" not in said
    # on an extinguisher (still under CCC) it is
    assert "no_certification" in codes(rules, "干粉灭火器 4kg 不带3C认证", "portable_extinguisher", price="60")


def test_a_bare_none_beside_no_3c_before_ccc_was_compulsory(rules):
    """A gas alarm before 2025-07-01 (CCC compulsory from then): 无3C was true, and 认证：暂无 beside it says the
    same; a test report stated as none is still a defect (a smaller point from session 28: real_voice9 #78)."""
    early = date(2025, 2, 11)
    bare = codes(rules, "燃气报警器 家用 无3C 厨房", "gas_detector", {"认证": "暂无"}, price="59", on=early)
    assert "no_certification" not in bare
    report = codes(rules, "燃气报警器 家用 无3C 厨房", "gas_detector", {"检测报告": "无"}, price="59", on=early)
    assert "no_certification" in report
    # after 2025-07-01 both are defects
    assert "no_certification" in codes(rules, "燃气报警器 家用 无3C 厨房", "gas_detector", {"认证": "暂无"}, price="59",
                                       on=date(2025, 9, 1))


def test_a_3c_claim_on_a_power_cable_above_450_750v(rules):
    power = codes(rules, "阻燃电力电缆 ZC-YJV 0.6/1kV 4*25 3C认证", "flame_retardant_cable", price="120")
    assert "invalid_certificate" in power and "450/750V" in power["invalid_certificate"]
    assert "额定电压 0.6/1kV 及以上的电缆" in power["invalid_certificate"]
    # full-width and upper-case voltage reads the same
    assert "invalid_certificate" in codes(rules, "阻燃电缆 ZC-YJV ０.６/１ＫＶ 4*25 3C认证", "flame_retardant_cable",
                                          price="120")
    # a 450/750 V wire is under CCC: its claim stands
    assert "invalid_certificate" not in codes(rules, "阻燃电线 ZC-BV 450/750V 2.5平方 3C认证", "flame_retardant_cable",
                                              price="220")
    # the listing says the power cable's certificate is a voluntary one: an explained claim
    assert "invalid_certificate" not in codes(rules, "耐火电缆 NH-YJV 0.6/1kV 3C认证", "fire_resistant_cable",
                                              description="450/750V电线有3C，0.6/1kV电力电缆按标准自愿认证。",
                                              price="300")


# -- inspection_only -----------------------------------------------------------------------------

def test_every_unit_got_through_and_a_bare_yes_to_will_it_pass(rules):
    record = codes(rules, "干粉灭火器 4kg 宿舍用", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                   "卖了几千瓶，没一个过不了的。", price="60")
    assert "inspection_only" in record
    asked = codes(rules, "灭火器4公斤 年检能过吗？能！ 便宜", "portable_extinguisher", {"型号": "MFZ/ABC4"}, price="60")
    assert "inspection_only" in asked
    # the question answered with the product's papers is a compliance answer
    assert "inspection_only" not in codes(rules, "灭火器4公斤 国标3C", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                                          "问：能过年检吗？答：我们是国标产品，带合格证。", price="60")


def test_nobody_tests_it_at_the_check(rules):
    taken = codes(rules, "烟雾报警器 店铺用", "smoke_alarm", description="检查的人不会拿下来按，装上就好。", price="30")
    assert "inspection_only" in taken
    once = codes(rules, "烟感 消防来查一次过 独立式", "smoke_alarm", price="30")
    assert "inspection_only" in once
    # upkeep advice: test it monthly; and passing the first time a test (一次过关 of a product test) is not named
    assert "inspection_only" not in codes(rules, "独立式烟感 3C", "smoke_alarm",
                                          description="建议每月按一下测试键检查是否正常。", price="45")


# -- no_certification ----------------------------------------------------------------------------

def test_never_sent_for_testing(rules):
    never = codes(rules, "复合防火玻璃 自产自销", "fire_glass", {"检测报告": "无"}, "工厂直销，没送检。", price="480")
    assert "no_certification" in never
    tested = codes(rules, "复合防火玻璃 A类1.00h", "fire_glass", {"检测报告": "有（国家防火建筑材料质检中心）"},
                   "每批送检。", price="480")
    assert "no_certification" not in tested


# -- false flags ---------------------------------------------------------------------------------

def test_a_display_rack_and_a_repair_part_are_no_props(rules):
    rack = codes(rules, "消防器材展柜 门店展示用 不锈钢", "other_fire", {"用途": "门店陈列"}, price="450")
    assert "prop_or_display" not in rack
    part = codes(rules, "灭火器空壳 4kg筒体 维修配件", "other_fire", {"用途": "维修厂配件"}, price="8")
    assert "prop_or_display" not in part
    # an empty cylinder sold to stand on the wall is a prop
    assert "prop_or_display" in codes(rules, "灭火器空壳 4kg 挂墙摆设", "portable_extinguisher", price="8")


def test_a_used_hose_for_watering_not_fire_use(rules):
    water = codes(rules, "二手旧水带 浇地用", "fire_hose", {"成色": "二手"}, "旧水带，浇地洗车用，不作消防用途。", price="10")
    assert "refurbished" not in water
    assert "refurbished" in codes(rules, "二手消防水带 8-65-20", "fire_hose", {"成色": "二手"}, price="10")


def test_project_acceptance_with_reports_and_a_pass(rules):
    legit = codes(rules, "阻燃电线 ZC-BV 2.5 100米 送检报告 工程验收用 合格", "flame_retardant_cable",
                  {"认证": "CCC"}, price="228")
    assert "inspection_only" not in legit
    assert "inspection_only" in codes(rules, "阻燃电线 ZC-BV 2.5 100米 工程验收用 便宜", "flame_retardant_cable",
                                      description="验收用，过了就行。", price="80")


def test_a_radius_or_half_price_is_no_half_unit():
    """四公斤半 is 4.5公斤, but 3米半径 is a 3 m radius and 五米半价 a half price (a smaller point from session 28)."""
    import re

    from classifiers.numerals import arabic_before

    unit = re.compile("米|公斤")
    assert arabic_before("四公斤半", unit)[0] == "4.5公斤"
    assert arabic_before("3米半的水带", unit)[0] == "3.5米的水带"
    assert arabic_before("保护3米半径范围", unit)[0] == "保护3米半径范围"
    assert arabic_before("五米半价", unit)[0] == "5米半价"
