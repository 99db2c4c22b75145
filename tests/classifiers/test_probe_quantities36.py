"""Session 36 probes: a coverage audit of the quantities a listing states twice with different values.

The listings were written for these tests from the facts in the spec (taxonomy.md categories, domain.md and how
shops write; no sealed data). Each quantity added to `claims.same_quantity` has listings that must be flagged
spec_mismatch and near misses beside them that must stay clean:
- a protected area (保护面积 60㎡, 单只保护六十平, 一个只管二十平, 能管三十个平方; 平方 alone an area where no cable is
  sold, 平 a cable's section where one is), never a room's area (三十平的客厅, 九十平的装两个);
- a gas detector's alarm set point in %LEL, %VOL or ppm (百分之二十LEL), its low and high levels (低报, 高报) apart,
  a measuring range (测量范围 0-100%LEL) no option;
- an electrical-fire detector's residual-current alarm value (300mA, 五百毫安: 毫安 a current there, a charge elsewhere);
- a response time in s or 秒, a lamp's luminous flux (lm, 流明), a rope's rated load and its diameter, a descender's
  speed (1.0m/s, 每秒两米), a detector's temperature alarm value, a pump's speed (r/min)
  and a mass in grams (500g);
- a pack's count (两具一箱) leaves each unit's fill compared;
- a verb of holding (内置两节电池, 内置2000mAh锂电池) leaves the noun after the figure to name it;
- a qualifier naming the quantity again (漏电报警值设定为) or a condition (漏气后响应时间) qualifies nothing.
"""

from __future__ import annotations

import time

import pytest

from classifiers.same_quantity import _quantity_norm
from tests.classifiers.test_spec_contradictions import mismatch  # the listing's spec_mismatch reason, or None

C = {"认证": "CCC"}

