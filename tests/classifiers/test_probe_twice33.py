"""Session 33 probes: one quantity stated twice, and mutually exclusive words, in every place and notation a shop uses.

The listings were written for these tests from the facts in the spec (no data set). Each mechanism has listings
that must be flagged spec_mismatch and near misses beside them that must stay clean:
- hours said 钟头 or counted 个钟 (三个钟, 一个半钟头) and litres a second written out (20升每秒);
- the thing that lasts named before a verb of lasting (电池能用三年) and a figure asserted of the goods (这款是两公斤半的);
- a charging time (充电时间) is its own quantity, no emergency duration; a sound level said 报警声音;
- buyer questions, comparisons with other goods (比普通2kg的, 跟2kg的比, 与离子式不同) and cross-selling
  (建议搭配20米水带) state none of the product's own specs;
- a denial passes over a size before its word (不用9V碳性电池);
- the gas the description says the goods detect (专测液化气, 这款是检测液化气的, 天然气专用) against the title's, advice
  to other buyers (液化气用户请选另一款) claiming none;
- a smoke alarm's type row (类型：感温) is its detection attribute;
- a word of two word families (全铜: conductor and coupling) is read for each; a word the buyer is sent to as another
  choice (醇类请选抗溶型) names other goods.
"""

from __future__ import annotations

import pytest

from classifiers.numerals import arabic_before
from classifiers.same_quantity import _UNIT_FOLLOW_RE
from tests.classifiers.test_spec_contradictions import mismatch  # the listing's spec_mismatch reason, or None


FLAGGED = [
    # spoken hours and written-out flow
    ("emergency_light", "消防应急灯", {"应急时间": "120min"}, "客服：应急时间三个钟"),
    ("emergency_light", "消防应急灯", {"应急时间": "3小时"}, "应急时长：一个半钟头"),
    ("emergency_light", "应急灯", {"应急时间": "90分钟"}, "主播：停电了这灯能亮三个钟头"),
    ("fire_pump", "消防泵", {"流量": "40L/s"}, "流量：20升每秒"),
    # the thing that lasts before the verb; a figure asserted of the goods
    ("smoke_alarm", "独立式烟雾报警器 家用", {"电池寿命": "10年"}, "客服：电池能用三年左右"),
    ("portable_extinguisher", "灭火器 4公斤", {"规格": "4kg"}, "这款是两公斤半的"),
    # charging time and sound level
    ("emergency_light", "应急灯", {"充电时间": "24h"}, "充电时间：12小时"),
    ("smoke_alarm", "烟雾报警器 3C", {"报警声强": "85dB"}, "报警声音七十分贝，很响"),
    # a gas the description says the goods detect
    ("gas_detector", "燃气报警器 天然气 厨房", {"型号": "JT-AEC2363"}, "答：这款是检测液化气的"),
    ("gas_detector", "家用天然气报警器", {"报警器类型": "天然气"}, "主播：家里用液化气罐的就选这款，专测液化气"),
    ("gas_detector", "液化气报警器", {"品牌": "安达"}, "客服回复：亲，这个是天然气专用的"),
    # a smoke alarm's type row naming heat
    ("smoke_alarm", "独立式感烟火灾探测报警器", {"类型": "感温"}, "温度达到57度报警"),
    # a word of two families (全铜: a conductor's and a coupling's) read for each
    ("fire_coupling", "KD65 消防接口 铝合金", {"材质": "全铜"}, ""),
]

