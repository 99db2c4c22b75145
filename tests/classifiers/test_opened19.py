"""Mechanisms read from heldout19's misses and false flags once it was opened (session 37), each beside a near miss.

1. a reply's bare duration to a question naming fire resistance is read though a shipping line follows in the next
   clause (答：一个半小时。物流到付); an errand in the reply's own clause (两小时后发货) still makes it the errand's;
2. a gas detector's concentration reached (浓度到达25%LEL时声光报警) is its alarm set point; a level named right after
   it (达到10%LEL时一级报警) is that level's;
3. an alarm's battery replaceable and sealed (可换电池 against 一体密封不可更换; unverified family, behind its switch);
4. an emergency lamp whose body holds the battery (灯体内置电池, 不用另外接电源箱) is self-powered;
5. a certificate whose product row names another product, for voluntary products too (证书产品：有衬里消防水带 on a
   fire blanket);
6. false flags: a buyer asking whether it passes the fire check (能过消防检查吗？) answered without a promise; a
   buyer's question (问：是不是钴酸锂？) and what a rule does not let the shop use (新国标不让用钴酸锂); a buyer asking
   about oxygen-deficient places (问：能用在缺氧的地方吗？答：不能).
"""

from __future__ import annotations

import copy

import pytest

from classifiers.specs import load_facts, normalized, word_values
from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("fire_door", "乙级防火门 钢木 楼梯间", {"防火等级": "乙级"}, "整樘含门框。\n问：耐火多久？\n答：一个半小时。\n物流到付，上门安装另算。",
     "spec_mismatch"),
    ("fire_door", "乙级防火门 钢木", {"防火等级": "乙级"}, "问：耐火多久？答：一个半小时，安装另算。", "spec_mismatch"),
    ("gas_detector", "家用燃气报警器 报警点10%LEL", {"报警设定值": "10%LEL"}, "浓度到达25%LEL时声光报警，提醒开窗关阀。",
     "spec_mismatch"),
    ("gas_detector", "家用燃气报警器", {"报警浓度": "8%LEL"}, "气体浓度达到 15%LEL 就会报警。", "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器 9V干电池款 可换电池", {"电池": "9V干电池"}, "内置锂电池，一体密封不可更换。", "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器 电池可更换", {"电池能否更换": "不能换"}, "家用卧室。", "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 集中电源型", {"系统类型": "集中电源集中控制型"}, "灯体内置电池，断电自己切换应急，不用另外接电源箱。",
     "spec_mismatch"),
    ("fire_blanket", "灭火毯 1.2米 附证书", {"证书产品": "有衬里消防水带"}, "我们厂有认证证书。", "invalid_certificate"),
    ("sprinkler", "玻璃球洒水喷头 68℃ ZSTX15", {"认证产品": "手提式干粉灭火器"}, "", "invalid_certificate"),
])
def test_heldout19_mechanisms(rules, category, title, attributes, description, code):
    assert code in found(rules, shop(title, "1280" if category == "fire_door" else "45", attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, description, code", [
    ("fire_door", "乙级防火门 钢木", {"防火等级": "乙级"}, "问：耐火多久？答：两小时后发货。", "spec_mismatch"),
    ("gas_detector", "工业可燃气体探测器 两级报警", {"低报": "10%LEL", "高报": "25%LEL"},
     "浓度达到10%LEL时一级报警，达到25%LEL时二级报警并联动排风。", "spec_mismatch"),
    ("gas_detector", "家用燃气报警器 报警点20%LEL", {"报警设定值": "20%LEL"}, "泄漏浓度达到20%LEL就报警，测量范围0-100%LEL。",
     "spec_mismatch"),
    ("smoke_alarm", "烟感报警器 一体密封设计 防尘防潮", {"电池": "9V干电池", "可否更换": "可换"}, "外壳一体密封，电池仓可打开换电池。",
     "spec_mismatch"),
    ("gas_detector", "燃气报警器 家用 插电", {"供电": "220V"}, "不用电池。不满意7天可换，定制不可更换。", "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 集中电源型", {"系统类型": "集中电源集中控制型"}, "灯具不带电池，由应急照明集中电源供电。",
     "spec_mismatch"),
    ("fire_blanket", "灭火毯 1.2米 消防认证", {"证书产品": "灭火毯"}, "", "invalid_certificate"),
    ("fire_hose", "有衬里消防水带 8-65-20", {"认证产品": "有衬里消防水带、消防接口"}, "", "invalid_certificate"),
    ("portable_extinguisher", "MFZ/ABC4 手提灭火器 2A/55B GB4351-2023", {"型号": "MFZ/ABC4", "认证": "CCC"},
     "新国标灭火器。\n问：能过消防检查吗？\n答：正规3C产品，按场所要求配置就行。", "inspection_only"),
    ("emergency_light", "新国标应急照明 GB17945-2024", {"电池类型": "磷酸铁锂"}, "问：是不是钴酸锂？\n答：不是，新国标不让用钴酸锂。",
     "substandard_spec"),
    ("escape_respirator", "过滤式自救呼吸器 TZL20", {"型号": "TZL20"}, "20分钟防护。\n问：能用在缺氧的地方吗？\n答：不能，只适用于氧气不低于17%的场所。",
     "substandard_spec"),
])
def test_heldout19_near_misses(rules, category, title, attributes, description, code):
    price = "1280" if category == "fire_door" else "380" if "工业" in title else "68"
    assert code not in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("description, code", [
    ("问：能用在缺氧的地方吗？\n答：能，缺氧环境也能用。", "substandard_spec"),
    ("问：是什么电池？\n答：钴酸锂的，续航长。", "substandard_spec"),
    ("问：能过消防检查吗？\n答：能过，放心买。", "inspection_only"),
])
def test_a_sellers_answer_still_states(rules, description, code):
    category = {"substandard_spec": "escape_respirator" if "缺氧" in description else "emergency_light",
                "inspection_only": "portable_extinguisher"}[code]
    title = {"escape_respirator": "过滤式自救呼吸器 TZL30", "emergency_light": "消防应急照明灯 GB17945-2024",
             "portable_extinguisher": "MFZ/ABC4 手提灭火器"}[category]
    assert code in found(rules, shop(title, "68", {}, description), category)


def test_the_battery_swap_family_sits_behind_its_switch():
    facts = copy.deepcopy(load_facts())
    assert facts["word_families"]["families"]["alarm_battery_swap"]["enforce"] is True
    facts["word_families"]["families"]["alarm_battery_swap"]["enforce"] = False
    text = normalized("可换电池。电池不可更换")
    assert "alarm_battery_swap" in word_values(text, load_facts())
    assert "alarm_battery_swap" not in word_values(text, facts)
