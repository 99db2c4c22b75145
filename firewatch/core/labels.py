"""Plain-Chinese names of the taxonomy's codes (spec/taxonomy.md), for everything people read:
takedown lists, notices, evidence reports, the web app and plots; and of the other codes a
page would otherwise show raw: a reason's listing field (`field_name`), attribute keys the
parsers keep in a page's own English (`attribute_name`), parsed specifications (`spec_rows`:
名称/值 rows, never a Python repr) and extinguishing agents.

The codes stay the public interface; these names are only how they are shown. An unknown code
is shown as it is (the templates escape it).
"""

from __future__ import annotations

import dataclasses

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

# the same, in a few characters (table cells, excerpts: "价格过低：…")
REASON_SHORT_NAMES = {
    "inspection_only": "应付检查", "no_certification": "无3C认证", "invalid_certificate": "证书无效",
    "refurbished": "以旧充新", "price_too_low": "价格过低", "spec_mismatch": "规格矛盾",
    "substandard_spec": "规格不达标", "prop_or_display": "道具展示品", "no_manufacturer": "三无产品",
    "watchlist_seller": "抽查不合格企业",
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


def reason_short_name(code: str) -> str:
    return REASON_SHORT_NAMES.get(code, code)


def evidence_text(reasons) -> str:
    """Reasons' evidence as one Chinese text: 应付检查：…年检专用…；价格过低：参考中位价 60 元…"""
    return "；".join(f"{reason_short_name(r.code)}：{r.evidence}" for r in reasons)


def platform_evidence(reason, title: str | None) -> str:
    """A reason's evidence as a platform (its users, tokens, takedown lists and notices) may read it.

    The text model's fallback reason quotes the model's probability and its top trigger words
    ("文本模型判断概率 0.93；主要依据词：…"), which would let a seller tune wording; a platform reads
    "标题疑似<原因>：「<the marked span of the title>」" instead. Other reasons' evidence quotes the
    listing itself and is returned unchanged. Internal users keep the stored text."""
    if reason.source != "text_model":
        return reason.evidence
    text = ""
    if (reason.span_field or "title") == "title" and title and reason.start is not None and reason.end is not None \
            and 0 <= reason.start < reason.end <= len(title):
        text = title[reason.start:reason.end]
    label = reason_short_name(reason.code)
    return f"标题疑似{label}：「{text}」" if text else f"标题疑似{label}"


def platform_reasons(reasons, title: str | None) -> list:
    """`reasons` with each evidence as `platform_evidence` gives it."""
    return [dataclasses.replace(r, evidence=platform_evidence(r, title)) for r in reasons]


# -- listing fields, attributes and parsed specifications, as a person reads them -------------

LISTING_STATUS_NAMES = {"active": "在售", "removed": "已下架", "blocked": "被屏蔽", "unknown": "未知"}

# the listing field a reason's evidence came from (models.Reason.source)
FIELD_NAMES = {"title": "标题", "attributes": "属性", "description": "描述", "shop_name": "店铺", "price": "价格",
               "shop": "店铺", "specs": "规格", "certificate": "证书", "text_model": "文本模型"}

# attribute keys the platform parsers store under their page's own (English) names
ATTRIBUTE_NAMES = {
    "vender_id": "商家编号", "jd_venderId": "商家编号", "jd_cat": "京东类目", "jd_brand": "京东品牌编号",
    "comments": "评价数", "comment_count": "评价数", "seller_id": "卖家编号", "seller_nick": "卖家昵称",
    "seller_login_id": "卖家账号", "unit": "计量单位", "sales_tip": "销量提示", "normal_price": "单买价",
    "location": "所在地", "province": "省份", "city": "城市", "quantityBegin": "起批量", "item_loc": "所在地",
    "category": "类目", "view_fee": "运费", "brand": "品牌", "categoryId": "类目编号", "spuId": "标准产品编号",
}

# extinguishing agents (classifiers/data/specs.yaml `agents`)
AGENT_NAMES = {"dry_powder": "干粉", "co2": "二氧化碳", "foam": "泡沫", "water": "水基", "clean_agent": "洁净气体"}

# parsed specification keys (classifiers.specs.parse_specs) and the fields inside their entries
SPEC_NAMES = {
    "extinguisher_codes": "灭火器型号", "weights_kg": "标称重量(kg)", "volumes_l": "标称容量(L)",
    "agents_stated": "标称灭火剂", "powder_content_pct": "干粉主要成分含量(%)", "tzl_minutes": "呼吸器型号防护时间(分钟)",
    "agents_declared": "写明的灭火剂（灭火剂：…）",
    "stated_minutes": "标称时间(分钟)", "protection_minutes": "标称防护时间(分钟)", "standards": "引用标准号",
    "standards_cited": "引用标准", "foreign_standards": "引用国外标准", "door_grades": "耐火等级",
    "door_codes": "防火门型号", "rating_hours": "耐火极限(小时)", "stated_hours": "标称耐火时间(小时)",
    "fire_glass": "防火玻璃型号", "glass_thickness_mm": "厚度(mm)", "temperatures_c": "公称动作温度(℃)",
    "colours": "玻璃球颜色", "sprinklers": "洒水喷头型号", "k_factors": "流量系数K", "dn": "公称通径DN",
    "pressures_mpa": "压力(MPa)", "working_pressures_mpa": "工作压力(MPa)", "thickness_said_mm": "写明的厚度(mm)",
    "door_openings": "门洞尺寸(mm)", "hoses": "水带型号", "lengths_m": "长度(米)", "couplings": "接口型号",
    "cables": "电缆型号", "conductors": "芯数×截面", "sections_mm2": "截面(mm²)", "cores": "芯数",
    "voltages": "额定电压", "blanket_sizes": "灭火毯尺寸", "batteries": "电池", "certificate_numbers": "证书编号",
    "pack_qty": "包装数量", "hydrants": "消火栓型号", "pumps": "消防泵型号", "head_m": "扬程(米)",
    "foam_types_code": "泡沫液类型(型号)", "foam_types_words": "泡沫液类型(文字)", "gas_cylinders": "气体灭火瓶组",
    "mix_ratio_pct": "混合比(%)", "text_risk": "文本模型各原因概率", "risk_raw": "校准前风险分",
    "reason_reliability": "各理由可靠度（判断值，随审核结论调整）",
    "emergency_roles": "应急时间的性质（标称/实测）",
    "text_denied": "商品明确否认的原因（文本模型去掉否认用语后重读）",
    "text_ccc_not_required": "文本模型的无3C认证不计（当日该产品不属强制性认证）",
    "word_values": "规格用词（结构、材质、类型等）",
    "blanket_sides": "灭火毯边长(米)", "bulb_named": "写明玻璃球", "coating_codes": "防火涂料代号",
    "coating_hours": "涂料耐火时间(小时)", "coating_types": "防火涂料类型", "cylinder_count": "瓶组数量",
    "flows_lps": "流量(L/s)", "gear_patterns": "防护服款式", "hose_fit_mm": "适配水带口径(mm)", "powers_kw": "功率(kW)",
    "self_check_hours": "自检周期(小时)", "sprinkler_mountings": "喷头安装方式", "storage_pressures_mpa": "储存压力(MPa)",
    "temperature_channels": "测温通道", "emergency_minutes": "应急时间(分钟)", "emergency_texts": "应急时间原文",
    "protection_texts": "防护时间原文", "stated_hours_texts": "耐火时间原文",
}
SPEC_FIELD_NAMES = {
    "code": "型号", "amount": "量", "unit": "单位", "agent": "灭火剂", "wheeled": "推车式", "id": "标准",
    "scheme": "体系", "number": "编号", "year": "年份", "text": "原文", "type": "类型", "thickness_mm": "厚度(mm)",
    "class": "类别", "hours": "耐火时间(小时)", "temperature_c": "温度(℃)", "bore_mm": "口径(mm)",
    "pressure_mpa": "压力(MPa)", "pressure_class": "压力等级", "length_m": "长度(米)", "flow_lps": "流量(L/s)",
    "volume_l": "容量(L)", "fire_resistant": "耐火", "prefix": "阻燃/耐火标志", "total_cores": "芯数",
    "sections_mm2": "截面(mm²)", "width_m": "宽(米)", "k": "流量系数", "structure": "结构", "feature": "特征",
    "flame_class": "阻燃等级", "low_smoke_halogen_free": "低烟无卤", "response": "响应类型", "section_mm2": "截面(mm²)",
    "cores": "芯数", "place": "使用场所", "base": "基材",
}
# coded values inside parsed specifications
SPEC_VALUE_NAMES = {
    **AGENT_NAMES, "fast": "快速响应", "standard": "标准响应", "pendent": "下垂型", "sidewall": "边墙型",
    "upright": "直立型", "lead_acid": "铅酸", "ternary_lithium": "三元锂", "cobalt_lithium": "钴酸锂",
    "lifepo4": "磷酸铁锂", "nicd": "镍镉", "nimh": "镍氢", "kg": "千克", "l": "升",
    "declared": "标称", "measured": "实测", "tested": "检测",
    "ultra_thin": "超薄型", "thin": "薄型", "thick": "厚型", "intumescent": "膨胀型", "non_intumescent": "非膨胀型",
}


def field_name(source: str | None) -> str:
    """A reason's source field in Chinese: 标题, 属性“品牌”, 标题+属性, 属性“型号”+属性“规格”."""
    parts = []
    for part in (source or "").split("+"):
        if part.startswith("attributes."):
            key = part[len("attributes."):]
            parts.append(f"属性“{ATTRIBUTE_NAMES.get(key, key)}”")
        elif part.startswith("image:"):
            parts.append(f"图片{part[len('image:'):]}文字（OCR）")
        else:
            parts.append(FIELD_NAMES.get(part, part))
    return "+".join(parts)


def attribute_name(key: str) -> str:
    """An attribute key as a person reads it: the page's own Chinese label, or ours for an English one."""
    return ATTRIBUTE_NAMES.get(key, key)


def _spec_value(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "，".join(f"{SPEC_FIELD_NAMES.get(k, k)} {_spec_value(v)}" for k, v in value.items()
                        if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return "、".join(_spec_value(v) for v in value)
    if value is None:
        return "无"
    if isinstance(value, str):
        if value in SPEC_VALUE_NAMES:
            return SPEC_VALUE_NAMES[value]
        return value.upper() if value.isascii() else value  # a code as written on the product: GB 4351, TZ
    return str(value)


def spec_rows(specs: dict) -> list[tuple[str, str]]:
    """Parsed specifications as (名称, 值) rows of plain Chinese text (never a Python repr):
    entries' fields named, agents and reason codes in Chinese, numbers without trailing zeros."""
    rows = []
    for key, value in (specs or {}).items():
        if key in ("text_risk", "reason_reliability") and isinstance(value, dict):
            text = "；".join(f"{reason_short_name(code)} {p:.2f}" for code, p in value.items())
        elif key == "text_denied" and isinstance(value, dict):  # {code: {words, p, p_without}}
            text = "；".join(f"{reason_short_name(code)}（{d.get('words', '')}）"
                            f"{d.get('p', 0):.2f}→{d.get('p_without', 0):.2f}"
                            for code, d in value.items() if isinstance(d, dict))
        elif key == "text_ccc_not_required" and isinstance(value, dict):  # {p}: the probability set to 0
            text = f"{reason_short_name('no_certification')} {value.get('p', 0):.2f}→0"
        elif key == "word_values" and isinstance(value, dict):  # {family: {value code: the listing's word}}
            text = "、".join(_spec_value(word) for said in value.values() if isinstance(said, dict)
                            for word in said.values())
        else:
            text = _spec_value(value)
        rows.append((SPEC_NAMES.get(key, key), text))
    return rows
