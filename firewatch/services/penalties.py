"""Recording a penalty decision against a case's subject, checked before anything is written.

`record_penalty(store, case_id, form, by)` checks what a person entered (`PenaltyForm`): the subject's
name, a well-formed unified social credit code when one is given, a real decision date not in the
future (a Beijing date), the deciding authority, the document number, the listings (the case's own;
none given: all of them). Every problem is named at once (`InvalidRecord`); a document number already
recorded raises `DuplicateDocument`. The violation's reason codes are those of the covered listings'
latest assessments; `violation_text` words them when the person left the violation blank.
`case_subjects(store, keys)` proposes who is behind a case's listings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.creditcode import credit_code_problem, normalize_code
from firewatch.core.exceptions import InvalidRecord, NotFoundError
from firewatch.core.labels import reason_name
from firewatch.store.penalties import Penalty, Subject

Key = tuple[str, str]
KEY_SOURCES = {"licence": "店铺证照", "source": "平台报送", "assist": "协查回复"}  # where a seller key was read
LIMITS = {"subject_name": 200, "violation": 2000, "penalty": 1000, "authority": 200, "document_no": 100}
LABELS = {"subject_name": "当事人名称", "violation": "违法行为", "penalty": "处罚内容", "authority": "处罚机关",
          "document_no": "决定书文号"}


@dataclass
class PenaltyForm:
    subject_name: str
    decided_on: str
    authority: str
    document_no: str
    credit_code: str = ""
    violation: str = ""
    penalty: str = ""
    listings: list[Key] = field(default_factory=list)


def violation_text(codes: list[str]) -> str:
    """The violation in words from reason codes (销售不合格消防产品 and what made them so)."""
    if not codes:
        return "销售不符合要求的消防产品"
    return "网络销售不符合要求的消防产品：" + "、".join(reason_name(c) for c in codes)


def case_subjects(store, keys: list[Key]) -> list[Subject]:
    """Who may be behind these listings: operators named by platform reports and assistance replies
    (`store.penalties.subjects_of`), then each listing's seller as its shops' licences and reports name
    it (`store.sellers`, issue 16's grouping across platforms), one subject per name or credit code."""
    subjects = list(store.penalties.subjects_of(keys))
    by_seller: dict[int, list[Key]] = {}
    for key in keys:
        seller = store.sellers.seller_of_listing(key)
        if seller is not None:
            by_seller.setdefault(seller, []).append(key)
    for seller, listings in by_seller.items():
        found = store.sellers.subject_keys(seller)
        operators, codes = found.get("operator", []), found.get("credit_code", [])
        if not operators:
            continue
        name, source = operators[0]
        code = codes[0][0] if codes else ""
        if any(s.name == name or (code and s.credit_code == code) for s in subjects):
            continue
        subjects.append(Subject(name, code, KEY_SOURCES.get(source, source), tuple(listings)))
    return subjects


def _decision_date(text: str, problems: list[str]) -> str:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"处罚决定日期「{text[:20]}」无法识别：请写成 年-月-日，如 2026-11-30")
        return ""
    if day > to_beijing(utcnow()).date():
        problems.append(f"处罚决定日期 {day.isoformat()} 晚于今天（北京时间）：请核对")
    return day.isoformat()


def record_penalty(store, case_id: int, form: PenaltyForm, by: str) -> int:
    """Check `form` and record it against case `case_id`; the new penalty's id."""
    if store.reviews.get_case(case_id) is None:
        raise NotFoundError(f"没有案件 {case_id}")
    problems: list[str] = []
    for name in ("subject_name", "authority", "document_no"):
        if not getattr(form, name).strip():
            problems.append(f"请填写{LABELS[name]}")
    for name, limit in LIMITS.items():
        if len(getattr(form, name)) > limit:
            problems.append(f"{LABELS[name]}过长（{len(getattr(form, name))} 字，至多 {limit} 字）")
    code = normalize_code(form.credit_code)
    if code:
        problem = credit_code_problem(code)
        if problem:
            problems.append(f"统一社会信用代码「{form.credit_code[:40]}」：{problem}")
    decided_on = _decision_date(form.decided_on, problems)
    items = [(i["platform"], i["listing_id"]) for i in store.reviews.case_items(case_id)]
    listings = list(dict.fromkeys(form.listings)) or items
    outside = [k for k in listings if k not in set(items)]
    if outside:
        problems.append("这些商品不在本案件中：" + "、".join(f"{p}:{i}" for p, i in outside[:10]))
    if not listings:
        problems.append("案件中还没有商品：请先把涉案商品加入案件")
    if problems:
        raise InvalidRecord(problems)
    assessments = store.assessments.get_assessments(listings)
    codes = sorted({r.code for a in assessments.values() for r in a.reasons})
    penalty = Penalty(subject_name=form.subject_name.strip(), credit_code=code,
                      violation=form.violation.strip() or violation_text(codes), reason_codes=codes,
                      penalty=form.penalty.strip(), decided_on=decided_on, authority=form.authority.strip(),
                      document_no=form.document_no.strip(), case_id=int(case_id), listings=listings)
    return store.penalties.record(penalty, by)
