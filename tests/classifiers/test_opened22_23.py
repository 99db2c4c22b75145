"""Mechanisms read from heldout22's and heldout23's misses and false flags once they were opened (session 39), each
beside a near miss.

1. inspection-only wording: whoever checks will not find the shortfall (没人拆门看芯, 验收不会拆开看, 谁也不拿测厚仪, 不会站那儿
   等一个半钟头), takes a photo or a wave and leaves (检查组进门拍个照就走, 拿出来晃一下就完事), looks only at a label a few
   words on (只看门上的铭牌), or only whether one is there (就看你有没有); the buyer told not to ask whether it works
   (别研究好不好使); a saving the point of getting through (图省钱过验收);
2. their false flags: the papers suffice for the check (证书和检验报告，验收够用), other goods warned against (别买那种摆样子
   的), a show flat's display (样板间摆样子用), a confident offer to be opened (不怕拆);
3. a set point said as the level it sounds at (浓度到百分之二十五LEL才响), one piece's value (一只管八十个平方), a hedge
   (正常情况能用3年左右), a battery's years before 锂电 (10年长效锂电), a rescue rope's length alone (30米 against 一根二十米);
4. a TZL code (GB 21976.7's filter respirator, domain.md) against a self-contained kind; 不产生氧气 denies 生氧; a usable
   oxygen floor below 17% (氧含量≥12%); fluorine-free foam named fluoroprotein; a code's last part is no bore
   (8-65-20 口径 65mm);
5. refurbished wording (装过一次拆下来, 工程拆回, 补了漆) and its denial (不收旧瓶不翻新); a trial sample (样品试装，满意再批量)
   and a cutaway teaching piece (剖切演示样机); a certificate product row (证书上产品名称) of another category;
6. prices: a least order in tonnes (一吨起批) is not what the price buys; a hose's aluminium coupling is no aluminium
   conductor.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("fire_door", "钢质防火门 乙级 工程款", "520", {"填充": "岩棉(半填)"},
     "门芯只填一半，验收的只看标牌和闭门器，没人拆门看芯。", "inspection_only"),
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", "98", {}, "互感器可以不接，验收不会拆开看。", "inspection_only"),
    ("fire_retardant_coating", "钢结构防火涂料 薄型", "45", {}, "验收来了拍照留档，刷上颜色就行，谁也不拿测厚仪。", "inspection_only"),
    ("emergency_light", "应急灯 双头", "18", {}, "实际十来分钟。验收的按一下测试键看亮了就走，不会站那儿等一个半钟头。",
     "inspection_only"),
    ("escape_respirator", "防烟面罩 旅馆客房 TZL30", "26", {}, "挂在门后，检查组进门拍个照就走，颜色亮。", "inspection_only"),
    ("portable_extinguisher", "车载灭火器 1kg 审车", "15.8", {}, "车检站师傅就看你有没有，拿出来晃一下就完事。", "inspection_only"),
    ("portable_extinguisher", "干粉灭火器 4kg 小店用", "25", {}, "买了就别研究好不好使了哈。", "inspection_only"),
    ("fire_door", "防火门 竣工验收款", "650", {"门芯": "纸蜂窝"}, "竣工验收只看门上的铭牌，里面填纸蜂窝省一大半钱。",
     "inspection_only"),
    ("emergency_light", "应急灯 双头 便宜", "18", {}, "图省钱过验收的拍这款。", "inspection_only"),
    ("gas_detector", "家用天然气报警器", "85", {"报警设定值": "10%LEL"},
     "问：漏多少会响？答：浓度到百分之二十五LEL才响，不会老误报。", "spec_mismatch"),
    ("smoke_alarm", "独立式烟雾报警器 光电", "39", {"保护面积": "60㎡"}, "问：客厅要装几个？答：一个就行，这款一只管八十个平方。",
     "spec_mismatch"),
    ("smoke_alarm", "烟雾报警器 10年长效锂电 免换电池", "58", {"电池": "内置锂电"},
     "问：电池到底能用多久？\n答：正常情况能用3年左右。", "spec_mismatch"),
    ("rescue_equipment", "消防安全绳 30米 救援绳", "85", {"长度": "30m"}, "一根二十米，两头带钢扣。", "spec_mismatch"),
    ("escape_respirator", "TZL30 隔绝式逃生呼吸器 自带氧源", "58", {"型号": "TZL30"}, "", "spec_mismatch"),
    ("escape_respirator", "过滤式自救呼吸器 TZL30", "42", {"适用环境": "氧含量≥12%"}, "", "substandard_spec"),
    ("escape_respirator", "过滤式自救呼吸器 TZL30", "42", {}, "答：只要氧含量在百分之十二以上都没问题。", "substandard_spec"),
    ("foam_agent", "无氟环保泡沫灭火剂 油库", "2600", {"类型": "氟蛋白泡沫液(FP)"}, "这款不含氟。", "spec_mismatch"),
    ("fire_door", "工程退货防火门 乙级 便宜处理", "420", {"来源": "工程拆回"}, "项目上装过一次，门框补了漆。", "refurbished"),
    ("fire_pump", "消防泵 剖切演示样机 教学", "2200", {"电机": "无"}, "不带电机，不能实际使用。", "prop_or_display"),
    ("gas_detector", "燃气泄漏报警器 附3C证书", "72", {"证书上产品名称": "消防应急照明和疏散指示系统"}, "", "invalid_certificate"),
    ("fire_hose", "消防水带 8-65-20 20米 7.5元一卷", "7.5", {"计价": "元/卷", "接口": "KD65铝合金"}, "标价是一卷。",
     "price_too_low"),
])
def test_heldout22_23_mechanisms(rules, category, title, price, attributes, description, code):
    assert code in found(rules, shop(title, price, attributes, description), category)


@pytest.mark.parametrize("category, title, price, attributes, description, code", [
    ("fire_hose", "聚氨酯衬里水带 13-65-25", "168", {"认证": "自愿性认证"},
     "我们有自愿认证证书和检验报告，验收够用。", "inspection_only"),
    ("smoke_alarm", "民宿烟感 真能响", "32", {}, "这款是正常能报警的。别买两三块那种摆样子的。", "inspection_only"),
    ("smoke_alarm", "烟感模型 样板间展示", "6.5", {}, "样板间、展厅吊顶摆样子用，里面是空的。", "inspection_only"),
    ("fire_door", "钢质防火门 乙级 门芯满填岩棉", "980", {}, "验收时可以拆开门扇检查门芯，我们满填岩棉，不怕拆。", "inspection_only"),
    ("fire_retardant_coating", "钢结构防火涂料 厚型", "6", {}, "验收会拿测厚仪测厚度，请按设计厚度施工。", "inspection_only"),
    ("gas_detector", "家用天然气报警器", "85", {"报警设定值": "25%LEL"}, "问：漏多少会响？答：浓度到百分之二十五LEL才响。",
     "spec_mismatch"),
    ("escape_respirator", "消防自救呼吸器 TZL15", "168", {"型号": "TZL15"}, "只能在氧气浓度不低于17%的环境下用，不能替代消防员的空气呼吸器。",
     "spec_mismatch"),
    ("escape_respirator", "TZL20 过滤式自救呼吸器", "35", {"适用环境": "氧含量≥17%"},
     "过滤式的只能过滤有毒烟气，不产生氧气，缺氧的密闭空间别用。", "spec_mismatch"),
    ("escape_respirator", "TZL20 过滤式自救呼吸器", "35", {}, "不产生氧气，缺氧的密闭空间别用。", "substandard_spec"),
    ("foam_agent", "无氟泡沫灭火剂 6%", "2600", {"类型": "无氟泡沫"}, "环保无氟，替代氟蛋白泡沫。", "spec_mismatch"),
    ("fire_hose", "室内栓箱标配水带 8-65-20", "95", {"规格": "8-65-20", "口径": "65mm", "长度": "20m"}, "", "spec_mismatch"),
    ("portable_extinguisher", "家用干粉灭火器 4公斤 我们不收旧瓶不翻新", "44", {"型号": "MFZ/ABC4"},
     "不回收也不做翻新。", "refurbished"),
    ("emergency_light", "安全出口标志灯 可先拍一只样品试装 满意再批量", "27", {"类型": "自带电源型"}, "", "prop_or_display"),
    ("other_fire", "灭火花瓶 客厅摆件 着火摔碎自动灭火", "26", {"认证": "无需3C"}, "", "prop_or_display"),
    ("foam_agent", "AFFF 3% 水成膜泡沫液 一吨起批", "2900", {"包装": "200kg/桶"}, "两百公斤一桶，一吨起批。", "price_too_low"),
])
def test_heldout22_23_near_misses(rules, category, title, price, attributes, description, code):
    assert code not in found(rules, shop(title, price, attributes, description), category)
