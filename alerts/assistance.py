"""Enforcement-assistance requests (执法协查函) to platforms, and reading their filled replies.

`create_request` numbers a request for listings of one platform, writes the formal letter
(`templates/assist_request.html`, PDF through Chromium: authority, legal basis 《网络交易执法协查暂行
办法》, the listings' real URLs, the requested standard fields of `alerts.assist_fields`, the reply
deadline in 北京时间) and the XLSX reply template (one prefilled row per listing) into the exports
folder, and records both documents' paths (relative to the data folder) and hashes. `check_reply`
judges the rows of a filled reply (its header already found by the caller; columns in any order):
each row must name a known listing, carry valid values and a valid unified social credit code;
the result lists every bad row by number, and `store_reply` writes a clean one, with each
listing's "assist" source, in one transaction. Contact names and phone numbers stay in the store
(`PACK_EXCLUDED`): sources carry the request number, file, row, registered name and credit code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crawler.exceptions import UnknownPlatformError
from crawler.sites import listing_key, site
from firewatch.core.cells import set_xlsx_text
from firewatch.core.clock import show_time, utcnow
from firewatch.core.files import stage_file
from firewatch.core.labels import PLATFORM_NAMES
from firewatch.core.models import PLATFORMS, Source
from firewatch.store import Store
from firewatch.store.assist import AssistReply, AssistRequest

from alerts.assist_fields import FIELD_BY_KEY, FIELDS, GROUPS, parse_row
from alerts.exceptions import AssistError
from alerts.notices import NoticeConfig
from alerts.pdf import DEFAULT_CHROMIUM, html_to_pdf, template_env

log = logging.getLogger(__name__)

TEMPLATE = "assist_request.html"
TITLE = "网络交易执法协查函"
LEGAL_BASIS = ("根据《中华人民共和国电子商务法》第二十五条、《网络交易监督管理办法》及《网络交易执法协查暂行办法》"
               "（2025年1月20日起施行）的规定，平台经营者应当依法配合市场监督管理部门开展执法协查，按照标准化字段提供平台内经营者"
               "身份信息、商品信息及支付、物流、退换货等交易信息")
SHEET = "协查回复表"
NUMBER_RE = re.compile(r"〔\d{4}〕协查第\d+号")

__all__ = ["LEGAL_BASIS", "ReplyCheck", "ReplySheet", "check_reply", "create_request", "item_url", "letter_html",
           "reply_template", "store_reply"]


def item_url(platform: str, listing_id: str, stored: str = "") -> str:
    """The listing's real item page URL from the site map (the stored URL for a platform without one)."""
    try:
        return site(platform).item_url(listing_id, platform)
    except (UnknownPlatformError, KeyError):
        return stored


def _rows(store: Store, platform: str, keys: list[tuple[str, str]]) -> list[dict[str, str]]:
    rows = []
    for key in keys:
        if key[0] != platform:
            raise AssistError(f"{key[0]}:{key[1]} 不是 {PLATFORM_NAMES.get(platform, platform)} 的商品：一份协查函只针对一个平台的商品")
        listing = store.listings.get_listing(key)
        if listing is None:
            raise AssistError(f"库中没有商品 {key[0]}:{key[1]}：请先抓取或导入它")
        rows.append({"platform": key[0], "listing_id": key[1], "url": item_url(key[0], key[1], listing.url),
                     "title": listing.title, "shop_name": listing.shop_name, "shop_id": listing.shop_id})
    return rows


def letter_html(request: AssistRequest, rows: list[dict[str, str]], config: NoticeConfig, *, xlsx_name: str,
                xlsx_sha256: str, deadline_days: int) -> str:
    """The letter as a self-contained HTML document (autoescaped: titles and shop names are the seller's)."""
    name = PLATFORM_NAMES.get(request.platform, request.platform)
    groups = [(label, [f for f in FIELDS if f.group == key]) for key, label in GROUPS.items() if key != "request"]
    return template_env().get_template(TEMPLATE).render(
        title=TITLE, number=request.number, issued_at=request.created_at, deadline_at=request.deadline_at,
        deadline_days=deadline_days, recipient=config.recipient.replace("{platform_name}", name),
        sender_org=config.sender_org, sender_contact=config.sender_contact, legal_basis=LEGAL_BASIS,
        rows=rows, groups=groups, xlsx_name=xlsx_name, xlsx_sha256=xlsx_sha256)


