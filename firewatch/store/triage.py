"""The review queue's keys per listing (table `triage`, migration 11), kept on every write
that changes them, and the bounded queries the web pages run over it.

A row exists for each assessed listing that is flagged, named by a public tip, or decided.
It holds what the queue filters and sorts on: `neg_risk` (minus the risk score) and
`untipped` (0 when a tip names the listing) so that the queue's order (risk first, tipped
first among equal risks, then platform and listing id) ascends on every column and a page
continues after the sort key of the last row shown (keyset paging). `state` is the latest
decision's verdict, or 'pending' when there is none or a tip came after it; `verdict` is the
latest decision's verdict as it is (takedown lists); `seen_day` is the Beijing day of first
sight (queue filters) and `seen_week` its ISO week in UTC (trends); `shop_name_lc`/`shop_id_lc`
the listing's shop in lower case (the listing's upsert keeps them).

`refresh_in(db, key)` recomputes one row inside the caller's transaction (assessments,
decisions and tips call it). A store that held data before migration 11 has its rows computed
once, on first use (`ensure_built`); `rebuild_in` recomputes them all (bulk loads). SQL is portable (SQLite and PostgreSQL): row-value
comparisons, `LIKE ... ESCAPE`, `INSERT ... ON CONFLICT`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from firewatch.core.clock import parse_iso, show_date
from firewatch.store.db import lock_listing_in

Key = tuple[str, str]
STATES = ("pending", "escalated", "decided", "all")
_COLUMNS = ("platform", "listing_id", "queued", "flagged", "decided", "state", "verdict", "neg_risk", "untipped",
            "category", "reason_codes", "seen_day", "seen_week", "shop_name_lc", "shop_id_lc")
_UPSERT = (f"INSERT INTO triage ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
           "ON CONFLICT (platform, listing_id) DO UPDATE SET "
           + ", ".join(f"{c}=excluded.{c}" for c in _COLUMNS[2:]))


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters ("" is no filter); `state` is one of STATES. `shop` matches a
    shop name containing it or a shop id equal to it, ignoring case; `since`/`until` are
    Beijing days (YYYY-MM-DD) of first sight."""

    platform: str = ""
    category: str = ""
    reason: str = ""
    shop: str = ""
    since: str = ""
    until: str = ""
    state: str = "pending"


