"""The regulator's pages: the review queue (by priority, with filters), the listing page
and the confirm / dismiss / escalate decision, each decision audited; bulk decisions on
selected rows or on every row of a shop (one audit entry per listing), and undo of the
reviewer's last decision (audited).

A decision is taken on the assessment the reviewer saw, and every decision must say which: the listing
page and each queue row carry its time (`assessed_at`, "none" when no assessment was shown; the queue's
bulk form one `seen` field a row, "platform:listing_id|time", the time empty or "none" when the row showed
no assessment). A single decision on a listing re-scored since, or posted without `assessed_at`, is
refused (409, in Chinese: 刷新页面后重新提交); a bulk one leaves such rows undecided and names them
(`rescored`, `unseen`: a selected key with no `seen` field), as it does rows another reviewer holds. The whole-shop action's confirmation digest covers each listing's assessment
time, so a re-score after the confirmation page asks again.

The pending queue (and the listing page) claims the rows it shows for the regulator looking
(`[web] claim_minutes`): other regulators' queues skip them and anyone else's decision on them
is refused (409, in Chinese); an admin's look claims nothing.
The listing page is also what platforms and other roles see of a listing, reduced to
what their role may see (`queries.visible_listing` answers 403 otherwise). A decision
posted by the page's script (`Accept: application/json`) gets JSON back with the next
listing in the queue; a plain form post is redirected there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from firewatch.core.clock import show_date
from firewatch.core.exceptions import AssessmentChanged, ClaimHeld
from firewatch.core.models import PLATFORMS, BulkDecided, Decision
from firewatch.core.priority import HELP as PRIORITY_HELP, PROVINCES
from firewatch.store import Store
from firewatch.store.reviews import VERDICTS
from firewatch.web import limits, queries
from firewatch.web.charts import price_history
from firewatch.web.deps import User, client_ip, current_user, get_store, require, verify_csrf
from firewatch.web.errors import wants_json
from firewatch.web.middleware import is_head
from firewatch.web.exceptions import BadRequest, Conflict
from firewatch.web.queries import QUEUE_STATES, QueueFilters
from firewatch.web.render import render
from firewatch.web.routes.analyst import search_index

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
SHOWN_RESCORED = 20  # rows re-scored since the page that the queue names after a bulk decision (all are counted)
NONE_SEEN = "none"  # `assessed_at` / a `seen` time of a decision taken while no assessment was shown
UNSEEN = "提交时未带页面显示的评估时间，未作结论，请刷新页面后重新提交"


def filters_from(platform: str = "", category: str = "", reason: str = "", shop: str = "", since: str = "",
                 until: str = "", state: str = "pending", region: str = "", price_min: str = "", price_max: str = "",
                 flagged_since: str = "", flagged_until: str = "") -> QueueFilters:
    return QueueFilters(platform, category, reason, shop, since, until, state, region, price_min, price_max,
                        flagged_since, flagged_until).validate()


def _claimant(user: User) -> str | None:
    """Who the queue claims rows for: regulators triage; an admin looking at the queue claims nothing
    and sees every row (a decision of theirs on a row a regulator holds is still refused)."""
    return user.name if user.role == "regulator" else None


def _filter_params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in QueueFilters.__dataclass_fields__}


@router.get("/queue")
def review_queue(request: Request, after: str = "", before: str = "", filters: QueueFilters = Depends(filters_from),
                 store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> Response:
    config = request.app.state.config
    # HEAD claims nothing (it only asks whether the page is there)
    page = queries.queue_page(store, filters, after=after, before=before, size=config.page_size,
                              reviewer=_claimant(user), claim_minutes=0 if is_head(request) else config.claim_minutes)
    last = store.reviews.last_decision_by(user.name)
    done, held = request.query_params.get("done", ""), request.query_params.get("held", "")
    rescored, again = request.query_params.get("rescored", ""), _shown_keys(request.query_params.getlist("again"))
    unseen, resend = request.query_params.get("unseen", ""), _shown_keys(request.query_params.getlist("resend"))
    known = store.listings.get_listings(again + resend) if again or resend else {}
    again = [k for k in again if k in known]  # named from the store, never from the address alone
    resend = [k for k in resend if k in known]
    message = ""
    if done.isdigit():
        message = f"已批量处理 {int(done)} 条。"
        if held.isdigit() and int(held):
            message += f"另有 {int(held)} 条正由其他审核员处理，未作结论。"
        if rescored.isdigit() and int(rescored):
            message += f"另有 {int(rescored)} 条在页面显示后已重新评估（违规理由可能已变化），未作结论，请查看最新评估后再处理"
            message += "：" if again else "。"
    unseen_message = f"另有 {int(unseen)} 条{UNSEEN}" + ("：" if resend else "。") \
        if done.isdigit() and unseen.isdigit() and int(unseen) else ""
    return render(request, "queue.html", request_done=message, rescored_keys=again if done.isdigit() else [],
                  unseen_message=unseen_message, unseen_keys=resend if unseen_message else [],
                  rows=page.rows, total=page.total, capped=page.capped, page=page,
                  filters=filters, params=filters.as_params(), states=QUEUE_STATES, platforms=sorted(PLATFORMS),
                  regions=PROVINCES, priority_help=PRIORITY_HELP, claim_minutes=config.claim_minutes,
                  last=last, bulk_cap=queries.BULK_CAP, undo_minutes=config.undo_window,
                  seller_marks=store.sellers.sellers_of([r.listing.key for r in page.rows]),
                  repeat=config.sellers.repeat_confirmed)


def _verdict(verdict: str, allowed=VERDICTS) -> str:
    if verdict not in allowed:
        names = "、".join(allowed)
        raise BadRequest(f"未知的处理结果「{verdict[:20]}」：应为 {names}")
    return verdict


def _note(note: str) -> str:
    """A decision's note as stored: stripped, at most limits.NOTE characters (forms and API refuse longer)."""
    return note.strip()[:limits.NOTE]


