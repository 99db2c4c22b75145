"""The JSON API (`/api/v1`): the pages' operations for integrations, documented at `/docs`.

Platforms authenticate with `Authorization: Bearer <token>` (`firewatch token add`) and
then act as their platform: its confirmed takedown list, its notices, removal reports.
A browser session works too (POSTs need the `X-CSRF-Token` header). Access rules and
audit are the pages' own: the same functions run behind both.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from firewatch.core.labels import field_name, reason_name
from firewatch.core.models import to_jsonable
from firewatch.store import Store
from firewatch.web import analytics, limits, queries
from firewatch.web.disclosure import platform_assessment
from firewatch.web.deps import DbId, User, client_ip, current_user, get_store, require, verify_csrf
from firewatch.web.queries import QueueFilters
from firewatch.web.routes import investigator as inv
from firewatch.web.routes import platform as plat
from firewatch.web.routes.analyst import params_from, search_index
from firewatch.web.routes.review import filters_from, record

bearer = HTTPBearer(auto_error=False, description="平台 API 令牌（firewatch token add）")
router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(bearer), Depends(verify_csrf)])


class DecisionIn(BaseModel):
    verdict: limits.Field = Field(description="confirm（确认违规）、dismiss（排除）或 escalate（升级处理）")
    note: limits.Note = Field("", description=f"结论说明，最多 {limits.NOTE} 字")
    assessed_at: limits.Field = Field("", description="必填：审核时所见评估的时间（ISO 8601，带时区，即商品详情的 "
                                      "assessment.assessed_at；当时没有评估填 none）；未带或此后重新评估过则拒绝（409），"
                                      "不作结论")


class RemovalIn(BaseModel):
    listing_id: limits.Field
    note: limits.Note = Field("", description=f"说明，最多 {limits.NOTE} 字")


class AckIn(BaseModel):
    note: limits.Note = Field("", description=f"平台的答复说明（可选），最多 {limits.NOTE} 字")


class CaseIn(BaseModel):
    title: limits.Title = Field(description=f"案件名称，不能为空，最多 {limits.TITLE} 字")
    note: limits.Note = Field("", description=f"说明，最多 {limits.NOTE} 字")


class CaseItemIn(BaseModel):
    listing: limits.Field = Field(description="平台:商品ID，例如 jd:100012")


def _assessment(assessment) -> dict[str, Any] | None:
    """The assessment as JSON; each reason's Chinese name and field beside its code and source."""
    data = to_jsonable(assessment)
    for reason in (data or {}).get("reasons", []):
        reason["name_zh"] = reason_name(reason["code"])
        reason["source_zh"] = field_name(reason["source"])
    return data


def _row(r: queries.QueueRow) -> dict[str, Any]:
    return {"listing": to_jsonable(r.listing), "assessment": _assessment(r.assessment), "decision": r.decision,
            "tipped": bool(r.tips), "tip_text": r.tip_text}  # a public tip's text, never its contact


def _evidence(evidence) -> dict[str, Any] | None:
    """The capture record without the server's paths; each artefact with its download URL."""
    if evidence is None:
        return None
    data = {k: v for k, v in to_jsonable(evidence).items() if k != "directory"}
    for artefact in data.get("artefacts", []):
        artefact["url"] = f"/files/{evidence.platform}/{evidence.listing_id}/{artefact['name']}"
    return data


@router.get("/me", summary="当前用户")
def me(user: User = Depends(current_user)) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "platform": user.platform}


