"""Reviewers' decisions and investigators' cases in SQLite.

Decisions are append-only, so the full history of a listing's review stays on record and
the latest row is the one that counts; each keeps the reasons it judged (the assessment's reasons when
it was made, migration 27), so a later re-score does not rewrite review history; `confirmed()` (latest verdict 'confirm') is the input
of takedown lists and notices. Undoing a reviewer's last decision (`undo_last`) moves that row,
as it was, to `decisions_undone` (who undid it, when), so the latest row before it counts again.
Reviewers claim the queue rows they work on (`claim`, a few minutes); a decision on a row
another reviewer's claim holds raises `ClaimHeld` and writes nothing. A case is a named set of
listings an investigator collects.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from firewatch.core.exceptions import AssessmentChanged, CaseClosed, ClaimHeld
from firewatch.core.models import Assessment, BulkDecided, Decision, Listing, Reason, utcnow
from firewatch.store.assessments import assessment_from_row
from firewatch.store.listings import listing_from_row, rows_by_keys
from firewatch.store.db import SQLiteDatabase
from firewatch.store import sellers, triage
from firewatch.store.triage import QueueQuery, SortKey

VERDICTS = ("confirm", "dismiss", "escalate")
UNCHECKED = object()  # no assessment was named as seen: the decision does not check it


def stamp(when: datetime) -> str:
    """A claim time as fixed-width ISO UTC text (claims compare as text on both engines)."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decision_from_row(r: sqlite3.Row) -> Decision:
    return Decision(platform=r["platform"], listing_id=r["listing_id"], reviewer=r["reviewer"],
                    verdict=r["verdict"], note=r["note"], at=datetime.fromisoformat(r["at"]))


