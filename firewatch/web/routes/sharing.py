"""Penalty decisions on a case, the case-transfer package and the credit-information export (issue 16).

- `POST /cases/{id}/penalties` (investigators, regulators) records a penalty decision against one of
  the case's subjects (`services.penalties`: every problem named at once, 400; a document number
  recorded before, 409); the same as JSON at `POST /api/v1/cases/{id}/penalties`.
- `POST /cases/{id}/transfer` (investigators) answers the transfer package as a download, built on
  the case's finished evidence pack of its listings as they are now (the background export on the case
  page): without one, 400 saying to export the pack first, so no request waits for a pack.
- `GET /exports/credit.{csv,xlsx,json}?from=&to=` (regulators, investigators) the recorded penalty
  decisions for credit-information sharing (`services.credit`), and `GET /api/v1/penalties` the same
  rows as JSON, paged by keyset. Every act is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from firewatch.core.clock import to_beijing, utcnow
from firewatch.services.credit import COLUMNS, FORMATS, rows_of, write_credit
from firewatch.services.penalties import PenaltyForm, record_penalty
from firewatch.store import Store
from firewatch.web.downloads import send_download, write_download
from firewatch.web.deps import DbId, User, client_ip, get_store, require, verify_csrf
from firewatch.web.exceptions import BadRequest
from firewatch.web.limits import Field, Note, Title
from firewatch.web.routes.investigator import get_case, pack_inputs, pack_path

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(verify_csrf)])
deciders = require("investigator", "regulator")
investigator = require("investigator")
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PAGE = 500


class PenaltyIn(BaseModel):
    """Blank or malformed values are named together by `services.penalties`, not one by one here."""

    subject_name: Field
    decided_on: Field
    authority: Field
    document_no: Field
    credit_code: Field = ""
    violation: Note = ""
    penalty: Note = ""
    listings: list[Field] = []


def _key(text: str) -> tuple[str, str]:
    platform, _, listing_id = text.partition(":")
    if not platform or not listing_id:
        raise BadRequest(f"商品应写成 平台:商品ID，如 jd:100012：「{text[:60]}」")
    return platform, listing_id


def _record(store: Store, user: User, case_id: int, form: PenaltyForm, ip: str) -> int:
    penalty_id = record_penalty(store, case_id, form, user.name)
    store.users.audit(user.name, "penalty_record", f"case:{case_id}",
                      {"number": form.document_no, "name": form.subject_name, "listings": len(form.listings) or "全部"}, ip)
    return penalty_id


@router.post("/cases/{case_id}/penalties")
def penalty_form(request: Request, case_id: DbId, subject_name: Annotated[Field, Form()],
                 decided_on: Annotated[Field, Form()], authority: Annotated[Field, Form()],
                 document_no: Annotated[Field, Form()], credit_code: Annotated[Field, Form()] = "",
                 violation: Annotated[Note, Form()] = "", penalty: Annotated[Note, Form()] = "",
                 store: Store = Depends(get_store), user: User = Depends(deciders)) -> Response:
    form = PenaltyForm(subject_name=subject_name, decided_on=decided_on, authority=authority, document_no=document_no,
                       credit_code=credit_code, violation=violation, penalty=penalty)
    _record(store, user, case_id, form, client_ip(request))
    return RedirectResponse(f"/cases/{case_id}#penalties", status_code=303)


@api.post("/cases/{case_id}/penalties", summary="登记行政处罚决定（当事人、统一社会信用代码、文号、处罚机关、决定日期）")
def penalty_api(request: Request, case_id: DbId, body: PenaltyIn, store: Store = Depends(get_store),
                user: User = Depends(deciders)) -> dict[str, Any]:
    form = PenaltyForm(subject_name=body.subject_name, decided_on=body.decided_on, authority=body.authority,
                       document_no=body.document_no, credit_code=body.credit_code, violation=body.violation,
                       penalty=body.penalty, listings=[_key(k) for k in body.listings])
    penalty_id = _record(store, user, case_id, form, client_ip(request))
    return {"penalty": _api_rows(store, [store.penalties.get(penalty_id)])[0]}


def _api_rows(store: Store, penalties: list) -> list[dict[str, Any]]:
    return [dict(row, id=p.id) for p, row in zip(penalties, rows_of(store, penalties))]


@router.post("/cases/{case_id}/transfer")
def transfer(request: Request, case_id: DbId, recipient: Annotated[Title, Form()], store: Store = Depends(get_store),
             user: User = Depends(investigator)) -> Response:
    config = request.app.state.config
    if config.transfer_exporter is None:
        raise BadRequest("此服务未配置案件移送材料导出")
    case = get_case(store, case_id)
    keys = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id)]
    captured = store.evidence.latest_evidence_of(keys)
    missing = [f"{p}:{i}" for p, i in keys if (p, i) not in captured]
    if not keys or missing:
        raise BadRequest("案件中还没有商品" if not keys else
                         "这些商品尚未取证，不能移送：" + "、".join(missing[:10]) + "；取证后再导出证据包")
    inputs = pack_inputs(store, case, keys)
    current = (pack_path(e, config) for e in store.packs.of_case(case_id) if e.state == "done" and e.inputs_sha256 == inputs)
    pack = next((path for path in current if path is not None), None)
    if pack is None:
        raise BadRequest("请先点“导出证据包”，待本页显示导出完成（证据包须与案件当前内容一致）后，再生成移送材料")
    out, result = write_download(config, f"transfer-{case_id}-", ".zip", lambda path: config.transfer_exporter(
        store, case_id, path, recipient=recipient, operator=user.name, pack=pack))
    store.users.audit(user.name, "case_transfer", f"case:{case_id}",
                      {"number": result.number, "name": recipient, "listings": result.listings,
                       "sha256": result.files.get(f"证据包-案件{case_id}.zip", "")}, client_ip(request))
    return send_download(out, "application/zip", f"移送材料-{result.number}.zip")

def _range(start: str, end: str) -> tuple[date, date]:
    try:
        last = date.fromisoformat(end) if end else to_beijing(utcnow()).date()
        first = date.fromisoformat(start) if start else date(last.year, 1, 1)
    except ValueError:
        raise BadRequest("日期应写成 年-月-日，如 2026-11-30") from None
    if first > last:
        raise BadRequest(f"开始日期 {first} 晚于结束日期 {last}")
    return first, last


@router.get("/exports/credit.{fmt}")
def credit_export(request: Request, fmt: str, start: Annotated[str, Query(alias="from", max_length=10)] = "",
                  end: Annotated[str, Query(alias="to", max_length=10)] = "", store: Store = Depends(get_store),
                  user: User = Depends(deciders)) -> Response:
    if fmt not in FORMATS:
        raise BadRequest("导出格式应为 csv、xlsx 或 json")
    first, last = _range(start, end)
    out, result = write_download(request.app.state.config, "credit-", f".{fmt}",
                                 lambda path: write_credit(store, path, fmt, first, last))
    store.users.audit(user.name, "export_credit", "penalties",
                      {"format": fmt, "rows": result.rows, "since": first.isoformat(), "name": last.isoformat()},
                      client_ip(request))
    return send_download(out, MEDIA[fmt], f"行政处罚信息-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}")

@api.get("/penalties", summary="行政处罚信息（信用共享）：按决定日期与编号分页")
def penalties_api(start: Annotated[str, Query(alias="from", max_length=10)] = "",
                  end: Annotated[str, Query(alias="to", max_length=10)] = "",
                  after: Annotated[str, Query(max_length=40, description="上一页最后一条的 决定日期,编号")] = "",
                  store: Store = Depends(get_store), user: User = Depends(deciders)) -> dict[str, Any]:
    first, last = _range(start, end)
    position = None
    if after:
        day, _, number = after.partition(",")
        if not number.isdigit():
            raise BadRequest("after 应写成 决定日期,编号，如 2026-11-30,12")
        position = (day, int(number))
    page = store.penalties.page(first.isoformat(), last.isoformat(), after=position, limit=PAGE)
    rows = _api_rows(store, page)
    more = len(page) == PAGE
    return {"fields": {key: label for key, label, _ in COLUMNS}, "penalties": rows,
            "next": f"{page[-1].decided_on},{page[-1].id}" if more else None}
