"""Session 38: a model code against the part it encodes stated otherwise (probes written from domain.md / taxonomy.md).

Families audited: extinguisher M+agent+structure/feature+amount (MFZ/ABC4, MT3, MPZ/6, MSWZ/3), TZL minutes, sprinkler
ZST+mounting+bore+temperature (K-/T- response), door GFM/MFM+opening+A-rating, glass FFB/DFB-thickness-class+hours, hose
class-bore-length, KD coupling bore, XBD pressure/flow, AFFF mix ratio, GQQ volume/pressure, cable class/N mark/type code
(conductor, insulation), coating N/W S/R. 98 must-flag probes and 59 near misses; before: 14 missed, 11 false flags;
after: 4 missed (a code and a contradicting word inside one title, left: a title naming two values is often a list of
options), 0 false flags. Each case below failed on the old code, or is a guard that a near miss stays unflagged.

What changed: a reply's fill said with a verb (这款装的是四公斤的粉); a flow in 升每秒; a mix ratio in words (百分之六);
a noun's value said with a verb (绝缘层采用聚氯乙烯); a hand-held code (no T, a hand-held size) states 手提式; a cable type
code's insulation (YJV cross-linked polyethylene; not BV's PVC, see specs.yaml) and a mineral cable's copper conductor (BTTZ), behind the
word family's code_values switch; other goods blanked: the shop's own 也有/还有, a bare 也有 before a clause ending on 的,
a sentence opening on another variant to its end, an accessory (配套, 另附), a clause ending on 另有售, a reply pricing
another class (答：乙级便宜两百), a mass an accessory fits (支架适用1-8kg灭火器).
"""

from __future__ import annotations

import time

import pytest

from tests.classifiers.test_recall_rules import found, shop

FLAG = [
    # a seller's reply naming the fill with a verb, in words
    ("portable_extinguisher", "淮海 灭火器 MFZ/ABC5", {}, "客服：这款装的是四公斤的粉。"),
    # a hand-held code (no T) against 推车式 in a row or the description
    ("portable_extinguisher", "淮海 MFZ/ABC4 干粉灭火器", {"类型": "推车式"}, ""),
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC4 4kg", {}, "推车式设计，轮子结实。"),
    # a pump code's flow against a flow in 升每秒
    ("fire_pump", "淮海 消防泵 XBD5.0/20-100", {}, "额定流量40升每秒。"),
    ("fire_pump", "淮海 XBD5.0/20 消防泵", {}, "答：流量是30升每秒。"),
    # a foam's mix ratio in words
    ("foam_agent", "淮海 泡沫液 AFFF 3%", {}, "问：混合比多少？答：百分之六。"),
    # a cable type code's insulation against the insulation stated (a row, the description, with a verb)
    ("fire_resistant_cable", "淮海 NH-YJV 0.6/1kV 耐火电缆", {"绝缘材料": "聚氯乙烯"}, ""),
    ("fire_resistant_cable", "淮海 NH-YJV 0.6/1kV 耐火电缆", {}, "绝缘层采用聚氯乙烯，性价比高。"),
    # a mineral cable's copper conductor against aluminium
    ("fire_resistant_cable", "淮海 BTTZ 矿物绝缘电缆", {"导体": "铝"}, ""),
]


@pytest.mark.parametrize("category, title, attributes, description", FLAG)
def test_a_code_against_the_part_stated_otherwise(rules, category, title, attributes, description):
    assert "spec_mismatch" in found(rules, shop(title, "80", {"品牌": "淮海", **attributes}, description), category)


# (guards) stated by the listing itself, after a variant on offer or a reply that first says the class
GUARD_FLAG = [
    ("escape_respirator", "淮海 TZL30 自救呼吸器", {}, "另有儿童款，颜色可选。本款防护时间20分钟。"),
    ("fire_door", "淮海 钢质防火门 GFM-1021-bdk5 A1.50(甲级)", {}, "问：这个什么级别？答：乙级，不贵。"),
    ("fire_coupling", "淮海 KD65 水带接口", {}, "配套50水带使用。"),
]


@pytest.mark.parametrize("category, title, attributes, description", GUARD_FLAG)
def test_the_listings_own_statement_still_flags(rules, category, title, attributes, description):
    assert "spec_mismatch" in found(rules, shop(title, "80", {"品牌": "淮海", **attributes}, description), category)


