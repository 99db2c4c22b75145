"""Credit-information export (issue 16, 数据共享): confirmed violations with their subject, for the
credit-information sharing platforms. Schema: docs/credit_export.md.

`credit_rows(store, settings, since, until)` yields one row per listing whose latest decision is a
confirmation made in the Beijing days [since, until] (keyset pages of 500, oldest first): the
subject (the seller's operator name and 统一社会信用代码 as found on licences, platform reports or
assistance replies, else the shop name with no code), the violation (reason codes in Chinese), the
decision date (北京时间), the deciding authority (`[notices] sender_org`) and the document number
(the newest takedown notice naming the listing, FW-<PLATFORM>-<id>; "" when none yet).
`export_credit(...)` writes CSV, XLSX (through `core.sheets`: formula prefixes neutralised, row cap)
or JSON (a list of objects with the schema's English keys).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from alerts.notices import number as notice_number
from firewatch.core.clock import parse_iso, show_date
from firewatch.core.exceptions import ExportInputError as CreditExportError
from firewatch.core.labels import reason_name
from firewatch.core.models import Notice
from firewatch.core.sheets import write_csv, write_xlsx

BEIJING = timezone(timedelta(hours=8))
COLUMNS = [  # (key, Chinese header, width): the schema, in order
    ("subject_name", "主体名称", 30), ("credit_code", "统一社会信用代码", 22), ("subject_source", "主体信息来源", 14),
    ("violation", "违法行为", 40), ("decision_date", "决定日期", 12), ("authority", "决定机关", 24),
    ("document_number", "文书编号", 18), ("platform", "平台", 8), ("shop_name", "店铺名称", 24),
    ("shop_id", "店铺编号", 16), ("listing_id", "商品编号", 16), ("title", "商品标题", 40), ("url", "商品链接", 40),
    ("seller_id", "经营者编号", 10),
]
SOURCES = {"licence": "店铺证照", "source": "平台报送", "assist": "协查回复", "text": "商品描述", "shop": "店铺名称"}
LIMIT = 1_000_000


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CreditExportError(f"{what}日期「{text}」无效，应为 YYYY-MM-DD") from None


def _utc(day: date) -> str:
    return datetime.combine(day, time(0), BEIJING).astimezone(timezone.utc).isoformat()


def credit_rows(store, settings, since: str, until: str) -> Iterator[dict[str, Any]]:
    start, end = _day(since, "起始"), _day(until, "截止")
    if end < start:
        raise CreditExportError(f"截止日期 {until} 早于起始日期 {since}")
    lo, hi = _utc(start), _utc(end + timedelta(days=1))
    subjects: dict[int, dict] = {}
    after = None
    while True:
        page = store.sellers.confirmations(lo, hi, after=after)
        if not page:
            return
        for r in page:
            key = (r["platform"], r["listing_id"])
            seller = store.sellers.seller_of_listing(key)
            if seller is not None and seller not in subjects:
                subjects[seller] = store.sellers.subject_keys(seller)
            found = subjects.get(seller, {}) if seller is not None else {}
            operator = found.get("operator", [])
            codes = found.get("credit_code", [])
            notice = store.sellers.latest_notice(key)
            yield {
                "subject_name": operator[0][0] if operator else r["shop_name"],
                "credit_code": codes[0][0] if codes else "",
                "subject_source": SOURCES.get(operator[0][1], operator[0][1]) if operator else "店铺名称",
                "violation": "；".join(reason_name(c) for c in (r["reason_codes"] or "").split() if c) or "经审核确认违法",
                "decision_date": show_date(parse_iso(r["at"])),
                "authority": settings.notices.sender_org,
                "document_number": notice_number(Notice(notice[1], [], id=notice[0])) if notice else "",
                "platform": r["platform"], "shop_name": r["shop_name"], "shop_id": r["shop_id"],
                "listing_id": r["listing_id"], "title": r["title"], "url": r["url"],
                "seller_id": seller if seller is not None else "",
            }
        after = (page[-1]["at"], page[-1]["id"])


def export_credit(store, settings, since: str, until: str, fmt: str, out: Path) -> int:
    """Write the export to `out` in `fmt` (csv, xlsx, json); returns the rows written."""
    rows = credit_rows(store, settings, since, until)
    if fmt == "csv":
        return write_csv(out, COLUMNS, rows, limit=LIMIT, note="超过上限，其余未导出").rows
    if fmt == "xlsx":
        return write_xlsx(out, "信用信息共享", COLUMNS, rows, limit=LIMIT, note="超过上限，其余未导出").rows
    if fmt != "json":
        raise CreditExportError(f"格式「{fmt}」不支持（csv、xlsx、json）")
    count = 0
    tmp = f"{os.fspath(out)}.part"
    with open(tmp, "w", encoding="utf-8") as fh:  # streamed: one object at a time
        fh.write("[")
        for row in rows:
            fh.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        fh.write("\n]\n")
    os.replace(tmp, out)
    return count
