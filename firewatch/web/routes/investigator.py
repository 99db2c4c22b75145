"""Investigator pages: cases gathering listings, evidence-pack export and the custody log.

A case is a named set of listings. Exporting writes a signed evidence pack of its captured listings
(the config's `pack_exporter`: `firewatch.services.evidence.export_evidence_pack`) into `<export
dir>/cases/<id>/` in a background thread of the server: the form answers at once, the case page polls
the export's status (`store.packs`: progress, then done or failed) and then offers the download; an
export of the same inputs (the case's listings, captures, assessments, decisions and sources as they
are) reuses the finished pack or the running export instead of making another. A server stopped
mid-export leaves the export 'running' with a dead worker: it is shown, and recorded, as interrupted,
and no file is offered (the pack is written under a temporary name and renamed when whole). The
case page lists earlier packs with download links and the custody log of the latest, entry by entry.
The API's older export (`export_pack`) runs in the request and answers with the ZIP itself.
At most `pack_exports_at_once` exports (a setting, default 2) pack at once in one server process;
the others wait, shown with the stage 排队中, and start as a slot frees.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from firewatch.core.clock import iso
from firewatch.core.datapaths import resolve_path, stored_path
from firewatch.core.files import sha256_file
from firewatch.core.models import to_jsonable, utcnow
from firewatch.services.penalties import case_subjects
from firewatch.store import Store, open_store
from firewatch.web.deps import MAX_ID, DbId, User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, NotFound
from firewatch.web.limits import Field, Note, Title
from firewatch.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
investigator = require("investigator")
log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"  # this server process, as recorded on its exports
_RUNNING: set[int] = set()  # the exports this process is running now
_RUNNING_LOCK = threading.Lock()
STALE = timedelta(minutes=15)  # a running export elsewhere that reported nothing for this long is dead
INTERRUPTED = "导出中断：服务在导出过程中停止，未生成证据包，请重新导出"
QUEUED = "排队中"  # the stage of an export waiting for a free slot (config.pack_exports_at_once)
_SLOTS = threading.Condition()  # guards _ACTIVE: the exports of this process packing now
_ACTIVE = 0


def _try_slot(limit: int) -> bool:
    global _ACTIVE
    with _SLOTS:
        if _ACTIVE < limit:
            _ACTIVE += 1
            return True
        return False


def _wait_slot(limit: int) -> None:
    global _ACTIVE
    with _SLOTS:
        _SLOTS.wait_for(lambda: _ACTIVE < limit)
        _ACTIVE += 1


def _free_slot() -> None:
    global _ACTIVE
    with _SLOTS:
        _ACTIVE -= 1
        _SLOTS.notify_all()


def parse_key(text: str) -> tuple[str, str]:
    platform, _, listing_id = text.strip().partition(":")
    if not platform or not listing_id:
        raise BadRequest("商品应写作 平台:商品ID，例如 jd:100012")
    return platform, listing_id


def get_case(store: Store, case_id: int) -> dict:
    case = store.reviews.get_case(case_id)
    if case is None:
        raise NotFound(f"没有案件 {case_id}")
    return case


def add_to_case(store: Store, user: User, case_id: int, key: tuple[str, str], ip: str) -> bool:
    get_case(store, case_id)
    try:
        added = store.reviews.add_case_item(case_id, key, user.name)
    except ValueError as exc:
        raise NotFound(f"没有商品 {key[0]}:{key[1]}") from exc
    if added:
        store.users.audit(user.name, "case_add", f"case:{case_id}", {"listing": f"{key[0]}:{key[1]}"}, ip)
    return added


def export_pack(store: Store, user: User, case_id: int, config, ip: str) -> tuple[Path, list[str]]:
    """The API's export in the request: the case's pack (an identical one reused, or made now and
    recorded like a background export); returns its path and the listings left out (no capture yet)."""
    export, _, skipped = start_export(store, user, case_id, config, ip, wait=True)
    export = store.packs.get(export.id)
    path = pack_path(export, config)
    if path is None:
        raise BadRequest(export.error or "证据包导出未完成")
    return path, skipped


def pack_custody(path: Path) -> list[dict]:
    try:
        with zipfile.ZipFile(path) as zf:
            return [json.loads(line) for line in zf.read("custody.jsonl").decode("utf-8").splitlines() if line.strip()]
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return []


def worker_alive(export) -> bool:
    """Whether the process recorded on a running export is still running it."""
    if export.worker == WORKER:
        with _RUNNING_LOCK:
            return export.id in _RUNNING
    host, _, pid = export.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    return utcnow() - export.updated_at < STALE


def pack_path(export, config) -> Path | None:
    """A finished export's ZIP in the current data folder, if it is there."""
    if export.state != "done" or not export.path:
        return None
    path = resolve_path(export.path, config.data_root)
    return path if path.is_file() else None


