-- SQLite FTS5 search index: a projection of the store, rebuildable at any time.
-- SQLite's tokenizers do not split Chinese, so `tokens` holds jieba search-mode tokens
-- joined by spaces (classifiers.tokenize.search_tokens) and queries are tokenised the
-- same way; unicode61 then only splits on those spaces.
-- Documents are keyed by doc_id = "platform:listing_id"; writes are delete+insert, so
-- re-indexing a listing is idempotent.
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    shop_name TEXT NOT NULL,
    category TEXT,
    flagged INTEGER NOT NULL DEFAULT 0,
    risk_score REAL,
    reasons TEXT NOT NULL DEFAULT '',
    price_fen INTEGER,
    status TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_filters ON docs (platform, category, flagged);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    tokens,
    tokenize='unicode61 remove_diacritics 0'
);
