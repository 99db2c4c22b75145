"""Enforcement assistance as a service: what `firewatch assist` and the web app call.

`request_assistance(settings, store, platform, refs, ...)` reads each listing reference
(`平台:商品ID` or a real item URL), then has `alerts.assistance` write the letter and reply template
under `<exports>/assist/` with the [notices] authority and the capture Chromium. `import_reply(
settings, store, path, ...)` reads a filled reply (XLSX or CSV, UTF-8 or GBK, title rows and any
column order: `firewatch.imports`), checks every row and stores it whole, or raises `AssistError`
naming each bad row with nothing stored; the same file (by SHA-256) a second time stores nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from alerts.assist_fields import REPLY_COLUMNS
from alerts.assistance import ReplyCheck, ReplySheet, check_reply, create_request, store_reply
from alerts.exceptions import AssistError
from alerts.notices import NoticeConfig
from crawler.sites import listing_key
from firewatch.core.exceptions import ImportFileError
from firewatch.core.settings import Settings
from firewatch.imports import find_header, read_tables
from firewatch.store.assist import REPLY_FILE_KIND, AssistRequest

__all__ = ["ReplyImport", "import_reply", "parse_listing_ref", "request_assistance"]


def parse_listing_ref(text: str) -> tuple[str, str]:
    """(platform, listing id) of `jd:100012` or of a watched platform's item URL."""
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        key = listing_key(text)
        if key is None:
            raise AssistError(f"“{text[:100]}”不是受监测平台的商品页面链接")
        return key
    platform, sep, listing_id = text.partition(":")
    if not sep or not platform or not listing_id:
        raise AssistError(f"“{text[:100]}”：商品应写作 平台:商品ID（如 jd:100012）或其商品页面链接")
    return platform, listing_id


def request_assistance(settings: Settings, store, platform: str, refs: list[str], *, created_by: str,
                       deadline_days: int | None = None) -> AssistRequest:
    """A numbered request for the listings `refs`, its PDF letter and XLSX template written under exports/assist/."""
    keys = [parse_listing_ref(r) for r in refs]
    return create_request(store, platform, keys, created_by=created_by, data_dir=settings.data_dir,
                          out_dir=settings.export_dir / "assist", config=NoticeConfig.from_settings(settings),
                          deadline_days=deadline_days, chromium=settings.capture.chromium)


@dataclass
class ReplyImport:
    """What importing a reply file did: rows stored (0: the file was imported before), rows left blank,
    the listings and request numbers it named."""

    stored: int
    blank: int
    already: bool
    listings: list[tuple[str, str]]
    requests: list[str]
    sha256: str


def _sheet(path: Path) -> ReplySheet:
    for rows in read_tables(path):
        hit = find_header(rows, REPLY_COLUMNS, ("listing_id", "url"))
        if hit is not None:
            return ReplySheet(rows, hit[0], hit[1])
    raise ImportFileError(f"{Path(path).name}：没有含“平台商品编号”或“商品链接”列的表头，不是填写好的协查回复表")


def import_reply(store, path: str | Path, *, imported_by: str = "", platform: str | None = None) -> ReplyImport:
    """Check and store a filled reply file (all rows or none)."""
    path = Path(path)
    sheet = _sheet(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    check: ReplyCheck = check_reply(store, sheet, file_sha256=digest, file_name=path.name, platform=platform)
    keys = list(dict.fromkeys(r.key for r in check.replies))
    if store.sources.imported_file(REPLY_FILE_KIND, digest) is not None:
        return ReplyImport(0, check.blank, True, keys, sorted(check.requests), digest)
    stored = store_reply(store, check, file_sha256=digest, file_name=path.name, imported_by=imported_by)
    return ReplyImport(stored, check.blank, stored == 0, keys, sorted(check.requests), digest)