def settle(store: Store, exports: list) -> list:
    """The exports with those whose process died recorded as failed (interrupted)."""
    settled = []
    for e in exports:
        if e.state == "running" and not worker_alive(e):
            store.packs.fail(e.id, INTERRUPTED)
            e = store.packs.get(e.id)
        settled.append(e)
    return settled


def pack_inputs(store: Store, case: dict, keys: list[tuple[str, str]]) -> str:
    """SHA-256 of what a pack of these listings would hold: equal inputs, an identical pack."""
    parts: list[Any] = [case["title"]]
    # a few batched queries for all the listings (not six per listing)
    evidence, listings = store.evidence.latest_evidence_of(keys), store.listings.get_listings(keys)
    assessments, decisions = store.assessments.get_assessments(keys), store.reviews.decisions_of(keys)
    sources, replies = store.sources.sources_of_keys(keys), store.assist.reply_counts(keys)
    for key in keys:
        ev = evidence.get(key)
        parts.append([list(key), ev.manifest_sha256 if ev else "", to_jsonable(listings.get(key)),
                      to_jsonable(assessments.get(key)), to_jsonable(decisions.get(key, [])),
                      to_jsonable(sources.get(key, [])), replies.get(key, 0)])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _run_export(config, export_id: int, case_id: int, keys: list[tuple[str, str]], out: Path, user: User,
                label: str, ip: str) -> None:
    """The export thread: wait for a free slot (at most `config.pack_exports_at_once` pack at once,
    the others show 排队中), pack, record progress and the result (or the failure), audit."""
    try:
        with open_store(config.store, data_dir=config.data_root) as store:
            if not _try_slot(config.pack_exports_at_once):
                store.packs.progress(export_id, 0, len(keys) + 3, QUEUED)
                _wait_slot(config.pack_exports_at_once)
            try:
                config.pack_exporter(store, keys, out, operator=user.name, case=label,
                                     progress=lambda done, total, stage: store.packs.progress(export_id, done, total, stage))
                digest = sha256_file(out)
                store.packs.finish(export_id, path=stored_path(out, config.data_root), sha256=digest,
                                   size=out.stat().st_size, listings=len(keys))
                store.users.audit(user.name, "export_pack", f"case:{case_id}",
                                  {"file": out.name, "sha256": digest, "listings": len(keys), "export": export_id}, ip)
            except Exception as exc:  # noqa: BLE001 - recorded for the page; the thread must not die silently
                log.exception("evidence pack export %s of case %s failed", export_id, case_id)
                store.packs.fail(export_id, f"导出失败：{exc}")
            finally:
                _free_slot()
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(export_id)


def start_export(store: Store, user: User, case_id: int, config, ip: str, wait: bool = False):
    """Start the case's export in the background (`wait`: run it here), or reuse an identical
    finished or running one; returns (export, started, skipped listings)."""
    case = get_case(store, case_id)
    keys = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id)]
    captured = store.evidence.latest_evidence_of(keys)
    ready = [k for k in keys if k in captured]
    skipped = [f"{k[0]}:{k[1]}" for k in keys if k not in ready]
    if not ready:
        raise BadRequest("案件中没有已取证的商品，无法导出证据包")
    if config.pack_exporter is None:
        raise BadRequest("此服务未配置证据包导出")
    settle(store, [e for e in store.packs.of_case(case_id) if e.state == "running"])
    inputs = pack_inputs(store, case, ready)
    export, started = store.packs.start(
        case_id, inputs, user.name, WORKER, len(ready) + 3,
        reusable=lambda e: pack_path(e, config) is not None if e.state == "done" else worker_alive(e))
    if started:
        # named by the export's number: its time is shown beside it, in Beijing time
        out = Path(config.export_dir) / "cases" / str(case_id) / f"case-{case_id}-pack-{export.id}.zip"
        with _RUNNING_LOCK:
            _RUNNING.add(export.id)
        args = (config, export.id, case_id, ready, out, user, f"#{case_id} {case['title']}", ip)
        if wait:
            _run_export(*args)
        else:
            threading.Thread(target=_run_export, name=f"pack-export-{export.id}", daemon=True, args=args).start()
    return export, started, skipped


