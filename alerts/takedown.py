"""Takedown lists: the flagged listings of one platform, as CSV, XLSX or JSON.

A platform's compliance team receives only its own listings. Each row names the
listing, why it was flagged (reason codes and the text that triggered them) and the
SHA-256 of the captured screenshot when there is one. Seller-written text is
neutralised against spreadsheet formula injection in CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from firewatch.models import PLATFORMS

FORMATS = ("csv", "xlsx", "json")
COLUMNS = [
    ("platform", "平台"), ("listing_id", "商品ID"), ("url", "链接"), ("title", "标题"), ("shop_name", "店铺"),
    ("price", "价格(元)"), ("category", "类别"), ("risk_score", "风险分"), ("reasons", "原因代码"),
    ("evidence", "原因说明"), ("screenshot_sha256", "截图SHA-256"), ("captured_at", "取证时间(UTC)"),
]


def _safe_cell(value):
    """Prefix text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def takedown_rows(store, platform: str) -> list[dict]:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    rows = []
    for listing, assessment in store.flagged(platform):
        evidence = store.latest_evidence(listing.key)
        shot = next((a for a in evidence.artefacts if a.media_type == "image/png"), None) if evidence else None
        price = listing.display_price
        rows.append({
            "platform": listing.platform,
            "listing_id": listing.listing_id,
            "url": listing.url,
            "title": listing.title,
            "shop_name": listing.shop_name,
            "price": str(price) if price is not None else "",
            "category": assessment.category,
            "risk_score": round(assessment.risk_score, 3),
            "reasons": " ".join(dict.fromkeys(r.code for r in assessment.reasons)),
            "evidence": "; ".join(f"{r.code}: {r.evidence}" for r in assessment.reasons),
            "screenshot_sha256": shot.sha256 if shot else "",
            "captured_at": evidence.captured_at.isoformat() if evidence else "",
        })
    return rows


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def write_takedown(rows: list[dict], path: Path, fmt: str) -> Path:
    """Write rows in the given format (atomically) and return the path."""
    if fmt == "json":
        data = json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([label for _, label in COLUMNS])
        for row in rows:
            writer.writerow([_safe_cell(row[key]) for key, _ in COLUMNS])
        data = buf.getvalue().encode("utf-8-sig")  # BOM so Excel reads the Chinese text
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "下架清单"
        ws.append([label for _, label in COLUMNS])
        for row in rows:
            ws.append([_safe_cell(row[key]) for key, _ in COLUMNS])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    _atomic_write(Path(path), data)
    return Path(path)
