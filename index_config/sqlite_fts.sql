-- SQLite FTS5 search index (schema version 5, kept in PRAGMA user_version): a projection
-- of the store, rebuildable at any time (`firewatch index rebuild`). The Elasticsearch
-- templates beside this file (elasticsearch/*.json) hold the same fields.
--
-- SQLite's tokenizers do not split Chinese, so the FTS columns hold the search tokens of
-- firewatch.search.base.text_tokens (jieba search mode, CJK bigrams, code parts) joined
-- by spaces, and queries are tokenised the same way. Each token is written so that
-- unicode61 sees exactly one token: characters other than 0-9, a-z and CJK U+4E00-U+9FCC
-- are spelled as four private-use characters (U+E000-U+E03F), which unicode61 counts as
-- token characters. A query matches when every query token is present in head or body,
-- the same rule the Elasticsearch `tokens` field implements with a whitespace analyzer.
--
-- Documents are keyed by doc_id = "platform:listing_id"; re-indexing replaces the row,
-- so it is idempotent. Dates are integer milliseconds since the epoch (UTC), prices
-- integer fen, exactly as the Elasticsearch documents carry them.
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    shop_id TEXT,
    shop_name TEXT,
    category TEXT,
    flagged INTEGER NOT NULL DEFAULT 0,
    risk_score REAL,
    reasons TEXT NOT NULL DEFAULT '',
    price_fen INTEGER,
    status TEXT NOT NULL,
    first_seen INTEGER,
    last_seen INTEGER,
    assessed_at INTEGER
);
-- One index per sort order, in exactly the order firewatch.search.sqlite_fts sorts by
-- (NULL sorts lowest in SQLite, so DESC puts missing values last, as Elasticsearch
-- does): a query without text whose matches are many reads its page in index order and
-- stops, instead of sorting every match. Version 3 added docs_category and the last three.
CREATE INDEX IF NOT EXISTS docs_platform ON docs (platform, category, flagged);
CREATE INDEX IF NOT EXISTS docs_category ON docs (category, status, flagged);
CREATE INDEX IF NOT EXISTS docs_risk ON docs (flagged DESC, risk_score DESC, doc_id);
CREATE INDEX IF NOT EXISTS docs_newest ON docs (last_seen DESC, doc_id);
CREATE INDEX IF NOT EXISTS docs_price_asc ON docs (price_fen IS NULL, price_fen, doc_id);
CREATE INDEX IF NOT EXISTS docs_price_desc ON docs (price_fen DESC, doc_id);
-- The price and date conditions of a query with text, one small entry per listing: counting
-- matches under such conditions reads this instead of each match's whole row.
CREATE INDEX IF NOT EXISTS docs_keys ON docs (id, price_fen, last_seen);
CREATE INDEX IF NOT EXISTS docs_shop_id ON docs (shop_id);
CREATE INDEX IF NOT EXISTS docs_shop_name ON docs (shop_name);
CREATE TABLE IF NOT EXISTS doc_reasons (
    code TEXT NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (code, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_reasons_doc ON doc_reasons (doc);
-- head: title, shop name, attributes; body: description (weighted lower in relevance);
-- tags: one token per equality filter value (platform, category, status, flagged, each
-- reason code), each starting with U+E040, a character no encoded search token holds, so
-- such filters are doclist intersections inside FTS5 instead of a docs lookup per match.
-- detail=column: the columns a token occurs in, no positions. Each column holds a set of
-- tokens (each once) and queries are single-token phrases, so BM25 and every match are the
-- same as with full detail, and the index is smaller and faster to write and read.
-- tags also hold one sort-bucket token per sort order (risk per mille within flagged,
-- price on a log scale, last seen by the hour), so a sorted page of a broad text match
-- reads only the matches of its first buckets (firewatch.search.sqlite_fts._bucket_ids).
-- Version 4 added tags and detail=column, version 5 the sort buckets; init() rebuilds
-- older FTS tables in place.
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    head,
    body,
    tags,
    tokenize='unicode61 remove_diacritics 0',
    detail=column
);
-- Price and status history (store snapshots), one row per observed change.
CREATE TABLE IF NOT EXISTS snapshots (
    snap_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    observed_at INTEGER NOT NULL,
    price_fen INTEGER,
    title TEXT NOT NULL,
    stock INTEGER,
    status TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_doc ON snapshots (doc_id, observed_at);
PRAGMA user_version = 5;
