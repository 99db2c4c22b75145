"""Investigator pages: cases gathering listings, evidence-pack export and the custody log.

A case is a named set of listings. Exporting writes a signed evidence pack of its captured listings
(the config's `pack_exporter`: `firewatch.services.evidence.export_evidence_pack`) into `<export
dir>/cases/<id>/`, audits it with the pack's SHA-256 and sends the ZIP. The case page shows the
custody log of the latest pack, entry by entry, as it is in the ZIP.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from firewatch.core.models import utcnow
from firewatch.store import Store
from firewatch.web.deps import MAX_ID, DbId, User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, NotFound
from firewatch.web.limits import Field, Note, Title
from firewatch.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
investigator = require("investigator")


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
    """Write the case's signed pack; returns its path and the listings left out (no capture yet)."""
    case = get_case(store, case_id)
    keys = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id)]
    ready = [k for k in keys if store.evidence.latest_evidence(k) is not None]
    skipped = [f"{k[0]}:{k[1]}" for k in keys if k not in ready]
    if not ready:
        raise BadRequest("案件中没有已取证的商品，无法导出证据包")
    if config.pack_exporter is None:
        raise BadRequest("此服务未配置证据包导出")
    path = Path(config.export_dir) / "cases" / str(case_id) / f"case-{case_id}-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.zip"
    config.pack_exporter(store, ready, path, operator=user.name, case=f"#{case_id} {case['title']}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    store.users.audit(user.name, "export_pack", f"case:{case_id}", {"file": path.name, "sha256": digest,
                                                             "listings": len(ready), "skipped": skipped,
                                                             "title": case["title"]}, ip)
    return path, skipped


def pack_custody(path: Path) -> list[dict]:
    try:
        with zipfile.ZipFile(path) as zf:
            return [json.loads(line) for line in zf.read("custody.jsonl").decode("utf-8").splitlines() if line.strip()]
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return []


def latest_pack(export_dir: Path, case_id: int) -> Path | None:
    packs = sorted((Path(export_dir) / "cases" / str(case_id)).glob(f"case-{case_id}-*.zip"))
    return packs[-1] if packs else None


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
    pack = latest_pack(request.app.state.config.export_dir, case_id)
    return render(request, "case.html", case=case, items=items, pack=pack.name if pack else "",
                  custody=pack_custody(pack) if pack else [],
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
    path, _ = export_pack(store, user, case_id, request.app.state.config, client_ip(request))
    return FileResponse(path, media_type="application/zip", filename=path.name)
