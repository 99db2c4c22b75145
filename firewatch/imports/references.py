"""Reading official reference files: spot-check failure lists and certificate registries.

`read_watchlist_file(path)` and `read_certificates_file(path)` read an XLSX or CSV export (UTF-8 or
GBK) through `firewatch.imports.tables`, and return an `ImportResult`; an unreadable file raises
`ImportFileError`. `watchlist_from_sources` and `registry_from_store` serve the scorer;
`labelled_set_watchlist` finds the spot-check list a labelled evaluation set refers to.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from firewatch.core.text import normalize
from classifiers.watchlist import Watchlist, normalize_name
from firewatch.imports.tables import SPACE_RE, header_key, read_mapped, row_values
from firewatch.store import Store

log = logging.getLogger(__name__)

# Spot-check failure lists (抽查不合格产品名单) carry these columns in any order, often under a
# title row or two; the header is the first of HEADER_SCAN_ROWS rows that names a company column.
WATCHLIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "no"),
    "product_category": ("产品种类", "产品类别", "产品类型", "产品大类"),
    "inspected": ("受检单位", "受检单位名称", "被抽样单位", "被抽样单位名称", "被检单位", "被检查单位", "受检企业",
                  "销售单位", "销售者", "店铺名称", "网店名称", "店铺", "shop", "seller"),
    "manufacturer": ("标称生产单位", "标称生产单位名称", "标称生产企业", "标称生产企业名称", "标称生产者", "标称制造商",
                     "生产单位", "生产企业", "生产企业名称", "生产者", "制造商", "manufacturer"),
    "location": ("标称生产单位所在地", "标称生产单位地址", "生产单位所在地", "生产企业所在地", "所在地", "地址"),
    "product_name": ("产品名称", "样品名称", "商品名称", "product"),
    "model": ("规格型号", "型号规格", "规格", "型号"),
    "batch": ("生产日期/批号", "生产日期或批号", "生产日期(批号)", "生产日期批号", "生产日期/批次", "批号", "生产日期"),
    "failed_items": ("主要不合格项目", "不合格项目", "主要不合格项", "不合格项", "不合格项目名称"),
    "inspector": ("承检机构", "检验机构", "承检单位", "检测机构"),
    "platform": ("电商平台", "销售平台", "平台"),
    "note": ("备注", "note"),
}
WATCHLIST_ROLES = {"inspected": "inspected", "manufacturer": "manufacturer"}

CERTIFICATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("证书编号", "证书号", "认证证书编号", "证书编码", "ccc证书编号", "3c证书编号", "certificate", "number"),
    "status": ("证书状态", "状态", "status"),
    "product_name": ("产品名称", "产品", "product"),
    "holder": ("生产者/制造商", "生产者(制造商)", "生产者", "制造商", "生产企业", "生产厂", "委托人", "持证人",
               "申请人", "holder", "manufacturer"),
    "expires_on": ("有效期至", "到期日期", "证书到期日期", "有效截止日期", "截止日期", "有效期", "证书有效期",
                   "expires", "expires_on"),
}
# 证书状态 text -> status code (the store's CHECK constraint); first contained word wins
CERTIFICATE_STATUSES = (("注销", "cancelled"), ("撤销", "revoked"), ("暂停", "suspended"), ("过期", "expired"),
                        ("失效", "expired"), ("有效", "valid"), ("cancel", "cancelled"), ("revok", "revoked"),
                        ("suspend", "suspended"), ("expire", "expired"), ("valid", "valid"))
_NONE_NAMES = {"", "/", "-", "—", "无", "不详", "未知", "空", "none", "n/a"}


@dataclass
class ImportResult:
    """What was read from a file: the records, the header row (1-based) and notes for the user."""

    path: Path
    records: list[dict[str, Any]]
    header_row: int
    columns: dict[str, str]  # canonical name -> the header text found
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""


# -- watchlists --------------------------------------------------------------------------
def clean_name(text: str) -> str:
    name = SPACE_RE.sub(" ", text or "").strip()
    return "" if name.lower() in _NONE_NAMES else name


def read_watchlist_file(path: str | Path) -> ImportResult:
    """Entries (one per named company and role) from a spot-check failure list."""
    tables, digest = read_mapped(path, WATCHLIST_COLUMNS, ("inspected", "manufacturer"), "spot-check list")
    records: list[dict[str, Any]] = []
    skipped = 0
    header_row, columns = 0, {}
    for mapping, rows, header_at, header in tables:
        if not records:
            header_row = header_at
            columns = {name: header[i] for i, name in mapping.items()}
        header_keys = {header_key(header[i]) for i in mapping}
        for row in rows:
            values = row_values(row, mapping)
            if not any(values.values()):
                continue
            if {header_key(v) for v in values.values() if v} <= header_keys:  # a repeated header
                continue
            names = [(role, clean_name(values.get(col, ""))) for col, role in WATCHLIST_ROLES.items()]
            names = [(role, n) for role, n in names if n and normalize_name(n)]
            if not names:
                skipped += 1  # a footnote, a total, a blank line with a number
                continue
            base = {k: values.get(k, "") for k in ("product_category", "product_name", "model", "batch", "location",
                                                    "failed_items", "inspector", "platform", "note")}
            for role, name in names:
                records.append({**base, "name": name, "name_key": normalize_name(name), "role": role})
    warnings = [] if records else ["no company names found under the header"]
    return ImportResult(Path(path), records, header_row, columns, skipped, warnings, digest)


def watchlist_from_sources(path: Path | None = None, store: Store | None = None) -> Watchlist | None:
    """The scorer's watchlist: names imported into the store plus the file named in the settings."""
    names: list[str] = []
    if store is not None:
        names += store.references.watchlist_names()
    if path is not None:
        names += [r["name"] for r in read_watchlist_file(path).records]
    return Watchlist(names) if names else None


