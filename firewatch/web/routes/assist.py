"""Enforcement-assistance requests from the web app: create a 协查函 for a listing, download its documents.

`POST /listings/{platform}/{listing_id}/assist` (regulator, investigator, admin) and
`POST /cases/{id}/assist` (a case's listings of one platform; investigator, admin) have the config's
`assist_requester` (`firewatch.services.assistance.request_assistance`) write the letter (PDF) and
the reply template (XLSX), audit it and go to the (first) listing's page, which lists the request
(`templates/_assist.html`). `GET /assist/{id}/letter.pdf` and `/assist/{id}/reply.xlsx` serve a
request's documents only when their recorded path, relative to the data folder, resolves inside
the exports folder; both download under a sandboxing CSP and are audited. `POST /assist/import`
takes a filled reply (multipart upload), keeps it under `<exports>/assist/replies/<SHA-256>/` and
imports it whole (`firewatch.services.assistance.import_reply`) or answers 400 naming each bad row.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from alerts.exceptions import AssistError
from firewatch.core.exceptions import ImportFileError
from firewatch.core.files import atomic_write
from firewatch.services.assistance import import_reply
from firewatch.store import Store
from firewatch.web import queries
from firewatch.web.deps import DbId, User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
officer = require("regulator", "investigator")
MAX_REPLY_BYTES = 20 << 20
DOCUMENTS = {"letter.pdf": ("pdf_path", "application/pdf"),
             "reply.xlsx": ("xlsx_path", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def _days(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 90:
        raise BadRequest("回复期限应为 1–90 之间的天数")
    return int(text)


def _issue(request: Request, store: Store, user: User, platform: str, keys: list[tuple[str, str]], days: int | None,
           subject: str) -> Response:
    config = request.app.state.config
    if config.assist_requester is None:
        raise BadRequest("此服务未配置执法协查函生成")
    made = config.assist_requester(store, platform, [f"{p}:{lid}" for p, lid in keys], created_by=user.name,
                                   deadline_days=days)
    store.users.audit(user.name, "assist_request", subject,
                      {"request_id": made.id, "number": made.number, "listings": len(keys),
                       "sha256": made.document_sha256}, client_ip(request))
    return RedirectResponse(f"/listings/{keys[0][0]}/{keys[0][1]}#assist", status_code=303)


@router.post("/listings/{platform}/{listing_id}/assist")
def create_assist_request(request: Request, platform: str, listing_id: str, deadline_days: str = Form(""),
                          store: Store = Depends(get_store), user: User = Depends(officer)) -> Response:
    key = (platform, listing_id)
    queries.visible_listing(user, store, key)
    return _issue(request, store, user, platform, [key], _days(deadline_days), f"{platform}:{listing_id}")


@router.post("/cases/{case_id}/assist")
def create_case_assist_request(request: Request, case_id: DbId, platform: str = Form(...), deadline_days: str = Form(""),
                               store: Store = Depends(get_store), user: User = Depends(require("investigator"))) -> Response:
    if store.reviews.get_case(case_id) is None:
        raise NotFound(f"没有案件 {case_id}")
    keys = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id) if i["platform"] == platform]
    if not keys:
        raise BadRequest(f"案件中没有 {platform} 平台的商品")
    return _issue(request, store, user, platform, keys, _days(deadline_days), f"case:{case_id}")


@router.get("/assist/{request_id}/{name}")
def assist_document(request: Request, request_id: DbId, name: str, store: Store = Depends(get_store),
                    user: User = Depends(officer)) -> Response:
    if name not in DOCUMENTS:
        raise NotFound("没有此文件")
    made = store.assist.get_request(request_id)
    if made is None:
        raise NotFound(f"没有协查函 {request_id}")
    attr, media_type = DOCUMENTS[name]
    relative = getattr(made, attr)
    if not relative:
        raise NotFound("此协查函的文件尚未生成")
    config = request.app.state.config
    exports = Path(config.export_dir).resolve()
    path = (Path(config.data_root) / relative).resolve()
    if not path.is_relative_to(exports):
        raise Forbidden("文件不在导出目录内")
    if not path.is_file():
        raise NotFound("文件已不在磁盘上")
    store.users.audit(user.name, "assist_download", f"assist:{request_id}", {"file": path.name}, client_ip(request))
    return FileResponse(path, media_type=media_type, filename=path.name,
                        headers={"Content-Security-Policy": "sandbox; default-src 'none'"})


@router.post("/assist/import")
def import_assist_reply(request: Request, reply: UploadFile = File(...), back: str = Form(""),
                        store: Store = Depends(get_store), user: User = Depends(officer)) -> Response:
    data = reply.file.read(MAX_REPLY_BYTES + 1)
    if not data:
        raise BadRequest("上传的文件为空")
    if len(data) > MAX_REPLY_BYTES:
        raise BadRequest("回复文件超过 20 MB")
    digest = hashlib.sha256(data).hexdigest()
    name = re.sub(r"[^\w.\-]", "_", Path(reply.filename or "reply").name)[:120].lstrip(".") or "reply"
    if not name.lower().endswith((".xlsx", ".csv", ".tsv", ".txt")):
        raise BadRequest("回复文件应为 XLSX 或 CSV")
    path = Path(request.app.state.config.export_dir) / "assist" / "replies" / digest / name
    atomic_write(path, data)
    try:
        result = import_reply(store, path, imported_by=user.name)
    except (AssistError, ImportFileError) as exc:
        raise BadRequest(f"未导入任何数据：{exc}") from exc
    store.users.audit(user.name, "assist_import", f"file:{digest[:16]}",
                      {"file": name, "sha256": digest, "rows": result.stored, "already": result.already,
                       "listings": len(result.listings)}, client_ip(request))
    target = back if re.fullmatch(r"/listings/[\w.\-]+/[\w.\-]+", back) else (
        f"/listings/{result.listings[0][0]}/{result.listings[0][1]}" if result.listings else "/")
    return RedirectResponse(f"{target}#assist", status_code=303)