def _seen(assessed_at: str) -> datetime | None:
    """The assessment time a decision form carried (the assessment the reviewer saw), None when the reviewer saw
    none ("" or NONE_SEEN); 400 (in Chinese) when it is not a time with its zone."""
    if not assessed_at or assessed_at == NONE_SEEN:
        return None
    try:
        seen = datetime.fromisoformat(assessed_at)
    except ValueError:
        raise BadRequest("无效的评估时间") from None
    if seen.tzinfo is None:
        raise BadRequest("无效的评估时间：缺少时区")
    return seen


def record(store: Store, user: User, key: tuple[str, str], verdict: str, note: str, ip: str,
           assessed_at: str | None) -> int:
    """Record a decision and audit it; the one path both pages and API use. `assessed_at`: the assessment the
    reviewer saw (NONE_SEEN: none); a re-score since then, or no `assessed_at` at all, refuses the decision
    (409, in Chinese), like a claim another reviewer holds."""
    _verdict(verdict)
    queries.visible_listing(user, store, key)
    note = _note(note)
    if not assessed_at:
        raise Conflict(f"{UNSEEN}（未带 assessed_at；接口调用请先读取商品详情，提交其评估时间，未见评估时填 {NONE_SEEN}）")
    seen = _seen(assessed_at)
    try:
        decision_id = store.reviews.record_decision(Decision(key[0], key[1], user.name, verdict, note),
                                                    seen_assessed_at=seen)
    except (ClaimHeld, AssessmentChanged) as exc:
        raise Conflict(str(exc)) from None
    store.users.audit(user.name, "decision", f"{key[0]}:{key[1]}", {"verdict": verdict, "note": note,
                                                               "decision_id": decision_id}, ip)
    return decision_id


def record_many(store: Store, user: User, keys: list[tuple[str, str]], verdict: str, note: str, ip: str,
                how: str, seen: dict[tuple[str, str], datetime | None] | None = None) -> BulkDecided:
    """Decide many listings at once (one transaction) and audit each; `seen`: the assessment time each row
    showed (rows re-scored since, and rows other reviewers hold, are left undecided and named)."""
    note = _note(note)
    done = store.reviews.record_decisions([Decision(k[0], k[1], user.name, verdict, note) for k in keys], seen=seen)
    for key, decision_id in zip(done.decided, done.ids):
        store.users.audit(user.name, "decision", f"{key[0]}:{key[1]}",
                          {"verdict": verdict, "note": note, "decision_id": decision_id, "bulk": how}, ip)
    return done


def _named(keys: list[tuple[str, str]]) -> list[str]:
    return [f"{k[0]}:{k[1]}" for k in keys]


def _after_bulk(request: Request, params: dict[str, str], verdict: str, done: BulkDecided,
                unseen: list[tuple[str, str]] = ()) -> Response:
    """The answer to a bulk decision: JSON naming the rows left undecided (`unseen`: posted without the
    assessment time the page showed, with what to do in Chinese), or back to the queue, which counts them and
    names (links) at most SHOWN_RESCORED of those re-scored since the page showed them and of the unseen."""
    if wants_json(request):
        body = {"ok": True, "verdict": verdict, "decided": len(done.ids), "held": _named(done.held),
                "rescored": _named(done.rescored), "unseen": _named(unseen)}
        if unseen:
            body["unseen_note"] = f"{len(unseen)} 条{UNSEEN}：{'、'.join(_named(unseen[:SHOWN_RESCORED]))}"
        return JSONResponse(body)
    query = [*params.items(), ("done", str(len(done.ids))), ("held", str(len(done.held))),
             ("rescored", str(len(done.rescored))), *(("again", k) for k in _named(done.rescored[:SHOWN_RESCORED])),
             ("unseen", str(len(unseen))), *(("resend", k) for k in _named(list(unseen)[:SHOWN_RESCORED]))]
    return RedirectResponse("/queue?" + urlencode(query), status_code=303)


