"""The seller page (issue 16), for internal roles: every shop of one seller on every platform, the
links between them (each with the key that made it, so a reviewer can judge it), the count of
confirmed violations and the suggested track (`services.sellers.suggested_track`, thresholds in
`[sellers]`), and one timeline of the seller's listings, flags, decisions, notices, removals,
relisting alerts, assistance replies and linked queueing, newest first, 50 at a time (keyset:
`before` = the last row's time and sort id). A merged seller id redirects to the seller it joined.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from firewatch.core.clock import parse_iso
from firewatch.core.settings import SellersSettings
from firewatch.services.sellers import suggested_track
from firewatch.store import Store
from firewatch.web.deps import DbId, User, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, NotFound
from firewatch.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGE = 50
KINDS = {"seen": "首次发现", "flagged": "系统标记", "decision": "审核结论", "notice": "列入通知书", "removed": "已下架",
         "assist": "协查回复", "linked": "关联入队", "relisting": "疑似重新上架"}
KEY_NAMES = {"credit_code": "统一社会信用代码", "operator": "经营者名称", "phone": "手机号", "wechat": "微信号",
             "qq": "QQ号", "address": "地址", "shop_name": "店铺名称", "image": "图片指纹"}


class _Settings:
    """What the track needs of the settings (the web config carries the sellers section)."""

    def __init__(self, sellers: SellersSettings):
        self.sellers = sellers


def key_name(kind: str) -> str:
    return "＋".join(KEY_NAMES.get(k, k) for k in kind.split("+"))


@router.get("/sellers/{seller_id}")
def seller_page(request: Request, seller_id: DbId, before: str = "", store: Store = Depends(get_store),
                user: User = Depends(require("regulator", "investigator", "analyst"))) -> Response:
    current = store.sellers.resolve_id(seller_id)
    if current is None:
        raise NotFound("没有这个经营者")
    if current != seller_id:
        return RedirectResponse(f"/sellers/{current}", status_code=307)
    at = None
    if before:
        stamp, _, sid = before.partition("|")
        try:
            parse_iso(stamp)
        except ValueError:
            raise BadRequest(f"翻页位置「{before[:40]}」无效") from None
        at = (stamp, sid)
    rows = store.sellers.timeline(seller_id, before=at, limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    for r in rows:
        r["when"] = parse_iso(r["at"])
        r["label"] = KINDS.get(r["kind"], r["kind"])
        if r["kind"] == "flagged":
            try:
                codes = sorted({x.get("code", "") for x in json.loads(r["detail"] or "[]")})
            except (ValueError, AttributeError):
                codes = []
            r["detail"] = " ".join(codes)
            if "watchlist_seller" in codes:
                r["label"] = "系统标记（抽检不合格名单命中）"
    confirmed = store.sellers.confirmed_count(seller_id)
    sellers_settings = request.app.state.config.sellers
    track = suggested_track(confirmed, store.sellers.confirmed_reason_codes(seller_id), _Settings(sellers_settings))
    links = store.sellers.links(seller_id)
    for k in links:
        k["kind_name"] = key_name(k["kind"])
    return render(request, "seller.html", seller_id=seller_id, shops=store.sellers.shops(seller_id), links=links,
                  rows=rows, confirmed=confirmed, track=track, repeat=sellers_settings.repeat_confirmed,
                  next_before=f"{rows[-1]['at']}|{rows[-1]['sid']}" if more and rows else "")
