"""Alerts in SQLite: raised once (a unique dedupe key), delivered once per channel,
acknowledged by a person; dead letters; digests sent; the image hash cache of the relisting rule.

An alert is `new` until every configured channel has delivered it (`sent`) or someone
acknowledges it. Per-channel delivery rows make a second send skip a channel that already
delivered; `delivery_lock` keeps two sends at once from delivering the same alerts.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Iterable

from firewatch.core.exceptions import NotFoundError
from firewatch.core.models import utcnow
from firewatch.store.protocols import AlertRecord, DeadLetter
from firewatch.store.db import SQLiteDatabase

ALERT_STATES = ("new", "sent", "acknowledged")


def _ts(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (naive datetimes are taken as UTC), so text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SQLiteAlerts:
    """`protocols.AlertRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db
        # the JSON payload's "day", in each dialect's words
        self._payload_day = "(payload::json ->> 'day')" if db.dialect == "postgresql" else "json_extract(payload, '$.day')"

    # -- delivery lock ------------------------------------------------------------------
    @contextlib.contextmanager
    def delivery_lock(self, channel: str) -> Iterator[bool]:
        """Hold the right to deliver on `channel` (yields True), or yield False at once when
        another process or thread holds it. Two `alerts send` (or digests, or dead-letter
        retries) running together would otherwise both read the same unsent alerts and both
        deliver them. An advisory lock (a file beside a SQLite store, a PostgreSQL advisory
        lock), released if the holder dies, so a crash never leaves the channel stuck."""
        with self._db.try_lock(f"send-{channel}") as held:
            yield held

    # -- alerts -------------------------------------------------------------------------
    def add_alerts(self, candidates: Iterable[dict[str, Any]]) -> list[int]:
        """Store candidates whose dedupe key is new; return the ids of those stored.

        Each candidate: rule, dedupe_key, summary, and optionally platform, listing_id,
        details (dict), created_at. A key seen before (in any state) is skipped.
        """
        ids: list[int] = []
        now = utcnow()
        with self._db.transaction() as db:
            for c in candidates:
                cur = db.execute(
                    "INSERT INTO alerts (rule, dedupe_key, platform, listing_id, summary, details, state, created_at) "
                    "VALUES (?,?,?,?,?,?,'new',?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                    (c["rule"], c["dedupe_key"], c.get("platform", ""), c.get("listing_id", ""), c["summary"],
                     json.dumps(c.get("details", {}), ensure_ascii=False, sort_keys=True, default=str),
                     _ts(c.get("created_at") or now)),
                )
                row = cur.fetchone()
                if row is not None:
                    ids.append(int(row[0]))
        return ids

    def _row_to_alert(self, r: sqlite3.Row) -> AlertRecord:
        channels = [x[0] for x in self._db.execute(
            "SELECT channel FROM alert_deliveries WHERE alert_id=? ORDER BY channel", (r["id"],))]
        return AlertRecord(
            id=r["id"], rule=r["rule"], dedupe_key=r["dedupe_key"], platform=r["platform"],
            listing_id=r["listing_id"], summary=r["summary"], details=json.loads(r["details"]), state=r["state"],
            created_at=_dt(r["created_at"]), sent_at=_dt(r["sent_at"]), acknowledged_at=_dt(r["acknowledged_at"]),
            acknowledged_by=r["acknowledged_by"], channels=channels,
        )

    def alerts(self, state: str | None = None, rule: str | None = None, since: datetime | None = None,
               until: datetime | None = None, limit: int | None = None) -> list[AlertRecord]:
        """Stored alerts, oldest first, filtered by state, rule and creation time [since, until)."""
        if state is not None and state not in ALERT_STATES:
            raise ValueError(f"unknown alert state {state!r}; choose one of {', '.join(ALERT_STATES)}")
        where, args = [], []
        for cond, value in (("state=?", state), ("rule=?", rule), ("created_at>=?", _ts(since)),
                            ("created_at<?", _ts(until))):
            if value is not None:
                where.append(cond)
                args.append(value)
        sql = "SELECT * FROM alerts" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._row_to_alert(r) for r in self._db.execute(sql, args).fetchall()]

    def get_alert(self, alert_id: int) -> AlertRecord | None:
        r = self._db.execute("SELECT * FROM alerts WHERE id=?", (alert_id,)).fetchone()
        return None if r is None else self._row_to_alert(r)

    def unsent_alerts(self, channel: str) -> list[AlertRecord]:
        """Alerts in state `new` that `channel` has not delivered yet, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM alerts a WHERE state='new' AND NOT EXISTS "
            "(SELECT 1 FROM alert_deliveries d WHERE d.alert_id=a.id AND d.channel=?) ORDER BY created_at, id",
            (channel,)).fetchall()
        return [self._row_to_alert(r) for r in rows]

    def mark_delivered(self, alert_ids: Iterable[int], channel: str, all_channels: Iterable[str],
                       at: datetime | None = None) -> int:
        """Record that `channel` delivered these alerts; an alert every channel delivered
        becomes `sent`. Dead letters of this channel whose alerts are all delivered are
        resolved. Returns how many alerts became `sent`."""
        at = at or utcnow()
        ids = list(alert_ids)
        needed = sorted(set(all_channels) | {channel})
        became = 0
        with self._db.transaction() as db:
            for alert_id in ids:
                db.execute("INSERT INTO alert_deliveries (alert_id, channel, delivered_at) VALUES (?,?,?) "
                           "ON CONFLICT (alert_id, channel) DO NOTHING", (alert_id, channel, _ts(at)))
                have = {r[0] for r in db.execute("SELECT channel FROM alert_deliveries WHERE alert_id=?", (alert_id,))}
                if set(needed) <= have:
                    became += db.execute("UPDATE alerts SET state='sent', sent_at=? WHERE id=? AND state='new'",
                                         (_ts(at), alert_id)).rowcount
            self._resolve_delivered_dead_letters(db, channel, at)
        return became

    def settle_sent(self, channels: Iterable[str], at: datetime | None = None) -> int:
        """Mark `sent` the new alerts every one of `channels` has delivered (after a channel
        was removed from the settings, say). Returns how many changed."""
        needed = set(channels)
        if not needed:
            return 0
        changed = 0
        with self._db.transaction() as db:
            for (alert_id,) in db.execute("SELECT id FROM alerts WHERE state='new'").fetchall():
                have = {r[0] for r in db.execute("SELECT channel FROM alert_deliveries WHERE alert_id=?", (alert_id,))}
                if needed <= have:
                    changed += db.execute("UPDATE alerts SET state='sent', sent_at=? WHERE id=?",
                                          (_ts(at or utcnow()), alert_id)).rowcount
        return changed

    @staticmethod
    def _resolve_delivered_dead_letters(db: sqlite3.Connection, channel: str, at: datetime) -> None:
        rows = db.execute("SELECT id, alert_ids FROM alert_dead_letters WHERE channel=? AND kind='alerts' "
                          "AND resolved_at IS NULL", (channel,)).fetchall()
        for r in rows:
            ids = json.loads(r["alert_ids"])
            pending = [i for i in ids if db.execute(
                "SELECT 1 FROM alert_deliveries WHERE alert_id=? AND channel=?", (i, channel)).fetchone() is None]
            if not pending:
                db.execute("UPDATE alert_dead_letters SET resolved_at=? WHERE id=?", (_ts(at), r["id"]))

    def acknowledge_alert(self, alert_id: int, by: str, at: datetime | None = None) -> AlertRecord:
        """Mark an alert acknowledged (idempotent: a second call keeps the first time and person)."""
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM alerts WHERE id=?", (alert_id,)).fetchone() is None:
                raise NotFoundError(f"no alert with id {alert_id}; see `firewatch alerts list`")
            db.execute("UPDATE alerts SET state='acknowledged', acknowledged_at=?, acknowledged_by=? "
                       "WHERE id=? AND state!='acknowledged'", (_ts(at or utcnow()), by, alert_id))
        return self.get_alert(alert_id)

    # -- dead letters -------------------------------------------------------------------
    def add_dead_letter(self, channel: str, kind: str, alert_ids: Iterable[int], payload: dict[str, Any],
                        attempts: int, last_error: str) -> int:
        with self._db.transaction() as db:
            cur = db.execute(
                "INSERT INTO alert_dead_letters (channel, kind, alert_ids, payload, attempts, last_error, created_at) "
                "VALUES (?,?,?,?,?,?,?) RETURNING id",
                (channel, kind, json.dumps(list(alert_ids)), json.dumps(payload, ensure_ascii=False, default=str),
                 attempts, last_error[:2000], _ts(utcnow())))
            return int(cur.fetchone()[0])

    def dead_letters(self, include_resolved: bool = False) -> list[DeadLetter]:
        sql = "SELECT * FROM alert_dead_letters" + ("" if include_resolved else " WHERE resolved_at IS NULL")
        return [
            DeadLetter(id=r["id"], channel=r["channel"], kind=r["kind"], alert_ids=json.loads(r["alert_ids"]),
                       payload=json.loads(r["payload"]), attempts=r["attempts"], last_error=r["last_error"],
                       created_at=_dt(r["created_at"]), retried_at=_dt(r["retried_at"]),
                       resolved_at=_dt(r["resolved_at"]))
            for r in self._db.execute(sql + " ORDER BY id").fetchall()
        ]

    def record_dead_letter_retry(self, dead_id: int, ok: bool, attempts: int = 0, error: str = "") -> None:
        """After retrying a dead letter: resolve it, or count the attempts and keep the new error."""
        now = _ts(utcnow())
        with self._db.transaction() as db:
            if ok:
                db.execute("UPDATE alert_dead_letters SET retried_at=?, resolved_at=? WHERE id=?", (now, now, dead_id))
            else:
                db.execute("UPDATE alert_dead_letters SET retried_at=?, attempts=attempts+?, last_error=? WHERE id=?",
                           (now, attempts, error[:2000], dead_id))

    # -- image hashes -------------------------------------------------------------------
    def image_hash(self, url: str) -> dict[str, Any] | None:
        """The cached perceptual hash of an image URL: {dhash (hex or None), error, fetched_at}."""
        r = self._db.execute("SELECT * FROM image_hashes WHERE url=?", (url,)).fetchone()
        if r is None:
            return None
        return {"dhash": r["dhash"], "error": r["error"], "fetched_at": _dt(r["fetched_at"])}

    def save_image_hash(self, url: str, dhash: str | None, error: str = "") -> None:
        with self._db.transaction() as db:
            db.execute("INSERT INTO image_hashes (url, dhash, error, fetched_at) VALUES (?,?,?,?) "
                       "ON CONFLICT (url) DO UPDATE SET dhash=excluded.dhash, error=excluded.error, "
                       "fetched_at=excluded.fetched_at", (url, dhash, error[:500], _ts(utcnow())))

    # -- digests ------------------------------------------------------------------------
    def digest_sent(self, day: str, channel: str) -> bool:
        return self._db.execute("SELECT 1 FROM alert_digests WHERE day=? AND channel=?",
                                (day, channel)).fetchone() is not None

    def mark_digest_sent(self, day: str, channel: str, at: datetime | None = None) -> None:
        with self._db.transaction() as db:
            db.execute("INSERT INTO alert_digests (day, channel, sent_at) VALUES (?,?,?) "
                       "ON CONFLICT (day, channel) DO NOTHING", (day, channel, _ts(at or utcnow())))
            db.execute("UPDATE alert_dead_letters SET resolved_at=? WHERE kind='digest' AND channel=? "
                       f"AND resolved_at IS NULL AND {self._payload_day}=?", (_ts(at or utcnow()), channel, day))