@dataclass(frozen=True, order=True)
class SortKey:
    """A queue row's place: the order is ascending on all four."""

    neg_risk: float
    untipped: int
    platform: str
    listing_id: str
    state: str = field(default="", compare=False)  # 'pending' or the verdict that counts (not part of the order)

    @property
    def key(self) -> Key:
        return (self.platform, self.listing_id)

    def as_text(self) -> str:
        return json.dumps([self.neg_risk, self.untipped, self.platform, self.listing_id], ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> "SortKey":
        """ValueError when the text is not a sort key."""
        try:
            neg_risk, untipped, platform, listing_id = json.loads(text)
            return cls(float(neg_risk), int(untipped), str(platform), str(listing_id))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a queue position: {text!r}") from exc


def week_of(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _codes(reasons_json: str) -> str:
    codes = sorted({r.get("code", "") for r in json.loads(reasons_json) if r.get("code")})
    return " " + " ".join(codes) + " " if codes else " "


def _row(key: Key, risk: float, flagged: int, category: str, reasons_json: str, first_seen: str | None,
         last_seen: str | None, shop_name: str, shop_id: str, decision: tuple[str, str] | None,
         last_tip: str | None) -> tuple | None:
    """The triage row of one listing, None when it has no place there."""
    verdict = decision[0] if decision else None
    tipped = last_tip is not None
    if not (flagged or tipped or verdict):
        return None
    state = verdict or "pending"
    if verdict and tipped and parse_iso(last_tip) > parse_iso(decision[1]):
        state = "pending"  # a tip since the last decision: to be reviewed again
    seen = parse_iso(first_seen or last_seen)
    return (key[0], key[1], int(bool(flagged) or tipped), int(bool(flagged)), int(state != "pending"), state,
            verdict, -float(risk), 0 if tipped else 1, category, _codes(reasons_json),
            show_date(seen), week_of(seen.date()), (shop_name or "").lower(), (shop_id or "").lower())


def refresh_in(db, key: Key) -> None:
    """Recompute one listing's row from its assessment, listing, latest decision and tips."""
    lock_listing_in(db, key)  # the listing read below must not change before the row is written
    a = db.execute("SELECT a.risk_score, a.flagged, a.category, a.reasons, l.first_seen, l.last_seen, l.shop_name, l.shop_id "
                   "FROM assessments a JOIN listings l ON l.platform=a.platform AND l.listing_id=a.listing_id "
                   "WHERE a.platform=? AND a.listing_id=?", key).fetchone()
    row = None
    if a is not None:
        d = db.execute("SELECT verdict, at FROM decisions WHERE platform=? AND listing_id=? "
                       "ORDER BY at DESC, id DESC LIMIT 1", key).fetchone()
        tips = [t[0] for t in db.execute("SELECT created_at FROM tips WHERE platform=? AND listing_id=?", key)]
        last_tip = max(tips, key=parse_iso) if tips else None
        row = _row(key, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], (d[0], d[1]) if d else None, last_tip)
    if row is None:
        db.execute("DELETE FROM triage WHERE platform=? AND listing_id=?", key)
    else:
        db.execute(_UPSERT, row)


def rebuild_in(db, batch: int = 5000) -> int:
    """Recompute every row (a store from before migration 11, or bulk-loaded data); returns the count."""
    db.execute("DELETE FROM triage")
    decisions: dict[Key, tuple[str, str]] = {}
    for p, lid, verdict, at in db.execute("SELECT platform, listing_id, verdict, at FROM decisions "
                                          "ORDER BY platform, listing_id, at, id"):
        decisions[(p, lid)] = (verdict, at)  # the last one per listing wins
    tips: dict[Key, str] = {}
    for p, lid, at in db.execute("SELECT platform, listing_id, created_at FROM tips WHERE platform IS NOT NULL "
                                 "AND listing_id IS NOT NULL"):
        if (p, lid) not in tips or parse_iso(at) > parse_iso(tips[(p, lid)]):
            tips[(p, lid)] = at
    select = ("SELECT a.platform, a.listing_id, a.risk_score, a.flagged, a.category, a.reasons, l.first_seen, "
              "l.last_seen, l.shop_name, l.shop_id FROM assessments a JOIN listings l ON l.platform=a.platform AND l.listing_id=a.listing_id ")
    rows: list[tuple] = []
    count = 0

    def add(r) -> None:
        nonlocal count
        key = (r[0], r[1])
        row = _row(key, r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], decisions.get(key), tips.get(key))
        if row is not None:
            rows.append(row)
        if len(rows) >= batch:
            count += len(rows)
            db.executemany(_UPSERT, rows)
            rows.clear()

    seen: set[Key] = set()
    for r in db.execute(select + "WHERE a.flagged=1").fetchall():
        seen.add((r[0], r[1]))
        add(r)
    for key in (set(decisions) | set(tips)) - seen:
        r = db.execute(select + "WHERE a.platform=? AND a.listing_id=?", key).fetchone()
        if r is not None:
            add(r)
    if rows:
        count += len(rows)
        db.executemany(_UPSERT, rows)
    return count


_BUILT: set[str] = set()  # stores (path or URL) this process has seen built: no need to ask again


def ensure_built(database) -> None:
    """Compute every row once for a store that has review data but no triage rows (one migrated to
    11 with data in it); after that, a store keeps its rows on write. One look per store and process."""
    where = str(getattr(database, "url", None) or getattr(database, "path", None) or id(database))
    if where in _BUILT:
        return
    if database.execute("SELECT 1 FROM triage LIMIT 1").fetchone() is None and any(
            database.execute(sql).fetchone() is not None for sql in (
                "SELECT 1 FROM assessments WHERE flagged=1 LIMIT 1", "SELECT 1 FROM decisions LIMIT 1",
                "SELECT 1 FROM tips WHERE platform IS NOT NULL LIMIT 1")):
        with database.transaction() as db:
            if db.execute("SELECT 1 FROM triage LIMIT 1").fetchone() is None:  # not done meanwhile
                rebuild_in(db)
    _BUILT.add(where)


# -- queries ------------------------------------------------------------------------------
def _like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _where(q: QueueQuery) -> tuple[list[str], list[Any]]:
    if q.state not in STATES:
        raise ValueError(f"unknown queue state {q.state!r}")
    where, args = ["q.queued=1"], []
    if q.state == "pending":
        where.append("q.decided=0")
    elif q.state == "decided":
        where.append("q.decided=1")
    elif q.state == "escalated":
        where.append("q.state='escalate'")
    if q.platform:
        where.append("q.platform=?")
        args.append(q.platform)
    if q.category:
        where.append("q.category=?")
        args.append(q.category)
    if q.reason:
        where.append("q.reason_codes LIKE ? ESCAPE '!'")
        args.append(f"% {_like(q.reason)} %")
    if q.since:
        where.append("q.seen_day>=?")
        args.append(q.since)
    if q.until:
        where.append("q.seen_day<=?")
        args.append(q.until)
    shop = q.shop.strip().lower()
    if shop:
        where.append("(q.shop_name_lc LIKE ? ESCAPE '!' OR q.shop_id_lc=?)")
        args.extend([f"%{_like(shop)}%", shop])
    return where, args


