"""Takedown notices in SQLite (one row per notice, one per listing it names), and
platforms' reports that they removed a listing (a re-crawl verifies them).

It stores the lifecycle (draft, sent, acknowledged, overdue, removal_verified) without judging
it: the transitions live in `alerts.notices`. The letter's HTML and PDF paths are stored relative
to the data folder (`firewatch.core.datapaths`); readers resolve them against the current one. A
second removal report of a listing already reported removed is refused (`report_removed` returns
None) unless the listing was seen on sale again after that report. Every status change is guarded by the status it
expects, so two processes acting on one notice cannot both win; a failed guard returns False.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from firewatch.core.datapaths import stored_path
from firewatch.core.models import Notice, utcnow
from firewatch.store.listings import rows_by_keys
from firewatch.store.db import SQLiteDatabase

OPEN_STATUSES = ("sent", "acknowledged", "overdue")  # sent and not yet verified removed


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SQLiteNotices:
    """`protocols.NoticeRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase, data_dir: Path | None = None):
        self._db = db
        self._data_dir = data_dir

    def create_notice(self, platform: str, keys: Iterable[tuple[str, str]], created_by: str = "",
                      at: datetime | None = None) -> int:
        """A draft notice naming `keys` (all of `platform`); returns its id."""
        keys = list(dict.fromkeys(tuple(k) for k in keys))
        if not keys:
            raise ValueError("a notice needs at least one listing")
        foreign = [k for k in keys if k[0] != platform]
        if foreign:
            raise ValueError(f"listings of another platform in a {platform} notice: {foreign}")
        with self._db.transaction() as db:
            cur = db.execute("INSERT INTO notices (platform, created_at, created_by, status) VALUES (?,?,?, 'draft') RETURNING id",
                             (platform, _ts(at or utcnow()), created_by))
            notice_id = int(cur.fetchone()[0])
            db.executemany("INSERT INTO notice_items (notice_id, platform, listing_id) VALUES (?,?,?)",
                           [(notice_id, p, lid) for p, lid in keys])
        return notice_id

    def _row_to_notice(self, r: sqlite3.Row) -> Notice:
        items = self._db.execute(
            "SELECT platform, listing_id, removed_at FROM notice_items WHERE notice_id=? ORDER BY platform, listing_id",
            (r["id"],)).fetchall()
        return Notice(
            platform=r["platform"], listing_keys=[(i["platform"], i["listing_id"]) for i in items],
            created_at=_parse(r["created_at"]), status=r["status"],
            removal_verified_at=_parse(r["removal_verified_at"]), id=r["id"], created_by=r["created_by"],
            sent_at=_parse(r["sent_at"]), sent_by=r["sent_by"], channel=r["channel"],
            deadline_at=_parse(r["deadline_at"]), acknowledged_at=_parse(r["acknowledged_at"]),
            acknowledged_by=r["acknowledged_by"], ack_note=r["ack_note"], checked_at=_parse(r["checked_at"]),
            html_path=r["html_path"], pdf_path=r["pdf_path"], document_sha256=r["document_sha256"],
            removed={(i["platform"], i["listing_id"]): _parse(i["removed_at"]) for i in items if i["removed_at"]},
        )

    def get_notice(self, notice_id: int) -> Notice | None:
        r = self._db.execute("SELECT * FROM notices WHERE id=?", (int(notice_id),)).fetchone()
        return None if r is None else self._row_to_notice(r)

    def notices(self, platform: str | None = None, statuses: Iterable[str] | None = None) -> list[Notice]:
        """Notices, oldest first, optionally of one platform and some statuses."""
        sql, args = "SELECT * FROM notices WHERE 1=1", []
        if platform:
            sql += " AND platform=?"
            args.append(platform)
        if statuses is not None:
            statuses = list(statuses)
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args.extend(statuses)
        return [self._row_to_notice(r) for r in self._db.execute(sql + " ORDER BY id", args).fetchall()]

    def noticed_keys(self, platform: str | None = None) -> set[tuple[str, str]]:
        """Listings already named in some notice (any status)."""
        sql, args = "SELECT DISTINCT platform, listing_id FROM notice_items", ()
        if platform:
            sql, args = sql + " WHERE platform=?", (platform,)
        return {(r[0], r[1]) for r in self._db.execute(sql, args)}

    def _update_notice(self, notice_id: int, expected: Iterable[str], **values: Any) -> bool:
        expected = list(expected)
        sets = ", ".join(f"{k}=?" for k in values)
        args = [_ts(v) if isinstance(v, datetime) else v for v in values.values()]
        with self._db.transaction() as db:
            cur = db.execute(
                f"UPDATE notices SET {sets} WHERE id=? AND status IN ({','.join('?' * len(expected))})",
                (*args, int(notice_id), *expected))
            return cur.rowcount == 1

    def mark_notice_sent(self, notice_id: int, *, sent_by: str, channel: str, at: datetime,
                         deadline_at: datetime, html_path: str, pdf_path: str, document_sha256: str) -> bool:
        """draft -> sent; False when the notice is not a draft."""
        return self._update_notice(notice_id, ("draft",), status="sent", sent_at=at, sent_by=sent_by,
                                   channel=channel, deadline_at=deadline_at,
                                   html_path=stored_path(html_path, self._data_dir),
                                   pdf_path=stored_path(pdf_path, self._data_dir), document_sha256=document_sha256)

    def mark_notice_acknowledged(self, notice_id: int, *, by: str, at: datetime, note: str = "") -> bool:
        """sent or overdue -> acknowledged; False otherwise."""
        return self._update_notice(notice_id, ("sent", "overdue"), status="acknowledged", acknowledged_at=at,
                                   acknowledged_by=by, ack_note=note)

    def set_notice_state(self, notice_id: int, expected: Iterable[str], status: str, *, checked_at: datetime,
                         removal_verified_at: datetime | None = None) -> bool:
        """Move a notice from one of `expected` to `status` (re-evaluation by `alerts.notices`)."""
        return self._update_notice(notice_id, expected, status=status, checked_at=checked_at,
                                   removal_verified_at=removal_verified_at)

    def mark_notice_item_removed(self, notice_id: int, key: tuple[str, str], at: datetime, basis: str) -> None:
        """Record that a listed listing was found removed (first finding wins)."""
        with self._db.transaction() as db:
            db.execute("UPDATE notice_items SET removed_at=?, removal_basis=? "
                       "WHERE notice_id=? AND platform=? AND listing_id=? AND removed_at IS NULL",
                       (_ts(at), basis, int(notice_id), key[0], key[1]))

    def notice_item_bases(self, notice_id: int) -> dict[tuple[str, str], str]:
        """How each removed item's removal was established."""
        rows = self._db.execute("SELECT platform, listing_id, removal_basis FROM notice_items "
                                "WHERE notice_id=? AND removed_at IS NOT NULL", (int(notice_id),))
        return {(r[0], r[1]): r[2] for r in rows}

    def sent_notice_items(self) -> list[dict[str, Any]]:
        """Listings named in notices that were sent and are not verified removed.

        One dict per (notice, listing): notice_id, platform, listing_id, sent_at (datetime).
        Notices in status sent, acknowledged or overdue (overdue is sent without an answer
        by the deadline) count; items whose removal was already verified do not.
        """
        rows = self._db.execute(
            "SELECT n.id, i.platform, i.listing_id, n.sent_at FROM notices n JOIN notice_items i ON i.notice_id=n.id "
            f"WHERE n.status IN ({','.join('?' * len(OPEN_STATUSES))}) AND i.removed_at IS NULL "
            "ORDER BY n.id, i.platform, i.listing_id", OPEN_STATUSES).fetchall()
        return [{"notice_id": r[0], "platform": r[1], "listing_id": r[2], "sent_at": _parse(r[3])} for r in rows]

    # -- removal reports ----------------------------------------------------------
    def report_removed(self, key: tuple[str, str], reported_by: str, note: str = "") -> int | None:
        """A platform says it removed a listing (a re-crawl verifies it); returns the report's id, or
        None when the listing was already reported removed and has not been seen on sale since."""
        with self._db.transaction() as db:
            prior = db.execute("SELECT at FROM removal_reports WHERE platform=? AND listing_id=? ORDER BY id DESC LIMIT 1",
                               key).fetchone()
            if prior is not None:
                seen = db.execute("SELECT status, last_seen FROM listings WHERE platform=? AND listing_id=?", key).fetchone()
                if seen is None or seen[0] != "active" or _parse(seen[1]) <= _parse(prior[0]):
                    return None
            cur = db.execute("INSERT INTO removal_reports (platform, listing_id, reported_by, at, note) VALUES (?,?,?,?,?) RETURNING id",
                             (*key, reported_by, utcnow().isoformat(), note))
            return int(cur.fetchone()[0])

    def removal_reports(self, platform: str) -> dict[str, dict[str, Any]]:
        """The latest removal report per listing id of one platform."""
        rows = self._db.execute("SELECT * FROM removal_reports WHERE platform=? ORDER BY id", (platform,)).fetchall()
        return {r["listing_id"]: dict(r) for r in rows}

    def removal_reports_for(self, platform: str, listing_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The latest removal report of each of these listing ids of one platform (by index)."""
        keys = [(platform, listing_id) for listing_id in listing_ids]
        found: dict[str, dict[str, Any]] = {}
        for r in sorted(rows_by_keys(self._db, "removal_reports", keys), key=lambda r: r["id"]):
            found[r["listing_id"]] = dict(r)  # the latest wins
        return found

    def notice_page(self, platform: str, *, exclude_status: str = "draft", before_id: int | None = None,
                    limit: int = 20) -> list[Notice]:
        """Up to `limit` of the platform's notices, newest first (ids below `before_id`), leaving out
        `exclude_status`; each notice with its items."""
        sql, args = "SELECT * FROM notices WHERE platform=? AND status<>?", [platform, exclude_status]
        if before_id is not None:
            sql += " AND id<?"
            args.append(int(before_id))
        rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, int(limit))).fetchall()
        return [self._row_to_notice(r) for r in rows]

    def notice_counts(self, notice_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """Per notice: its listings (`items`), those the platform reported removed (`reported`), those
        a re-crawl verified removed (`verified`) and those either way removed (`removed`), in SQL."""
        ids = [int(i) for i in notice_ids]
        if not ids:
            return {}
        reported = ("EXISTS (SELECT 1 FROM removal_reports r WHERE r.platform=i.platform "
                    "AND r.listing_id=i.listing_id)")
        rows = self._db.execute(
            "SELECT i.notice_id, COUNT(*), "
            "SUM(CASE WHEN i.removed_at IS NOT NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {reported} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN i.removed_at IS NOT NULL OR {reported} THEN 1 ELSE 0 END) "
            f"FROM notice_items i WHERE i.notice_id IN ({','.join('?' * len(ids))}) GROUP BY i.notice_id", ids)
        return {int(r[0]): {"items": int(r[1]), "verified": int(r[2] or 0), "reported": int(r[3] or 0),
                            "removed": int(r[4] or 0)} for r in rows}

    def notice_items_page(self, notice_id: int, *, after: tuple[str, str] | None = None,
                          limit: int = 50) -> list[dict[str, Any]]:
        """Up to `limit` of a notice's listings after the key `after`, by key: each with its real URL,
        title and shop, when a re-crawl verified its removal and when the platform last reported it."""
        sql = ("SELECT i.platform, i.listing_id, i.removed_at, i.removal_basis, l.url, l.title, l.shop_name, l.status, "
               "(SELECT MAX(r.at) FROM removal_reports r WHERE r.platform=i.platform AND r.listing_id=i.listing_id) "
               "FROM notice_items i LEFT JOIN listings l ON l.platform=i.platform AND l.listing_id=i.listing_id "
               "WHERE i.notice_id=?")
        args: list[Any] = [int(notice_id)]
        if after is not None:
            sql += " AND (i.platform > ? OR (i.platform = ? AND i.listing_id > ?))"
            args += [after[0], after[0], after[1]]
        rows = self._db.execute(sql + " ORDER BY i.platform, i.listing_id LIMIT ?", (*args, int(limit))).fetchall()
        return [{"platform": r[0], "listing_id": r[1], "removed_at": _parse(r[2]), "removal_basis": r[3] or "",
                 "url": r[4] or "", "title": r[5] or "", "shop_name": r[6] or "", "status": r[7] or "",
                 "reported_at": _parse(r[8])} for r in rows]
