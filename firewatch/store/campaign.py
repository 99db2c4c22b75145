"""The campaign report's counts, in SQL (GROUP BY over indexes; never the rows themselves).

A period is two ISO UTC instants, `start` included and `end` excluded (the caller turns Beijing days
into them). Events and their time: *flagged* is the listing's first flagging (`triage.flagged_at`,
migration 19; a flag a later assessment withdrew before anyone decided it has no triage row, so it
does not count), *confirmed* its first confirm decision while its latest verdict is confirm, *removed*
the first time a notice's item was verified removed (`notice_items.removed_at`), *relisted* a
`relisting` alert. Each count comes grouped by one dimension (platform, category, region, reason
codes as the triage row writes them: the flag's for *flagged*, those the latest decision judged for
*confirmed* and *removed* (`triage.decided_codes`, a re-score after the decision does not move them), or the UTC hour `YYYY-MM-DDTHH`, which the caller turns into
Beijing days and weeks); `platform` ("" = all) filters every query. The SQL runs on SQLite and
PostgreSQL alike (text timestamps compare in order; `substr` on both).
"""

from __future__ import annotations

from typing import Any

from firewatch.core.clock import parse_iso

EVENTS = ("flagged", "confirmed", "removed")
DIMENSIONS = {"platform": "t.platform", "category": "t.category", "region": "t.region",
              "reasons": "t.reason_codes", "hour": "substr(e.at, 1, 13)"}

_CONFIRMS = ("SELECT platform, listing_id, MIN(at) AS at FROM decisions WHERE verdict='confirm' "
             "GROUP BY platform, listing_id")
_REMOVALS = ("SELECT platform, listing_id, MIN(removed_at) AS at FROM notice_items WHERE removed_at IS NOT NULL "
             "GROUP BY platform, listing_id")


def _event(kind: str) -> str:
    """FROM ... for one event kind: alias `e` (platform, listing_id, at) and `t` (the triage row)."""
    if kind == "flagged":
        return "(SELECT platform, listing_id, flagged_at AS at FROM triage WHERE flagged_at IS NOT NULL) e " \
               "JOIN triage t ON t.platform=e.platform AND t.listing_id=e.listing_id"
    if kind == "confirmed":
        return (f"({_CONFIRMS}) e JOIN triage t ON t.platform=e.platform AND t.listing_id=e.listing_id "
                "AND t.verdict='confirm'")
    if kind == "removed":
        return f"({_REMOVALS}) e JOIN triage t ON t.platform=e.platform AND t.listing_id=e.listing_id"
    raise ValueError(f"unknown event {kind!r}")


