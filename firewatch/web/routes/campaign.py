"""The campaign page: the campaign report's figures and charts for a date range, and its XLSX and PDF.

`GET /campaign?from=&to=&platform=` (analysts and regulators) shows what `firewatch report campaign`
writes (`services.campaign`, `services.campaign_report`: counts in SQL, charts as PNG data URIs, which
the CSP allows); `/campaign.xlsx` and `/campaign.pdf` download the files for the same range, audited,
and always counted afresh. The page's figures and charts are reused for `[campaign] page_cache_seconds`
per range and platform (counting takes seconds at a million listings; the page says when it counted).
A bad date or range answers 400 with a Chinese message.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from firewatch.core.clock import show_date, utcnow
from firewatch.core.models import PLATFORMS
from firewatch.services.campaign import CampaignFigures, Period, campaign_figures
from firewatch.services.campaign_report import (DIMENSION_NAMES, breakdown_rows, charts, file_stem, pdf_bytes,
                                                report_context, xlsx_bytes)
from firewatch.store import Store
from firewatch.web.deps import User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest
from firewatch.web.limits import Field
from firewatch.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
campaign_roles = require("analyst", "regulator")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_CACHE_ENTRIES = 32  # ranges and platforms kept
_keys_lock = threading.Lock()  # guards the cache and its per-range locks


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}格式应为 年-月-日（如 2026-10-30），收到「{text}」") from None


def period_of(request: Request, first: Annotated[Field, Query(alias="from")] = "",
              last: Annotated[Field, Query(alias="to")] = "", platform: Annotated[Field, Query()] = ""
              ) -> tuple[Period, str]:
    """The range asked for (default: the campaign's first day to today, Beijing time) and the platform."""
    config = request.app.state.config.campaign
    today = date.fromisoformat(show_date(utcnow()))
    start = _day(first, "开始日期") if first else min(date.fromisoformat(config.start), today)
    end = _day(last, "结束日期") if last else today
    if platform and platform not in PLATFORMS:
        raise BadRequest(f"未知的平台「{platform}」")
    try:
        return Period.of(start, end), platform
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _figures(request: Request, store: Store, chosen: tuple[Period, str], whole: bool = False) -> CampaignFigures:
    """The figures; the page leaves out listings monitored by category (a join over every listing), the files not."""
    period, platform = chosen
    return campaign_figures(store, period, request.app.state.config.campaign, platform, monitored_categories=whole)


def _params(f: CampaignFigures) -> str:
    return f"from={f.period.first}&to={f.period.last}" + (f"&platform={f.platform}" if f.platform else "")


def _page_context(request: Request, store: Store, chosen: tuple[Period, str]) -> dict[str, Any]:
    """The page's figures and charts for the range and platform, reused while younger than the setting.
    One count at a time per range and platform (a second request for it waits for the first's answer);
    other ranges, and hits, do not wait; with the setting at 0 nothing is kept or waited for."""
    ttl = request.app.state.config.campaign.page_cache_seconds
    if not ttl:
        return _count(request, store, chosen, ttl)
    state = request.app.state.__dict__
    cache: dict = state.setdefault("campaign_pages", {})
    key = (chosen[0].first, chosen[0].last, chosen[1])
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    with _keys_lock:
        lock = state.setdefault("campaign_locks", {}).setdefault(key, threading.Lock())
    with lock:
        hit = cache.get(key)  # counted by the request this one waited for
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1]
        context = _count(request, store, chosen, ttl)
        with _keys_lock:
            cache[key] = (time.monotonic(), context)
            for old in sorted(cache, key=lambda k: cache[k][0])[:-PAGE_CACHE_ENTRIES]:
                del cache[old]
                state["campaign_locks"].pop(old, None)
        return context


def _count(request: Request, store: Store, chosen: tuple[Period, str], ttl: float) -> dict[str, Any]:
    f = _figures(request, store, chosen)
    context = report_context(f, charts(f), thumbnails=False)
    context.update(rows={d: breakdown_rows(f, d) for d in DIMENSION_NAMES}, platforms=PLATFORMS, qs=_params(f),
                   counted_at=f.generated_at, reuse_minutes=round(ttl / 60, 1) if ttl else 0)
    return context


@router.get("/campaign")
def campaign_page(request: Request, chosen: tuple[Period, str] = Depends(period_of), store: Store = Depends(get_store),
                  user: User = Depends(campaign_roles)) -> Response:
    return render(request, "campaign.html", **_page_context(request, store, chosen))


def _download(request: Request, store: Store, user: User, chosen: tuple[Period, str], kind: str) -> Response:
    f = _figures(request, store, chosen, whole=True)
    if kind == "pdf":
        data, media = pdf_bytes(f, request.app.state.config.chromium), "application/pdf"
    else:
        data, media = xlsx_bytes(f), XLSX
    store.users.audit(user.name, f"export_campaign_{kind}", "campaign",
                      {"from": str(f.period.first), "to": str(f.period.last), "platform": f.platform}, client_ip(request))
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{file_stem(f)}.{kind}"'})


@router.get("/campaign.xlsx")
def campaign_xlsx(request: Request, chosen: tuple[Period, str] = Depends(period_of), store: Store = Depends(get_store),
                  user: User = Depends(campaign_roles)) -> Response:
    return _download(request, store, user, chosen, "xlsx")


@router.get("/campaign.pdf")
def campaign_pdf(request: Request, chosen: tuple[Period, str] = Depends(period_of), store: Store = Depends(get_store),
                 user: User = Depends(campaign_roles)) -> Response:
    return _download(request, store, user, chosen, "pdf")
