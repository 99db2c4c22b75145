"""Spec parser and spec checks on every code family: positive and negative cases."""

from datetime import date

import pytest

from classifiers.spec_checks import check_specs
from classifiers.specs import load_facts, parse_specs
from tests.chinese import english_in

NOW = date(2026, 11, 29)


def codes(text, category):
    return [f.code for f in check_specs(text, category, NOW)]


# -- parsing --------------------------------------------------------------------------
@pytest.mark.parametrize("text,agent,amount,unit", [
    ("MFZ/ABC4 干粉灭火器", "dry_powder", 4.0, "kg"),
    ("MFZL/ABC4 手提式", "dry_powder", 4.0, "kg"),
    ("ＭＦＺ／ＡＢＣ２ 车载", "dry_powder", 2.0, "kg"),
    ("MFZ/ABC8KG 仓库用", "dry_powder", 8.0, "kg"),
    ("MT3 二氧化碳", "co2", 3.0, "kg"),
    ("MT/3 二氧化碳", "co2", 3.0, "kg"),
    ("MPZ/6 泡沫", "foam", 6.0, "L"),
    ("MSWZ/3 水基", "water", 3.0, "L"),
])
def test_extinguisher_codes(text, agent, amount, unit):
    code = parse_specs(text)["extinguisher_codes"][0]
    assert (code["agent"], code["amount"], code["unit"]) == (agent, amount, unit)


def test_not_extinguisher_codes():
    assert "extinguisher_codes" not in parse_specs("mp3 播放器 ms6 音箱")
    assert "weights_kg" not in parse_specs("灭火器 总重6.5kg")  # gross weight is not the fill


def test_respirator_sprinkler_door_glass_parse():
    assert parse_specs("TZL-30 自救呼吸器 防护30分钟")["tzl_minutes"] == [30]
    assert parse_specs("TZL30 防护30min")["stated_minutes"] == [30]
    head = parse_specs("K-ZSTX15-68℃ 红色")["sprinklers"][0]
    assert (head["response"], head["type"], head["bore_mm"], head["temperature_c"]) == ("fast", "pendent", 15, 68)
    assert parse_specs("T-ZSTB20-93")["sprinklers"][0]["response"] == "special"
    assert parse_specs("ZSTZ15")["sprinklers"][0]["type"] == "upright"
    door = parse_specs("GFM-1021-bsk5 A1.50(甲级)")
    assert door["door_grades"] == ["甲级"] and door["rating_hours"] == [1.5] and door["door_codes"]
    assert parse_specs("MFM-0921 乙级")["door_codes"][0].startswith("MFM")
    glass = parse_specs("FFB-25-A1.50 复合防火玻璃")["fire_glass"][0]
    assert (glass["type"], glass["thickness_mm"], glass["class"], glass["hours"]) == ("FFB", 25, "A", 1.5)
    assert parse_specs("DFB-12-C1.00")["fire_glass"][0]["class"] == "C"


def test_hose_coupling_cable_parse():
    hose = parse_specs("消防水带 13-65-25")["hoses"][0]
    assert (hose["pressure_mpa"], hose["bore_mm"], hose["length_m"]) == (1.3, 65, 25)
    assert "hoses" not in parse_specs("生产日期 2025-07-01")
    assert parse_specs("KD65 接口")["couplings"][0] == {"code": "KD65", "type": "KD", "bore_mm": 65}
    assert parse_specs("KWS65")["couplings"][0]["type"] == "KWS"
    specs = parse_specs("ZR-YJV 3*4+1*2.5 0.6/1kV")
    cable = specs["cables"][0]
    assert (cable["flame_class"], cable["type"], cable["fire_resistant"]) == ("ZR", "YJV", False)
    assert specs["conductors"][0]["total_cores"] == 4 and specs["conductors"][0]["sections_mm2"] == [4.0, 2.5]
    assert specs["voltages"] == ["0.6/1kV"]
    assert parse_specs("NH-BV 2.5平方 450/750V")["cables"][0]["fire_resistant"] is True
    assert parse_specs("NH-BV 2.5平方")["sections_mm2"] == [2.5]
    wdzn = parse_specs("WDZN-YJY")["cables"][0]
    assert wdzn["low_smoke_halogen_free"] and wdzn["fire_resistant"]
    assert parse_specs("ZC-YJV")["cables"][0]["flame_class"] == "ZC"
    for cls in ("ZA", "ZB", "ZD"):
        assert parse_specs(f"{cls}-RVV")["cables"][0]["flame_class"] == cls