FLAGGED = [
    # protected area
    ("smoke_alarm", "烟感报警器 光电 单只保护六十平 大客厅 仓库", {"保护面积": "60㎡"},
     "问：三十平的客厅要装几个？答：一个只管二十平左右，三十平得装两个。"),
    ("smoke_alarm", "烟雾报警器 保护面积80平米 独立式", {"保护面积": "40㎡"}, ""),
    ("smoke_alarm", "独立式烟雾报警器 家用", {"保护面积": "60m²"}, "单只保护面积约20平方米，安装简单。"),
    ("smoke_alarm", "烟雾报警器 覆盖60㎡ 光电式", {}, "主播：一个能管三十个平方，放心买。"),
    ("smoke_alarm", "烟感 光电式 家用 保护面积 60平方", {"保护面积": "20平方米"}, ""),
    ("smoke_alarm", "烟雾报警器 保护面积60㎡", {}, "问：一个能保护多大？答：二十平左右。"),
    ("smoke_alarm", "烟雾报警器 光电", {"覆盖面积": "60m2"}, "客服：亲，一只烟感覆盖四十平"),
    ("gas_suppression", "七氟丙烷 悬挂式灭火装置 8L", {"保护面积": "12㎡"}, "单具保护面积约30平方米。"),
    ("flame_retardant_cable", "ZC-BV 4平方 阻燃电线", {"截面": "4mm²"}, "答：二点五平的线。"),
    # gas set points
    ("gas_detector", "燃气报警器 低浓度预警 10%LEL报警 餐饮后厨 3C", {"报警设定值": "10%LEL", "适用气体": "天然气"},
     "后厨灶台边装。问：漏多少会叫？答：我们出厂统一设在25%LEL报警，太灵敏了炒菜老误报。"),
    ("gas_detector", "可燃气体报警器 家用", {"报警浓度": "20%LEL"}, "报警点：百分之十LEL。"),
    ("gas_detector", "燃气报警器 报警值25%LEL", {"报警设定值": "10%LEL"}, ""),
    ("gas_detector", "燃气报警器 家用 天然气", {"报警设定值": "10％LEL"}, "报警点25%lel。"),
    ("gas_detector", "一氧化碳报警器 家用", {"报警浓度": "100ppm"}, "答：报警浓度是三百ppm。"),
    ("gas_detector", "甲烷报警器 报警点1%VOL", {"报警点": "0.5%VOL"}, ""),
    # residual current
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", {"剩余电流报警值": "300mA"}, "漏电报警值设定为500毫安。"),
    ("electrical_fire_detector", "剩余电流式电气火灾监控探测器 报警值300mA", {}, "答：剩余电流五百毫安报警。"),
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", {"剩余电流报警值": "300mA"}, "主播：这个漏电到五百毫安就报警。"),
    # a pack's count
    ("portable_extinguisher", "4公斤干粉灭火器 消防通道 楼道配置 两具一箱", {"规格": "4kg×2", "包装": "2具/箱"},
     "问：一瓶装多少粉？答：一瓶六斤粉，两瓶十二斤。问：箱子送吗？答：送纸箱，不是灭火器箱。"),
    ("portable_extinguisher", "干粉灭火器 4公斤 两具一箱 店铺用", {"规格": "4kg×2"}, "客服：一瓶装粉六斤。"),
    # response time, flux, rope
    ("gas_detector", "燃气报警器 家用", {"响应时间": "10秒"}, "答：漏气后响应时间大概三十秒。"),
    ("smoke_alarm", "烟雾报警器 家用", {"报警响应时间": "5s"}, "报警响应时间20秒。"),
    ("emergency_light", "消防应急照明灯 LED 双头 300lm", {"光通量": "150lm"}, ""),
    ("emergency_light", "消防应急灯 双头", {"光通量": "300lm"}, "答：亮度大概五百流明。"),
    ("rescue_equipment", "消防救生绳 30米 安全绳", {"承重": "200kg", "直径": "16mm"}, "答：承重一百五十公斤。"),
    ("rescue_equipment", "消防救生绳 安全绳", {"绳长": "30米", "直径": "16mm"}, "直径12mm高强度涤纶。"),
    # a descender's speed said per second first, a detector's temperature alarm, a pump's speed, a respirator's
    # weight in grams
    ("rescue_equipment", "高楼逃生缓降器 30米", {"下降速度": "1.0m/s"}, "答：每秒两米左右，很稳。"),
    ("electrical_fire_detector", "电气火灾监控探测器 测温式", {"测温报警值": "70℃"}, "报警温度80℃，超温即报警。"),
    ("fire_pump", "消防泵 XBD8.0/30 立式", {"转速": "2900r/min"}, "电机转速1450转/分。"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {"重量": "500g"}, "重量只有300克，轻便。"),
    # a verb of holding before the figure: the noun after it names it
    ("emergency_light", "消防应急灯 LED", {"电池容量": "1200mAh"}, "内置2000mAh锂电池。"),
    ("emergency_light", "消防应急照明灯 LED", {"应急时间": "90分钟", "电池": "3节"}, "内置两节电池。"),
]