def reply_template(request: AssistRequest, rows: list[dict[str, str]], config: NoticeConfig) -> bytes:
    """The XLSX reply template: a title row with the request number and deadline, the header row,
    one prefilled row per listing; numbers validated, codes kept as text; a sheet of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = get_column_letter(len(FIELDS))
    ws["A1"] = (f"{TITLE}回复表　协查编号：{request.number}　请于 {show_time(request.deadline_at)} 前回复"
                f"　发函单位：{config.sender_org}")
    ws["A1"].font = Font(bold=True, size=12)
    ws.merge_cells(f"A1:{last}1")
    prefilled = PatternFill("solid", fgColor="EEEEEE")
    for col, f in enumerate(FIELDS, start=1):
        cell = ws.cell(row=2, column=col, value=f.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if f.note:
            cell.comment = Comment(f.note, "firewatch")
        ws.column_dimensions[get_column_letter(col)].width = f.width
    values = {"request_number": request.number}
    for r, row in enumerate(rows, start=3):
        for col, f in enumerate(FIELDS, start=1):
            value = values.get(f.key, row.get(f.key, "")) if f.prefilled else None
            cell = ws.cell(row=r, column=col)
            if value:  # seller text is never a formula (=HYPERLINK...), and reads back as written
                set_xlsx_text(cell, value if isinstance(value, str) else str(value))
            if f.kind in ("code", "text", "url", "period"):
                cell.number_format = "@"  # IDs, codes and phone numbers stay text (no 1.2E+17)
            if f.prefilled:
                cell.fill = prefilled
    end = max(len(rows) + 200, 500)  # room for further rows of the same shops
    for f in FIELDS:
        col = get_column_letter(FIELDS.index(f) + 1)
        if f.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                errorTitle="非负整数", error=f"{f.header}应为非负整数")
        elif f.kind == "money":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                errorTitle="金额", error=f"{f.header}应为金额（元）")
        elif f.kind == "code":
            dv = DataValidation(type="textLength", operator="between", formula1="2", formula2="18", allow_blank=True,
                                errorTitle="统一社会信用代码", error="统一社会信用代码为 18 位；未登记的填“未登记”")
        else:
            continue
        dv.add(f"{col}3:{col}{end}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "A3"
    notes = wb.create_sheet("填写说明")
    notes.append(["类别", "列名", "填写说明"])
    for f in FIELDS:
        notes.append([GROUPS[f.group], f.header, f.note])
    notes.append([])
    notes.append(["依据", LEGAL_BASIS])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width, notes.column_dimensions["C"].width = 18, 20, 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def create_request(store: Store, platform: str, keys: list[tuple[str, str]], *, created_by: str,
                   data_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], config: NoticeConfig,
                   deadline_days: int | None = None, chromium: str = DEFAULT_CHROMIUM,
                   clock: Callable[[], datetime] = utcnow) -> AssistRequest:
    """Number a request for `keys` (listings of `platform` in the store), write its letter (PDF) and
    reply template (XLSX) into `out_dir` (inside `data_dir`) and record them; returns the request."""
    if platform not in PLATFORMS:
        raise AssistError(f"未知的平台“{platform}”：应为 {'、'.join(PLATFORMS)} 之一")
    keys = list(dict.fromkeys(tuple(k) for k in keys))
    if not keys:
        raise AssistError("请至少指定一个商品（平台:商品ID 或其商品页面链接）")
    days = deadline_days if deadline_days is not None else config.reply_deadline_days
    if days < 1:
        raise AssistError("回复期限至少为 1 天")
    rows = _rows(store, platform, keys)
    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    if not out_dir.is_relative_to(data_dir):
        raise AssistError(f"输出目录 {out_dir} 不在数据目录 {data_dir} 之内")
    now = clock()
    request = store.assist.create_request(platform, keys, created_by=created_by, deadline_at=now + timedelta(days=days),
                                          at=now)
    staged: list[tuple[Path, Path]] = []
    try:
        stem = f"assist-{platform}-{request.id:05d}"
        xlsx = reply_template(request, rows, config)
        xlsx_sha = hashlib.sha256(xlsx).hexdigest()
        xlsx_path = out_dir / f"{stem}-reply.xlsx"
        html = letter_html(request, rows, config, xlsx_name=xlsx_path.name, xlsx_sha256=xlsx_sha, deadline_days=days)
        pdf = html_to_pdf(html, chromium=chromium)
        pdf_path = out_dir / f"{stem}.pdf"
        staged = [(stage_file(pdf_path, pdf), pdf_path), (stage_file(xlsx_path, xlsx), xlsx_path)]
        for tmp, final in staged:
            os.replace(tmp, final)
        store.assist.set_documents(request.id, pdf_path=str(pdf_path.relative_to(data_dir)),
                                   xlsx_path=str(xlsx_path.relative_to(data_dir)),
                                   document_sha256=hashlib.sha256(pdf).hexdigest(), xlsx_sha256=xlsx_sha)
    except BaseException:
        store.assist.discard_request(request.id)
        raise
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    log.info("assistance request %s (%s) for %d %s listings by %s", request.id, request.number, len(keys), platform,
             created_by)
    return store.assist.get_request(request.id)


# -- replies ----------------------------------------------------------------------------
@dataclass
class ReplySheet:
    """A table of a reply file with its header found: rows of text, the header's index, column -> key."""

    rows: list[list[str]]
    header_index: int
    mapping: dict[int, str]


