"""Misses on live-stream and discount-app shop pages (the opened heldout9), each general rule paired with a near miss
that must not flag.

1. the certification never done (这批没做3C, 民用款没有做3C) -> no_certification;
2. a buyer's question about 3C answered with a bare no (问：有3C吗？答：没有的亲) -> no_certification;
3. a unit laid out for an opening inspection (开业验收摆放) -> inspection_only;
4. recovered old cylinders as the goods (钢瓶：回收旧瓶), not the buyer's old units taken away -> refurbished;
5. a certificate attribute's bare value (3C证书：<16 digits>) read as the number, its year after the listing's date
   -> invalid_certificate;
6. the seller's reply giving a lower value than the one the buyer asks after and the title states -> spec_mismatch;
7. the title's fibre (芳纶) against the table's fabric (外层面料：涤纶) for protective gear -> spec_mismatch;
8. the temperature probes supplied (温度探头×1) against the title's channels (4路测温) -> spec_mismatch.

The listings are written for these tests.
"""

from __future__ import annotations

from datetime import date

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes, description="", on=None):
    item = shop(title, "100", attributes, description)
    return found(rules, item, category, on) if on else found(rules, item, category)


# -- 1. certification never done ---------------------------------------------------------------------------

def test_certification_never_done_is_no_certification(rules):
    got = codes(rules, "一氧化碳报警器 家用 清仓", "gas_detector", {"品牌": "某安"},
                "库存机，当时没做3C，功能都正常。")
    assert "no_certification" in got


def test_certification_done_is_not_flagged(rules):
    got = codes(rules, "一氧化碳报警器 家用", "gas_detector", {"品牌": "某安"},
                "去年新做了3C，证书可以在认监委网站查到。没有做不到的售后。")
    assert "no_certification" not in got


# -- 2. a bare no to a question about 3C -----------------------------------------------------------------

def test_bare_no_to_a_3c_question(rules):
    got = codes(rules, "消防过滤式自救呼吸器 家用", "escape_respirator", {"品牌": "某安"},
                "问：这款带3C吗？答：目前没有哦亲，质量都一样。")
    assert "no_certification" in got


def test_no_to_another_worry_after_a_3c_question_is_not_flagged(rules):
    got = codes(rules, "消防过滤式自救呼吸器 家用", "escape_respirator", {"品牌": "某安"},
                "问：这款有3C吗？答：有的，包装盒上印着。问：会过期吗？答：没有问题，五年有效。")
    assert "no_certification" not in got


# -- 3. laid out for an opening inspection ---------------------------------------------------------------

def test_unit_laid_out_for_the_acceptance(rules):
    got = codes(rules, "自救呼吸器 酒店客房 多款", "escape_respirator", {"款式": "简易款"},
                "简易款是给宾馆开业时验收摆放的，便宜一半。")
    assert "inspection_only" in got


def test_acceptance_passed_is_not_flagged(rules):
    got = codes(rules, "自救呼吸器 酒店客房", "escape_respirator", {"款式": "标准款"},
                "带3C，酒店开业消防验收合格，放在客房显眼位置。")
    assert "inspection_only" not in got


# -- 4. recovered old cylinders as the goods -------------------------------------------------------------

def test_recovered_old_cylinders_sold(rules):
    got = codes(rules, "七氟丙烷 柜式 70L 机房", "gas_suppression", {"瓶体": "回收旧瓶"},
                "按防护区配置，价格便宜。")
    assert "refurbished" in got


def test_old_cylinders_taken_back_for_disposal_is_not_flagged(rules):
    got = codes(rules, "干粉灭火器 4kg 全新", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "购买新品可回收旧瓶环保处理。")
    assert "refurbished" not in got


def test_goods_the_shop_does_not_deal_in_are_not_flagged(rules):
    got = codes(rules, "干粉灭火器 4kg 全新", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "全新出厂，网上说的翻新瓶那种我们从来不卖。")
    assert "refurbished" not in got


# -- 5. a certificate attribute's bare value -------------------------------------------------------------

def test_certificate_attribute_year_after_listing(rules):
    got = codes(rules, "消防应急照明灯 双头", "emergency_light", {"3C证书": "2024081001000123"},
                "停电自动亮。", on=date(2023, 6, 1))
    assert "invalid_certificate" in got


def test_certificate_attribute_with_no_number_is_not_flagged(rules):
    got = codes(rules, "消防应急照明灯 双头", "emergency_light", {"3C证书": "有，可查"},
                "停电自动亮。", on=date(2023, 6, 1))
    assert "invalid_certificate" not in got


# -- 6. the seller's reply below the asked value --------------------------------------------------------

def test_reply_below_the_asked_and_stated_value(rules):
    got = codes(rules, "4kg灭火器 干粉手提式", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "问：真的是4公斤吗？答：亲这个是3公斤的，效果一样。")
    assert "spec_mismatch" in got


def test_reply_about_another_option_is_not_flagged(rules):
    got = codes(rules, "4kg灭火器 干粉手提式", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "问：有2公斤的吗？答：有，2公斤的另一个链接。问：是4公斤吗？答：是4公斤的。")
    assert "spec_mismatch" not in got


# -- 7. title fibre against the table's fabric -----------------------------------------------------------

def test_aramid_title_against_polyester_fabric(rules):
    got = codes(rules, "灭火防护服 芳纶 阻燃 17款", "rescue_equipment", {"面料": "涤纶"}, "尺码齐全。")
    assert "spec_mismatch" in got


def test_aramid_blend_fabric_is_not_flagged(rules):
    got = codes(rules, "灭火防护服 芳纶 阻燃 17款", "rescue_equipment", {"面料": "芳纶/涤纶混纺"}, "尺码齐全。")
    assert "spec_mismatch" not in got


# -- 8. supplied probes against the title's channels ----------------------------------------------------

def test_one_probe_for_a_four_channel_title(rules):
    got = codes(rules, "电气火灾监控探测器 4路测温 导轨式", "electrical_fire_detector",
                {"包装清单": "主机×1、温度探头×1"}, "RS485联网。")
    assert "spec_mismatch" in got


def test_probes_bought_apart_are_not_flagged(rules):
    got = codes(rules, "电气火灾监控探测器 4路测温 导轨式", "electrical_fire_detector",
                {"包装清单": "主机×1"}, "温度探头×4另购，按需选配。")
    assert "spec_mismatch" not in got
