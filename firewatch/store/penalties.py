"""Administrative penalty decisions (行政处罚决定) recorded against a case's subjects.

A regulator who has decided a penalty records it here: the subject (当事人名称 and, for a company,
its 统一社会信用代码), the violation in words and as reason codes, the penalty, the decision date
(a Beijing date, YYYY-MM-DD), the deciding authority and the decision's document number (文号,
unique: recording the same number twice raises `DuplicateDocument` and writes nothing), with the
listings it covers. These rows are what credit-information sharing exports (`services.credit`).
`subjects_of(keys)` proposes subjects for a case from what the store already knows about the sellers
of its listings: the seller fields of platform reports and the platform's assistance replies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from firewatch.core.clock import iso, parse_iso, utcnow
from firewatch.core.creditcode import normalize_code
from firewatch.core.exceptions import DuplicateDocument
from firewatch.store.db import SQLiteDatabase
from firewatch.store.listings import rows_by_keys

Key = tuple[str, str]


@dataclass
class Penalty:
    subject_name: str
    violation: str
    decided_on: str  # YYYY-MM-DD, Beijing date
    authority: str
    document_no: str
    credit_code: str = ""
    reason_codes: list[str] = field(default_factory=list)
    penalty: str = ""
    case_id: int | None = None
    id: int | None = None
    recorded_by: str = ""
    recorded_at: datetime | None = None
    listings: list[Key] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    """A seller the store has a name (and maybe a credit code) for, and where that came from."""

    name: str
    credit_code: str
    source: str  # "报送" (a platform report) or "协查回复" (an assistance reply)
    listings: tuple[Key, ...]


def _penalty(r: Any, listings: list[Key] | None = None) -> Penalty:
    return Penalty(id=int(r["id"]), case_id=None if r["case_id"] is None else int(r["case_id"]),
                   subject_name=r["subject_name"], credit_code=r["credit_code"], violation=r["violation"],
                   reason_codes=json.loads(r["reason_codes"] or "[]"), penalty=r["penalty"], decided_on=r["decided_on"],
                   authority=r["authority"], document_no=r["document_no"], recorded_by=r["recorded_by"],
                   recorded_at=parse_iso(r["recorded_at"]), listings=listings or [])


class SQLitePenalties:
    """`protocols.PenaltyRepository` in SQL (both engines)."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def record(self, penalty: Penalty, by: str, at: datetime | None = None) -> int:
        """Store `penalty` with its listings in one transaction; its id. A document number already
        recorded raises `DuplicateDocument` (naming the earlier record) and nothing is written."""
        document_no = penalty.document_no.strip()
        with self._db.transaction() as db:
            old = db.execute("SELECT id, subject_name FROM penalties WHERE document_no=?", (document_no,)).fetchone()
            if old is not None:
                raise DuplicateDocument(f"决定书文号「{document_no}」已登记（第 {old['id']} 条，当事人 {old['subject_name']}），"
                                        "未重复登记", int(old["id"]))
            try:
                new_id = db.execute(
                    "INSERT INTO penalties (case_id, subject_name, credit_code, violation, reason_codes, penalty, decided_on, "
                    "authority, document_no, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    (penalty.case_id, penalty.subject_name.strip(), normalize_code(penalty.credit_code), penalty.violation.strip(),
                     json.dumps(sorted(set(penalty.reason_codes))), penalty.penalty.strip(), penalty.decided_on,
                     penalty.authority.strip(), document_no, by, iso(at or utcnow()))).fetchone()[0]
            except self._db.integrity_errors as exc:  # a concurrent writer recorded the number first
                raise DuplicateDocument(f"决定书文号「{document_no}」已登记，未重复登记") from exc
            db.executemany("INSERT INTO penalty_items (penalty_id, platform, listing_id) VALUES (?,?,?)",
                           [(int(new_id), p, i) for p, i in dict.fromkeys(penalty.listings)])
        return int(new_id)

    def get(self, penalty_id: int) -> Penalty | None:
        r = self._db.execute("SELECT * FROM penalties WHERE id=?", (int(penalty_id),)).fetchone()
        if r is None:
            return None
        items = self._db.execute("SELECT platform, listing_id FROM penalty_items WHERE penalty_id=? "
                                 "ORDER BY platform, listing_id", (int(penalty_id),)).fetchall()
        return _penalty(r, [(i["platform"], i["listing_id"]) for i in items])

    def of_case(self, case_id: int) -> list[Penalty]:
        """The case's penalties, oldest first, each with its listings."""
        ids = [int(r["id"]) for r in self._db.execute("SELECT id FROM penalties WHERE case_id=? ORDER BY id",
                                                      (int(case_id),)).fetchall()]
        return [p for p in (self.get(i) for i in ids) if p is not None]

    def listing_counts(self, ids: Iterable[int]) -> dict[int, int]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT penalty_id, COUNT(*) AS n FROM penalty_items WHERE penalty_id IN ({marks}) "
                                "GROUP BY penalty_id", ids).fetchall()
        return {int(r["penalty_id"]): int(r["n"]) for r in rows}

    def page(self, start: str, end: str, after: tuple[str, int] | None = None, limit: int = 500) -> list[Penalty]:
        """Penalties decided from `start` to `end` (Beijing dates, both included), ordered by
        (decided_on, id), the `limit` after the keyset `after`; without their listings."""
        sql = "SELECT * FROM penalties WHERE decided_on>=? AND decided_on<=?"
        args: list[Any] = [start, end]
        if after is not None:
            sql += " AND (decided_on>? OR (decided_on=? AND id>?))"
            args += [after[0], after[0], int(after[1])]
        rows = self._db.execute(sql + " ORDER BY decided_on, id LIMIT ?", (*args, int(limit))).fetchall()
        return [_penalty(r) for r in rows]

    def subjects_of(self, keys: Iterable[Key]) -> list[Subject]:
        """Named sellers of `keys` from platform reports' seller fields and assistance replies,
        one per (name, credit code), with the listings that named it; most listings first."""
        found: dict[tuple[str, str, str], list[Key]] = {}
        keys = list(dict.fromkeys(keys))
        for r in rows_by_keys(self._db, "listing_sources", keys):
            if r["kind"] != "report":
                continue
            seller = (json.loads(r["detail"] or "{}") or {}).get("seller") or {}
            name = str(seller.get("operator") or "").strip()
            if name:
                code = normalize_code(str(seller.get("credit_code") or ""))
                found.setdefault((name, code, "报送"), []).append((r["platform"], r["listing_id"]))
        for r in rows_by_keys(self._db, "assist_replies", keys):
            name = (r["operator_name"] or "").strip()
            if name:
                code = normalize_code(r["credit_code"] or "")
                found.setdefault((name, code, "协查回复"), []).append((r["platform"], r["listing_id"]))
        subjects = [Subject(name, code, source, tuple(dict.fromkeys(ks))) for (name, code, source), ks in found.items()]
        return sorted(subjects, key=lambda s: (-len(s.listings), s.name, s.source))
