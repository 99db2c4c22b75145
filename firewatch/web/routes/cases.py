"""Closing and reopening a case (the rest of cases: `routes.investigator`).

An investigator (or admin) closes a case with a note saying why (结案说明); a closed case is
read-only: its listings cannot be added or removed (the store refuses: `CaseClosed`, answered 409)
until an admin reopens it. Both acts are audited under the case (`case:<id>`) and shown on its
page; the same routes answer the JSON API (`/api/v1/cases/{id}/close`, `/reopen`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from firewatch.store import Store
from firewatch.web.deps import DbId, User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest, NotFound
from firewatch.web.limits import Note, RequiredNote

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(verify_csrf)])
investigator = require("investigator")
admin = require("admin")


class CloseIn(BaseModel):
    note: RequiredNote


class ReopenIn(BaseModel):
    note: Note = ""


def close_case(store: Store, user: User, case_id: int, note: str, ip: str) -> None:
    if store.reviews.get_case(case_id) is None:
        raise NotFound(f"没有案件 {case_id}")
    if not store.reviews.set_case_status(case_id, "closed", user.name, note):
        raise BadRequest("案件已结案")
    store.users.audit(user.name, "case_close", f"case:{case_id}", {"note": note}, ip)


def reopen_case(store: Store, user: User, case_id: int, note: str, ip: str) -> None:
    if store.reviews.get_case(case_id) is None:
        raise NotFound(f"没有案件 {case_id}")
    if not store.reviews.set_case_status(case_id, "open", user.name):
        raise BadRequest("案件未结案，无需重新打开")
    store.users.audit(user.name, "case_reopen", f"case:{case_id}", {"note": note}, ip)


@router.post("/cases/{case_id}/close")
def close_page(request: Request, case_id: DbId, note: Annotated[RequiredNote, Form()], store: Store = Depends(get_store),
               user: User = Depends(investigator)) -> Response:
    close_case(store, user, case_id, note, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/reopen")
def reopen_page(request: Request, case_id: DbId, note: Annotated[Note, Form()] = "", store: Store = Depends(get_store),
                user: User = Depends(admin)) -> Response:
    reopen_case(store, user, case_id, note, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@api.post("/cases/{case_id}/close", summary="结案（附结案说明；结案后案件只读）")
def close_api(request: Request, case_id: DbId, body: CloseIn, store: Store = Depends(get_store),
              user: User = Depends(investigator)) -> dict[str, Any]:
    close_case(store, user, case_id, body.note, client_ip(request))
    return {"case": store.reviews.get_case(case_id)}


@api.post("/cases/{case_id}/reopen", summary="重新打开已结案的案件（仅管理员）")
def reopen_api(request: Request, case_id: DbId, body: Annotated[ReopenIn, Body()] = ReopenIn(),
               store: Store = Depends(get_store), user: User = Depends(admin)) -> dict[str, Any]:
    reopen_case(store, user, case_id, body.note, client_ip(request))
    return {"case": store.reviews.get_case(case_id)}