@router.get("/queue", summary="审核队列（按风险排序，分页）")
def api_queue(limit: int = 100, after: str = "", before: str = "", filters: QueueFilters = Depends(filters_from),
              store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> dict[str, Any]:
    """One page of the queue; `next` (`previous`) is the `after` (`before`) value of the next (previous)
    page, null at the end. `total` counts up to 10000 (`total_capped` beyond)."""
    page = queries.queue_page(store, filters, after=after, before=before, size=max(1, min(limit, 1000)),
                              reviewer=user.name if user.role == "regulator" else None)  # rows others hold: left out
    return {"total": page.total, "total_capped": page.capped, "items": [_row(r) for r in page.rows],
            "next": page.after, "previous": page.before}


@router.get("/listings/{platform}/{listing_id}", summary="商品详情")
def api_listing(request: Request, platform: str, listing_id: str, similar: bool = False,
                store: Store = Depends(get_store), user: User = Depends(current_user)) -> dict[str, Any]:
    """The listing; `similar` lists similar listings only with `?similar=1` (a search-index query;
    also at `.../similar`)."""
    if similar:
        with search_index(request.app.state.config) as index:
            v = queries.listing_view(store, user, (platform, listing_id), index)
    else:
        v = queries.listing_view(store, user, (platform, listing_id), similar=False)
    # a platform sees the reasons and their evidence, never the model's scores (sellers would tune to them)
    assessment = _assessment(v.assessment) if user.internal else platform_assessment(v.assessment, v.listing.title)
    return {"listing": to_jsonable(v.listing), "assessment": assessment,
            "evidence": _evidence(v.evidence), "snapshots": to_jsonable(v.snapshots),
            "decisions": to_jsonable(v.decisions) if user.internal else [],
            "similar": to_jsonable(v.similar),
            "sources": to_jsonable(v.sources),  # provenance (internal roles; empty for platforms)
            "screenshot_url": f"/files/{platform}/{listing_id}/{v.screenshot}" if v.screenshot else None}


@router.get("/listings/{platform}/{listing_id}/similar", summary="相似商品与疑似重新上架")
def api_similar(request: Request, platform: str, listing_id: str, store: Store = Depends(get_store),
                user: User = Depends(require("regulator", "investigator", "analyst"))) -> dict[str, Any]:
    listing = queries.visible_listing(user, store, (platform, listing_id))
    with search_index(request.app.state.config) as index:
        return {"similar": to_jsonable(queries.similar_from_index(index, listing))}


@router.post("/listings/{platform}/{listing_id}/decisions", summary="记录审核结论", status_code=201)
def api_decide(request: Request, platform: str, listing_id: str, body: DecisionIn,
               store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> dict[str, Any]:
    decision_id = record(store, user, (platform, listing_id), body.verdict, body.note, client_ip(request),
                         body.assessed_at)
    return {"decision_id": decision_id, "verdict": body.verdict}


@router.get("/platforms/{platform}/takedown", summary="平台下架清单（已确认违规，分页）")
def api_takedown(request: Request, platform: str, after: str = "", limit: int = 200, store: Store = Depends(get_store),
                 user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """One page of the platform's confirmed listings, highest risk first; `next` is the `after`
    value of the next page (null at the end), `total` the whole list's length."""
    plat.known_platform(user, platform)
    page = plat.takedown_page(store, platform, after=after, size=max(1, min(limit, 1000)))
    store.users.audit(user.name, "export_takedown", platform, {"format": "api", "rows": len(page.rows)},
                      client_ip(request))
    return {"platform": platform, "items": page.rows, "total": page.total, "next": page.after}


@router.post("/platforms/{platform}/removals", summary="平台报告已下架", status_code=201)
def api_removal(request: Request, platform: str, body: RemovalIn, store: Store = Depends(get_store),
                user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """A confirmed listing reported removed; a repeated report of it answers 409 (counted once)."""
    report_id = plat.mark_removed(store, user, platform, body.listing_id, body.note, client_ip(request))
    return {"report_id": report_id}


@router.get("/platforms/{platform}/notices", summary="平台收到的下架通知（新的在前，分页）")
def api_notices(platform: str, before: int | None = None, limit: int = 50, store: Store = Depends(get_store),
                user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """Notices newest first; `next` is the `before` value of the next page (null at the end)."""
    plat.known_platform(user, platform)
    size = max(1, min(limit, 200))
    page = plat.notices_of(store, platform, before_id=before, limit=size + 1)
    counts = store.notices.notice_counts([n.id for n in page[:size]])
    notices = [_notice(n, counts.get(n.id, {})) for n in page[:size]]
    return {"platform": platform, "notices": notices, "next": page[size - 1].id if len(page) > size else None}


def _notice(n, counts: dict[str, int]) -> dict[str, Any]:
    """A notice without the server's paths: its letter's URLs and its counts (removed: reported or verified)."""
    data = {k: v for k, v in to_jsonable(n).items() if k not in ("html_path", "pdf_path")}  # server paths
    base = f"/api/v1/platforms/{n.platform}/notices/{n.id}"
    page = f"/platform/{n.platform}/notices/{n.id}"
    data.update(html_url=f"{page}/letter.html" if n.html_path else None,
                pdf_url=f"{page}/letter.pdf" if n.pdf_path else None, items_url=f"{base}/items",
                counts={"items": counts.get("items", 0), "removed": counts.get("removed", 0),
                        "reported": counts.get("reported", 0), "verified": counts.get("verified", 0)})
    return data


@router.get("/platforms/{platform}/notices/{notice_id}/items", summary="通知所列商品（分页，含商品链接与下架情况）")
def api_notice_items(platform: str, notice_id: DbId, after: str = "", limit: int = 100,
                     store: Store = Depends(get_store), user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """The notice's listings by key with their real URLs; `next` is the `after` value of the next
    page (null at the end). `reported_at`: the platform's latest removal report; `removed_at`: verified."""
    notice = plat.sent_notice(store, user, platform, notice_id)
    items, next_after = plat.notice_items(store, notice_id, after, size=max(1, min(limit, 500)))
    return {"notice": _notice(notice, store.notices.notice_counts([notice_id]).get(notice_id, {})),
            "items": to_jsonable(items), "next": next_after}


@router.post("/platforms/{platform}/notices/{notice_id}/acknowledge", summary="平台确认收到下架通知")
def api_notice_ack(request: Request, platform: str, notice_id: DbId, body: AckIn | None = None,
                   store: Store = Depends(get_store), user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """A sent or overdue notice becomes acknowledged (409 when it already was)."""
    notice = plat.acknowledge(store, user, platform, notice_id, body.note if body else "", client_ip(request))
    return {"notice_id": notice.id, "status": notice.status, "acknowledged_at": to_jsonable(notice.acknowledged_at),
            "acknowledged_by": notice.acknowledged_by}


@router.get("/search", summary="检索（含分面统计）")
def api_search(request: Request, page: int = 1, page_size: int = 100, params: analytics.SearchParams = Depends(params_from),
               user: User = Depends(require("analyst", "regulator", "investigator"))) -> dict[str, Any]:
    with search_index(request.app.state.config) as index:
        result = analytics.search(index, params, page=max(1, page), page_size=max(1, min(page_size, 1000)))
    return {"total": result.total, "total_exact": result.total_exact, "page": max(1, page), "facets": result.facets,
            "facet_sample": result.facet_sample, "items": result.rows}


@router.get("/trends", summary="每周标记数（按类别、平台）")
def api_trends(store: Store = Depends(get_store),
               user: User = Depends(require("analyst", "regulator", "investigator"))) -> dict[str, Any]:
    t = analytics.trends(store)
    return {"weeks": t.weeks, "by_category": t.by_category, "by_platform": t.by_platform}


@router.get("/cases", summary="案件列表")
def api_cases(store: Store = Depends(get_store), user: User = Depends(inv.investigator)) -> dict[str, Any]:
    return {"cases": store.reviews.cases()}


@router.post("/cases", summary="新建案件", status_code=201)
def api_case_create(request: Request, body: CaseIn, store: Store = Depends(get_store),
                    user: User = Depends(inv.investigator)) -> dict[str, Any]:
    case_id = store.reviews.create_case(body.title, user.name, body.note)
    store.users.audit(user.name, "case_create", f"case:{case_id}", {"title": body.title}, client_ip(request))
    return {"case_id": case_id}


@router.post("/cases/{case_id}/items", summary="加入案件", status_code=201)
def api_case_add(request: Request, case_id: DbId, body: CaseItemIn, store: Store = Depends(get_store),
                 user: User = Depends(inv.investigator)) -> dict[str, Any]:
    added = inv.add_to_case(store, user, case_id, inv.parse_key(body.listing), client_ip(request))
    return {"added": added, "items": store.reviews.case_items(case_id)}


@router.post("/cases/{case_id}/exports", summary="后台导出证据包（进度见状态接口）", status_code=202)
def api_case_export_start(request: Request, case_id: DbId, store: Store = Depends(get_store),
                          user: User = Depends(inv.investigator)) -> dict[str, Any]:
    """Start the case's export in the background, or reuse the identical finished (or running) one
    (`reused`); poll `status_url` until `state` is done (then `download_url`) or failed."""
    export, started, skipped = inv.start_export(store, user, case_id, request.app.state.config, client_ip(request))
    return {**inv.export_status(export, case_id), "reused": not started, "skipped": skipped,
            "status_url": f"/api/v1/cases/{case_id}/exports/{export.id}"}


@router.get("/cases/{case_id}/exports", summary="案件的证据包导出记录（新的在前）")
def api_case_exports(case_id: DbId, store: Store = Depends(get_store),
                     user: User = Depends(inv.investigator)) -> dict[str, Any]:
    inv.get_case(store, case_id)
    return {"exports": [inv.export_status(e, case_id) for e in inv.settle(store, store.packs.of_case(case_id))]}


@router.get("/cases/{case_id}/exports/{export_id}", summary="证据包导出状态")
def api_case_export_state(case_id: DbId, export_id: DbId, store: Store = Depends(get_store),
                          user: User = Depends(inv.investigator)) -> dict[str, Any]:
    return inv.export_status(inv.case_export_of(store, case_id, export_id), case_id)


@router.post("/cases/{case_id}/export", summary="导出证据包（ZIP，在请求内完成；建议改用后台导出）",
             response_class=FileResponse)
def api_case_export(request: Request, case_id: DbId, store: Store = Depends(get_store),
                    user: User = Depends(inv.investigator)) -> FileResponse:
    path, _ = inv.export_pack(store, user, case_id, request.app.state.config, client_ip(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)
