"""Schema migrations for the SQLite store, applied in order and recorded in a table.

Each migration is (version, name, SQL). Never edit an applied migration: add a new one. The SQL
is written for SQLite and translated for PostgreSQL (`postgres.pg_ddl`); a migration that only one
backend needs gives a dict of SQL by dialect ("sqlite", "postgresql"), absent meaning nothing to do.
Money is stored as integer fen (1 yuan = 100 fen); timestamps as ISO 8601 UTC text.

A migration that rewrites data in Python is a `DataStep`: its SQL first, then `rewrite(db, data_dir)`
in the same transaction (`data_dir`: the store's data folder, None when it is not known).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from firewatch.core.datapaths import stored_path
from firewatch.core.exceptions import StoreError
from firewatch.core.clock import utcnow
from firewatch.store.db import _ts
from firewatch.store.queue import enqueue_in
from firewatch.store.triage import fill_decided_codes_in, fill_priorities_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataStep:
    """A migration's SQL, then a Python rewrite of existing rows."""

    sql: str
    rewrite: Callable[[Any, "Path | None"], None]


def triage_priorities(db: Any, data_dir: Path | None) -> None:
    """Migration 16's data: the priority and filter keys of the queue rows written before it."""
    filled = fill_priorities_in(db)
    if filled:
        log.info("migration 16: priorities computed for %d review-queue rows", filled)


# evidence records are JSON written by json.dumps (default separators): an absolute folder reads so
_ABSOLUTE_DIRECTORY = '%"directory": "/%'
BATCH = 1000  # evidence rows read per query


