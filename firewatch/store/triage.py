"""The review queue's keys per listing (table `triage`, migration 11), kept on every write
that changes them, and the bounded queries the web pages run over it.

A row exists for each assessed listing that is flagged, named by a public tip, or decided.
It holds what the queue filters and sorts on: `neg_priority` (minus the priority of
`firewatch.core.priority`, migration 16: probability, reason severity, exposure) and `untipped`
(0 when a tip names the listing) so that the queue's order (priority first, tipped first among
equal priorities, then platform and listing id) ascends on every column and a page continues after
the sort key of the last row shown (keyset paging). `neg_risk` (minus the risk score) orders the
takedown lists. `region` (the seller's province), `price_fen` (the price shown) and `flagged_day`
(Beijing day of the flagging assessment) are filter keys; `flagged_at` (migration 19) the time the
listing was first flagged (kept by later assessments; the campaign report's flag-to-removal times); `decided_at`
(migration 25) the time of its latest decision and `decided_codes` (migration 27) the reason codes that
decision judged (review precision by week: a later re-score does not change them); `claimed_by`/`claimed_until` a reviewer's
claim on the row (`claim_in`), which the row's recomputation leaves alone. `state` is the latest
decision's verdict, or 'pending' when there is none or a tip came after it; `verdict` is the
latest decision's verdict as it is (takedown lists); `seen_day` is the Beijing day of first
sight (queue filters) and `seen_week` its ISO week in UTC (trends); `shop_name_lc`/`shop_id_lc`
the listing's shop in lower case (the listing's upsert keeps them).

`refresh_in(db, key)` recomputes one row inside the caller's transaction (assessments,
decisions and tips call it). A store that held data before migration 11 (or rows from before
migration 16, `neg_priority` NULL) has its rows computed once, on first use (`ensure_built`); `rebuild_in` recomputes them all (bulk loads). SQL is portable (SQLite and PostgreSQL): row-value
comparisons, `LIKE ... ESCAPE`, `INSERT ... ON CONFLICT`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from firewatch.core.clock import parse_iso, show_date
from firewatch.core.money import to_fen
from firewatch.core.priority import priority, region_of
from firewatch.store.db import lock_listing_in

Key = tuple[str, str]
STATES = ("pending", "escalated", "decided", "all")
_COLUMNS = ("platform", "listing_id", "queued", "flagged", "decided", "state", "verdict", "neg_risk", "untipped",
            "category", "reason_codes", "seen_day", "seen_week", "shop_name_lc", "shop_id_lc", "neg_priority", "region",
            "price_fen", "flagged_day", "decided_at", "decided_codes", "flagged_at")
# flagged_at (migration 19) is the first flagging assessment's time: a later assessment keeps it
_UPSERT = (f"INSERT INTO triage ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
           "ON CONFLICT (platform, listing_id) DO UPDATE SET "
           + ", ".join(f"{c}=excluded.{c}" for c in _COLUMNS[2:-1])
           + ", flagged_at=COALESCE(triage.flagged_at, excluded.flagged_at)")


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters ("" is no filter); `state` is one of STATES. `shop` matches a
    shop name containing it or a shop id equal to it, ignoring case (with `shop_exact`: a shop id or
    whole shop name equal to it, on `platform` only); `since`/`until` are
    Beijing days (YYYY-MM-DD) of first sight, `flagged_since`/`flagged_until` of the flagging
    assessment; `region` a province (`core.priority.PROVINCES`); `price_min`/`price_max` yuan
    (the listing's price shown, both ends included; a listing without a price is left out)."""

    platform: str = ""
    category: str = ""
    reason: str = ""
    shop: str = ""
    since: str = ""
    until: str = ""
    state: str = "pending"
    region: str = ""
    price_min: str = ""
    price_max: str = ""
    flagged_since: str = ""
    flagged_until: str = ""
    shop_exact: bool = False  # `shop` is one shop's id or its whole name (one platform: `platform` required)


