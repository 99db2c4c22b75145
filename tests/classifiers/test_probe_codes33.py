"""Issue 17, session 33: a model code against the figure or kind the listing states elsewhere (probe listings).

Written from domain.md's product reference, not from a data set: each mechanism gets a listing that must flag
spec_mismatch and a near miss that must not. Mechanisms: a code typed with spaces (MFZ / ABC 4); a pressure in 公斤
(16公斤压力: 1.6 MPa, against a hose's class 8 = 0.8 MPa); a pipe thread in 分 (6分 = DN20 against ZSTX15); a
thickness in 公分 and a glass's thickness said in the description; a door grade's hours against a rating code
(A1.50 with 答：是丙级的); the rating of a larger size in the description (MFZ/ABC1, 2A/55B); a model code's agent letter against the agent the description names; the insulation
class a fire-glass code states (A 隔热 / C 非隔热); and the near misses: another product named in a comparison
(比干粉灭火器MFZ/ABC4更干净, 比乙级多零点二个钟), an agent denied (不是干粉的), a buyer's question (问：有2公斤的吗),
a burst pressure in 公斤, a part's thickness (钢框厚1.5mm).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classifiers.risk import RiskRules
from classifiers.specs import parse_specs
from firewatch.core.models import Listing

ON = date(2026, 3, 10)
BRAND = {"品牌": "淮海"}


def shop(title: str, attributes: dict | None = None, description: str = "", price: str = "80") -> Listing:
    return Listing(platform="taobao", listing_id="p", title=title, price=Decimal(price), shop_name="安达消防器材店",
                   attributes={**BRAND, **(attributes or {})}, description=description)


def codes(rules: RiskRules, item: Listing, category: str) -> set[str]:
    reasons, _ = rules.check(item, category, now=ON)
    return {r.code for r in reasons}


FLAG = [
    # a code typed with spaces inside it
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ / ABC 4 店铺用", {"净重": "2公斤"}, ""),
    # a hose's pressure class against a pressure in 公斤 (an attribute; the description, in words)
    ("fire_hose", "淮海 消防水带 8-65-20 PVC衬里", {"工作压力": "10公斤"}, ""),
    ("fire_hose", "淮海 消防水带 8-65-20 PVC衬里", {}, "客服：这款是十六公斤压力的。"),
    ("fire_hose", "淮海 消防水带 8-65-20 PVC衬里", {}, "工作压力1.6MPa，适合高层。"),
    # a sprinkler's bore against a thread in 分
    ("sprinkler", "淮海 消防喷头 ZSTX15-68℃ 玻璃球", {"接口": "6分"}, ""),
    ("sprinkler", "淮海 消防喷头 ZSTX20-68℃ 玻璃球", {"螺纹": "4分"}, ""),
    # a glass code's thickness against a thickness said in the description (mm, 公分)
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {}, "厚度2.0公分。"),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {}, "玻璃厚度19mm，透光好。"),
    # a glass code's class and structure against the words
    ("fire_glass", "淮海 防火玻璃 DFB-12-C1.00 单片", {}, "复合结构，隔热型。"),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {"类别": "非隔热型"}, ""),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50", {}, "单片铯钾防火玻璃，钢化处理。"),
    # a door grade's hours against a rating code or a time written out
    ("fire_door", "淮海 防火门 GFM-1021 A1.50", {}, "答：是丙级的。"),
    ("fire_door", "淮海 防火门 GFM-1021 乙级", {}, "耐火时间一个半小时。"),
    ("fire_door", "淮海 防火门 GFM-1021 丙级 管道井", {"耐火极限": "A1.00"}, ""),
    # a code's agent letter against the agent the description names
    ("portable_extinguisher", "淮海 灭火器 MFZ/ABC4 家用", {}, "本款为水基型灭火器，环保无残留。"),
    # the title's code against the rating of a larger size in the description or a reply
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC1 车载", {}, "灭火级别：2A/55B，威力大。"),
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC2 车载", {}, "客服：灭火级别是4A/144B的。"),
]


@pytest.mark.parametrize("category,title,attributes,description", FLAG)
def test_code_against_a_figure_stated_elsewhere_flags(rules, category, title, attributes, description):
    assert "spec_mismatch" in codes(rules, shop(title, attributes, description), category)


CLEAN = [
    # a buyer's question names another size; the reply only says it is sold
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC4 店铺用", {}, "问：有2公斤的吗 答：有，另外拍。"),
    # an agent denied, or another product in a comparison
    ("portable_extinguisher", "淮海 灭火器 MSWZ/3 家用", {"类型": "水基型"}, "不是干粉的，不留残渣。"),
    ("portable_extinguisher", "淮海 水基灭火器 MSWZ/3 家用", {}, "比干粉灭火器MFZ/ABC4更干净。"),
    ("portable_extinguisher", "淮海 二氧化碳灭火器 MT3 机房用", {}, "比干粉更干净，不损设备。"),
    ("escape_respirator", "淮海 消防自救呼吸器 TZL30 防毒面具", {}, "比TZL15更持久。"),
    ("fire_coupling", "淮海 消防接口 KD65 内扣式 铝合金", {}, "比KD50更常用，工作压力1.6MPa。"),
    ("fire_door", "淮海 防火门 GFM-1021 乙级", {}, "比甲级便宜，性价比高。"),
    ("fire_door", "淮海 防火门 GFM-1021 乙级", {}, "问：有甲级的吗？答：有，另外拍。"),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {}, "比非隔热型玻璃更安全。"),
    # the same figure in the trade's units
    ("fire_hose", "淮海 消防水带 8-65-20 PVC衬里", {"工作压力": "8公斤"}, ""),
    ("fire_hose", "淮海 消防水带 13-65-25 PVC衬里", {}, "客服：十三公斤压力的，放心。"),
    ("sprinkler", "淮海 消防喷头 ZSTX15-68℃ 玻璃球", {"接口": "4分"}, ""),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {"厚度": "2.5公分"}, ""),
    ("fire_glass", "淮海 防火玻璃 DFB-12-C1.00 单片", {}, "非隔热型，C类，适合幕墙。"),
    ("fire_door", "淮海 防火门 GFM-1021 A1.00", {}, "客服：乙级的，耐火一小时。"),
    # a burst pressure, a part's thickness, a time in minutes, an adapter's two threads
    ("fire_hose", "淮海 消防水带 8-65-20 PVC衬里", {}, "爆破压力24公斤，经久耐用。"),
    ("fire_glass", "淮海 防火玻璃 FFB-25-A1.50 复合", {}, "尺寸偏差±2mm，钢框厚1.5mm。"),
    ("sprinkler", "淮海 消防喷头 ZSTX15-68℃ 玻璃球", {}, "4分钟内快速安装，接口4分。"),
    ("sprinkler", "淮海 消防喷头 ZSTX15-68℃ 玻璃球", {"转接头": "6分转4分"}, ""),
    # a rating of the code's own size, or of another size on offer
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC1 车载", {}, "灭火级别 1A/21B，小巧。"),
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC4 店铺用", {}, "另售MFZ/ABC8，灭火级别4A/144B。"),
    # a water code's unit with AFFF foam named in the description
    ("portable_extinguisher", "淮海 水基灭火器 MSWZ/3 家用", {}, "内装水成膜泡沫灭火剂，灭油火效果好。"),
]


@pytest.mark.parametrize("category,title,attributes,description", CLEAN)
def test_near_misses_stay_clean(rules, category, title, attributes, description):
    assert "spec_mismatch" not in codes(rules, shop(title, attributes, description), category)


def test_pressure_in_kgf_is_no_mass():
    specs = parse_specs("16公斤压力 压力表 12公斤")
    assert specs.get("pressures_mpa") == [1.6]
    assert 16.0 not in specs.get("weights_kg", [])


def test_spaced_extinguisher_code_reads_its_amount():
    (code,) = parse_specs("MFZ / ABC 4 店铺用")["extinguisher_codes"]
    assert (code["agent"], code["feature"], code["amount"]) == ("dry_powder", "ABC", 4.0)


def test_special_grade_is_no_plain_grade():
    assert "door_grades" not in parse_specs("特甲级防火门 A3.00")
