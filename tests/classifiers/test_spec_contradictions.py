"""The same quantity stated twice with different values (claims.same_quantity in data/specs.yaml).

A quantity is known by its unit's kind (mass, length, time, pressure, power, flow, voltage, charge ...) and
the noun naming it (长度 25m, an attribute row's name, a value alone in the title where the category's headline
quantity is of that kind). The listings below were written for these tests; none comes from a data set. Each
contradiction has near misses beside it that must stay clean: other parts (软管长度, 口径), gross weight, options,
ranges, bounds (≥), approximations within tolerance, other units of the same value, Q&A and other products.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classifiers.claims import claim_mismatches
from classifiers.risk import RiskRules
from classifiers.specs import load_facts
from firewatch.core.models import Listing

ON = date(2026, 3, 1)


@pytest.fixture(scope="module")
def rules() -> RiskRules:
    return RiskRules()


def mismatch(rules: RiskRules, category: str, title: str, attributes=None, description: str = ""):
    listing = Listing(platform="taobao", listing_id="t", title=title, price=Decimal(100), shop_name="某某消防器材店",
                      attributes=dict(attributes or {}), description=description)
    reasons, _ = rules.check(listing, category, now=ON)
    return next((r for r in reasons if r.code == "spec_mismatch"), None)


CONTRADICTIONS = [
    # (category, title, attributes, description, words the evidence names)
    ("fire_resistant_cable", "耐火电线 NH-BV 2.5平方 100米", {"长度": "50米"}, "", ("长度", "100 米", "50 米")),
    ("fire_pump", "消防泵 XBD 立式", {"流量": "20L/s"}, "额定流量30L/s，品质保证。", ("流量", "20 L/s", "30 L/s")),
    ("fire_pump", "消防泵 XBD 立式", {"扬程": "60m"}, "扬程50米，厂家直发。", ("扬程", "60 米", "50 米")),
    ("portable_extinguisher", "水基灭火器 MSWZ/3 家用", {"喷射时间": "15秒"}, "喷射时间20秒，操作简单。",
     ("喷射时间", "15 秒", "20 秒")),
    ("fire_blanket", "灭火毯 1.2×1.8米 家用", {"重量": "500克"}, "重量1公斤，轻便好收纳。", ("重量", "500 克", "1 公斤")),
    ("other_fire", "室内消火栓箱 明装", {"厚度": "1.2mm"}, "厚度1.0mm，结实耐用。", ("厚度", "1.2 毫米", "1.0 毫米")),
    ("smoke_alarm", "独立式烟感报警器 家用", {"工作电压": "DC3V"}, "工作电压9V，安装方便。", ("工作电压", "3 V", "9 V")),
    ("fire_hose", "消防水带 8型 有衬里", {"工作压力": "1.0MPa"}, "工作压力1.6MPa，耐磨。", ("工作压力", "1.0 MPa", "1.6 MPa")),
    ("emergency_light", "消防应急照明灯 LED", {"电池容量": "1200mAh"}, "电池容量800mAh，续航持久。",
     ("电池容量", "1200 mAh", "800 mAh")),
    ("rescue_equipment", "救生绳 消防安全绳", {"长度": "20米"}, "绳长30米，承重强。", ("长度", "20 米", "30 米")),
    # a unit in the attribute's name, a value in 斤 against one in 公斤, a title's named value
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 3%", {"净重(kg)": "25"}, "净重40斤，桶装。", ("净重", "25 千克", "40 斤")),
    ("gas_detector", "家用燃气报警器 220V", {"电压": "DC12V"}, "", ("电压", "220 V", "12 V")),
    ("electrical_fire_detector", "电气火灾监控探测器 额定功率3W", {"功率": "5W"}, "", ("功率", "3 W", "5 W")),
    # a bound and a value on its wrong side
    ("fire_pump", "消防泵 XBD 立式", {"扬程": "≥60m"}, "扬程40米，厂家直发。", ("扬程", "≥60 米", "40 米")),
    ("fire_hose", "消防水带 8型 有衬里", {"工作压力": "1.6MPa"}, "工作压力不超过1.0MPa。", ("工作压力", "1.6 MPa", "≤1.0 MPa")),
]


@pytest.mark.parametrize("category,title,attributes,description,words", CONTRADICTIONS)
def test_same_quantity_stated_twice_is_a_mismatch(rules, category, title, attributes, description, words):
    found = mismatch(rules, category, title, attributes, description)
    assert found is not None, title
    assert "前后矛盾" in found.evidence
    for w in words:
        assert w in found.evidence, (w, found.evidence)


def test_finding_names_both_fields_and_marks_the_span(rules):
    found = mismatch(rules, "fire_resistant_cable", "耐火电线 NH-BV 2.5平方 100米", {"长度": "50米"})
    assert found.evidence == "长度前后矛盾：标题写 100 米，“长度 50米”写 50 米"
    assert found.source == "attributes.长度"
    assert "50米"[found.start:found.end] == "50米"  # the attribute's value, as the page marks it
    found = mismatch(rules, "fire_pump", "消防泵 XBD 立式", {"流量": "20L/s"}, "额定流量30L/s，品质保证。")
    assert found.source == "description"
    assert "额定流量30L/s，品质保证。"[found.start:found.end] == "30L/s"


NEAR_MISSES = [
    # another part's value of the same unit kind
    ("fire_hose", "消防水带 8型 20米 65mm", {"长度": "20m", "口径": "65mm"}, "本水带长度20米，接口口径65毫米，工作压力1.0MPa，爆破压力3.0MPa。"),
    ("portable_extinguisher", "干粉灭火器 MFZ/ABC4", {"充装量": "4kg", "喷射软管长度": "400mm"}, "毛重5.8kg，长度约50cm。"),
    ("smoke_alarm", "独立式烟感报警器", {"工作电压": "DC3V"}, "电池电压9V。"),
    # the same value in other units, or approximately
    ("emergency_light", "消防应急灯 LED", {"电池容量": "1.2Ah", "应急时间": "1.5小时"}, "电池容量1200mAh，应急时间约95分钟左右。"),
    ("fire_resistant_cable", "耐火电线 NH-BV 2.5平方 100米", {"长度": "100m"}, "整卷长度100米。"),
    ("fire_blanket", "灭火毯 1.2×1.8米", {"重量": "500克"}, "重量约0.5公斤。"),
    ("other_fire", "室内消火栓箱", {"厚度": "1.2mm"}, "厚度1.2毫米。"),
    # gross weight against the fill; a pack
    ("portable_extinguisher", "干粉灭火器 4kg 3只装", {"充装量": "4kg"}, "总重约6.5公斤，3只装共12kg。"),
    # options, lists, ranges, bounds
    ("fire_hose", "消防水带 25米", {"长度": "20米/25米"}, ""),
    ("fire_hose", "消防水带 25米", {"长度": "20米、25米"}, ""),
    ("fire_hose", "救生绳 长度可选", {"长度": "10-50米"}, "长度20米"),
    ("rescue_equipment", "救生绳 消防安全绳", {"长度": "20米"}, "另有30米款可选。"),
    ("fire_pump", "消防泵 XBD 立式", {"扬程": "≥60m"}, "扬程50米以上。"),
    ("fire_pump", "消防泵 XBD 立式", {"扬程": "≥60m"}, "扬程80米。"),
    ("fire_hose", "消防水带 8型 有衬里", {"工作压力": "1.0MPa"}, "工作压力不超过1.6MPa，最高工作压力2.0MPa。"),
    ("emergency_light", "消防应急灯", {"应急时间": "≥90分钟"}, "应急时间180分钟。"),
    # comparisons, Q&A, another product
    ("fire_pump", "消防泵 XBD 立式", {"流量": "20L/s"}, "比普通泵流量高于15L/s。"),
    ("smoke_alarm", "独立式烟感报警器", {"工作电压": "DC3V"}, "问：有工作电压9V的吗？答：有的。"),
    # a power and a voltage in one list are two quantities, each stated once
    ("fire_pump", "消防泵 XBD 15kW/380V", {"功率": "15kW", "电压": "380V"}, ""),
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 3%", {"净重(kg)": "25"}, "净重50斤，桶装。"),
    # a light's 24h is no emergency time; a supply voltage and a battery's
    ("emergency_light", "消防应急灯 24h长亮", {"应急时间": "90分钟"}, ""),
    ("gas_detector", "家用燃气报警器 220V", {"电压": "AC220V", "电池电压": "3V"}, "备用电池电压3V。"),
    # a field explaining both values side by side (a pack of two cells and one cell)
    ("emergency_light", "应急照明灯 电池容量600mAh 应急90分钟", {"电池容量": "1200mAh"}, "双电池共1200mAh，单节600mAh。"),
]


# near misses the older family rules (spec_checks.cross_field_mismatch) still read as contradictions: the general
# check itself must keep them clean
OLDER_RULES_FLAG = {"电池容量1200mAh，应急时间约95分钟左右。", "总重约6.5公斤，3只装共12kg。", "长度20米", "应急时间180分钟。"}


@pytest.mark.parametrize("category,title,attributes,description", NEAR_MISSES)
def test_near_misses_stay_clean(rules, category, title, attributes, description):
    listing = Listing(platform="taobao", listing_id="t", title=title, price=Decimal(100), shop_name="某某消防器材店",
                      attributes=dict(attributes), description=description)
    assert claim_mismatches(rules.fields(listing), category, rules.facts) == []
    if description not in OLDER_RULES_FLAG:
        found = mismatch(rules, category, title, attributes, description)
        assert found is None, found


def test_switch_turns_the_check_off():
    facts = load_facts()
    fields = [("title", "耐火电线 NH-BV 2.5平方 100米"), ("attributes.长度", "长度 50米")]
    assert claim_mismatches(fields, "fire_resistant_cable", facts)
    off = dict(facts)
    off["claims"] = dict(facts["claims"])
    off["claims"]["same_quantity"] = dict(facts["claims"]["same_quantity"], enforce=False)
    assert not claim_mismatches(fields, "fire_resistant_cable", off)
    assert not claim_mismatches(fields, "not_fire", facts)