CLEAN = [
    # the same values in other notations, and other quantities of one unit
    ("emergency_light", "应急灯", {"应急时间": "180分钟"}, "主播：停电了这灯能亮三个钟头"),
    ("fire_pump", "消防泵", {"流量": "20L/s"}, "流量：二十升每秒"),
    ("smoke_alarm", "烟雾报警器 10年锂电", {"电池寿命": "10年"}, "客服：电池能用十年左右"),
    ("portable_extinguisher", "灭火器 2.5公斤", {"规格": "2.5kg"}, "这款是两公斤半的"),
    ("emergency_light", "消防应急灯", {"应急时间": "90min", "充电时间": "24h"}, "应急时间九十分钟，充电时间24小时"),
    ("smoke_alarm", "烟雾报警器", {"报警声强": "85dB"}, "报警声音八十五分贝"),
    ("emergency_light", "消防应急灯", {"应急时间": "90分钟"}, "三个钟表挂墙上，应急时间九十分钟"),
    # questions, comparisons and cross-selling
    ("portable_extinguisher", "手提式干粉灭火器 4kg", {"充装量": "4kg"}, "比普通2kg的灭火面积大一倍"),
    ("portable_extinguisher", "灭火器 4kg", {"充装量": "4kg"}, "跟2kg的比，灭火时间长一倍"),
    ("fire_resistant_cable", "耐火电缆 4平方", {"规格": "4mm²"}, "问：有6平方的吗？答：有，另拍"),
    ("fire_hose", "消防水带 25米", {"长度": "25米"}, "建议搭配20米水带一起使用"),
    ("smoke_alarm", "烟雾报警器 光电", {"类型": "光电感烟"}, "与离子式不同，不含放射源"),
    ("portable_extinguisher", "干粉灭火器 ABC", {"灭火剂": "ABC干粉"}, "问：和二氧化碳的有什么区别？答：二氧化碳的不留痕迹"),
    # denials and advice
    ("smoke_alarm", "烟雾报警器 10年锂电池", {"电池": "锂电池"}, "不用9V碳性电池，十年免换"),
    ("gas_detector", "家用天然气报警器", {"检测气体": "天然气"}, "不适用于液化气，液化气用户请选另一款"),
    ("gas_detector", "天然气报警器", {"检测气体": "天然气"}, "问：液化气能测吗？答：这款不能测液化气"),
    ("gas_detector", "一氧化碳报警器", {"检测气体": "一氧化碳"}, "不能检测天然气，需要请买燃气款"),
    ("gas_detector", "燃气报警器 天然气 液化气 通用", {"检测气体": "天然气/液化气"}, "天然气液化气都能测"),
    ("gas_detector", "燃气报警器", {"品牌": "安达"}, "专测液化气和天然气"),
    ("smoke_alarm", "光电烟雾报警器", {"类型": "独立式"}, ""),
    ("smoke_alarm", "复合式烟温报警器 感烟感温", {"类型": "复合式"}, "感烟+感温双重探测"),
    # another choice the buyer is sent to
    ("foam_agent", "水成膜泡沫液 3% 非抗溶", {"类型": "AFFF"}, "不适用于醇类火灾，醇类请选抗溶型"),
    ("fire_coupling", "KD65 消防接口 全铜", {"材质": "全铜"}, "需要轻便的可以选铝合金款"),
]


@pytest.mark.parametrize("category,title,attributes,description", FLAGGED)
def test_flagged(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, attributes, description) is not None


@pytest.mark.parametrize("category,title,attributes,description", CLEAN)
def test_clean(rules, category, title, attributes, description):
    found = mismatch(rules, category, title, attributes, description)
    assert found is None, found


def test_spoken_hours_read_as_hours():
    assert arabic_before("应急三个钟", _UNIT_FOLLOW_RE)[0] == "应急3小时"
    assert arabic_before("一个半钟头", _UNIT_FOLLOW_RE)[0] == "1.5小时"
    assert arabic_before("三个钟表", _UNIT_FOLLOW_RE)[0] == "三个钟表"


@pytest.mark.parametrize("attributes,flagged", [
    ({"门洞尺寸": "1800×800mm"}, True),
    ({"门洞尺寸": "1000*2100mm"}, False),  # either side first
    ({"门洞尺寸": "2080×980mm"}, False),  # within the door-size tolerance
    ({"门扇尺寸": "1800×800mm"}, False),  # a leaf is no opening
    ({"门扇厚度": "50mm", "门洞尺寸": "2100×1000mm"}, False),
])
def test_door_opening_twice(rules, attributes, flagged):
    found = mismatch(rules, "fire_door", "甲级钢质防火门 2100×1000", attributes, "")
    assert (found is not None) == flagged, found


@pytest.mark.parametrize("category,title,attributes,description,flagged", [
    # the traditional 約 before a value read as 约
    ("smoke_alarm", "烟雾报警器", {"电池寿命": "10年"}, "电池寿命：約3年", True),
    ("smoke_alarm", "烟雾报警器", {"电池寿命": "10年"}, "电池寿命：約10年", False),
    # a hydrant is indoor or outdoor
    ("other_fire", "室内消火栓 SN65", {"类型": "室外消火栓"}, "", True),
    ("other_fire", "室内消火栓 SN65", {"类型": "室内消火栓"}, "室外消火栓请另拍", False),
    ("other_fire", "室内消火栓箱 明装", {"适用": "室内外通用"}, "", False),
])
def test_notation_and_hydrant_place(rules, category, title, attributes, description, flagged):
    found = mismatch(rules, category, title, attributes, description)
    assert (found is not None) == flagged, found


def test_asides_end_at_their_clause_or_title_word():
    from classifiers.specs import parse_specs
    assert parse_specs("比普通款耐用 干粉灭火器 4kg").get("weights_kg") == [4.0]
    assert parse_specs("消防水带 25米 搭配20米水带更划算").get("lengths_m") == [25]
    assert not parse_specs("跟2kg的比，灭火时间长一倍").get("weights_kg")


def test_a_request_of_another_kind_keeps_the_detected_gas(rules):
    # advice sending other buyers elsewhere needs a choice verb after 请 (请选, 请拍); a request about installing does not
    # make the gas the goods detect someone else's
    assert mismatch(rules, "gas_detector", "家用天然气报警器 燃气泄漏探测器", {"品牌": "安居"},
                    "本款专测液化气安装请找物业或专业师傅。")
    assert not mismatch(rules, "gas_detector", "家用天然气报警器 燃气泄漏探测器", {"品牌": "安居"},
                        "本款专测天然气，液化气用户请选另一款。")