def relative_paths(db: Any, data_dir: Path | None) -> None:
    """Evidence folders and notice documents recorded as absolute paths inside the data folder
    become relative to it; paths outside it stay absolute and are reported (logged).

    Only rows holding an absolute path are read, in id batches of BATCH (never the whole table).
    When the store's data folder is not known and such rows exist, raises StoreError (in Chinese):
    the transaction rolls back and the migration is not recorded, so it runs again, complete, when a
    program opens the store with its data folder (every opener passes it)."""
    has_absolute = db.execute("SELECT 1 FROM evidence WHERE record LIKE ? LIMIT 1", (_ABSOLUTE_DIRECTORY,)).fetchone() \
        or db.execute("SELECT 1 FROM notices WHERE html_path LIKE '/%' OR pdf_path LIKE '/%' LIMIT 1").fetchone()
    if not has_absolute:
        return
    if data_dir is None:
        raise StoreError("数据库升级（迁移 15）需要知道数据文件夹：库中的取证或通知记录仍是绝对路径，"
                         "请用指定数据文件夹的程序（如 firewatch web、firewatch crawl）打开数据库后再试；"
                         "数据库未作任何改动")
    outside: list[str] = []

    def rel(path: str) -> str:
        new = stored_path(path, data_dir)
        if new == path and Path(path).is_absolute():
            outside.append(path)
        return new

    last = 0
    while True:
        rows = db.execute("SELECT id, record FROM evidence WHERE id > ? AND record LIKE ? ORDER BY id LIMIT ?",
                          (last, _ABSOLUTE_DIRECTORY, BATCH)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        for row in rows:
            record = json.loads(row[1])
            directory = str(record.get("directory") or "")
            if directory and Path(directory).is_absolute():
                new = rel(directory)
                if new != directory:
                    record["directory"] = new
                    db.execute("UPDATE evidence SET record=? WHERE id=?", (json.dumps(record, ensure_ascii=False), row[0]))
    last = 0
    while True:
        rows = db.execute("SELECT id, html_path, pdf_path FROM notices WHERE id > ? AND (html_path LIKE '/%' "
                          "OR pdf_path LIKE '/%') ORDER BY id LIMIT ?", (last, BATCH)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        for row in rows:
            html, pdf = str(row[1] or ""), str(row[2] or "")
            new_html = rel(html) if html and Path(html).is_absolute() else html
            new_pdf = rel(pdf) if pdf and Path(pdf).is_absolute() else pdf
            if (new_html, new_pdf) != (html, pdf):
                db.execute("UPDATE notices SET html_path=?, pdf_path=? WHERE id=?", (new_html, new_pdf, row[0]))
    if outside:
        log.warning("migration 15: %d paths lie outside the data folder %s and stay absolute: %s", len(outside),
                    data_dir, "; ".join(outside[:20]) + (" …" if len(outside) > 20 else ""))


_OCR_IMAGES = """
        CREATE TABLE ocr_images (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            url TEXT NOT NULL,
            sha256 TEXT NOT NULL DEFAULT '',
            media_type TEXT NOT NULL DEFAULT '',
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL DEFAULT 0,
            file TEXT NOT NULL DEFAULT '',
            engine TEXT NOT NULL DEFAULT '',
            lines TEXT NOT NULL DEFAULT '[]',
            error TEXT NOT NULL DEFAULT '',
            seconds REAL NOT NULL DEFAULT 0,
            recognised_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX ocr_images_key ON ocr_images (platform, listing_id, url);
        CREATE INDEX ocr_images_sha ON ocr_images (sha256)"""  # migration 20, on both engines


def decided_codes(db: Any, data_dir: Path | None) -> None:
    """Migration 27's data: each triage row's reason codes of its latest decision (the reasons judged)."""
    filled = fill_decided_codes_in(db)
    if filled:
        log.info("migration 27: reasons at decision time set for %d review-queue rows", filled)


# The reasons a decision judged, for decisions made before migration 27: the listing's assessment when it
# was made before the decision (then it was the one on screen: 'assessment_then'); else the current one,
# made after the decision, marked 'assessment_later' (the one judged is not kept); 'none' without one.
_DECISION_REASONS = """
        UPDATE {table} SET reasons = (SELECT a.reasons FROM assessments a WHERE a.platform={table}.platform
                                      AND a.listing_id={table}.listing_id),
            reasons_basis = COALESCE((SELECT CASE WHEN a.assessed_at <= {table}.at THEN 'assessment_then'
                                      ELSE 'assessment_later' END FROM assessments a
                                      WHERE a.platform={table}.platform AND a.listing_id={table}.listing_id), 'none')"""


# the sighting's bases that prove a removal only when seen again (crawler.platforms.gone.CONFIRM_BASES)
_CONFIRM_BASES = ("error_page", "home_redirect", "gone_text")


def reopen_single_sightings(db: Any, data_dir: Path | None) -> None:
    """Migration 30's data: a listing stored "removed" on one sighting of a home or error page or gone wording
    (recorded before a second sighting was required) is suspected again: its status goes back to what its
    snapshot before the sighting said ("unknown" without one), a notice item that counted it loses its removal
    (and a verified notice goes back to acknowledged, or sent), its page is queued for 'fetch', and every value
    changed is kept in `removals_reopened`. Only a listing whose last sighting as removed is that sighting (its
    last_seen), with no other sighting on the same basis, is reopened; nothing is deleted."""
    marks = ", ".join("?" * len(_CONFIRM_BASES))
    rows = db.execute(
        "SELECT r.id, r.platform, r.listing_id, r.observed_at, (SELECT s.status FROM snapshots s WHERE "
        "s.platform = r.platform AND s.listing_id = r.listing_id AND s.observed_at < r.observed_at "
        "ORDER BY s.observed_at DESC, s.id DESC LIMIT 1) FROM listing_removals r JOIN listings l "
        "ON l.platform = r.platform AND l.listing_id = r.listing_id "
        f"WHERE r.basis IN ({marks}) AND r.first_seen_at IS NULL AND l.status = 'removed' "
        "AND l.last_seen = r.observed_at AND NOT EXISTS (SELECT 1 FROM listing_removals o WHERE "
        "o.platform = r.platform AND o.listing_id = r.listing_id AND o.basis = r.basis AND o.id <> r.id) "
        "ORDER BY r.id", _CONFIRM_BASES).fetchall()
    now, reopened = utcnow(), 0
    for sighting, platform, listing_id, observed_at, before in rows:
        if before == "removed":  # removed already before this sighting (its own page said 下架): not its doing
            continue
        reopened += 1
        restored = before or "unknown"
        items = db.execute("SELECT i.notice_id, i.removed_at, i.removal_basis, n.status, n.removal_verified_at "
                           "FROM notice_items i JOIN notices n ON n.id = i.notice_id WHERE i.platform = ? "
                           "AND i.listing_id = ? AND i.removed_at IS NOT NULL", (platform, listing_id)).fetchall()
        for notice_id, removed_at, basis, status, verified_at in items or [(None, None, "", None, None)]:
            db.execute("INSERT INTO removals_reopened (platform, listing_id, sighting_id, observed_at, listing_status, "
                       "restored_status, notice_id, removed_at, removal_basis, notice_status, removal_verified_at, "
                       "reopened_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (platform, listing_id, sighting, observed_at, "removed", restored, notice_id, removed_at,
                        basis or "", status, verified_at, _ts(now)))
            if notice_id is None:
                continue
            db.execute("UPDATE notice_items SET removed_at = NULL, removal_basis = '' WHERE notice_id = ? "
                       "AND platform = ? AND listing_id = ?", (notice_id, platform, listing_id))
            db.execute("UPDATE notices SET status = CASE WHEN acknowledged_at IS NULL THEN 'sent' ELSE 'acknowledged' "
                       "END, removal_verified_at = NULL WHERE id = ? AND status = 'removal_verified'", (notice_id,))
        db.execute("UPDATE listings SET status = ? WHERE platform = ? AND listing_id = ?", (restored, platform, listing_id))
        enqueue_in(db, (platform, listing_id), "fetch", now)  # fetched again: confirmed, or seen on sale
    if reopened:
        log.info("migration 30: %d removal(s) seen once reopened as suspected", reopened)


MIGRATIONS: list[tuple[int, str, str | dict[str, str] | DataStep]] = [
    (
        1,
        "listings, snapshots, assessments, evidence, decisions, notices, queue",
        """
        CREATE TABLE listings (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            price_fen INTEGER,
            price_low_fen INTEGER,
            price_high_fen INTEGER,
            price_tiers TEXT NOT NULL DEFAULT '[]',
            price_pending INTEGER NOT NULL DEFAULT 0,
            currency TEXT NOT NULL DEFAULT 'CNY',
            shop_id TEXT NOT NULL DEFAULT '',
            shop_name TEXT NOT NULL DEFAULT '',
            attributes TEXT NOT NULL DEFAULT '{}',
            description TEXT NOT NULL DEFAULT '',
            image_urls TEXT NOT NULL DEFAULT '[]',
            sales INTEGER,
            stock INTEGER,
            status TEXT NOT NULL CHECK (status IN ('active','removed','blocked','unknown')),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (platform, listing_id)
        );
        CREATE INDEX listings_shop ON listings (platform, shop_id);
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            price_fen INTEGER,
            title TEXT NOT NULL,
            stock INTEGER,
            status TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            FOREIGN KEY (platform, listing_id) REFERENCES listings (platform, listing_id)
        );
        CREATE INDEX snapshots_listing ON snapshots (platform, listing_id, observed_at);
        CREATE TABLE assessments (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            assessed_at TEXT NOT NULL,
            category TEXT NOT NULL,
            category_confidence REAL NOT NULL,
            risk_score REAL NOT NULL,
            flagged INTEGER NOT NULL,
            reasons TEXT NOT NULL,
            specs TEXT NOT NULL,
            model_versions TEXT NOT NULL,
            PRIMARY KEY (platform, listing_id)
        );
        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX evidence_listing ON evidence (platform, listing_id, captured_at);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('confirm','dismiss','escalate')),
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_keys TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft','sent','acknowledged')),
            removal_verified_at TEXT
        );
        CREATE TABLE queue (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('score','capture','index')),
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (platform, listing_id, stage)
        );
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            pages INTEGER NOT NULL DEFAULT 0,
            items INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            blocks INTEGER NOT NULL DEFAULT 0,
            throttled INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL DEFAULT 'running'
        );
        """,
    ),
    (
        2,
        "watchlist entries (spot-check failure lists) and the certificate registry",
        """
        CREATE TABLE watchlist_entries (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('inspected','manufacturer')),
            product_category TEXT NOT NULL DEFAULT '',
            product_name TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            batch TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '',
            failed_items TEXT NOT NULL DEFAULT '',
            inspector TEXT NOT NULL DEFAULT '',
            platform TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            source_sha256 TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            UNIQUE (name_key, role, product_name, model, batch, failed_items)
        );
        CREATE INDEX watchlist_entries_key ON watchlist_entries (name_key);
        CREATE TABLE certificates (
            number TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('valid','cancelled','suspended','revoked','expired','unknown')),
            status_text TEXT NOT NULL DEFAULT '',
            product_name TEXT NOT NULL DEFAULT '',
            holder TEXT NOT NULL DEFAULT '',
            expires_on TEXT,
            source TEXT NOT NULL DEFAULT '',
            source_sha256 TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL
        );
        """,
    ),
    (
        3,
        "alerts (dedupe key, state), per-channel deliveries, dead letters, image hashes, digests",
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL,
            dedupe_key TEXT NOT NULL,
            platform TEXT NOT NULL DEFAULT '',
            listing_id TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','sent','acknowledged')),
            created_at TEXT NOT NULL,
            sent_at TEXT,
            acknowledged_at TEXT,
            acknowledged_by TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX alerts_dedupe ON alerts (dedupe_key);
        CREATE INDEX alerts_state ON alerts (state, created_at);
        CREATE INDEX alerts_created ON alerts (created_at);
        CREATE TABLE alert_deliveries (
            alert_id INTEGER NOT NULL REFERENCES alerts (id),
            channel TEXT NOT NULL,
            delivered_at TEXT NOT NULL,
            PRIMARY KEY (alert_id, channel)
        );
        CREATE TABLE alert_dead_letters (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('alerts','digest')),
            alert_ids TEXT NOT NULL DEFAULT '[]',
            payload TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            created_at TEXT NOT NULL,
            retried_at TEXT,
            resolved_at TEXT
        );
        CREATE TABLE image_hashes (
            url TEXT PRIMARY KEY,
            dhash TEXT,
            error TEXT NOT NULL DEFAULT '',
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE alert_digests (
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (day, channel)
        );
        """,
    ),
    (
        4,
        "takedown notices with their lifecycle and listed items (replaces the unused notices table)",
        """
        DROP TABLE notices;
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN ('draft','sent','acknowledged','overdue','removal_verified')),
            sent_at TEXT,
            sent_by TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            deadline_at TEXT,
            acknowledged_at TEXT,
            acknowledged_by TEXT NOT NULL DEFAULT '',
            ack_note TEXT NOT NULL DEFAULT '',
            removal_verified_at TEXT,
            checked_at TEXT,
            html_path TEXT NOT NULL DEFAULT '',
            pdf_path TEXT NOT NULL DEFAULT '',
            document_sha256 TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX notices_platform ON notices (platform, status);
        CREATE TABLE notice_items (
            notice_id INTEGER NOT NULL REFERENCES notices (id),
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            removed_at TEXT,
            removal_basis TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (notice_id, platform, listing_id)
        );
        CREATE INDEX notice_items_listing ON notice_items (platform, listing_id);
        """,
    ),
    (
        5,
        "review web app: users, sessions, login attempts, audit log, cases, API tokens, removal reports",
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('regulator','investigator','analyst','platform','admin')),
            platform TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE web_sessions (
            token_sha256 TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ip TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            ip TEXT NOT NULL,
            at TEXT NOT NULL,
            success INTEGER NOT NULL
        );
        CREATE INDEX login_attempts_key ON login_attempts (username, ip, at);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',
            ip TEXT NOT NULL DEFAULT '',
            prev_sha256 TEXT NOT NULL,
            entry_sha256 TEXT NOT NULL
        );
        CREATE INDEX audit_log_subject ON audit_log (subject);
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            platform TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            last_used_at TEXT
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
        );
        CREATE TABLE case_items (
            case_id INTEGER NOT NULL REFERENCES cases (id),
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (case_id, platform, listing_id)
        );
        CREATE TABLE removal_reports (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            reported_by TEXT NOT NULL,
            at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX removal_reports_listing ON removal_reports (platform, listing_id);
        """,
    ),
    (
        6,
        "crawl runs record their process (pid, host, heartbeat); blocked search pages to resume; "
        "the price a search page showed per listing",
        """
        ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
        ALTER TABLE crawl_runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE crawl_runs ADD COLUMN heartbeat_at TEXT;
        CREATE INDEX crawl_runs_open ON crawl_runs (platform, ended_at);
        CREATE TABLE search_resume (
            platform TEXT NOT NULL,
            keyword TEXT NOT NULL,
            page INTEGER NOT NULL CHECK (page >= 1),
            blocked_at TEXT NOT NULL,
            PRIMARY KEY (platform, keyword)
        );
        ALTER TABLE listings ADD COLUMN search_price TEXT;
        """,
    ),
    (
        7,
        "crawl runs record the conditions they ran under: host map, robots.txt policy, legal basis, session",
        """
        ALTER TABLE crawl_runs ADD COLUMN conditions TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    (
        8,
        "listing provenance: each listing's sources (crawls, report file rows, assistance replies, tips) "
        "with first and last seen; the report files imported, by SHA-256; a 'fetch' queue stage for leads "
        "known only by URL",
        """
        CREATE TABLE queue_with_fetch (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('fetch','score','capture','index')),
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (platform, listing_id, stage)
        );
        INSERT INTO queue_with_fetch (platform, listing_id, stage, enqueued_at, attempts, last_error)
            SELECT platform, listing_id, stage, enqueued_at, attempts, last_error FROM queue;
        DROP TABLE queue;
        ALTER TABLE queue_with_fetch RENAME TO queue;
        CREATE TABLE listing_sources (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('crawl','report','assist','tip')),
            name TEXT NOT NULL,
            ref TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (platform, listing_id, kind, name, ref)
        );
        CREATE INDEX listing_sources_kind ON listing_sources (kind, name, last_seen);
        CREATE TABLE import_files (
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            rows INTEGER NOT NULL,
            listings INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (kind, sha256)
        );
        """,
    ),
    (
        9,
        "public tips: what the tipster said (contact for admins only, the address as a keyed hash), "
        "the listing it names, photos; proof-of-work challenges used once",
        """
        CREATE TABLE tips (
            id INTEGER PRIMARY KEY,
            receipt TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            url TEXT NOT NULL DEFAULT '',
            platform TEXT,
            listing_id TEXT,
            on_platform INTEGER NOT NULL DEFAULT 0,
            shop_name TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            ip_hash TEXT NOT NULL,
            photos TEXT NOT NULL DEFAULT '[]',
            linked_by TEXT NOT NULL DEFAULT '',
            linked_at TEXT
        );
        CREATE INDEX tips_listing ON tips (platform, listing_id);
        CREATE INDEX tips_address ON tips (ip_hash, created_at);
        CREATE TABLE tip_challenges (
            id TEXT PRIMARY KEY,
            used_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX tip_challenges_expiry ON tip_challenges (expires_at);
        """,
    ),
    (
        10,
        "enforcement-assistance requests (协查函: number, platform, listings, deadline, documents) and the "
        "platforms' replies (standard fields per listing, by reply file SHA-256 and row)",
        """
        CREATE TABLE assist_requests (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            platform TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            deadline_at TEXT NOT NULL,
            pdf_path TEXT NOT NULL DEFAULT '',
            xlsx_path TEXT NOT NULL DEFAULT '',
            document_sha256 TEXT NOT NULL DEFAULT '',
            xlsx_sha256 TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE assist_request_items (
            request_id INTEGER NOT NULL REFERENCES assist_requests (id),
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            PRIMARY KEY (request_id, platform, listing_id)
        );
        CREATE INDEX assist_request_items_listing ON assist_request_items (platform, listing_id);
        CREATE TABLE assist_replies (
            id INTEGER PRIMARY KEY,
            request_id INTEGER REFERENCES assist_requests (id),
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            shop_id TEXT NOT NULL DEFAULT '',
            shop_name TEXT NOT NULL DEFAULT '',
            operator_name TEXT NOT NULL DEFAULT '',
            credit_code TEXT NOT NULL DEFAULT '',
            fields TEXT NOT NULL DEFAULT '{}',
            file_sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            file_row INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL DEFAULT '',
            UNIQUE (file_sha256, file_row)
        );
        CREATE INDEX assist_replies_listing ON assist_replies (platform, listing_id);
        CREATE INDEX assist_replies_shop ON assist_replies (platform, shop_id, shop_name);
        """,
    ),
    (
        11,
        "the review queue's sort and filter keys per listing (triage), kept on write, so the web pages "
        "filter, sort, page and count in SQL; indexes for decisions by listing and shops by name",
        """
        CREATE TABLE triage (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            queued INTEGER NOT NULL,
            flagged INTEGER NOT NULL,
            decided INTEGER NOT NULL,
            state TEXT NOT NULL,
            verdict TEXT,
            neg_risk REAL NOT NULL,
            untipped INTEGER NOT NULL,
            category TEXT NOT NULL,
            reason_codes TEXT NOT NULL,
            seen_day TEXT NOT NULL,
            seen_week TEXT NOT NULL,
            shop_name_lc TEXT NOT NULL,
            shop_id_lc TEXT NOT NULL,
            PRIMARY KEY (platform, listing_id)
        );
        CREATE INDEX triage_all ON triage (queued, neg_risk, untipped, platform, listing_id);
        CREATE INDEX triage_open ON triage (queued, decided, neg_risk, untipped, platform, listing_id);
        CREATE INDEX triage_state ON triage (queued, state, neg_risk, untipped, platform, listing_id);
        CREATE INDEX triage_category ON triage (queued, decided, category, neg_risk, untipped, platform, listing_id);
        CREATE INDEX triage_platform ON triage (platform, queued, decided, neg_risk, untipped, listing_id);
        CREATE INDEX triage_verdict ON triage (platform, verdict, neg_risk, listing_id);
        CREATE INDEX triage_trends ON triage (flagged, seen_week, category, platform);
        CREATE INDEX decisions_listing ON decisions (platform, listing_id, at, id);
        CREATE INDEX listings_shop_name ON listings (platform, shop_name)
        """,
    ),
    (
        12,
        "process queue claims for parallel workers: who holds a row (claimed_by, a worker id such as "
        "host:pid) until when (claimed_until, ISO UTC; '' when unclaimed); queue_done keeps one row per "
        "completed stage (which worker, when), the count of each stage's committed effects",
        """
        ALTER TABLE queue ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE queue ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
        CREATE INDEX queue_stage_platform ON queue (stage, platform, enqueued_at);
        CREATE INDEX queue_claimed_by ON queue (claimed_by);
        CREATE TABLE queue_done (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            stage TEXT NOT NULL,
            worker TEXT NOT NULL DEFAULT '',
            done_at TEXT NOT NULL
        );
        CREATE INDEX queue_done_listing ON queue_done (platform, listing_id, stage);
        """,
    ),
    (
        13,
        "PostgreSQL: snapshots partitioned by month of observed_at (store maintain adds and drops months); "
        "room on listing pages for in-place updates of a re-crawl; the queue vacuumed as it churns",
        {
            "postgresql": """
            ALTER TABLE snapshots RENAME TO snapshots_unpartitioned;
            ALTER INDEX snapshots_listing RENAME TO snapshots_unpartitioned_listing;
            CREATE SEQUENCE snapshot_ids AS BIGINT;
            CREATE TABLE snapshots (
                id BIGINT NOT NULL DEFAULT nextval('snapshot_ids'),
                platform TEXT NOT NULL,
                listing_id TEXT NOT NULL,
                observed_at TEXT COLLATE "C" NOT NULL,
                price_fen BIGINT,
                title TEXT NOT NULL,
                stock BIGINT,
                status TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (id, observed_at),
                FOREIGN KEY (platform, listing_id) REFERENCES listings (platform, listing_id)
            ) PARTITION BY RANGE (observed_at);
            ALTER SEQUENCE snapshot_ids OWNED BY snapshots.id;
            CREATE TABLE snapshots_default PARTITION OF snapshots DEFAULT;
            INSERT INTO snapshots (id, platform, listing_id, observed_at, price_fen, title, stock, status, content_hash)
                SELECT id, platform, listing_id, observed_at, price_fen, title, stock, status, content_hash
                FROM snapshots_unpartitioned;
            SELECT setval('snapshot_ids', COALESCE((SELECT MAX(id) FROM snapshots), 0) + 1, false);
            DROP TABLE snapshots_unpartitioned;
            CREATE INDEX snapshots_listing ON snapshots (platform, listing_id, observed_at);
            ALTER TABLE listings SET (fillfactor = 80);
            ALTER TABLE queue SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
                                   autovacuum_vacuum_threshold = 1000)
            """,
        },
    ),
    (
        14,
        "the queue's completion log pruned by age (store maintain): an index on its time",
        """
        CREATE INDEX queue_done_at ON queue_done (done_at)
        """,
    ),
    (
        15,
        "paths relative to the data folder; evidence-pack exports run in the background with their state",
        DataStep(
            """
            CREATE TABLE pack_exports (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL,
                inputs_sha256 TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('running','done','failed')),
                worker TEXT NOT NULL DEFAULT '',
                done INTEGER NOT NULL DEFAULT 0,
                total INTEGER NOT NULL DEFAULT 0,
                stage TEXT NOT NULL DEFAULT '',
                updated_at TEXT NOT NULL,
                finished_at TEXT,
                path TEXT NOT NULL DEFAULT '',
                sha256 TEXT NOT NULL DEFAULT '',
                size INTEGER NOT NULL DEFAULT 0,
                listings INTEGER NOT NULL DEFAULT 0,
                error TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX pack_exports_case ON pack_exports (case_id, id);
            CREATE INDEX pack_exports_inputs ON pack_exports (case_id, inputs_sha256, state)
            """,
            relative_paths,
        ),
    ),
    (
        16,
        "the review queue by a documented priority (neg_priority: minus 40p + 6 severity + 6 exposure, "
        "docs/priority.md) with its indexes (the pending queue's covers its filters and claims, so a "
        "filtered page walks one index in queue order; unbounded seller text and reason codes stay out of it, as "
        "PostgreSQL's btree refuses index rows over 2704 bytes: the listings' shop-name index keeps the first 200 "
        "characters); filter keys for seller region, price and flagged day; "
        "reviewers' claims on queue rows; undone decisions kept aside; a bulk action's decisions share a batch id "
        "(undone together). Rows written before it get their "
        "priority in its data step, a batch of rows at a time (triage.fill_priorities_in)",
        DataStep(
            """
        ALTER TABLE triage ADD COLUMN neg_priority REAL;
        ALTER TABLE triage ADD COLUMN region TEXT NOT NULL DEFAULT '';
        ALTER TABLE triage ADD COLUMN price_fen INTEGER;
        ALTER TABLE triage ADD COLUMN flagged_day TEXT NOT NULL DEFAULT '';
        ALTER TABLE triage ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE triage ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
        DROP INDEX triage_all;
        DROP INDEX triage_open;
        DROP INDEX triage_state;
        DROP INDEX triage_category;
        DROP INDEX triage_platform;
        CREATE INDEX triage_all_p ON triage (queued, neg_priority, untipped, platform, listing_id);
        CREATE INDEX triage_open_p ON triage (queued, decided, neg_priority, untipped, platform, listing_id, region,
                                              price_fen, flagged_day, seen_day, shop_id_lc, claimed_until, claimed_by);
        CREATE INDEX triage_state_p ON triage (queued, state, neg_priority, untipped, platform, listing_id);
        CREATE INDEX triage_category_p ON triage (queued, decided, category, neg_priority, untipped, platform, listing_id);
        CREATE INDEX triage_platform_p ON triage (platform, queued, decided, neg_priority, untipped, listing_id);
        CREATE INDEX triage_region ON triage (queued, decided, region, neg_priority, untipped, platform, listing_id);
        CREATE INDEX triage_shop_id ON triage (shop_id_lc, queued, decided);
        CREATE INDEX triage_claimed ON triage (claimed_by);
        DROP INDEX listings_shop_name;
        CREATE INDEX listings_shop_name ON listings (platform, substr(shop_name, 1, 200));
        CREATE TABLE decisions_undone (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            verdict TEXT NOT NULL,
            note TEXT NOT NULL,
            at TEXT NOT NULL,
            undone_by TEXT NOT NULL,
            undone_at TEXT NOT NULL,
            batch TEXT NOT NULL DEFAULT ''
        );
        ALTER TABLE decisions ADD COLUMN batch TEXT NOT NULL DEFAULT '';
        CREATE INDEX decisions_reviewer ON decisions (reviewer, id);
        CREATE INDEX decisions_batch ON decisions (batch, id)
            """,
            triage_priorities,
        ),
    ),
    (
        17,
        "audit log filtered by date and paged by time (indexes on at, actor, action); cases closed with a note",
        """
        CREATE INDEX audit_log_at ON audit_log (at, id);
        CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
        CREATE INDEX audit_log_action ON audit_log (action, at, id);
        ALTER TABLE cases ADD COLUMN closed_at TEXT;
        ALTER TABLE cases ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE cases ADD COLUMN close_note TEXT NOT NULL DEFAULT ''
        """,
    ),
    (
        18,
        "sellers behind shops (issue 16, store/sellers.py): the keys found per shop (credit code, operator, "
        "phone, WeChat, QQ, address, shop name, image hash) indexed by value; shops grouped into sellers "
        "(union-find kept as a seller id per shop, merged sellers pointing to the one they joined); each link "
        "between two shops with the key that made it; the sellers step's cursors; listings queued for review "
        "because a linked shop's listing was confirmed; confirmed decisions by time (the credit-information export)",
        """
        CREATE TABLE sellers (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            merged_into INTEGER
        );
        CREATE TABLE seller_shops (
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            shop_name TEXT NOT NULL DEFAULT '',
            seller_id INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (platform, shop_id)
        );
        CREATE INDEX seller_shops_seller ON seller_shops (seller_id, platform, shop_id);
        CREATE TABLE seller_keys (
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            listing_id TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            PRIMARY KEY (platform, shop_id, kind, value)
        );
        CREATE INDEX seller_keys_value ON seller_keys (kind, value, platform, shop_id);
        CREATE TABLE seller_links (
            id INTEGER PRIMARY KEY,
            a_platform TEXT NOT NULL,
            a_shop TEXT NOT NULL,
            b_platform TEXT NOT NULL,
            b_shop TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            listing_id TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (a_platform, a_shop, b_platform, b_shop, kind)
        );
        CREATE INDEX seller_links_a ON seller_links (a_platform, a_shop);
        CREATE INDEX seller_links_b ON seller_links (b_platform, b_shop);
        CREATE TABLE seller_cursors (
            name TEXT PRIMARY KEY,
            last_id INTEGER NOT NULL
        );
        CREATE TABLE linked_reviews (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            from_platform TEXT NOT NULL,
            from_listing_id TEXT NOT NULL,
            seller_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            PRIMARY KEY (platform, listing_id)
        );
        CREATE INDEX sellers_merged ON sellers (merged_into);
        CREATE INDEX linked_reviews_seller ON linked_reviews (seller_id);
        CREATE INDEX queue_done_stage_id ON queue_done (stage, id);
        CREATE INDEX alerts_listing ON alerts (platform, listing_id);
        CREATE INDEX decisions_verdict_at ON decisions (verdict, at, id);
        CREATE INDEX assist_replies_id ON assist_replies (id)
        """,
    ),
    (
        19,
        "the campaign report: when a listing was first flagged (triage.flagged_at, kept by later assessments; "
        "rows flagged before it take their current assessment's time) and indexes for counting flags, "
        "confirmations and removals by date",
        """
        ALTER TABLE triage ADD COLUMN flagged_at TEXT;
        UPDATE triage SET flagged_at = (SELECT a.assessed_at FROM assessments a WHERE a.platform=triage.platform
                                        AND a.listing_id=triage.listing_id) WHERE flagged=1;
        CREATE INDEX triage_flagged_at ON triage (flagged_at, platform, category, region);
        CREATE INDEX decisions_verdict ON decisions (verdict, platform, listing_id, at);
        CREATE INDEX notice_items_removed ON notice_items (removed_at);
        CREATE INDEX listings_seen ON listings (platform, first_seen, last_seen, listing_id);
        CREATE INDEX assessments_category ON assessments (platform, listing_id, category)
        """,
    ),
    (
        20,
        "text recognised in listing images (OCR): one row per listing image with its lines, boxes and "
        "confidences, the image's SHA-256, size and stored copy, or the error that stopped it; the queue "
        "takes the 'ocr' stage (SQLite rebuilds the queue table to change its CHECK)",
        {
            "sqlite": _OCR_IMAGES + """;
        CREATE TABLE queue_with_ocr (
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('fetch','score','ocr','capture','index')),
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            claimed_by TEXT NOT NULL DEFAULT '',
            claimed_until TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (platform, listing_id, stage)
        );
        INSERT INTO queue_with_ocr (platform, listing_id, stage, enqueued_at, attempts, last_error, claimed_by,
                                    claimed_until)
            SELECT platform, listing_id, stage, enqueued_at, attempts, last_error, claimed_by, claimed_until FROM queue;
        DROP TABLE queue;
        ALTER TABLE queue_with_ocr RENAME TO queue;
        CREATE INDEX queue_stage_platform ON queue (stage, platform, enqueued_at);
        CREATE INDEX queue_claimed_by ON queue (claimed_by)
            """,
            # the CHECK was named when migration 8 made the table as queue_with_fetch
            "postgresql": _OCR_IMAGES + """;
        ALTER TABLE queue DROP CONSTRAINT IF EXISTS queue_with_fetch_stage_check;
        ALTER TABLE queue DROP CONSTRAINT IF EXISTS queue_stage_check;
        ALTER TABLE queue ADD CONSTRAINT queue_stage_check CHECK (stage IN ('fetch','score','ocr','capture','index'))
            """,
        },
    ),
    (
        23,
        "administrative penalty decisions (行政处罚决定) recorded against a case's subjects, for credit-information "
        "sharing: subject, credit code, violation, date, authority, document number (unique); the listings each covers",
        """
        CREATE TABLE penalties (
            id INTEGER PRIMARY KEY,
            case_id INTEGER REFERENCES cases (id),
            subject_name TEXT NOT NULL,
            credit_code TEXT NOT NULL DEFAULT '',
            violation TEXT NOT NULL,
            reason_codes TEXT NOT NULL DEFAULT '[]',
            penalty TEXT NOT NULL DEFAULT '',
            decided_on TEXT NOT NULL,
            authority TEXT NOT NULL,
            document_no TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX penalties_document ON penalties (document_no);
        CREATE INDEX penalties_decided ON penalties (decided_on, id);
        CREATE INDEX penalties_case ON penalties (case_id, id);
        CREATE INDEX penalties_credit ON penalties (credit_code, decided_on);
        CREATE TABLE penalty_items (
            penalty_id INTEGER NOT NULL REFERENCES penalties (id),
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            PRIMARY KEY (penalty_id, platform, listing_id)
        );
        CREATE INDEX penalty_items_listing ON penalty_items (platform, listing_id)
        """,
    ),
    (
        24,
        "linked reviews by the confirmation that queued them (undoing it takes them out of the queue)",
        """
        CREATE INDEX linked_reviews_from ON linked_reviews (from_platform, from_listing_id)
        """,
    ),
    (
        25,
        "review precision and drift by week (the trends page): when the latest decision on a listing was made "
        "(triage.decided_at, kept with its verdict), an index counting latest verdicts by time and reason codes, and "
        "one counting flags by Beijing day of first sight and reason codes",
        """
        ALTER TABLE triage ADD COLUMN decided_at TEXT;
        UPDATE triage SET decided_at = (SELECT MAX(d.at) FROM decisions d WHERE d.platform=triage.platform
                                        AND d.listing_id=triage.listing_id) WHERE verdict IS NOT NULL;
        CREATE INDEX triage_decided ON triage (decided_at, verdict, reason_codes);
        CREATE INDEX triage_seen_flagged ON triage (flagged, seen_day, reason_codes)
        """,
    ),
    (
        26,
        "a seller shop's first_seen is its earliest listing's first sighting, not when the sellers step ran: "
        "existing rows corrected",
        """
        UPDATE seller_shops SET first_seen = (SELECT MIN(l.first_seen) FROM listings l
                                              WHERE l.platform=seller_shops.platform AND l.shop_id=seller_shops.shop_id)
        WHERE shop_id NOT LIKE 'name:%' AND EXISTS (SELECT 1 FROM listings l WHERE l.platform=seller_shops.platform
                                                    AND l.shop_id=seller_shops.shop_id
                                                    AND l.first_seen < seller_shops.first_seen);
        UPDATE seller_shops SET first_seen = (SELECT MIN(l.first_seen) FROM listings l
                                              WHERE l.platform=seller_shops.platform AND l.shop_id=''
                                              AND substr(l.shop_name, 1, 200)=substr(seller_shops.shop_id, 6))
        WHERE shop_id LIKE 'name:_%' AND EXISTS (SELECT 1 FROM listings l WHERE l.platform=seller_shops.platform
                                                 AND l.shop_id='' AND substr(l.shop_name, 1, 200)=substr(seller_shops.shop_id, 6)
                                                 AND l.first_seen < seller_shops.first_seen)
        """,
    ),
    (
        27,
        "the reasons a reviewer judged, kept with the decision (decisions.reasons, the assessment's reasons JSON "
        "when deciding; reasons_basis: 'decision', or for older rows 'assessment_then' / 'assessment_later' / "
        "'none'), also on undone decisions; triage.decided_codes (the latest decision's reason codes) and an "
        "index counting latest verdicts by time and those codes (review precision by week)",
        DataStep(
            """
        ALTER TABLE decisions ADD COLUMN reasons TEXT;
        ALTER TABLE decisions ADD COLUMN reasons_basis TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions_undone ADD COLUMN reasons TEXT;
        ALTER TABLE decisions_undone ADD COLUMN reasons_basis TEXT NOT NULL DEFAULT '';
        """ + _DECISION_REASONS.format(table="decisions") + ";" + _DECISION_REASONS.format(table="decisions_undone")
            + """;
        ALTER TABLE triage ADD COLUMN decided_codes TEXT;
        CREATE INDEX triage_decided_codes ON triage (decided_at, verdict, decided_codes)
        """,
            decided_codes,
        ),
    ),
    (
        28,
        "removals seen when a listing's page was fetched again: where the fetch ended, its HTTP status, the words "
        "the page showed and the basis (a 404/410, the platform's error or home page, or its gone wording)",
        """
        CREATE TABLE listing_removals (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            http_status INTEGER,
            page_text TEXT NOT NULL DEFAULT '',
            basis TEXT NOT NULL
        );
        CREATE INDEX listing_removals_listing ON listing_removals (platform, listing_id, observed_at)
        """,
    ),
    (
        29,
        "a removal capture is kept apart from the listing's page captures (evidence.role 'removal', never its latest "
        "evidence); a removal sighting counts only when confirmed (listing_removals.counted, first_seen_at: the "
        "earlier sighting a home/error page or gone wording needs); older sightings count only for a 404/410; "
        "triage.decided_codes NULL where the latest decision's reasons are not known (assessment_later)",
        """
        ALTER TABLE evidence ADD COLUMN role TEXT NOT NULL DEFAULT 'page';
        UPDATE evidence SET role = 'removal' WHERE EXISTS (SELECT 1 FROM listing_removals r WHERE
            r.platform = evidence.platform AND r.listing_id = evidence.listing_id AND r.observed_at = evidence.captured_at);
        ALTER TABLE listing_removals ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE listing_removals ADD COLUMN first_seen_at TEXT;
        UPDATE listing_removals SET counted = 1 WHERE basis = 'http_status';
        UPDATE triage SET decided_codes = NULL WHERE (SELECT d.reasons_basis FROM decisions d WHERE
            d.platform = triage.platform AND d.listing_id = triage.listing_id ORDER BY d.at DESC, d.id DESC LIMIT 1)
            = 'assessment_later'
        """,
    ),
    (
        30,
        "a listing stored removed on one sighting of a home or error page or gone wording, before a second "
        "sighting was required, is suspected again (its status before the sighting back, a notice's removal of it "
        "undone, its page queued for 'fetch'); what changed is kept in removals_reopened, nothing is deleted",
        DataStep(
            """
        CREATE TABLE removals_reopened (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            sighting_id INTEGER NOT NULL,
            observed_at TEXT NOT NULL,
            listing_status TEXT NOT NULL,
            restored_status TEXT NOT NULL,
            notice_id INTEGER,
            removed_at TEXT,
            removal_basis TEXT NOT NULL DEFAULT '',
            notice_status TEXT,
            removal_verified_at TEXT,
            reopened_at TEXT NOT NULL
        );
        CREATE INDEX removals_reopened_listing ON removals_reopened (platform, listing_id)
        """,
            reopen_single_sightings,
        ),
    ),
    (
        31,
        "an OCR record is kept per distinct image read: ocr_images is keyed by (platform, listing_id, url, sha256), "
        "so new bytes behind a reused URL add a row instead of overwriting the text read before; seen_at (when "
        "these bytes were last fetched at that URL, existing rows: when they were read) picks the current read",
        """
        ALTER TABLE ocr_images ADD COLUMN seen_at TEXT NOT NULL DEFAULT '';
        UPDATE ocr_images SET seen_at = recognised_at;
        DROP INDEX ocr_images_key;
        CREATE UNIQUE INDEX ocr_images_key ON ocr_images (platform, listing_id, url, sha256)
        """,
    ),
    (
        32,
        "an OCR read keeps the validators the image host gave with its bytes (ocr_images.etag, last_modified: "
        "ETag and Last-Modified, verbatim), so the next check of that URL is a conditional GET and a 304 costs "
        "no download; existing rows have none (their next check is a full GET, which stores them)",
        """
        ALTER TABLE ocr_images ADD COLUMN etag TEXT NOT NULL DEFAULT '';
        ALTER TABLE ocr_images ADD COLUMN last_modified TEXT NOT NULL DEFAULT ''
        """,
    ),
    (
        33,
        "an OCR read records when its bytes were last downloaded in full from its URL (ocr_images.fetched_at), so "
        "a read is downloaded in full at least every [ocr] full_fetch_days even where the host answers 304 (a host "
        "whose validators lie would hide a changed image for ever); existing rows with bytes: their seen_at, or "
        "recognised_at where seen_at is empty (rows without bytes: none). A seen_at moved by a 304 cannot be told "
        "from a download, so an old row's first forced download comes at most full_fetch_days after the upgrade",
        """
        ALTER TABLE ocr_images ADD COLUMN fetched_at TEXT NOT NULL DEFAULT '';
        UPDATE ocr_images SET fetched_at = CASE WHEN seen_at <> '' THEN seen_at ELSE recognised_at END
            WHERE sha256 <> ''
        """,
    ),
]