def test_blanket_battery_standard_parse():
    assert parse_specs("灭火毯 1.2m*1.2m")["blanket_sizes"][0]["width_m"] == 1.2
    assert parse_specs("灭火毯 100*100cm")["blanket_sizes"][0]["length_m"] == 1.0
    kinds = {b["type"] for b in parse_specs("钴酸锂 三元锂 铅酸 磷酸铁锂")["batteries"]}
    assert kinds == {"cobalt_lithium", "ternary_lithium", "lead_acid", "lifepo4"}
    cited = parse_specs("执行 GB 4351-2023 与 GB/T 19666-2019")["standards_cited"]
    assert [c["id"] for c in cited] == ["GB 4351-2023", "GB/T 19666-2019"]
    assert parse_specs("EN3-7 认证")["foreign_standards"] == ["EN 3-7"]


def test_standards_table_in_data():
    table = load_facts()["standards"]
    entry = next(e for e in table if e["number"] == "4351.1-2005")
    assert entry["replaced_by"] == "GB 4351-2023" and str(entry["withdrawn_on"]) == "2025-01-01"
    assert any(e["number"] == "4351-2023" and str(e["in_force_from"]) == "2025-01-01" for e in table)


# -- checks: positive (finding) and negative (clean) ----------------------------------
@pytest.mark.parametrize("text,category,code", [
    ("MFZ/ABC4 干粉灭火器 2kg 家用", "portable_extinguisher", "spec_mismatch"),
    ("MFZ/ABC4 干粉灭火器 4斤", "portable_extinguisher", "spec_mismatch"),
    ("水基灭火器 MFZ/ABC3 家用厨房", "portable_extinguisher", "spec_mismatch"),
    ("MT3 二氧化碳灭火器 5公斤", "portable_extinguisher", "spec_mismatch"),
    ("MSWZ/3 水基灭火器 2升", "portable_extinguisher", "spec_mismatch"),
    ("二氧化碳灭火器 MFZ/ABC2", "portable_extinguisher", "spec_mismatch"),
    ("干粉灭火器 磷酸铵盐含量 40%", "portable_extinguisher", "substandard_spec"),
    ("MFZ/ABC0.5 迷你车载", "portable_extinguisher", "substandard_spec"),
    ("TZL60 消防自救呼吸器", "escape_respirator", "substandard_spec"),
    ("TZL30 消防自救呼吸器 防护时间60分钟", "escape_respirator", "spec_mismatch"),
    ("防烟面罩 有效防护90分钟", "escape_respirator", "substandard_spec"),
    ("ZSTX15-68℃ 橙色玻璃球", "sprinkler", "spec_mismatch"),
    ("K-ZSTX15-68℃ 喷头 93℃", "sprinkler", "spec_mismatch"),
    ("ZSTZ15 直立喷头 K115", "sprinkler", "spec_mismatch"),
    ("防火门 甲级 A1.00", "fire_door", "spec_mismatch"),
    ("钢质防火门 乙级 GFM-1021-bk5 A1.50", "fire_door", "spec_mismatch"),
    ("丙级管井门 耐火1.5小时", "fire_door", "spec_mismatch"),
    ("木质防火门 MFM-1021 A0.80", "fire_door", "substandard_spec"),
    ("FFB-25-A2.50 复合防火玻璃", "fire_glass", "substandard_spec"),
    ("FFB-25-A1.50 防火玻璃 非隔热型", "fire_glass", "spec_mismatch"),
    ("DFB-12-C1.00 防火玻璃 耐火2小时", "fire_glass", "spec_mismatch"),
    ("乙级防火窗 FFB-19-A1.50", "fire_glass", "spec_mismatch"),
    ("消防水带 8-65-20 25米", "fire_hose", "spec_mismatch"),
    ("消防水带 13-65-25 DN50", "fire_hose", "spec_mismatch"),
    ("消防水带 8-65-20 工作压力1.6MPa", "fire_hose", "spec_mismatch"),
    ("消防水带 6-65-20", "fire_hose", "substandard_spec"),
    ("KD65 内扣式接口 DN50", "fire_coupling", "spec_mismatch"),
    ("KD65 内扣式接口 口径50mm", "fire_coupling", "spec_mismatch"),
    ("室内消火栓 SN65 DN50", "other_fire", "spec_mismatch"),
    ("消防泵 XBD5.0/20 扬程100米", "fire_pump", "spec_mismatch"),
    ("消防泵 XBD5.0/20 1.0MPa", "fire_pump", "spec_mismatch"),
    ("ZR-BV 3*2.5 阻燃线", "flame_retardant_cable", "spec_mismatch"),
    ("NH-YJV 4*16 耐火电缆 耐火30分钟", "fire_resistant_cable", "substandard_spec"),
    ("电气火灾监控探测器 执行标准 GB 14287.2-2005", "electrical_fire_detector", "substandard_spec"),
    ("燃气报警器 GB 15322.2-2003", "gas_detector", "substandard_spec"),
    ("钢结构防火涂料 GB 14907-2002", "fire_retardant_coating", "substandard_spec"),
    ("消防战斗服 GA 10-2002", "rescue_equipment", "substandard_spec"),
    ("柜式七氟丙烷 GQQ70/2.5 100L", "gas_suppression", "spec_mismatch"),
    ("ZR-YJV 3*4+1*2.5 450/750V", "flame_retardant_cable", "spec_mismatch"),
    ("ZC-YJV 3*4+1*2.5 5芯", "flame_retardant_cable", "spec_mismatch"),
    ("ZR-BV 2平方 阻燃线", "flame_retardant_cable", "substandard_spec"),
    ("耐火电缆 ZR-YJV 4*10", "fire_resistant_cable", "spec_mismatch"),
    ("灭火毯 0.5*0.5m 厨房", "fire_blanket", "substandard_spec"),
    ("消防应急灯 钴酸锂电池", "emergency_light", "substandard_spec"),
    ("安全出口指示灯 三元锂", "emergency_light", "substandard_spec"),
    ("应急照明灯 铅酸电池 自带电源", "emergency_light", "substandard_spec"),
    ("干粉灭火器 执行标准GB4351.1-2005", "portable_extinguisher", "substandard_spec"),
    ("应急灯 GB 17945-2010", "emergency_light", "substandard_spec"),
    ("灭火器 执行标准 GB 20517-2006", "portable_extinguisher", "substandard_spec"),
    ("灭火器 执行标准EN3-7", "portable_extinguisher", "substandard_spec"),
    ("烟雾报警器 欧标 EN14604", "smoke_alarm", "substandard_spec"),
    ("烟感 GB 20517-2006", "smoke_alarm", "substandard_spec"),  # replaced by GB 20517-2025 on 2026-06-01
    ("防火门 GB 12955-2008", "fire_door", "substandard_spec"),  # replaced by GB 12955-2024 on 2026-05-01
    ("水成膜泡沫液 执行标准GB15308-2006", "foam_agent", "substandard_spec"),  # GB 15308-2025 from 2026-08-01
])
def test_finding(text, category, code):
    found = check_specs(text, category, NOW)
    assert code in [f.code for f in found], found
    hit = next(f for f in found if f.code == code)
    assert "：" in hit.evidence and len(hit.evidence) > 10
    assert english_in(hit.evidence) == [], hit.evidence  # Chinese, with codes and numbers inside
    start, end = hit.span  # the quoted code or value, in the text
    assert 0 <= start < end <= len(text) and text[start:end].strip() and text[start:end] in hit.evidence


