"""The trends page's review figures, counted in SQL over indexes (never the rows): latest verdicts by week
and reason codes, flags by week of first sight and reason codes, listings first seen by week.

Weeks are given by the caller as boundaries (`bounds`, n + 1 ascending values; week i is
bounds[i] <= value < bounds[i + 1]); each week is its own range scan (one UNION ALL statement):
- `verdicts(bounds)`: (week, reason codes the decision judged, verdict, listings) for the listings whose
  latest decision (`triage.decided_at`, migration 25) is a confirm or a dismiss made in the week (ISO UTC
  bounds), by the reasons kept with that decision (`triage.decided_codes`, migration 27), not the listing's
  current assessment: a re-score after the decision does not change history; codes None when the reasons
  judged are not known (a decision from before they were kept, the assessment on file made later): such a
  verdict counts in the overall figures only. Index `triage_decided_codes` covers it. An undone decision is out of `decisions`, and
  the triage row carries the decision that counts after it.
- `flags(days)`: (week, reason codes, listings) of the flagged listings first seen in the week (Beijing
  day bounds, `triage.seen_day`); index `triage_seen_flagged` covers it.
- `seen(bounds)`: (week, listings) first seen in the week (ISO UTC bounds) on each platform
  (`listings_seen`, one range per platform); every listing is scored as it arrives, so these are the
  listings scored for that week's cohort.
SQL for SQLite and PostgreSQL alike (text timestamps and days compare in order).
"""

from __future__ import annotations

from firewatch.core.models import PLATFORMS


def _weeks(select: str, bounds: list[str]) -> tuple[str, list[str]]:
    """`select` (its first column the week index `{w}`, two `?` for a week's bounds) once per week, as
    one UNION ALL: each week is one range scan of an index, and COUNT needs no expression per row."""
    parts = [select.format(w=i) for i in range(len(bounds) - 1)]
    return " UNION ALL ".join(parts), [b for i in range(len(bounds) - 1) for b in (bounds[i], bounds[i + 1])]


class SQLiteReviewStats:
    """`store.review_stats`, over the shared connection (either engine)."""

    def __init__(self, db):
        self._db = db

    def verdicts(self, bounds: list[str]) -> list[tuple[int, str | None, str, int]]:
        """(week, reason codes judged (None: not known), 'confirm' or 'dismiss', listings) by the latest
        decision's week."""
        sql, args = _weeks("SELECT {w}, decided_codes, verdict, COUNT(*) FROM triage WHERE decided_at >= ? "
                           "AND decided_at < ? AND verdict IN ('confirm','dismiss') GROUP BY decided_codes, verdict",
                           bounds)
        return [(int(w), None if codes is None else str(codes), str(v), int(n))
                for w, codes, v, n in self._db.execute(sql, tuple(args))]

    def flags(self, days: list[str]) -> list[tuple[int, str, int]]:
        """(week, reason codes, listings) of the flagged listings by the Beijing day of first sight."""
        sql, args = _weeks("SELECT {w}, reason_codes, COUNT(*) FROM triage WHERE flagged = 1 AND seen_day >= ? "
                           "AND seen_day < ? GROUP BY reason_codes", days)
        return [(int(w), str(codes or ""), int(n)) for w, codes, n in self._db.execute(sql, tuple(args))]

    def seen(self, bounds: list[str]) -> list[tuple[int, int]]:
        """(week, listings first seen in it) over every platform."""
        marks = ",".join(f"'{p}'" for p in PLATFORMS)  # the platform codes, constants of the model
        sql, args = _weeks(f"SELECT {{w}}, COUNT(*) FROM listings WHERE platform IN ({marks}) AND first_seen >= ? "
                           "AND first_seen < ?", bounds)
        return [(int(w), int(n)) for w, n in self._db.execute(sql, tuple(args))]

    def generation(self) -> tuple:
        """What `verdicts` and `flags` depend on, each read off an index: the newest decision and undone
        decision, the triage rows' newest decision and flag times, and the flagged count."""
        row = self._db.execute(
            "SELECT (SELECT MAX(id) FROM decisions), (SELECT MAX(id) FROM decisions_undone), "
            "(SELECT MAX(decided_at) FROM triage), (SELECT MAX(flagged_at) FROM triage), "
            "(SELECT COUNT(*) FROM triage WHERE flagged = 1)").fetchone()
        return tuple(row)

    def seen_generation(self) -> tuple:
        """What `seen` depends on: the newest first sight per platform (a new listing is first seen now)."""
        newest = ", ".join(f"(SELECT MAX(first_seen) FROM listings WHERE platform='{p}')" for p in PLATFORMS)
        return tuple(self._db.execute(f"SELECT {newest}").fetchone())