def labelled_set_watchlist(path: Path) -> Path | None:
    """The spot-check list beside a labelled set (`<stem>_watchlist.csv`) that its watchlist_seller
    labels refer to; a development split (`<name>_dev`) shares its sealed twin's list (`<name>_watchlist.csv`)."""
    stems = [path.stem] + ([path.stem.removesuffix("_dev")] if path.stem.endswith("_dev") else [])
    return next((side for stem in stems if (side := path.with_name(f"{stem}_watchlist.csv")).is_file()), None)


# -- certificate registry ----------------------------------------------------------------
def certificate_number(text: str) -> str:
    """A certificate number in comparable form: half-width, no spaces, no 'No.' prefix, upper case."""
    key = re.sub(r"\s", "", normalize(text or ""))
    key = re.sub(r"^(?:no\.?|№)", "", key)
    return key.upper()


def certificate_status(text: str) -> str:
    """证书状态 text -> valid / cancelled / suspended / revoked / expired ('' -> valid, unknown text -> unknown)."""
    low = normalize(text or "").strip()
    if not low:
        return "valid"
    for word, code in CERTIFICATE_STATUSES:
        if word in low:
            return code
    return "unknown"


_DATE_RES = (re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"), re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"))


def parse_date(text: str) -> date | None:
    """2027-05-01, 2027/5/1, 2027.05.01, 2027年5月1日, 20270501 or an Excel serial day number."""
    text = normalize(text or "").strip()
    if not text:
        return None
    for rx in _DATE_RES:
        m = rx.search(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(?:\.0+)?", text) and 20000 < float(text) < 80000:
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    return None


def read_certificates_file(path: str | Path) -> ImportResult:
    """Certificate records {number, status, status_text, product_name, holder, expires_on} from a registry export."""
    tables, digest = read_mapped(path, CERTIFICATE_COLUMNS, ("number",), "certificate registry")
    records: dict[str, dict[str, Any]] = {}
    skipped = 0
    warnings: list[str] = []
    header_row, columns = 0, {}
    for mapping, rows, header_at, header in tables:
        if not records:
            header_row = header_at
            columns = {name: header[i] for i, name in mapping.items()}
        for row in rows:
            values = row_values(row, mapping)
            number = certificate_number(values.get("number", ""))
            if not number or not any(ch.isdigit() for ch in number):
                skipped += any(values.values())
                continue
            status_text = values.get("status", "")
            status = certificate_status(status_text)
            if status == "unknown":
                warnings.append(f"{number}: unknown status {status_text!r} (kept; it does not flag listings)")
            expires = parse_date(values.get("expires_on", ""))
            if values.get("expires_on") and expires is None:
                warnings.append(f"{number}: unreadable expiry date {values['expires_on']!r} (no expiry check)")
            records[number] = {"number": number, "status": status, "status_text": status_text,
                               "product_name": values.get("product_name", ""), "holder": values.get("holder", ""),
                               "expires_on": expires.isoformat() if expires else None}
    return ImportResult(Path(path), list(records.values()), header_row, columns, skipped, warnings, digest)


def registry_from_store(store: Store) -> Callable[[str], dict[str, Any] | None] | None:
    """A lookup number -> certificate record over the store's registry, or None when none was imported."""
    records = store.references.certificates()
    if not records:
        return None

    def lookup(number: str) -> dict[str, Any] | None:
        return records.get(certificate_number(number))

    return lookup
