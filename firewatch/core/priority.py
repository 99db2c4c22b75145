"""The review queue's priority of a listing (docs/priority.md), and its seller's region.

    priority = 40 × p + 6 × S + 6 × E        (0 … 100, higher first)

- p: the calibrated probability of risk (the assessment's risk score, 0 … 1);
- S: the severity of the reasons, 0 … 5: the highest `REASON_SEVERITY` among the listing's
  reason codes, plus 1 when it has two or more distinct codes (corroboration), at most 5;
  0 with no reason (a listing only a public tip names);
- E: exposure, 0 … 5: the higher of the sales tier (`SALES_TIERS`: how many sold) and the
  turnover tier (`TURNOVER_TIERS`: price × sales in yuan); 0 when sales are unknown.

The taxonomy (../shared/spec/taxonomy.md) gives no severity, so `REASON_SEVERITY` is this
project's table: 5 for a product that cannot work, 4 for one that lacks or fakes its
certification or is refilled, 3 for contradicting or missing facts and watch-listed sellers,
2 for an indirect sign (price, a prop). An unknown code counts 2.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

REASON_SEVERITY = {
    "inspection_only": 5,
    "refurbished": 4,
    "no_certification": 4,
    "invalid_certificate": 4,
    "substandard_spec": 4,
    "spec_mismatch": 3,
    "no_manufacturer": 3,
    "watchlist_seller": 3,
    "price_too_low": 2,
    "prop_or_display": 2,
}
UNKNOWN_SEVERITY = 2
SALES_TIERS = (1, 10, 100, 1_000, 10_000)  # sold at least this many: tier 1 … 5
TURNOVER_TIERS = (100, 1_000, 10_000, 100_000, 1_000_000)  # price × sales at least this many yuan: tier 1 … 5
WEIGHTS = (40, 6, 6)  # p, S, E

HELP = ("排序：优先级 = 40×风险概率 + 6×原因严重度(0–5) + 6×曝光度(0–5，按销量与销售额分档)，"
        "高者在前；同分时被举报的在前，再按平台、商品编号。")


def severity(codes: Iterable[str]) -> int:
    found = {c for c in codes if c}
    if not found:
        return 0
    top = max(REASON_SEVERITY.get(c, UNKNOWN_SEVERITY) for c in found)
    return min(5, top + (1 if len(found) >= 2 else 0))


def _tier(value: float, bounds: tuple[int, ...]) -> int:
    return sum(1 for b in bounds if value >= b)


def exposure(sales: int | None, price_fen: int | None) -> int:
    if not sales or sales <= 0:
        return 0
    turnover = (price_fen or 0) * sales / 100
    return max(_tier(sales, SALES_TIERS), _tier(turnover, TURNOVER_TIERS))


def priority(probability: float, codes: Iterable[str], sales: int | None, price_fen: int | None) -> float:
    """The listing's place in the queue: higher is reviewed first."""
    p = min(1.0, max(0.0, float(probability)))
    return WEIGHTS[0] * p + WEIGHTS[1] * severity(codes) + WEIGHTS[2] * exposure(sales, price_fen)


# -- the seller's region ------------------------------------------------------------------
PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
             "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾")
# attribute keys a parser or a page gives the seller's or shipping location under
_REGION_KEYS = ("province", "item_loc", "location", "发货地", "所在地", "卖家所在地", "店铺所在地", "seller_region", "city")


def region_of(attributes: dict[str, Any] | str | None) -> str:
    """The seller's province (short name, e.g. "浙江") from a listing's attributes, "" when unknown."""
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes or "{}")
        except ValueError:
            return ""
    if not isinstance(attributes, dict):
        return ""
    for key in _REGION_KEYS:
        value = str(attributes.get(key) or "").strip()
        for province in PROVINCES:
            if value.startswith(province):
                return province
    return ""
