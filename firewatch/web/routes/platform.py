"""Platform pages: a platform's takedown list (its confirmed listings only), its notices,
marking items removed, acknowledging a notice, and CSV/XLSX downloads.

A platform user reaches only `/platform/<its platform>`; any other platform answers 403.
Regulators and admins see every platform's page but cannot speak for a platform: marking
an item removed and acknowledging a notice are the platform's (or its token's) own acts. Downloads are written by
`alerts.takedown` (confirmed listings, formula-safe cells) and audited.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from firewatch.core.models import PLATFORMS, utcnow
from firewatch.store import Store
from firewatch.web.deps import DbId, User, check_platform, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound
from firewatch.web.render import render
from alerts.takedown import takedown_rows
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


def takedown_data(store: Store, platform: str) -> list[dict]:
    """The platform's confirmed listings as takedown rows, with the platform's removal reports."""

    confirmed = {l.listing_id for l, _, _ in store.reviews.confirmed(platform)}
    reports = store.notices.removal_reports(platform)
    rows = [r for r in takedown_rows(store, platform) if r["listing_id"] in confirmed]
    for r in rows:
        r["removal_report"] = reports.get(r["listing_id"])
    return rows


def takedown_file(store: Store, platform: str, fmt: str, export_dir: Path) -> bytes:

    if fmt not in MEDIA:
        raise BadRequest("格式应为 csv、xlsx 或 json")
    rows = [{k: v for k, v in r.items() if k != "removal_report"} for r in takedown_data(store, platform)]
    export_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=export_dir) as tmp:
        path = write_takedown(rows, Path(tmp) / f"takedown.{fmt}", fmt)
        return Path(path).read_bytes()


def notices_of(store: Store, platform: str) -> list:
    """Notices sent to the platform (drafts stay internal)."""
    return [n for n in store.notices.notices(platform) if n.status != "draft"]


@router.get("/platform/{platform}")
def platform_page(request: Request, platform: str, store: Store = Depends(get_store),
                  user: User = Depends(viewer)) -> Response:
    known_platform(user, platform)
    return render(request, "platform.html", platform=platform, rows=takedown_data(store, platform),
                  notices=notices_of(store, platform))


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
    confirmed = {l.listing_id for l, _, _ in store.reviews.confirmed(platform)}
    if listing_id not in confirmed:
        raise Forbidden("只能标记本平台已确认违规的商品")
    report_id = store.notices.report_removed((platform, listing_id), user.name, note.strip()[:1000])
    store.users.audit(user.name, "report_removed", f"{platform}:{listing_id}", {"note": note.strip()[:1000]}, ip)
    return report_id


@router.post("/platform/{platform}/removed")
def platform_removed(request: Request, platform: str, listing_id: str = Form(...), note: str = Form(""),
                     store: Store = Depends(get_store), user: User = Depends(viewer)) -> Response:
    mark_removed(store, user, platform, listing_id, note, client_ip(request))
    return RedirectResponse(f"/platform/{platform}", status_code=303)


@router.post("/platform/{platform}/notices/{notice_id}/ack")
def platform_ack(request: Request, platform: str, notice_id: DbId, note: str = Form(""),
                 store: Store = Depends(get_store), user: User = Depends(viewer)) -> Response:
    known_platform(user, platform)
    platform_only(user)
    notice = store.notices.get_notice(notice_id)
    if notice is None or notice.platform != platform:
        raise NotFound("没有此通知")
    if not store.notices.mark_notice_acknowledged(notice_id, by=user.name, at=utcnow(), note=note.strip()[:1000]):
        raise BadRequest("此通知当前状态不能确认收到")
    store.users.audit(user.name, "notice_acknowledged", f"notice:{notice_id}", {"platform": platform}, client_ip(request))
    return RedirectResponse(f"/platform/{platform}", status_code=303)
