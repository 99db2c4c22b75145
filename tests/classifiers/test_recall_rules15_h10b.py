"""Specification misses of the opened heldout10 (second half: pumps, cables, coatings, foam, hoses, gear, boxes), each
general rule paired with a near miss that must not flag.

1. a flame-retardant category named after its noun (阻燃等级：B类) against the code's (ZA-YJV) -> spec_mismatch;
2. a PVC sheath (护套：聚氯乙烯) on a low-smoke halogen-free cable (WDZ-, 无卤) -> spec_mismatch;
3. a coating's dispersion code written as 分散介质代号 (S water-based) against 溶剂型 -> spec_mismatch;
4. an order's least length (200米起) and a list of reel lengths (每盘 100米/200米) are no hose length -> clean;
5. a fire pump naming a general pump standard as its 执行标准 -> substandard_spec;
6. a holder's capacity attribute (容纳数量：1具) against the title's 两具装 -> spec_mismatch;
7. a set of N pieces (6件套) whose contents list names fewer -> spec_mismatch;
8. an alcohol-resistant foam said not to be for alcohols -> spec_mismatch;
9. a cable's length per roll stated twice (100米/卷, 每卷80米) -> spec_mismatch;
10. a solid wire's conductor diameter short of its section (BV 4平方, 导体直径 2.0mm) -> substandard_spec.

The listings are written for these tests.
"""

from __future__ import annotations

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes, description=""):
    return found(rules, shop(title, "100", attributes, description), category)


# -- 1. a flame-retardant category named in words against the code's ---------------------------------------

def test_flame_class_word_against_code(rules):
    # (the title names its category in words too: the joined text then states two, which the code rule leaves)
    got = codes(rules, "ZA-YJV 0.6/1kV 3×16 阻燃A类 电力电缆 工厂", "flame_retardant_cable",
                {"型号": "ZA-YJV", "阻燃类别": "B类", "品牌": "某缆"})
    assert "spec_mismatch" in got


def test_flame_class_word_agreeing_or_listed_is_not_flagged(rules):
    assert "spec_mismatch" not in codes(rules, "ZA-YJV 0.6/1kV 3×16 阻燃A类 电力电缆 工厂", "flame_retardant_cable",
                                        {"型号": "ZA-YJV", "阻燃类别": "A类", "品牌": "某缆"})
    # several categories on offer: no one category is stated
    assert "spec_mismatch" not in codes(rules, "ZA-YJV 0.6/1kV 3×16 阻燃电力电缆 工厂", "flame_retardant_cable",
                                        {"型号": "ZA-YJV", "阻燃等级": "A类/B类/C类", "品牌": "某缆"})


# -- 2. a PVC sheath on a halogen-free cable ------------------------------------------------------------------

def test_pvc_sheath_on_halogen_free_cable(rules):
    got = codes(rules, "WDZN-YJY 低烟无卤耐火电缆 4×25 地铁隧道", "fire_resistant_cable",
                {"护套材料": "聚氯乙烯", "品牌": "某缆"})
    assert "spec_mismatch" in got and "含卤" in got["spec_mismatch"]


def test_polyolefin_sheath_or_plain_pvc_cable_is_not_flagged(rules):
    assert "spec_mismatch" not in codes(rules, "WDZN-YJY 低烟无卤耐火电缆 4×25 地铁隧道", "fire_resistant_cable",
                                        {"护套材料": "无卤聚烯烃", "品牌": "某缆"})
    # an ordinary PVC-sheathed cable claims no halogen-free sheath
    assert "spec_mismatch" not in codes(rules, "ZC-YJV 阻燃电力电缆 4×25 工程", "flame_retardant_cable",
                                        {"护套材料": "聚氯乙烯", "品牌": "某缆"})


# -- 3. a coating's dispersion code after 分散介质代号 ---------------------------------------------------------

def test_dispersion_code_against_solvent_words(rules):
    got = codes(rules, "油性溶剂型 薄型钢结构防火涂料 室外 厂房钢柱", "fire_retardant_coating",
                {"分散介质代号": "S", "品牌": "某涂"})
    assert "spec_mismatch" in got


def test_dispersion_code_agreeing_is_not_flagged(rules):
    got = codes(rules, "油性溶剂型 薄型钢结构防火涂料 室外 厂房钢柱", "fire_retardant_coating",
                {"分散介质代号": "R", "品牌": "某涂"})
    assert "spec_mismatch" not in got


# -- 4. order minimums and reel lists are no hose length -------------------------------------------------------

def test_order_minimum_and_reel_list_are_not_hose_lengths(rules):
    got = codes(rules, "消防水带 10-65-25 涂胶衬里 工程用", "fire_hose",
                {"每盘长度": "100米/200米", "品牌": "某带"}, "工程散卷按米卖，200米起，可截断。")
    assert "spec_mismatch" not in got


def test_hose_lengths_that_disagree_still_flag(rules):
    got = codes(rules, "消防水带 10-65-25 涂胶衬里 工程用", "fire_hose",
                {"长度": "20米", "品牌": "某带"})
    assert "spec_mismatch" in got


# -- 5. a fire pump's executed standard --------------------------------------------------------------------------

def test_fire_pump_naming_a_general_pump_standard(rules):
    got = codes(rules, "XBD8.0/40 立式消防泵 喷淋泵 45kW", "fire_pump",
                {"执行标准": "GB/T 3216-2016", "品牌": "某泵"})
    assert "substandard_spec" in got and "6245" in got["substandard_spec"]


