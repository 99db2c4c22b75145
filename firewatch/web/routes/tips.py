"""The public tips channel (举报线索): the tip form and receipt pages (no login), the same as a
JSON API, the admins' list of tips and the tip photos reviewers see.

Public routes: `GET/POST /tip`, `GET /tip/{receipt}`, `GET /api/tips/challenge`,
`POST /api/tips` (JSON or multipart), `GET /api/tips/{receipt}`. They never read the session
cookie: a tip is nobody's act, so a forged cross-site post gains nothing a stranger could
not do directly (each post also costs a fresh proof of work, and the session cookie is
SameSite=Lax, so a cross-site post does not carry it anyway). The body is read with a cap
before it is parsed (413 beyond it); the checks and their answers are the service's
(`firewatch.services.tips`, statuses in `firewatch.web.errors.TIP_STATUS`). The receipt
pages show the status, the time and whether the URL was on a watched platform: nothing of
the text, the contact or other tips. `GET /tips/admin` (admins) lists every tip with its
contact and the campaign's counts; an admin links a shop-only tip to a listing there.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from firewatch.core.clock import iso
from firewatch.core.exceptions import TipRefused
from firewatch.core.labels import TIP_STATUS_NAMES
from firewatch.services.tips import TipForm, TipsChannel, normal_receipt, size_text, tip_counts, tip_status
from firewatch.store import Store, TipRecord
from firewatch.web.deps import User, client_ip, get_store, require, verify_csrf
from firewatch.web.errors import tip_error
from firewatch.web.exceptions import NotFound
from firewatch.web.render import render

public = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/tips", tags=["tips"])
staff = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
routers = (public, api, staff)


def channel(request: Request) -> TipsChannel:
    return request.app.state.tips


class PhotoIn(BaseModel):
    name: str = Field("", max_length=200, description="文件名（仅作提示，类型按内容判断）")
    base64: str = Field(description="照片内容（Base64）")


class TipIn(BaseModel):
    url: str = Field("", description="商品链接（与店铺名称至少填一项）")
    shop_name: str = Field("", description="店铺名称")
    text: str = Field(description="商品存在什么问题")
    contact: str = Field("", description="联系方式（可选，仅管理员可见）")
    photos: list[PhotoIn] = Field(default_factory=list, description="照片（JPEG、PNG 或 WebP）")
    challenge: str = Field(description="GET /api/tips/challenge 给出的防刷验证")
    nonce: str = Field(description="使 SHA-256(challenge + ':' + nonce) 以 bits 个 0 位开头的字符串")


async def _capped_body(request: Request, limit: int) -> None:
    """Read the body, refusing it (413) as soon as it passes `limit` bytes. Starlette's form
    parser then reads the kept body (`request._body`) instead of the stream."""
    too_large = TipRefused("提交的内容过大：请减少或压缩照片后重新提交", "too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    request._body = b"".join(chunks)


async def _multipart(request: Request, tips: TipsChannel) -> TipForm:
    await _capped_body(request, tips.policy.max_request_bytes)
    form = await request.form(max_files=tips.policy.max_photos + 10, max_fields=20)
    photos = []
    for item in form.getlist("photos"):
        if hasattr(item, "read"):
            data = await item.read()
            if data:
                photos.append((item.filename or "", data))
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    return TipForm(url=text.get("url", ""), shop_name=text.get("shop_name", ""), text=text.get("text", ""),
                   contact=text.get("contact", ""), photos=photos, challenge=text.get("challenge", ""),
                   nonce=text.get("nonce", ""))


def _status(store: Store, tip: TipRecord) -> dict[str, Any]:
    """What anyone holding the receipt may know: no text, no contact, nothing of other tips."""
    status = tip_status(store, tip)
    return {"receipt": tip.receipt, "status": status, "status_name": TIP_STATUS_NAMES[status],
            "created_at": iso(tip.created_at), "on_platform": tip.on_platform, "photos": len(tip.photos),
            "status_url": f"/tip/{tip.receipt}"}


def _tip(store: Store, receipt: str) -> TipRecord:
    code = normal_receipt(receipt)
    tip = store.tips.get_tip(code) if code else None
    if tip is None:
        raise NotFound("没有这个回执编号的举报：请核对回执编号（16 位字母和数字）")
    return tip


def _form_page(request: Request, form: TipForm | None = None, error: str = "", status: int = 200) -> Response:
    policy = channel(request).policy
    return render(request, "tip.html", status_code=status, form=form or TipForm(), error=error, policy=policy,
                  photo_limit=size_text(policy.max_photo_bytes), user=None, csrf="")


# -- the public pages ----------------------------------------------------------------------
@public.get("/tip")
def tip_form(request: Request) -> Response:
    return _form_page(request)


@public.post("/tip")
async def tip_post(request: Request, store: Store = Depends(get_store)) -> Response:
    tips = channel(request)
    form = None
    try:
        form = await _multipart(request, tips)
        tip = await run_in_threadpool(tips.submit, store, form, client_ip(request))
    except TipRefused as exc:
        error = tip_error(exc)
        response = _form_page(request, form, error.message, error.status)
        response.headers.update(error.headers)
        return response
    return RedirectResponse(f"/tip/{tip.receipt}?new=1", status_code=303)


@public.get("/tip/status")
def tip_lookup(receipt: str = "") -> Response:
    code = normal_receipt(receipt)
    return RedirectResponse(f"/tip/{code}" if code else "/tip?lookup=bad#lookup", status_code=303)


@public.get("/tip/{receipt}")
def tip_page(request: Request, receipt: str, new: int = 0, store: Store = Depends(get_store)) -> Response:
    tip = _tip(store, receipt)
    return render(request, "tip_status.html", s=_status(store, tip), tip_time=tip.created_at, new=bool(new),
                  user=None, csrf="")


# -- the JSON API ------------------------------------------------------------------------------
@api.get("/challenge", summary="防刷验证（工作量证明）")
def api_challenge(request: Request) -> dict[str, Any]:
    """A signed challenge: find `nonce` with SHA-256(challenge + ":" + nonce) starting with `bits`
    zero bits, then post it with the tip (each challenge is accepted once, until `expires_at`)."""
    return channel(request).challenge()


@api.post("", summary="提交举报线索（无需登录）", status_code=201)
async def api_submit(request: Request, store: Store = Depends(get_store)) -> JSONResponse:
    tips = channel(request)
    if "multipart/form-data" in request.headers.get("content-type", ""):
        form = await _multipart(request, tips)
    else:
        await _capped_body(request, tips.policy.max_request_bytes * 4 // 3 + 4096)  # Base64 adds a third
        try:
            body = TipIn.model_validate_json(request._body or b"{}")
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
            raise TipRefused(f"请求内容不是有效的举报 JSON（{fields}）：字段见 /docs") from None
        try:
            photos = [(p.name, base64.b64decode(p.base64, validate=True)) for p in body.photos]
        except (binascii.Error, ValueError):
            raise TipRefused("照片内容不是有效的 Base64：请重新编码后提交") from None
        form = TipForm(url=body.url, shop_name=body.shop_name, text=body.text, contact=body.contact,
                       photos=photos, challenge=body.challenge, nonce=body.nonce)
    tip = await run_in_threadpool(tips.submit, store, form, client_ip(request))
    return JSONResponse(_status(store, tip), status_code=201)


@api.get("/{receipt}", summary="举报处理状态（凭回执编号）")
def api_status(receipt: str, store: Store = Depends(get_store)) -> dict[str, Any]:
    return _status(store, _tip(store, receipt))


# -- staff: admins' list, photos -------------------------------------------------------------
ADMIN_TIPS = 500


@staff.get("/tips/admin")
def tips_admin(request: Request, store: Store = Depends(get_store), user: User = Depends(require("admin"))) -> Response:
    tips = store.tips.tips(limit=ADMIN_TIPS)  # the newest; each tip's status costs a look-up
    statuses = {t.receipt: tip_status(store, t) for t in tips}
    return render(request, "tips_admin.html", tips=tips, statuses=statuses, counts=tip_counts(tips, statuses),
                  names=TIP_STATUS_NAMES, limit=ADMIN_TIPS)


@staff.post("/tips/admin/{receipt}/link")
def tips_link(request: Request, receipt: str, url: str = Form(""), store: Store = Depends(get_store),
              user: User = Depends(require("admin"))) -> Response:
    tip = _tip(store, receipt)
    key = channel(request).link(store, tip.receipt, url, user.name)
    store.users.audit(user.name, "tip_link", f"tip:{tip.receipt}", {"listing": f"{key[0]}:{key[1]}"}, client_ip(request))
    return RedirectResponse("/tips/admin", status_code=303)


@staff.get("/tips/photos/{receipt}/{number}")
def tip_photo(request: Request, receipt: str, number: int, store: Store = Depends(get_store),
              user: User = Depends(require("regulator", "investigator", "analyst"))) -> FileResponse:
    tip = _tip(store, receipt)
    if not 1 <= number <= len(tip.photos):
        raise NotFound("没有这张照片")
    photo = tip.photos[number - 1]
    try:
        path = channel(request).photo_path(tip, photo)
    except FileNotFoundError:
        raise NotFound("没有这张照片") from None
    if not path.is_file():
        raise NotFound("照片文件缺失")
    return FileResponse(path, media_type=photo["media_type"], headers={"Cache-Control": "private, no-store"})
