"""The regulator's pages: the review queue (risk first, with filters), the listing page
and the confirm / dismiss / escalate decision, each decision audited.

The listing page is also what platforms and other roles see of a listing, reduced to
what their role may see (`queries.visible_listing` answers 403 otherwise). A decision
posted by the page's script (`Accept: application/json`) gets JSON back with the next
listing in the queue; a plain form post is redirected there.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from firewatch.core.clock import show_date
from firewatch.core.models import PLATFORMS, Decision
from firewatch.store import Store
from firewatch.store.reviews import VERDICTS
from firewatch.web import limits, queries
from firewatch.web.charts import price_history
from firewatch.web.deps import User, client_ip, current_user, get_store, require, verify_csrf
from firewatch.web.errors import wants_json
from firewatch.web.exceptions import BadRequest
from firewatch.web.queries import QUEUE_STATES, QueueFilters
from firewatch.web.render import render
from firewatch.web.routes.analyst import search_index

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


def filters_from(platform: str = "", category: str = "", reason: str = "", shop: str = "", since: str = "",
                 until: str = "", state: str = "pending") -> QueueFilters:
    return QueueFilters(platform, category, reason, shop, since, until, state).validate()


@router.get("/queue")
def review_queue(request: Request, after: str = "", before: str = "", filters: QueueFilters = Depends(filters_from),
                 store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> Response:
    page = queries.queue_page(store, filters, after=after, before=before, size=request.app.state.config.page_size)
    return render(request, "queue.html", rows=page.rows, total=page.total, capped=page.capped, page=page,
                  filters=filters, params=filters.as_params(), states=QUEUE_STATES, platforms=sorted(PLATFORMS))


def record(store: Store, user: User, key: tuple[str, str], verdict: str, note: str, ip: str) -> int:
    """Record a decision and audit it; the one path both pages and API use."""
    if verdict not in VERDICTS:
        raise BadRequest(f"未知的处理结果 {verdict!r}：应为 confirm、dismiss 或 escalate")
    queries.visible_listing(user, store, key)
    decision_id = store.reviews.record_decision(Decision(key[0], key[1], user.name, verdict, note.strip()[:2000]))
    store.users.audit(user.name, "decision", f"{key[0]}:{key[1]}", {"verdict": verdict, "note": note.strip()[:2000],
                                                               "decision_id": decision_id}, ip)
    return decision_id


@router.get("/listings/{platform}/{listing_id}")
def listing_page(request: Request, platform: str, listing_id: str, store: Store = Depends(get_store),
                 user: User = Depends(current_user)) -> Response:
    key = (platform, listing_id)
    view = queries.listing_view(store, user, key, similar=False)  # similar listings: loaded afterwards
    prev_key = next_key = None
    filters = QueueFilters()
    if user.role in ("regulator", "admin"):
        filters = filters_from(**{k: v for k, v in request.query_params.items() if k in QueueFilters.__dataclass_fields__})
        prev_key, next_key = queries.neighbours(store, filters, key)
    chart = price_history([(show_date(s.observed_at), s.price) for s in view.snapshots])
    cases = store.reviews.cases() if user.role in ("investigator", "admin") else []
    return render(request, "listing.html", v=view, chart=chart, prev_key=prev_key, next_key=next_key,
                  params=filters.as_params(), cases=cases, similar_later=True,
                  can_decide=user.role in ("regulator", "admin"))


@router.get("/listings/{platform}/{listing_id}/similar")
def similar_page(request: Request, platform: str, listing_id: str, store: Store = Depends(get_store),
                 user: User = Depends(require("regulator", "investigator", "analyst"))) -> Response:
    """The listing page's similar listings and probable relistings (from the search index),
    which the page's script loads after the page itself."""
    listing = queries.visible_listing(user, store, (platform, listing_id))
    with search_index(request.app.state.config) as index:
        similar = queries.similar_from_index(index, listing)
    return render(request, "similar.html", l=listing, similar=similar)


@router.post("/listings/{platform}/{listing_id}/decision")
def decide(request: Request, platform: str, listing_id: str, verdict: Annotated[limits.Field, Form()],
           note: Annotated[limits.Note, Form()] = "", back: Annotated[limits.Field, Form()] = "", store: Store = Depends(get_store),
           user: User = Depends(require("regulator"))) -> Response:
    key = (platform, listing_id)
    params = {k: v for k, v in request.query_params.items() if k in QueueFilters.__dataclass_fields__}
    filters = filters_from(**params)
    _, next_key = queries.neighbours(store, filters, key)  # keyset: the row after this one's place
    decision_id = record(store, user, key, verdict, note, client_ip(request))
    suffix = ("?" + urlencode(params)) if params else ""
    next_url = f"/listings/{next_key[0]}/{next_key[1]}{suffix}" if next_key else f"/queue{suffix}"
    if wants_json(request):
        return JSONResponse({"ok": True, "decision_id": decision_id, "verdict": verdict, "next": next_url})
    target = f"/queue{suffix}" if back == "queue" else next_url
    return RedirectResponse(target, status_code=303)
