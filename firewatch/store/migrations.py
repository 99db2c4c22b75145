"""Schema migrations for the SQLite store, applied in order and recorded in a table.

Each migration is (version, name, SQL). Never edit an applied migration: add a new one.
Money is stored as integer fen (1 yuan = 100 fen); timestamps as ISO 8601 UTC text.
"""

MIGRATIONS: list[tuple[int, str, str]] = [
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
]