CLEAN = [
    # a room's area, a range, a bound, a pack's total, a comparison, advice, a price per square metre
    ("smoke_alarm", "烟雾报警器 保护面积60㎡", {"保护面积": "60㎡"}, "问：我家客厅四十平够吗？答：够的，一个保护六十平。"),
    ("smoke_alarm", "烟雾报警器 光电", {"保护面积": "20-60㎡"}, "单只保护面积40平米。"),
    ("smoke_alarm", "烟感 保护面积≥60㎡", {}, "一只保护八十平。"),
    ("smoke_alarm", "烟雾报警器 3只装 单只保护60平", {"保护面积": "60㎡"}, "三只共可保护180平米。"),
    ("smoke_alarm", "烟雾报警器 保护面积60平米", {"保护面积": "60㎡"}, "比普通款的二十平大很多。"),
    ("smoke_alarm", "烟雾报警器 家用 3C", {"保护面积": "60㎡"}, "答：一个六十平，一百二十平就装两个。"),
    ("smoke_alarm", "烟雾报警器 家用", {"保护面积": "60㎡"}, "答：一个管六十平，您家九十平的装两个。"),
    ("smoke_alarm", "烟雾报警器 光电", {"保护面积": "60㎡"}, "主播：家里一百平的，装两个就行。"),
    ("smoke_alarm", "烟雾报警器 平安家用 60㎡", {"保护面积": "60㎡"}, "平安守护，10年电池。"),
    ("fire_shutter", "防火卷帘 特级", {"面积": "20平方"}, "问：30平方多少钱？答：按平方算，一平方两百。"),
    ("flame_retardant_cable", "阻燃电线 ZC-BV 2.5平方 100米", {"截面": "2.5mm²"}, "家装插座线，二十平的房间用一卷够了。"),
    ("flame_retardant_cable", "ZC-BV 4平方 阻燃电线", {"截面": "4mm²"}, "答：四平的线，空调专用。"),
    # two set points, a range, an error, a resolution, a standard's bound, the buyer's figure
    ("gas_detector", "可燃气体探测器 工业", {"低报": "10%LEL", "高报": "25%LEL"}, ""),
    ("gas_detector", "可燃气体探测器 一级报警10%LEL", {"二级报警": "25%LEL"}, "一级报警10%LEL，二级报警25%LEL。"),
    ("gas_detector", "可燃气体探测器 工业 点型", {"报警设定值": "25%LEL"}, "低报25%LEL，高报50%LEL。"),
    ("gas_detector", "可燃气体探测器 工业", {"报警设定值": "5-25%LEL可调"}, "出厂设置20%LEL。"),
    ("gas_detector", "可燃气体探测器 工业 报警值25%LEL", {"报警设定值": "25%LEL", "测量范围": "0-100%LEL"}, ""),
    ("gas_detector", "可燃气体探测器 工业", {"报警设定值": "25%LEL", "报警误差": "±3%LEL"}, ""),
    ("gas_detector", "可燃气体探测器 工业 点型", {"报警设定值": "25%LEL"}, "国标要求报警设定值不超过25%LEL。"),
    ("gas_detector", "燃气报警器 家用", {"报警设定值": "10%LEL"}, "问：是25%LEL报警吗？答：不是，10%LEL。"),
    ("gas_detector", "燃气报警器 家用 报警值8%LEL", {"报警设定值": "8%LEL"}, "比国标要求的25%LEL更灵敏。"),
    ("gas_detector", "燃气报警器 家用", {"报警设定值": "10%LEL"}, "浓度到百分之二十LEL会连续鸣叫。"),
    ("gas_detector", "一氧化碳报警器 家用", {"报警浓度": "50ppm"}, "低报50ppm，高报150ppm。"),
    ("gas_detector", "一氧化碳报警器 家用", {"报警浓度": "50ppm", "量程": "0-1000ppm"}, ""),
    # residual current beside other currents and a battery
    ("electrical_fire_detector", "电气火灾监控探测器 组合式", {"报警设定值": "20-1000mA可调"}, "出厂300mA。"),
    ("electrical_fire_detector", "电气火灾监控探测器", {"剩余电流报警值": "300mA"}, "互感器额定电流100A，剩余电流报警值三百毫安。"),
    ("electrical_fire_detector", "电气火灾监控探测器 8路", {"剩余电流报警值": "500mA"}, "剩余电流报警值500mA，测量范围0-1000mA。"),
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", {"剩余电流报警值": "300mA", "工作电流": "≤50mA"}, ""),
    ("electrical_fire_detector", "电气火灾监控探测器 剩余电流式", {"剩余电流报警值": "300mA"}, "配套电池容量2000毫安。"),
    ("emergency_light", "消防应急灯 电池1200mAh", {"电池容量": "1200mAh"}, "主播：一千二百毫安的电池。"),
    # a pack's units and its total
    ("portable_extinguisher", "4公斤干粉灭火器 两具一箱", {"规格": "4kg×2"}, "问：一瓶多重？答：一瓶八斤粉，两瓶十六斤。"),
    ("portable_extinguisher", "干粉灭火器 4kg 两具一箱", {"规格": "4kg"}, "答：两瓶一共八公斤。"),
    ("portable_extinguisher", "干粉灭火器 4kg 4具一箱 共16公斤", {"规格": "4kg"}, ""),
    ("portable_extinguisher", "干粉灭火器 4公斤 两具一箱 店铺用", {"规格": "4kg×2"}, "客服：一瓶装粉八斤。"),
    # a response bound, a blink, a dealer; flux compared; a rope's load bound and its accessory
    ("gas_detector", "燃气报警器 响应时间≤30秒", {"响应时间": "10s"}, ""),
    ("smoke_alarm", "烟雾报警器 家用", {"响应时间": "5s"}, "自检周期40秒，响应时间5秒。"),
    ("smoke_alarm", "烟雾报警器 4s店 专用", {"响应时间": "5秒"}, ""),
    ("emergency_light", "消防应急灯 双头", {"光通量": "300lm"}, "比普通款150lm亮一倍。"),
    ("emergency_light", "消防应急照明灯 LED", {"应急时间": "90分钟"}, "充电后应急时间90分钟。"),
    ("rescue_equipment", "消防救生绳 30米", {"承重": "≥200kg"}, "承重三百公斤。"),
    ("rescue_equipment", "消防救生绳 30米", {"承重": "200kg", "重量": "3kg"}, ""),
    ("rescue_equipment", "消防安全腰带", {"直径": "16mm"}, "适用于直径12mm的安全绳。"),
    ("rescue_equipment", "高楼逃生缓降器 30米", {"下降速度": "1.0m/s"}, "下降速度一米每秒，体重再重也不会变快。"),
    ("rescue_equipment", "高楼逃生缓降器 30米", {"下降速度": "0.16-1.5m/s"}, "下降速度每秒1米。"),
    ("electrical_fire_detector", "电气火灾监控探测器 测温式", {"测温报警值": "45-140℃可调"}, "出厂报警温度70℃。"),
    ("fire_pump", "消防泵 XBD8.0/30 立式", {"转速": "2900r/min"}, "额定转速2900rpm。"),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", {"重量": "500g"}, "重量0.5公斤。"),
    ("gas_detector", "燃气报警器 家用 无线2.4G", {"报警设定值": "10%LEL", "重量": "200g"}, "2.4g无线联网。"),
    ("emergency_light", "消防应急灯 LED", {"电池容量": "1200mAh"}, "内置1200mAh锂电池，应急90分钟。"),
    ("emergency_light", "消防应急灯 LED", {"电池容量": "1200mAh"}, "配2000mAh充电宝另拍。"),
    ("emergency_light", "消防应急灯 LED", {"电池": "2节"}, "采用两节18650电池。"),
]