def _sort_cols(q: QueueQuery) -> list[str]:
    # with one platform the platform column is constant: leave it out so the index serves the range
    return ["q.neg_risk", "q.untipped", "q.listing_id"] if q.platform else \
        ["q.neg_risk", "q.untipped", "q.platform", "q.listing_id"]


def _bound(q: QueueQuery, at: SortKey) -> list[Any]:
    return [at.neg_risk, at.untipped, at.listing_id] if q.platform else \
        [at.neg_risk, at.untipped, at.platform, at.listing_id]


def queue_keys(db, q: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
               limit: int = 50) -> list[SortKey]:
    """Up to `limit` queue positions in queue order: the first ones, those right after `after`,
    or those right before `before` (still in queue order)."""
    return [spot for spot, _ in queue_rows(db, q, after=after, before=before, limit=limit, full=False)]


def queue_rows(db, q: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
               limit: int = 50, full: bool = True) -> list[tuple[SortKey, Any]]:
    """`queue_keys` with each position's listing and assessment columns (`full`) in one query."""
    where, args = _where(q)
    cols = _sort_cols(q)
    direction = ""
    if after is not None:
        where.append(f"({', '.join(cols)}) > ({', '.join('?' * len(cols))})")
        args.extend(_bound(q, after))
    elif before is not None:
        where.append(f"({', '.join(cols)}) < ({', '.join('?' * len(cols))})")
        args.extend(_bound(q, before))
        direction = " DESC"
    order = ", ".join(c + direction for c in cols)
    keys = (f"SELECT q.neg_risk, q.untipped, q.platform, q.listing_id, q.state FROM triage q "
            f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?")
    if full:
        # the page's keys first (the sort index stops at the limit), then the listing and
        # assessment of just those: joining first makes PostgreSQL join every match, then sort
        keys = (f"SELECT q.*, l.*, a.* FROM ({keys}) q JOIN listings l ON l.platform=q.platform AND "
                f"l.listing_id=q.listing_id JOIN assessments a ON a.platform=q.platform AND a.listing_id=q.listing_id "
                f"ORDER BY {order}")
    rows = db.execute(keys, (*args, int(limit))).fetchall()
    found = [(SortKey(float(r[0]), int(r[1]), r[2], r[3], r[4]), r if full else None) for r in rows]
    return found[::-1] if before is not None and after is None else found


def queue_count(db, q: QueueQuery, cap: int | None = None) -> int:
    """How many rows match (at most cap + 1 counted when `cap` is given)."""
    where, args = _where(q)
    inner = f"SELECT 1 FROM triage q WHERE {' AND '.join(where)}"
    if cap is not None:
        inner += " LIMIT ?"
        args.append(int(cap) + 1)
    return int(db.execute(f"SELECT COUNT(*) FROM ({inner}) t", args).fetchone()[0])


def sort_key(db, key: Key) -> SortKey | None:
    """The listing's queue position (whatever its state), None when it has no triage row."""
    r = db.execute("SELECT neg_risk, untipped, state FROM triage WHERE platform=? AND listing_id=?", key).fetchone()
    return None if r is None else SortKey(float(r[0]), int(r[1]), key[0], key[1], r[2])


def is_confirmed(db, key: Key) -> bool:
    """Whether the listing's latest decision is 'confirm' (and it is assessed): it is on a takedown list."""
    return db.execute("SELECT 1 FROM triage WHERE platform=? AND listing_id=? AND verdict='confirm'",
                      key).fetchone() is not None


def confirmed_keys(db, platform: str, *, after: tuple[float, str] | None = None, limit: int = 100) -> list[tuple[float, str]]:
    """(neg_risk, listing_id) of `platform`'s confirmed listings (latest verdict 'confirm'),
    highest risk first, after the position `after`."""
    sql, args = "SELECT neg_risk, listing_id FROM triage WHERE platform=? AND verdict='confirm'", [platform]
    if after is not None:
        sql += " AND (neg_risk, listing_id) > (?, ?)"
        args.extend([float(after[0]), str(after[1])])
    rows = db.execute(sql + " ORDER BY neg_risk, listing_id LIMIT ?", (*args, int(limit))).fetchall()
    return [(float(r[0]), r[1]) for r in rows]


def confirmed_count(db, platform: str) -> int:
    return int(db.execute("SELECT COUNT(*) FROM triage WHERE platform=? AND verdict='confirm'",
                          (platform,)).fetchone()[0])


def flag_counts(db) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """Flagged listings per (ISO week of first sight, category) and per (week, platform)."""
    by_category = [(r[0], r[1], int(r[2])) for r in db.execute(
        "SELECT seen_week, category, COUNT(*) FROM triage WHERE flagged=1 GROUP BY seen_week, category")]
    by_platform = [(r[0], r[1], int(r[2])) for r in db.execute(
        "SELECT seen_week, platform, COUNT(*) FROM triage WHERE flagged=1 GROUP BY seen_week, platform")]
    return by_category, by_platform
