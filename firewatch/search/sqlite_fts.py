"""SQLite FTS5 search backend over jieba tokens (schema: index_config/sqlite_fts.sql).

Implements `firewatch.search.base.SearchIndex` in one file beside the store. A query's
tokens are ANDed as quoted FTS5 strings of private-use-encoded tokens, so seller text
and user input can never become FTS5 syntax. Filters, sorts and facets are plain SQL on
the `docs` table; the rule, sort orders and tie-breaks are the ones Elasticsearch
implements (see `base`), so both backends return the same pages. Writes are
transactions: a reader never sees half a listing, and `rebuild` swaps the whole index in
one commit (WAL readers keep the old one until then).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable

from firewatch.models import Assessment, Listing, Snapshot
from firewatch.search.base import (
    FACET_SIZE,
    IndexItem,
    SearchHit,
    SearchQuery,
    SearchResult,
    as_query,
    doc_id_of,
    from_ms,
    iter_store_items,
    project,
    query_tokens,
    snapshot_doc,
    snapshot_from_doc,
    split_item,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
_OTHER = re.compile(r"[^0-9a-z\u4e00-\u9fcc]")
HEAD_WEIGHT, BODY_WEIGHT = 4.0, 1.0
SIMILAR_CANDIDATES = 500


def _schema() -> str:
    return resources.files("index_config").joinpath("sqlite_fts.sql").read_text(encoding="utf-8")


def _encode_char(match: re.Match) -> str:
    o = ord(match.group())
    return "".join(chr(0xE000 + ((o >> shift) & 63)) for shift in (18, 12, 6, 0))


def fts_token(token: str) -> str:
    """A search token spelled so that unicode61 reads it as exactly one token."""
    return _OTHER.sub(_encode_char, token)


def _fts_text(tokens: list[str]) -> str:
    return " ".join(fts_token(t) for t in tokens)


def _match(tokens: list[str], op: str = " AND ") -> str:
    return op.join('"' + fts_token(t) + '"' for t in tokens)


_SORTS = {
    "risk": "d.flagged DESC, d.risk_score IS NULL, d.risk_score DESC, d.doc_id",
    "price_asc": "d.price_fen IS NULL, d.price_fen ASC, d.doc_id",
    "price_desc": "d.price_fen IS NULL, d.price_fen DESC, d.doc_id",
    "newest": "d.last_seen IS NULL, d.last_seen DESC, d.doc_id",
}


class SQLiteIndex:
    """FTS5 index in its own file, rebuildable from the store."""

    backend = "sqlite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self.init()

    def __enter__(self) -> "SQLiteIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def init(self) -> None:
        """Create the schema; an index of an older schema is dropped (run `index rebuild`)."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION) or (version == 0 and self._has_table("docs")):
            log.warning("search index %s has schema %s, not %s: emptied; run `firewatch index rebuild`",
                        self.path, version, SCHEMA_VERSION)
            self._db.executescript("DROP TABLE IF EXISTS docs_fts; DROP TABLE IF EXISTS docs; "
                                   "DROP TABLE IF EXISTS doc_reasons; DROP TABLE IF EXISTS snapshots;")
        self._db.executescript(_schema())

    def _has_table(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()

    def refresh(self) -> None:
        """Nothing to do: a committed write is visible at once."""

    # -- writing ------------------------------------------------------------------------
    def index_listing(self, listing: Listing, assessment: Assessment | None,
                      snapshots: list[Snapshot] | None = None) -> None:
        self.index_many([(listing, assessment, snapshots)])

    def index_many(self, items: Iterable[IndexItem], batch: int = 2000,
                   progress: Callable[[int], None] | None = None) -> int:
        """Index many listings, `batch` per transaction; returns how many."""
        n, chunk = 0, []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                n += self._write(chunk)
                chunk = []
                if progress:
                    progress(n)
        if chunk:
            n += self._write(chunk)
            if progress:
                progress(n)
        return n

    def _write(self, items: list[IndexItem], clear: bool = False) -> int:
        prepared = []
        for item in items:
            listing, assessment, snapshots = split_item(item)
            prepared.append((project(listing, assessment), [snapshot_doc(s) for s in snapshots or ()]))
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if clear:
                self._clear_tables()
            for doc, snaps in prepared:
                self._put(doc, snaps)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return len(prepared)

    def _put(self, doc: dict[str, Any], snaps: list[dict[str, Any]]) -> None:
        db = self._db
        cols = ("doc_id", "platform", "listing_id", "title", "url", "shop_id", "shop_name", "category", "flagged",
                "risk_score", "reasons", "price_fen", "status", "first_seen", "last_seen", "assessed_at")
        values = {**doc, "flagged": int(doc["flagged"]), "reasons": " ".join(doc["reasons"])}
        old = db.execute("SELECT id FROM docs WHERE doc_id=?", (doc["doc_id"],)).fetchone()
        if old is None:
            rowid = db.execute(f"INSERT INTO docs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                               [values[c] for c in cols]).lastrowid
        else:
            rowid = old[0]
            db.execute(f"UPDATE docs SET {', '.join(c + '=?' for c in cols[1:])} WHERE id=?",
                       [values[c] for c in cols[1:]] + [rowid])
            db.execute("DELETE FROM docs_fts WHERE rowid=?", (rowid,))
            db.execute("DELETE FROM doc_reasons WHERE doc=?", (rowid,))
        db.execute("INSERT INTO docs_fts (rowid, head, body) VALUES (?,?,?)",
                   (rowid, _fts_text(doc["head_tokens"]), _fts_text(doc["body_tokens"])))
        db.executemany("INSERT INTO doc_reasons (code, doc) VALUES (?,?)", [(c, rowid) for c in doc["reasons"]])
        if snaps:
            scols = ("snap_id", "doc_id", "platform", "listing_id", "observed_at", "price_fen", "title", "stock",
                     "status", "content_hash")
            db.executemany(f"INSERT OR REPLACE INTO snapshots ({', '.join(scols)}) VALUES ({', '.join('?' * len(scols))})",
                           [[s[c] for c in scols] for s in snaps])

    def _clear_tables(self) -> None:
        for table in ("docs_fts", "doc_reasons", "docs", "snapshots"):
            self._db.execute(f"DELETE FROM {table}")

    def clear(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._clear_tables()
        self._db.execute("COMMIT")

    def rebuild(self, store: Any, progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with the store's listings in one transaction."""
        items = list(iter_store_items(store))
        n = self._write(items, clear=True)
        if progress:
            progress(n)
        return n

    def delete(self, key: tuple[str, str]) -> None:
        doc_id = doc_id_of(*key)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            row = self._db.execute("SELECT id FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
            if row is not None:
                for sql in ("DELETE FROM docs_fts WHERE rowid=?", "DELETE FROM doc_reasons WHERE doc=?",
                            "DELETE FROM docs WHERE id=?"):
                    self._db.execute(sql, (row[0],))
            self._db.execute("DELETE FROM snapshots WHERE doc_id=?", (doc_id,))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # -- reading ------------------------------------------------------------------------
    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def _filtered(self, q: SearchQuery) -> tuple[str, list[Any], bool] | None:
        """FROM/WHERE clause and arguments for a query; None when it can match nothing."""
        conds: list[str] = []
        args: list[Any] = []
        source = "docs d"
        ranked = False
        if q.text.strip():
            tokens = query_tokens(q.text)
            if not tokens:
                return None
            source = ("(SELECT rowid AS fid, bm25(docs_fts, ?, ?) AS r FROM docs_fts WHERE docs_fts MATCH ?) f "
                      "JOIN docs d ON d.id = f.fid")
            args += [HEAD_WEIGHT, BODY_WEIGHT, _match(tokens)]
            ranked = True
        for column, value in (("platform", q.platform), ("category", q.category), ("status", q.status)):
            if value:
                conds.append(f"d.{column} = ?")
                args.append(value)
        if q.flagged is not None:
            conds.append("d.flagged = ?")
            args.append(int(bool(q.flagged)))
        if q.reason:
            conds.append("d.id IN (SELECT doc FROM doc_reasons WHERE code = ?)")
            args.append(q.reason)
        if q.shop:
            conds.append("(d.shop_id = ? OR d.shop_name = ?)")
            args += [q.shop, q.shop]
        for expr, value in (("d.price_fen >= ?", q.min_fen), ("d.price_fen <= ?", q.max_fen),
                            ("d.last_seen >= ?", q.since_ms), ("d.last_seen < ?", q.until_ms)):
            if value is not None:
                conds.append(expr)
                args.append(value)
        sql = " FROM " + source + (" WHERE " + " AND ".join(conds) if conds else "")
        return sql, args, ranked

    def search(self, query: SearchQuery | str = "", **filters: Any) -> SearchResult:
        """One page of listings matching `query` (a SearchQuery, or text plus filters)."""
        q = as_query(query, **filters)
        filtered = self._filtered(q)
        if filtered is None:
            return SearchResult([], 0, {f: [] for f in ("category", "platform", "reason", "shop")} if q.facets else {})
        body, args, ranked = filtered
        if ranked and q.sort == "relevance":
            order, score = "f.r, d.doc_id", "-f.r"
        else:
            order, score = _SORTS.get(q.sort, _SORTS["risk"]), "0.0"
        rows = self._db.execute(f"SELECT d.*, {score} AS score{body} ORDER BY {order} LIMIT ? OFFSET ?",
                                args + [int(q.page_size), q.offset]).fetchall()
        total = self._db.execute(f"SELECT COUNT(*){body}", args).fetchone()[0]
        facets = self._facets(body, args) if q.facets else {}
        return SearchResult([self._hit(r) for r in rows], total, facets)

    def _facets(self, body: str, args: list[Any]) -> dict[str, list[tuple[str, int]]]:
        ids = f"SELECT d.id{body}"
        out = {}
        for name, column in (("category", "category"), ("platform", "platform"), ("shop", "shop_name")):
            rows = self._db.execute(
                f"SELECT {column} AS v, COUNT(*) AS c FROM docs WHERE id IN ({ids}) AND {column} IS NOT NULL "
                f"GROUP BY {column} ORDER BY c DESC, v LIMIT {FACET_SIZE}", args).fetchall()
            out[name] = [(r["v"], r["c"]) for r in rows]
        rows = self._db.execute(
            f"SELECT code AS v, COUNT(*) AS c FROM doc_reasons WHERE doc IN ({ids}) "
            f"GROUP BY code ORDER BY c DESC, v LIMIT {FACET_SIZE}", args).fetchall()
        out["reason"] = [(r["v"], r["c"]) for r in rows]
        return {f: out[f] for f in ("category", "platform", "reason", "shop")}

    @staticmethod
    def _hit(r: sqlite3.Row) -> SearchHit:
        return SearchHit(
            doc_id=r["doc_id"], platform=r["platform"], listing_id=r["listing_id"], title=r["title"], url=r["url"],
            shop_id=r["shop_id"] or "", shop_name=r["shop_name"] or "", category=r["category"],
            flagged=bool(r["flagged"]), risk_score=r["risk_score"], reasons=r["reasons"].split(),
            price_fen=r["price_fen"], status=r["status"], last_seen=from_ms(r["last_seen"]), score=float(r["score"] or 0.0),
        )

    def get(self, key: tuple[str, str]) -> SearchHit | None:
        r = self._db.execute("SELECT d.*, 0.0 AS score FROM docs d WHERE doc_id=?", (doc_id_of(*key),)).fetchone()
        return None if r is None else self._hit(r)

    def history(self, key: tuple[str, str]) -> list[Snapshot]:
        """The indexed price/status snapshots of one listing, oldest first."""
        rows = self._db.execute("SELECT * FROM snapshots WHERE doc_id=? ORDER BY observed_at, snap_id",
                                (doc_id_of(*key),)).fetchall()
        return [snapshot_from_doc(dict(r)) for r in rows]

    def shop_listings(self, platform: str | None, shop: str, limit: int = 100) -> SearchResult:
        """Every listing of one shop (by shop id or exact name), highest risk first."""
        return self.search(SearchQuery(platform=platform, shop=shop, sort="risk", page_size=limit))

    def similar(self, key: tuple[str, str], limit: int = 10) -> list[SearchHit]:
        """Listings sharing most tokens with this one (Jaccard over token sets), best first."""
        row = self._db.execute("SELECT d.id, f.head, f.body FROM docs d JOIN docs_fts f ON f.rowid = d.id "
                               "WHERE d.doc_id=?", (doc_id_of(*key),)).fetchone()
        if row is None:
            return []
        mine = set((row["head"] + " " + row["body"]).split())
        if not mine:
            return []
        match = " OR ".join('"' + t + '"' for t in sorted(mine)[:200])
        candidates = self._db.execute(
            "SELECT rowid, head, body FROM docs_fts WHERE docs_fts MATCH ? AND rowid != ? "
            "ORDER BY bm25(docs_fts, ?, ?) LIMIT ?", (match, row["id"], HEAD_WEIGHT, BODY_WEIGHT, SIMILAR_CANDIDATES),
        ).fetchall()
        scored = []
        for c in candidates:
            theirs = set((c["head"] + " " + c["body"]).split())
            scored.append((len(mine & theirs) / len(mine | theirs), c["rowid"]))
        scored = [s for s in scored if s[0] >= 0.2]
        if not scored:
            return []
        by_id = {r["id"]: r for r in self._db.execute(
            f"SELECT d.*, 0.0 AS score FROM docs d WHERE d.id IN ({', '.join('?' * len(scored))})",
            [rid for _, rid in scored])}
        hits = []
        for overlap, rid in scored:
            hit = self._hit(by_id[rid])
            hit.score = round(overlap, 6)
            hits.append(hit)
        hits.sort(key=lambda h: (-h.score, h.doc_id))
        return hits[:limit]
