"""Mechanisms read from heldout20's misses and false flags once it was opened (session 38), each beside a near miss.

1. a mask said to hold out in speech (戴上能顶二十分钟) states its protection time;
2. a battery's life in a reply to a question that also asks about replacing it (问：电池能用多久，要经常换吗？): its 换 is the
   battery's, not an exchange of the order; and a hedge after a value's unit ends its clause (能用三年左右，三年后换一颗),
   no list of two values;
3. one emergency lamp centrally powered and carrying its own battery (集中电源型出口灯，灯体自带电池): the power family names
   one value per lamp (`one_value`), both on offer (集中电源型/自带电源型可选, 也有自带电源型的) is no such naming;
4. a latin word after a Chinese character is read (仅支持AC220V against 电池供电);
5. false flags: buyers who must pass a check sent to certified goods or away from these (要过检查的话建议买带证的,
   要给消防看证书的亲别拍) buy no unit for the check.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("escape_respirator", "防烟面罩 30分钟 家庭逃生", {"防护时间": "30分钟"}, "这个面罩戴上能顶二十分钟，足够你从楼道走出去了。",
     "spec_mismatch"),
    ("escape_respirator", "过滤式自救呼吸器", {"防护时间": "30分钟"}, "戴上能扛十五分钟。", "spec_mismatch"),
    ("smoke_alarm", "烟感报警器 十年电池 家用", {"电池寿命": "10年"},
     "免布线。\n问：电池能用多久，要经常换吗？\n答：亲，正常能用三年左右，三年后换一颗就行。", "spec_mismatch"),
    ("smoke_alarm", "烟感报警器 家用", {"电池寿命": "10年"}, "问：多久换一次电池？\n答：能用两年。", "spec_mismatch"),
    ("emergency_light", "集中电源型 安全出口指示灯 自带电池", {"供电方式": "集中电源集中控制型"},
     "集中电源型出口灯，灯体自带电池，断电了自己亮，不用另配主机也不用拉线。", "spec_mismatch"),
    ("gas_detector", "家用燃气报警器 电池供电 无需插电", {"供电": "仅支持AC220V"}, "电池款不用插电，厨房没插座也能装。",
     "spec_mismatch"),
])
def test_heldout20_mechanisms(rules, category, title, attributes, description, code):
    assert code in found(rules, shop(title, "49", attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("escape_respirator", "防烟面罩 TZL30", {"防护时间": "30分钟"}, "戴上能顶三十分钟，吸顶灯旁边放一个。", "spec_mismatch"),
    ("smoke_alarm", "烟感报警器 家用", {"电池寿命": "10年"}, "问：多久发货，坏了能换吗？\n答：三年内坏了免费换。", "spec_mismatch"),
    ("smoke_alarm", "烟感报警器 家用 十年电池", {}, "问：电池能用多久？\n答：十年左右，到时候整个换掉。", "spec_mismatch"),
    ("fire_hose", "消防水带 8-65-20", {"长度": "20米"}, "有20米左右，25米左右两种长度。", "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 集中电源型", {"供电方式": "集中电源集中控制型"}, "集中电源型/自带电源型可选，下单备注。",
     "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 集中电源型", {"供电方式": "集中电源集中控制型"}, "集中电源型，也有自带电源型的，需要请咨询。",
     "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 集中电源型", {"供电方式": "集中电源集中控制型"}, "集中电源型，比自带电源型省维护。",
     "spec_mismatch"),
    ("emergency_light", "应急照明集中电源 主机", {"类型": "集中电源"}, "集中电源主机，内置蓄电池组，带16回路。", "spec_mismatch"),
    ("gas_detector", "家用燃气报警器 交直流两用", {"供电": "AC220V+备用电池"}, "插电使用，停电时备用电池供电。", "spec_mismatch"),
    ("escape_respirator", "自救呼吸器 批发 无3C 出口款", {"型号": "TZL30", "认证": "无3C"},
     "出口款没有做3C，按个算，一百个起批。国内酒店要过检查的话建议买带证的。", "inspection_only"),
    ("smoke_alarm", "烟雾报警器 家用 无3C 出租屋", {"认证": "无3C"}, "出租屋自己用够了，要给消防看证书的亲别拍。", "inspection_only"),
])
def test_heldout20_near_misses(rules, category, title, attributes, description, code):
    assert code not in found(rules, shop(title, "49", attributes, description), category)


@pytest.mark.parametrize("description", [
    "要应付检查的话拍这个就行，检查能过。",
    "要过年检的话建议拍这款，便宜，年检专用。",
])
def test_a_check_still_named_as_the_purpose(rules, description):
    assert "inspection_only" in found(rules, shop("灭火器4kg 干粉", "45", {"型号": "MFZ/ABC4"}, description),
                                      "portable_extinguisher")
