"""Generate `corpus.jsonl`, the labelled training corpus, from hand-written phrasings.

`python classifiers/data/generate_corpus.py` writes every line of `hand_corpus.jsonl` plus generated
lines that combine the hand-written pieces below with a fixed seed (reproducible: `build()` returns
exactly the file's records, which tests/classifiers/test_corpus_generator.py holds it to). `heldout.jsonl`
is never used for training: it is read only to drop generated titles equal to a held-out title.

Every generated line carries a `first_seen` day (drawn from its own seeded stream, between
FIRST_SEEN_FROM and FIRST_SEEN_TO), and its labels are those of that day: a line citing a superseded
standard edition (the rules' standards table, `specs.yaml`) on or after the edition's end date is
labelled with the edition rule's reason, one seen before it is not, and a CCC claim for a product
outside CCC that day (`ccc_scope.yaml`) with the scope rule's; lines whose pieces happen to
contradict each other on that day are dropped. Neither depends on the day the generator or
`firewatch train` runs.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

from classifiers.certification import Scope, ccc_claims, load_scope  # noqa: E402
from classifiers.spec_checks import _dated_applies, check_specs  # noqa: E402
from classifiers.specs import load_facts, parse_specs  # noqa: E402
from firewatch.core.models import PLATFORMS  # noqa: E402

OUT = Path(__file__).parent / "corpus.jsonl"
# Listings written one by one by hand in the styles of JD, Taobao/Tmall, PDD and 1688
# ("source": "hand"); generated lines carry "source": "generated".
HAND = Path(__file__).parent / "hand_corpus.jsonl"
HELDOUT = Path(__file__).parent / "heldout.jsonl"
SEED = 20250707
# generated listings are first seen on a day of this span (the project's real-voice listings are
# mostly from 2025-2026); it straddles the end dates of GB 17945-2010 (2025-05-01) and GB 20517-2006
# (2026-06-01), so lines citing them are seen on both sides; it starts after gas detectors came
# back into CCC (2024-11-01, ccc_scope.yaml), so a generated "CCC认证" claim is never out of scope
FIRST_SEEN_FROM, FIRST_SEEN_TO = date(2025, 1, 1), date(2026, 11, 30)

DECOR = {
    "jd": ["【京东自营】", "京东配送", "次日达", "【官方旗舰店】", "正品保障", ""],
    "taobao": ["包邮", "现货速发", "店长推荐", "爆款", "【热卖】", "厂家直销", ""],
    "tmall": ["天猫正品", "官方旗舰店", "【旗舰店】", "品质保障", "顺丰包邮", ""],
    "pdd": ["【百亿补贴】", "特价", "清仓", "亏本冲量", "买一送一", "9.9包邮", ""],
    "1688": ["批发", "厂家直供", "一件代发", "量大从优", "源头工厂", "支持定制", ""],
}

BRANDS_FIRE = ["淮海", "天广", "桂安", "南消", "浙安", "神龙", "鑫安", "盾王", "消安", "永安",
               "海湾", "泛海三江", "利达", "松江云安", "汉王", "赋安", "恒星", "宝安"]

CATS: dict[str, dict[str, list[str]]] = {
    "portable_extinguisher": {
        "core": ["干粉灭火器", "手提式干粉灭火器", "灭火器家用", "车载灭火器", "水基灭火器",
                 "二氧化碳灭火器", "泡沫灭火器", "店铺用灭火器", "手提式灭火器 ABC干粉",
                 "汽车用小型灭火器", "家用水基型灭火器", "4公斤干粉灭火器", "消防器材灭火器"],
        "spec": ["MFZ/ABC4", "MFZ/ABC2", "MFZ/ABC1", "MFZ/ABC3", "MFZ/ABC5", "MFZ/ABC8",
                 "MT3", "MT5", "MT2", "MSWZ/3", "MSWZ/2", "MPZ/6", "4kg", "2kg", "1kg",
                 "3L", "2L", "6L", "4KG", "GB4351-2023"],
        "extra": ["商用", "家用", "车载", "工厂用", "年检合格", "新国标", "带3C认证", "消防认证",
                  "店用", "可年检", "正品", "带检验合格证", "压力表指示", "套装含箱子", "4只装",
                  "2只装", "送支架", "非二手", "非回收瓶", "拒绝翻新", "全新出厂", "拒绝三无", "厂家直发 非翻新"],
    },
    "escape_respirator": {
        "core": ["消防自救呼吸器", "过滤式自救呼吸器", "防烟面罩", "火灾逃生面具", "消防面具",
                 "防毒防烟面具", "酒店客房逃生面罩", "家用火灾防烟面罩", "过滤式消防自救呼吸器"],
        "spec": ["TZL30", "TZL20", "TZL25", "TZL15", "GB21976.7-2012", "30分钟", "防护时间30min"],
        "extra": ["宾馆专用", "家用", "酒店", "3C认证", "逃生自救", "正品", "新国标", "10只装",
                  "带箱子", "防火", "防一氧化碳", "学校用", "拒绝三无", "非库存", "正规厂家"],
    },
    "sprinkler": {
        "core": ["消防喷淋头", "洒水喷头", "玻璃球喷头", "下垂型喷头", "直立型喷淋头",
                 "边墙型喷头", "隐蔽式喷淋头", "快速响应喷头", "消防喷头"],
        "spec": ["ZSTX15-68℃", "ZSTZ15-68℃", "ZSTB15-68℃", "DN15", "DN20", "68度",
                 "K80", "K115", "93℃", "57℃", "红色玻璃球", "4分"],
        "extra": ["消防喷淋", "铜", "工程用", "商场", "厂房", "自动喷水灭火系统", "批量价",
                  "带装饰盘", "包检测"],
    },
    "fire_door": {
        "core": ["钢质防火门", "防火门", "木质防火门", "消防通道防火门", "楼道防火门",
                 "不锈钢防火门", "防火门 甲级", "乙级防火门", "丙级管井门", "常闭式防火门"],
        "spec": ["甲级", "乙级", "丙级", "GFM-0921-dk5 A1.00", "GFM-1021-bsk5 A1.50",
                 "A1.50", "A1.00", "A0.50", "MFM-1021", "GB12955"],
        "extra": ["定做", "上门安装", "含闭门器", "子母门", "双开门", "单开门", "工程门",
                  "小区", "楼梯间", "厂家定制", "带检测报告"],
    },
    "fire_glass": {
        "core": ["防火玻璃", "复合防火玻璃", "单片防火玻璃", "铯钾防火玻璃", "隔热型防火玻璃",
                 "防火窗玻璃", "灌注型防火玻璃"],
        "spec": ["FFB-25-A1.50", "FFB-19-A1.00", "DFB-12-C1.00", "A类", "C类", "1.5小时",
                 "1小时", "12mm", "15mm", "25mm"],
        "extra": ["定制", "按平米", "钢化", "幕墙", "防火隔断", "工程", "包安装", "检测报告"],
    },
    "fire_shutter": {
        "core": ["防火卷帘门", "防火卷帘", "特级防火卷帘", "无机布防火卷帘", "钢质防火卷帘门",
                 "商场防火卷帘", "双轨无机布卷帘", "挡烟垂壁 防火卷帘"],
        "spec": ["特级", "F3", "3小时", "GB14102", "双轨双帘", "电动"],
        "extra": ["定做", "厂家", "上门安装", "含电机", "含控制箱", "按平方", "车库", "商场"],
    },
    "fire_blanket": {
        "core": ["灭火毯", "家用灭火毯", "厨房灭火毯", "消防灭火毯", "玻璃纤维灭火毯",
                 "防火毯", "硅胶灭火毯", "汽车用灭火毯"],
        "spec": ["1m*1m", "1.2m*1.2m", "1.5*1.5米", "1.8*1.8m", "XF1205-2014", "2只装"],
        "extra": ["厨房", "家用", "盒装", "壁挂式", "逃生", "防火", "认证", "送挂钩", "正品"],
    },
    "gas_detector": {
        "core": ["燃气报警器", "家用燃气报警器", "可燃气体探测器", "天然气报警器",
                 "煤气泄漏报警器", "液化气报警器", "工业可燃气体报警器", "燃气泄漏探测器"],
        "spec": ["GB15322.2-2019", "甲烷", "丙烷", "220V", "联动切断阀", "独立式", "点型"],
        "extra": ["厨房", "家用", "餐厅", "联网", "APP远程", "CCC认证", "带电磁阀", "吸顶式",
                  "壁挂"],
    },
    "smoke_alarm": {
        "core": ["烟雾报警器", "烟感报警器", "独立式感烟火灾探测报警器", "烟感", "家用烟雾探测器",
                 "无线烟感", "火灾烟雾报警器", "光电感烟探测器", "智能烟感"],
        "spec": ["GB20517-2006", "9V电池", "10年锂电池", "NB-IoT", "WiFi", "JTY-GD",
                 "JTY-GF-XT01"],
        "extra": ["家用", "商用", "3C认证", "消防认证", "声光报警", "独立式", "免布线",
                  "宿舍", "酒店", "10个装", "联网"],
    },
    "emergency_light": {
        "core": ["消防应急灯", "安全出口指示灯", "疏散指示灯", "应急照明灯", "双头应急灯",
                 "LED消防应急照明灯", "安全出口标志灯", "地埋疏散指示灯", "新国标应急灯"],
        "spec": ["GB17945-2024", "A型", "集中控制型", "自带电源", "3小时", "90分钟", "磷酸铁锂",
                 "镍镉电池"],
        "extra": ["停电照明", "消防验收", "商场", "楼道", "双面", "单面", "吸顶", "新国标",
                  "3C认证"],
    },
    "fire_pump": {
        "core": ["消防泵", "消防泵组", "消火栓泵", "喷淋泵", "消防稳压泵", "立式多级消防泵",
                 "柴油机消防泵组", "XBD消防水泵"],
        "spec": ["XBD5.0/20", "XBD8.0/30G", "15kW", "37kW", "380V", "稳压设备", "CCCF"],
        "extra": ["工程", "控制柜", "整套", "厂家", "带证书", "多级", "立式", "卧式"],
    },
    "gas_suppression": {
        "core": ["七氟丙烷灭火装置", "七氟丙烷气体灭火系统", "悬挂式七氟丙烷", "柜式七氟丙烷",
                 "七氟丙烷灭火器", "气体灭火瓶组", "七氟丙烷药剂", "HFC-227ea气体灭火"],
        "spec": ["GQQ70/2.5", "GQQ120/2.5", "70L", "120L", "100kg", "无管网", "管网式"],
        "extra": ["机房", "配电室", "档案室", "厂家", "自动灭火", "含药剂", "双柜", "充装"],
    },
    "flame_retardant_cable": {
        "core": ["阻燃电缆", "阻燃电线", "低烟无卤阻燃电缆", "ZR-YJV电缆", "阻燃铜芯电线",
                 "WDZ-BYJ电线", "阻燃BV线", "国标阻燃电力电缆"],
        "spec": ["ZR-YJV 3*4+1*2.5", "ZC-YJV", "ZR-BV", "ZB-RVV", "WDZC-YJY", "2.5平方",
                 "4平方", "0.6/1kV", "450/750V", "100米"],
        "extra": ["国标", "铜芯", "家装", "工程", "整卷", "足米", "CCC认证", "厂家直销"],
    },
    "fire_resistant_cable": {
        "core": ["耐火电缆", "耐火电线", "矿物绝缘电缆", "NH-YJV耐火电缆", "氧化镁矿物电缆",
                 "消防耐火线", "低烟无卤耐火电缆"],
        "spec": ["NH-BV", "NH-YJV", "BTTZ", "YTTW", "WDZN-BYJ", "N-RVS", "NH-KVV", "2.5平方",
                 "4*6"],
        "extra": ["消防专用", "国标", "铜芯", "应急回路", "整卷", "工程", "足米"],
    },
    "electrical_fire_detector": {
        "core": ["电气火灾监控探测器", "剩余电流式电气火灾监控探测器", "测温式电气火灾探测器",
                 "电气火灾监控系统", "漏电火灾报警器", "组合式电气火灾监控探测器"],
        "spec": ["GB14287.2-2014", "GB14287.3-2014", "剩余电流", "测温", "导轨式", "4路"],
        "extra": ["配电箱", "工程", "联网", "主机", "互感器", "配套", "验收"],
    },
    "fire_retardant_coating": {
        "core": ["防火涂料", "钢结构防火涂料", "膨胀型防火涂料", "饰面型防火涂料", "木材防火涂料",
                 "电缆防火涂料", "超薄型钢结构防火涂料", "防火漆"],
        "spec": ["GB14907-2018", "室内", "室外", "水性", "溶剂型", "20kg", "厚型", "薄型"],
        "extra": ["钢构", "木材", "桶装", "批发", "工程", "耐火极限", "检测报告"],
    },
    "foam_agent": {
        "core": ["泡沫灭火剂", "水成膜泡沫灭火剂", "抗溶泡沫灭火剂", "蛋白泡沫液",
                 "AFFF泡沫液", "氟蛋白泡沫灭火剂", "消防泡沫液"],
        "spec": ["3%", "6%", "AFFF 3%", "AR/AFFF", "S-AFFF", "25kg", "200kg桶", "GB15308"],
        "extra": ["油库", "加油站", "化工厂", "桶装", "厂家", "消防车用"],
    },
    "fire_hose": {
        "core": ["消防水带", "消防水带 有衬里", "涂胶水带", "PVC消防水带", "消火栓水带",
                 "消防水龙带", "轻便水带", "聚氨酯消防水带"],
        "spec": ["8-65-20", "13-65-25", "10-50-20", "16-65-25", "DN65", "DN50", "20米",
                 "25米", "2.5寸"],
        "extra": ["带接口", "消火栓箱", "工程", "消防认证", "正品", "耐压"],
    },
    "fire_coupling": {
        "core": ["消防接口", "消防水带接口", "内扣式接口", "卡式接口", "消防快速接头",
                 "消火栓转换接头", "异径接口", "闷盖"],
        "spec": ["KD65", "KD50", "KJ65", "KY65", "DN65", "2.5寸", "铝合金", "铜"],
        "extra": ["消防水带用", "配件", "批发", "消火栓", "快速连接"],
    },
    "rescue_equipment": {
        "core": ["消防战斗服", "消防头盔", "消防靴", "消防手套", "消防员灭火防护服", "安全腰带",
                 "消防腰斧", "呼救器", "微型消防站器材", "消防员五件套", "抢险救援服"],
        "spec": ["17款", "14款", "02款", "阻燃", "四件套", "五件套", "3C认证", "XF10"],
        "extra": ["微型消防站", "消防站", "工厂", "物业", "救援", "阻燃防护", "含头盔"],
    },
    "other_fire": {
        "core": ["推车式干粉灭火器", "室内消火栓", "消火栓箱", "灭火器箱", "消防水枪",
                 "简易式灭火器", "气溶胶灭火装置", "灭火器支架", "地上消火栓", "消防沙箱",
                 "消防斧", "消防水泵接合器", "灭火球", "消防柜"],
        "spec": ["MFTZ/ABC35", "MFTZ/ABC50", "SN65", "QZ19", "SS100", "2具装", "不锈钢",
                 "4kg*2"],
        "extra": ["工厂", "物业", "小区", "加油站", "仓库", "消防器材", "商用", "认证"],
    },
}

NOT_FIRE = [
    "儿童消防车玩具 惯性 工程车", "消防车玩具 男孩 大号 可喷水", "合金消防车模型 1:50 云梯车",
    "消防安全知识读本 幼儿园绘本", "消防安全教育 小学生读物", "注册消防工程师 教材 2025",
    "消防设施操作员 培训课程", "消防维保服务 年度维保合同", "消防检测服务 上门", "消防工程设计 施工",
    "消防员cosplay服装 儿童 角色扮演", "儿童消防员服装 表演服 万圣节", "消防员玩具套装 过家家",
    "灭火器造型保温杯 创意", "灭火器造型打火机 个性", "消防栓造型存钱罐", "灭火器 手机壳 创意",
    "消防主题 生日蛋糕装饰 插件", "消防安全标语 海报 挂图 宣传画", "消防安全 标识贴纸 禁止吸烟",
    "灭火器 摆件 迷你 钥匙扣", "消防车 积木 兼容乐高", "消防安全月 宣传横幅 定制",
    "消防演练 活动策划 服务", "灭火器年检 上门服务 充装维修", "灭火器维修换粉服务 本地",
    "消防主题 儿童T恤", "消防员 公仔 毛绒玩具", "消防车 遥控 充电 儿童", "消防水枪玩具 喷水",
    "火影忍者 手办", "电热水壶 304不锈钢", "保温杯 大容量", "灭蚊灯 家用", "灭火器形状 糖果罐",
    "消防知识 竞赛 题库 书", "消防员 主题 派对 装饰 气球", "消防通道 禁止占用 警示牌",
    "二手 儿童消防车玩具 九成新", "消防车玩具 道具 幼儿园表演", "灭火器模型 道具 儿童 角色扮演玩具",
    "厨房 油烟机 清洗剂", "汽车 遮阳挡", "灭火 题材 电影 海报", "消防 头盔 儿童 玩具帽",
]
NOT_FIRE_EXTRA = ["包邮", "新款", "热卖", "儿童节礼物", "幼儿园", "生日礼物", "", "", "创意", "2025新款"]

RISK = {
    "inspection_only": ["应付一下检查", "检查时摆着用", "验收应付用", "只求过验收", "年检专用", "只为过检", "应付检查", "消防检查专用", "验收专用", "审车专用",
                        "年检必过", "应付消防检查", "过检用", "检查专用"],
    "no_certification": ["无3C", "不带3C", "免3C", "无需认证", "无合格证", "无证 便宜", "无需3C认证",
                         "不带合格证", "没有任何认证", "不需要认证", "无认证 出口转内销"],
    "refurbished": ["二手", "回收瓶", "换粉", "翻新", "旧瓶新装", "二手回收", "九成新", "回收钢瓶 翻新", "旧罐重新灌装", "库存旧货"],
    "prop_or_display": ["道具", "样品", "空瓶", "模型", "展示用", "拍摄道具", "摆设用", "空瓶 样品", "陈列用 空罐", "仿真摆件"],
    "no_manufacturer": ["三无", "无品牌", "无厂名", "三无产品", "无厂家 无品牌"],
}
RISK_CATS = {
    "inspection_only": ["portable_extinguisher", "smoke_alarm", "emergency_light", "fire_blanket",
                        "escape_respirator", "gas_detector", "other_fire"],
    "no_certification": ["portable_extinguisher", "escape_respirator", "smoke_alarm",
                         "gas_detector", "emergency_light", "flame_retardant_cable", "other_fire",
                         "fire_blanket"],
    "refurbished": ["portable_extinguisher", "other_fire", "gas_suppression", "escape_respirator",
                    "fire_hose"],
    "prop_or_display": ["portable_extinguisher", "smoke_alarm", "escape_respirator",
                        "emergency_light", "other_fire"],
    "no_manufacturer": ["portable_extinguisher", "escape_respirator", "smoke_alarm", "fire_blanket",
                        "flame_retardant_cable", "gas_detector", "fire_hose", "emergency_light"],
}
# (category, title, price, reasons): structured-check examples
STRUCTURED = [
    ("portable_extinguisher", "MFZ/ABC4 干粉灭火器 2kg 家用", None, ["spec_mismatch"]),
    ("portable_extinguisher", "灭火器MFZ/ABC4 店铺用 1kg 小型", None, ["spec_mismatch"]),
    ("portable_extinguisher", "MFZ/ABC2 4公斤 手提式干粉灭火器", None, ["spec_mismatch"]),
    ("portable_extinguisher", "手提式干粉灭火器 MFZ/ABC8 3kg 仓库", None, ["spec_mismatch"]),
    # a superseded edition: its reason depends on the day (`_dated_reasons`)
    ("portable_extinguisher", "干粉灭火器 4kg MFZ/ABC4 执行标准GB4351.1-2005", None, []),
    ("portable_extinguisher", "灭火器 GB 4351.1-2005 标准 MFZ/ABC2", None, []),
    ("escape_respirator", "TZL60 消防自救呼吸器 超长防护", None, ["substandard_spec"]),
    ("escape_respirator", "过滤式自救呼吸器 TZL45 防烟面罩 酒店", None, ["substandard_spec"]),
    ("escape_respirator", "防毒面具 TZL40 火灾逃生", None, ["substandard_spec"]),
    ("portable_extinguisher", "4kg干粉灭火器 MFZ/ABC4 家用店铺", "9.50", ["price_too_low"]),
    ("portable_extinguisher", "手提式干粉灭火器4公斤 MFZ/ABC4", "12.80", ["price_too_low"]),
    ("portable_extinguisher", "MFZ/ABC4 灭火器 4KG 厂家", "14.5", ["price_too_low"]),
    ("escape_respirator", "TZL30 过滤式消防自救呼吸器", "8.8", ["price_too_low"]),
    ("smoke_alarm", "独立式烟雾报警器 家用", "3.9", ["price_too_low"]),
    ("fire_blanket", "灭火毯 1m*1m 家用厨房", "2.5", ["price_too_low"]),
    ("portable_extinguisher", "干粉灭火器4kg 3C认证证书编号2023081801234", None, ["invalid_certificate"]),
    ("smoke_alarm", "烟雾报警器 CCC证书编号：2019AB0811234567", None, ["invalid_certificate"]),
    ("escape_respirator", "自救呼吸器 认证证书编号 1999081801234567 TZL30", None, ["invalid_certificate"]),
    ("fire_door", "钢质防火门 甲级 GFM-1021-dk5 A1.00", None, ["spec_mismatch"]),
    ("fire_door", "乙级防火门 GFM-0921-bk5 A1.50 楼道", None, ["spec_mismatch"]),
    ("fire_glass", "复合防火玻璃 FFB-25-A2.50", None, ["substandard_spec"]),
    ("emergency_light", "消防应急灯 钴酸锂电池 停电照明", None, ["substandard_spec"]),
    ("emergency_light", "安全出口指示灯 三元锂电池 新款", None, ["substandard_spec"]),
    ("sprinkler", "ZSTX15-68℃ 下垂型喷头 橙色玻璃球", None, ["spec_mismatch"]),
    ("portable_extinguisher", "MFZ/ABC4 灭火器 年检专用 4kg", "9.9", ["inspection_only", "price_too_low"]),
    ("portable_extinguisher", "二手灭火器 换粉 MFZ/ABC4 2kg", None, ["refurbished", "spec_mismatch"]),
]


def _title(rng: random.Random, cat: str, platform: str, risk: str | None = None) -> str:
    spec = CATS[cat]
    parts = [rng.choice(spec["core"])]
    single = cat in ("portable_extinguisher", "escape_respirator", "fire_door", "sprinkler")
    for _ in range(rng.randint(0, 1 if single else 2)):
        parts.append(rng.choice(spec["spec"]))
    for _ in range(rng.randint(1, 3)):
        parts.append(rng.choice(spec["extra"]))
    if risk:
        parts.insert(rng.randint(0, len(parts)), rng.choice(RISK[risk]))
    if not risk or risk != "no_manufacturer":
        if rng.random() < 0.4:
            parts.insert(0, rng.choice(BRANDS_FIRE))
    if rng.random() < 0.25:  # keyword stuffing
        parts.append(rng.choice(spec["core"]))
    head = parts[0]
    rest = parts[1:]
    rng.shuffle(rest)
    decor = rng.choice(DECOR[platform])
    sep = rng.choice([" ", " ", "", "/"])
    text = sep.join([head] + rest)
    if decor and decor.startswith("【"):
        return decor + text
    return (text + " " + decor).strip()


# more hand-written pieces per category (added to CATS below)
MORE = {
    "portable_extinguisher": {"core": ["干粉灭火器手提式", "灭火器 干粉", "家用小型灭火器", "商铺灭火器", "工厂灭火器",
                                       "手提式二氧化碳灭火器", "手提式水基型灭火器", "厨房灭火器", "灭火器 店铺用"],
                              "extra": ["压力表绿区", "带身份证标识", "国家认证", "消防验收", "办公室", "仓库", "饭店",
                                        "送挂钩", "含箱子", "可开发票", "证书齐全", "2025年新日期"]},
    "escape_respirator": {"core": ["自救呼吸器", "逃生面罩", "防烟防毒面具", "火灾逃生防毒面罩", "消防逃生面具"],
                          "extra": ["高层住宅", "酒店客房配置", "一氧化碳防护", "儿童成人通用", "盒装", "壁挂"]},
    "sprinkler": {"core": ["喷淋头 消防", "消防洒水喷头", "自动喷淋头", "吊顶喷淋头"],
                  "extra": ["68℃", "红色", "DN15", "铜本体", "100个装", "快速响应型"]},
    "fire_door": {"core": ["钢制防火门", "消防门", "楼梯间防火门", "防火入户门"],
                  "extra": ["闭门器", "顺序器", "防火锁", "观察窗", "非标尺寸可定做"]},
    "fire_glass": {"core": ["防火玻璃窗", "防火玻璃隔断", "夹层防火玻璃"], "extra": ["防火窗", "隔热型", "非隔热型"]},
    "fire_shutter": {"core": ["卷帘门 防火", "特级卷帘", "防火分隔卷帘"], "extra": ["消防联动", "手动按钮", "温控释放"]},
    "fire_blanket": {"core": ["灭火毯家用", "防火毯 厨房", "消防毯"], "extra": ["1米", "1.2米", "耐高温", "抽拉式"]},
    "gas_detector": {"core": ["天然气泄漏报警器", "燃气探测器", "可燃气体报警器"], "extra": ["国标", "插电式", "报警联动"]},
    "smoke_alarm": {"core": ["烟感器", "烟雾探测器", "火灾报警器 烟感", "独立烟感"], "extra": ["10年长效", "免安装", "出租屋"]},
    "emergency_light": {"core": ["应急照明", "消防应急标志灯", "疏散标志灯", "楼道应急灯"], "extra": ["持续90分钟", "壁挂", "LED"]},
    "fire_pump": {"core": ["消防水泵", "消防增压泵", "消防栓泵"], "extra": ["整套设备", "稳压罐", "不锈钢"]},
    "gas_suppression": {"core": ["七氟丙烷", "气体灭火装置", "七氟丙烷灭火系统"], "extra": ["温控启动", "电磁启动", "瓶组"]},
    "flame_retardant_cable": {"core": ["阻燃线", "阻燃护套线", "阻燃电力电缆"], "extra": ["4平方", "6平方", "整卷100米"]},
    "fire_resistant_cable": {"core": ["耐火线", "防火电缆", "耐火控制电缆"], "extra": ["消防回路", "应急照明回路", "NH"]},
    "electrical_fire_detector": {"core": ["电气火灾探测器", "电气火灾监控模块", "剩余电流探测器"], "extra": ["导轨", "RS485"]},
    "fire_retardant_coating": {"core": ["防火涂料 钢结构", "防火漆 木材", "防火涂料 电缆"], "extra": ["耐火2小时", "25kg桶"]},
    "foam_agent": {"core": ["泡沫液", "水成膜泡沫", "泡沫灭火药剂"], "extra": ["3%型", "6%型", "抗溶"]},
    "fire_hose": {"core": ["水带", "消防软管", "消防水龙带"], "extra": ["20米", "25米", "有衬里"]},
    "fire_coupling": {"core": ["水带接口", "消防接头", "消防闷盖"], "extra": ["KD65", "KD50", "内扣式"]},
    "rescue_equipment": {"core": ["消防员防护服", "消防安全绳", "消防员头盔", "消防战斗靴"], "extra": ["17式", "阻燃隔热"]},
    "other_fire": {"core": ["消火栓", "灭火器箱子", "消防栓箱", "推车式灭火器", "消防水枪头", "消防卷盘"],
                   "extra": ["35kg", "2具", "室内", "室外"]},
}
for _cat, _pieces in MORE.items():
    for _k, _v in _pieces.items():
        CATS[_cat][_k] = CATS[_cat][_k] + _v

MORE_RISK = {
    "inspection_only": ["包过年检", "迎检专用", "应付抽查", "检查时摆放", "过消防验收", "年审专用", "过检神器", "备检专用"],
    "no_certification": ["没3C", "无国标认证", "未认证", "无检测报告", "免认证", "无强制认证", "不带认证", "无证书"],
    "refurbished": ["二次充装", "重灌", "旧货", "拆机", "闲置", "有使用痕迹", "回收翻新", "旧粉"],
    "prop_or_display": ["影视道具", "展示品", "空壳", "无药剂", "仅供展示", "展示机", "不能灭火", "演示用"],
    "no_manufacturer": ["无厂家信息", "厂家不详", "无商标", "无中文标识", "杂牌", "无标签", "无生产厂家"],
}
MORE_RISK["inspection_only"] += ["做样子", "摆样子", "走过场", "交差用", "专供验收", "临时应付"]
MORE_RISK["refurbished"] += ["旧线", "拆旧", "回收件", "翻修", "重新喷漆", "拆件", "二次利用", "再制造"]
for _code, _phr in MORE_RISK.items():
    RISK[_code] = RISK[_code] + _phr
# every fire category can carry every textual reason: spread them so the text model does
# not tie a reason to a few categories
_FIRE = [c for c in CATS if c not in ("not_fire",)]
for _code in RISK_CATS:
    RISK_CATS[_code] = RISK_CATS[_code] + [c for c in _FIRE if c not in RISK_CATS[_code]]

MORE_NOT_FIRE = [
    "幼儿园 消防演练道具 仿真灭火器", "消防主题 角色扮演 套装 儿童", "灭火器 模型 摆件 桌面 装饰",
    "消防知识 挂图 学校 宣传栏", "消防安全 培训 服务 企业", "消防维保 检测 合同 年度", "灭火器 年检 上门服务 换粉",
    "消防工程 施工 安装 服务", "消防车 遥控 玩具 可喷水", "消防车 绘本 故事书", "消防员 玩偶 公仔",
    "应急灯 户外 露营 充电", "防毒面具 喷漆 化工 半面罩", "花园 喷淋头 自动浇水", "洗车 水管 高压 水枪",
    "网线 超五类 电缆 家用", "卧室门 实木 室内门", "钢化玻璃 茶几 台面", "乳胶漆 内墙 涂料", "防火墙 企业 网络设备",
    "烟雾机 舞台 效果", "燃气灶 嵌入式", "劳保手套 耐磨", "雨靴 防水 男女", "户外 斧头 露营", "安全帽 工地 建筑",
    "消防 标识贴 夜光", "灭火器 图案 贴纸 汽车", "消防 宣传 横幅 定制", "消防 主题 文具 套装",
]
NOT_FIRE = NOT_FIRE + MORE_NOT_FIRE


def _decorate(rng: random.Random, platform: str, text: str) -> str:
    decor = rng.choice(DECOR[platform])
    if decor and decor.startswith("【"):
        return decor + text
    return (text + " " + decor).strip()


def _pick(rng: random.Random, items):
    return items[rng.randrange(len(items))]


NEUTRAL = {1.5: 1, 2.5: 1.5, 4: 2.5, 6: 4, 10: 6}


def _families(rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """Spec-family lines: codes that agree (no reason) or contradict / fall short (a reason)."""
    out: list[tuple[str, str, list[str]]] = []
    ext_agents = [("F", "ABC", "干粉", [1, 2, 3, 4, 5, 6, 8], "kg"), ("T", "", "二氧化碳", [2, 3, 5, 7], "kg"),
                  ("SW", "", "水基", [2, 3, 6, 9], "L"), ("P", "", "泡沫", [3, 6, 9], "L")]
    others = {"干粉": ["水基", "二氧化碳"], "二氧化碳": ["干粉", "水基"], "水基": ["干粉", "二氧化碳"], "泡沫": ["干粉"]}
    tails = ["手提式灭火器", "灭火器", "灭火器 家用", "灭火器 店铺用", "灭火器 工厂", "灭火器 车载"]
    for _ in range(60):
        a, feat, word, sizes, unit = _pick(rng, ext_agents)
        n = _pick(rng, sizes)
        code = f"M{a}Z/{feat}{n}" if feat else (f"M{a}Z/{n}" if a != "T" else _pick(rng, [f"MT{n}", f"MT/{n}"]))
        qty = f"{n}{_pick(rng, ['kg', '公斤', 'KG'])}" if unit == "kg" else f"{n}{_pick(rng, ['L', '升'])}"
        out.append(("portable_extinguisher", f"{word}{_pick(rng, tails)} {code} {qty}", []))
        wrong = _pick(rng, [s for s in sizes if abs(s - n) >= 1])
        wq = f"{wrong}{_pick(rng, ['kg', '公斤'])}" if unit == "kg" else f"{wrong}{_pick(rng, ['L', '升'])}"
        out.append(("portable_extinguisher", f"{word}{_pick(rng, tails)} {code} {wq}", ["spec_mismatch"]))
        out.append(("portable_extinguisher", f"{_pick(rng, others[word])}{_pick(rng, tails)} {code}", ["spec_mismatch"]))
    for _ in range(12):
        out.append(("portable_extinguisher", f"干粉灭火器 {_pick(rng, ['执行标准', '标准', ''])}GB {_pick(rng, ['4351.1-2005', '4351.2-2005'])} "
                    f"{_pick(rng, ['4kg', '2kg', 'MFZ/ABC4'])}", []))  # superseded edition: dated reason
        out.append(("portable_extinguisher", f"干粉灭火器 执行标准GB 4351-2023 {_pick(rng, ['4kg', '8kg', 'MFZ/ABC2'])}", []))
        out.append(("portable_extinguisher", f"干粉灭火器 {_pick(rng, ['磷酸铵盐含量', '主要成分含量', '有效成分'])}"
                    f"{_pick(rng, [20, 30, 40, 50, 60])}% {_pick(rng, ['4kg', '便宜', '店铺'])}", ["substandard_spec"]))
    resp = ["过滤式消防自救呼吸器", "防烟面罩", "火灾逃生面具", "自救呼吸器"]
    for _ in range(20):
        m = _pick(rng, [15, 20, 25, 30])
        out.append(("escape_respirator", f"{_pick(rng, resp)} TZL{m} {_pick(rng, ['', f'防护{m}分钟', f'{m}min'])}".strip(), []))
        out.append(("escape_respirator", f"{_pick(rng, resp)} TZL{_pick(rng, [35, 40, 45, 50, 60, 90])}", ["substandard_spec"]))
        out.append(("escape_respirator", f"{_pick(rng, resp)} TZL{m} 防护时间{_pick(rng, [x for x in (15, 20, 30, 60) if x != m])}分钟",
                    ["spec_mismatch"]))
    bulbs = {57: "橙", 68: "红", 79: "黄", 93: "绿", 141: "蓝"}
    for _ in range(20):
        t = _pick(rng, list(bulbs))
        kind = _pick(rng, ["X", "Z", "B"])
        code = f"{_pick(rng, ['', 'K-'])}ZST{kind}{_pick(rng, [15, 20])}-{t}℃"
        out.append(("sprinkler", f"{code} 玻璃球喷头 {bulbs[t]}色", []))
        wrong = _pick(rng, [c for c in bulbs.values() if c != bulbs[t]])
        out.append(("sprinkler", f"{code} 洒水喷头 {wrong}色玻璃球", ["spec_mismatch"]))
    grades = {"甲级": "A1.50", "乙级": "A1.00", "丙级": "A0.50"}
    for _ in range(18):
        g = _pick(rng, list(grades))
        door = _pick(rng, ["钢质防火门", "木质防火门", "防火门"])
        out.append(("fire_door", f"{door} {g} {_pick(rng, ['GFM-1021', 'MFM-0921', ''])} {grades[g]}".replace("  ", " "), []))
        out.append(("fire_door", f"{door} {g} {_pick(rng, [v for k, v in grades.items() if k != g])}", ["spec_mismatch"]))
    for _ in range(14):
        h = _pick(rng, ["1.00", "1.50", "2.00"])
        th = _pick(rng, [12, 15, 19, 25])
        out.append(("fire_glass", f"{_pick(rng, ['复合防火玻璃', '防火玻璃'])} FFB-{th}-A{h} {_pick(rng, ['隔热型', '防火窗', ''])}".strip(), []))
        out.append(("fire_glass", f"防火玻璃 FFB-{th}-A{_pick(rng, ['2.50', '0.80', '1.20'])}", ["substandard_spec"]))
        out.append(("fire_glass", f"单片防火玻璃 DFB-{th}-C{h} 耐火{_pick(rng, [x for x in ('1', '1.5', '2', '3') if float(x) != float(h)])}小时",
                    ["spec_mismatch"]))
    for _ in range(20):
        p, b, l = _pick(rng, [8, 10, 13, 16]), _pick(rng, [50, 65]), _pick(rng, [20, 25])
        out.append(("fire_hose", f"消防水带 {p}-{b}-{l} {l}米 {_pick(rng, ['带接口', '有衬里', ''])}".strip(), []))
        out.append(("fire_hose", f"消防水带 {p}-{b}-{l} {_pick(rng, [x for x in (15, 20, 25, 30) if x != l])}米", ["spec_mismatch"]))
        out.append(("fire_hose", f"消防水带 {_pick(rng, [4, 5, 6])}-{b}-{l} 便宜", ["substandard_spec"]))
    for _ in range(12):
        b = _pick(rng, [50, 65])
        out.append(("fire_coupling", f"{_pick(rng, ['内扣式消防接口', '消防接口'])} KD{b} DN{b}", []))
        out.append(("fire_coupling", f"{_pick(rng, ['内扣式消防接口', '消防接口'])} KD{b} DN{115 - b}", ["spec_mismatch"]))
    for _ in range(20):
        cls = _pick(rng, ["ZR", "ZA", "ZB", "ZC", "WDZ", "WDZC"])
        sec = _pick(rng, [1.5, 2.5, 4, 6, 10])
        out.append(("flame_retardant_cable", f"{cls}-YJV 3*{sec:g}+1*{NEUTRAL[sec]:g} 0.6/1kV 阻燃电缆", []))
        out.append(("flame_retardant_cable", f"{cls}-YJV 3*{sec:g}+1*{NEUTRAL[sec]:g} 450/750V 阻燃", ["spec_mismatch"]))
        out.append(("flame_retardant_cable", f"{cls}-BV {_pick(rng, [2, 3, 5, 8])}平方 阻燃电线", ["substandard_spec"]))
        out.append(("flame_retardant_cable", f"{cls}-BV {sec:g}平方 450/750V 阻燃电线", []))
        out.append(("fire_resistant_cable", f"耐火电缆 {cls}-YJV 4*{sec:g}", ["spec_mismatch"]))
        out.append(("fire_resistant_cable", f"耐火电缆 {_pick(rng, ['NH', 'N', 'WDZN', 'ZCN'])}-YJV 4*{sec:g}", []))
    for _ in range(14):
        side = _pick(rng, ["0.5*0.5m", "0.6*0.6m", "50*50cm", "0.8x0.8m"])
        out.append(("fire_blanket", f"灭火毯 {side} {_pick(rng, ['厨房', '家用', '迷你'])}", ["substandard_spec"]))
        out.append(("fire_blanket", f"灭火毯 {_pick(rng, ['1m*1m', '1.2*1.2m', '1.5m*1.5m'])} {_pick(rng, ['厨房', '家用'])}", []))
    for _ in range(14):
        lamp = _pick(rng, ["消防应急灯", "安全出口指示灯", "应急照明灯", "疏散指示灯"])
        out.append(("emergency_light", f"{lamp} {_pick(rng, ['钴酸锂', '三元锂', '铅酸'])}电池 {_pick(rng, ['停电照明', '楼道', ''])}".strip(),
                    ["substandard_spec"]))
        out.append(("emergency_light", f"{lamp} {_pick(rng, ['磷酸铁锂', '镍镉', '镍氢'])}电池 新国标", []))
        out.append(("emergency_light", f"{lamp} 执行标准GB 17945-2010", []))  # superseded edition: dated reason
        out.append(("emergency_light", f"{lamp} 执行标准GB 17945-2024", []))
    for _ in range(8):
        out.append(("smoke_alarm", f"烟雾报警器 {_pick(rng, ['欧标 EN14604', 'UL217', '执行标准EN 14604'])} {_pick(rng, ['出口', '家用'])}",
                    ["substandard_spec"]))
        out.append(("fire_shutter", "特级防火卷帘 耐火3小时 无机布", []))
    return out



def generate(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    for cat in CATS:
        for _ in range(60):
            pf = rng.choice(PLATFORMS)
            out.append({"title": _title(rng, cat, pf), "category": cat, "reasons": [], "platform": pf})
    for risk, cats in RISK.items():
        for i, cat in enumerate(RISK_CATS[risk]):
            for _ in range(9 if i < 8 else 4):
                pf = rng.choice(PLATFORMS)
                out.append({"title": _title(rng, cat, pf, risk), "category": cat,
                            "reasons": [risk], "platform": pf})
    for _ in range(4):
        for base in NOT_FIRE:
            pf = rng.choice(PLATFORMS)
            extra = rng.choice(NOT_FIRE_EXTRA)
            title = (base + " " + extra).strip() if rng.random() < 0.6 else (extra + " " + base).strip()
            out.append({"title": title, "category": "not_fire", "reasons": [], "platform": pf})
    for cat, title, price, reasons in STRUCTURED:
        pf = rng.choice(PLATFORMS)
        rec = {"title": title, "category": cat, "reasons": reasons, "platform": pf}
        if price:
            rec["price"] = price
        out.append(rec)
    for cat, title, reasons in _families(rng):
        pf = rng.choice(PLATFORMS)
        out.append({"title": _decorate(rng, pf, title), "category": cat, "reasons": reasons, "platform": pf})
    # attribute-borne evidence
    for cat in ("portable_extinguisher", "smoke_alarm", "escape_respirator", "fire_blanket", "gas_detector",
                "emergency_light"):
        for value in ("无品牌", "三无", "无", "不详"):
            pf = rng.choice(PLATFORMS)
            out.append({"title": _title(rng, cat, pf), "category": cat, "reasons": ["no_manufacturer"],
                        "platform": pf, "attributes": {rng.choice(["品牌", "生产厂家"]): value}})
    seen, unique = set(), []
    days = random.Random(seed + 1)  # its own stream: dating does not move the titles
    span = (FIRST_SEEN_TO - FIRST_SEEN_FROM).days + 1
    for rec in out:
        key = (rec["title"], rec["category"])
        if key not in seen:
            seen.add(key)
            rec["first_seen"] = (FIRST_SEEN_FROM + timedelta(days=days.randrange(span))).isoformat()
            rec["reasons"] = rec["reasons"] + [c for c in _dated_reasons(rec) if c not in rec["reasons"]]
            rec["source"] = "generated"
            unique.append(rec)
    return unique


def _dated_reasons(rec: dict, facts: dict | None = None, scope: Scope | None = None) -> list[str]:
    """The reasons the rules' dated facts give a generated line on its `first_seen`:
    `substandard_spec` when its title cites a standard edition withdrawn by then (the standards table
    of `specs.yaml`: `withdrawn_on` + `withdrawn_grace_days`, for an entry the rules apply: verified, or
    while its `enforce` switch is on); `invalid_certificate` when it claims CCC
    for a product outside CCC on that day (`ccc_scope.yaml`)."""
    facts = facts or load_facts()
    scope = scope or load_scope()
    on = date.fromisoformat(rec["first_seen"])
    out = []
    grace = timedelta(days=int(facts.get("withdrawn_grace_days", 0)))
    ends = {str(e["number"]): date.fromisoformat(str(e["withdrawn_on"]))
            for e in facts.get("standards", []) + facts.get("withdrawn_standards", [])
            if e.get("withdrawn_on") and _dated_applies(e)}
    cited = parse_specs(rec["title"], facts).get("standards_cited", [])
    if any(on >= ends[key] + grace for key in (f"{s['number']}-{s['year']}" for s in cited) if key in ends):
        out.append("substandard_spec")
    if scope.outside(rec["category"], rec["title"], on) is not None and ccc_claims(rec["title"], scope):
        out.append("invalid_certificate")
    return out


def _drop_accidental_spec_findings(records: list[dict]) -> list[dict]:
    """Drop random combinations whose pieces happen to contradict each other (a 4公斤 core
    with an MFZ/ABC2 code) on the day the line is first seen, when it is not labelled so: they
    would be label noise."""
    keep = []
    for rec in records:
        found = {f.code for f in check_specs(rec["title"], rec["category"], now=date.fromisoformat(rec["first_seen"]))}
        if found - set(rec["reasons"]):
            continue
        keep.append(rec)
    return keep


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(seed: int = SEED, hand_path: Path = HAND, heldout_path: Path = HELDOUT) -> list[dict]:
    """The corpus records, in file order: the hand-written lines, then the generated ones."""
    heldout_titles = {r["title"] for r in _read_jsonl(heldout_path)}
    hand = [r for r in _read_jsonl(hand_path) if r["title"] not in heldout_titles]
    hand_titles = {r["title"] for r in hand}
    generated = [r for r in generate(seed) if r["title"] not in heldout_titles and r["title"] not in hand_titles]
    return hand + _drop_accidental_spec_findings(generated)


def dumps(records: list[dict]) -> str:
    """The JSONL text of `records`, as `corpus.jsonl` holds it."""
    return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)


def main() -> None:
    records = build()
    OUT.write_text(dumps(records), encoding="utf-8")
    generated = sum(r["source"] == "generated" for r in records)
    print(f"wrote {len(records)} records to {OUT} ({len(records) - generated} hand-written, {generated} generated)")


if __name__ == "__main__":
    main()
