"""SQLite FTS5 search backend with jieba tokens (schema in index_config/sqlite_fts.sql).

Chinese text is indexed as jieba search-mode tokens joined by spaces; a query is cut
the same way and every token must match (AND), each as a quoted FTS5 string so that
seller-written punctuation can never become FTS5 syntax.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from classifiers.tokenize import search_tokens
from firewatch.models import Assessment, Listing
from firewatch.store.sqlite import to_fen


@dataclass
class SearchHit:
    platform: str
    listing_id: str
    title: str
    url: str
    shop_name: str
    category: str | None
    flagged: bool
    risk_score: float | None
    reasons: list[str]
    price_fen: int | None
    status: str
    rank: float


def _schema() -> str:
    return resources.files("index_config").joinpath("sqlite_fts.sql").read_text(encoding="utf-8")


def _fts_query(text: str) -> str:
    tokens = [t.strip() for t in search_tokens(text) if t.strip()]
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)


class SQLiteIndex:
    """FTS5 index in its own file, rebuildable from the store."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_schema())

    def close(self) -> None:
        self._db.close()

    def index_listing(self, listing: Listing, assessment: Assessment | None) -> None:
        doc_id = f"{listing.platform}:{listing.listing_id}"
        text = " ".join([listing.title, listing.shop_name, " ".join(listing.attributes.values())])
        tokens = " ".join(search_tokens(text))
        self._db.execute("BEGIN IMMEDIATE")
        try:
            old = self._db.execute("SELECT rowid FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
            if old is not None:
                self._db.execute("DELETE FROM docs_fts WHERE rowid=?", (old[0],))
                self._db.execute("DELETE FROM docs WHERE rowid=?", (old[0],))
            cur = self._db.execute(
                "INSERT INTO docs (doc_id, platform, listing_id, title, url, shop_name, category, flagged, risk_score, reasons, price_fen, status, last_seen) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc_id, listing.platform, listing.listing_id, listing.title, listing.url, listing.shop_name,
                    assessment.category if assessment else None, int(bool(assessment and assessment.flagged)),
                    assessment.risk_score if assessment else None,
                    " ".join(sorted({r.code for r in assessment.reasons})) if assessment else "",
                    to_fen(listing.display_price), listing.status,
                    (listing.last_seen.isoformat() if listing.last_seen else ""),
                ),
            )
            self._db.execute("INSERT INTO docs_fts (rowid, tokens) VALUES (?, ?)", (cur.lastrowid, tokens))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def clear(self) -> None:
        self._db.executescript("DROP TABLE IF EXISTS docs_fts; DROP TABLE IF EXISTS docs;")
        self._db.executescript(_schema())

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def search(self, query: str, platform: str | None = None, category: str | None = None,
               flagged: bool | None = None, since: str | None = None, limit: int = 20) -> list[SearchHit]:
        where, args = [], []
        fts = _fts_query(query) if query.strip() else ""
        if fts:
            where.append("d.rowid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)")
            args.append(fts)
        for column, value in (("platform", platform), ("category", category)):
            if value:
                where.append(f"d.{column} = ?")
                args.append(value)
        if flagged is not None:
            where.append("d.flagged = ?")
            args.append(int(flagged))
        if since:
            where.append("d.last_seen >= ?")
            args.append(since)
        sql = "SELECT d.* FROM docs d"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.flagged DESC, d.risk_score DESC, d.doc_id LIMIT ?"
        args.append(int(limit))
        return [
            SearchHit(r["platform"], r["listing_id"], r["title"], r["url"], r["shop_name"], r["category"],
                      bool(r["flagged"]), r["risk_score"], r["reasons"].split(), r["price_fen"], r["status"], 0.0)
            for r in self._db.execute(sql, args)
        ]