def _key(value: str) -> tuple[str, str] | None:
    """"platform:listing_id" as a key, None when it is not one."""
    platform, _, listing_id = value.partition(":")
    return (platform, listing_id) if platform in PLATFORMS and listing_id and len(value) <= 200 else None


def _keys(values: list[str]) -> list[tuple[str, str]]:
    keys = []
    for value in values:
        key = _key(value)
        if key is None:
            raise BadRequest(f"无效的商品编号「{value[:60]}」")
        if key not in keys:
            keys.append(key)
    return keys


def _seen_rows(values: list[str]) -> dict[tuple[str, str], datetime | None]:
    """The bulk form's `seen` fields ("platform:listing_id|assessment time", the time empty when the row showed
    no assessment) as {key: time or None}; 400 (in Chinese) for a malformed one."""
    seen: dict[tuple[str, str], datetime | None] = {}
    for value in values:
        shown, _, when = value.rpartition("|")
        key = _key(shown)
        if key is None:
            raise BadRequest(f"无效的商品编号「{value[:60]}」")
        seen[key] = _seen(when)
    return seen


def _shown_keys(values: list[str]) -> list[tuple[str, str]]:
    """The keys a queue address names as re-scored (`again`), at most SHOWN_RESCORED; others ignored."""
    return [key for key in map(_key, values[:SHOWN_RESCORED]) if key is not None]


