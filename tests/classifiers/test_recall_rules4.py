"""Issue 17, "Generalisation": the rules added for the misses and false flags on real_voice4.jsonl.

real_voice4.jsonl (237 listings written by someone who never read the rules) showed: inspection
wording about the check's looks (摆着给人看, 验收主要看标牌, 检查过了就没事, 取样专用); warnings
against such goods, trade-ins, the used-car trade and repair services read as the goods; claims a
listing takes back (a detector's table naming another gas or heat alone, a feature the title claims
and an attribute denies, an admitted "actual" value below the stated one); counts, places and
patterns that differ between title and table; a sprinkler code's bore against a DN; a smoke alarm's
self-check interval; nozzles, brass couplings and turnout gear with no price; a nameplate priced as a
door and a minimum order read as a pack. Each test pairs the flag with a listing that must stay
clean; the listings are written for these tests, in other words than real_voice4's.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from classifiers.risk import RiskRules
from classifiers.specs import load_facts, parse_specs

from tests.classifiers.test_recall_rules import ON, found, shop, unit

AFTER = date(2026, 7, 1)  # GB 20517-2025 in force


# -- inspection_only: made for how the check looks ----------------------------------------------

@pytest.mark.parametrize("description", [
    "消防检查主要看铭牌，里面配置做了精简。",
    "来查的人只看外观，这款外观跟正品一样。",
    "这款就是摆着给领导看的，别指望它。",
    "开业检查过了就没事，价格实惠。",
    "这批是送检专用的，跟大货不一样。",
    "店里有得看就行，质量别太较真。",
    "只为年检准备的款，便宜。",
    "年审神器，买了放车里就行。",
])
def test_inspection_for_the_look_of_the_check(rules, description):
    assert "inspection_only" in found(rules, shop("灭火器4kg干粉 店铺用", "45", description=description),
                                      "portable_extinguisher")


@pytest.mark.parametrize("description", [
    "日常检查看压力表指针在绿区即可。",
    "我们的产品多次通过消防验收，带身份标识可查。",
    "新国标产品，可过消防验收，附检验报告。",
    "网上那些写着年检专用、包过年检的那种别买，粉量不足。",
])
def test_compliance_and_warnings_are_not_inspection_only(rules, description):
    assert "inspection_only" not in found(rules, shop("灭火器4kg干粉 MFZ/ABC4 3C", "65", description=description),
                                          "portable_extinguisher")


# -- refurbished / prop: trade-ins, the used-car trade, repair services, bulk samples -----------

@pytest.mark.parametrize("title,description,category", [
    ("新灭火器 以旧换新", "寄回旧瓶可抵5元，旧瓶我们拿去报废。", "portable_extinguisher"),
    ("车载灭火器1kg 二手车行 4S店整备 全新", "", "portable_extinguisher"),
    ("旧防火门翻新 喷漆 换合页 上门服务", "只修您自己的门。", "fire_door"),
])
def test_trade_ins_and_services_are_not_used_goods(rules, title, description, category):
    assert "refurbished" not in found(rules, shop(title, "60", description=description), category)


def test_used_goods_still_flagged(rules):
    assert "refurbished" in found(rules, shop("二手灭火器 4kg 翻新瓶 便宜", "15"), "portable_extinguisher")
    # a service word elsewhere than the title does not excuse a refilled unit sold as new
    assert "refurbished" in found(rules, shop("4kg干粉灭火器 旧瓶换粉 当新的卖", "20", description="上门服务另收费"),
                                  "portable_extinguisher")


def test_sample_matching_bulk_goods_is_not_a_prop(rules):
    assert "prop_or_display" not in found(rules, shop("烟感报警器 3C 样品与大货同款 批量订单优先", "35"), "smoke_alarm")
    assert "prop_or_display" in found(rules, shop("烟感报警器 样品 不通电 展示用", "5"), "smoke_alarm")


# -- substandard_spec: only the sampled head of a cable to standard ------------------------------

def test_cable_full_gauge_only_at_the_head(rules):
    item = shop("阻燃电缆 ZR-YJV 3×4 工程", "8", {"计价": "元/米"}, "前5米足方，后边偷料，便宜。")
    assert "substandard_spec" in found(rules, item, "flame_retardant_cable")
    fair = shop("阻燃电缆 ZR-YJV 3×4 工程", "28", {"计价": "元/米"}, "整卷足米足方，前后一致，可剪样检测。")
    assert "substandard_spec" not in found(rules, fair, "flame_retardant_cable")


# -- spec_mismatch: claims the listing takes back (classifiers/claims.py) ------------------------

def test_smoke_alarm_whose_table_detects_heat_alone(rules):
    item = shop("烟雾报警器 光电式 家用 独立式", "45", {"探测方式": "定温感温 70℃"})
    assert "spec_mismatch" in found(rules, item, "smoke_alarm")
    both = shop("烟雾报警器 光电式 家用 独立式", "45", {"探测方式": "光电感烟+感温复合"})
    assert "spec_mismatch" not in found(rules, both, "smoke_alarm")


def test_gas_detector_whose_table_names_another_gas(rules):
    item = shop("液化气报警器 家用 厨房 丙烷", "80", {"检测气体": "天然气(甲烷)"})
    assert "spec_mismatch" in found(rules, item, "gas_detector")
    same = shop("燃气报警器 天然气 液化气 家用", "80", {"检测气体": "甲烷、丙烷"})
    assert "spec_mismatch" not in found(rules, same, "gas_detector")


def test_feature_claimed_in_the_title_denied_in_a_table(rules):
    assert "spec_mismatch" in found(rules, shop("消防应急灯 带自检功能 双头", "40", {"自检功能": "无"}),
                                    "emergency_light")
    # the title says it has none: nothing is taken back
    assert "spec_mismatch" not in found(rules, shop("消防应急灯 无自检功能 双头 经济款", "30", {"自检功能": "无"}),
                                        "emergency_light")
    # a "none" that says nothing the title claims (赠品：无)
    assert "spec_mismatch" not in found(rules, shop("消防应急灯 双头 送赠品", "40", {"赠品": "无"}), "emergency_light")


def test_admitted_actual_value_below_the_stated_one(rules):
    item = shop("消防水带 8-65-25 25米 有衬里", "90", {"长度": "25米"}, "实际长度20米左右，够用。")
    # a hose length (a spot-check failure item) measured below the nominal: substandard_spec under specs.yaml
    # measured_below (also_mismatch: false), no longer spec_mismatch
    assert "substandard_spec" in found(rules, item, "fire_hose")
    pump = shop("XBD 消防稳压泵 30kW 喷淋", "9000", {"铭牌功率": "30kW", "实配电机": "18.5kW"})
    assert "spec_mismatch" in found(rules, pump, "fire_pump")
    # measured above the stated value contradicts nothing
    jockey = shop("XBD 消防稳压泵 1.5kW 喷淋", "1200", {"功率": "1.5kW"}, "实测功率1.6kW，运行平稳。")
    assert "spec_mismatch" not in found(rules, jockey, "fire_pump")


def test_claims_are_a_switch(rules):
    facts = copy.deepcopy(load_facts())
    facts["claims"]["actual_value"]["enforce"] = False
    off = RiskRules(facts=facts)
    pump = shop("XBD 消防稳压泵 30kW 喷淋", "9000", {"铭牌功率": "30kW", "实配电机": "18.5kW"})
    assert "spec_mismatch" in found(rules, pump, "fire_pump")
    assert "spec_mismatch" not in found(off, pump, "fire_pump")


# -- spec_mismatch: values of one family that differ between title and table --------------------

@pytest.mark.parametrize("category,title,attributes", [
    # GB/T 19666: NH marks fire resistance, ZC-YJV has none
    ("fire_resistant_cable", "NH-YJV 耐火电缆 3×25", {"型号": "ZB-YJV 3×25"}),
    # GB 14907-2018 codes: W outdoor, N indoor; thick against ultra-thin
    ("fire_retardant_coating", "钢结构防火涂料 NCB 室内", {"代号": "WCB"}),
    ("fire_retardant_coating", "超薄型钢结构防火涂料 室内", {"类型": "厚型"}),
    # temperature channels of an electrical-fire detector
    ("electrical_fire_detector", "电气火灾监控探测器 4路温度 导轨", {"测温通道": "8路"}),
    # the pattern year of turnout gear (GA 10 / XF 10: 14式, 17式)
    ("rescue_equipment", "14式消防员灭火防护服 五件套", {"款式": "17式"}),
    # the battery chemistry (GB 17945-2024 names the allowed ones)
    ("emergency_light", "消防应急灯 磷酸铁锂电池 双头", {"电池类型": "镍镉电池"}),
])
def test_family_differs_between_title_and_table(rules, category, title, attributes):
    assert "spec_mismatch" in found(rules, shop(title, "2000", attributes), category)


@pytest.mark.parametrize("category,title,attributes", [
    ("fire_resistant_cable", "NH-YJV 耐火电缆 3×25", {"型号": "ZCN-YJV 3×25"}),
    ("fire_retardant_coating", "钢结构防火涂料 NCB 室内", {"代号": "NCB"}),
    # thin intumescent: two words of one product, not two types
    ("fire_retardant_coating", "薄型钢结构防火涂料 室内", {"类型": "膨胀型"}),
    ("electrical_fire_detector", "电气火灾监控探测器 4路温度 导轨", {"温度通道": "4路"}),
    ("rescue_equipment", "17式消防员灭火防护服 五件套", {"款式": "17式"}),
    ("emergency_light", "消防应急灯 磷酸铁锂电池 双头", {"电池类型": "磷酸铁锂"}),
])
def test_same_family_value_is_no_contradiction(rules, category, title, attributes):
    assert "spec_mismatch" not in found(rules, shop(title, "2000", attributes), category)


def test_gb5135_1_sprinkler_code_bore_against_dn(rules):
    # GB 5135.1-2019 model code: ZSTX20 is a 20 mm pendent head
    assert "spec_mismatch" in found(rules, shop("下垂喷头 ZSTX20/68 DN15 消防", "8"), "sprinkler")
    assert "spec_mismatch" not in found(rules, shop("下垂喷头 ZSTX15/68 DN15 消防", "8"), "sprinkler")
    # a reducing fitting names two bores
    assert "spec_mismatch" not in found(rules, shop("喷头 ZSTX15/68 配DN25转DN15 变径", "8"), "sprinkler")


# -- substandard_spec: a smoke alarm's battery self-check under GB 20517-2025 ------------------

def test_gb20517_2025_self_check_at_least_every_24_hours(rules):
    cited = shop("独立式烟感报警器 执行GB 20517-2025", "60", {"自检周期": "48小时"})
    assert "substandard_spec" in found(rules, cited, "smoke_alarm")
    daily = shop("独立式烟感报警器 执行GB 20517-2025", "60", {"自检周期": "每24小时"})
    assert "substandard_spec" not in found(rules, daily, "smoke_alarm")
    # no 2025 edition cited, before it is in force: the rule does not apply; from 2026-06-01 it does
    plain = shop("独立式烟感报警器 家用", "60", description="每3天自检一次，省电。")
    assert "substandard_spec" not in found(rules, plain, "smoke_alarm", on=ON)
    assert "substandard_spec" in found(rules, plain, "smoke_alarm", on=AFTER)


# -- price_too_low: nozzles, brass couplings, turnout gear; nameplates; agent by the kg ---------

@pytest.mark.parametrize("category,low,fair", [
    ("other_fire", shop("消防水枪 多功能 QZ16 铝", "2"), shop("消防水枪 多功能 QZ16 铝", "22")),
    ("fire_coupling", shop("KD50 黄铜 消防接口 内扣", "3"), shop("KD50 黄铜 消防接口 内扣", "26")),
    ("rescue_equipment", shop("14式 消防战斗服 四件套", "60"), shop("14式 消防战斗服 四件套", "680")),
    ("rescue_equipment", shop("17式 消防头盔 带面罩", "12"), shop("17式 消防头盔 带面罩", "190")),
    ("other_fire", shop("室内消火栓 SN65 旋转型", "9"), shop("室内消火栓 SN65 旋转型", "85")),
    ("other_fire", shop("室外消火栓 SS100/65-1.6 地上式", "150"), shop("室外消火栓 SS100/65-1.6 地上式", "760")),
])
def test_priced_products(rules, category, low, fair):
    assert "price_too_low" in found(rules, low, category)
    assert "price_too_low" not in found(rules, fair, category)


def test_priors_only_for_the_named_product(rules):
    # a toy water gun, an aluminium coupling (not priced), a disposable coverall
    assert "price_too_low" not in found(rules, shop("儿童玩具水枪 消防车款", "2"), "other_fire")
    assert "price_too_low" not in found(rules, shop("KD65 铝合金 消防接口", "3"), "fire_coupling")
    assert "price_too_low" not in found(rules, shop("一次性防护服 连体", "8"), "rescue_equipment")
    # a hydrant's spanner or cabinet is not the hydrant
    assert "price_too_low" not in found(rules, shop("室内消火栓扳手 SN65 通用", "6"), "other_fire")
    assert "price_too_low" not in found(rules, shop("儿童消防头盔 玩具 表演", "9"), "rescue_equipment")


def test_nameplate_is_an_accessory_unless_it_comes_with_the_door(rules):
    assert unit(shop("防火门铭牌 不锈钢 刻字", "4"), "fire_door") is None
    door = shop("钢质防火门 乙级 铭牌齐全", "80")
    assert unit(door, "fire_door") is not None
    assert "price_too_low" in found(rules, door, "fire_door")


def test_minimum_order_is_not_a_pack(rules):
    item = shop("干粉灭火器 4kg MFZ/ABC4", "45", {"包装": "20只起批"})
    assert unit(item, "portable_extinguisher")["pieces"] == 1
    assert "price_too_low" not in found(rules, item, "portable_extinguisher")
    assert parse_specs("每箱装4只")["pack_qty"] == 4


def test_agent_by_the_kg_for_filling_is_the_goods(rules):
    item = shop("七氟丙烷 HFC-227ea 气体灭火剂 钢瓶充装用", "9", {"计价单位": "元/公斤"})
    assert unit(item, "gas_suppression")["basis"] == "kg"
    assert "price_too_low" in found(rules, item, "gas_suppression")
    # a refilling service priced per unit is still a service
    assert unit(shop("七氟丙烷灭火装置 充装服务 上门", "300"), "gas_suppression") is None


# -- review 2: upkeep advice, shop boilerplate, goods with a service, hydrant spare parts ---------

@pytest.mark.parametrize("category,title,description", [
    # upkeep advice and a door that has what the acceptance looks for
    ("portable_extinguisher", "4kg干粉灭火器 ABC 店铺商用 3C MFZ/ABC4", "日常检查主要看外观有无锈蚀、压力表指针是否在绿区。"),
    ("portable_extinguisher", "4kg干粉灭火器 MFZ/ABC4 3C", "定期检查主要看压力表，检查时不能只看外观。"),
    ("fire_door", "防火门 甲级 钢质 GB 12955 3C", "消防验收主要看有没有3C标志和防火门标牌，我们的都齐全。"),
    ("fire_door", "防火门 乙级 钢质 3C", "验收就看有无标牌和检验报告，本店资料齐全。"),
    # a tool that checks something else, and more than the check
    ("gas_detector", "燃气泄漏检查神器 家用天然气报警器 3C", "全新正品。"),
    ("not_fire", "房屋验收神器 收房工具套装", ""),
    ("portable_extinguisher", "灭火器 4公斤 店用 3C", "灭火器不仅为了过检查，更是为了家人安全。"),
])
def test_upkeep_advice_and_compliance_are_not_inspection_only(rules, category, title, description):
    assert "inspection_only" not in found(rules, shop(title, "60", description=description), category)


@pytest.mark.parametrize("title,description", [
    ("防火门 乙级 钢质", "消防验收主要看有没有标牌，里面门芯做了简配，价格低。"),
    ("灭火器4kg干粉 店铺用", "物业检查只看铭牌，能不能喷另说，放心能过。"),
    ("灭火器4kg干粉 过消防验收神器", ""),
    ("灭火器4kg干粉 店铺用", "就为了过检查，便宜。"),
])
def test_only_the_look_matters_still_flagged(rules, title, description):
    assert "inspection_only" in found(rules, shop(title, "45", description=description), "fire_door"
                                      if "防火门" in title else "portable_extinguisher")


@pytest.mark.parametrize("title,code", [
    ("年检专用灭火器 4kg 便宜 只求能过 追求质量的不要买", "inspection_only"),
    ("二手灭火器 4kg干粉 九成新 外观有划痕 介意的勿买", "refurbished"),
    ("翻新灭火器 4kg 嫌贵的不要买", "refurbished"),
])
def test_shop_boilerplate_warning_cancels_nothing_else(rules, title, code):
    assert code in found(rules, shop(title, "30"), "portable_extinguisher")


@pytest.mark.parametrize("title,description", [
    ("灭火器4kg干粉 MFZ/ABC4 3C", "网上那些写着年检专用、包过年检的那种别买，粉量不足。"),
    ("灭火器4kg干粉 MFZ/ABC4 3C", "千万别买翻新瓶，本店全新。"),
    ("灭火器4kg干粉 MFZ/ABC4 3C", "好多店写年检专用，这种千万别买。"),
])
def test_the_warned_clause_is_still_cancelled(rules, title, description):
    reasons = found(rules, shop(title, "65", description=description), "portable_extinguisher")
    assert "inspection_only" not in reasons and "refurbished" not in reasons


def test_goods_with_a_service_keep_refurbished(rules):
    for title in ("翻新灭火器 4kg 低价 含上门服务", "二手灭火器 4kg 上门服务"):
        assert "refurbished" in found(rules, shop(title, "15"), "portable_extinguisher")
    # a service title still cancels it
    for title in ("旧防火门翻新 喷漆 换合页 上门服务", "防火门翻新服务 上门维修"):
        assert "refurbished" not in found(rules, shop(title, "60"), "fire_door")


@pytest.mark.parametrize("title,price", [
    ("室内消火栓密封圈 SN65 橡胶垫圈 10个", "5"),
    ("室外消火栓防撞保护罩 SS100 地上消火栓 防撞护栏", "85"),
    ("室内消火栓阀芯 SN65 铜 维修配件", "8"),
    ("室外消火栓 SS100 胶圈 垫片", "6"),
])
def test_hydrant_spare_parts_are_not_hydrants(rules, title, price):
    assert "price_too_low" not in found(rules, shop(title, price), "other_fire")


def test_hydrants_still_priced(rules):
    assert "price_too_low" in found(rules, shop("室内消火栓 SN65 旋转减压型 铜", "12"), "other_fire")
    assert "price_too_low" in found(rules, shop("室外消火栓 SS100/65 地上式 防撞型", "120"), "other_fire")


# -- false flags of the claims rules (review of 2026-12-03) ----------------------------------------

def _claims(title: str, attributes: dict, description: str, category: str) -> list:
    from classifiers.claims import claim_mismatches
    fields = [("title", title)] + [(f"attributes.{k}", f"{k} {v}") for k, v in attributes.items()]
    return claim_mismatches(fields + [("description", description)], category, load_facts())


@pytest.mark.parametrize("title,attributes,description", [
    # another quantity measured in the same unit: installing or charging time is not the emergency time
    ("消防应急照明灯 LED 双头应急灯 3C认证", {"应急时间": "90分钟"}, "安装简单，实际安装只需5分钟。"),
    ("消防应急照明灯 LED 3C认证 应急时间90分钟", {}, "首次使用请充电24小时，实际充满约需8小时。"),
])
def test_actual_value_of_another_quantity_is_no_contradiction(title, attributes, description):
    assert _claims(title, attributes, description, "emergency_light") == []


@pytest.mark.parametrize("title,attributes,description", [
    ("消防应急照明灯 LED 3C认证", {"应急时间": "90分钟"}, "实际应急时间只有30分钟左右。"),
    ("消防应急照明灯 LED 3C认证 应急时间90分钟", {}, "实测续航40分钟。"),
])
def test_an_emergency_duration_measured_below_the_declared_one_is_substandard(rules, title, attributes, description):
    # a spot-check failure item (domain.md): measured.py's substandard_spec, no longer the claims rule's mismatch
    # (specs.yaml measured_below.also_mismatch: false)
    assert _claims(title, attributes, description, "emergency_light") == []
    assert "substandard_spec" in found(rules, shop(title, "60", attributes, description), "emergency_light")


@pytest.mark.parametrize("title,attributes,description,category", [
    ("XBD 消防泵 电机功率15kW", {}, "实配电机7.5千瓦。", "fire_pump"),
    # a bare headline value of the title is the product's
    ("消防泵 XBD 立式 15kW 喷淋泵", {"型号": "XBD6.0/20"}, "铭牌写XBD6.0/20，实配电机7.5千瓦。", "fire_pump"),
])
def test_actual_value_of_the_same_quantity_still_fires(title, attributes, description, category):
    assert [f.code for _, f in _claims(title, attributes, description, category)] == ["spec_mismatch"]


@pytest.mark.parametrize("title,attributes", [
    ("独立式烟雾报警器 家用 无需电池 220V 3C认证", {"电池": "无"}),
    ("烟雾报警器 光电感烟 电池另购 3C认证", {"电池": "不含"}),
    ("烟雾报警器 光电感烟 电池需自备 3C认证", {"电池": "不含"}),
    ("烟雾报警器 光电感烟 不需要电池 交流供电", {"电池": "无"}),
])
def test_title_saying_the_feature_is_absent_agrees_with_the_table(rules, title, attributes):
    assert "spec_mismatch" not in found(rules, shop(title, "59", attributes), "smoke_alarm")


def test_title_claiming_the_feature_still_contradicts_the_table(rules):
    assert "spec_mismatch" in found(rules, shop("烟雾报警器 光电感烟 含电池 3C认证", "39", {"电池": "不含"}),
                                    "smoke_alarm")
    assert "spec_mismatch" in found(rules, shop("独立式烟雾报警器 带电池 无需布线", "59", {"电池": "无"}),
                                    "smoke_alarm")


@pytest.mark.parametrize("gas", ["天然气", "液化气", "人工煤气"])
def test_bare_coal_gas_in_a_title_is_any_fuel_gas(rules, gas):
    item = shop("家用煤气报警器 厨房燃气泄漏报警 国标3C", "89", {"检测气体": gas})
    assert "spec_mismatch" not in found(rules, item, "gas_detector")


def test_manufactured_gas_in_a_title_still_contradicts_natural_gas(rules):
    item = shop("人工煤气报警器 厨房 国标3C", "89", {"检测气体": "天然气"})
    assert "spec_mismatch" in found(rules, item, "gas_detector")
    co = shop("家用煤气报警器 厨房 国标3C", "89", {"检测气体": "一氧化碳"})
    assert "spec_mismatch" in found(rules, co, "gas_detector")


# -- a distance is not the product's length (review of 2026-12-03) ----------------------------------

@pytest.mark.parametrize("description", [
    "实际使用时距离火源3米以上。",
    "射程≥6米，喷射时间9秒",
    "灭火时站在3米开外对准火焰根部",
    "安装高度2米，挂墙使用",
])
def test_a_distance_is_not_the_hose_length(rules, description):
    hose = shop("消防水带 65型 20米 有衬里", "120", {"长度": "20米"}, description=description)
    got = found(rules, hose, "fire_hose")
    assert "spec_mismatch" not in got and "substandard_spec" not in got


def test_a_hose_whose_fields_disagree_on_length_still_flags(rules):
    hose = shop("消防水带 65型 20米 有衬里", "120", {"长度": "25米"}, description="整卷出厂，长度足")
    assert "spec_mismatch" in found(rules, hose, "fire_hose")
