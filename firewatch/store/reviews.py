"""Reviewers' decisions and investigators' cases in SQLite.

Decisions are append-only, so the full history of a listing's review stays on record and
the latest row is the one that counts; `confirmed()` (latest verdict 'confirm') is the input
of takedown lists and notices. A case is a named set of listings an investigator collects.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, Iterable

from firewatch.core.exceptions import CaseClosed
from firewatch.core.models import Assessment, Decision, Listing, utcnow
from firewatch.store.assessments import assessment_from_row
from firewatch.store.listings import listing_from_row, rows_by_keys
from firewatch.store.db import SQLiteDatabase
from firewatch.store import triage
from firewatch.store.triage import QueueQuery, SortKey

VERDICTS = ("confirm", "dismiss", "escalate")


def decision_from_row(r: sqlite3.Row) -> Decision:
    return Decision(platform=r["platform"], listing_id=r["listing_id"], reviewer=r["reviewer"],
                    verdict=r["verdict"], note=r["note"], at=datetime.fromisoformat(r["at"]))


class SQLiteReviews:
    """`protocols.ReviewRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- decisions --------------------------------------------------------------
    def record_decision(self, d: Decision) -> int:
        """Append one decision; returns its id. Raises ValueError for an unknown verdict or listing."""
        if d.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {d.verdict!r}; choose one of {', '.join(VERDICTS)}")
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?",
                          (d.platform, d.listing_id)).fetchone() is None:
                raise ValueError(f"no listing {d.platform}:{d.listing_id} in the store")
            cur = db.execute(
                "INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at) VALUES (?,?,?,?,?,?) RETURNING id",
                (d.platform, d.listing_id, d.reviewer, d.verdict, d.note, d.at.isoformat()),
            )
            new_id = int(cur.fetchone()[0])
            triage.refresh_in(db, (d.platform, d.listing_id))
            return new_id

    def decisions(self, key: tuple[str, str]) -> list[Decision]:
        """Every decision on one listing, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at, id", key).fetchall()
        return [decision_from_row(r) for r in rows]

    def latest_decision(self, key: tuple[str, str]) -> Decision | None:
        r = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at DESC, id DESC LIMIT 1",
            key).fetchone()
        return None if r is None else decision_from_row(r)

    def confirmed(self, platform: str | None = None) -> list[tuple[Listing, Assessment, Decision]]:
        """Listings whose latest decision is 'confirm', with assessment and that decision, highest risk first."""
        sql = (
            "SELECT l.*, a.*, d.reviewer, d.verdict, d.note, d.at FROM decisions d "
            "JOIN listings l USING (platform, listing_id) JOIN assessments a USING (platform, listing_id) "
            "WHERE d.id = (SELECT d2.id FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
            "ORDER BY d2.at DESC, d2.id DESC LIMIT 1) AND d.verdict='confirm'"
        )
        args: tuple = ()
        if platform:
            sql, args = sql + " AND d.platform=?", (platform,)
        rows = self._db.execute(sql + " ORDER BY a.risk_score DESC, d.platform, d.listing_id", args).fetchall()
        return [(listing_from_row(r), assessment_from_row(r), decision_from_row(r)) for r in rows]

    def latest_verdicts(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each decided listing's latest decision (verdict, reviewer, note, at) in one query."""
        rows = self._db.execute(
            "SELECT d.platform, d.listing_id, d.verdict, d.reviewer, d.note, d.at FROM decisions d "
            "WHERE d.id = (SELECT d2.id FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
            "ORDER BY d2.at DESC, d2.id DESC LIMIT 1)").fetchall()
        return {(r["platform"], r["listing_id"]): dict(r) for r in rows}

    def latest_decisions(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decision]:
        """The latest decision of each of these listings (undecided ones left out)."""
        found: dict[tuple[str, str], Decision] = {}
        rows = sorted(rows_by_keys(self._db, "decisions", keys), key=lambda r: (r["at"], r["id"]))
        for r in rows:
            found[(r["platform"], r["listing_id"])] = decision_from_row(r)
        return found

    # -- the review queue, bounded (firewatch.store.triage) ------------------------------
    def queue_page(self, query: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
                   limit: int = 50) -> list[SortKey]:
        """Up to `limit` queue positions in queue order (risk first, tipped first among equal
        risks, then platform and id): the first, those after `after`, or those before `before`."""
        triage.ensure_built(self._db)
        return triage.queue_keys(self._db, query, after=after, before=before, limit=limit)

    def queue_entries(self, query: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
                      limit: int = 50) -> list[tuple[SortKey, Listing, Assessment]]:
        """`queue_page` with each position's listing and assessment, in one query."""
        triage.ensure_built(self._db)
        return [(spot, listing_from_row(r), assessment_from_row(r))
                for spot, r in triage.queue_rows(self._db, query, after=after, before=before, limit=limit)]

    def queue_count(self, query: QueueQuery, cap: int | None = None) -> int:
        """Rows matching `query` (counting stops at cap + 1 when `cap` is given)."""
        triage.ensure_built(self._db)
        return triage.queue_count(self._db, query, cap)

    def queue_position(self, key: tuple[str, str]) -> SortKey | None:
        """The listing's place in the queue order (whatever its state); None when not in the queue's table."""
        triage.ensure_built(self._db)
        return triage.sort_key(self._db, key)

    def is_confirmed(self, key: tuple[str, str]) -> bool:
        """Whether the assessed listing's latest decision is 'confirm'."""
        triage.ensure_built(self._db)
        return triage.is_confirmed(self._db, key)

    def confirmed_page(self, platform: str, *, after: tuple[float, str] | None = None,
                       limit: int = 100) -> list[tuple[Listing, Assessment, Decision]]:
        """One page of `confirmed(platform)`, after the position (minus risk score, listing id) `after`."""
        triage.ensure_built(self._db)
        spots = triage.confirmed_keys(self._db, platform, after=after, limit=limit)
        keys = [(platform, lid) for _, lid in spots]
        listings = {(r["platform"], r["listing_id"]): listing_from_row(r) for r in rows_by_keys(self._db, "listings", keys)}
        assessments = {(r["platform"], r["listing_id"]): assessment_from_row(r)
                       for r in rows_by_keys(self._db, "assessments", keys)}
        decisions = self.latest_decisions(keys)
        return [(listings[k], assessments[k], decisions[k]) for k in keys
                if k in listings and k in assessments and k in decisions]

    def confirmed_count(self, platform: str) -> int:
        triage.ensure_built(self._db)
        return triage.confirmed_count(self._db, platform)

    # -- cases ------------------------------------------------------------------
    def create_case(self, title: str, created_by: str, note: str = "") -> int:
        with self._db.transaction() as db:
            cur = db.execute("INSERT INTO cases (title, note, created_by, created_at) VALUES (?,?,?,?) RETURNING id",
                             (title, note, created_by, utcnow().isoformat()))
            return int(cur.fetchone()[0])

    def cases(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM case_items i WHERE i.case_id=c.id) AS items FROM cases c ORDER BY c.id DESC")]

    def get_case(self, case_id: int) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return None if r is None else dict(r)

    def add_case_item(self, case_id: int, key: tuple[str, str], added_by: str) -> bool:
        """Add a listing to a case; False when it was there already. ValueError for an unknown case or
        listing, CaseClosed for a closed case."""
        with self._db.transaction() as db:
            case = db.execute("SELECT status FROM cases WHERE id=?", (case_id,)).fetchone()
            if case is None:
                raise ValueError(f"no case {case_id}")
            if case[0] == "closed":
                raise CaseClosed(f"case {case_id} is closed")
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?", key).fetchone() is None:
                raise ValueError(f"no listing {key[0]}:{key[1]} in the store")
            cur = db.execute("INSERT INTO case_items (case_id, platform, listing_id, added_by, added_at) VALUES (?,?,?,?,?) "
                             "ON CONFLICT DO NOTHING",
                             (case_id, *key, added_by, utcnow().isoformat()))
            return cur.rowcount > 0

    def remove_case_item(self, case_id: int, key: tuple[str, str]) -> bool:
        """Take a listing out of a case; CaseClosed for a closed case."""
        with self._db.transaction() as db:
            case = db.execute("SELECT status FROM cases WHERE id=?", (case_id,)).fetchone()
            if case is not None and case[0] == "closed":
                raise CaseClosed(f"case {case_id} is closed")
            cur = db.execute("DELETE FROM case_items WHERE case_id=? AND platform=? AND listing_id=?", (case_id, *key))
            return cur.rowcount > 0

    def set_case_status(self, case_id: int, status: str, by: str, note: str = "") -> bool:
        """Close ("closed", with a note) or reopen ("open") a case; False when it already had that
        status (or does not exist). A closed case's items cannot change (`CaseClosed`)."""
        if status not in ("open", "closed"):
            raise ValueError(f"unknown case status {status!r}")
        closing = status == "closed"
        with self._db.transaction() as db:
            cur = db.execute("UPDATE cases SET status=?, closed_at=?, closed_by=?, close_note=? WHERE id=? AND status<>?",
                             (status, utcnow().isoformat() if closing else None, by if closing else "",
                              note if closing else "", case_id, status))
            return cur.rowcount > 0

    def case_items(self, case_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT platform, listing_id, added_by, added_at FROM case_items WHERE case_id=? ORDER BY added_at, platform, listing_id",
            (case_id,))]
