"""Reading official reference files: spot-check failure lists and certificate registries.

`read_watchlist_file(path)` and `read_certificates_file(path)` read an XLSX or CSV export (UTF-8 or
GBK), find the header row and map its columns by name, and return an `ImportResult`; an unreadable
file raises `ImportFileError`. `watchlist_from_sources` and `registry_from_store` serve the scorer.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from firewatch.core.text import normalize
from classifiers.watchlist import Watchlist, normalize_name
from firewatch.core.exceptions import ImportFileError
from firewatch.store import Store
from openpyxl import load_workbook

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 30

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
_SPACE_RE = re.compile(r"\s+")


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


# -- reading tables ----------------------------------------------------------------------
def decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030 (a superset of GBK and GB2312)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"cannot decode the text: neither UTF-8 nor GBK ({exc})") from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _SPACE_RE.sub(" ", str(value)).strip()


def _read_xlsx(raw: bytes, path: Path) -> list[list[list[str]]]:

    try:
        wb = load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    sheets = []
    for ws in wb.worksheets:
        grid = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:  # a merged cell's value belongs to every cell it covers
            top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = top
        sheets.append(grid)
    return sheets


def _read_csv(raw: bytes, path: Path) -> list[list[list[str]]]:
    try:
        text = decode_text(raw)
    except ImportFileError as exc:
        raise ImportFileError(f"{path}: {exc}") from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    return [[[_cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]]


def read_tables(path: str | Path) -> list[list[list[str]]]:
    """Every sheet of an XLSX file, or the one table of a CSV/TSV file, as rows of text."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw, path)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(f"{path}: an old Excel .xls file; open it and save it as .xlsx (or CSV), then import again")
    if raw.lstrip()[:1] == b"<":
        raise ImportFileError(f"{path}: looks like HTML; save the table as XLSX or CSV, then import again")
    return _read_csv(raw, path)


# -- header detection --------------------------------------------------------------------
def header_key(text: str) -> str:
    """A header cell in comparable form: half-width, lower case, no spaces, colons or stars."""
    key = normalize(text or "")
    key = re.sub(r"[\s:：*＊]", "", key)
    return key.replace("（", "(").replace("）", ")")


def _alias_index(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for canonical, aliases in columns.items():
        for alias in aliases:
            index.setdefault(header_key(alias), canonical)
    return index


def map_header(row: list[str], columns: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """Column index -> canonical name for the cells of `row` that name a known column."""
    index = _alias_index(columns)
    found: dict[int, str] = {}
    for i, cell in enumerate(row):
        key = header_key(cell)
        canonical = index.get(key) or index.get(re.sub(r"\(.*?\)", "", key))
        if canonical and canonical not in found.values():
            found[i] = canonical
    return found


def find_header(rows: list[list[str]], columns: dict[str, tuple[str, ...]],
                required: tuple[str, ...]) -> tuple[int, dict[int, str]] | None:
    """(row index, column map) of the first row that names a required column."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = map_header(row, columns)
        if any(c in mapping.values() for c in required):
            return i, mapping
    return None


def _read(path: str | Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
          what: str) -> tuple[list[tuple[dict[int, str], list[list[str]], int]], str]:
    path = Path(path)
    tables = read_tables(path)
    found = []
    for rows in tables:
        hit = find_header(rows, columns, required)
        if hit is not None:
            idx, mapping = hit
            found.append((mapping, rows[idx + 1:], idx + 1, rows[idx]))
    if not found:
        names = " / ".join(columns[c][0] for c in required)
        raise ImportFileError(f"{path}: no header row with a {names} column in the first {HEADER_SCAN_ROWS} rows; "
                              f"expected {what} columns such as {', '.join(a[0] for a in columns.values())}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [(m, rows, n, header) for m, rows, n, header in found], digest


def _row_values(row: list[str], mapping: dict[int, str]) -> dict[str, str]:
    return {name: (row[i] if i < len(row) else "").strip() for i, name in mapping.items()}


# -- watchlists --------------------------------------------------------------------------
def clean_name(text: str) -> str:
    name = _SPACE_RE.sub(" ", text or "").strip()
    return "" if name.lower() in _NONE_NAMES else name


def read_watchlist_file(path: str | Path) -> ImportResult:
    """Entries (one per named company and role) from a spot-check failure list."""
    tables, digest = _read(path, WATCHLIST_COLUMNS, ("inspected", "manufacturer"), "spot-check list")
    records: list[dict[str, Any]] = []
    skipped = 0
    header_row, columns = 0, {}
    for mapping, rows, header_at, header in tables:
        if not records:
            header_row = header_at
            columns = {name: header[i] for i, name in mapping.items()}
        header_keys = {header_key(header[i]) for i in mapping}
        for row in rows:
            values = _row_values(row, mapping)
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
    tables, digest = _read(path, CERTIFICATE_COLUMNS, ("number",), "certificate registry")
    records: dict[str, dict[str, Any]] = {}
    skipped = 0
    warnings: list[str] = []
    header_row, columns = 0, {}
    for mapping, rows, header_at, header in tables:
        if not records:
            header_row = header_at
            columns = {name: header[i] for i, name in mapping.items()}
        for row in rows:
            values = _row_values(row, mapping)
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
