"""Issue 17, "Generalisation": wordings and listings the corpus was not written with.

Each test names the weakness of the issue it covers: specs stated only in attributes or the
description and outside extinguishers, colloquial inspection promises, prices per area, per
metre, per set and of large units, false flags (inspection words in legitimate contexts,
service and OEM wording, accessories, codes of another product family), watchlist misses (a
maker named only in the description, a shop name without the province), and the sealed second
held-out set that training refuses.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from classifiers import corpus
from classifiers.corpus import HELDOUT2_PATH, HELDOUT3_PATH, HELDOUT4_PATH, HELDOUT9_PATH, HELDOUT10_PATH, HELDOUT11_PATH, HELDOUT16_PATH, load_training, record_fingerprint, refuse_sealed
from classifiers.exceptions import SealedDataError
from classifiers.price import load_priors, not_comparable, unit_price
from classifiers.risk import RiskRules
from classifiers.scorer import Scorer
from classifiers.watchlist import Watchlist
from firewatch.core.models import Listing

from tests.helpers import NOW


def listing(title, price=None, attributes=None, description="", shop="", platform="1688"):
    return Listing(platform=platform, listing_id="x", title=title,
                   price=None if price is None else Decimal(str(price)), shop_name=shop,
                   attributes=dict(attributes or {}), description=description)


def codes(rules: RiskRules, item: Listing, category: str, watchlist=None) -> set[str]:
    reasons, _ = rules.check(item, category, watchlist, NOW)
    return {r.code for r in reasons}


# -- the sealed held-out set ------------------------------------------------------------------

def test_training_refuses_the_sealed_file_and_its_records(tmp_path, monkeypatch):
    sealed = tmp_path / "sealed.jsonl"
    rec = {"title": "灭火器 4kg 检查肯定能过", "category": "portable_extinguisher", "reasons": ["inspection_only"],
           "description": "店铺消防检查用"}
    sealed.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(SealedDataError):
        refuse_sealed((), source=HELDOUT4_PATH)  # the packaged sealed file, by path
    with pytest.raises(SealedDataError):
        load_training([HELDOUT2_PATH])  # opened in session 29: read, still never trained on
    with pytest.raises(SealedDataError):
        load_training([HELDOUT3_PATH])  # opened in session 30
    with pytest.raises(SealedDataError):
        load_training([HELDOUT9_PATH])  # sealed and opened in session 30
    with pytest.raises(SealedDataError):
        load_training([HELDOUT10_PATH])  # sealed in session 30, opened in session 31
    with pytest.raises(SealedDataError):
        load_training([HELDOUT11_PATH])  # sealed in session 30, opened in session 32
    with pytest.raises(SealedDataError):
        load_training([HELDOUT16_PATH])  # sealed and opened in session 34
    monkeypatch.setattr(corpus, "SEALED_PATHS", (sealed,))
    with pytest.raises(SealedDataError):
        refuse_sealed((), source=sealed)
    # the same listing under another id, in full-width and other spacing, is still the sealed one
    copy = dict(rec, id="other", title="灭火器　４kg  检查肯定能过")
    assert record_fingerprint(copy) == record_fingerprint(rec)
    other = {"title": "灭火器 4kg 新国标", "category": "portable_extinguisher", "reasons": []}
    refuse_sealed([other])  # nothing sealed in it: accepted
    with pytest.raises(SealedDataError, match="封存"):
        Scorer().fit([other] * 60 + [copy])  # refused before any model is trained
    with pytest.raises(SealedDataError):  # nor through reviewers' decisions (every input `fit` learns from)
        Scorer().fit([other] * 60, review_records=[copy], review_weights=[1.0])


# -- substandard_spec beyond extinguishers, in attributes and descriptions -------------------

def test_stated_fire_hours_outside_the_classes(rules):
    door = listing("防火门 甲级 钢制 消防通道门", 1280, description="本门耐火时间0.6h，满足一般场所要求")
    assert "substandard_spec" in codes(rules, door, "fire_door")
    glass = listing("防火玻璃 单片铯钾 隔热型", 380, description="耐火时间0.75小时，厚度12mm")
    assert "substandard_spec" in codes(rules, glass, "fire_glass")
    fine = listing("防火门 甲级 钢制", 1280, description="耐火时间1.5h")
    assert "substandard_spec" not in codes(rules, fine, "fire_door")


def test_sprinkler_temperature_series(rules):
    head = listing("消防喷淋头 下垂型 DN15", 5, attributes={"动作温度": "65℃"})
    assert "substandard_spec" in codes(rules, head, "sprinkler")
    assert "substandard_spec" not in codes(rules, listing("消防喷淋头 下垂型 DN15", 5, attributes={"动作温度": "68℃"}),
                                           "sprinkler")
    fusible = listing("易熔合金喷头", 9, description="易熔元件 动作温度72℃")  # other ratings: not judged
    assert "substandard_spec" not in codes(rules, fusible, "sprinkler")


def test_fire_resistant_cable_minutes_in_the_description(rules):
    cable = listing("耐火电缆 NH-YJV 3*4 矿物", 1500, description="耐火时间60分钟")
    assert "substandard_spec" in codes(rules, cable, "fire_resistant_cable")


# -- inspection_only: colloquial promises --------------------------------------------------------

@pytest.mark.parametrize("title", ["4kg干粉灭火器 消防检查 保证能过", "灭火器 年审用 便宜 能过就行",
                                   "应急灯 消防来查摆上就行", "烟感报警器 消防验收 放心过",
                                   "消防器材一套 店铺检查 拿去就能过关"])
def test_colloquial_inspection_promises(rules, title):
    assert "inspection_only" in codes(rules, listing(title), "portable_extinguisher")


@pytest.mark.parametrize("title", ["过滤式消防自救呼吸器 TZL30", "灭火器 年检合格 包过期退换"])
def test_inspection_promise_words_inside_other_words(rules, title):
    assert "inspection_only" not in codes(rules, listing(title), "escape_respirator")


# -- false flags: service and OEM wording ---------------------------------------------------------

@pytest.mark.parametrize("title,description,code", [
    ("灭火器年审换粉 上门服务 4kg", "", "refurbished"),
    ("干粉灭火器 4公斤 新品", "药剂有效期5年，到期后建议到正规维修点重新充装或更换；可免费回收旧瓶", "refurbished"),
    ("应急照明灯 工厂直销", "可提供免费样品，支持OEM贴牌", "prop_or_display"),
])
def test_service_and_oem_wording_is_not_the_goods(rules, title, description, code):
    assert code not in codes(rules, listing(title, description=description), "portable_extinguisher")


@pytest.mark.parametrize("title,code", [("回收瓶重新充装 干粉灭火器 4kg", "refurbished"),
                                        ("二手灭火器 九成新", "refurbished"),
                                        ("影视道具 灭火器模型 不可使用", "prop_or_display")])
def test_the_goods_themselves_still_flag(rules, title, code):
    assert code in codes(rules, listing(title), "portable_extinguisher")


# -- price_too_low: accessories, quotes, units ----------------------------------------------------

@pytest.mark.parametrize("title,price,category", [
    ("灭火器支架 4kg 挂墙", 6.5, "portable_extinguisher"), ("灭火器底座 两具 通用 8kg", 12, "portable_extinguisher"),
    ("烟感报警器 安装底座 配件", 3, "smoke_alarm"), ("防火门闭门器 顺序器 甲级乙级通用", 55, "fire_door"),
    ("呼吸器收纳盒 挂墙 TZL30 专用", 15, "escape_respirator")])
def test_accessories_are_not_priced_as_the_product(rules, title, price, category):
    assert "price_too_low" not in codes(rules, listing(title, price), category)


def test_product_that_comes_with_an_accessory_is_priced(rules):
    assert "price_too_low" in codes(rules, listing("干粉灭火器 MFZ/ABC4 4kg 送支架", 6.5), "portable_extinguisher")
    priors = load_priors()
    assert not_comparable(listing("灭火器 4kg 价格面议"), priors["not_comparable"]) == "报价 价格面议"


def test_prices_per_area_per_set_and_large_units(rules):
    glass = listing("防火玻璃 复合 FFB-25-A1.00 工程定制", 30, description="按平方计价，30元/平方")
    assert "price_too_low" in codes(rules, glass, "fire_glass")
    up = unit_price(glass, "fire_glass", {}, load_priors()["units"])
    assert up["basis"] == "m2" and up["qty"] == 1.0
    hoses = listing("消防水带 8-65-20 十盘一套", 80)
    assert "price_too_low" in codes(rules, hoses, "fire_hose")
    assert unit_price(hoses, "fire_hose", {})["pieces"] == 10
    wheeled = listing("35kg推车式干粉灭火器 MFTZ/ABC35", 60)
    assert "price_too_low" in codes(rules, wheeled, "other_fire")
    assert "price_too_low" not in codes(rules, listing("35kg推车式干粉灭火器 MFTZ/ABC35", 520), "other_fire")


# -- a model code of another product family ------------------------------------------------------

def test_code_of_another_family_is_no_contradiction(rules):
    light = listing("应急灯 配套灭火器箱", 45, attributes={"适用型号": "MFZ/ABC4", "重量": "2kg"})
    assert "spec_mismatch" not in codes(rules, light, "emergency_light")
    box = listing("灭火器箱 两具装 适用MFZ/ABC4 箱重2kg", 45)
    assert "spec_mismatch" not in codes(rules, box, "other_fire")
    own = listing("干粉灭火器 MFZ/ABC4", 60, attributes={"重量": "2kg"})
    assert "spec_mismatch" in codes(rules, own, "portable_extinguisher")


# -- watchlist ------------------------------------------------------------------------------------

def test_watchlist_maker_in_the_description_and_shop_without_province(rules):
    wl = Watchlist(["浙江平安消防器材有限公司", "深圳市安声电子有限公司"])
    described = listing("干粉灭火器 4kg", 60, description="生产厂家：浙江平安消防器材有限公司 质量保证")
    reasons, _ = rules.check(described, "portable_extinguisher", wl, NOW)
    hit = next(r for r in reasons if r.code == "watchlist_seller")
    assert hit.source == "description" and described.description[hit.start:hit.end] == "浙江平安消防器材有限公司"
    assert wl.match("平安消防器材有限公司") == "浙江平安消防器材有限公司"
    assert wl.match("浙江省平安消防器材厂") == "浙江平安消防器材有限公司"
    assert wl.match("安声电子旗舰店") == "深圳市安声电子有限公司"
    assert wl.match("广东省深圳市安声电子有限公司") == "深圳市安声电子有限公司"
    # another stated province is another company; a short remainder is a trade word, not a name
    assert wl.match("江苏平安消防器材有限公司") is None
    assert wl.match("北京安声电子有限公司") is None
    assert wl.match("平安消防") is None


@pytest.mark.parametrize("title,attributes,description,category", [
    ("过滤式自救呼吸器 TZL30", {"适用环境": "缺氧 密闭空间"}, "可用于缺氧场所作业", "escape_respirator"),
    ("应急照明灯 消防灯 商场用", {"应急时间": "20分钟"}, "", "emergency_light"),
    ("快速响应喷头 ZSTX-15 68℃", {"响应时间指数RTI": "80"}, "快速响应型", "sprinkler"),
    ("七氟丙烷灭火系统 管网 瓶组 120L", {"储存压力": "1.0MPa"}, "", "gas_suppression"),
    ("低烟无卤阻燃电缆 WDZ-YJY 3*4+1*2.5", {"燃烧性能": "B1级"}, "", "flame_retardant_cable"),
    ("特级防火卷帘 无机布", {"耐火时间": "1.5小时", "等级": "特级"}, "", "fire_shutter"),
    ("乙级防火门 钢质 楼道门", {}, "耐火0.5小时", "fire_door"),
])
def test_substandard_in_attributes_and_descriptions_of_other_categories(rules, title, attributes, description,
                                                                         category):
    assert "substandard_spec" in codes(rules, listing(title, 100, attributes, description), category)


@pytest.mark.parametrize("title,attributes,description,category", [
    ("过滤式自救呼吸器 TZL30", {}, "不适用于缺氧环境，氧气浓度低于17%时禁止使用", "escape_respirator"),
    ("应急照明灯 消防灯", {"应急时间": "≥90分钟"}, "", "emergency_light"),
    ("快速响应喷头 ZSTX-15 68℃", {"响应时间指数RTI": "50"}, "", "sprinkler"),
    ("七氟丙烷灭火装置 柜式 120L", {"储存压力": "4.2MPa"}, "", "gas_suppression"),
    ("阻燃电缆 ZB-YJV 3*4", {"燃烧性能": "B1(d0,t0,a1)"}, "", "flame_retardant_cable"),
    ("防火门 甲级 A0.50", {}, "", "fire_door"),  # a rating code contradicting the grade: spec_mismatch only
])
def test_stated_specs_within_the_standard_are_not_substandard(rules, title, attributes, description, category):
    assert "substandard_spec" not in codes(rules, listing(title, 100, attributes, description), category)


def test_inspection_enough_patterns(rules):
    assert "inspection_only" in codes(rules, listing("灭火毯 消防来查给看看就行 便宜"), "fire_blanket")
    assert "inspection_only" in codes(rules, listing("应急灯 便宜", description="检查那天亮就行"), "emergency_light")
    assert "inspection_only" not in codes(rules, listing("灭火器 年检合格 质量好 放心用"), "portable_extinguisher")


def test_take_back_service_and_coating_and_door_prices(rules):
    service = listing("灭火器回收 旧灭火器上门回收 过期灭火器处理 报废", 1,
                      description="过期、报废灭火器上门回收，统一送去拆解处理，不翻新不二次销售。")
    assert not codes(rules, service, "portable_extinguisher") & {"refurbished", "price_too_low"}
    coating = listing("防火涂料 超薄型 3元一公斤 钢结构", 3)
    assert "price_too_low" in codes(rules, coating, "fire_retardant_coating")
    fair = listing("钢结构防火涂料 超薄型 膨胀型 20公斤", 210)
    assert "price_too_low" not in codes(rules, fair, "fire_retardant_coating")
    access_door = listing("丙级防火门 管道井检修门 钢质 0.5小时", 260)
    assert "price_too_low" not in codes(rules, access_door, "fire_door")
    assert "price_too_low" in codes(rules, listing("乙级钢质防火门 1.0小时", 120), "fire_door")


def test_grade_with_a_lower_written_time_is_below_its_class_and_a_contradiction(rules):
    """乙级 with 耐火0.5小时 written out: a door below the class it claims (substandard_spec) and a grade word
    contradicting the time (spec_mismatch), both under the shipped policy (`lower_time_also_mismatch`); 甲级
    with the rating code A0.50: the grade word contradicts the code (spec_mismatch) and nothing is below a class."""
    written = codes(rules, listing("乙级防火门 钢质 楼道门 耐火0.5小时", 900), "fire_door")
    assert {"substandard_spec", "spec_mismatch"} <= written
    coded = codes(rules, listing("防火门 甲级 A0.50 厂家特价", 900), "fire_door")
    assert "spec_mismatch" in coded and "substandard_spec" not in coded
    shutter = codes(rules, listing("特级防火卷帘 无机布 耐火1小时", 300), "fire_shutter")
    assert {"substandard_spec", "spec_mismatch"} <= shutter


def test_grade_with_a_lower_written_time_only_below_its_class_when_switched_off(rules):
    """`fire_door.lower_time_also_mismatch` (specs.yaml): the labellings of 乙级 with 耐火0.5小时 disagree
    (the second held-out set's dev half: below the class; the real-voice training set, the opened heldout3 and
    issue 17's task text: a contradiction); switched off, only the class is reported."""
    import copy
    facts = copy.deepcopy(rules.facts)
    facts["fire_door"]["lower_time_also_mismatch"] = False
    one = RiskRules(facts=facts)
    door = codes(one, listing("乙级防火门 钢质 楼道门 耐火0.5小时", 900), "fire_door")
    assert "substandard_spec" in door and "spec_mismatch" not in door
    shutter = codes(one, listing("特级防火卷帘 无机布 耐火1小时", 300), "fire_shutter")
    assert "substandard_spec" in shutter and "spec_mismatch" not in shutter
