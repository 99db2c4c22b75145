"""Reading platforms' data reports (合规数据报送, 协查回复 and the like) as leads: one listing per row.

`read_listings_file(path)` reads CSV (UTF-8 or GBK, title rows above the header), XLSX (columns
in any order, every sheet with a header) or JSON (a list of objects, an object holding such a
list under data/rows/items/records/list, or JSON lines) with Chinese column names and aliases.
Each row becomes a `LeadRow`: the listing (keyed by its real item URL, or platform + item id;
the stored URL is the platform's canonical one), the seller fields the row carried
(registered operator, unified social credit code, address, shop URL, annual-sales flag) and
the lead's own fields (what is suspected, the period). A row that cannot become a listing is a
`RowError` with its row number and reason; the caller decides (nothing is written here).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from crawler.sites import listing_key, site
from firewatch.core.creditcode import credit_code_problem, normalize_code
from firewatch.core.exceptions import ImportFileError
from firewatch.core.models import Listing
from firewatch.core.money import parse_yuan
from firewatch.imports.tables import (HEADER_SCAN_ROWS, alias_index, cell_text, decode_text, find_header, header_key,
                                      read_tables, row_values)

# canonical name -> header aliases (compared by `header_key`: half-width, no spaces, colons or stars)
LISTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "url": ("商品链接", "商品链接地址", "商品url", "商品网址", "商品地址", "链接", "网址", "url", "link", "item_url"),
    "listing_id": ("平台商品编号", "商品编号", "商品id", "商品ID", "商品编码", "宝贝id", "skuid", "sku", "item_id",
                   "listing_id", "goods_id", "offer_id"),
    "platform": ("电商平台", "平台", "平台名称", "销售平台", "platform"),
    "title": ("商品名称", "商品标题", "标题", "宝贝名称", "商品全称", "title", "name"),
    "price": ("销售价格", "价格", "售价", "单价", "商品价格", "价格(元)", "售价(元)", "price"),
    "shop_name": ("店铺名称", "网店名称", "店铺", "shop", "shop_name"),
    "shop_id": ("店铺编号", "店铺id", "店铺ID", "shop_id", "seller_id"),
    "shop_url": ("店铺链接", "店铺网址", "网店网址", "店铺url", "shop_url"),
    "operator": ("经营者名称", "经营者登记名称", "经营主体名称", "平台内经营者名称", "经营者", "商家名称", "企业名称",
                 "operator"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code", "uscc"),
    "address": ("经营地址", "经营者地址", "住所", "地址", "address"),
    "annual_sales_flag": ("年销售额是否超过规定标准", "年交易额是否超过规定标准", "年销售额标识", "年销售额标志",
                          "年交易额标识", "年销售额是否达标", "annual_sales_flag"),
    "sales": ("销售数量", "销量", "月销量", "累计销量", "sales"),
    "stock": ("库存数量", "库存", "stock"),
    "brand": ("品牌", "brand"),
    "model": ("规格型号", "型号", "规格", "model"),
    "category": ("商品类目", "类目", "商品类别", "category"),
    "certificate": ("认证证书编号", "证书编号", "3c证书编号", "ccc证书编号", "certificate"),
    "description": ("商品描述", "商品详情", "描述", "description"),
    "suspicion": ("涉嫌违法情形", "违法线索", "线索描述", "问题描述", "违法违规情形", "suspicion"),
    "period": ("数据期间", "报送期间", "统计期间", "销售起止日期", "period"),
    "note": ("备注", "note"),
}
REQUIRED = ("url", "listing_id")
SELLER_FIELDS = ("operator", "credit_code", "address", "shop_url", "annual_sales_flag")
LEAD_FIELDS = ("suspicion", "period", "note")
ATTRIBUTE_NAMES = {"brand": "品牌", "model": "型号", "category": "类目", "certificate": "证书编号"}
# platform column text -> platform code
PLATFORM_ALIASES = {"jd": "jd", "京东": "jd", "京东商城": "jd", "taobao": "taobao", "淘宝": "taobao", "淘宝网": "taobao",
                    "tmall": "tmall", "天猫": "tmall", "天猫商城": "tmall", "pdd": "pdd", "拼多多": "pdd",
                    "1688": "1688", "阿里巴巴": "1688", "1688.com": "1688"}
JSON_LIST_KEYS = ("data", "rows", "items", "records", "list", "listings")
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_YES = {"是", "y", "yes", "true", "1", "超过", "达到", "已达到"}
_NO = {"否", "n", "no", "false", "0", "未超过", "未达到"}


@dataclass
class LeadRow:
    """One usable row: where it is in the file, the listing it names, and what else it said."""

    row: str  # "12" (the sheet's row number), "表2第12行" in a second sheet, "第3条" in JSON
    listing: Listing
    has_content: bool  # the row says what the page shows (a title), not only where it is
    seller: dict[str, str] = field(default_factory=dict)
    lead: dict[str, str] = field(default_factory=dict)


@dataclass
class RowError:
    row: str  # as LeadRow.row
    reason: str

    @property
    def where(self) -> str:
        """The row as a person reads it: 第 12 行, 表2第12行, 第3条."""
        return f"第 {self.row} 行" if self.row.isdigit() else self.row


@dataclass
class ListingFile:
    """What was read from a report file."""

    path: Path
    sha256: str
    kind: str  # "csv", "xlsx" or "json"
    header_row: int | None
    columns: dict[str, str]  # canonical name -> the header text found
    rows: list[LeadRow]
    errors: list[RowError]
    data_rows: int  # rows that held anything (blank lines and repeated headers not counted)


def _platform_of(text: str) -> str | None:
    return PLATFORM_ALIASES.get(header_key(text)) or PLATFORM_ALIASES.get(text.strip())


def _count(text: str) -> int | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([万wW]?)\+?\s*(?:件|个|台|套|笔|单)?", text.replace(",", ""))
    if not match:
        raise ValueError(text)
    number = Decimal(match.group(1)) * (10000 if match.group(2) else 1)
    return int(number)


def _price(text: str) -> tuple[Decimal | None, tuple[Decimal, Decimal] | None]:
    parts = [p for p in re.split(r"\s*(?:-|~|～|—|至)\s*", text.replace("￥", "").replace("¥", "")) if p.strip()]
    values = [parse_yuan(p) for p in parts]
    if not values or any(v is None for v in values) or len(values) > 2:
        raise ValueError(text)
    if len(values) == 2 and values[0] != values[1]:
        low, high = sorted(values)
        return None, (low, high)
    return values[0], None


def _flag(text: str) -> str:
    key = header_key(text)
    if key in _YES:
        return "是"
    if key in _NO:
        return "否"
    raise ValueError(text)


def row_to_lead(ref: str, values: dict[str, str]) -> LeadRow | RowError:
    """One row's values (canonical name -> text) as a lead, or the reason it cannot be one."""
    url, given_id = values.get("url", ""), values.get("listing_id", "")
    platform_text = values.get("platform", "")
    platform = _platform_of(platform_text) if platform_text else None
    if platform_text and platform is None:
        return RowError(ref, f"未知的平台“{platform_text}”：应为 京东、淘宝、天猫、拼多多 或 1688")
    if url:
        key = listing_key(url)
        if key is None:
            return RowError(ref, f"商品链接不是受监测平台（京东、淘宝、天猫、拼多多、1688）的商品页面：{url[:200]}")
        if platform and platform != key[0] and {platform, key[0]} != {"taobao", "tmall"}:
            return RowError(ref, f"平台“{platform_text}”与商品链接的平台不一致：{url[:200]}")
        if given_id and given_id != key[1]:
            return RowError(ref, f"商品编号 {given_id} 与商品链接中的编号 {key[1]} 不一致")
    elif given_id:
        if platform is None:
            return RowError(ref, "只有商品编号而没有平台：请填写“平台”列或商品链接")
        if not _ID_RE.fullmatch(given_id):
            return RowError(ref, f"商品编号格式不对：{given_id[:80]}")
        key = (platform, given_id)
    else:
        return RowError(ref, "缺少商品链接，也缺少平台和商品编号")
    listing = Listing(key[0], key[1], url=site(key[0]).item_url(key[1], key[0]), status="unknown",
                      title=values.get("title", ""), shop_name=values.get("shop_name", ""),
                      shop_id=values.get("shop_id", ""), description=values.get("description", ""))
    problems = []  # every problem of the row, so one round of corrections fixes it
    try:
        if values.get("price"):
            listing.price, listing.price_range = _price(values["price"])
    except ValueError:
        problems.append(f"价格无法识别：“{values['price'][:40]}”（应为 12.50 或 12.50-15.00 这样的金额，单位元）")
    for name in ("sales", "stock"):
        if values.get(name):
            try:
                setattr(listing, name, _count(values[name]))
            except ValueError:
                label = "销售数量" if name == "sales" else "库存数量"
                problems.append(f"{label}无法识别：“{values[name][:40]}”（应为整数，如 120 或 1.2万）")
    listing.attributes = {label: values[name] for name, label in ATTRIBUTE_NAMES.items() if values.get(name)}
    seller = {name: values[name] for name in SELLER_FIELDS if values.get(name)}
    if "credit_code" in seller:
        seller["credit_code"] = normalize_code(seller["credit_code"])
        problem = credit_code_problem(seller["credit_code"])
        if problem:
            problems.append(f"{problem}：{values['credit_code'][:40]}")
    if "annual_sales_flag" in seller:
        try:
            seller["annual_sales_flag"] = _flag(seller["annual_sales_flag"])
        except ValueError:
            problems.append(f"年销售额标识应为“是”或“否”：“{values['annual_sales_flag'][:40]}”")
    if problems:
        return RowError(ref, "；".join(problems))
    lead = {name: values[name] for name in LEAD_FIELDS if values.get(name)}
    return LeadRow(ref, listing, bool(listing.title), seller, lead)


