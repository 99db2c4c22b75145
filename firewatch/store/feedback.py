"""Reviewers' decisions as training data: the listings whose decision counts now, read by keyset.

`decided_batch(after, limit)` returns up to `limit` decisions, in id order after decision id `after`,
that are the latest decision of their listing (the store's order: `at`, then `id`) with verdict
'confirm' or 'dismiss', each with the listing's text (title, attributes, description) and the
reasons that decision judged (kept with it, migration 27: a re-score after the decision does not change
what it confirmed). An undone decision is no longer in `decisions` (`decisions_undone` keeps it), so
it never counts and the decision before it counts again; a listing whose latest decision is
'escalate' gives nothing. `generation()` names the state of the decisions read (for the model's record
of what it learnt from). SQL for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

_LATEST = ("NOT EXISTS (SELECT 1 FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
           "AND (d2.at > d.at OR (d2.at = d.at AND d2.id > d.id)))")


class SQLiteFeedback:
    """`store.feedback`, over the shared connection (either engine)."""

    def __init__(self, db):
        self._db = db

    def decided_count(self) -> int:
        """Confirm and dismiss decisions on record (an upper bound of what `decided_batch` returns)."""
        return int(self._db.execute(
            "SELECT COUNT(*) FROM decisions WHERE verdict IN ('confirm','dismiss')").fetchone()[0])

    def decided_batch(self, after: int = 0, limit: int = 2000) -> list[dict[str, Any]]:
        """Up to `limit` latest confirm/dismiss decisions after decision id `after`, oldest id first:
        id, platform, listing_id, reviewer, verdict, at, title, attributes (JSON text), description,
        reasons (the reasons JSON the decision judged, None when there was no assessment) and reasons_basis."""
        rows = self._db.execute(
            "SELECT d.id, d.platform, d.listing_id, d.reviewer, d.verdict, d.at, l.title, l.attributes, "
            "l.description, d.reasons, d.reasons_basis FROM decisions d "
            "JOIN listings l ON l.platform=d.platform AND l.listing_id=d.listing_id "
            f"WHERE d.id > ? AND d.verdict IN ('confirm','dismiss') AND {_LATEST} ORDER BY d.id LIMIT ?",
            (int(after), int(limit))).fetchall()
        keys = ("id", "platform", "listing_id", "reviewer", "verdict", "at", "title", "attributes", "description",
                "reasons", "reasons_basis")
        return [dict(zip(keys, tuple(r))) for r in rows]

    def generation(self) -> dict[str, Any]:
        """The decisions' state now: newest decision id, decisions on record, undone decisions."""
        top, n = self._db.execute("SELECT MAX(id), COUNT(*) FROM decisions").fetchone()
        undone = self._db.execute("SELECT COUNT(*) FROM decisions_undone").fetchone()[0]
        return {"last_decision_id": int(top or 0), "decisions": int(n or 0), "undone": int(undone or 0)}