def export_status(export, case_id: int) -> dict[str, Any]:
    """What the case page polls: state (running / done / failed), progress, the download link."""
    return {"id": export.id, "state": export.state, "done": export.done, "total": export.total, "stage": export.stage,
            "error": export.error, "name": Path(export.path).name if export.path else "", "sha256": export.sha256,
            "size": export.size, "requested_at": iso(export.requested_at),
            "download_url": f"/cases/{case_id}/packs/{export.id}" if export.state == "done" else None}


@router.get("/cases")
def cases_page(request: Request, store: Store = Depends(get_store), user: User = Depends(investigator)) -> Response:
    return render(request, "cases.html", cases=store.reviews.cases())


@router.post("/cases")
def create_case(request: Request, title: Annotated[Title, Form()], note: Annotated[Note, Form()] = "",
                store: Store = Depends(get_store), user: User = Depends(investigator)) -> Response:
    case_id = store.reviews.create_case(title, user.name, note)  # bounded and non-blank: firewatch.web.limits
    store.users.audit(user.name, "case_create", f"case:{case_id}", {"title": title}, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: DbId, store: Store = Depends(get_store),
              user: User = Depends(investigator)) -> Response:
    case = get_case(store, case_id)
    items = []
    for item in store.reviews.case_items(case_id):
        key = (item["platform"], item["listing_id"])
        items.append({**item, "listing": store.listings.get_listing(key), "assessment": store.assessments.get_assessment(key),
                      "evidence": store.evidence.latest_evidence(key) is not None})
    config = request.app.state.config
    exports = settle(store, store.packs.of_case(case_id))
    latest = next((e for e in exports if pack_path(e, config) is not None), None)
    running = next((e for e in exports if e.state == "running"), None)
    keys = [(i["platform"], i["listing_id"]) for i in items]
    return render(request, "case.html", case=case, items=items, exports=exports,
                  penalties=store.penalties.of_case(case_id), subjects=case_subjects(store, keys),
                  pack=Path(latest.path).name if latest else "",
                  custody=pack_custody(pack_path(latest, config)) if latest else [], running=running,
                  history=store.users.audit_entries(subject=f"case:{case_id}"))


@router.post("/cases/{case_id}/items")
def case_add(request: Request, case_id: DbId, listing: Annotated[Field, Form()], store: Store = Depends(get_store),
             user: User = Depends(investigator)) -> Response:
    add_to_case(store, user, case_id, parse_key(listing), client_ip(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/add")
def case_add_from_listing(request: Request, case: Annotated[int, Form(ge=1, le=MAX_ID)], listing: Annotated[Field, Form()],
                          store: Store = Depends(get_store), user: User = Depends(investigator)) -> Response:
    add_to_case(store, user, case, parse_key(listing), client_ip(request))
    return RedirectResponse(f"/cases/{case}", status_code=303)


@router.post("/cases/{case_id}/items/remove")
def case_remove(request: Request, case_id: DbId, listing: Annotated[Field, Form()], store: Store = Depends(get_store),
                user: User = Depends(investigator)) -> Response:
    key = parse_key(listing)
    if store.reviews.remove_case_item(case_id, key):
        store.users.audit(user.name, "case_remove", f"case:{case_id}", {"listing": f"{key[0]}:{key[1]}"}, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/export")
def case_export(request: Request, case_id: DbId, store: Store = Depends(get_store),
                user: User = Depends(investigator)) -> Response:
    """Start (or reuse) the export; back to the case page, which shows its progress."""
    export, _, _ = start_export(store, user, case_id, request.app.state.config, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}?export={export.id}#packs", status_code=303)


def case_export_of(store: Store, case_id: int, export_id: int):
    get_case(store, case_id)
    export = store.packs.get(export_id)
    if export is None or export.case_id != case_id:
        raise NotFound("没有此证据包导出记录")
    return settle(store, [export])[0]


@router.get("/cases/{case_id}/packs/{export_id}/status")
def case_export_status(case_id: DbId, export_id: DbId, store: Store = Depends(get_store),
                       user: User = Depends(investigator)) -> Response:
    return JSONResponse(export_status(case_export_of(store, case_id, export_id), case_id))


@router.get("/cases/{case_id}/packs/{export_id}")
def case_pack_download(request: Request, case_id: DbId, export_id: DbId, store: Store = Depends(get_store),
                       user: User = Depends(investigator)) -> Response:
    export = case_export_of(store, case_id, export_id)
    path = pack_path(export, request.app.state.config)
    if path is None:
        raise NotFound("此证据包尚未完成或已不在磁盘上" if export.state != "done" else "证据包文件已不在磁盘上")
    store.users.audit(user.name, "download_pack", f"case:{case_id}", {"file": path.name, "sha256": export.sha256},
                      client_ip(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)