@pytest.mark.parametrize("text,category", [
    ("MFZ/ABC4 干粉灭火器 4kg 家用", "portable_extinguisher"),
    ("MFZ/ABC4 干粉灭火器 8斤 总重6.8kg", "portable_extinguisher"),
    ("MFZ/ABC4 干粉灭火器 水基灭火器 两款可选", "portable_extinguisher"),
    ("MT/3 二氧化碳灭火器 3kg", "portable_extinguisher"),
    ("MSWZ/3 水基灭火器 3升", "portable_extinguisher"),
    ("MPZ/6 泡沫灭火器 6L", "portable_extinguisher"),
    ("干粉灭火器 磷酸铵盐含量 90%", "portable_extinguisher"),
    ("TZL30 消防自救呼吸器 防护30分钟", "escape_respirator"),
    ("TZL20 过滤式自救呼吸器", "escape_respirator"),
    ("ZSTX15-68℃ 红色玻璃球", "sprinkler"),
    ("K-ZSTX15-68℃ 68度 红球", "sprinkler"),
    ("ZSTZ20 K115 直立喷头", "sprinkler"),
    ("ZSTB15-93℃ 绿色", "sprinkler"),
    ("防火门 乙级 GFM-0921-dk5 A1.00", "fire_door"),
    ("GFM-1021-bsk5A1.50(甲级)", "fire_door"),
    ("防火门 甲级 乙级 丙级 A1.50 A1.00 A0.50 可定制", "fire_door"),
    ("FFB-25-A1.50 复合防火玻璃 隔热型 25mm", "fire_glass"),
    ("DFB-12-C1.00 单片防火玻璃 非隔热", "fire_glass"),
    ("特级防火卷帘 耐火极限3小时", "fire_shutter"),
    ("消防水带 8-65-20 20米 DN65", "fire_hose"),
    ("消防水带 13-65-25 1.3MPa", "fire_hose"),
    ("KD65 内扣式接口 DN65", "fire_coupling"),
    ("KWS65 转 KD50 异径接口", "fire_coupling"),
    ("室内消火栓 SN65 DN65", "other_fire"),
    ("消防战斗服 XF 10-2014", "rescue_equipment"),
    ("抗溶水成膜泡沫液 AR/AFFF 3%", "foam_agent"),
    ("氟蛋白泡沫 FP 6%", "foam_agent"),
    ("柜式七氟丙烷 GQQ70/2.5 70L", "gas_suppression"),
    ("消防泵 XBD5.0/20 扬程50米 0.5MPa", "fire_pump"),
    ("ZR-BV 2.5平方 单芯 阻燃线", "flame_retardant_cable"),
    ("NH-YJV 4*16 耐火电缆 耐火90分钟", "fire_resistant_cable"),
    ("消防水带 13-65-25 GB 6246-2011 配 KD65 GB 12514.2", "fire_hose"),
    ("防烟面罩 TZL30 储存期60个月 佩戴用时5秒", "escape_respirator"),
    ("烟感 GB 20517-2025", "smoke_alarm"),  # the edition in force from 2026-06-01
    ("ZR-YJV 3*4+1*2.5 0.6/1kV 阻燃电缆", "flame_retardant_cable"),
    ("NH-BV 2.5平方 耐火电线 450/750V", "fire_resistant_cable"),
    ("WDZN-YJY 5*16 低烟无卤耐火电缆", "fire_resistant_cable"),
    ("ZC-YJV 3*4+1*2.5 4芯", "flame_retardant_cable"),
    ("灭火毯 1.2m*1.2m 厨房", "fire_blanket"),
    ("消防应急灯 磷酸铁锂电池 非钴酸锂", "emergency_light"),
    ("集中电源 应急照明 铅酸蓄电池", "emergency_light"),
    ("干粉灭火器 GB 4351-2023", "portable_extinguisher"),
    ("应急灯 GB 17945-2024", "emergency_light"),
    ("烟雾报警器 GB20517 EN14604", "smoke_alarm"),
    ("MFZ/ABC4 2kg 道具模型", "not_fire"),
    ("防火门 GB 12955-2024", "fire_door"),  # the edition in force from 2026-05-01
])
def test_clean(text, category):
    assert check_specs(text, category, NOW) == []