@dataclass(frozen=True, order=True)
class SortKey:
    """A queue row's place: the order is ascending on all four."""

    neg_priority: float
    untipped: int
    platform: str
    listing_id: str
    state: str = field(default="", compare=False)  # 'pending' or the verdict that counts (not part of the order)

    @property
    def key(self) -> Key:
        return (self.platform, self.listing_id)

    def as_text(self) -> str:
        return json.dumps([self.neg_priority, self.untipped, self.platform, self.listing_id], ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> "SortKey":
        """ValueError when the text is not a sort key."""
        try:
            neg_priority, untipped, platform, listing_id = json.loads(text)
            return cls(float(neg_priority), int(untipped), str(platform), str(listing_id))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a queue position: {text!r}") from exc


def week_of(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _code_list(reasons_json: str) -> list[str]:
    return sorted({r.get("code", "") for r in json.loads(reasons_json) if r.get("code")})


def _codes(reasons_json: str) -> str:
    codes = _code_list(reasons_json)
    return " " + " ".join(codes) + " " if codes else " "


def decided_codes(reasons_json: str | None, basis: str | None) -> str | None:
    """A decision's `decided_codes`: the codes of the reasons it judged, None when those are not known (a
    decision from before the reasons were kept whose assessment on file came later, 'assessment_later')."""
    return None if basis == "assessment_later" else _codes(reasons_json or "[]")


def _price(price_fen: int | None, low_fen: int | None, tiers_json: str | None) -> int | None:
    """The price shown (as `Listing.display_price`), in fen."""
    if price_fen is not None:
        return int(price_fen)
    if low_fen is not None:
        return int(low_fen)
    try:
        tiers = [round(float(t["price"]) * 100) for t in json.loads(tiers_json or "[]")]
    except (TypeError, ValueError, KeyError):
        return None
    return min(tiers) if tiers else None


# the listing and assessment columns a row is computed from, in `_row`'s order after the key
_SOURCE = ("a.risk_score, a.flagged, a.category, a.reasons, l.first_seen, l.last_seen, l.shop_name, l.shop_id, "
           "l.sales, l.price_fen, l.price_low_fen, l.price_tiers, l.attributes, a.assessed_at")


def _row(key: Key, risk: float, flagged: int, category: str, reasons_json: str, first_seen: str | None,
         last_seen: str | None, shop_name: str, shop_id: str, sales: int | None, price_fen: int | None,
         price_low_fen: int | None, price_tiers: str | None, attributes: str | None, assessed_at: str | None,
         decision: tuple[str, str, str | None] | None, last_tip: str | None) -> tuple | None:
    """The triage row of one listing, None when it has no place there. `decision` is the latest one's
    (verdict, at, the codes it judged as `decided_codes` gives them)."""
    verdict = decision[0] if decision else None
    tipped = last_tip is not None
    if not (flagged or tipped or verdict):
        return None
    state = verdict or "pending"
    if verdict and tipped and parse_iso(last_tip) > parse_iso(decision[1]):
        state = "pending"  # a tip since the last decision: to be reviewed again
    seen = parse_iso(first_seen or last_seen)
    shown = _price(price_fen, price_low_fen, price_tiers)
    codes = _code_list(reasons_json)
    flagged_day = show_date(parse_iso(assessed_at)) if flagged and assessed_at else ""
    return (key[0], key[1], int(bool(flagged) or tipped), int(bool(flagged)), int(state != "pending"), state,
            verdict, -float(risk), 0 if tipped else 1, category, _codes(reasons_json),
            show_date(seen), week_of(seen.date()), (shop_name or "").lower(), (shop_id or "").lower(),
            -priority(risk, codes, sales, shown), region_of(attributes), shown, flagged_day,
            decision[1] if decision else None, decision[2] if decision else None,
            assessed_at if flagged and assessed_at else None)


def refresh_in(db, key: Key) -> None:
    """Recompute one listing's row from its assessment, listing, latest decision and tips."""
    lock_listing_in(db, key)  # the listing read below must not change before the row is written
    a = db.execute(f"SELECT {_SOURCE} FROM assessments a JOIN listings l ON l.platform=a.platform AND "
                   "l.listing_id=a.listing_id WHERE a.platform=? AND a.listing_id=?", key).fetchone()
    row = None
    if a is not None:
        d = db.execute("SELECT verdict, at, reasons, reasons_basis FROM decisions WHERE platform=? AND listing_id=? "
                       "ORDER BY at DESC, id DESC LIMIT 1", key).fetchone()
        tips = [t[0] for t in db.execute("SELECT created_at FROM tips WHERE platform=? AND listing_id=?", key)]
        # queued because a linked shop's listing was confirmed (store/sellers.py): reviewed like a tipped one
        tips += [t[0] for t in db.execute("SELECT queued_at FROM linked_reviews WHERE platform=? AND listing_id=?", key)]
        last_tip = max(tips, key=parse_iso) if tips else None
        row = _row(key, *tuple(a), (d[0], d[1], decided_codes(d[2], d[3])) if d else None, last_tip)
    if row is None:
        db.execute("DELETE FROM triage WHERE platform=? AND listing_id=?", key)
    else:
        db.execute(_UPSERT, row)


def rebuild_in(db, batch: int = 5000) -> int:
    """Recompute every row (a store from before migration 11, or bulk-loaded data); returns the count."""
    db.execute("DELETE FROM triage")
    # the latest decision per listing only (index decisions_listing), its judged codes kept, not its reasons JSON
    decisions: dict[Key, tuple[str, str, str | None]] = {}
    for p, lid, verdict, at, reasons, basis in db.execute(
            "SELECT d.platform, d.listing_id, d.verdict, d.at, d.reasons, d.reasons_basis FROM decisions d "
            "WHERE d.id = (SELECT l.id FROM decisions l WHERE l.platform=d.platform AND l.listing_id=d.listing_id "
            "ORDER BY l.at DESC, l.id DESC LIMIT 1)"):
        decisions[(p, lid)] = (verdict, at, decided_codes(reasons, basis))
    tips: dict[Key, str] = {}
    for p, lid, at in db.execute("SELECT platform, listing_id, created_at FROM tips WHERE platform IS NOT NULL "
                                 "AND listing_id IS NOT NULL"):
        if (p, lid) not in tips or parse_iso(at) > parse_iso(tips[(p, lid)]):
            tips[(p, lid)] = at
    for p, lid, at in db.execute("SELECT platform, listing_id, queued_at FROM linked_reviews"):
        if (p, lid) not in tips or parse_iso(at) > parse_iso(tips[(p, lid)]):
            tips[(p, lid)] = at
    select = (f"SELECT a.platform, a.listing_id, {_SOURCE} FROM assessments a JOIN listings l "
              "ON l.platform=a.platform AND l.listing_id=a.listing_id ")
    rows: list[tuple] = []
    count = 0

    def add(r) -> None:
        nonlocal count
        key = (r[0], r[1])
        row = _row(key, *tuple(r)[2:], decisions.get(key), tips.get(key))
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


def fill_priorities_in(db, batch: int = 1000) -> int:
    """Compute the columns migration 16 added (neg_priority, region, price_fen, flagged_day) for the
    rows written before it, `batch` rows at a time in key order (keyset: never all rows at once);
    a row whose assessment is gone is recomputed (so removed). Returns the rows filled."""
    count, after = 0, ("", "")
    while True:
        rows = db.execute(f"SELECT t.platform, t.listing_id, a.platform, l.platform, {_SOURCE} FROM triage t "
                          "LEFT JOIN assessments a ON a.platform=t.platform AND a.listing_id=t.listing_id "
                          "LEFT JOIN listings l ON l.platform=t.platform AND l.listing_id=t.listing_id "
                          "WHERE t.neg_priority IS NULL AND (t.platform, t.listing_id) > (?, ?) "
                          "ORDER BY t.platform, t.listing_id LIMIT ?", (*after, int(batch))).fetchall()
        if not rows:
            return count
        updates = []
        for r in rows:
            key = (r[0], r[1])
            if r[2] is None or r[3] is None:  # no assessment or no listing: not a queue row
                refresh_in(db, key)
                continue
            (risk, flagged, _category, reasons, _first, _last, _shop, _shop_id, sales, price_fen, low_fen, tiers,
             attributes, assessed_at) = tuple(r)[4:]
            shown = _price(price_fen, low_fen, tiers)
            flagged_day = show_date(parse_iso(assessed_at)) if flagged and assessed_at else ""
            updates.append((-priority(float(risk), _code_list(reasons), sales, shown), region_of(attributes), shown,
                            flagged_day, *key))
        db.executemany("UPDATE triage SET neg_priority=?, region=?, price_fen=?, flagged_day=? "
                       "WHERE platform=? AND listing_id=?", updates)
        count += len(updates)
        after = (rows[-1][0], rows[-1][1])


def fill_decided_codes_in(db, batch: int = 1000) -> int:
    """Set `decided_codes` (migration 27) of the decided rows from their latest decision's reasons, `batch`
    rows at a time in key order (keyset); returns the rows set."""
    count, after = 0, ("", "")
    while True:
        rows = db.execute("SELECT t.platform, t.listing_id, d.reasons, d.reasons_basis FROM triage t JOIN decisions d "
                          "ON d.id = (SELECT l.id FROM decisions l WHERE l.platform=t.platform AND "
                          "l.listing_id=t.listing_id ORDER BY l.at DESC, l.id DESC LIMIT 1) "
                          "WHERE t.verdict IS NOT NULL AND (t.platform, t.listing_id) > (?, ?) "
                          "ORDER BY t.platform, t.listing_id LIMIT ?", (*after, int(batch))).fetchall()
        if not rows:
            return count
        db.executemany("UPDATE triage SET decided_codes=? WHERE platform=? AND listing_id=?",
                       [(decided_codes(r[2], r[3]), r[0], r[1]) for r in rows])
        count += len(rows)
        after = (rows[-1][0], rows[-1][1])


def _stale(db) -> bool:
    """Rows written before migration 16 (no priority yet)."""
    return db.execute("SELECT 1 FROM triage WHERE neg_priority IS NULL LIMIT 1").fetchone() is not None


_BUILT: set[str] = set()  # stores (path or URL) this process has seen built: no need to ask again


def ensure_built(database) -> None:
    """Compute every row once for a store that has review data but no triage rows (one migrated to
    11 with data in it); after that, a store keeps its rows on write. One look per store and process."""
    where = str(getattr(database, "url", None) or getattr(database, "path", None) or id(database))
    if where in _BUILT:
        return
    if _stale(database) or database.execute("SELECT 1 FROM triage LIMIT 1").fetchone() is None and any(
            database.execute(sql).fetchone() is not None for sql in (
                "SELECT 1 FROM assessments WHERE flagged=1 LIMIT 1", "SELECT 1 FROM decisions LIMIT 1",
                "SELECT 1 FROM tips WHERE platform IS NOT NULL LIMIT 1")):
        with database.transaction() as db:
            if _stale(db):  # rows from before migration 16 (its data step fills them): in batches
                fill_priorities_in(db)
            if db.execute("SELECT 1 FROM triage LIMIT 1").fetchone() is None:  # not done meanwhile
                claims = db.execute("SELECT platform, listing_id, claimed_by, claimed_until FROM triage "
                                    "WHERE claimed_by <> ''").fetchall()
                rebuild_in(db)
                db.executemany("UPDATE triage SET claimed_by=?, claimed_until=? WHERE platform=? AND listing_id=?",
                               [(c[2], c[3], c[0], c[1]) for c in claims])
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
    for column, op, value in (("seen_day", ">=", q.since), ("seen_day", "<=", q.until),
                              ("flagged_day", ">=", q.flagged_since), ("flagged_day", "<=", q.flagged_until)):
        if value:
            where.append(f"q.{column}{op}?")
            args.append(value)
    if q.flagged_since or q.flagged_until:
        where.append("q.flagged_day<>''")
    if q.region:
        where.append("q.region=?")
        args.append(q.region)
    for op, value in ((">=", q.price_min), ("<=", q.price_max)):
        if value:
            where.append(f"q.price_fen{op}?")
            args.append(to_fen(value))
    shop = q.shop.strip().lower()
    if q.shop_exact:
        if not shop or not q.platform:
            raise ValueError("an exact shop needs the shop and its platform")
        where.append("(q.shop_id_lc=? OR q.shop_name_lc=?)")
        args.extend([shop, shop])
    elif shop:
        where.append("(q.shop_name_lc LIKE ? ESCAPE '!' OR q.shop_id_lc=?)")
        args.extend([f"%{_like(shop)}%", shop])
    return where, args


def _sort_cols(q: QueueQuery) -> list[str]:
    # with one platform the platform column is constant: leave it out so the index serves the range
    return ["q.neg_priority", "q.untipped", "q.listing_id"] if q.platform else \
        ["q.neg_priority", "q.untipped", "q.platform", "q.listing_id"]


def _bound(q: QueueQuery, at: SortKey) -> list[Any]:
    return [at.neg_priority, at.untipped, at.listing_id] if q.platform else \
        [at.neg_priority, at.untipped, at.platform, at.listing_id]


def queue_keys(db, q: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
               limit: int = 50, skip_claims: tuple[str, str] | None = None) -> list[SortKey]:
    """Up to `limit` queue positions in queue order: the first ones, those right after `after`,
    or those right before `before` (still in queue order). With `skip_claims` = (reviewer, now
    as ISO UTC), rows another reviewer's running claim holds are left out."""
    return [spot for spot, _ in queue_rows(db, q, after=after, before=before, limit=limit, full=False,
                                           skip_claims=skip_claims)]


def queue_rows(db, q: QueueQuery, *, after: SortKey | None = None, before: SortKey | None = None,
               limit: int = 50, full: bool = True, skip_claims: tuple[str, str] | None = None) -> list[tuple[SortKey, Any]]:
    """`queue_keys` with each position's listing and assessment columns (`full`) in one query."""
    where, args = _where(q)
    if skip_claims is not None:
        where.append("(q.claimed_until<? OR q.claimed_by=?)")
        args.extend([skip_claims[1], skip_claims[0]])
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
    keys = (f"SELECT q.neg_priority, q.untipped, q.platform, q.listing_id, q.state FROM triage q "
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


def queue_count(db, q: QueueQuery, cap: int | None = None, skip_claims: tuple[str, str] | None = None) -> int:
    """How many rows match (at most cap + 1 counted when `cap` is given), other reviewers' claimed
    rows left out with `skip_claims` (as in `queue_keys`)."""
    where, args = _where(q)
    if skip_claims is not None:
        where.append("(q.claimed_until<? OR q.claimed_by=?)")
        args.extend([skip_claims[1], skip_claims[0]])
    inner = f"SELECT 1 FROM triage q WHERE {' AND '.join(where)}"
    if cap is not None:
        inner += " LIMIT ?"
        args.append(int(cap) + 1)
    return int(db.execute(f"SELECT COUNT(*) FROM ({inner}) t", args).fetchone()[0])


def sort_key(db, key: Key) -> SortKey | None:
    """The listing's queue position (whatever its state), None when it has no triage row."""
    r = db.execute("SELECT neg_priority, untipped, state FROM triage WHERE platform=? AND listing_id=?", key).fetchone()
    return None if r is None else SortKey(float(r[0]), int(r[1]), key[0], key[1], r[2])


# -- reviewers' claims -----------------------------------------------------------------------
def claim_in(db, keys: list[Key], reviewer: str, now: str, until: str, replace: bool = False) -> list[Key]:
    """Claim these rows for `reviewer` until `until` (ISO UTC) where no other reviewer's claim runs
    at `now`; returns the keys now held. A conditional UPDATE per row: on either engine a row
    another transaction claimed first no longer matches, so two reviewers never both hold one.
    With `replace`, the reviewer's other claims are given back first (a new queue page replaces the
    one before; index triage_claimed)."""
    held = []
    if replace:
        db.execute("UPDATE triage SET claimed_by='', claimed_until='' WHERE claimed_by=?", (reviewer,))
    for key in keys:
        cur = db.execute("UPDATE triage SET claimed_by=?, claimed_until=? WHERE platform=? AND listing_id=? "
                         "AND (claimed_until<? OR claimed_by=?)", (reviewer, until, key[0], key[1], now, reviewer))
        if cur.rowcount:
            held.append(key)
    return held


def claimed_by_other(db, key: Key, reviewer: str, now: str) -> str | None:
    """The other reviewer whose claim on the row runs at `now`, None when free or the reviewer's own."""
    r = db.execute("SELECT claimed_by FROM triage WHERE platform=? AND listing_id=? AND claimed_until>=? "
                   "AND claimed_by<>'' AND claimed_by<>?", (*key, now, reviewer)).fetchone()
    return None if r is None else r[0]


def release_in(db, reviewer: str, keys: list[Key]) -> None:
    """Give back the reviewer's claims on these rows."""
    db.executemany("UPDATE triage SET claimed_by='', claimed_until='' WHERE platform=? AND listing_id=? AND claimed_by=?",
                   [(k[0], k[1], reviewer) for k in keys])


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
