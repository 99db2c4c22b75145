"""The admin's audit log: filtered by actor, action and Beijing dates, paged by time, exported.

`GET /audit` shows 100 entries newest first; `date_from` / `date_to` are Beijing dates (both
included), converted to UTC bounds for the store; 下一页 continues after the last entry shown
(keyset on (at, id), migration 17's indexes), so a million entries page as fast as a hundred.
`GET /audit.xlsx` and `/audit.csv` export what the filters select, at most `EXPORT_LIMIT` rows
(a last row says when more matched), through the one export neutraliser; each export is audited.
The page verifies the hash chain of the newest `AUDIT_CHECKED` entries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from firewatch.core.clock import BEIJING, show_time
from firewatch.store import Store
from firewatch.web.deps import User, client_ip, get_store, require, verify_csrf
from firewatch.web.downloads import keyset, sheet_response
from firewatch.web.exceptions import BadRequest
from firewatch.web.limits import Field, Username
from firewatch.web.render import ACTION_NAMES, CUSTODY_NAMES, detail_text, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
admin = require("admin")
AUDIT_CHECKED = 10_000  # the audit page verifies the hash chain of this many newest entries
PAGE = 100
EXPORT_LIMIT = 100_000  # rows of one audit export (documented in README: 审计日志)
COLUMNS = [("id", "编号", 10), ("at_text", "时间(北京时间)", 22), ("actor", "操作人", 16), ("action_name", "操作", 18),
           ("action", "操作代码", 18), ("subject", "对象", 24), ("detail_text", "详情", 60), ("ip", "地址", 18),
           ("entry_sha256", "本条哈希", 66)]


class AuditFilters:
    """The page's filters from the query string, checked; `bounds()` gives the UTC range."""

    def __init__(self, actor: Annotated[Username, Query()] = "", action: Annotated[Field, Query()] = "",
                 date_from: Annotated[Field, Query()] = "", date_to: Annotated[Field, Query()] = ""):
        self.actor, self.action = actor, action
        self.date_from, self.date_to = _day(date_from, "开始日期"), _day(date_to, "结束日期")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadRequest("开始日期晚于结束日期")

    def params(self) -> dict[str, str]:
        return {k: v for k, v in (("actor", self.actor), ("action", self.action),
                                  ("date_from", self.date_from.isoformat() if self.date_from else ""),
                                  ("date_to", self.date_to.isoformat() if self.date_to else "")) if v}

    def query(self) -> dict[str, Any]:
        """Keyword arguments of `store.users.audit_page`: Beijing days as UTC ISO bounds."""
        since = _utc(self.date_from) if self.date_from else None
        until = _utc(self.date_to + timedelta(days=1)) if self.date_to else None
        return {"actor": self.actor or None, "action": self.action or None, "since": since, "until": until}


def _day(text: str, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{label}格式应为 年-月-日（北京时间，如 2026-12-01），收到：{text}") from None


def _utc(day: date) -> str:
    """The UTC ISO time at which this Beijing day starts."""
    return datetime.combine(day, time(0), BEIJING).astimezone(timezone.utc).isoformat()


def _position(text: str) -> tuple[str, int] | None:
    if not text:
        return None
    at, _, entry_id = text.rpartition("|")
    if not at or not entry_id.isdigit():
        raise BadRequest("翻页位置无效：请从第一页重新开始")
    return at, int(entry_id)


def _page(store: Store, filters: AuditFilters, before: tuple[str, int] | None, size: int):
    rows = store.users.audit_page(**filters.query(), before=before, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return rows, (f"{rows[-1]['at']}|{rows[-1]['id']}" if more and rows else None)


@router.get("/audit")
def audit_log(request: Request, before: Annotated[Field, Query()] = "", filters: AuditFilters = Depends(),
              store: Store = Depends(get_store), user: User = Depends(admin)) -> Response:
    entries, after = _page(store, filters, _position(before), PAGE)
    # the page checks the newest entries' chain; `firewatch audit verify` checks all of it
    return render(request, "audit.html", entries=entries, broken=store.users.audit_verify(newest=AUDIT_CHECKED),
                  checked=AUDIT_CHECKED, f=filters, params=filters.params(), next_before=after,
                  later_page=bool(before), actions={**ACTION_NAMES, **CUSTODY_NAMES})


def _export_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "at_text": show_time(entry["at"], seconds=True),
            "action_name": ACTION_NAMES.get(entry["action"]) or CUSTODY_NAMES.get(entry["action"], entry["action"]),
            "detail_text": detail_text(entry["detail"])}


@router.get("/audit.{fmt}")
def audit_export(request: Request, fmt: str, filters: AuditFilters = Depends(), store: Store = Depends(get_store),
                 user: User = Depends(admin)) -> Response:
    def fetch(position):
        rows, after = _page(store, filters, _position(position or ""), 1000)
        return [_export_row(r) for r in rows], after

    response, result = sheet_response(request.app.state.config, fmt, "audit", "审计日志", COLUMNS, keyset(fetch),
                                      limit=EXPORT_LIMIT)
    store.users.audit(user.name, "export_audit", "audit", {**filters.params(), "format": fmt, "rows": result.rows,
                                                           "truncated": result.truncated}, client_ip(request))
    return response