@router.post("/queue/bulk")
def bulk_decide(request: Request, verdict: Annotated[limits.Field, Form()], key: Annotated[list[limits.Field], Form()] = [],
                seen: Annotated[list[limits.Field], Form()] = [], note: Annotated[limits.Note, Form()] = "",
                store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> Response:
    """Confirm or dismiss the selected rows with one note; `seen` (a field a row of the page): the assessment each
    row showed, rows re-scored since are left undecided; a selected row it does not name is left undecided
    too (`unseen`: decided on no known assessment), the rest decided."""
    _verdict(verdict, ("confirm", "dismiss"))
    shown = _seen_rows(seen)
    keys = _keys(key)
    if not keys:
        raise BadRequest("请先勾选要处理的商品")
    if len(keys) > 1000:
        raise BadRequest("一次最多处理 1000 条，请分批操作")
    if len(store.listings.get_listings(keys)) != len(keys):
        raise BadRequest("所选商品中有不存在的商品，未作任何处理")
    unseen = [k for k in keys if k not in shown]
    seen_keys = [k for k in keys if k in shown]
    done = record_many(store, user, seen_keys, verdict, note, client_ip(request), "selected", shown) if seen_keys \
        else BulkDecided()
    return _after_bulk(request, _filter_params(request), verdict, done, unseen)


@router.post("/queue/shop")
def shop_decide(request: Request, verdict: Annotated[limits.Field, Form()], note: Annotated[limits.Note, Form()] = "",
                expected: Annotated[limits.Field, Form()] = "", filters: QueueFilters = Depends(filters_from),
                store: Store = Depends(get_store), user: User = Depends(require("regulator"))) -> Response:
    """Every pending row of one shop, named exactly: a platform and the shop's id or its whole
    name (the queue's shop filter, with the other filters). First a page naming the shops and the
    count to confirm, then, posted again with the digest of exactly those listings and their assessments'
    times, the decisions (a different set since, or one re-scored, and the page is shown again; one
    re-scored while deciding is left undecided and named)."""
    _verdict(verdict, ("confirm", "dismiss"))
    if not filters.shop.strip() or not filters.platform:
        raise BadRequest("请先选择平台并按店铺筛选（店铺编号或完整店铺名），再对该店铺的全部商品操作")
    if filters.state != "pending":
        raise BadRequest("只能对待审商品批量处理")
    exact = replace(filters, shop_exact=True)
    keys = queries.matching_keys(store, exact, user.name)  # rows others hold are left out
    if len(keys) > queries.BULK_CAP:
        raise BadRequest(f"该店铺超过 {queries.BULK_CAP} 条待审商品，请增加筛选条件（如日期）后分批处理")
    params = filters.as_params()
    shown: dict[tuple[str, str], datetime | None] = dict.fromkeys(keys)
    shown.update((k, a.assessed_at) for k, a in store.assessments.get_assessments(keys).items())
    digest = queries.keys_digest(keys, shown)
    if expected != digest:  # not confirmed yet, or the set changed since: show the shops and count and ask
        return render(request, "queue_confirm.html", count=len(keys), verdict=verdict, note=_note(note),
                      filters=filters, params=params, changed=bool(expected), digest=digest,
                      shops=queries.shops_of(store, keys), sample=store.listings.get_listings(keys[:10]),
                      keys=keys[:10])
    done = record_many(store, user, keys, verdict, note, client_ip(request), "shop", shown)
    return _after_bulk(request, params, verdict, done)


@router.post("/decisions/undo")
def undo(request: Request, decision_id: Annotated[limits.Field, Form()] = "", store: Store = Depends(get_store),
         user: User = Depends(require("regulator"))) -> Response:
    """Undo the reviewer's last decision (the one named, when given); audited."""
    wanted = None
    if decision_id:
        if not decision_id.isdigit() or len(decision_id) > 18:
            raise BadRequest("无效的结论编号")
        wanted = int(decision_id)
    try:
        done = store.reviews.undo_batch(user.name, wanted, request.app.state.config.undo_window)
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    for undone_id, undone, now in done:  # a bulk action is undone whole: one audit entry per listing
        key = (undone.platform, undone.listing_id)
        store.users.audit(user.name, "decision_undo", f"{key[0]}:{key[1]}",
                          {"decision_id": undone_id, "verdict": undone.verdict, "note": undone.note,
                           "at": undone.at.isoformat(), "now": now.verdict if now else "pending",
                           "batch_size": len(done)}, client_ip(request))
    undone_id, undone, now = done[0]
    key = (undone.platform, undone.listing_id)
    if wants_json(request):
        return JSONResponse({"ok": True, "undone": undone_id, "key": f"{key[0]}:{key[1]}",
                             "state": now.verdict if now else "pending", "count": len(done)})
    params = _filter_params(request)
    return RedirectResponse("/queue" + (("?" + urlencode(params)) if params else ""), status_code=303)


@router.get("/listings/{platform}/{listing_id}")
def listing_page(request: Request, platform: str, listing_id: str, store: Store = Depends(get_store),
                 user: User = Depends(current_user)) -> Response:
    key = (platform, listing_id)
    view = queries.listing_view(store, user, key, similar=False)  # similar listings: loaded afterwards
    prev_key = next_key = None
    filters = QueueFilters()
    if user.role in ("regulator", "admin"):
        filters = filters_from(**_filter_params(request))
        prev_key, next_key = queries.neighbours(store, filters, key, reviewer=_claimant(user))
        spot = store.reviews.queue_position(key) if user.role == "regulator" and not is_head(request) else None
        if spot is not None and spot.state == "pending" and store.reviews.claim_holder(key, user.name) is None:
            store.reviews.claim([key], user.name, request.app.state.config.claim_minutes)  # working on it (admins look)
    chart = price_history([(show_date(s.observed_at), s.price) for s in view.snapshots])
    cases = store.reviews.cases() if user.role in ("investigator", "admin") else []
    seller = linked = None
    if user.internal:  # who is behind the shop (issue 16): internal roles only
        seller = store.sellers.sellers_of([key]).get(key)
        linked = store.sellers.linked_review(key)
    return render(request, "listing.html", v=view, chart=chart, prev_key=prev_key, next_key=next_key,
                  params=filters.as_params(), cases=cases, similar_later=True,
                  can_decide=user.role in ("regulator", "admin"), seller=seller, linked=linked,
                  repeat=request.app.state.config.sellers.repeat_confirmed)


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
           note: Annotated[limits.Note, Form()] = "", back: Annotated[limits.Field, Form()] = "",
           assessed_at: Annotated[limits.Field, Form()] = "", store: Store = Depends(get_store),
           user: User = Depends(require("regulator"))) -> Response:
    key = (platform, listing_id)
    params = _filter_params(request)
    filters = filters_from(**params)
    _, next_key = queries.neighbours(store, filters, key, reviewer=_claimant(user))  # keyset: the row after this one's place
    decision_id = record(store, user, key, verdict, note, client_ip(request), assessed_at)
    suffix = ("?" + urlencode(params)) if params else ""
    next_url = f"/listings/{next_key[0]}/{next_key[1]}{suffix}" if next_key else f"/queue{suffix}"
    if wants_json(request):
        return JSONResponse({"ok": True, "decision_id": decision_id, "verdict": verdict, "next": next_url,
                             "undo": "/decisions/undo"})
    target = f"/queue{suffix}" if back == "queue" else next_url
    return RedirectResponse(target, status_code=303)