CLEAN = [
    # an accessory and what it fits; a range
    ("portable_extinguisher", "淮海 MFZ/ABC4 干粉灭火器 4kg", {}, "配套灭火器箱可装两具MFZ/ABC8。"),
    ("portable_extinguisher", "淮海 干粉灭火器 MFZ/ABC4", {}, "适用1-8kg灭火器的支架另有售。"),
    ("portable_extinguisher", "淮海 MFZ/ABC4 干粉灭火器", {}, "支架适用1-8kg灭火器。"),
    ("fire_hose", "淮海 消防水带 8-65-20", {}, "配套KD65接口，另附DN50转换头。"),
    # another product the shop also sells, the sentence speaking of it to its end
    ("escape_respirator", "淮海 TZL30 自救呼吸器", {}, "另有TZL20款，防护20分钟。"),
    ("escape_respirator", "淮海 TZL30 自救呼吸器", {}, "另有儿童款，防护时间20分钟。"),
    ("sprinkler", "淮海 ZSTX15-68℃ 喷头", {}, "本店也有93℃绿色的，另拍。"),
    ("fire_hose", "淮海 消防水带 8-65-20", {}, "也有8-65-25和DN50的，另拍。"),
    ("fire_pump", "淮海 XBD5.0/20 消防泵", {}, "店内还有XBD8.0/30，流量30L/s。"),
    ("flame_retardant_cable", "淮海 ZC-BV 2.5 阻燃电线", {}, "本店也有ZB-YJV 0.6/1kV电缆。"),
    ("portable_extinguisher", "淮海 MFZ/ABC4 干粉灭火器 4kg", {}, "另有推车式35公斤款，另拍。"),
    # a buyer's question about another class, the reply pricing it
    ("fire_door", "淮海 GFM-1021-bdk5 A1.50(甲级) 防火门", {}, "问：乙级的多少钱？答：乙级便宜两百。"),
    # the same value restated; a part the code does not encode; a wheeled size with no T
    ("portable_extinguisher", "淮海 MFZ/ABC4 手提式干粉灭火器", {"类型": "手提式"}, ""),
    ("other_fire", "淮海 MFZ/ABC35 推车式灭火器", {"类型": "推车式"}, ""),
    ("fire_resistant_cable", "淮海 NH-YJV 0.6/1kV 耐火电缆", {}, "交联聚乙烯绝缘，聚氯乙烯护套。"),
    ("fire_resistant_cable", "淮海 NH-YJV 0.6/1kV 耐火电缆", {"护套": "聚氯乙烯"}, ""),
    ("flame_retardant_cable", "淮海 ZC-BV 2.5 阻燃电线", {"绝缘材料": "聚氯乙烯"}, ""),
    ("flame_retardant_cable", "淮海 ZC-BV 2.5 阻燃电线", {}, "比交联聚乙烯绝缘的便宜。"),
    ("fire_resistant_cable", "淮海 BTTZ 1*10 矿物绝缘电缆", {"导体": "铜", "绝缘": "氧化镁"}, ""),
    ("foam_agent", "淮海 AFFF 3% 泡沫液", {}, "答：百分之三的。"),
    ("foam_agent", "淮海 AFFF 3% 泡沫液", {}, "百分之百原装正品。"),
    ("fire_pump", "淮海 XBD5.0/20 消防泵", {}, "额定流量20升每秒。"),
    ("fire_coupling", "淮海 KD65 水带接口", {}, "配套65水带使用。"),
    ("portable_extinguisher", "淮海 MFZ/ABC4 干粉灭火器", {}, "答：车上放的话装的是一公斤的就够了。"),
]


@pytest.mark.parametrize("category, title, attributes, description", CLEAN)
def test_a_near_miss_stays_unflagged(rules, category, title, attributes, description):
    assert "spec_mismatch" not in found(rules, shop(title, "80", {"品牌": "淮海", **attributes}, description), category)


def test_the_evidence_points_at_the_row_value(rules):
    item = shop("淮海 NH-YJV 0.6/1kV 耐火电缆", "80", {"品牌": "淮海", "绝缘材料": "聚氯乙烯"}, "")
    reasons, _ = rules.check(item, "fire_resistant_cable")
    r = next(r for r in reasons if r.code == "spec_mismatch")
    assert r.source == "attributes.绝缘材料" and (r.start, r.end) == (0, 4) and "聚氯乙烯" in r.evidence


N = 12000


@pytest.mark.parametrize("category, text", [
    ("portable_extinguisher", "本店也有" + "4" * N),        # a variant blanked, then a mass's fit read after a run
    ("portable_extinguisher", "问：答：便宜" + "便" * N),    # a reply pricing another class
    ("portable_extinguisher", "适用" + " " * N + "4kg灭火器"),
    ("portable_extinguisher", "另有，" * N),
    ("fire_hose", "配套" + " " * N + "65水带"),
    ("fire_resistant_cable", "绝缘层采用" * (N // 5)),
])
def test_a_long_run_is_read_in_linear_time(rules, category, text):
    found(rules, shop("消防器材 MFZ/ABC4 8-65-20 NH-YJV", "98", {"规格": "4kg"}, "4kg"), category)  # warm
    t0 = time.perf_counter()
    found(rules, shop("消防器材 MFZ/ABC4 8-65-20 NH-YJV", "98", {"规格": "4kg"}, text), category)
    assert time.perf_counter() - t0 < 1.0