def _json_records(raw: bytes, path: Path) -> list[dict[str, Any]]:
    try:
        text = decode_text(raw)
    except ImportFileError as exc:
        raise ImportFileError(f"{path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:  # JSON lines
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{path}: 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）；"
                                  "应为对象数组、含 data/rows/items 数组的对象，或每行一个 JSON 对象") from exc
    if isinstance(data, dict):
        data = next((data[k] for k in JSON_LIST_KEYS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        raise ImportFileError(f"{path}: JSON 中没有记录数组（顶层应为数组，或含 data/rows/items 数组的对象）")
    return data



def _json_rows(records: list[Any]) -> Iterator[tuple[str, dict[str, str] | None]]:
    index = alias_index(LISTING_COLUMNS)
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield f"第{n}条", None
            continue
        values: dict[str, str] = {}
        for key, value in record.items():
            canonical = index.get(header_key(str(key)))
            if canonical and canonical not in values and not isinstance(value, (dict, list)):
                values[canonical] = cell_text(value)
        yield f"第{n}条", values


def _table_rows(path: Path, columns: dict[str, str]) -> tuple[list[tuple[str, dict[str, str]]], int | None]:
    tables = read_tables(path)
    found: list[tuple[str, dict[str, str]]] = []
    header_row = None
    hits = [(sheet, rows, find_header(rows, LISTING_COLUMNS, REQUIRED)) for sheet, rows in enumerate(tables, start=1)]
    hits = [(sheet, rows, hit) for sheet, rows, hit in hits if hit is not None]
    if not hits:
        raise ImportFileError(
            f"{path}: 前 {HEADER_SCAN_ROWS} 行中找不到表头（需要“商品链接”或“商品编号”列）；"
            f"可用的列名：{'、'.join(a[0] for a in LISTING_COLUMNS.values())}")
    for sheet, rows, (idx, mapping) in hits:
        if header_row is None:
            header_row = idx + 1
            columns.update({name: rows[idx][i] for i, name in mapping.items()})
        header_cells = {rows[idx][i].strip() for i in mapping}
        for offset, row in enumerate(rows[idx + 1:], start=idx + 2):
            values = row_values(row, mapping)
            filled = [v for v in values.values() if v]
            if not filled:
                continue
            if all(v in header_cells for v in filled):  # the header repeated (on each printed page)
                continue
            ref = str(offset) if len(hits) == 1 else f"表{sheet}第{offset}行"
            found.append((ref, values))
    return found, header_row


def read_listings_file(path: str | Path) -> ListingFile:
    """Every row of a report file as a lead or a row error (see the module docstring)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    columns: dict[str, str] = {}
    stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        kind, header_row = "json", None
        rows: list[tuple[str, dict[str, str] | None]] = list(_json_rows(_json_records(raw, path)))
        if rows and not any(values for _, values in rows):
            raise ImportFileError(f"{path}: JSON 记录中没有可识别的字段（如“商品链接”“商品名称”）")
    else:
        kind = "xlsx" if raw[:4] == b"PK\x03\x04" else "csv"
        table_rows, header_row = _table_rows(path, columns)
        rows = list(table_rows)
    leads: list[LeadRow] = []
    errors: list[RowError] = []
    for ref, values in rows:
        if values is None:
            errors.append(RowError(ref, "不是一个对象（应为 {\"商品链接\": ..., ...}）"))
            continue
        result = row_to_lead(ref, values)
        (errors if isinstance(result, RowError) else leads).append(result)
    return ListingFile(path, digest, kind, header_row, columns, leads, errors, len(rows))


__all__ = ["LISTING_COLUMNS", "LeadRow", "ListingFile", "RowError", "read_listings_file", "row_to_lead"]
