"""Enforcement-assistance requests (执法协查函) and the platforms' replies, in SQLite.

A request is numbered 〔year〕协查第N号 (N its id, the year its Beijing creation year) when it is
created, names listings of one platform and later gets its documents (PDF letter, XLSX reply
template; paths relative to the data folder, the letter's SHA-256). `add_replies` writes a whole
reply file in one transaction: its rows (the standard fields as JSON), each listing's "assist"
source and the file's `import_files` record (kind "assist_reply"), so a file is imported entirely
or not at all and the same file (by SHA-256) is never imported twice. Judging the rows is the
caller's (`alerts.assistance`); this module only stores them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from firewatch.core.models import Source, utcnow
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts
from firewatch.store.listings import record_source_in, rows_by_keys

REPLY_FILE_KIND = "assist_reply"  # import_files.kind of a reply file
_BEIJING = timezone(timedelta(hours=8))


@dataclass
class AssistRequest:
    """One 协查函: its number, platform, listings, deadline and documents (paths relative to the data folder)."""

    id: int
    number: str
    platform: str
    created_at: datetime
    created_by: str
    deadline_at: datetime
    listing_keys: list[tuple[str, str]] = field(default_factory=list)
    pdf_path: str = ""
    xlsx_path: str = ""
    document_sha256: str = ""
    xlsx_sha256: str = ""


@dataclass
class AssistReply:
    """One reply row about one listing: the seller identity in columns, every standard field in `fields`."""

    platform: str
    listing_id: str
    fields: dict[str, Any]
    file_sha256: str
    file_row: int
    request_id: int | None = None
    shop_id: str = ""
    shop_name: str = ""
    operator_name: str = ""
    credit_code: str = ""
    file_name: str = ""
    imported_at: datetime | None = None
    imported_by: str = ""
    id: int | None = None
    request_number: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.listing_id


def request_number(request_id: int, created_at: datetime) -> str:
    """〔2026〕协查第12号: the Beijing year of creation and the request's id."""
    return f"〔{created_at.astimezone(_BEIJING).year}〕协查第{request_id}号"


