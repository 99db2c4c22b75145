"""Session 34 probes: two mutually exclusive words for one property of the goods, category by category of the spec.

The listings were written for these tests from the facts in domain.md and taxonomy.md (no data set). Each mechanism
has listings that must be flagged spec_mismatch and near misses beside them that must stay clean:
- word families the spec's categories name and the rules lacked: an extinguisher's drive (储压式 / 贮气瓶式, and the
  code's structure letter Z), a sprinkler's heat element (玻璃球 / 易熔合金) and its response by the code's K- prefix,
  a foam concentrate's base (水成膜 / 蛋白 / 氟蛋白), a gas system's agent (七氟丙烷 / IG541 / 全氟己酮), and, each
  behind its own switch as unverified, an emergency lamp's mode (持续型 / 非持续型) and class (A型 / B型), a fire
  door's insulation and hold-open, a hose lined or not, a coupling's form, a hydrant's mount and type, a gas
  detector's use (家用 / 工业用), a respirator's face piece (全面罩 / 半面罩), a pump's drive, a blanket's fibre, a stand-alone electrical-fire detector;
- a respirator carrying its own air (正压式空气呼吸器) and a household alarm on AC220V join existing families;
- a steel-wood door (钢木质) is steel and wood: a part's row (面板：钢质) names no other door, a type row still does;
- near misses: a question (是否抗溶), an imitation (仿木质), a comparison with old goods (比老式贮气瓶式), a use
  refused (不适用于家用), other goods to order apart in the next clause (…，请另拍), a part's grade (工业级传感器),
  option lists, kits and adapters naming two values, AR-AFFF sold under the code S/AR;
- a noun's value in a seller's reply followed by 的 (导体是铝的亲), not a question (导体是铝的吗).
"""

from __future__ import annotations

import copy
import time

import pytest

from classifiers.specs import _REQUEST_AFTER_RE, load_facts, normalized, word_values
from tests.classifiers.test_spec_contradictions import mismatch  # the listing's spec_mismatch reason, or None


