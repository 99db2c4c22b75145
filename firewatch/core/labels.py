"""Plain-Chinese names of the taxonomy's codes (spec/taxonomy.md), for everything people read:
takedown lists, notices, evidence reports, the web app and plots.

The codes stay the public interface; these names are only how they are shown.
"""

from __future__ import annotations

CATEGORY_NAMES = {
    "portable_extinguisher": "手提式灭火器", "escape_respirator": "过滤式消防自救呼吸器",
    "sprinkler": "洒水喷头", "fire_door": "防火门", "fire_glass": "防火玻璃", "fire_shutter": "防火卷帘",
    "fire_blanket": "灭火毯", "gas_detector": "可燃气体探测器", "smoke_alarm": "独立式感烟火灾探测报警器",
    "emergency_light": "消防应急照明灯具", "fire_pump": "消防泵组", "gas_suppression": "七氟丙烷气体灭火设备",
    "flame_retardant_cable": "阻燃电缆", "fire_resistant_cable": "耐火电缆",
    "electrical_fire_detector": "电气火灾监控探测器", "fire_retardant_coating": "防火涂料",
    "foam_agent": "泡沫灭火剂", "fire_hose": "消防水带", "fire_coupling": "消防接口",
    "rescue_equipment": "微型消防站救援装备", "other_fire": "其他消防产品", "not_fire": "非消防产品",
}

REASON_NAMES = {
    "inspection_only": "以应付检查为目的销售（如“年检专用”），产品不具备实际功能",
    "no_certification": "声明或暗示未取得强制性产品认证（3C）",
    "invalid_certificate": "证书编号格式错误、类别不符、已失效或在证书库中查无记录",
    "refurbished": "以旧充新：二手、翻新或重新充装的产品",
    "price_too_low": "价格远低于该规格产品的合理成本",
    "spec_mismatch": "型号与标称规格自相矛盾",
    "substandard_spec": "标称规格低于标准最低要求，或引用已废止、不适用的标准",
    "prop_or_display": "道具、模型、样品或展示品在消防产品类目中销售",
    "no_manufacturer": "无生产厂名、品牌或产地（“三无”产品）",
    "watchlist_seller": "卖家或生产企业在监督抽查不合格名单中",
}

PLATFORM_NAMES = {"jd": "京东", "taobao": "淘宝", "tmall": "天猫", "pdd": "拼多多", "1688": "1688", "web": "网站"}

# how a lead reached firewatch (models.Source.kind), and the fields a report row may say of its seller or lead
LEAD_SOURCE_NAMES = {"crawl": "平台抓取", "report": "平台报送", "assist": "协查回复", "tip": "群众举报"}
LEAD_FIELD_NAMES = {"operator": "经营者名称", "credit_code": "统一社会信用代码", "address": "经营地址", "shop_url": "店铺链接",
                    "annual_sales_flag": "年销售额超过规定标准", "suspicion": "涉嫌违法情形", "period": "数据期间",
                    "note": "备注"}


def source_ref_text(kind: str, ref: str, detail: dict) -> str:
    """Where inside its source a sighting is, as a person reads it: 抓取批次 #12, jd.csv 第 4 行 (SHA-256 前 12 位), 回执码."""
    if kind == "crawl":
        return f"抓取批次 #{detail['run']}" if detail.get("run") else "抓取"
    if kind in ("report", "assist") and detail.get("file"):
        row = str(detail.get("row", ""))
        where = f"第 {row} 行" if row.isdigit() else row
        return f"{detail['file']} {where}（SHA-256 {ref.split(':')[0][:12]}…）"
    if kind == "tip":
        return f"举报回执 {ref}"
    return ref


VERDICT_NAMES = {"confirm": "确认违规", "dismiss": "排除", "escalate": "升级处理"}

# a public tip's status as its receipt page shows it (derived: firewatch.services.tips.tip_status)
TIP_STATUS_NAMES = {"received": "已收到", "under_review": "审核中", "confirmed": "已确认", "not_confirmed": "未确认"}


def category_name(code: str | None) -> str:
    return CATEGORY_NAMES.get(code or "", code or "")


def reason_name(code: str) -> str:
    return REASON_NAMES.get(code, code)
