"""The price and certificate rules added for real_voice5.jsonl (1688/B2B suppliers and retail shops).

real_voice5.jsonl showed price_too_low flags on prices read against the wrong quantity (a carton's
packing row, a minimum order in metres, 每米6.4元 beside 整卷100米, the largest of several cable sizes
offered, a pump's control cabinet or a detector's current transformer priced as the product) and
misses on multi-packs whose count is tied to the price, cables below the copper they hold and
mineral-insulated cables; and invalid_certificate misses on numbers labelled as a CCC certificate's
that do not have its form (letters inside, a wrong length, another scheme's number) and on a
certificate validity that ended before the listing's date. Each test pairs the flag with a listing
that must stay clean; the listings are written for these tests, in other words than real_voice5's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classifiers.price import offered_section, sold_count
from firewatch.core.models import Listing

from tests.classifiers.test_recall_rules import found, shop, unit


def supplier(title: str, price: str, attributes: dict | None = None, description: str = "") -> Listing:
    return Listing(platform="1688", listing_id="b", title=title, price=Decimal(price), shop_name="某某消防科技有限公司",
                   attributes=dict(attributes or {}), description=description)


# -- what one price buys: packing rows, counts tied to the price, quantity rows ----------------

def test_a_packing_row_is_not_what_the_price_buys(rules):
    head = supplier("ZSTX15-68℃ 红色玻璃球 下垂喷头 DN15", "4.5", {"包装": "50只/箱", "K系数": "80"})
    assert sold_count(head) == 1
    assert "price_too_low" not in found(rules, head, "sprinkler")
    lamp = supplier("LED应急照明灯 双头 磷酸铁锂", "28", {"装箱数": "20只/箱"})
    assert "price_too_low" not in found(rules, lamp, "emergency_light")
    # the listing says the price is the carton's: the carton's count is what it buys
    carton = supplier("ZSTX15-68℃ 红色玻璃球 下垂喷头 DN15", "45", {"包装": "50只/箱"}, "标价为一箱的价格，量大另议。")
    assert sold_count(carton) == 50
    assert "price_too_low" in found(rules, carton, "sprinkler")


def test_a_count_tied_to_the_price(rules):
    blankets = shop("灭火毯 1.2m×1.2m 家用 厨房", "45", description="工厂清仓，共10条45元，包邮。")
    assert sold_count(blankets, 45.0) == 10
    assert "price_too_low" in found(rules, blankets, "fire_blanket")
    # a count beside another figure, or a minimum order, says nothing about this price
    single = shop("灭火毯 1.2m×1.2m 家用 厨房", "45", description="单条45元，10条起批价32元。")
    assert sold_count(single, 45.0) == 1
    assert "price_too_low" not in found(rules, single, "fire_blanket")


def test_a_pack_in_a_row_counts_but_a_stock_quantity_does_not(rules):
    hoses = shop("消防水带 8-65-20 DN65 20米 工地用", "66", {"规格": "6卷/组"})
    assert unit(hoses, "fire_hose")["qty"] == 120
    assert "price_too_low" in found(rules, hoses, "fire_hose")
    # 数量: 3000只 on a supplier's page is the lot on offer, and 50只/箱 in a description the carton
    lot = supplier("LED应急照明灯 双头 磷酸铁锂", "26", {"数量": "3000只"}, "现货充足，50只/箱。")
    assert sold_count(lot, 26.0) == 1
    assert "price_too_low" not in found(rules, lot, "emergency_light")


# -- cables: the metre a supplier prices, the least size offered, the copper floor -------------

def test_a_minimum_order_in_metres_is_a_per_metre_price(rules):
    fair = supplier("NH-YJV 3*35+2*16 耐火电力电缆 0.6/1kV", "150", {"起订量": "500米"})
    up = unit(fair, "fire_resistant_cable")
    assert up["qty"] == 1 and up["unit_price"] == 150
    assert "price_too_low" not in found(rules, fair, "fire_resistant_cable")
    cheap = supplier("NH-YJV 3*35+2*16 耐火电力电缆 0.6/1kV", "30", {"起订量": "500米"})
    assert "price_too_low" in found(rules, cheap, "fire_resistant_cable")


def test_per_metre_price_stated_before_the_roll_length(rules):
    fair = shop("WDZN-BYJ 4平方 低烟无卤耐火线", "5.5", description="每米5.5元，整盘100米出货。")
    assert unit(fair, "fire_resistant_cable")["qty"] == 1
    assert "price_too_low" not in found(rules, fair, "fire_resistant_cable")
    cheap = shop("WDZN-BYJ 4平方 低烟无卤耐火线", "1.2", description="每米1.2元，整盘100米出货。")
    assert "price_too_low" in found(rules, cheap, "fire_resistant_cable")


def test_the_least_section_offered(rules):
    assert offered_section("ZC-BVR 2.5/4/6平方 阻燃软线") == 2.5
    assert offered_section("阻燃单芯线 ZR-BV4 国标") == 4
    assert offered_section("YJV 3*4+1*2.5 平方") is None
    several = shop("ZC-BVR 2.5/4/6平方 阻燃软线 100米", "180")
    assert "price_too_low" not in found(rules, several, "flame_retardant_cable")
    wire = shop("阻燃单芯线 ZR-BV4 国标 100米", "90")
    assert "price_too_low" in found(rules, wire, "flame_retardant_cable")


def test_a_cable_below_the_copper_it_holds(rules):
    cheap = shop("NH-RVV 3*1.5 耐火护套软线", "2.0", {"单位": "元/米"})
    assert "price_too_low" in found(rules, cheap, "fire_resistant_cable")
    fair = shop("NH-RVV 3*1.5 耐火护套软线", "4.2", {"单位": "元/米"})
    assert "price_too_low" not in found(rules, fair, "fire_resistant_cable")


def test_mineral_insulated_cable_prior(rules):
    cheap = shop("BTTQ 1*25 矿物绝缘电缆 铜护套", "20", {"单位": "元/米"})
    assert "price_too_low" in found(rules, cheap, "fire_resistant_cable")
    assert "矿物绝缘" in found(rules, cheap, "fire_resistant_cable")["price_too_low"]
    assert "price_too_low" not in found(rules, shop("BTTQ 1*25 矿物绝缘电缆 铜护套", "70", {"单位": "元/米"}),
                                        "fire_resistant_cable")
    # a plastic-insulated cable of the same section at the same price is fair
    assert "price_too_low" not in found(rules, shop("NH-YJV 1*25 耐火电缆", "20", {"单位": "元/米"}),
                                        "fire_resistant_cable")


# -- priors that price another product than the listing's --------------------------------------

def test_a_pump_control_cabinet_is_not_the_pump(rules):
    assert "price_too_low" not in found(rules, supplier("消防水泵控制柜 一用一备 45kW 自动巡检", "4000"), "fire_pump")
    assert "price_too_low" in found(rules, supplier("XBD8/30 卧式消防水泵 45kW", "4000"), "fire_pump")


def test_a_current_transformer_is_not_the_detector(rules):
    assert "price_too_low" not in found(rules, shop("电气火灾监控 剩余电流互感器 闭口式 Φ80", "35"),
                                        "electrical_fire_detector")
    assert "price_too_low" in found(rules, shop("电气火灾监控探测器 剩余电流式 导轨安装", "35"),
                                    "electrical_fire_detector")


def test_three_percent_foam_concentrate(rules):
    assert "price_too_low" in found(rules, shop("3%抗溶水成膜泡沫液 AFFF/AR 200公斤", "700"), "foam_agent")
    assert "price_too_low" not in found(rules, shop("6%水成膜泡沫液 AFFF 200公斤", "700"), "foam_agent")


def test_extinguisher_priced_at_the_smaller_stated_size(rules):
    # MFZ/ABC5 with 3kg stated: priced as a 3 kg unit (the contradiction is spec_mismatch's)
    assert "price_too_low" not in found(rules, shop("灭火器 MFZ/ABC5 3kg 干粉 店铺", "22"), "portable_extinguisher")
    assert "price_too_low" in found(rules, shop("灭火器 MFZ/ABC5 3kg 干粉 店铺", "15"), "portable_extinguisher")


def test_a_sub_kilogram_unit_is_not_the_smallest_extinguisher(rules):
    assert "price_too_low" not in found(rules, shop("汽车用小灭火器 0.3kg 迷你", "7"), "portable_extinguisher")
    assert "price_too_low" in found(rules, shop("汽车用灭火器 1kg 干粉", "7"), "portable_extinguisher")


# -- invalid_certificate: a number labelled as CCC must have the CCC form ------------------------

@pytest.mark.parametrize("attributes", [
    {"CCC认证号": "2024011803B10021"},      # a letter inside the serial
    {"3C证书号码": "20240118030100"},        # 14 digits
    {"备注": "CCC证书编号为CNAS-L0567"},      # a laboratory's accreditation number
    {"3c 证书": "CMA-161234567890"},          # an inspection body's approval number
])
def test_a_number_labelled_as_ccc_without_its_form(rules, attributes):
    assert "invalid_certificate" in found(rules, shop("独立式烟雾报警器 家用", "59", attributes), "smoke_alarm")


@pytest.mark.parametrize("attributes,description", [
    ({"CCC认证号": "2024011803010021"}, ""),
    ({"订单号": "20240118030100"}, ""),
    ({"3C证书": "齐全"}, "3C证书请咨询客服 13800138000"),
    ({}, "检验报告由 CNAS-L0567 实验室出具，3C证书编号2024011803010021。"),
])
def test_real_numbers_and_other_numbers_stay_clean(rules, attributes, description):
    item = shop("独立式烟雾报警器 家用 3C", "59", attributes, description)
    assert "invalid_certificate" not in found(rules, item, "smoke_alarm")


def test_a_voluntary_certificate_is_not_judged_by_the_ccc_form(rules):
    hose = shop("消防水带 13-65-25 衬里水带", "120", {"认证": "CCCF 自愿性产品认证", "证书编号": "CCCF-ZY-2023-0815"})
    assert "invalid_certificate" not in found(rules, hose, "fire_hose")


def test_a_stated_certificate_validity_that_has_ended(rules):
    old = shop("消防应急照明灯 双头 3C", "45", {"3C证书": "2021010918000123（有效期至2025-12-31）"})
    assert "invalid_certificate" in found(rules, old, "emergency_light")  # judged on 2026-03-01
    current = shop("消防应急照明灯 双头 3C", "45", {"3C证书": "2021010918000123（有效期至2027-06-30）"})
    assert "invalid_certificate" not in found(rules, current, "emergency_light")
    # a product's own shelf life, beside no certificate word, is not a certificate's validity
    hood = shop("过滤式消防自救呼吸器 TZL30", "65", description="生产日期2021-01，有效期至2025-12-31，请注意更换。")
    assert "invalid_certificate" not in found(rules, hood, "escape_respirator")
    # a 3C认证 further back in the title is no certificate's validity: the hood's own shelf life
    titled = shop("3C认证 过滤式自救呼吸器 TZL30 有效期至2025.10.01 清仓特价", "65")
    assert "invalid_certificate" not in found(rules, titled, "escape_respirator")
    # a month without its day (2026年11月, then "3C") is no day of it
    month = shop("烟感报警器 证书有效期至2026年11月 3C 家用", "45")
    assert "invalid_certificate" not in found(rules, month, "smoke_alarm", on=date(2026, 11, 28))
    # a certificate renewed since: the latest validity stated counts
    renewed = shop("烟感报警器 3C证书 2024年12月31日到期前已换新证 现证有效期至2029年12月31日", "45")
    assert "invalid_certificate" not in found(rules, renewed, "smoke_alarm", on=date(2026, 11, 28))
    numbered = shop("烟感报警器 家用", "45", description="3C证书编号 2023081801234567，有效期至2024-11-30")
    assert "invalid_certificate" in found(rules, numbered, "smoke_alarm", on=date(2026, 11, 28))


def test_a_tier_range_is_not_a_pack(rules):
    tiers = supplier("灭火器 4公斤 干粉 MFZ/ABC4 2-49只55元 50只以上50元", "55")
    assert sold_count(tiers, 55.0) == 1
    assert "price_too_low" not in found(rules, tiers, "portable_extinguisher")


def test_a_part_named_as_coming_with_the_product(rules):
    # 带控制柜: the pump set with its cabinet is priced as the pump set
    assert "price_too_low" in found(rules, supplier("消防泵组 双泵55kW 带控制柜 工厂价", "1500"), "fire_pump")
    # the detector sold with its transformer is the detector
    assert "price_too_low" in found(rules, shop("电气火灾监控探测器 剩余电流 互感器 全套", "12"),
                                    "electrical_fire_detector")


def test_copper_clad_aluminium_is_not_priced_as_copper(rules):
    assert "price_too_low" not in found(rules, shop("阻燃线 ZR-BV4 铜包铝 100米", "90"), "flame_retardant_cable")