def test_title_versus_attribute():
    from classifiers.spec_checks import cross_field_mismatch
    t, a = "灭火毯 1.5m*1.5m 厨房", "尺寸 1m*1m"
    found = cross_field_mismatch(t, parse_specs(t), a, parse_specs(a), "fire_blanket")
    assert found and found[0].code == "spec_mismatch" and "灭火毯尺寸" in found[0].evidence
    assert "1.5×1.5" in found[0].evidence and "(" not in found[0].evidence  # no Python tuple
    start, end = found[0].span
    assert a[start:end] == "1m*1m"  # the attribute's contradicting value
    t, a = "泡沫灭火剂 AFFF 3%", "混合比 6%"
    assert cross_field_mismatch(t, parse_specs(t), a, parse_specs(a), "foam_agent")
    t, a = "消防水带 8-65-20", "规格 8-65-20"
    assert cross_field_mismatch(t, parse_specs(t), a, parse_specs(a), "fire_hose") == []
    assert cross_field_mismatch("玩具 1m*1m", parse_specs("玩具 1m*1m"), "尺寸 2m*2m", parse_specs("尺寸 2m*2m"),
                                "not_fire") == []


def test_switches_turn_unverified_rules_off():
    import copy
    facts = copy.deepcopy(load_facts())
    # unverified, on since issue 17: a 特级 shutter stating fewer than 3 hours is below its class;
    # the switch turns the rule off
    assert [f.code for f in check_specs("特级防火卷帘 耐火极限2小时", "fire_shutter", NOW)] == ["substandard_spec",
                                                                                            "spec_mismatch"]
    facts["fire_shutter"]["enforce"] = False
    assert check_specs("特级防火卷帘 耐火极限2小时", "fire_shutter", NOW, facts) == []
    for family, key in (("emergency_light", "min_emergency_minutes"), ("gas_suppression", "storage_pressures"),
                        ("respirator", "oxygen_deficient")):
        facts[family][key]["enforce"] = False
    facts["sprinkler"]["fast_response_rti"]["enforce"] = False
    for text, category in (("应急灯 应急时间20分钟", "emergency_light"), ("七氟丙烷 储存压力1.0MPa", "gas_suppression"),
                           ("自救呼吸器 适用于缺氧环境", "escape_respirator"), ("快速响应喷头 RTI 80", "sprinkler")):
        assert check_specs(text, category, NOW) and check_specs(text, category, NOW, facts) == []
    facts["fire_blanket"]["enforce"] = False
    facts["fire_hose"]["enforce"] = False
    assert check_specs("灭火毯 0.5*0.5m", "fire_blanket", NOW, facts) == []
    assert check_specs("消防水带 6-65-20", "fire_hose", NOW, facts) == []
