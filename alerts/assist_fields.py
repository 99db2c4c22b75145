"""The standard fields of an enforcement-assistance reply (协查回复), as data, and the checks on one row.

The fields follow the categories《网络交易执法协查暂行办法》(市场监管总局, in force 2025-01-20) lets a
county-level or higher market regulator require of a platform in standardised fields: the platform
operator's seller identity (登记名称, 统一社会信用代码, 经营地址, 联系人, 联系方式), product
information, transaction records (sales volume, amount and period, stock, payment), logistics
(发货地, 承运商, 物流单号) and returns/after-sales; a request asks for nothing beyond them (a
personal ID number of an unregistered seller would need the provincial regulator's approval, so
the template does not ask for it). `FIELDS` lists each column's machine key, its Chinese header,
the header spellings a platform's export may use instead, its group and kind; `credit_code_problem`
checks a unified social credit code (GB 32100-2015 through `firewatch.core.creditcode`: 18
characters, check character; plus the division digits); `parse_row` turns one row of text into
typed values or the list of what is wrong with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from firewatch.core.creditcode import credit_code_problem as core_credit_code_problem
from firewatch.core.creditcode import normalize_code

__all__ = ["FIELDS", "FIELD_BY_KEY", "GROUPS", "PACK_EXCLUDED", "REPLY_COLUMNS", "Field", "credit_code_problem",
           "normalize_credit_code", "parse_row"]


@dataclass(frozen=True)
class Field:
    """One column of the reply template."""

    key: str
    header: str  # the Chinese column header the template carries
    group: str  # GROUPS key
    kind: str = "text"  # text | int | money | period | code | url
    note: str = ""  # what to fill in (the template's cell comment, the letter's table)
    aliases: tuple[str, ...] = ()
    prefilled: bool = False  # the request fills it in for each listing
    width: int = 18


GROUPS = {"request": "协查信息", "listing": "商品信息", "identity": "经营者身份信息", "sales": "交易信息",
          "payment": "支付信息", "logistics": "物流信息", "returns": "退换货及售后信息"}

FIELDS: tuple[Field, ...] = (
    Field("request_number", "协查编号", "request", note="本函编号，请勿修改", aliases=("协查函编号", "函号"),
          prefilled=True, width=20),
    Field("url", "商品链接", "listing", "url", "商品页面网址，请勿修改", ("商品网址", "链接", "商品url", "url"), True, 44),
    Field("listing_id", "平台商品编号", "listing", note="平台商品ID/SKU，请勿修改",
          aliases=("商品编号", "商品ID", "商品id", "SKU", "skuid", "商品sku"), prefilled=True, width=18),
    Field("shop_name", "店铺名称", "listing", note="网店名称", aliases=("网店名称", "店铺"), prefilled=True, width=22),
    Field("shop_id", "店铺编号", "listing", note="平台店铺ID", aliases=("店铺ID", "店铺id", "网店编号"), prefilled=True),
    Field("product_name", "商品名称", "listing", note="平台记录的商品名称", aliases=("商品标题",), width=28),
    Field("listing_state", "商品状态", "listing", note="在售 / 已下架 / 已删除", aliases=("上架状态",), width=12),
    Field("operator_name", "经营者登记名称", "identity", note="营业执照登记的名称（个体工商户为字号或经营者姓名）",
          aliases=("经营者名称", "经营主体名称", "企业名称", "主体名称", "登记名称"), width=28),
    Field("credit_code", "统一社会信用代码", "identity", "code", "18 位，按 GB 32100-2015 校验；未登记的填“未登记”",
          aliases=("信用代码", "社会信用代码", "营业执照号"), width=22),
    Field("address", "经营地址", "identity", note="实际经营地址", aliases=("实际经营地址", "住所", "经营场所", "地址"), width=30),
    Field("contact_person", "联系人", "identity", note="经营者联系人", aliases=("联系人姓名",), width=12),
    Field("contact_phone", "联系电话", "identity", note="经营者联系电话", aliases=("联系方式", "手机号", "电话"), width=16),
    Field("sales_quantity", "销售数量", "sales", "int", "期间内成交件数", ("销量", "成交数量", "销售件数"), width=12),
    Field("sales_amount", "销售额", "sales", "money", "期间内成交金额（元）", ("销售额(元)", "销售金额", "成交金额", "成交额"),
          width=14),
    Field("sales_period", "销售起止日期", "sales", "period", "如 2025-01-01至2026-11-30",
          ("销售期间", "统计期间", "起止日期"), width=26),
    Field("stock_quantity", "库存数量", "sales", "int", "回复时的库存件数", ("库存", "当前库存"), width=12),
    Field("payment_account", "收款账户主体", "payment", note="收款账户的户名（企业或个人）",
          aliases=("收款主体", "收款账户名称", "收款户名"), width=22),
    Field("payment_channel", "支付方式", "payment", note="如 平台担保交易、第三方支付", aliases=("支付渠道",), width=16),
    Field("ship_from", "发货地", "logistics", note="发货省市区", aliases=("发货地址", "发货城市"), width=18),
    Field("carrier", "承运商", "logistics", note="物流/快递公司", aliases=("物流公司", "快递公司", "承运人"), width=16),
    Field("tracking_numbers", "物流单号", "logistics", note="若干样例单号，以分号分隔", aliases=("运单号", "快递单号"), width=28),
    Field("returns_quantity", "退货数量", "returns", "int", "期间内退货件数", ("退货件数", "退换货数量"), width=12),
    Field("after_sales", "售后及投诉情况", "returns", note="投诉、退款、质量问题反馈摘要", aliases=("售后情况", "投诉情况"),
          width=30),
    Field("note", "备注", "returns", aliases=("说明",), width=24),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
# header -> canonical key spellings, the shape `firewatch.imports.map_header` takes
REPLY_COLUMNS: dict[str, tuple[str, ...]] = {f.key: (f.header, *f.aliases) for f in FIELDS}
# personal data of the seller's staff and buyers' parcels: shown to internal users, never sealed in packs
PACK_EXCLUDED = ("contact_person", "contact_phone", "tracking_numbers")
UNREGISTERED = {"未登记", "无", "无营业执照", "个人", "-", "/"}

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"


def normalize_credit_code(text: str) -> str:
    """Half-width, upper case, no spaces (`firewatch.core.creditcode.normalize_code`)."""
    return normalize_code(text)


def credit_code_problem(code: str) -> str:
    """Why `code` is not a unified social credit code ('' when it is one; GB 32100-2015 through
    `firewatch.core.creditcode`, plus the administrative-division digits in places 3–8)."""
    code = normalize_code(code)
    problem = core_credit_code_problem(code)
    if problem:
        return problem
    if not code[2:8].isdigit():
        return "统一社会信用代码第 3–8 位应为行政区划码（数字）"
    return ""


def _number(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "").replace("元", "").replace("件", "").strip()


def _period(text: str) -> tuple[str, str] | None:
    found = re.findall(_DATE, unicodedata.normalize("NFKC", text))
    if len(found) != 2:
        return None
    try:
        start, end = (date(int(y), int(m), int(d)) for y, m, d in found)
    except ValueError:
        return None
    return (start.isoformat(), end.isoformat()) if start <= end else None


def parse_row(values: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """(typed values, problems) of one reply row given as {key: cell text}; empty cells are left out."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key, raw in values.items():
        text = (raw or "").strip()
        field = FIELD_BY_KEY.get(key)
        if field is None or not text:
            continue
        label = field.header
        if field.kind == "int":
            number = _number(text)
            if not re.fullmatch(r"\d+(?:\.0+)?", number):
                problems.append(f"{label}应为非负整数：{text[:40]!r}")
                continue
            out[key] = int(Decimal(number))
        elif field.kind == "money":
            try:
                amount = Decimal(_number(text).lstrip("¥￥"))
            except InvalidOperation:
                problems.append(f"{label}应为金额（元）：{text[:40]!r}")
                continue
            if amount < 0 or not amount.is_finite():
                problems.append(f"{label}不能为负：{text[:40]!r}")
                continue
            out[key] = str(amount.quantize(Decimal("0.01")))
        elif field.kind == "period":
            period = _period(text)
            if period is None:
                problems.append(f"{label}应写作 起始日期至截止日期（如 2025-01-01至2026-11-30）：{text[:40]!r}")
                continue
            out[key] = text
            out["sales_from"], out["sales_until"] = period
        elif field.kind == "code":
            if text in UNREGISTERED:
                out[key] = ""
                out["unregistered"] = True
                continue
            problem = credit_code_problem(text)
            if problem:
                problems.append(f"{problem}：{text[:40]!r}")
                continue
            out[key] = normalize_credit_code(text)
        else:
            out[key] = text[:2000]
    return out, problems
