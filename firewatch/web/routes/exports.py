"""Excel (and CSV) exports of the review queue with its current filters and of search results.

`GET /queue.xlsx` (regulators, admins) takes the queue page's own filters and writes its rows in
queue order, reading the queue page after page by its keyset (`queries.queue_page`), at most
`QUEUE_LIMIT` rows; `GET /search.xlsx` (internal roles) takes the search page's parameters and
writes at most `SEARCH_LIMIT` rows (the search index pages no deeper). Rows are written as they
are read (openpyxl's write-only workbook), every cell through the one export neutraliser; when
more rows matched, the sheet's last row says so. Each export is audited with its filters and row count.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from firewatch.core.clock import show_time
from firewatch.core.labels import PLATFORM_NAMES, VERDICT_NAMES, category_name, reason_name
from firewatch.store import Store
from firewatch.web import analytics, queries
from firewatch.web.analytics import SearchParams
from firewatch.web.deps import User, client_ip, get_store, require, verify_csrf
from firewatch.web.downloads import keyset, sheet_response
from firewatch.web.queries import QUEUE_STATES, QueueFilters, QueueRow
from firewatch.web.render import STATUS_NAMES
from firewatch.web.routes.analyst import internal, params_from, search_index
from firewatch.web.routes.review import filters_from

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
QUEUE_LIMIT = 50_000  # rows of one queue export (README: 导出)
SEARCH_LIMIT = 10_000  # rows of one search export: as deep as the search index pages
QUEUE_COLUMNS = [("platform_name", "平台", 8), ("listing_id", "商品ID", 16), ("title", "商品标题", 40),
                 ("shop_name", "店铺名称", 22), ("price", "价格(元)", 10), ("category_name", "产品类别", 18),
                 ("risk_score", "风险分", 8), ("reason_names", "违规原因", 40), ("reasons", "原因代码", 24),
                 ("verdict", "审核结论", 10), ("reviewer", "审核人", 12), ("decided_at", "审核时间(北京时间)", 22),
                 ("tipped", "有举报", 8), ("first_seen", "首次发现(北京时间)", 22), ("url", "商品链接", 46)]
SEARCH_COLUMNS = [("platform_name", "平台", 8), ("listing_id", "商品ID", 16), ("title", "商品标题", 40),
                  ("shop_name", "店铺名称", 22), ("price", "价格(元)", 10), ("category_name", "产品类别", 18),
                  ("flagged", "已标记", 8), ("risk_score", "风险分", 8), ("reason_names", "违规原因", 40),
                  ("reasons", "原因代码", 24), ("status_name", "状态", 8), ("sources", "线索来源", 20),
                  ("url", "商品链接", 46)]


def _queue_row(r: QueueRow) -> dict[str, Any]:
    listing, a, d = r.listing, r.assessment, r.decision or {}
    codes = list(dict.fromkeys(x.code for x in a.reasons))
    price = listing.display_price
    return {"platform_name": PLATFORM_NAMES.get(listing.platform, listing.platform), "listing_id": listing.listing_id,
            "title": listing.title, "shop_name": listing.shop_name, "price": "" if price is None else str(price),
            "category_name": category_name(a.category), "risk_score": round(a.risk_score, 3),
            "reason_names": "；".join(reason_name(c) for c in codes), "reasons": " ".join(codes),
            "verdict": VERDICT_NAMES.get(d.get("verdict"), "待审") if d else "待审", "reviewer": d.get("reviewer", ""),
            "decided_at": show_time(d.get("at")), "tipped": bool(r.tips), "first_seen": show_time(listing.first_seen),
            "url": listing.url}


@router.get("/queue.{fmt}")
def queue_export(request: Request, fmt: str, filters: QueueFilters = Depends(filters_from),
                 store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> Response:
    def fetch(position):
        page = queries.queue_page(store, filters, after=position or "", size=1000, count=False)
        return [_queue_row(r) for r in page.rows], page.after

    response, result = sheet_response(request.app.state.config, fmt, "queue", f"审核队列-{QUEUE_STATES[filters.state]}",
                                      QUEUE_COLUMNS, keyset(fetch), limit=QUEUE_LIMIT)
    store.users.audit(user.name, "export_queue", "queue", {**filters.as_params(), "format": fmt, "rows": result.rows,
                                                           "truncated": result.truncated}, client_ip(request))
    return response


def _search_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "platform_name": PLATFORM_NAMES.get(row["platform"], row["platform"]),
            "category_name": category_name(row["category"]) if row["category"] else "",
            "reason_names": "；".join(reason_name(c) for c in row["reasons"]), "reasons": " ".join(row["reasons"]),
            "status_name": STATUS_NAMES.get(row["status"], row["status"]), "sources": "、".join(row.get("sources", []))}


@router.get("/search.xlsx")
def search_export(request: Request, params: SearchParams = Depends(params_from), store: Store = Depends(get_store),
                  user: User = Depends(internal)) -> Response:
    with search_index(request.app.state.config) as index:
        def rows():
            for page in range(1, SEARCH_LIMIT // 1000 + 1):
                result = analytics.search(index, params, page=page, page_size=1000, facets=False)
                yield from (_search_row(r) for r in analytics.with_sources(store, result.rows))
                if not result.rows or page * 1000 >= result.total:
                    return
            if result.total > SEARCH_LIMIT or not result.total_exact:
                yield {}  # one row beyond the limit: the sheet then says it was capped

        response, result = sheet_response(request.app.state.config, "xlsx", "search", "检索结果", SEARCH_COLUMNS,
                                          rows(), limit=SEARCH_LIMIT)
    store.users.audit(user.name, "export_search", "search", {**params.as_params(), "format": "xlsx",
                                                             "rows": result.rows, "truncated": result.truncated},
                      client_ip(request))
    return response
