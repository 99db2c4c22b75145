"""Analyst pages: search with facets, the trends page (flags per week by category and
platform, as SVG charts; review precision per reason by week, flag rate, reason mix and the drift note,
`services.review_trends`, in `_review_trends.html`, served by `/trends/reviews` and loaded after the page) and CSV export of any search result or of the trends table.

Every CSV export is audited with the parameters that produced it. Internal roles
(regulators, investigators, analysts, admins) may search; platforms may not.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Iterator

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from firewatch.core.models import utcnow
from firewatch.store import Store
from firewatch.web import analytics
from firewatch.web.analytics import SearchParams
from firewatch.services.review_trends import model_training, review_trends
from firewatch.web.charts import share_lines, stacked_bars
from firewatch.web.deps import User, client_ip, get_store, require, verify_csrf
from firewatch.web.limits import Field, SearchText
from firewatch.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
internal = require("analyst", "regulator", "investigator")


@contextmanager
def search_index(config) -> Iterator[object]:
    """The configured search index, closed afterwards."""
    index = config.open_index()
    try:
        yield index
    finally:
        index.close()


def params_from(q: Annotated[SearchText, Query()] = "", platform: Annotated[Field, Query()] = "",
                category: Annotated[Field, Query()] = "", reason: Annotated[Field, Query()] = "",
                shop: Annotated[SearchText, Query()] = "", flagged: Annotated[Field, Query()] = "",
                since: Annotated[Field, Query()] = "", sort: Annotated[Field, Query()] = "") -> SearchParams:
    return SearchParams(q, platform, category, reason, shop, flagged, since, sort).validate()


@router.get("/search")
def search_page(request: Request, page: int = 1, params: SearchParams = Depends(params_from), store: Store = Depends(get_store),
                user: User = Depends(internal)) -> Response:
    with search_index(request.app.state.config) as index:
        result = analytics.search(index, params, page=max(1, min(page, 100)))
    return render(request, "search.html", result=result, rows=result.rows, p=params, params=params.as_params(),
                  page=max(1, min(page, 100)), sorts=analytics.SORT_NAMES)


def _csv_response(data: bytes, name: str) -> Response:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})


@router.get("/search.csv")
def search_csv(request: Request, params: SearchParams = Depends(params_from), store: Store = Depends(get_store),
               user: User = Depends(internal)) -> Response:
    with search_index(request.app.state.config) as index:
        rows = analytics.with_sources(store, analytics.search_all(index, params))
    store.users.audit(user.name, "export_search_csv", "search", {**params.as_params(), "rows": len(rows)}, client_ip(request))
    return _csv_response(analytics.to_csv(analytics.readable(rows)), "search")


@router.get("/trends")
def trends_page(request: Request, store: Store = Depends(get_store), user: User = Depends(internal)) -> Response:
    t = analytics.trends(store)
    return render(request, "trends.html", t=t,
                  category_chart=stacked_bars(t.weeks, t.by_category, "每周标记数（按类别）"),
                  platform_chart=stacked_bars(t.weeks, t.by_platform, "每周标记数（按平台）"))


@router.get("/trends/reviews")
def trends_reviews(request: Request, store: Store = Depends(get_store), user: User = Depends(internal)) -> Response:
    """The trends page's review section (precision by reason and week, flag rate, drift note), a page of
    its own that the trends page loads after itself (its counts are the page's costliest part)."""
    config = request.app.state.config
    r = review_trends(store, config.drift)
    return render(request, "trends_reviews.html", r=r, model_line=model_training(config.model_dir),
                  precision_chart=share_lines(r.weeks, {row.name: row.precision for row in ([r.overall] + r.reasons)[:7]},
                                              "每周审核准确率（按理由）"))


@router.get("/trends.csv")
def trends_csv(request: Request, store: Store = Depends(get_store), user: User = Depends(internal)) -> Response:
    t = analytics.trends(store)
    store.users.audit(user.name, "export_trends_csv", "trends", {"rows": len(t.rows)}, client_ip(request))
    return _csv_response(analytics.to_csv(t.rows, analytics.TREND_COLUMNS), "trends")
