"""The rules added when heldout11's certification and specification misses were read (session 32, issue 17).

Mechanisms, each tested with a flagged listing and a near miss (listings written for these tests, not copied
from heldout11):
- CCC scope: a voluntary certificate named in a reply explains a loose 3C claim in the title or text, but not an
  explicit one in the attributes (认证：3C强制认证, 3C证书编号 with a number of the CCC form) on a product outside
  CCC at the listing's date; an attribute that names the voluntary certificate itself stays explained;
- extinguisher fill tolerance written straight after the stated fill (充装量 4kg±5%, 1kg（误差±8%）), judged
  by the size's tolerance (<=1 kg ±5%, 1-3 kg ±3%, >3 kg ±2%);
- no discharge hose said as 无管设计 on a unit of 4 kg or more;
- a cable conductor its seller calls non-standard or a size under the nominal (截面按非标, 线径偏小);
- 摆件 naming a working extinguisher's form (摆件式灭火器) or said to dodge CCC (摆件类免3C) is no prop.
"""

from __future__ import annotations

from datetime import date

from tests.classifiers.test_recall_rules import found, shop

ON = date(2024, 5, 10)


def codes(rules, title, category, attributes=None, description="", price="100", on=ON):
    return found(rules, shop(title, price, attributes, description), category, on)


# -- CCC scope: explicit attribute claims ---------------------------------------------------------

def test_an_explicit_ccc_claim_in_the_attributes_stands_beside_a_voluntary_reply(rules):
    reply = "问：这个要3C吗 答：水带现在属于自愿性认证，有证书。"
    compulsory = codes(rules, "有衬里消防水带 DN65 25米 13-65-25", "fire_hose",
                       {"口径": "DN65", "认证": "3C强制认证"}, reply, price="120")
    assert "invalid_certificate" in compulsory
    numbered = codes(rules, "防火门 乙级 钢质 1000*2100 单开", "fire_door",
                     {"防火等级": "乙级", "3C证书编号": "2021081201234567"},
                     "客服：防火门属于自愿性产品认证，资料随货。", price="1200")
    assert "invalid_certificate" in numbered


def test_a_loose_claim_or_a_voluntary_attribute_stays_explained(rules):
    reply = "问：这个要3C吗 答：水带现在属于自愿性认证，有证书。"
    # the claim in the title, the reply naming the voluntary certificate: explained as before
    assert "invalid_certificate" not in codes(rules, "消防水带 DN65 25米 3C认证", "fire_hose",
                                              {"口径": "DN65"}, reply, price="120")
    # the attribute names the voluntary certificate itself
    assert "invalid_certificate" not in codes(rules, "有衬里消防水带 DN65 25米", "fire_hose",
                                              {"口径": "DN65", "认证": "3C强制认证已取消，现为自愿性认证"}, reply,
                                              price="120")
    # an attribute saying 3C without compulsion or a number: a loose claim, explained by the reply
    assert "invalid_certificate" not in codes(rules, "有衬里消防水带 DN65 25米", "fire_hose",
                                              {"口径": "DN65", "认证": "3C认证"}, reply, price="120")
    # a product under CCC: its compulsory claim is true whatever a reply says
    assert "invalid_certificate" not in codes(rules, "手提式干粉灭火器 MFZ/ABC4", "portable_extinguisher",
                                              {"型号": "MFZ/ABC4", "认证": "3C强制认证"},
                                              "配件软管属于自愿性认证。", price="60")


# -- extinguisher fill tolerance after the stated fill --------------------------------------------

def test_a_fill_tolerance_written_after_the_fill(rules):
    four = codes(rules, "干粉灭火器 MFZ/ABC4 店面用", "portable_extinguisher",
                 {"型号": "MFZ/ABC4", "充装量": "4公斤±4%"}, price="60")
    assert "substandard_spec" in four
    one = codes(rules, "车用灭火器 MFZ/ABC1 小号", "portable_extinguisher",
                {"型号": "MFZ/ABC1", "充装量": "1kg（偏差±7%）"}, price="25")
    assert "substandard_spec" in one


def test_a_fill_tolerance_within_the_size_limit(rules):
    # ±2% on a 4 kg unit and ±5% on a 1 kg unit are the standard's own limits
    assert "substandard_spec" not in codes(rules, "干粉灭火器 MFZ/ABC4 店面用", "portable_extinguisher",
                                           {"型号": "MFZ/ABC4", "充装量": "4公斤±2%"}, price="60")
    assert "substandard_spec" not in codes(rules, "车用灭火器 MFZ/ABC1 小号", "portable_extinguisher",
                                           {"型号": "MFZ/ABC1", "充装量": "1kg（误差±5%）"}, price="25")


# -- no hose on a 4 kg unit ------------------------------------------------------------------------

def test_no_hose_design_on_a_large_unit(rules):
    assert "substandard_spec" in codes(rules, "干粉灭火器 MFZ/ABC5 仓库用", "portable_extinguisher",
                                       {"型号": "MFZ/ABC5"}, "无管款，拔掉保险直接按压。", price="75")
    # a 2 kg unit needs no hose
    assert "substandard_spec" not in codes(rules, "干粉灭火器 MFZ/ABC2 车载", "portable_extinguisher",
                                           {"型号": "MFZ/ABC2"}, "无管款，拔掉保险直接按压。", price="35")


# -- cable conductor below its nominal -------------------------------------------------------------

def test_a_conductor_said_to_be_non_standard_or_a_size_under(rules):
    assert "substandard_spec" in codes(rules, "NH-YJV 4x16 耐火电缆 工程用", "fire_resistant_cable",
                                       {"规格": "4x16"}, "导体是按非标拉的，便宜。", price="60")
    assert "substandard_spec" in codes(rules, "ZC-BV 4平方 阻燃电线", "flame_retardant_cable",
                                       {"规格": "4"}, "实际线径偏细一点，价格实惠。", price="150")


def test_a_conductor_question_or_denial_is_no_admission(rules):
    assert "substandard_spec" not in codes(rules, "NH-YJV 4x16 耐火电缆 工程用", "fire_resistant_cable",
                                           {"规格": "4x16"}, "问：截面是非标的吗 答：国标足方。", price="150")
    assert "substandard_spec" not in codes(rules, "NH-YJV 4x16 耐火电缆 工程用", "fire_resistant_cable",
                                           {"规格": "4x16"}, "导体不是非标，可剥皮检测。", price="150")


# -- 摆件 that is a working extinguisher -------------------------------------------------------------

def test_an_ornament_shaped_extinguisher_is_no_prop(rules):
    vase = codes(rules, "摆件式水基灭火器 客厅装饰 500ml", "other_fire", {"规格": "500ml"},
                 "平时当装饰品，起火拿起来就能喷。摆件类不需要3C。", price="45")
    assert "prop_or_display" not in vase


def test_a_real_ornament_prop_still_is(rules):
    prop = codes(rules, "灭火器摆件 仿真模型 桌面装饰", "portable_extinguisher", {"材质": "树脂"},
                 "桌面摆件，不能喷。", price="20")
    assert "prop_or_display" in prop
    plain = codes(rules, "消防栓造型摆件 办公桌装饰", "other_fire", {"材质": "树脂"}, "送礼摆件。", price="20")
    assert "prop_or_display" in plain