FLAGGED = [
    # extinguisher drive: words, the code's Z, a host's speech
    ("portable_extinguisher", "储压式干粉灭火器 4kg 家用", {"结构": "贮气瓶式"}, ""),
    ("portable_extinguisher", "MFZ/ABC4 干粉灭火器 4公斤", {"驱动方式": "外置储气瓶式"}, ""),
    ("portable_extinguisher", "ＭＦＺ／ＡＢＣ４ 干粉灭火器 ４公斤", {"结构形式": "外置 储气瓶式"}, ""),
    ("portable_extinguisher", "mfz/abc4 干粉灭火器 4kg 店铺", {}, "主播：咱们这款贮气瓶式的，老厂子出的"),
    ("portable_extinguisher", "贮气瓶式干粉灭火器 8kg 工厂", {}, "答：我们这款是储压式的，压力表指针在绿区"),
    # sprinkler element and response by code
    ("sprinkler", "玻璃球洒水喷头 下垂型 68℃ DN15", {"感温元件": "易熔合金"}, ""),
    ("sprinkler", "易熔合金洒水喷头 68℃ 直立", {}, "客服：喷头采用5mm玻璃球，红色68度"),
    ("sprinkler", "K-ZSTX15-68℃ 洒水喷头 下垂", {}, "答：这款是标准响应的，普通场所用"),
    # foam base and gas agent
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 3% 原液", {"类型": "蛋白泡沫"}, ""),
    ("foam_agent", "氟蛋白泡沫灭火剂 6% 油库", {}, "答：我们这款是水成膜的，成膜快"),
    ("foam_agent", "抗溶水成膜泡沫液 AR-AFFF 3%", {"是否抗溶": "非抗溶性"}, ""),
    ("gas_suppression", "七氟丙烷气体灭火装置 柜式 70L", {"灭火剂": "IG541"}, ""),
    ("gas_suppression", "七氟丙烷气体灭火装置 悬挂式 机房", {}, "主播：咱这个全氟己酮的，环保不破坏臭氧"),
    # emergency lamp mode and class
    ("emergency_light", "消防应急照明灯 持续型 LED 双头", {"工作方式": "非持续型"}, ""),
    ("emergency_light", "持续型消防应急标志灯 安全出口", {}, "主播：这个是非持续型的，平时不亮，停电才亮"),
    ("emergency_light", "A型消防应急标志灯 DC36V 安全出口", {"灯具类型": "B型"}, ""),
    ("emergency_light", "B型消防应急照明灯 AC220V 双头", {"类别": "A型"}, ""),
    # door insulation and hold-open; a type row against a steel-wood title
    ("fire_door", "隔热防火门 乙级 钢质", {"隔热性": "非隔热"}, ""),
    ("fire_door", "常闭式防火门 乙级 钢质", {}, "客服：这款是常开式的，配电磁释放器"),
    ("fire_door", "钢木质防火门 乙级 酒店", {"类型": "钢质防火门"}, ""),
    # hose, coupling, hydrant, gas detector, pump, blanket, electrical-fire detector
    ("fire_hose", "有衬里消防水带 8-65-20", {"衬里": "无衬里"}, ""),
    ("fire_coupling", "内扣式消防接口 KD65 铝合金", {"接口形式": "卡式"}, ""),
    ("fire_coupling", "卡式消防接口 KD65 铜", {}, "答：这个是螺纹式的，需要拧上去"),
    ("other_fire", "地上式室外消火栓 SS100/65", {"安装形式": "地下式"}, ""),
    ("other_fire", "室内消火栓 SN65 减压稳压型", {"栓型": "普通型"}, ""),
    ("gas_detector", "家用可燃气体探测器 天然气报警器 厨房", {"适用场所": "工业用"}, ""),
    ("gas_detector", "家用燃气报警器 天然气 厨房", {}, "答：这个是工业用的哦，4-20mA输出"),
    ("fire_pump", "柴油机消防泵组 XBC 150m3/h", {"动力": "电动机"}, ""),
    ("fire_pump", "电动消防泵 XBD5.0/20 立式", {}, "答：这套是柴油机驱动的，停电也能用"),
    ("fire_blanket", "芳纶灭火毯 1.5×1.5m", {"材质": "玻璃纤维"}, ""),
    ("electrical_fire_detector", "独立式电气火灾监控探测器 剩余电流", {"类型": "非独立式"}, ""),
    # existing families' new words and a reply's 的
    ("escape_respirator", "消防过滤式自救呼吸器 TZL30 酒店", {}, "答：这款是正压式空气呼吸器，自带气瓶"),
    ("escape_respirator", "过滤式消防自救呼吸器 全面罩 TZL30", {"面罩类型": "半面罩"}, ""),
    ("smoke_alarm", "独立式烟雾报警器 电池款 家用", {"供电方式": "AC220V"}, ""),
    ("flame_retardant_cable", "ZR-YJV 阻燃电缆 铜芯 3×4", {}, "问：导体是什么材质 答：导体是铝的亲"),
]