def test_fire_pump_naming_its_own_standard_or_the_design_code_is_not_flagged(rules):
    assert "substandard_spec" not in codes(rules, "XBD8.0/40 立式消防泵 喷淋泵 45kW", "fire_pump",
                                           {"执行标准": "GB 6245-2006", "品牌": "某泵"})
    assert "substandard_spec" not in codes(rules, "XBD8.0/40 立式消防泵 喷淋泵 45kW", "fire_pump",
                                           {"执行标准": "GB 50974-2014", "品牌": "某泵"})


# -- 6. a holder's capacity against the title's pack --------------------------------------------------------------

def test_box_capacity_against_title_pack(rules):
    got = codes(rules, "不锈钢灭火器箱 三具装 8kg 小区楼道", "other_fire", {"容纳数量": "2具", "品牌": "某箱"})
    assert "spec_mismatch" in got


def test_box_capacity_agreeing_is_not_flagged(rules):
    got = codes(rules, "不锈钢灭火器箱 三具装 8kg 小区楼道", "other_fire", {"容纳数量": "3具", "品牌": "某箱"})
    assert "spec_mismatch" not in got


# -- 7. a set's piece count against its contents list ---------------------------------------------------------------

def test_set_with_fewer_pieces_listed(rules):
    got = codes(rules, "微型消防站 救援装备 6件套 物业 学校", "rescue_equipment",
                {"套装清单": "防护服1套、头盔1顶、腰带1条、安全绳1根、手电1个", "品牌": "某安"})
    assert "spec_mismatch" in got and "6 件套" in got["spec_mismatch"]


def test_set_list_complete_or_open_is_not_flagged(rules):
    assert "spec_mismatch" not in codes(rules, "微型消防站 救援装备 6件套 物业 学校", "rescue_equipment",
                                        {"套装清单": "防护服1套、头盔1顶、腰带1条、安全绳1根、手电1个、手套1双",
                                         "品牌": "某安"})
    # an item counted twice (手套×2) makes the count; a list left open (等) says nothing
    assert "spec_mismatch" not in codes(rules, "微型消防站 救援装备 6件套 物业 学校", "rescue_equipment",
                                        {"套装清单": "防护服、头盔、腰带、安全绳、手套×2", "品牌": "某安"})
    assert "spec_mismatch" not in codes(rules, "微型消防站 救援装备 6件套 物业 学校", "rescue_equipment",
                                        {"套装清单": "防护服、头盔、腰带等", "品牌": "某安"})


# -- 8. an alcohol-resistant foam not for alcohols ----------------------------------------------------------------------

def test_ar_foam_said_not_for_alcohols(rules):
    got = codes(rules, "AR-AFFF 3% 抗溶水成膜泡沫灭火剂 加油站 25kg", "foam_agent", {"品牌": "某剂"},
                "适合汽油柴油火灾，本品不能用于乙醇、丙酮类火灾。")
    assert "spec_mismatch" in got and "抗溶" in got["spec_mismatch"]


def test_ar_foam_for_alcohols_or_other_foam_denied_is_not_flagged(rules):
    assert "spec_mismatch" not in codes(rules, "AR-AFFF 3% 抗溶水成膜泡沫灭火剂 加油站 25kg", "foam_agent",
                                        {"品牌": "某剂"}, "可扑救乙醇、丙酮等水溶性液体火灾；普通泡沫不能用于醇类火灾。")
    # a plain (not alcohol-resistant) foam said not to be for alcohols is honest
    assert "spec_mismatch" not in codes(rules, "AFFF 3% 水成膜泡沫灭火剂 非抗溶型 25kg", "foam_agent",
                                        {"品牌": "某剂"}, "本品不能用于乙醇、丙酮类火灾。")


# -- 9. a cable's length per roll stated twice --------------------------------------------------------------------------

def test_roll_length_stated_twice(rules):
    got = codes(rules, "NH-BV 6平方 耐火电线 100米/卷 消防专线", "fire_resistant_cable", {"品牌": "某缆"},
                "每卷80米，铜芯足方。")
    assert "spec_mismatch" in got and "每卷长度" in got["spec_mismatch"]


def test_roll_length_agreeing_or_offered_is_not_flagged(rules):
    assert "spec_mismatch" not in codes(rules, "NH-BV 6平方 耐火电线 100米/卷 消防专线", "fire_resistant_cable",
                                        {"品牌": "某缆"}, "每卷100米，铜芯足方。")
    assert "spec_mismatch" not in codes(rules, "NH-BV 6平方 耐火电线 100米/卷 消防专线", "fire_resistant_cable",
                                        {"品牌": "某缆"}, "每卷50米的也有，可定做。")


# -- 10. a solid wire's diameter short of its section ------------------------------------------------------------------

def test_solid_wire_diameter_short_of_section(rules):
    got = codes(rules, "ZC-BV 4平方 阻燃单芯硬线 家装", "flame_retardant_cable", {"导体直径": "2.0mm", "品牌": "某缆"})
    assert "substandard_spec" in got and "导体截面不足" in got["substandard_spec"]


def test_solid_wire_diameter_full_or_strand_is_not_flagged(rules):
    # 2.25 mm is about 3.98 mm²: a full 4 mm² conductor
    assert "substandard_spec" not in codes(rules, "ZC-BV 4平方 阻燃单芯硬线 家装", "flame_retardant_cable",
                                           {"导体直径": "2.25mm", "品牌": "某缆"})
    # a flexible wire's strand diameter is no conductor diameter
    assert "substandard_spec" not in codes(rules, "ZC-BVR 4平方 阻燃多股软线 家装", "flame_retardant_cable",
                                           {"单丝直径": "0.3mm", "品牌": "某缆"})
