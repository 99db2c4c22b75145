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


class RemovalIn(BaseModel):
    listing_id: limits.Field
    note: limits.Note = Field("", description=f"说明，最多 {limits.NOTE} 字")


class CaseIn(BaseModel):
    title: limits.Title = Field(description=f"案件名称，不能为空，最多 {limits.TITLE} 字")
    note: limits.Note = Field("", description=f"说明，最多 {limits.NOTE} 字")


class CaseItemIn(BaseModel):
    listing: limits.Field = Field(description="平台:商品ID，例如 jd:100012")


def _row(r: queries.QueueRow) -> dict[str, Any]:
    return {"listing": to_jsonable(r.listing), "assessment": to_jsonable(r.assessment), "decision": r.decision,
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
    page = queries.queue_page(store, filters, after=after, before=before, size=max(1, min(limit, 1000)))
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
    assessment = to_jsonable(v.assessment) if user.internal else platform_assessment(v.assessment)
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
    decision_id = record(store, user, (platform, listing_id), body.verdict, body.note, client_ip(request))
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
    report_id = plat.mark_removed(store, user, platform, body.listing_id, body.note, client_ip(request))
    return {"report_id": report_id}


@router.get("/platforms/{platform}/notices", summary="平台收到的下架通知（新的在前，分页）")
def api_notices(platform: str, before: int | None = None, limit: int = 50, store: Store = Depends(get_store),
                user: User = Depends(plat.viewer)) -> dict[str, Any]:
    """Notices newest first; `next` is the `before` value of the next page (null at the end)."""
    plat.known_platform(user, platform)
    size = max(1, min(limit, 200))
    page = plat.notices_of(store, platform, before_id=before, limit=size + 1)
    notices = [{k: v for k, v in to_jsonable(n).items() if k not in ("html_path", "pdf_path")}  # server paths
               for n in page[:size]]
    return {"platform": platform, "notices": notices, "next": page[size - 1].id if len(page) > size else None}


@router.get("/search", summary="检索（含分面统计）")
def api_search(request: Request, page: int = 1, page_size: int = 100, params: analytics.SearchParams = Depends(params_from),
               user: User = Depends(require("analyst", "regulator", "investigator"))) -> dict[str, Any]:
    with search_index(request.app.state.config) as index:
        result = analytics.search(index, params, page=max(1, page), page_size=max(1, min(page_size, 1000)))
    return {"total": result.total, "total_exact": result.total_exact, "page": max(1, page), "facets": result.facets,
            "items": result.rows}


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


@router.post("/cases/{case_id}/export", summary="导出证据包（ZIP）", response_class=FileResponse)
def api_case_export(request: Request, case_id: DbId, store: Store = Depends(get_store),
                    user: User = Depends(inv.investigator)) -> FileResponse:
    path, _ = inv.export_pack(store, user, case_id, request.app.state.config, client_ip(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)