class SQLiteAssist:
    """`protocols.AssistRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- requests ---------------------------------------------------------------------
    def create_request(self, platform: str, keys: Iterable[tuple[str, str]], *, created_by: str,
                       deadline_at: datetime, at: datetime | None = None) -> AssistRequest:
        """A numbered request naming `keys` (documents come later, `set_documents`)."""
        keys = list(dict.fromkeys(tuple(k) for k in keys))
        if not keys:
            raise ValueError("an assistance request needs at least one listing")
        now = at or utcnow()
        with self._db.transaction() as db:
            cur = db.execute("INSERT INTO assist_requests (number, platform, created_at, created_by, deadline_at) "
                             "VALUES (?,?,?,?,?) RETURNING id", (f"pending-{now.timestamp()}-{id(keys)}", platform, _ts(now),
                                                     created_by, _ts(deadline_at)))
            request_id = int(cur.fetchone()[0])
            db.execute("UPDATE assist_requests SET number=? WHERE id=?", (request_number(request_id, now), request_id))
            db.executemany("INSERT INTO assist_request_items (request_id, platform, listing_id) VALUES (?,?,?)",
                           [(request_id, p, lid) for p, lid in keys])
        return self.get_request(request_id)

    def set_documents(self, request_id: int, *, pdf_path: str, xlsx_path: str, document_sha256: str,
                      xlsx_sha256: str) -> None:
        with self._db.transaction() as db:
            db.execute("UPDATE assist_requests SET pdf_path=?, xlsx_path=?, document_sha256=?, xlsx_sha256=? WHERE id=?",
                       (pdf_path, xlsx_path, document_sha256, xlsx_sha256, int(request_id)))

    def discard_request(self, request_id: int) -> None:
        """Remove a request whose documents could not be made (no reply can name it yet)."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM assist_request_items WHERE request_id=?", (int(request_id),))
            db.execute("DELETE FROM assist_requests WHERE id=? AND NOT EXISTS "
                       "(SELECT 1 FROM assist_replies WHERE request_id=?)", (int(request_id), int(request_id)))

    def _request(self, r: sqlite3.Row) -> AssistRequest:
        items = self._db.execute("SELECT platform, listing_id FROM assist_request_items WHERE request_id=? "
                                 "ORDER BY platform, listing_id", (r["id"],)).fetchall()
        return AssistRequest(r["id"], r["number"], r["platform"], _parse_ts(r["created_at"]), r["created_by"],
                             _parse_ts(r["deadline_at"]), [(i[0], i[1]) for i in items], r["pdf_path"],
                             r["xlsx_path"], r["document_sha256"], r["xlsx_sha256"])

    def get_request(self, request_id: int) -> AssistRequest | None:
        r = self._db.execute("SELECT * FROM assist_requests WHERE id=?", (int(request_id),)).fetchone()
        return None if r is None else self._request(r)

    def request_by_number(self, number: str) -> AssistRequest | None:
        r = self._db.execute("SELECT * FROM assist_requests WHERE number=?", (number,)).fetchone()
        return None if r is None else self._request(r)

    def requests(self, platform: str | None = None, key: tuple[str, str] | None = None) -> list[AssistRequest]:
        """Requests, newest first: all, of one platform, or naming one listing."""
        sql, args = "SELECT * FROM assist_requests WHERE 1=1", []
        if platform:
            sql += " AND platform=?"
            args.append(platform)
        if key is not None:
            sql += " AND id IN (SELECT request_id FROM assist_request_items WHERE platform=? AND listing_id=?)"
            args.extend(key)
        return [self._request(r) for r in self._db.execute(sql + " ORDER BY id DESC", args).fetchall()]

    # -- replies ----------------------------------------------------------------------
    def add_replies(self, replies: list[AssistReply], sources: list[tuple[tuple[str, str], Source]], *,
                    file_sha256: str, file_name: str, source_name: str, rows: int, imported_by: str = "",
                    at: datetime | None = None) -> int:
        """Store a reply file's rows, their listings' sources and the file's record in one transaction;
        returns the rows stored (0 when the file was imported before: nothing is written)."""
        now = at or utcnow()
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM import_files WHERE kind=? AND sha256=?", (REPLY_FILE_KIND, file_sha256)).fetchone():
                return 0
            for r in replies:
                db.execute(
                    "INSERT INTO assist_replies (request_id, platform, listing_id, shop_id, shop_name, operator_name, "
                    "credit_code, fields, file_sha256, file_name, file_row, imported_at, imported_by) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r.request_id, r.platform, r.listing_id, r.shop_id, r.shop_name, r.operator_name, r.credit_code,
                     json.dumps(r.fields, ensure_ascii=False, sort_keys=True), file_sha256, file_name, r.file_row,
                     _ts(now), imported_by))
            for key, source in sources:
                record_source_in(db, key, source, now)
            db.execute("INSERT INTO import_files (sha256, kind, name, source, rows, listings, imported_at, imported_by) "
                       "VALUES (?,?,?,?,?,?,?,?)",
                       (file_sha256, REPLY_FILE_KIND, file_name, source_name, rows, len({r.key for r in replies}),
                        _ts(now), imported_by))
        return len(replies)

    def _reply(self, r: sqlite3.Row) -> AssistReply:
        return AssistReply(r["platform"], r["listing_id"], json.loads(r["fields"]), r["file_sha256"], r["file_row"],
                           r["request_id"], r["shop_id"], r["shop_name"], r["operator_name"], r["credit_code"],
                           r["file_name"], _parse_ts(r["imported_at"]), r["imported_by"], r["id"],
                           r["number"] or "")

    _SELECT = ("SELECT assist_replies.*, assist_requests.number FROM assist_replies "
               "LEFT JOIN assist_requests ON assist_requests.id = assist_replies.request_id ")

    def replies_for(self, key: tuple[str, str]) -> list[AssistReply]:
        """Replies about one listing, oldest first."""
        rows = self._db.execute(self._SELECT + "WHERE assist_replies.platform=? AND assist_replies.listing_id=? "
                                "ORDER BY assist_replies.id", key).fetchall()
        return [self._reply(r) for r in rows]

    def reply_counts(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many replies each of these listings has (none: absent), in a few queries."""
        counts: dict[tuple[str, str], int] = {}
        for r in rows_by_keys(self._db, "assist_replies", keys):
            key = (r["platform"], r["listing_id"])
            counts[key] = counts.get(key, 0) + 1
        return counts

    def replies_for_shop(self, platform: str, shop_id: str, shop_name: str = "") -> list[AssistReply]:
        """Replies about any listing of one shop (by shop id, else by shop name), oldest first."""
        if not shop_id and not shop_name:
            return []
        rows = self._db.execute(
            self._SELECT + "WHERE assist_replies.platform=? AND ((?<>'' AND assist_replies.shop_id=?) OR "
            "(?<>'' AND assist_replies.shop_name=?)) ORDER BY assist_replies.id",
            (platform, shop_id, shop_id, shop_name, shop_name)).fetchall()
        return [self._reply(r) for r in rows]

    def reply_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM assist_replies").fetchone()[0])

    def replies_of_request(self, request_id: int) -> list[AssistReply]:
        rows = self._db.execute(self._SELECT + "WHERE assist_replies.request_id=? ORDER BY assist_replies.id",
                                (int(request_id),)).fetchall()
        return [self._reply(r) for r in rows]
