"""False flags a review found in this round's new rules on ordinary honest listings, each paired with a near
miss that must still be flagged.

1. a feature denied by name (replies.named_denial) against a title word the goods prevent or resist (防漏水 /
   不漏水, 阻燃材料 / 不燃材料, 防变形 / 不变形), or a limit on where the goods are used (不适用于厨房);
2. a set's price (set_price.py) judged by what the goods hold or fit (柜体可放置灭火器2具), or by a training
   uniform's 上衣+裤子 read as a firefighting suit;
3. a residual-current detector's other current settings (过流报警值 100A, 过载报警电流63A) read as its
   residual-current alarm setting (spec_limits.py);
4. a cable's insulation resistance (绝缘电阻 20MΩ/km) or a loop's resistance read as its conductor's.

The listings are written for these tests.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category)


# -- 1. a feature the goods prevent is no feature denied -------------------------------------------------

@pytest.mark.parametrize("title,attributes,category", [
    ("消防水带 20米 13型 DN65 加厚防漏水", {"特点": "耐高压 不漏水"}, "fire_hose"),
    ("不锈钢消防箱 防生锈 加厚", {"特点": "不生锈"}, "other_fire"),
    ("钢质防火门 甲级 门芯阻燃材料", {"门芯": "不燃材料 岩棉"}, "fire_door"),
    ("独立式烟感报警器 适用家庭卧室", {"适用范围": "不适用于厨房浴室"}, "smoke_alarm"),
    ("灭火毯 1.5米 耐高温防变形", {"特点": "高温下不变形"}, "fire_blanket"),
])
def test_a_word_the_goods_prevent_agrees_with_its_denial(rules, title, attributes, category):
    assert "spec_mismatch" not in codes(rules, title, category, attributes)


def test_a_feature_the_title_claims_and_an_attribute_denies_still_contradicts(rules):
    got = codes(rules, "NB-IoT联网烟感 独立式 手机推送", "smoke_alarm", {"通讯方式": "独立式 不联网"})
    assert "spec_mismatch" in got and "不联网" in got["spec_mismatch"]


# -- 2. what a set holds is no part of it ----------------------------------------------------------------

@pytest.mark.parametrize("title,attributes,category,price", [
    ("消防器材柜 加厚 1.2米", {"配置": "柜体1个（可放置灭火器2具、防护服2套）"}, "other_fire", "280"),
    ("消防器材柜 空柜", {"配置": "可放灭火器4具 消防服2套 消防头盔2顶"}, "other_fire", "260"),
    ("消防员作训服套装 夏季 抢险救援训练服", {"套装": "上衣+裤子"}, "rescue_equipment", "128"),
    ("消防服挂衣架 不锈钢", {"套装": "挂钩10个 可挂消防服上衣和裤子"}, "rescue_equipment", "80"),
])
def test_what_the_goods_hold_or_a_uniform_is_not_priced_as_parts(rules, title, attributes, category, price):
    assert "price_too_low" not in codes(rules, title, category, attributes, price=price)


@pytest.mark.parametrize("title,attributes,category,price", [
    ("微型消防站 全套", {"配置": "器材柜 灭火器4具 消防服2套 水带 斧头", "计价": "元/套"}, "other_fire", "299"),
    ("消防服 五件套 微型消防站配置", {"配置": "上衣 裤子 头盔 手套 靴子"}, "rescue_equipment", "88"),
])
def test_a_set_below_its_parts_still_flags(rules, title, attributes, category, price):
    assert "price_too_low" in codes(rules, title, category, attributes, price=price)


# -- 3. other currents are no residual-current setting ---------------------------------------------------

@pytest.mark.parametrize("attributes,description", [
    ({"剩余电流报警值": "300mA", "过流报警值": "100A"}, ""),
    ({"型号": "X1"}, "剩余电流报警值300mA，过载报警电流63A"),
    ({"剩余电流报警值": "500mA", "温度报警值": "2000mA"}, ""),
])
def test_other_current_settings_are_not_the_residual_current_one(rules, attributes, description):
    got = codes(rules, "组合式电气火灾监控探测器 剩余电流+测温+过流", "electrical_fire_detector", attributes,
                description, "650")
    assert "substandard_spec" not in got, got


def test_a_residual_current_setting_outside_the_range_still_flags(rules):
    got = codes(rules, "电气火灾监控探测器 剩余电流式", "electrical_fire_detector",
                {"剩余电流报警值": "1500mA", "过流报警值": "100A"}, price="300")
    assert "substandard_spec" in got and "1500" in got["substandard_spec"]


# -- 4. only the conductor's resistance ------------------------------------------------------------------

@pytest.mark.parametrize("description", ["绝缘电阻：20MΩ/km，耐压2500V", "两根线环路电阻约14.8Ω/km",
                                         "导体电阻 14.8mΩ/km"])
def test_other_resistances_are_not_the_conductors(rules, description):
    got = codes(rules, "ZC-BV 2.5平方 阻燃单芯铜芯线 国标 100米", "flame_retardant_cable", {"规格": "2.5mm²"},
                description, "200")
    assert "substandard_spec" not in got, got


@pytest.mark.parametrize("row", ["14.8Ω/km(20℃)", "14.8mΩ/m", "14.8欧/公里"])
def test_a_conductor_resistance_above_its_maximum_still_flags(rules, row):
    got = codes(rules, "ZC-BV 1.5 照明线 100米", "flame_retardant_cable",
                {"型号": "ZC-BV 1.5mm²", "导体电阻": row}, price="150")
    assert "substandard_spec" in got, got
