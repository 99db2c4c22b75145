"""Mechanisms read from heldout21's misses and false flags once it was opened (session 39), each beside a near miss.

1. a pack's price: 3支一起39元 (一起 is "together", no tier's bound) and 一盒10只 (a box holding a count is no single piece);
2. a lamp's battery said inside it (灯内自带电池) beside a central power type; a gas detector sold stand-alone against one
   that must be wired to a controller (需接入报警控制器); a verb between a denial and the word (不用接集中电源) denies it;
3. a battery's lifetime between a denial and its kind (不是10年锂电) is denied with it;
4. a clause about old goods taken back (老款铅酸的应急灯用到报废了可以寄回, 以旧换新：换下来的旧干粉灭火器可抵10元) states
   nothing of the goods;
5. a hose's own length said per coil (每盘长度20米), not a reel's;
6. a buyer's question (问：有3C吗？) claims no 3C unless a bare yes takes it up;
7. several agent containers (瓶组 90L×4) hold the fill between them;
8. a voltage with a word naming its kind after it (12V低压) is the title's headline voltage.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("portable_extinguisher", "干粉灭火器 4kg 3支装 MFZ/ABC4 厂家直发", "36", {"型号": "MFZ/ABC4", "数量": "3支"},
     "3支一起36元，厂里直接发货。", "price_too_low"),
    ("smoke_alarm", "烟雾报警器 10只装 家用 出租房", "55", {"数量": "10只/盒", "型号": "GS-536"}, "一盒10只55元，每个房间一个。",
     "price_too_low"),
    ("emergency_light", "安全出口指示灯 集中电源型 停电90分钟", "29", {"供电方式": "集中电源集中控制型"},
     "集中电源型，灯内自带电池，停电也亮。", "spec_mismatch"),
    ("gas_detector", "独立式可燃气体报警器 家用 自己会响", "58", {"类型": "总线制，需接入报警控制器"}, "装上就能用。",
     "spec_mismatch"),
    ("fire_hose", "消防水带 DN65 25米 有衬里", "85", {"口径": "DN65"}, "每盘长度20米，两头带接口。", "spec_mismatch"),
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", "480", {}, "问：有3C认证吗？\n答：有的，3C证书齐全。",
     "invalid_certificate"),
    ("gas_suppression", "七氟丙烷灭火装置 90L×4 瓶组", "46000", {"药剂充装": "约520kg"}, "", "substandard_spec"),
    ("emergency_light", "老款应急灯 清仓 铅酸电池 充电式", "22", {"电池": "铅酸蓄电池"}, "老款铅酸电池的应急灯，库存清仓。",
     "substandard_spec"),
    ("gas_detector", "燃气报警器 家用 12V低压 安全", "65", {"工作电压": "AC220V"}, "插电使用。", "spec_mismatch"),
])
def test_heldout21_mechanisms(rules, category, title, price, attributes, description, code):
    assert code in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("portable_extinguisher", "干粉灭火器 4kg MFZ/ABC4 厂家直发", "36", {"型号": "MFZ/ABC4"}, "10具起36元，量大再谈。",
     "price_too_low"),
    ("emergency_light", "安全出口指示灯 自带电源型", "29", {"供电方式": "自带电源非集中控制型"}, "灯内自带电池，不用接集中电源。",
     "spec_mismatch"),
    ("emergency_light", "安全出口指示灯 自带电源型", "29", {"供电方式": "自带电源非集中控制型"}, "不需要另外接集中电源。",
     "spec_mismatch"),
    ("gas_detector", "独立式燃气报警器 家用", "58", {"类型": "独立式"}, "无需接控制器，插电就能用，可联动机械手。", "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器 家用 电池可换", "25.8", {"电池": "9V碱性电池"}, "问：为什么便宜？\n答：用的是可换电池，不是10年锂电。",
     "spec_mismatch"),
    ("emergency_light", "充电式应急灯 旧灯可寄回", "42", {"电池": "磷酸铁锂 3.2V"},
     "老款铅酸的应急灯用到报废了可以寄回，我们交给回收公司，寄回的旧灯不再销售。", "substandard_spec"),
    ("portable_extinguisher", "二氧化碳灭火器 MT3 3kg 机房", "168", {"型号": "MT3"}, "以旧换新：换下来的旧干粉灭火器可抵10元。",
     "spec_mismatch"),
    ("portable_extinguisher", "二氧化碳灭火器 MT3 3kg 机房", "168", {"型号": "MT3"}, "旧的4公斤干粉灭火器可以寄回，我们负责报废。",
     "spec_mismatch"),
    ("electrical_fire_detector", "电气火灾监控探测器 组合式", "480", {},
     "问：有3C吗？\n答：这类产品2018年就不做3C了，有型式检验报告。", "invalid_certificate"),
    ("gas_suppression", "七氟丙烷管网灭火系统 瓶组 90L×4", "46000", {"药剂充装": "约320kg"}, "含设计安装调试。", "substandard_spec"),
    ("gas_detector", "燃气报警器 12V供电 工业", "65", {"工作电压": "DC12V"}, "", "spec_mismatch"),
    ("gas_detector", "燃气报警器 220V电源 配12V电磁阀", "65", {"工作电压": "AC220V"}, "联动12V电磁阀。", "spec_mismatch"),
])
def test_heldout21_near_misses(rules, category, title, price, attributes, description, code):
    assert code not in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, attributes, code", [
    # a title's words are spaced: a trade-in word in it blanks none of its values
    ("portable_extinguisher", "干粉灭火器 MFZ/ABC4 以旧换新", {"充装量": "3kg"}, "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器 碳性电池 旧机回收", {"电池": "锂电池"}, "spec_mismatch"),
    # a reel's length is still a reel's (整盘), and a long one per coil too
    ("flame_retardant_cable", "阻燃电缆 ZC-YJV 3x4 100米", {"长度": "整盘100米"}, "-spec_mismatch"),
])
def test_heldout21_bounds(rules, category, title, attributes, code):
    got = found(rules, shop(title, "68", attributes, ""), category)
    assert (code[1:] not in got) if code.startswith("-") else (code in got)