@pytest.mark.parametrize("category,title,attributes,description", FLAGGED)
def test_flagged(rules, category, title, attributes, description):
    assert mismatch(rules, category, title, {**attributes, **C}, description) is not None


@pytest.mark.parametrize("category,title,attributes,description", CLEAN)
def test_clean(rules, category, title, attributes, description):
    found = mismatch(rules, category, title, {**attributes, **C}, description)
    assert found is None, found


def test_evidence_names_the_quantity(rules):
    found = mismatch(rules, "gas_detector", "燃气报警器", {"报警设定值": "10%LEL"}, "答：出厂统一设在25%LEL报警")
    assert "报警设定值" in found.evidence and "25 %LEL" in found.evidence
    found = mismatch(rules, "smoke_alarm", "烟雾报警器", {"保护面积": "60㎡"}, "答：一个只管二十平左右")
    assert "保护面积" in found.evidence and "20 平" in found.evidence


@pytest.mark.parametrize("text,read", [
    ("报警点：百分之十lel", "报警点:10%lel"),
    ("百分之二十五lel报警", "25%lel报警"),
    ("百分之二十五的人", "百分之二十五的人"),  # a share of no gas is left as words
    ("能管三十个平方", "能管30个平方"),
    ("每秒两米左右", "2m/s左右"),
    ("下降速度一米每秒", "下降速度1m/s"),
])
def test_spoken_figures(text, read):
    assert _quantity_norm(text)[0] == read


@pytest.mark.parametrize("text", ["百分之" * 8000 + "十lel", "六十平" * 6000, "两具一箱" * 5000, "一个只管" * 5000 + "二十平",
                                  "平" + " " * 20000 + "x", "300ma" * 4000])
def test_hostile_text_is_read_in_linear_time(rules, text):
    mismatch(rules, "smoke_alarm", "烟雾报警器 60㎡", {"保护面积": "60㎡"}, text[:200])  # warm
    t0 = time.perf_counter()
    mismatch(rules, "smoke_alarm", "烟雾报警器 60㎡", {"保护面积": "60㎡"}, text)
    assert time.perf_counter() - t0 < 2.0