CLEAN = [
    # comparisons, questions, denials, imitation, refusals
    ("portable_extinguisher", "储压式干粉灭火器 4kg 家用", {"结构": "储压式"}, "比老式贮气瓶式更省心，压力表一眼可看"),
    ("portable_extinguisher", "储压式干粉灭火器 4kg 家用", {}, "问：是贮气瓶式的吗 答：不是，储压式的"),
    ("sprinkler", "玻璃球洒水喷头 下垂型 68℃", {}, "比易熔合金喷头反应更快，更灵敏"),
    ("sprinkler", "易熔合金洒水喷头 72℃ 直立型", {}, "无玻璃球，不怕碰碎"),
    ("emergency_light", "消防应急照明灯 非持续型 LED", {}, "区别于持续型，平时不亮，断电自动点亮"),
    ("emergency_light", "A型消防应急照明灯 DC36V 双头", {}, "可替代B型灯具，更安全"),
    ("fire_door", "钢质防火门 乙级 单开", {}, "表面仿木质纹理，美观大方"),
    ("fire_door", "隔热防火门 甲级 钢质", {}, "不同于非隔热门，背火面温升低"),
    ("fire_hose", "有衬里消防水带 8-65-20", {}, "比无衬里水带更耐压"),
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 6%", {}, "可替代蛋白泡沫液，灭火更快"),
    ("gas_suppression", "七氟丙烷柜式灭火装置 70L", {}, "不同于IG541混合气体，七氟丙烷储存压力低"),
    ("gas_detector", "工业用可燃气体探测器 点型 防爆", {}, "不适用于家用厨房"),
    ("gas_detector", "家用燃气报警器 天然气 厨房", {"传感器": "工业级传感器"}, ""),
    ("fire_blanket", "玻璃纤维灭火毯 1.2×1.2m", {}, "比芳纶毯便宜，性价比高"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {}, "本品不能代替空气呼吸器用于灭火救援"),
    ("escape_respirator", "过滤式消防自救呼吸器 头罩式 TZL30", {}, "比半面罩防护更全面，护住头部"),
    ("flame_retardant_cable", "ZR-YJV 阻燃电缆 铜芯 3×4", {}, "问：导体是铝的吗 答：纯铜"),
    # other goods: to order apart in the next clause, by request, by another link
    ("fire_door", "常闭式钢质防火门 乙级", {}, "常开式防火门需配释放器，请另拍"),
    ("fire_door", "钢质防火门 乙级 单开 楼道", {}, "双开门请另拍链接"),
    ("other_fire", "地上式室外消火栓 SS100/65", {}, "地下式请咨询客服"),
    ("fire_pump", "电动消防泵 XBD5.0/20 卧式", {}, "柴油机泵组请另拍"),
    ("gas_suppression", "七氟丙烷柜式灭火装置 单瓶 90L", {}, "问：有全氟己酮的吗 答：全氟己酮请另拍"),
    # both values: option lists, kits, adapters, pump sets, both-words, a steel-wood door's part
    ("emergency_light", "消防应急标志灯 安全出口 LED", {"工作方式": "持续型/非持续型可选"}, ""),
    ("sprinkler", "洒水喷头套装 68℃ 20只", {}, "套装含玻璃球喷头10只、易熔合金喷头10只"),
    ("fire_coupling", "内扣式转卡式异径接头 KD65", {}, "内扣式转卡式，方便两种接口对接"),
    ("fire_pump", "消防泵组 一用一备 电动泵+柴油机泵", {}, "主泵电动，备用柴油机泵"),
    ("fire_door", "钢木质防火门 乙级", {"面板": "钢质"}, ""),
    ("fire_blanket", "玻璃纤维灭火毯 硅胶涂层 1.2×1.2m", {"材质": "玻璃纤维+硅胶涂层"}, ""),
    # AR-AFFF under the sellers' code S/AR (no synthetic-foam group)
    ("foam_agent", "抗溶水成膜泡沫灭火剂 S/AR 3%", {"型号": "S/AR 3%"}, ""),
]


@pytest.mark.parametrize("category,title,attributes,description", FLAGGED)
def test_exclusive_words_flagged(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, attributes, description) is not None


@pytest.mark.parametrize("category,title,attributes,description", CLEAN)
def test_near_misses_clean(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, attributes, description) is None


def test_evidence_names_the_family(rules):
    found = mismatch(rules, "portable_extinguisher", "储压式干粉灭火器 4kg 家用", {"结构": "贮气瓶式"}, "")
    assert "灭火器驱动方式" in found.evidence and "贮气瓶式" in found.evidence


def test_a_family_switched_off_is_not_read():
    facts = copy.deepcopy(load_facts())
    facts["word_families"]["families"]["light_mode"]["enforce"] = False
    facts["word_families"]["families"]["light_class"]["enforce"] = False
    text = normalized("持续型。A型灯具。灯具类型 B型")
    assert {"light_mode", "light_class"} <= set(word_values(text, load_facts()))
    assert not {"light_mode", "light_class"} & set(word_values(text, facts))


def test_request_after_stays_linear_on_hostile_text():
    text = "常开式" + "，" * 3000 + " " * 3000 + "防火门" * 500
    start = time.perf_counter()
    for at in range(0, 200):
        _REQUEST_AFTER_RE.match(text, at)
    assert time.perf_counter() - start < 0.5
    start = time.perf_counter()
    word_values("导体" + " " * 20000 + "。" * 5000 + "铝的", load_facts())  # a noun's value after a run of spaces
    assert time.perf_counter() - start < 0.5
    said = normalized("常开式防火门需配释放器，请另拍")
    assert _REQUEST_AFTER_RE.match(said, said.index("防火门"))
    assert not _REQUEST_AFTER_RE.match(normalized("常开式防火门，放心购买"), 3)
