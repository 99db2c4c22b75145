"""Session 39's reviewer's read of the day's rule changes (rev39): listings written for the review, aimed at the new rules'
false flags and at their near forms they missed. Each flag is paired with a listing that must stay clean.

1. 以旧换新 names no old goods by itself: the title's words before it are the goods' own (干粉灭火器4kg以旧换新), and its 旧
   is no old-goods word;
2. lead-acid in an emergency light's clause about old lamps: a warranty's 寄回 or a lifetime's 报废 alone is no clause about
   old lamps, and a space ends the clause (铅酸蓄电池 老灯改造首选); 替代传统铅酸电池 denies the chemistry;
3. a fill said of each container (每瓶充装120kg) is no fill of the whole 90L×4 set;
4. a TZL code beside a self-contained kind priced against it (隔绝式的要贵好几倍) names other goods;
5. an oxygen level a filter respirator still works down to (氧含量到百分之十五都能用), not a level it stops at (降到15%就不能用);
6. fluorinated foams listed after 替代 (可替代含氟的水成膜泡沫和氟蛋白泡沫) are the replaced goods;
7. inspection wording: nobody (没有谁) opens (打开) it, nor waits that long (不会等那么久); its false flags: the buyer's check of
   a delivery (到货验收…拍个照就行), the inside checked too (门芯也会抽检), a reassurance (不用纠结好不好用), a warning against
   the saving (千万别图省钱过验收);
8. refurbished wording: not the buyers who installed one (装过一次的都知道), advice against reuse (安装过一次拆下的喷头不得
   重复使用), the installer carting old goods away (项目上拆下的旧卷帘由我们负责清运);
9. prop wording: a shop's demo unit (门店有演示样机), a faulty unit's warning (红区的灭火器不能实际使用); an ornament said not to
   put fires out (不会自动灭火) is still one.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("portable_extinguisher", "干粉灭火器4kg以旧换新", "70", {"型号": "MFZ/ABC2", "灭火剂量": "2kg"},
     "新瓶到手，旧瓶寄回可抵5元。", "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器10年锂电池以旧换新", "69", {"电池": "9V碱性电池", "电池寿命": "1年"}, "旧烟感寄回抵5元。",
     "spec_mismatch"),
    ("emergency_light", "消防应急照明灯 自带电源型 双头", "35", {}, "本灯用铅酸电池坏了可寄回维修。", "substandard_spec"),
    ("emergency_light", "消防应急照明灯 自带电源型", "35", {}, "铅酸电池用到报废也不鼓包。", "substandard_spec"),
    ("emergency_light", "自带电源型双头应急灯 铅酸蓄电池 老灯改造首选", "35", {}, "", "substandard_spec"),
    ("gas_suppression", "七氟丙烷灭火装置 管网式 90L×4瓶组", "16000", {"容器": "90L×4"}, "每瓶充装120kg。", "substandard_spec"),
    ("gas_suppression", "七氟丙烷柜式灭火装置 4瓶90L", "15000", {"充装量": "单瓶120kg"}, "", "substandard_spec"),
    ("escape_respirator", "TZL30 过滤式自救呼吸器", "45", {}, "问：氧气少的地方能用吗？答：氧含量到百分之十五都能用。",
     "substandard_spec"),
    ("foam_agent", "无氟泡沫 3%", "2600", {"类型": "无氟泡沫"}, "成分含氟蛋白，抗烧性好。", "spec_mismatch"),
    ("fire_door", "钢质防火门 乙级 工程款", "480", {"门芯": "纸蜂窝"}, "验收的只看铭牌，没有谁会拆门看芯。", "inspection_only"),
    ("electrical_fire_detector", "电气火灾监控探测器", "98", {}, "互感器不接也行，验收的人一般不会打开看。", "inspection_only"),
    ("emergency_light", "应急灯 双头 便宜", "18", {}, "实际10分钟，检查的不会等那么久。", "inspection_only"),
    ("sprinkler", "洒水喷头 二手 便宜", "2", {}, "工地装过一次的，拆下来便宜卖。", "refurbished"),
    ("fire_shutter", "防火卷帘 特级", "380", {}, "工程拆下来的旧卷帘，八成新便宜出。", "refurbished"),
    ("other_fire", "灭火球造型 客厅摆件 不会自动灭火", "25", {}, "", "prop_or_display"),
])
def test_review39_flags(rules, category, title, price, attributes, description, code):
    assert code in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("portable_extinguisher", "以旧换新 干粉灭火器 MFZ/ABC4", "62", {"型号": "MFZ/ABC4"}, "以旧换新旧2kg灭火器抵5元。",
     "spec_mismatch"),
    ("emergency_light", "消防应急照明灯 自带电源型 磷酸铁锂", "45", {"电池": "磷酸铁锂"}, "老款铅酸的灯用报废了可寄回。",
     "substandard_spec"),
    ("emergency_light", "自带电源型应急照明灯 磷酸铁锂", "58", {"电池": "磷酸铁锂"}, "换下来的铅酸电池请交给正规回收点。",
     "substandard_spec"),
    ("emergency_light", "消防应急照明灯 自带电源型 磷酸铁锂", "45", {"电池": "磷酸铁锂"}, "采用磷酸铁锂电池替代传统铅酸电池。",
     "substandard_spec"),
    ("gas_suppression", "七氟丙烷灭火装置 90L×4瓶组", "16000", {"容器": "90L×4"}, "每瓶充装量100kg。", "substandard_spec"),
    ("escape_respirator", "TZL30 消防自救呼吸器 酒店宾馆", "45", {"型号": "TZL30"}, "隔绝式的要贵好几倍，酒店客房配这款就够了。",
     "spec_mismatch"),
    ("escape_respirator", "TZL30 过滤式自救呼吸器", "45", {}, "氧含量降到15%就不能用了，要立刻撤离。", "substandard_spec"),
    ("foam_agent", "无氟泡沫灭火剂 F3 3% 替代AFFF", "2800", {"类型": "无氟泡沫"}, "不含氟，可替代含氟的水成膜泡沫和氟蛋白泡沫。",
     "spec_mismatch"),
    ("fire_door", "钢质防火门 乙级 GFM-1021 3C", "1080", {"门芯": "岩棉"},
     "消防验收主要看门上的铭牌和检验报告是否对应，门芯也会抽检。", "inspection_only"),
    ("portable_extinguisher", "干粉灭火器4kg MFZ/ABC4 3C", "65", {"型号": "MFZ/ABC4"}, "到货验收时外箱破损的，拍个照就行，我们补发。",
     "inspection_only"),
    ("portable_extinguisher", "干粉灭火器4kg MFZ/ABC4 3C", "65", {"型号": "MFZ/ABC4"}, "买我们家的不用纠结好不好用，每瓶出厂都试喷抽检。",
     "inspection_only"),
    ("portable_extinguisher", "干粉灭火器4kg MFZ/ABC4 3C", "65", {"型号": "MFZ/ABC4"}, "千万别图省钱过验收买假货，认准3C。",
     "inspection_only"),
    ("fire_door", "钢质防火门 乙级 3C", "1080", {}, "验收时会打开门扇看门芯，满填岩棉。", "inspection_only"),
    ("fire_door", "钢质防火门 乙级 3C 包安装", "1080", {}, "老顾客说装过一次的都知道好装，配安装视频。", "refurbished"),
    ("sprinkler", "洒水喷头 ZSTX15-68℃ 全新", "6", {}, "喷头只能装一次，安装过一次拆下的喷头不得重复使用。", "refurbished"),
    ("fire_shutter", "特级防火卷帘 3C", "380", {}, "项目上拆下的旧卷帘由我们负责清运。", "refurbished"),
    ("gas_detector", "家用燃气报警器 3C", "128", {"报警设定值": "8%LEL"}, "门店有演示样机，可现场体验报警声。", "prop_or_display"),
    ("portable_extinguisher", "干粉灭火器4kg MFZ/ABC4 3C", "65", {"型号": "MFZ/ABC4"}, "压力表指针在红区的灭火器不能实际使用，请及时送检。",
     "prop_or_display"),
])
def test_review39_near_misses(rules, category, title, price, attributes, description, code):
    assert code not in found(rules, shop(title, price, attributes, description), category)