class SQLiteCampaign:
    """Counts for `firewatch.services.campaign`, over the shared connection (either engine)."""

    def __init__(self, db):
        self._db = db

    def _rows(self, sql: str, args: list[Any]) -> list[tuple]:
        return [tuple(r) for r in self._db.execute(sql, tuple(args)).fetchall()]

    @staticmethod
    def _where(start: str, end: str, platform: str, at: str = "e.at", plat: str = "e.platform") -> tuple[str, list]:
        where, args = f"{at} >= ? AND {at} < ?", [start, end]
        if platform:
            where += f" AND {plat} = ?"
            args.append(platform)
        return where, args

    def event_counts(self, kind: str, by: str, start: str, end: str, platform: str = "") -> list[tuple[str, int]]:
        """(value of `by`, listings) for the listings whose `kind` event falls in the period; by reasons, a
        confirmed or removed listing counts under the reasons its latest decision judged."""
        column = "t.decided_codes" if by == "reasons" and kind != "flagged" else DIMENSIONS[by]
        where, args = self._where(start, end, platform)
        return [(str(v or ""), int(n)) for v, n in self._rows(
            f"SELECT {column}, COUNT(*) FROM {_event(kind)} WHERE {where} GROUP BY {column}", args)]

    def monitored(self, start: str, end: str, platform: str = "", categories: bool = True
                  ) -> list[tuple[str, str, int]]:
        """(platform, category, listings) of the listings on the market during the period: first seen
        before its end and last seen at or after its start ('' category: not assessed). Without
        `categories`, (platform, "", listings): one pass over an index (listings_seen), no join."""
        where, args = "l.first_seen < ? AND l.last_seen >= ?", [end, start]
        if platform:
            where += " AND l.platform = ?"
            args.append(platform)
        if not categories:
            return [(p, "", int(n)) for p, n in self._rows(
                f"SELECT l.platform, COUNT(*) FROM listings l WHERE {where} GROUP BY l.platform", args)]
        return [(p, c or "", int(n)) for p, c, n in self._rows(
            "SELECT l.platform, a.category, COUNT(*) FROM listings l LEFT JOIN assessments a "
            f"ON a.platform=l.platform AND a.listing_id=l.listing_id WHERE {where} GROUP BY l.platform, a.category",
            args)]

    def new_listings(self, start: str, end: str, platform: str = "") -> list[tuple[str, int]]:
        """(UTC hour, listings first seen in it) over the period."""
        where, args = self._where(start, end, platform, at="first_seen", plat="platform")
        return [(h, int(n)) for h, n in self._rows(
            f"SELECT substr(first_seen, 1, 13), COUNT(*) FROM listings WHERE {where} GROUP BY substr(first_seen, 1, 13)",
            args)]

    def removal_times(self, start: str, end: str, platform: str = "") -> list[tuple[str, str, int]]:
        """(UTC hour first flagged, UTC hour removed, listings) for the listings removed in the period."""
        where, args = self._where(start, end, platform)
        return [(f, r, int(n)) for f, r, n in self._rows(
            f"SELECT substr(t.flagged_at, 1, 13), substr(e.at, 1, 13), COUNT(*) FROM {_event('removed')} "
            f"WHERE {where} AND t.flagged_at IS NOT NULL GROUP BY substr(t.flagged_at, 1, 13), substr(e.at, 1, 13)",
            args)]

    def relistings(self, by: str, start: str, end: str, platform: str = "") -> list[tuple[str, int]]:
        """(platform or UTC hour, relisting alerts) raised in the period."""
        column = {"platform": "platform", "hour": "substr(created_at, 1, 13)"}[by]
        where, args = self._where(start, end, platform, at="created_at", plat="platform")
        return [(str(v or ""), int(n)) for v, n in self._rows(
            f"SELECT {column}, COUNT(*) FROM alerts WHERE rule='relisting' AND {where} GROUP BY {column}", args)]

    def repeat_shops(self, end: str, minimum: int, platform: str = "", limit: int = 50
                     ) -> tuple[int, list[dict[str, Any]]]:
        """Shops (platform, shop id) with at least `minimum` listings confirmed before `end` (latest verdict
        confirm): how many there are, and the `limit` with most, most first."""
        where, args = "e.at < ?", [end]
        if platform:
            where += " AND e.platform = ?"
            args.append(platform)
        grouped = (f"SELECT l.platform AS platform, l.shop_id AS shop_id, MAX(l.shop_name) AS shop_name, "
                   f"COUNT(*) AS n, MIN(e.at) AS first_at, MAX(e.at) AS last_at FROM {_event('confirmed')} "
                   f"JOIN listings l ON l.platform=e.platform AND l.listing_id=e.listing_id "
                   f"WHERE {where} AND l.shop_id <> '' GROUP BY l.platform, l.shop_id HAVING COUNT(*) >= ?")
        args.append(int(minimum))
        total = self._db.execute(f"SELECT COUNT(*) FROM ({grouped}) g", tuple(args)).fetchone()[0]
        rows = self._rows(f"SELECT platform, shop_id, shop_name, n, first_at, last_at FROM ({grouped}) g "
                          "ORDER BY n DESC, platform, shop_id LIMIT ?", [*args, int(limit)])
        return int(total or 0), [{"platform": p, "shop_id": s, "shop_name": name or "", "confirmed": int(n),
                                  "first_at": f, "last_at": la} for p, s, name, n, f, la in rows]

    def case_candidates(self, start: str, end: str, platform: str = "", limit: int = 20) -> list[tuple[str, str]]:
        """Listings confirmed in the period that have evidence, highest risk first (typical cases)."""
        where, args = self._where(start, end, platform)
        return [(p, lid) for p, lid in self._rows(
            f"SELECT e.platform, e.listing_id FROM {_event('confirmed')} WHERE {where} AND EXISTS "
            "(SELECT 1 FROM evidence v WHERE v.platform=e.platform AND v.listing_id=e.listing_id AND v.role='page') "
            "ORDER BY t.neg_risk, e.platform, e.listing_id LIMIT ?", [*args, int(limit)])]

    def flagged_at(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """When each of a few listings was first flagged (aware UTC datetimes)."""
        out = {}
        for key in keys:
            r = self._db.execute("SELECT flagged_at FROM triage WHERE platform=? AND listing_id=?", key).fetchone()
            if r is not None and r[0]:
                out[key] = parse_iso(r[0])
        return out