@dataclass
class ReplyCheck:
    """What a reply file holds: rows to store, bad rows (row number, problems), rows left blank."""

    replies: list[AssistReply] = field(default_factory=list)
    sources: list[tuple[tuple[str, str], Source]] = field(default_factory=list)
    bad: list[tuple[int, list[str]]] = field(default_factory=list)
    blank: int = 0
    data_rows: int = 0
    requests: set[str] = field(default_factory=set)


def _file_number(sheet: ReplySheet) -> str:
    """A request number written above the header (the template's title row), or ''."""
    for row in sheet.rows[:sheet.header_index]:
        for cell in row:
            found = NUMBER_RE.search(cell or "")
            if found:
                return found.group(0)
    return ""


def check_reply(store: Store, sheet: ReplySheet, *, file_sha256: str, file_name: str,
                platform: str | None = None) -> ReplyCheck:
    """Judge each row of a filled reply against the store; nothing is written."""
    check = ReplyCheck()
    default_number = _file_number(sheet)
    header_keys = {(sheet.rows[sheet.header_index][i] or "").strip() for i in sheet.mapping}
    requests: dict[str, AssistRequest | None] = {}
    for offset, row in enumerate(sheet.rows[sheet.header_index + 1:]):
        line = sheet.header_index + 2 + offset  # the row number a spreadsheet shows
        cells = {key: (row[i] if i < len(row) else "").strip() for i, key in sheet.mapping.items()}
        if not any(cells.values()) or {v for v in cells.values() if v} <= header_keys:
            continue
        check.data_rows += 1
        if not any(v for k, v in cells.items() if not FIELD_BY_KEY[k].prefilled):
            check.blank += 1  # a prefilled row the platform left empty
            continue
        values, problems = parse_row(cells)
        number = values.get("request_number") or default_number
        request = None
        if number:
            if number not in requests:
                requests[number] = store.assist.request_by_number(number)
            request = requests[number]
            if request is None:
                problems.append(f"协查编号 {number} 不存在")
        key = None
        from_url = listing_key(values["url"]) if values.get("url") else None
        if values.get("url") and from_url is None:
            problems.append(f"商品链接不是受监测平台的商品页：{values['url'][:80]!r}")
        row_platform = (from_url[0] if from_url else None) or (request.platform if request else None) or platform
        if from_url:
            key = from_url
            if values.get("listing_id") and values["listing_id"] != from_url[1]:
                problems.append(f"平台商品编号 {values['listing_id']} 与商品链接中的 {from_url[1]} 不一致")
        elif values.get("listing_id"):
            if row_platform is None:
                problems.append("无法确定平台：请填写商品链接，或用 --platform 指定平台")
            else:
                key = (row_platform, values["listing_id"])
        elif not values.get("url"):
            problems.append("缺少商品链接或平台商品编号")
        if request is not None and key is not None and key[0] != request.platform:
            problems.append(f"商品 {key[0]}:{key[1]} 不属于协查函所针对的平台 {request.platform}")
        listing = store.listings.get_listing(key) if key else None
        if key is not None and listing is None:
            problems.append(f"商品 {key[0]}:{key[1]} 不在库中（未知商品）")
        if problems:
            check.bad.append((line, problems))
            continue
        if request is not None:
            check.requests.add(request.number)
        shop_id = values.get("shop_id") or listing.shop_id
        shop_name = values.get("shop_name") or listing.shop_name
        fields = {k: v for k, v in values.items() if k not in ("request_number",)}
        check.replies.append(AssistReply(key[0], key[1], fields, file_sha256, line, request.id if request else None,
                                         shop_id, shop_name, values.get("operator_name", ""),
                                         values.get("credit_code", ""), file_name))
        # as report rows record it (firewatch.imports.listings): the seller's registered name and code only
        seller = {k: v for k, v in (("operator", values.get("operator_name", "")),
                                    ("credit_code", values.get("credit_code", ""))) if v}
        detail = {"request_number": request.number if request else "", "file": file_name, "row": line, "seller": seller}
        check.sources.append((key, Source("assist", key[0], f"{file_sha256}:{line}", detail)))
    return check


def store_reply(store: Store, check: ReplyCheck, *, file_sha256: str, file_name: str, imported_by: str = "",
                at: datetime | None = None) -> int:
    """Write a checked reply (refused with every bad row named if it has any); returns rows stored."""
    if check.bad:
        lines = "; ".join(f"第 {n} 行 row {n}: {'，'.join(p)}" for n, p in check.bad)
        raise AssistError(f"{file_name}：{len(check.bad)} 行有错误，未导入任何内容；改正后重新导入：{lines}")
    if not check.replies:
        raise AssistError(f"{file_name}：回复表中没有填写任何数据，未导入任何内容")
    platforms = sorted({r.platform for r in check.replies})
    return store.assist.add_replies(check.replies, check.sources, file_sha256=file_sha256, file_name=file_name,
                                    source_name=",".join(platforms), rows=check.data_rows, imported_by=imported_by,
                                    at=at)
