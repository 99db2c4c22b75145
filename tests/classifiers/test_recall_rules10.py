"""The rules added for real_voice9.jsonl's misses and false flags (a terse shop voice: faults in attributes and prices).

Mechanisms, each tested with a flagged listing and a near miss that stays clean (listings written for these
tests, not copied from real_voice9):
- spec_limits.py: a BV/BVR wire's insulation thinner than its section's nominal (GB/T 5023.3), a copper
  conductor's resistance above its section's maximum (GB/T 3956), a residual-current detector's alarm setting
  outside 20-1000 mA (GB 14287.2, unverified, behind a switch);
- a dry-powder unit's fill tolerance stated as a bound (误差在5%以内) wider than the standard's;
- set_price.py: a set priced below the parts its content attribute lists (extinguishers, firefighter suits);
- price priors: aluminium couplings per piece, wheeled CO2 units per kg, bulk HFC-227ea agent's own floor,
  and a name the title denies (非消防泵) naming no product;
- refurbished: used units said as taken off elsewhere, refilled, repainted or made to look new (lexicon
  patterns), not a refill service or a trade-in;
- prop_or_display: a sample the buyer may visit (参观) and a new cylinder to be filled by others are no prop;
  a sample taken down from a showroom (展厅撤下来的) is a display piece, not used goods.
"""

from __future__ import annotations

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes=None, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category)


# -- spec_limits -----------------------------------------------------------------------------------

def test_wire_insulation_thinner_than_nominal(rules):
    thin = codes(rules, "ZR-BVR 4平方 阻燃软线 100米", "flame_retardant_cable", {"绝缘层厚度": "0.6毫米"}, price="380")
    assert "substandard_spec" in thin and "0.8" in thin["substandard_spec"]
    full = codes(rules, "ZR-BVR 4平方 阻燃软线 100米", "flame_retardant_cable", {"绝缘层厚度": "0.8毫米"}, price="380")
    assert "substandard_spec" not in full
    # a sheathed cable's insulation is not judged by the single-core wires' table
    assert "substandard_spec" not in codes(rules, "ZC-YJV 4平方 电缆 100米", "flame_retardant_cable",
                                           {"绝缘厚度": "0.6mm"}, price="900")


def test_conductor_resistance_above_the_sections_maximum(rules):
    high = codes(rules, "NH-BV 2.5平方 耐火线 整卷100米", "fire_resistant_cable", {"导体直流电阻": "9.6Ω/km"}, price="260")
    assert "substandard_spec" in high and "7.41" in high["substandard_spec"]
    ok = codes(rules, "NH-BV 2.5平方 耐火线 整卷100米", "fire_resistant_cable", {"导体直流电阻": "7.2Ω/km"}, price="260")
    assert "substandard_spec" not in ok
    # a flexible conductor has the class 5 limit (2.5 mm²: 7.98)
    assert "substandard_spec" not in codes(rules, "ZC-BVR 2.5平方 阻燃软线 100米", "flame_retardant_cable",
                                           {"导体电阻": "7.9Ω/km"}, price="260")


def test_residual_current_setting_outside_the_range(rules):
    high = codes(rules, "剩余电流式电气火灾监控探测器 导轨安装", "electrical_fire_detector",
                 {"报警设定值": "2A"}, price="260")
    assert "substandard_spec" in high and "2000" in high["substandard_spec"]
    ok = codes(rules, "剩余电流式电气火灾监控探测器 导轨安装", "electrical_fire_detector",
               {"报警设定值": "300mA"}, price="260")
    assert "substandard_spec" not in ok
    assert "substandard_spec" not in codes(rules, "剩余电流式电气火灾监控探测器", "electrical_fire_detector",
                                           {"报警设定值": "100-1000mA可调"}, price="260")


# -- fill tolerance stated as a bound ----------------------------------------------------------------

def test_fill_tolerance_said_as_a_bound_wider_than_the_standard(rules):
    wide = codes(rules, "干粉灭火器 MFZ/ABC5 5公斤 车间", "portable_extinguisher", {"型号": "MFZ/ABC5"},
                 "装粉量误差控制在4%以内，正常范围。", price="75")
    assert "substandard_spec" in wide
    tight = codes(rules, "干粉灭火器 MFZ/ABC5 5公斤 车间", "portable_extinguisher", {"型号": "MFZ/ABC5"},
                  "装粉量误差控制在2%以内。", price="75")
    assert "substandard_spec" not in tight


# -- set_price --------------------------------------------------------------------------------------

def test_set_priced_below_the_parts_it_lists(rules):
    attrs = {"配置": "器材柜1个 灭火器6具 战斗服3套 水枪 腰斧", "计价": "元/套"}
    cheap = codes(rules, "微型消防站 器材全套 物业 小区", "other_fire", attrs, price="350")
    assert "price_too_low" in cheap
    assert "price_too_low" not in codes(rules, "微型消防站 器材全套 物业 小区", "other_fire", attrs, price="2300")
    # a costume set is no firefighter's suit
    assert "price_too_low" not in codes(rules, "儿童消防员表演服 全套", "rescue_equipment",
                                        {"配置": "上衣 裤子 帽子"}, price="45")


