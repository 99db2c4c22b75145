"""Issue 17, "Generalisation": the rules added for the misses on real_voice3.jsonl.

real_voice3.jsonl (171 listings in shop voice, written before the rules were read) showed
these misses: inspection wording where the product stands in for the real one (消防来查拿这个顶上,
走个过场); a hose or pump code repeated in the title and an attribute read as two products; a
sprinkler's mounting contradicted in the description; the no-hose rule only for units with a
model code; door plate thickness and gas alarm set points not read; prices per tonne, per
cylinder set, of inorganic-fibre shutters, of an extinguisher set sold with its box. Each test
pairs the flag with a listing that must stay clean. The listings are written for these tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classifiers.price import load_priors, unit_price
from classifiers.risk import RiskRules
from classifiers.spec_checks import check_specs
from classifiers.specs import load_facts, parse_specs
from firewatch.core.models import Listing

ON = date(2026, 3, 1)


def shop(title: str, price: str = "100", attributes: dict | None = None, description: str = "") -> Listing:
    return Listing(platform="taobao", listing_id="t", title=title, price=Decimal(price), shop_name="某某消防器材店",
                   attributes=dict(attributes or {}), description=description)


def found(rules: RiskRules, item: Listing, category: str, on: date = ON) -> dict[str, str]:
    reasons, _ = rules.check(item, category, now=on)
    return {r.code: r.evidence for r in reasons}


# -- inspection_only: the product stands in for the real one at the check ---------------------

@pytest.mark.parametrize("description", [
    "老板们消防来检查就拿这个顶上，外观跟正规的一样。",
    "检查的人看一眼就走了，不会拿下来喷。",
    "验收就是走个过场，这款便宜。",
    "年审的时候先顶着，过了再说。",
])
def test_inspection_stand_in_wording(rules, description):
    assert "inspection_only" in found(rules, shop("灭火器4kg干粉 店铺用", "55", description=description),
                                      "portable_extinguisher")


@pytest.mark.parametrize("description", [
    "每月检查时看一眼压力表，指针在绿区即可。",   # maintenance advice, not a stand-in
    "检查合格后出厂，每瓶带身份标签可查。",
])
def test_inspection_advice_is_not_a_stand_in(rules, description):
    assert "inspection_only" not in found(rules, shop("灭火器4kg干粉 MFZ/ABC4 3C", "65", description=description),
                                          "portable_extinguisher")


# -- codes repeated across fields are one product (GB 6246-2011 hose classes) ------------------

def test_gb6246_hose_class_against_working_pressure_when_the_code_repeats(rules):
    # 13-65-25: class 13 = 1.3 MPa (GB 6246-2011 pressure class x 0.1 MPa); stated 1.0 MPa
    item = shop("消防水带13-65-25 高压水带", "120", {"规格": "13-65-25", "工作压力": "1.0MPa"})
    assert "spec_mismatch" in found(rules, item, "fire_hose")
    same = shop("消防水带13-65-25 高压水带", "120", {"规格": "13-65-25", "工作压力": "1.3MPa"})
    assert "spec_mismatch" not in found(rules, same, "fire_hose")


@pytest.mark.parametrize("category,text,flagged", [
    # GB 15763.1-2009: A1.50 is 1.5 h; the code repeated under 型号 is still one product
    ("fire_glass", "复合防火玻璃 FFB-25-A1.50 型号 FFB-25-A1.50 耐火时间 1.0h", True),
    ("fire_glass", "复合防火玻璃 FFB-25-A1.50 型号 FFB-25-A1.50 耐火时间 1.5h", False),
    # 3*4+1*2.5 is four cores, stated twice
    ("flame_retardant_cable", "阻燃电缆 ZC-YJV 3*4+1*2.5 铜芯 规格 3*4+1*2.5 芯数 5芯", True),
    ("flame_retardant_cable", "阻燃电缆 ZC-YJV 3*4+1*2.5 铜芯 规格 3*4+1*2.5 芯数 4芯", False),
])
def test_glass_code_and_cable_construction_repeated_in_the_joined_fields(category, text, flagged):
    # the title and attributes read as one text (RiskRules' cross-field check) hold the code twice
    codes = {f.code for f in check_specs(text, category, ON, mismatch_only=True)}
    assert ("spec_mismatch" in codes) is flagged


# -- sprinkler mounting: code letter and words against the description (GB 5135.1-2019) --------

def test_gb5135_1_mounting_contradicted_in_the_description(rules):
    # ZSTX is pendent (GB 5135.1-2019: ZSTZ upright, ZSTX pendent, ZSTB sidewall)
    item = shop("ZSTX15-68 下垂型消防喷淋头", "3", {"型号": "ZSTX15-68"}, "直立安装，溅水盘朝上。")
    assert "spec_mismatch" in found(rules, item, "sprinkler")
    same = shop("ZSTX15-68 下垂型消防喷淋头", "3", {"型号": "ZSTX15-68"}, "下垂安装，吊顶下使用。")
    assert "spec_mismatch" not in found(rules, same, "sprinkler")
    both = shop("喷头 ZSTX15-68", "3", {}, "直立安装和下垂安装都有货，拍下备注。")
    assert "spec_mismatch" not in found(rules, both, "sprinkler")


def test_mountings_are_parsed_as_said():
    facts = load_facts()
    assert parse_specs("安装方式：边墙型", facts)["sprinkler_mountings"] == ["sidewall"]
    assert "sprinkler_mountings" not in parse_specs("灭火器 4kg", facts)


# -- GB 4351 discharge hose on units of 4 kg and more, known by their mass alone ---------------

def test_gb4351_no_hose_on_a_unit_stated_by_mass(rules):
    item = shop("手提式干粉灭火器5kg 无管直喷 轻便", "58", {"充装量": "5kg", "喷射软管": "无（直喷式）"})
    assert "substandard_spec" in found(rules, item, "portable_extinguisher")
    small = shop("手提式干粉灭火器2kg 无管直喷 轻便", "30", {"充装量": "2kg"})
    assert "substandard_spec" not in found(rules, small, "portable_extinguisher")
    wheeled = shop("推车式干粉灭火器35kg 无软管 卷盘另购", "680", {"充装量": "35kg"})
    assert "substandard_spec" not in found(rules, wheeled, "other_fire")


# -- GB 12955-2008 steel plate thickness (switch: fire_door.steel_thickness, unverified) -------

def test_gb12955_steel_plate_thinner_than_the_least(rules):
    item = shop("钢质防火门 乙级 工程门", "360", {"门扇钢板厚度": "0.5mm", "门框钢板厚度": "0.8mm"})
    assert "substandard_spec" in found(rules, item, "fire_door")
    frame = shop("钢质防火门 乙级", "360", {"门框钢板厚度": "1.0mm", "门扇钢板厚度": "0.8mm"})
    assert "门框" in found(rules, frame, "fire_door")["substandard_spec"]
    ok = shop("甲级防火门 钢质 1.5小时", "560", {"门扇钢板": "1.0mm", "门框钢板": "1.5mm", "门扇厚度": "50mm"})
    assert "substandard_spec" not in found(rules, ok, "fire_door")


def test_gb12955_steel_plate_rule_is_a_switch():
    facts = load_facts()
    facts["fire_door"]["steel_thickness"]["enforce"] = False
    item = shop("钢质防火门 乙级 工程门", "360", {"门扇钢板厚度": "0.5mm"})
    assert "substandard_spec" not in found(RiskRules(facts=facts), item, "fire_door")


# -- gas detector alarm set point (switch: gas_detector.alarm_lel, unverified) -----------------

def test_gas_alarm_set_point_above_the_highest(rules):
    assert "substandard_spec" in found(rules, shop("家用燃气报警器 天然气", "68", {"报警浓度": "50%LEL"}), "gas_detector")
    ok = shop("家用燃气报警器 天然气 3C", "129", {"报警设定值": "10%LEL", "测量范围": "0-100%LEL"})
    assert "substandard_spec" not in found(rules, ok, "gas_detector")
    facts = load_facts()
    facts["gas_detector"]["alarm_lel"]["enforce"] = False
    assert "substandard_spec" not in found(RiskRules(facts=facts), shop("燃气报警器", "68", {"报警浓度": "50%LEL"}),
                                           "gas_detector")


# -- prices: per tonne, per cylinder set, inorganic shutters, a set sold with its box ----------

def unit(item: Listing, category: str) -> dict:
    priors = load_priors()
    specs = parse_specs(" ".join([item.title] + [f"{k} {v}" for k, v in item.attributes.items()]), load_facts())
    return unit_price(item, category, specs, priors.get("units"), priors.get("not_comparable"), priors.get("min_amount"))


def test_price_per_tonne(rules):
    item = shop("钢结构防火涂料 室内厚型 工程", "300", {"计价单位": "元/吨", "类型": "室内厚型"})
    assert unit(item, "fire_retardant_coating")["unit_price"] == pytest.approx(0.3)
    assert "price_too_low" in found(rules, item, "fire_retardant_coating")
    fair = shop("钢结构防火涂料 室内厚型 1吨", "2600", {"类型": "室内厚型"})
    assert unit(fair, "fire_retardant_coating")["qty"] == 1000
    assert "price_too_low" not in found(rules, fair, "fire_retardant_coating")
    # 按吨报价 is a quote for large orders, not the unit of the price shown
    bag = shop("钢结构防火涂料 厚型 25kg 按吨报价", "65")
    assert "price_too_low" not in found(rules, bag, "fire_retardant_coating")


def test_gas_unit_priced_by_its_cylinders(rules):
    two = shop("七氟丙烷气体灭火装置 柜式双瓶组 GQQ70/2.5", "1600", {"药剂": "七氟丙烷(含药剂)"})
    assert "price_too_low" in found(rules, two, "gas_suppression")
    fair = shop("七氟丙烷柜式灭火装置 GQQ70/2.5 单柜", "8800")
    assert "price_too_low" not in found(rules, fair, "gas_suppression")


def test_inorganic_shutter_priced_above_steel(rules):
    assert "price_too_low" in found(rules, shop("无机布防火卷帘 每平方", "65"), "fire_shutter")
    assert "price_too_low" not in found(rules, shop("钢质防火卷帘 每平方", "65"), "fire_shutter")
    assert "price_too_low" not in found(rules, shop("特级防火卷帘 无机布 耐火3h 每平方", "380"), "fire_shutter")


def test_set_of_units_with_their_box(rules):
    kit = shop("消防验收 灭火器箱+2具4kg干粉 套装", "35")
    assert unit(kit, "portable_extinguisher")["pieces"] == 2
    assert "price_too_low" in found(rules, kit, "portable_extinguisher")
    assert "price_too_low" not in found(rules, shop("灭火器箱+2具4kg干粉 套装", "150"), "portable_extinguisher")
    box = shop("灭火器箱 2具装 4kg 不锈钢", "45")  # the box alone: an accessory, not compared
    assert unit(box, "portable_extinguisher") is None


def test_pump_priced_per_kilowatt(rules):
    assert "price_too_low" in found(rules, shop("消防泵 XBD5.0/20G-L 喷淋泵 22kw 一套", "1800"), "fire_pump")
    assert "price_too_low" not in found(rules, shop("消防泵 XBD 管道泵 稳压泵 1.5kW 小型", "450"), "fire_pump")


# -- false flags a reviewer found in the rules above: each must stay clean ---------------------

@pytest.mark.parametrize("attributes", [
    {"报警设定值": "一级报警25%LEL，二级报警50%LEL"},
    {"报警浓度": "低报警25%LEL，高报警50%LEL"},
])
def test_gas_alarm_second_level_up_to_fifty(rules, attributes):
    # GB/T 50493-2019: the first level at most 25 %LEL, the second (高报) at most 50 %LEL
    item = shop("可燃气体探测器 工业 两级报警", "460", attributes)
    assert "substandard_spec" not in found(rules, item, "gas_detector")
    high = shop("可燃气体探测器 工业 两级报警", "460", {"报警设定值": "一级报警30%LEL，二级报警60%LEL"})
    assert "substandard_spec" in found(rules, high, "gas_detector")


@pytest.mark.parametrize("attributes", [{"涂层厚度": "0.1mm"}, {"镀锌层厚度": "0.02mm"}, {"喷塑": "漆膜厚0.08mm"}])
def test_door_coating_thickness_is_not_the_plate(rules, attributes):
    item = shop("钢质防火门 乙级 工程门", "560", {"门扇钢板厚度": "1.0mm", **attributes})
    assert "substandard_spec" not in found(rules, item, "fire_door")


@pytest.mark.parametrize("text,count", [
    ("七氟丙烷气体灭火装置 GQQ90/2.5", 0),
    ("七氟丙烷 GQQ120/4.2瓶组 单瓶组", 1),
    ("七氟丙烷柜式灭火装置 GQQ70/2.5 5瓶起批", 0),
    ("七氟丙烷气体灭火装置 柜式双瓶组 GQQ70/2.5", 2),
])
def test_cylinder_count_not_from_a_model_code_or_a_minimum_order(text, count):
    assert parse_specs(text, load_facts()).get("cylinder_count", 0) == count


def test_gas_unit_with_code_digits_is_one_unit(rules):
    item = shop("七氟丙烷柜式灭火装置 GQQ120/4.2瓶组", "9800")
    assert "price_too_low" not in found(rules, item, "gas_suppression")


def test_production_tonnage_is_not_the_amount_sold(rules):
    item = shop("钢结构防火涂料 室内厚型 厂家直销 日产50吨", "65", {"类型": "室内厚型"})
    assert unit(item, "fire_retardant_coating") is None or unit(item, "fire_retardant_coating").get("qty") != 50000
    assert "price_too_low" not in found(rules, item, "fire_retardant_coating")
    stock = shop("钢结构防火涂料 厚型 25kg/桶", "65", {"库存": "现货200吨"})
    assert unit(stock, "fire_retardant_coating")["qty"] == 25


@pytest.mark.parametrize("description", [
    "材料有个交代，出厂检测报告齐全。",
    "挂着就行的那种便宜货我们不卖，每瓶都有3C。",
    "安装前检查喷头顶上的玻璃球是否完好。",
    "日常检查看一眼就行，指针在绿区即可。",
    "年检能过，压力充足。",
    "验收能过，带检测报告。",
])
def test_inspection_wording_that_is_not_a_stand_in(rules, description):
    assert "inspection_only" not in found(rules, shop("灭火器4kg干粉 MFZ/ABC4 3C", "65", description=description),
                                          "portable_extinguisher")


@pytest.mark.parametrize("description", ["检查的时候先顶上，过了再换。", "保证年检能过，放心买。", "年检能过专用款。"])
def test_inspection_stand_in_still_flagged(rules, description):
    assert "inspection_only" in found(rules, shop("灭火器4kg干粉 店铺用", "55", description=description),
                                      "portable_extinguisher")


def test_cross_selling_sentence_is_not_the_mounting(rules):
    item = shop("ZSTX15-68 下垂型消防喷淋头", "3", {"型号": "ZSTX15-68"}, "搭配直立型ZSTZ15-68一起购买更优惠。")
    assert "spec_mismatch" not in found(rules, item, "sprinkler")
    plain = shop("ZSTX15-68 下垂型消防喷淋头", "3", {"型号": "ZSTX15-68"}, "另售直立型喷头，欢迎咨询。下垂安装，吊顶下使用。")
    assert "spec_mismatch" not in found(rules, plain, "sprinkler")
