"""Store methods for the review web app: users, sessions, login attempts, the audit log,
investigators' cases, platform API tokens and platforms' removal reports (migration 5).

`UsersMixin` is mixed into `SQLiteStore` like the other store mixins. It stores only
what it is given: password hashes are made by the caller (Argon2, `firewatch.web.security`),
session and API tokens are kept as SHA-256 digests so a copy of the database does not
log anyone in. The audit log is append-only and hash-chained (each entry's hash covers
the previous one), so an edited or deleted row shows as a broken chain in `audit_verify`.
Callers get plain dicts, never SQL rows.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from firewatch.core.models import utcnow

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


class UsersMixin:
    """Users, sessions, audit log, cases, API tokens and removal reports."""

    _db: sqlite3.Connection

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
        with self.transaction() as db:  # type: ignore[attr-defined]
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
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("UPDATE users SET password_hash=? WHERE name=? AND password_hash=?", (new_hash, name, old_hash))
            return cur.rowcount > 0

    def set_password_hash(self, name: str, password_hash: str) -> bool:
        """Replace a user's hash and end their sessions; False when there is no such user."""
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("UPDATE users SET password_hash=? WHERE name=?", (password_hash, name))
            db.execute("DELETE FROM web_sessions WHERE username=?", (name,))
            return cur.rowcount > 0

    # -- sessions ---------------------------------------------------------------
    def create_session(self, token: str, username: str, csrf_token: str, lifetime: timedelta, ip: str = "") -> None:
        now = utcnow()
        with self.transaction() as db:  # type: ignore[attr-defined]
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
        with self.transaction() as db:  # type: ignore[attr-defined]
            db.execute("DELETE FROM web_sessions WHERE token_sha256=?", (token_digest(token),))

    # -- login attempts ---------------------------------------------------------
    def record_login_attempt(self, username: str, ip: str, success: bool) -> None:
        with self.transaction() as db:  # type: ignore[attr-defined]
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
        with self.transaction() as db:  # type: ignore[attr-defined]
            last = db.execute("SELECT entry_sha256 FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            prev = last[0] if last else GENESIS
            digest = _entry_hash(prev, at, actor, action, subject, text, ip)
            cur = db.execute("INSERT INTO audit_log (at, actor, action, subject, detail, ip, prev_sha256, entry_sha256) "
                             "VALUES (?,?,?,?,?,?,?,?)", (at, actor, action, subject, text, ip, prev, digest))
            return int(cur.lastrowid)

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

    def audit_entry(self, entry_id: int) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM audit_log WHERE id=?", (int(entry_id),)).fetchone()
        return None if r is None else dict(r, detail=json.loads(r["detail"]))

    def audit_verify(self) -> list[int]:
        """Ids of audit entries whose chain does not hold (empty: intact)."""
        bad, prev = [], GENESIS
        for r in self._db.execute("SELECT * FROM audit_log ORDER BY id"):
            expected = _entry_hash(prev, r["at"], r["actor"], r["action"], r["subject"], r["detail"], r["ip"])
            if r["prev_sha256"] != prev or r["entry_sha256"] != expected:
                bad.append(r["id"])
            prev = r["entry_sha256"]
        return bad

    # -- API tokens -------------------------------------------------------------
    def add_api_token(self, name: str, platform: str, token: str, created_by: str = "") -> int:
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("INSERT INTO api_tokens (name, platform, token_sha256, created_by, created_at) VALUES (?,?,?,?,?)",
                             (name, platform, token_digest(token), created_by, utcnow().isoformat()))
            return int(cur.lastrowid)

    def api_tokens(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT id, name, platform, created_by, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id")]

    def revoke_api_token(self, token_id: int) -> bool:
        with self.transaction() as db:  # type: ignore[attr-defined]
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
        with self.transaction() as db:  # type: ignore[attr-defined]
            db.execute("UPDATE api_tokens SET last_used_at=? WHERE id=?", (utcnow().isoformat(), r["id"]))
        return dict(r)

    # -- cases ------------------------------------------------------------------
    def create_case(self, title: str, created_by: str, note: str = "") -> int:
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("INSERT INTO cases (title, note, created_by, created_at) VALUES (?,?,?,?)",
                             (title, note, created_by, utcnow().isoformat()))
            return int(cur.lastrowid)

    def cases(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM case_items i WHERE i.case_id=c.id) AS items FROM cases c ORDER BY c.id DESC")]

    def get_case(self, case_id: int) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return None if r is None else dict(r)

    def add_case_item(self, case_id: int, key: tuple[str, str], added_by: str) -> bool:
        """Add a listing to a case; False when it was there already. ValueError for an unknown case or listing."""
        with self.transaction() as db:  # type: ignore[attr-defined]
            if db.execute("SELECT 1 FROM cases WHERE id=?", (case_id,)).fetchone() is None:
                raise ValueError(f"no case {case_id}")
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?", key).fetchone() is None:
                raise ValueError(f"no listing {key[0]}:{key[1]} in the store")
            cur = db.execute("INSERT OR IGNORE INTO case_items (case_id, platform, listing_id, added_by, added_at) VALUES (?,?,?,?,?)",
                             (case_id, *key, added_by, utcnow().isoformat()))
            return cur.rowcount > 0

    def remove_case_item(self, case_id: int, key: tuple[str, str]) -> bool:
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("DELETE FROM case_items WHERE case_id=? AND platform=? AND listing_id=?", (case_id, *key))
            return cur.rowcount > 0

    def case_items(self, case_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT platform, listing_id, added_by, added_at FROM case_items WHERE case_id=? ORDER BY added_at, platform, listing_id",
            (case_id,))]

    # -- removal reports ----------------------------------------------------------
    def report_removed(self, key: tuple[str, str], reported_by: str, note: str = "") -> int:
        """A platform says it removed a listing (a re-crawl verifies it); returns the report's id."""
        with self.transaction() as db:  # type: ignore[attr-defined]
            cur = db.execute("INSERT INTO removal_reports (platform, listing_id, reported_by, at, note) VALUES (?,?,?,?,?)",
                             (*key, reported_by, utcnow().isoformat(), note))
            return int(cur.lastrowid)

    def removal_reports(self, platform: str) -> dict[str, dict[str, Any]]:
        """The latest removal report per listing id of one platform."""
        rows = self._db.execute("SELECT * FROM removal_reports WHERE platform=? ORDER BY id", (platform,)).fetchall()
        return {r["listing_id"]: dict(r) for r in rows}

    # -- read helpers for the review pages ----------------------------------------
    def latest_verdicts(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each decided listing's latest decision (verdict, reviewer, note, at) in one query."""
        rows = self._db.execute(
            "SELECT d.platform, d.listing_id, d.verdict, d.reviewer, d.note, d.at FROM decisions d "
            "WHERE d.id = (SELECT d2.id FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
            "ORDER BY d2.at DESC, d2.id DESC LIMIT 1)").fetchall()
        return {(r["platform"], r["listing_id"]): dict(r) for r in rows}

    def shop_listing_keys(self, platform: str, shop_id: str, shop_name: str = "", limit: int = 50) -> list[tuple[str, str]]:
        """Keys of one shop's listings on one platform (by shop id, or by name when there is no id)."""
        if shop_id:
            rows = self._db.execute("SELECT platform, listing_id FROM listings WHERE platform=? AND shop_id=? "
                                    "ORDER BY last_seen DESC LIMIT ?", (platform, shop_id, limit))
        elif shop_name:
            rows = self._db.execute("SELECT platform, listing_id FROM listings WHERE platform=? AND shop_name=? "
                                    "ORDER BY last_seen DESC LIMIT ?", (platform, shop_name, limit))
        else:
            return []
        return [(r[0], r[1]) for r in rows]

    def listing_titles(self) -> list[tuple[str, str, str, str, str]]:
        """(platform, listing_id, title, status, first_seen) of every listing, for similarity checks."""
        return [tuple(r) for r in self._db.execute("SELECT platform, listing_id, title, status, first_seen FROM listings")]
