"""Users, sessions, login attempts, the audit log and platform API tokens in SQLite.

It stores only what it is given: password hashes are made by the caller (Argon2,
`firewatch.web.security`); session and API tokens are kept as SHA-256 digests, so a copy
of the database logs no one in. The audit log is append-only and hash-chained, so an edited
or deleted row shows as a broken chain in `audit_verify`. Callers get plain dicts.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from firewatch.core.models import utcnow
from firewatch.store.db import SQLiteDatabase

ROLES = ("regulator", "investigator", "analyst", "platform", "admin")
GENESIS = "0" * 64


def token_digest(token: str) -> str:
    """The SHA-256 under which a session or API token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login_key(name: str) -> str:
    """The form of a user name that uniqueness and login rate limiting go by: NFKC-normalised,
    trimmed and case-folded, so `Alice`, `ALICE` and full-width `ａｌｉｃｅ` are one name."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _entry_hash(prev: str, at: str, actor: str, action: str, subject: str, detail: str, ip: str) -> str:
    payload = json.dumps([prev, at, actor, action, subject, detail, ip], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SQLiteUsers:
    """`protocols.UserRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- users ------------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, platform: str = "") -> None:
        """Create a user. Raises ValueError for an unknown role, a platform user without a
        platform, or a name already taken."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        if role == "platform" and not platform:
            raise ValueError("a platform user needs --platform (e.g. jd)")
        if role != "platform":
            platform = ""
        with self._db.transaction() as db:
            taken = [r[0] for r in db.execute("SELECT name FROM users") if login_key(r[0]) == login_key(name)]
            if taken:
                raise ValueError(f"user {taken[0]!r} exists already (names differing only in case or width are one "
                                 f"name); use `firewatch user passwd {taken[0]}`")
            db.execute("INSERT INTO users (name, role, platform, password_hash, created_at) VALUES (?,?,?,?,?)",
                       (name, role, platform, password_hash, utcnow().isoformat()))

    def get_user(self, name: str) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM users WHERE name=?", (name,)).fetchone()
        return None if r is None else dict(r)

    def users(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute("SELECT name, role, platform, created_at, disabled FROM users ORDER BY name")]

    def upgrade_password_hash(self, name: str, old_hash: str, new_hash: str) -> bool:
        """Replace a just-verified hash by a stronger one of the same password (sessions stay);
        False when the hash changed meanwhile."""
        with self._db.transaction() as db:
            cur = db.execute("UPDATE users SET password_hash=? WHERE name=? AND password_hash=?", (new_hash, name, old_hash))
            return cur.rowcount > 0

    def set_password_hash(self, name: str, password_hash: str) -> bool:
        """Replace a user's hash and end their sessions; False when there is no such user."""
        with self._db.transaction() as db:
            cur = db.execute("UPDATE users SET password_hash=? WHERE name=?", (password_hash, name))
            db.execute("DELETE FROM web_sessions WHERE username=?", (name,))
            return cur.rowcount > 0

    # -- sessions ---------------------------------------------------------------
    def create_session(self, token: str, username: str, csrf_token: str, lifetime: timedelta, ip: str = "") -> None:
        now = utcnow()
        with self._db.transaction() as db:
            db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now.isoformat(),))
            db.execute("INSERT INTO web_sessions (token_sha256, username, csrf_token, created_at, expires_at, ip) VALUES (?,?,?,?,?,?)",
                       (token_digest(token), username, csrf_token, now.isoformat(), (now + lifetime).isoformat(), ip))

    def session_user(self, token: str) -> tuple[dict[str, Any], str] | None:
        """(user, csrf token) for a live session token of an enabled user, else None."""
        r = self._db.execute(
            "SELECT u.name, u.role, u.platform, u.disabled, s.csrf_token, s.expires_at FROM web_sessions s "
            "JOIN users u ON u.name = s.username WHERE s.token_sha256=?", (token_digest(token),)).fetchone()
        if r is None or r["disabled"] or datetime.fromisoformat(r["expires_at"]) < utcnow():
            return None
        return {"name": r["name"], "role": r["role"], "platform": r["platform"]}, r["csrf_token"]

    def delete_session(self, token: str) -> None:
        with self._db.transaction() as db:
            db.execute("DELETE FROM web_sessions WHERE token_sha256=?", (token_digest(token),))

    # -- login attempts ---------------------------------------------------------
    def record_login_attempt(self, username: str, ip: str, success: bool) -> None:
        with self._db.transaction() as db:
            db.execute("INSERT INTO login_attempts (username, ip, at, success) VALUES (?,?,?,?)",
                       (login_key(username), ip, utcnow().isoformat(), int(success)))

    def recent_login_failures(self, username: str, ip: str, window: timedelta) -> int:
        """Failed attempts for this user name (any case or width: `login_key`) from this address since
        the last success within the window."""
        since, username = (utcnow() - window).isoformat(), login_key(username)
        last_ok = self._db.execute("SELECT MAX(at) FROM login_attempts WHERE username=? AND ip=? AND success=1 AND at>=?",
                                   (username, ip, since)).fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM login_attempts WHERE username=? AND ip=? AND success=0 AND at>=?",
                                (username, ip, max(since, last_ok or since))).fetchone()[0]

    def recent_ip_failures(self, ip: str, window: timedelta) -> int:
        """Failed attempts from this address for any user name within the window (password spraying)."""
        since = (utcnow() - window).isoformat()
        return self._db.execute("SELECT COUNT(*) FROM login_attempts WHERE ip=? AND success=0 AND at>=?",
                                (ip, since)).fetchone()[0]

    # -- audit log --------------------------------------------------------------
    def audit(self, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None, ip: str = "") -> int:
        """Append one audit entry (chained to the previous one); returns its id."""
        at = utcnow().isoformat()
        text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        with self._db.transaction() as db:
            last = db.execute("SELECT entry_sha256 FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            prev = last[0] if last else GENESIS
            digest = _entry_hash(prev, at, actor, action, subject, text, ip)
            cur = db.execute("INSERT INTO audit_log (at, actor, action, subject, detail, ip, prev_sha256, entry_sha256) "
                             "VALUES (?,?,?,?,?,?,?,?) RETURNING id", (at, actor, action, subject, text, ip, prev, digest))
            return int(cur.fetchone()[0])

    def audit_entries(self, subject: str | None = None, actor: str | None = None, action: str | None = None,
                      subject_prefix: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Audit entries, newest first, filtered by exact subject, subject prefix, actor or action."""
        where, args = [], []
        for column, value in (("subject", subject), ("actor", actor), ("action", action)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        if subject_prefix is not None:
            where.append("substr(subject, 1, ?) = ?")
            args += [len(subject_prefix), subject_prefix]
        sql = "SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
        rows = self._db.execute(sql, (*args, int(limit))).fetchall()
        return [dict(r, detail=json.loads(r["detail"])) for r in rows]

    def audit_page(self, *, actor: str | None = None, action: str | None = None, since: str | None = None,
                   until: str | None = None, before: tuple[str, int] | None = None,
                   limit: int = 100) -> list[dict[str, Any]]:
        """Audit entries newest first, at or after `since` and before `until` (UTC ISO times), by actor
        or action, continuing after the (at, id) position `before` (keyset: indexes on (at, id),
        (actor, at, id) and (action, at, id), migration 17, so a page never scans the log)."""
        where, args = [], []
        for column, value in (("actor", actor), ("action", action)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        if since:
            where.append("at>=?")
            args.append(since)
        if until:
            where.append("at<?")
            args.append(until)
        if before is not None:
            where.append("at<=? AND (at<? OR id<?)")  # the first term is the index range
            args += [before[0], before[0], int(before[1])]
        sql = ("SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY at DESC, id DESC LIMIT ?")
        rows = self._db.execute(sql, (*args, int(limit))).fetchall()
        return [dict(r, detail=json.loads(r["detail"])) for r in rows]

    def audit_entry(self, entry_id: int) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM audit_log WHERE id=?", (int(entry_id),)).fetchone()
        return None if r is None else dict(r, detail=json.loads(r["detail"]))

    def audit_verify(self, newest: int | None = None) -> list[int]:
        """Ids of audit entries whose chain does not hold (empty: intact); with `newest`, only the
        newest that many entries, chained from the entry before them (a page's bounded check)."""
        bad, prev = [], GENESIS
        sql, args = "SELECT * FROM audit_log ORDER BY id", ()
        if newest is not None:
            start = self._db.execute("SELECT id, entry_sha256 FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET ?",
                                     (int(newest),)).fetchone()
            if start is not None:
                prev = start[1]
                sql, args = "SELECT * FROM audit_log WHERE id>? ORDER BY id", (start[0],)
        for r in self._db.execute(sql, args):
            expected = _entry_hash(prev, r["at"], r["actor"], r["action"], r["subject"], r["detail"], r["ip"])
            if r["prev_sha256"] != prev or r["entry_sha256"] != expected:
                bad.append(r["id"])
            prev = r["entry_sha256"]
        return bad

    # -- API tokens -------------------------------------------------------------
    def add_api_token(self, name: str, platform: str, token: str, created_by: str = "") -> int:
        with self._db.transaction() as db:
            cur = db.execute("INSERT INTO api_tokens (name, platform, token_sha256, created_by, created_at) VALUES (?,?,?,?,?) RETURNING id",
                             (name, platform, token_digest(token), created_by, utcnow().isoformat()))
            return int(cur.fetchone()[0])

    def api_tokens(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT id, name, platform, created_by, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id")]

    def revoke_api_token(self, token_id: int) -> bool:
        with self._db.transaction() as db:
            cur = db.execute("UPDATE api_tokens SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                             (utcnow().isoformat(), token_id))
            return cur.rowcount > 0

    def api_token_owner(self, token: str) -> dict[str, Any] | None:
        """The live (not revoked) token's record, its last use updated; None otherwise."""
        digest = token_digest(token)
        r = self._db.execute("SELECT id, name, platform FROM api_tokens WHERE token_sha256=? AND revoked_at IS NULL",
                             (digest,)).fetchone()
        if r is None:
            return None
        with self._db.transaction() as db:
            db.execute("UPDATE api_tokens SET last_used_at=? WHERE id=?", (utcnow().isoformat(), r["id"]))
        return dict(r)