class SQLiteReviews:
    """`protocols.ReviewRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- decisions --------------------------------------------------------------
    def record_decision(self, d: Decision, seen_assessed_at: Any = ...) -> int:
        """Append one decision; returns its id. Raises ValueError for an unknown verdict or listing,
        ClaimHeld when another reviewer's claim on the queue row runs, AssessmentChanged when
        `seen_assessed_at` (the assessment time the reviewer saw; None: the reviewer saw none, so there must
        still be none) is not the one on record any more. Left out (`...`): not checked, for callers
        that decide without showing a page (the demo's simulated reviewers)."""
        with self._db.transaction() as db:
            return self._record_in(db, d, seen=UNCHECKED if seen_assessed_at is ... else seen_assessed_at)

    def record_decisions(self, decisions: list[Decision],
                         seen: Mapping[tuple[str, str], datetime | None] | None = None) -> BulkDecided:
        """Append many decisions in one transaction (bulk actions), all under one batch id (so one
        undo takes them all back). `seen`: per listing, the assessment time the reviewer saw (None: the
        page showed no assessment); a listing whose assessment on record is another one now is left out
        (`rescored`), as is one another reviewer's claim holds (`held`); listings not in `seen` are not
        checked. ValueError (nothing written) for an unknown verdict or listing."""
        seen = seen or {}
        done = BulkDecided()
        batch = uuid.uuid4().hex
        with self._db.transaction() as db:
            for d in decisions:
                key = (d.platform, d.listing_id)
                try:
                    done.ids.append(self._record_in(db, d, batch, seen.get(key, UNCHECKED)))
                    done.decided.append(key)
                except ClaimHeld:
                    done.held.append(key)
                except AssessmentChanged:
                    done.rescored.append(key)
        return done

    def _record_in(self, db, d: Decision, batch: str = "", seen: Any = UNCHECKED) -> int:
        """`seen`: the assessment time the reviewer saw (None: none shown), or UNCHECKED."""
        if d.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {d.verdict!r}; choose one of {', '.join(VERDICTS)}")
        key = (d.platform, d.listing_id)
        if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?", key).fetchone() is None:
            raise ValueError(f"no listing {d.platform}:{d.listing_id} in the store")
        holder = triage.claimed_by_other(db, key, d.reviewer, stamp(utcnow()))
        if holder is not None:
            raise ClaimHeld(f"该商品正由审核员 {holder} 处理（已领取），请勿重复审核", holder)
        # the reasons judged: the assessment on record when deciding (a later re-score does not change them)
        judged = db.execute("SELECT reasons, assessed_at FROM assessments WHERE platform=? AND listing_id=?",
                            key).fetchone()
        if seen is not UNCHECKED and (None if judged is None else datetime.fromisoformat(judged[1])) != seen:
            raise AssessmentChanged("该商品在您查看后已重新评估，违规理由可能已变化；请刷新页面，查看最新的评估后再作结论")
        cur = db.execute(
            "INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at, batch, reasons, reasons_basis) "
            "VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
            (d.platform, d.listing_id, d.reviewer, d.verdict, d.note, d.at.isoformat(), batch,
             judged[0] if judged else None, "decision" if judged else "none"),
        )
        new_id = int(cur.fetchone()[0])
        triage.refresh_in(db, key)
        if d.verdict == "confirm":  # 一处清退、处处关店: the seller's shops elsewhere go to the review queue
            sellers.queue_linked_in(db, key, sellers.LINKED_LIMIT)
        return new_id

    def last_decision_by(self, reviewer: str) -> tuple[int, Decision, int] | None:
        """The reviewer's newest decision still on record (id, decision, how many decisions its bulk
        action made: 1 for a single one), None when there is none."""
        r = self._db.execute("SELECT * FROM decisions WHERE reviewer=? ORDER BY id DESC LIMIT 1", (reviewer,)).fetchone()
        if r is None:
            return None
        size = 1 if not r["batch"] else int(self._db.execute("SELECT COUNT(*) FROM decisions WHERE batch=?",
                                                             (r["batch"],)).fetchone()[0])
        return int(r["id"]), decision_from_row(r), size

    def undo_last(self, reviewer: str, decision_id: int | None = None,
                  window_minutes: float | None = None) -> tuple[int, Decision, Decision | None]:
        """`undo_batch`, returning the newest undone decision's (id, decision, the one that counts now)."""
        return self.undo_batch(reviewer, decision_id, window_minutes)[0]

    def undo_batch(self, reviewer: str, decision_id: int | None = None,
                   window_minutes: float | None = None) -> list[tuple[int, Decision, Decision | None]]:
        """Undo the reviewer's newest decision (when `decision_id` is given, only if it is that one),
        and with it every decision of its bulk action (its batch): the rows move to
        `decisions_undone` and the listings' queue rows are recomputed, so each listing is as it was
        before (its earlier latest decision, or pending). Returns (id, undone decision, the decision
        that counts now) per listing, newest first. ValueError (in Chinese, nothing undone) when there
        is nothing to undo, the decision is older than `window_minutes`, someone decided on a listing
        after it, or a listing is in a takedown notice that is no longer a draft."""
        with self._db.transaction() as db:
            r = db.execute("SELECT * FROM decisions WHERE reviewer=? ORDER BY id DESC LIMIT 1", (reviewer,)).fetchone()
            if r is None:
                raise ValueError("没有可撤销的审核结论")
            if decision_id is not None and int(r["id"]) != int(decision_id):
                raise ValueError("只能撤销您最近的一条审核结论；该结论之后您已作出其他结论")
            if window_minutes is not None and \
                    datetime.fromisoformat(r["at"]) < utcnow() - timedelta(minutes=window_minutes):
                raise ValueError(f"该审核结论作出已超过 {window_minutes:g} 分钟，不能再撤销；如需更正，请重新审核该商品")
            rows = [r] if not r["batch"] else db.execute(
                "SELECT * FROM decisions WHERE batch=? AND reviewer=? ORDER BY id DESC", (r["batch"], reviewer)).fetchall()
            done: list[tuple[int, Decision, Decision | None]] = []
            now = utcnow().isoformat()
            for row in rows:
                undone = decision_from_row(row)
                key = (undone.platform, undone.listing_id)
                latest = db.execute("SELECT id FROM decisions WHERE platform=? AND listing_id=? ORDER BY at DESC, id DESC "
                                    "LIMIT 1", key).fetchone()
                if int(latest[0]) != int(row["id"]):
                    raise ValueError(f"商品 {key[0]}:{key[1]} 此后已有其他审核结论，无法撤销")
                sent = db.execute("SELECT n.id FROM notice_items i JOIN notices n ON n.id=i.notice_id WHERE i.platform=? "
                                  "AND i.listing_id=? AND n.status<>'draft' LIMIT 1", key).fetchone()
                if sent is not None:
                    raise ValueError(f"商品 {key[0]}:{key[1]} 已列入已发出的下架通知（编号 {sent[0]}），不能撤销该审核结论")
                db.execute("INSERT INTO decisions_undone (decision_id, platform, listing_id, reviewer, verdict, note, at, "
                           "undone_by, undone_at, batch, reasons, reasons_basis) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                           (int(row["id"]), *key, row["reviewer"], row["verdict"], row["note"], row["at"], reviewer, now,
                            row["batch"], row["reasons"], row["reasons_basis"]))
                db.execute("DELETE FROM decisions WHERE id=?", (int(row["id"]),))
                triage.refresh_in(db, key)
                if row["verdict"] == "confirm":  # what the confirmation queued elsewhere goes with it
                    sellers.unqueue_linked_in(db, key)
                before = db.execute("SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at DESC, id DESC "
                                    "LIMIT 1", key).fetchone()
                done.append((int(row["id"]), undone, None if before is None else decision_from_row(before)))
            return done

    def claim(self, keys: list[tuple[str, str]], reviewer: str, minutes: float,
              replace: bool = False) -> list[tuple[str, str]]:
        """Claim these queue rows for `reviewer` for `minutes` where nobody else's claim runs; returns those
        held. With `replace`, the reviewer's earlier claims are released first (a new queue page)."""
        now = utcnow()
        with self._db.transaction() as db:
            return triage.claim_in(db, list(keys), reviewer, stamp(now), stamp(now + timedelta(minutes=minutes)),
                                   replace)

    def release(self, keys: list[tuple[str, str]], reviewer: str) -> None:
        with self._db.transaction() as db:
            triage.release_in(db, reviewer, list(keys))

    def claim_holder(self, key: tuple[str, str], reviewer: str) -> str | None:
        """Who else holds a running claim on the listing's queue row (None: free or the reviewer's own)."""
        return triage.claimed_by_other(self._db, key, reviewer, stamp(utcnow()))

    def decisions(self, key: tuple[str, str]) -> list[Decision]:
        """Every decision on one listing, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at, id", key).fetchall()
        return [decision_from_row(r) for r in rows]

    def judged_reasons(self, key: tuple[str, str]) -> tuple[str, list[str]] | None:
        """The latest decision's basis for its reasons ('decision': kept when deciding; 'assessment_then',
        'assessment_later', 'none': filled for decisions made before they were kept) and the reason codes it
        judged; None when the listing has no decision."""
        judged = self.judged_reason_list(key)
        return None if judged is None else (judged[0], sorted({r.code for r in judged[1]}))

    def judged_reason_list(self, key: tuple[str, str]) -> tuple[str, list[Reason]] | None:
        """`judged_reasons` with the reasons themselves (code, evidence, source, span) as the decision kept them."""
        r = self._db.execute("SELECT reasons, reasons_basis FROM decisions WHERE platform=? AND listing_id=? "
                             "ORDER BY at DESC, id DESC LIMIT 1", key).fetchone()
        if r is None:
            return None
        return str(r[1] or ""), [Reason(**x) for x in json.loads(r[0] or "[]") if isinstance(x, dict) and x.get("code")]

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

    def decisions_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Decision]]:
        """Every decision of each of these listings, oldest first (undecided ones left out); a few queries."""
        found: dict[tuple[str, str], list[Decision]] = {}
        for r in sorted(rows_by_keys(self._db, "decisions", keys), key=lambda r: (r["at"], r["id"])):
            found.setdefault((r["platform"], r["listing_id"]), []).append(decision_from_row(r))
        return found

    def latest_decisions(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decision]:
        """The latest decision of each of these listings (undecided ones left out)."""
        found: dict[tuple[str, str], Decision] = {}
        rows = sorted(rows_by_keys(self._db, "decisions", keys), key=lambda r: (r["at"], r["id"]))
        for r in rows:
            found[(r["platform"], r["listing_id"])] = decision_from_row(r)
        return found

    # -- the review queue, bounded (firewatch.store.triage) ------------------------------
    def _skip(self, reviewer: str | None) -> tuple[str, str] | None:
        return None if reviewer is None else (reviewer, stamp(utcnow()))

    def queue_page(self, query: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
                   limit: int = 50, reviewer: str | None = None) -> list[SortKey]:
        """Up to `limit` queue positions in queue order (priority first, tipped first among equal
        priorities, then platform and id): the first, those after `after`, or those before `before`.
        With `reviewer`, rows another reviewer's running claim holds are left out."""
        triage.ensure_built(self._db)
        return triage.queue_keys(self._db, query, after=after, before=before, limit=limit, skip_claims=self._skip(reviewer))

    def queue_entries(self, query: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
                      limit: int = 50, reviewer: str | None = None) -> list[tuple[SortKey, Listing, Assessment]]:
        """`queue_page` with each position's listing and assessment, in one query."""
        triage.ensure_built(self._db)
        return [(spot, listing_from_row(r), assessment_from_row(r))
                for spot, r in triage.queue_rows(self._db, query, after=after, before=before, limit=limit,
                                                 skip_claims=self._skip(reviewer))]

    def queue_count(self, query: QueueQuery, cap: int | None = None, reviewer: str | None = None) -> int:
        """Rows matching `query` (counting stops at cap + 1 when `cap` is given)."""
        triage.ensure_built(self._db)
        return triage.queue_count(self._db, query, cap, skip_claims=self._skip(reviewer))

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