# -- price priors -----------------------------------------------------------------------------------

def test_aluminium_coupling_per_piece(rules):
    cheap = codes(rules, "KD50 铝合金内扣式接口 水带接头", "fire_coupling", {"计价": "元/个"}, price="1.2")
    assert "price_too_low" in cheap
    assert "price_too_low" not in codes(rules, "KD50 铝合金内扣式接口 水带接头", "fire_coupling", {"计价": "元/个"}, price="11")
    assert "price_too_low" not in codes(rules, "铝接口密封圈 KD65 橡胶垫", "fire_coupling", {"计价": "元/个"}, price="0.5")


def test_wheeled_co2_unit_per_kg(rules):
    cheap = codes(rules, "推车式二氧化碳灭火器 MTT30 30kg 变电站", "other_fire", {"型号": "MTT30"}, price="480")
    assert "price_too_low" in cheap
    assert "price_too_low" not in codes(rules, "推车式二氧化碳灭火器 MTT30 30kg 变电站", "other_fire",
                                        {"型号": "MTT30"}, price="1980")
    # a wheeled dry-powder unit of the same mass costs far less
    assert "price_too_low" not in codes(rules, "推车式干粉灭火器 MFTZ/ABC35 35kg", "other_fire",
                                        {"型号": "MFTZ/ABC35"}, price="480")


def test_bulk_agent_below_its_own_floor(rules):
    cheap = codes(rules, "HFC-227ea 七氟丙烷灭火剂 散装 机房", "gas_suppression", {"计价": "元/公斤"}, price="22")
    assert "price_too_low" in cheap
    assert "price_too_low" not in codes(rules, "HFC-227ea 七氟丙烷灭火剂 散装 机房", "gas_suppression",
                                        {"计价": "元/公斤"}, price="45")


def test_a_denied_name_names_no_product(rules):
    assert "price_too_low" in codes(rules, "消防稳压泵 立式 小流量", "fire_pump", price="99")
    assert "price_too_low" not in codes(rules, "家用自吸泵 抽水 非消防泵 220V", "fire_pump", price="99")


# -- refurbished ------------------------------------------------------------------------------------

def test_used_units_said_in_other_words(rules):
    used = codes(rules, "干粉灭火器 4公斤 清货 压力正常", "portable_extinguisher", {"规格": "4kg"},
                 "都是工地撤下来的，重新充压后刷了一遍新漆。", price="25")
    assert "refurbished" in used
    assert "refurbished" in codes(rules, "干粉灭火器 4公斤 特价", "portable_extinguisher", {"规格": "4kg"},
                                  "外观很新，看不出是用过的。", price="25")
    service = codes(rules, "灭火器维保 4公斤 小区物业", "portable_extinguisher", None,
                    "提供上门换粉服务，到期重新充粉并出具记录。", price="25")
    assert "refurbished" not in service
    trade_in = codes(rules, "干粉灭火器 4公斤 全新 以旧换新", "portable_extinguisher", None,
                     "以旧换新，换下来的旧瓶我们免费带走。", price="55")
    assert "refurbished" not in trade_in


# -- prop_or_display --------------------------------------------------------------------------------

def test_a_sample_to_visit_and_a_cylinder_to_be_filled_are_no_prop(rules):
    visit = codes(rules, "钢质防火门 乙级 GFM-1021 工厂直销", "fire_door", None,
                  "工厂展厅可预约参观样品，按樘报价。", price="980")
    assert "prop_or_display" not in visit
    assert "prop_or_display" in codes(rules, "钢质防火门 乙级 展厅样品 清仓", "fire_door", None,
                                      "展示用样品门，便宜处理。", price="300")
    empty = codes(rules, "七氟丙烷 悬挂式 空瓶 不含药剂 新瓶", "gas_suppression", None,
                  "新瓶不含药剂，须送有资质的单位充装。", price="900")
    assert "prop_or_display" not in empty
    assert "prop_or_display" in codes(rules, "七氟丙烷 悬挂式 空瓶 仅作展示", "gas_suppression", None,
                                      "不含药剂，摆着展示。", price="300")


def test_a_sample_taken_down_from_a_showroom_is_no_used_goods(rules):
    shown = codes(rules, "消防应急灯 展厅样品 清仓", "emergency_light", {"用途": "样品"},
                  "展厅换下来的样品，仅供展示。", price="9")
    assert "prop_or_display" in shown and "refurbished" not in shown
    assert "refurbished" in codes(rules, "消防应急灯 清仓 亮度高", "emergency_light", None,
                                  "商场换下来的，能亮。", price="9")
