"""Credit-information sharing: recorded penalty decisions as CSV, XLSX or JSON.

One row per administrative penalty decision (`store.penalties`) decided in a date range, in the
columns of `COLUMNS` (the schema, documented in docs/credit_sharing.md; its version is `SCHEMA`):
subject, unified social credit code, the violation, penalty, decision date, deciding authority,
document number, the listings it covers. Rows are read by keyset in batches and written as they come,
so the file's size, not the store's, bounds the memory; every text cell goes through the export
neutraliser (`firewatch.core.sheets`; JSON is data, not a sheet, and is written as it is).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from firewatch.core.clock import show_time, to_beijing, utcnow
from firewatch.core.labels import reason_name
from firewatch.core.sheets import write_csv, write_xlsx

SCHEMA = "firewatch.credit/1"
FORMATS = ("csv", "xlsx", "json")
XLSX_ROWS = 1_048_575  # an Excel sheet's rows below its header
COLUMNS = [
    ("document_no", "行政处罚决定书文号", 26),
    ("subject_name", "当事人名称", 30),
    ("credit_code", "统一社会信用代码", 22),
    ("violation", "违法行为", 40),
    ("violation_types", "违法情形", 30),
    ("reason_codes", "违法情形代码", 24),
    ("penalty", "处罚内容", 30),
    ("decided_on", "处罚决定日期", 14),
    ("authority", "处罚机关", 26),
    ("listing_count", "涉案商品数", 10),
    ("case_id", "案件编号", 10),
    ("recorded_at", "登记时间（北京时间）", 22),
]


@dataclass(frozen=True)
class CreditExport:
    path: Path
    rows: int


def credit_row(p: Any, listing_count: int) -> dict[str, Any]:
    """One penalty as an export row (the keys of `COLUMNS`)."""
    return {"document_no": p.document_no, "subject_name": p.subject_name, "credit_code": p.credit_code,
            "violation": p.violation, "violation_types": "；".join(reason_name(c) for c in p.reason_codes),
            "reason_codes": list(p.reason_codes), "penalty": p.penalty, "decided_on": p.decided_on,
            "authority": p.authority, "listing_count": listing_count,
            "case_id": "" if p.case_id is None else p.case_id, "recorded_at": show_time(p.recorded_at)}


def rows_of(store: Any, penalties: list[Any]) -> list[dict[str, Any]]:
    """Export rows of these penalties, with their listing counts (one query)."""
    counts = store.penalties.listing_counts(p.id for p in penalties)
    return [credit_row(p, counts.get(p.id, 0)) for p in penalties]


def credit_rows(store: Any, start: date, end: date, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Export rows of the penalties decided from `start` to `end` (both included), by date then id."""
    after: tuple[str, int] | None = None
    while True:
        page = store.penalties.page(start.isoformat(), end.isoformat(), after=after, limit=batch)
        if not page:
            return
        yield from rows_of(store, page)
        after = (page[-1].decided_on, int(page[-1].id))


def _write_json(path: Path, rows: Iterator[dict[str, Any]], start: date, end: date) -> int:
    tmp = Path(f"{os.fspath(path)}.part")
    n = 0
    with tmp.open("w", encoding="utf-8") as out:
        head = {"schema": SCHEMA, "generated_at": to_beijing(utcnow()).isoformat(timespec="seconds"),
                "from": start.isoformat(), "to": end.isoformat(),
                "fields": {key: label for key, label, _ in COLUMNS}}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [')
        for row in rows:
            out.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False))
            n += 1
        out.write("\n]}\n")
    os.replace(tmp, path)
    return n


def write_credit(store: Any, path: str | os.PathLike[str], fmt: str, start: date, end: date) -> CreditExport:
    """Write the range's penalties to `path` as `fmt` (csv, xlsx or json); the row count."""
    path = Path(path)
    rows = credit_rows(store, start, end)
    if fmt == "json":
        return CreditExport(path, _write_json(path, rows, start, end))
    if fmt == "xlsx":
        result = write_xlsx(path, "行政处罚信息", COLUMNS, rows, limit=XLSX_ROWS,
                            note=f"超过 {XLSX_ROWS:,} 条：请缩短日期范围分批导出，或导出 CSV/JSON")
    elif fmt == "csv":
        result = write_csv(path, COLUMNS, rows, limit=10 ** 12)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return CreditExport(path, result.rows)
