"""Takedown lists: one platform's confirmed listings, as CSV, XLSX or JSON for its compliance team.

`takedown_rows(store, platform)` returns a row per confirmed listing (`include_unconfirmed=True`:
every flagged one not dismissed): listing, reasons (of a confirmed listing, those its decision judged, not a
later re-score's), evidence hashes, decision, times in UTC.
`write_takedown(rows, path, fmt)` writes atomically; no CSV or XLSX cell ever runs as a formula
(`firewatch.core.cells`, the one neutraliser of every export). The list goes to the platform, so it
shows reasons and evidence, never the model's scores.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from firewatch.core.cells import csv_cell, set_xlsx_text
from firewatch.core.clock import show_time
from firewatch.core.files import atomic_write
from firewatch.core.labels import VERDICT_NAMES, category_name, evidence_text, platform_reasons, reason_name
from firewatch.core.models import PLATFORMS
from firewatch.store import Store
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx", "json")
# (key, Chinese header, XLSX column width)
COLUMNS = [
    ("platform", "平台", 8), ("listing_id", "商品ID", 16), ("url", "商品链接", 46), ("title", "商品标题", 40),
    ("shop_name", "店铺名称", 22), ("shop_id", "店铺ID", 14), ("price", "价格(元)", 10),
    ("category_name", "产品类别", 18), ("reason_names", "违规原因", 48),
    ("reasons", "原因代码", 24), ("evidence", "证据摘录", 48), ("captured_at", "取证时间(北京时间)", 26),
    ("screenshot_sha256", "截图SHA-256", 66), ("capture_manifest_sha256", "取证清单SHA-256", 66),
    ("review_status", "复核结论", 10), ("reviewer", "复核人", 12), ("decided_at", "复核时间(北京时间)", 26),
]
# columns holding a UTC ISO time in the row (and in JSON); a spreadsheet shows it in Beijing time
_TIME_KEYS = frozenset({"captured_at", "decided_at"})
__all__ = ["COLUMNS", "FORMATS", "takedown_row", "takedown_rows", "write_takedown"]


def _shown(row: dict[str, Any], key: str) -> Any:
    """A row's value as a spreadsheet column shows it (times in Beijing time)."""
    value = row.get(key, "")
    return show_time(value, seconds=True) if key in _TIME_KEYS else value


_LOOK_UP = object()


def _judged(store: Store, key: tuple[str, str], assessment) -> list:
    """The reasons a confirmed listing's decision judged (a re-score after it cannot put reasons nobody confirmed
    into a letter to the platform); the current assessment's only for a decision made before the reasons were
    kept with it whose assessment on file is not known to be later ('assessment_then' is kept; 'assessment_later'
    and 'none' fall back to the current reasons, the only ones on record)."""
    judged = store.reviews.judged_reason_list(key)
    if judged is not None and judged[0] in ("decision", "assessment_then"):
        return judged[1]
    return assessment.reasons


def takedown_row(store: Store, listing, assessment, decision, evidence: Any = _LOOK_UP) -> dict[str, Any]:
    """One listing's takedown row; `evidence` is its latest capture (None: none) when the caller
    fetched it already, else it is looked up."""
    if evidence is _LOOK_UP:
        evidence = store.evidence.latest_evidence(listing.key)
    shot = None
    if evidence is not None:
        shot = next((a for a in evidence.artefacts if a.media_type == "image/png"), None)
    price = listing.display_price
    confirmed = decision is not None and decision.verdict == "confirm"
    reasons = _judged(store, listing.key, assessment) if confirmed else assessment.reasons
    codes = list(dict.fromkeys(r.code for r in reasons))
    return {
        "platform": listing.platform,
        "listing_id": listing.listing_id,
        "url": listing.url,
        "title": listing.title,
        "shop_name": listing.shop_name,
        "shop_id": listing.shop_id,
        "price": str(price) if price is not None else "",
        "category": assessment.category,
        "category_name": category_name(assessment.category),
        "reasons": " ".join(codes),
        "reason_names": "；".join(reason_name(c) for c in codes),
        "evidence": evidence_text(platform_reasons(reasons, listing.title)),  # no model internals
        "captured_at": evidence.captured_at.isoformat() if evidence else "",
        "screenshot_sha256": shot.sha256 if shot else "",
        "capture_manifest_sha256": evidence.manifest_sha256 if evidence else "",
        "confirmed": confirmed,
        "review_status": VERDICT_NAMES.get(decision.verdict, decision.verdict) if decision else "未复核",
        "reviewer": decision.reviewer if decision else "",
        "decided_at": decision.at.isoformat() if decision else "",
    }


def takedown_rows(store: Store, platform: str, *, include_unconfirmed: bool = False) -> list[dict[str, Any]]:
    """The rows of `platform`'s takedown list (confirmed listings unless asked otherwise)."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    rows = []
    if include_unconfirmed:
        for listing, assessment in store.assessments.flagged(platform):
            decision = store.reviews.latest_decision(listing.key)
            if decision is not None and decision.verdict == "dismiss":
                continue
            rows.append(takedown_row(store, listing, assessment, decision))
    else:
        for listing, assessment, decision in store.reviews.confirmed(platform):
            rows.append(takedown_row(store, listing, assessment, decision))
    # A platform's list holds only its own listings.
    return [r for r in rows if r["platform"] == platform]


def _xlsx(rows: list[dict[str, Any]]) -> bytes:

    wb = Workbook()
    ws = wb.active
    ws.title = "下架清单"
    ws.append([label for _, label, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFE8E8E8")
        cell.alignment = Alignment(vertical="center")
    url_col = next(i for i, (key, _, _) in enumerate(COLUMNS, start=1) if key == "url")
    for r, row in enumerate(rows, start=2):
        for c, (key, _, _) in enumerate(COLUMNS, start=1):
            value = _shown(row, key)
            cell = ws.cell(row=r, column=c)
            set_xlsx_text(cell, value)  # never a formula, whatever the text starts with
        link = str(row.get("url", ""))
        if link.startswith(("http://", "https://")):
            cell = ws.cell(row=r, column=url_col)
            cell.hyperlink = link
            cell.style = "Hyperlink"
    for c, (_, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_takedown(rows: list[dict[str, Any]], path: str | os.PathLike[str], fmt: str) -> Path:
    """Write rows in the given format (atomically) and return the path."""
    if fmt == "json":
        data = json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8", "replace")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([label for _, label, _ in COLUMNS])
        for row in rows:
            writer.writerow([csv_cell(_shown(row, key)) for key, _, _ in COLUMNS])
        data = buf.getvalue().encode("utf-8-sig", "replace")  # BOM so Excel reads the Chinese text
    elif fmt == "xlsx":
        data = _xlsx(rows)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    atomic_write(path, data, mode=None)  # mode None: private 0600
    return Path(path)
