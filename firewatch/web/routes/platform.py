"""Platform pages: a platform's takedown list (its confirmed listings only), its notices,
marking items removed, acknowledging a notice, and CSV/XLSX downloads.

A platform user reaches only `/platform/<its platform>`; any other platform answers 403.
Regulators and admins see every platform's page but cannot speak for a platform: marking
an item removed and acknowledging a notice are the platform's (or its token's) own acts. Downloads are written by
`alerts.takedown` (confirmed listings, formula-safe cells) and audited.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Iterator

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from firewatch.core.models import PLATFORMS, utcnow
from firewatch.store import Store
from firewatch.web.deps import DbId, User, check_platform, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound
from firewatch.web.limits import Field, Note
from firewatch.web.render import render
from alerts.takedown import takedown_row
from alerts.takedown import write_takedown

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "json": "application/json"}
viewer = require("platform", "regulator")


def known_platform(user: User, platform: str) -> str:
    check_platform(user, platform)
    if platform not in PLATFORMS:
        raise NotFound(f"未知平台 {platform}")
    return platform


def platform_only(user: User) -> None:
    """Removal reports and acknowledgements are the platform's own statements: others may only read."""
    if user.role != "platform":
        raise Forbidden("只有平台账号可以报告下架或确认收到通知")


@dataclass
class TakedownPage:
    rows: list[dict]
    total: int
    after: str | None  # where the next page starts (None at the end)


def _position(text: str) -> tuple[float, str] | None:
    if not text:
        return None
    try:
        neg_risk, listing_id = json.loads(text)
        return float(neg_risk), str(listing_id)
    except (TypeError, ValueError):
        raise BadRequest("翻页位置无效：请从第一页重新开始") from None


def takedown_page(store: Store, platform: str, *, after: str = "", size: int = 100, count: bool = True) -> TakedownPage:
    """One page of the platform's confirmed listings as takedown rows (highest risk first), each with
    the platform's latest removal report; keyset paging after the position `after`."""
    confirmed = store.reviews.confirmed_page(platform, after=_position(after), limit=size + 1)
    more = len(confirmed) > size
    confirmed = confirmed[:size]
    reports = store.notices.removal_reports_for(platform, [l.listing_id for l, _, _ in confirmed])
    evidence = store.evidence.latest_evidence_of([listing.key for listing, _, _ in confirmed])
    rows = [takedown_row(store, listing, assessment, decision, evidence.get(listing.key))
            for listing, assessment, decision in confirmed]
    for r in rows:
        r["removal_report"] = reports.get(r["listing_id"])
    last = confirmed[-1] if confirmed else None
    return TakedownPage(rows, store.reviews.confirmed_count(platform) if count else len(rows),
                        json.dumps([-last[1].risk_score, last[0].listing_id], ensure_ascii=False) if more and last else None)


def takedown_data(store: Store, platform: str) -> Iterator[dict]:
    """Every confirmed listing of the platform as takedown rows, page after page (for downloads)."""
    after = ""
    while True:
        page = takedown_page(store, platform, after=after, size=1000, count=False)
        yield from page.rows
        if page.after is None:
            return
        after = page.after


def takedown_file(store: Store, platform: str, fmt: str, export_dir: Path) -> bytes:

    if fmt not in MEDIA:
        raise BadRequest("格式应为 csv、xlsx 或 json")
    rows = [{k: v for k, v in r.items() if k != "removal_report"} for r in takedown_data(store, platform)]
    export_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=export_dir) as tmp:
        path = write_takedown(rows, Path(tmp) / f"takedown.{fmt}", fmt)
        return Path(path).read_bytes()


def notices_of(store: Store, platform: str, before_id: int | None = None, limit: int = 20) -> list:
    """Notices sent to the platform (drafts stay internal), newest first, a page of `limit`."""
    return store.notices.notice_page(platform, exclude_status="draft", before_id=before_id, limit=limit)


@router.get("/platform/{platform}")
def platform_page(request: Request, platform: str, after: str = "", store: Store = Depends(get_store),
                  user: User = Depends(viewer)) -> Response:
    known_platform(user, platform)
    page = takedown_page(store, platform, after=after, size=request.app.state.config.page_size)
    return render(request, "platform.html", platform=platform, rows=page.rows, total=page.total, page=page,
                  later_page=bool(after), notices=notices_of(store, platform))


@router.get("/platform/{platform}/takedown.{fmt}")
def platform_download(request: Request, platform: str, fmt: str, store: Store = Depends(get_store),
                      user: User = Depends(viewer)) -> Response:
    known_platform(user, platform)
    data = takedown_file(store, platform, fmt, request.app.state.config.export_dir)
    store.users.audit(user.name, "export_takedown", platform, {"format": fmt, "bytes": len(data)}, client_ip(request))
    stamp = utcnow().strftime("%Y%m%d")
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="takedown-{platform}-{stamp}.{fmt}"'})


def mark_removed(store: Store, user: User, platform: str, listing_id: str, note: str, ip: str) -> int:
    """Record the platform's word that it removed a confirmed listing (audited)."""
    known_platform(user, platform)
    platform_only(user)
    if not store.reviews.is_confirmed((platform, listing_id)):
        raise Forbidden("只能标记本平台已确认违规的商品")
    note = note.strip()  # bounded by the form and the API (firewatch.web.limits.Note): never cut here
    report_id = store.notices.report_removed((platform, listing_id), user.name, note)
    store.users.audit(user.name, "report_removed", f"{platform}:{listing_id}", {"note": note}, ip)
    return report_id


@router.post("/platform/{platform}/removed")
def platform_removed(request: Request, platform: str, listing_id: Annotated[Field, Form()],
                     note: Annotated[Note, Form()] = "",
                     store: Store = Depends(get_store), user: User = Depends(viewer)) -> Response:
    mark_removed(store, user, platform, listing_id, note, client_ip(request))
    return RedirectResponse(f"/platform/{platform}", status_code=303)


@router.post("/platform/{platform}/notices/{notice_id}/ack")
def platform_ack(request: Request, platform: str, notice_id: DbId, note: Annotated[Note, Form()] = "",
                 store: Store = Depends(get_store), user: User = Depends(viewer)) -> Response:
    known_platform(user, platform)
    platform_only(user)
    notice = store.notices.get_notice(notice_id)
    if notice is None or notice.platform != platform:
        raise NotFound("没有此通知")
    if not store.notices.mark_notice_acknowledged(notice_id, by=user.name, at=utcnow(), note=note.strip()):
        raise BadRequest("此通知当前状态不能确认收到")
    store.users.audit(user.name, "notice_acknowledged", f"notice:{notice_id}", {"platform": platform}, client_ip(request))
    return RedirectResponse(f"/platform/{platform}", status_code=303)
