"""SQLite FTS5 search backend over jieba tokens (schema: index_config/sqlite_fts.sql).

`SQLiteIndex(path)` implements `firewatch.search.base.SearchIndex` with the same results, sort
orders and facets as Elasticsearch. Query tokens are quoted, so no text becomes FTS5 syntax. Each
write is one transaction (no reader sees half a listing); `rebuild` swaps the index in one commit.
"""

from __future__ import annotations

import itertools
from array import array
import json
import math
import logging
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from firewatch.core.exceptions import SearchError
from firewatch.core.models import Assessment, Listing, Snapshot
from firewatch.search.base import (
    FACET_SIZE,
    FACETS,
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
from firewatch.search.sqlite_summaries import SUMMARIES
from firewatch.store import Store

log = logging.getLogger(__name__)

SCHEMA_VERSION = 5
MIGRATABLE = (2, 3, 4)  # older schemas init() brings up to this one in place (indexes, FTS table)
_SCHEMA_FILE = "index_config/sqlite_fts.sql"
# Reads: keep hot pages in a 256 MiB cache, map the file (up to SQLite's 2 GiB cap)
# instead of copying pages, and keep sorters and materialised matches in memory.
_READ_PRAGMAS = ("cache_size=-262144", "mmap_size=2147483648", "temp_store=MEMORY")
_OTHER = re.compile(r"[^0-9a-z\u4e00-\u9fcc]")
HEAD_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT = 4.0, 1.0, 0.0
SIMILAR_CANDIDATES = 1000
# More matches than this: the total is counted up to it (SearchResult.total_exact False, shown
# as "10000+") and facets count only FACET_SAMPLE of the matches (SearchResult.facet_sample). Relevance ranks with BM25 up to RANK_POOL
# matches; past it, or with equality filters, head matches first, newest first, with or without
# price/date/shop conditions (see SQLiteIndex._ranked_page and _head_first).
# Nobody can page past MAX_WINDOW (10,000) results anyway, on either backend.
TOTAL_CAP = 10_000
RANK_POOL = 5_000
FACET_SAMPLE = 1_000
HOUR_MS = 3_600_000
RISK_STEPS = 1000  # risk buckets per flagged value: floor(risk_score * 1000)
MAX_BUCKETS_PER_QUERY = 512
_TAG = "\ue040"  # starts every tags-column token; encoded search tokens use U+E000-U+E03F only
_TEXT_COLUMNS = "{head body}"


def _schema() -> str:
    return resources.files("index_config").joinpath("sqlite_fts.sql").read_text(encoding="utf-8")


def _statements(script: str) -> list[str]:
    """The SQL statements of a script, comments dropped."""
    out, current = [], ""
    for line in script.splitlines():
        if line.lstrip().startswith("--"):
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


# Characters unicode61 would split on become four private-use characters (6 bits each), so
# seller text and user input stay one token each and never become FTS5 syntax.
@lru_cache(maxsize=4096)
def _encoded(char: str) -> str:
    o = ord(char)
    return "".join(chr(0xE000 + ((o >> shift) & 63)) for shift in (18, 12, 6, 0))


def _encode_char(match: re.Match) -> str:
    return _encoded(match.group())


def fts_token(token: str) -> str:
    """A search token spelled so that unicode61 reads it as exactly one token."""
    return _OTHER.sub(_encode_char, token)


_OTHER_BUT_SPACE = re.compile(r"[^0-9a-z\u4e00-\u9fcc ]")


def _fts_text(tokens: list[str]) -> str:
    """The tokens as FTS column text: `fts_token` of each, space-separated (search tokens
    hold no whitespace, so encoding the joined text once gives the same string)."""
    return _OTHER_BUT_SPACE.sub(_encode_char, " ".join(tokens))


_CJK = re.compile(r"[\u4e00-\u9fff]")  # as firewatch.core.text's bigram rule


def _without_implied(tokens: list[str]) -> list[str]:
    """The query tokens less the CJK bigrams of its longer tokens. A listing holding a token
    of three or more characters with CJK in it holds all its CJK bigrams too (the tokenizer
    adds them: firewatch.core.text._word_tokens), so requiring them as well changes no
    match, and each dropped token is one doclist fewer for FTS5 to walk."""
    implied = {t[i:i + 2] for t in tokens if len(t) >= 3 and _CJK.search(t)
               for i in range(len(t) - 1) if _CJK.match(t[i]) and _CJK.match(t[i + 1])}
    return [t for t in tokens if t not in implied]


def _match(tokens: list[str], op: str = " AND ") -> str:
    return op.join('"' + fts_token(t) + '"' for t in tokens)


@lru_cache(maxsize=65536, typed=True)  # a few thousand distinct (field, value) pairs: filters, sort buckets
def tag(field: str, value: Any) -> str:
    """The tags-column token of one filter value (platform jd -> U+E040 + fts_token('platform=jd'))."""
    return _TAG + fts_token(f"{field}={value}")


# Sort buckets: one tags token per sort order holding a coarse, non-decreasing function of
# the sort key (risk per mille within flagged, price on a log scale with 64 steps per
# doubling, last seen by the hour; "n" for a missing value). Every listing of an earlier
# bucket comes before every listing of a later one, so a sorted page of a broad text match
# is read bucket by bucket (FTS5 intersects the text with a few bucket tokens) instead of
# sorting every match; see SQLiteIndex._bucket_ids.
def _risk_bucket(flagged: Any, risk: float | None) -> str:
    if risk is None or risk != risk:  # SQLite stores NaN as NULL
        return f"{int(bool(flagged))}.n"
    return f"{int(bool(flagged))}.{min(RISK_STEPS, max(0, math.floor(risk * RISK_STEPS)))}"


def _price_bucket(fen: int | None) -> int | None:
    """Below 128 fen the price itself (negatives: -1); above, 64 steps per doubling."""
    if fen is None:
        return None
    if fen < 128:
        return max(int(fen), -1)
    length = int(fen).bit_length()
    return (length - 7) * 64 + (int(fen) >> (length - 7))


def _hour_bucket(ms: int | None) -> int | None:
    return None if ms is None else ms // HOUR_MS


def _n(value: Any) -> Any:
    return "n" if value is None else value


def _tags_text(doc: dict[str, Any]) -> str:
    values = [("platform", doc["platform"]), ("category", doc["category"]), ("status", doc["status"]),
              ("flagged", int(bool(doc["flagged"])))] + [("reason", r) for r in doc["reasons"]]
    values += [("rk", _risk_bucket(doc["flagged"], doc["risk_score"])), ("pb", _n(_price_bucket(doc["price_fen"]))),
               ("hr", _n(_hour_bucket(doc["last_seen"])))]
    return " ".join(tag(f, v) for f, v in values if v is not None)


# Sort orders over the sort-key columns (`s` is the BM25 rank). In SQLite NULL sorts
# below every value, so DESC already puts missing values last, as Elasticsearch does;
# ascending price needs `price_fen IS NULL` first.
_SORTS = {
    "relevance": "s, doc_id",
    "risk": "flagged DESC, risk_score DESC, doc_id",
    "price_asc": "price_fen IS NULL, price_fen, doc_id",
    "price_desc": "price_fen DESC, doc_id",
    "newest": "last_seen DESC, doc_id",
}
_SORT_INDEX = {"risk": "docs_risk", "price_asc": "docs_price_asc", "price_desc": "docs_price_desc",
               "newest": "docs_newest"}  # index_config/sqlite_fts.sql: one per sort, same order
_KEY_COLUMNS = "d.id, d.doc_id, d.flagged, d.risk_score, d.price_fen, d.last_seen"
_FACET_COLUMNS = "d.category, d.platform, d.shop_name, d.reasons"
_REASON_IN = "d.id IN (SELECT doc FROM doc_reasons WHERE code = ?)"
_REASON_EXISTS = "EXISTS (SELECT 1 FROM doc_reasons r WHERE r.code = ? AND r.doc = d.id)"


_IDS_BODY = " FROM docs d WHERE d.id IN (SELECT value FROM json_each(?))"
_KEY_CONDS = {"d.price_fen >= ?", "d.price_fen <= ?", "d.last_seen >= ?", "d.last_seen < ?"}


def _count_body(plan: "_Plan") -> str:
    """The plan's FROM/WHERE for counting: text matches whose only docs conditions are prices and
    dates (the reason, without text) read the small docs_keys index instead of the docs rows."""
    if plan.conds and plan.match and set(plan.conds) <= _KEY_CONDS:
        return plan.body.replace(" CROSS JOIN docs d ON", " CROSS JOIN docs d INDEXED BY docs_keys ON", 1)
    if plan.match is None and _REASON_IN in plan.conds and set(plan.conds) - {_REASON_IN} <= _KEY_CONDS:
        return plan.body.replace(" FROM docs d", " FROM docs d INDEXED BY docs_keys", 1)
    return plan.body


def _count_facets(rows: list[Any]) -> dict[str, list[tuple[str, int]]]:
    """The top FACET_SIZE values of each facet over rows of _FACET_COLUMNS, most frequent first
    (ties by value); missing categories and shops are not counted."""
    if not rows:
        return {f: [] for f in FACETS}
    categories, platforms, shops, reasons = zip(*rows)
    counts = {"category": Counter(categories), "platform": Counter(platforms), "shop": Counter(shops),
              "reason": Counter(itertools.chain.from_iterable(r.split() for r in reasons))}
    return {f: sorted(((v, c) for v, c in counts[f].items() if v is not None), key=lambda p: (-p[1], p[0]))[:FACET_SIZE]
            for f in FACETS}
RANK_SLACK = 1000  # extra FTS5-ranked rows fetched so that ties at the page's end are complete


@dataclass
class _Plan:
    """A query as SQL: `body` is its FROM/WHERE with `args`; `match` the FTS5 expression
    (None without text; with text it holds the equality filters as tags too); `filtered`
    whether conditions on the docs columns remain (`conds` with `cond_args`)."""

    body: str
    args: list[Any]
    match: str | None
    filtered: bool
    conds: list[str] = field(default_factory=list)
    cond_args: list[Any] = field(default_factory=list)
    head_match: str | None = None  # the text tokens in the head column alone (relevance past RANK_POOL)
    tagged: bool = False  # the match holds equality filters as tags tokens


_DOC_COLS = ("doc_id", "platform", "listing_id", "title", "url", "shop_id", "shop_name", "category", "flagged",
             "risk_score", "reasons", "price_fen", "status", "first_seen", "last_seen", "assessed_at")
_SNAP_COLS = ("snap_id", "doc_id", "platform", "listing_id", "observed_at", "price_fen", "title", "stock", "status",
              "content_hash")


@dataclass
class _Prepared:
    """One listing ready to write: its docs row (in _DOC_COLS order), FTS texts, reason
    codes and snapshot rows (in _SNAP_COLS order)."""

    doc_id: str
    row: list[Any]
    head: str
    body: str
    tags: str
    reasons: list[str]
    snapshots: list[list[Any]]


def prepare(items: Iterable[IndexItem]) -> list[_Prepared]:
    """Project and tokenise listings (the costly part of indexing: jieba)."""
    out = []
    for item in items:
        listing, assessment, snapshots = split_item(item)
        doc = project(listing, assessment)
        values = {**doc, "flagged": int(doc["flagged"]), "reasons": " ".join(doc["reasons"])}
        out.append(_Prepared(doc["doc_id"], [values[c] for c in _DOC_COLS], _fts_text(doc["head_tokens"]),
                             _fts_text(doc["body_tokens"]), _tags_text(doc), doc["reasons"],
                             [[s[c] for c in _SNAP_COLS] for s in map(snapshot_doc, snapshots or ())]))
    return out


def _chunks(items: Iterable[IndexItem], size: int) -> Iterator[list[IndexItem]]:
    source = iter(items)
    return iter(lambda: list(itertools.islice(source, size)), [])


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
        for pragma in _READ_PRAGMAS:
            self._db.execute(f"PRAGMA {pragma}")
        self.init()

    def __enter__(self) -> "SQLiteIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def init(self) -> None:
        """Create the schema, or bring an older index file up to this one.

        An index already at this schema is only read: opening it writes nothing (a write would
        also count as a change of the file in `SUMMARIES`). Schemas 2, 3 and 4 have the same
        rows: the indexes they miss are added, and their FTS table (2 and 3: no tags column,
        full detail; 4: no sort-bucket tags) is rebuilt in place from its own text and the docs
        rows, with a warning. Any other schema is dropped with a
        warning: run `firewatch index rebuild` to fill it again.
        """
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return  # current: opening only reads (the schema script would write its PRAGMA, a commit per open)
        migrate = version in MIGRATABLE
        if migrate:
            log.warning("search index %s has schema %s: bringing it to schema %s in place (once, may take a while)",
                        self.path, version, SCHEMA_VERSION)
            self._db.execute("ALTER TABLE docs_fts RENAME TO docs_fts_old")
        elif version not in (0, SCHEMA_VERSION) or (version == 0 and self._has_table("docs")):
            log.warning("search index %s has schema %s, not %s: emptied; run `firewatch index rebuild`",
                        self.path, version, SCHEMA_VERSION)
            self._db.executescript("DROP TABLE IF EXISTS docs_fts; DROP TABLE IF EXISTS docs; "
                                   "DROP TABLE IF EXISTS doc_reasons; DROP TABLE IF EXISTS snapshots;")
        if migrate:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(_schema()):  # in this transaction (executescript commits)
                    if not statement.lstrip().upper().startswith("PRAGMA"):
                        self._db.execute(statement)
                self._migrate_fts()
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._db.executescript(_schema())
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            raise SearchError(f"{_SCHEMA_FILE} sets user_version to something other than {SCHEMA_VERSION}: "
                              "the schema file and firewatch/search/sqlite_fts.py disagree")

    def _migrate_fts(self) -> None:
        """Fill the new FTS table from the old one's text and the docs rows' filter values."""
        def tags(platform, category, status, flagged, reasons, risk_score, price_fen, last_seen):
            return _tags_text({"platform": platform, "category": category, "status": status, "flagged": flagged,
                               "reasons": (reasons or "").split(), "risk_score": risk_score, "price_fen": price_fen,
                               "last_seen": last_seen})

        self._db.create_function("fw_tags", 8, tags, deterministic=True)
        self._db.execute("INSERT INTO docs_fts (rowid, head, body, tags) "
                         "SELECT f.rowid, f.head, f.body, fw_tags(d.platform, d.category, d.status, d.flagged, d.reasons, "
                         "d.risk_score, d.price_fen, d.last_seen) FROM docs_fts_old f JOIN docs d ON d.id = f.rowid")
        self._db.execute("DROP TABLE docs_fts_old")

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
        n = 0
        for chunk in _chunks(items, batch):
            n += self._write(chunk)
            if progress:
                progress(n)
        return n

    def _write(self, items: list[IndexItem], clear: bool = False) -> int:
        return self._write_prepared(prepare(items), clear)

    def _write_prepared(self, prepared: list[_Prepared], clear: bool = False) -> int:
        """Store prepared documents in one transaction (optionally emptying the index first)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if clear:
                self._clear_tables()
            self._store(prepared)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return len(prepared)

    def _store(self, prepared: list[_Prepared]) -> None:
        """Insert or replace the documents, a statement per table for the whole batch."""
        db = self._db
        latest = {p.doc_id: p for p in prepared}  # a listing twice in one batch: the last one counts
        existing = dict(db.execute("SELECT doc_id, id FROM docs WHERE doc_id IN (SELECT value FROM json_each(?))",
                                   (json.dumps(list(latest)),)).fetchall())
        next_id = (db.execute("SELECT max(id) FROM docs").fetchone()[0] or 0) + 1
        ids: dict[str, int] = {}
        for doc_id in latest:
            if doc_id in existing:
                ids[doc_id] = existing[doc_id]
            else:
                ids[doc_id], next_id = next_id, next_id + 1
        old = [(existing[d],) for d in latest if d in existing]
        if old:
            db.executemany("DELETE FROM docs_fts WHERE rowid=?", old)
            db.executemany("DELETE FROM doc_reasons WHERE doc=?", old)
            db.executemany(f"UPDATE docs SET {', '.join(c + '=?' for c in _DOC_COLS[1:])} WHERE id=?",
                           [p.row[1:] + [existing[d]] for d, p in latest.items() if d in existing])
        db.executemany(f"INSERT INTO docs (id, {', '.join(_DOC_COLS)}) VALUES ({', '.join('?' * (len(_DOC_COLS) + 1))})",
                       [[ids[d]] + p.row for d, p in latest.items() if d not in existing])
        db.executemany("INSERT INTO docs_fts (rowid, head, body, tags) VALUES (?,?,?,?)",
                       [(ids[d], p.head, p.body, p.tags) for d, p in latest.items()])
        db.executemany("INSERT INTO doc_reasons (code, doc) VALUES (?,?)",
                       [(code, ids[d]) for d, p in latest.items() for code in p.reasons])
        db.executemany(f"INSERT OR REPLACE INTO snapshots ({', '.join(_SNAP_COLS)}) "
                       f"VALUES ({', '.join('?' * len(_SNAP_COLS))})", [s for p in prepared for s in p.snapshots])

    def _clear_tables(self) -> None:
        for table in ("docs_fts", "doc_reasons", "docs", "snapshots"):
            self._db.execute(f"DELETE FROM {table}")

    def clear(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._clear_tables()
        self._db.execute("COMMIT")

    def rebuild(self, store: Store, progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with the store's listings in one transaction."""
        # WAL readers keep reading the old index until this commits.
        n = self._write_prepared(prepare(iter_store_items(store)), clear=True)
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

    def _filtered(self, q: SearchQuery) -> _Plan | None:
        """How to find a query's matches; None when it can match nothing.

        With text, the FTS5 match is the outer loop (CROSS JOIN fixes the join order): it
        yields each matching rowid once, and the docs row is then found by primary key.
        Equality filters (platform, category, status, flagged, reason) join the match as
        tags-column tokens, so only shop, price and date conditions read docs rows. Left to
        itself the planner may instead walk a filter index and probe the FTS index once per
        row, which is hundreds of times slower on broad filters.
        """
        conds: list[str] = []
        args: list[Any] = []
        match = None
        if q.text.strip():
            tokens = query_tokens(q.text)
            if not tokens:
                return None
            tokens = _without_implied(tokens)
            match = f"{_TEXT_COLUMNS} : ({_match(tokens)})"
            head_match = f"head : ({_match(tokens)})"
            tags = [tag(f, v) for f, v in (("platform", q.platform), ("category", q.category), ("status", q.status),
                                           ("reason", q.reason)) if v]
            if q.flagged is not None:
                tags.append(tag("flagged", int(bool(q.flagged))))
            if tags:
                tags_match = " AND tags : (" + " AND ".join(f'"{t}"' for t in tags) + ")"
                match, head_match = match + tags_match, head_match + tags_match
        else:
            for column, value in (("platform", q.platform), ("category", q.category), ("status", q.status)):
                if value:
                    conds.append(f"d.{column} = ?")
                    args.append(value)
            if q.flagged is not None:
                conds.append("d.flagged = ?")
                args.append(int(bool(q.flagged)))
            if q.reason:
                conds.append(_REASON_IN)
                args.append(q.reason)
        if q.shop:
            conds.append("(d.shop_id = ? OR d.shop_name = ?)")
            args += [q.shop, q.shop]
        for expr, value in (("d.price_fen >= ?", q.min_fen), ("d.price_fen <= ?", q.max_fen),
                            ("d.last_seen >= ?", q.since_ms), ("d.last_seen < ?", q.until_ms)):
            if value is not None:
                conds.append(expr)
                args.append(value)
        if match is None:
            return _Plan(" FROM docs d" + (" WHERE " + " AND ".join(conds) if conds else ""), args, None, bool(conds),
                         conds, args)
        return _Plan(" FROM docs_fts f CROSS JOIN docs d ON d.id = f.rowid WHERE " + " AND ".join(["docs_fts MATCH ?"] + conds),
                     [match] + args, match, bool(conds), conds, args, head_match, "tags :" in match)

    def search(self, query: SearchQuery | str = "", **filters: Any) -> SearchResult:
        """One page of listings matching `query` (a SearchQuery, or text plus filters).

        Totals are exact up to TOTAL_CAP (10,000) matches; past it `total` is TOTAL_CAP with
        `total_exact` False, and facets count only FACET_SAMPLE (1,000) of the matches
        (`facet_sample`).
        """
        q = as_query(query, **filters)
        plan = self._filtered(q)
        if plan is None:
            return SearchResult([], 0, {f: [] for f in FACETS} if q.facets else {})
        sort = q.sort if q.sort in _SORTS and (plan.match or q.sort != "relevance") else "risk"
        size, offset = int(q.page_size), q.offset
        total, matched, facets = self._summary(plan, q.facets, bool(plan.match and (q.facets or sort != "relevance")))
        exact = total <= TOTAL_CAP
        total = min(total, TOTAL_CAP)
        sample = None if exact else FACET_SAMPLE
        if sort == "relevance" and not plan.filtered:
            rows = self._ranked_page(plan.match, size, offset, plan.head_match, plan.tagged,
                                     total if exact else TOTAL_CAP + 1)
        elif sort == "relevance" and plan.match and (plan.tagged or not exact or total > max(RANK_POOL, offset + size
                                                                                               + RANK_SLACK)):
            rows = self._head_first(plan.match, plan.head_match, size, offset, plan.conds, plan.cond_args)
        elif total == 0 or (exact and offset >= total):
            rows = []
        elif self._walk_sort_index(plan, total, offset + size, exact, matched):
            rows = self._page(plan, sort, size, offset, True, q)
        elif exact and matched is not None and sort != "relevance":  # sort all the matches: those in `matched`
            rows = self._page(_Plan(_IDS_BODY, [json.dumps(matched)], None, False), sort, size, offset)
        else:
            rows = self._page(plan, sort, size, offset)
        return SearchResult([self._hit(r) for r in rows], total, facets, total_exact=exact,
                            facet_sample=sample if q.facets else None)

    def _summary(self, plan: _Plan, facets: bool, take_ids: bool
                 ) -> tuple[int, list[int] | None, dict[str, list[tuple[str, int]]]]:
        """The query's match count up to TOTAL_CAP + 1, the ids of those matches (`take_ids`: a
        text query, in FTS5 rowid order) and its facets (when asked: over all the matches,
        or FACET_SAMPLE of them past TOTAL_CAP). None of it depends on the sort or the page, so
        it is kept in `SUMMARIES` until the index file changes (see sqlite_summaries)."""
        generation = SUMMARIES.generation(self.path)
        key = (plan.body, tuple(plan.args), TOTAL_CAP, FACET_SAMPLE)
        cached = SUMMARIES.get(generation, key)
        if cached is not None and (cached[1] is not None or not take_ids) and (cached[2] is not None or not facets):
            total, ids, found = cached
            kept = {f: list(v) for f, v in (found or {}).items()} if facets else {}  # copies: callers may edit
            return total, None if ids is None or not take_ids else ids.tolist(), kept
        matched: list[int] | None = None  # the ids of the first TOTAL_CAP + 1 matches, when taken
        if take_ids and cached is not None and cached[1] is not None:
            matched = cached[1].tolist()
            total = len(matched)
        elif take_ids:
            # FTS5 finds the matches once (under price and date conditions reading only the small
            # docs_keys index): their ids give the count, the facets' rows by primary key and
            # (when all are here) the matches to sort, with no second search
            if plan.filtered:
                rows = self._db.execute(f"SELECT f.rowid{_count_body(plan)} LIMIT ?", plan.args + [TOTAL_CAP + 1])
            else:
                rows = self._db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? LIMIT ?",
                                        (plan.match, TOTAL_CAP + 1))
            matched = [r[0] for r in rows]
            total = len(matched)
        elif cached is not None:
            total = cached[0]
        elif plan.match and not plan.filtered:  # FTS5 counts its matches without reading docs rows
            total = self._db.execute("SELECT COUNT(*) FROM (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? "
                                     "LIMIT ?)", (plan.match, TOTAL_CAP + 1)).fetchone()[0]
        else:
            total = self._db.execute(f"SELECT COUNT(*) FROM (SELECT 1{_count_body(plan)} LIMIT ?)",
                                     plan.args + [TOTAL_CAP + 1]).fetchone()[0]
        found = None if cached is None else cached[2]
        if facets and found is None:
            n = total if total <= TOTAL_CAP else FACET_SAMPLE
            listed = None if matched is None else _Plan(_IDS_BODY, [json.dumps(matched[:n])], None, False)
            found = _count_facets(self._db.execute(f"SELECT {_FACET_COLUMNS}{(listed or plan).body} LIMIT ?",
                                                   (listed or plan).args + [n]).fetchall())
        ids = array("q", matched) if matched is not None else (None if cached is None else cached[1])
        SUMMARIES.put(generation, key, (total, ids, found))
        return total, matched, {f: list(v) for f, v in (found or {}).items()} if facets else {}

    def _walk_sort_index(self, plan: _Plan, total: int, need: int, exact: bool = True,
                         matched: list[int] | None = None) -> bool:
        """Whether to read a page by walking its sort order's index.

        Walking the index until `need` matches have passed reads about need * N / total
        rows (N listings); sorting reads all `total` matches. The planner cannot know
        `total`, and left alone it narrows by a filter index (or the text) and sorts
        everything. With text, the walk goes by sort buckets (`_bucket_ids`).

        Past TOTAL_CAP the count is only a lower bound: the total is estimated from how far
        into the index the first matches reach (`matched`, ascending FTS5 rowids), or else
        the walk is taken unless it could read ten times the rows the cap stands for.
        """
        if plan.match is None and not plan.filtered:
            return False
        listings = self._db.execute("SELECT max(id) FROM docs").fetchone()[0] or 0
        if exact:
            return total * total > need * listings
        if matched:
            estimate = len(matched) * listings / max(matched[-1], 1)
            return estimate * estimate > need * listings
        return need * listings <= 10 * (TOTAL_CAP + 1) ** 2

    def _page(self, plan: _Plan, sort: str, size: int, offset: int, walk: bool = False,
              q: SearchQuery | None = None) -> list[sqlite3.Row]:
        """Sort only the keys of the matches, then read the rows of the page.

        Relevance (text with docs conditions, up to RANK_POOL matches, no equality filter;
        otherwise `_head_first`) ranks them all with bm25. Walking (`_walk_sort_index`): without text, the sort
        order's index is read in order, each row checked against the conditions; with text,
        only the matches of the first sort buckets (`_bucket_ids`) are sorted."""
        ranked = sort == "relevance"
        args = list(plan.args)
        if ranked:
            # bm25 only when relevance is asked, so other sorts do not pay for ranking broad matches.
            pool = max(RANK_POOL, offset + size + RANK_SLACK)
            inner = (f"SELECT * FROM (SELECT {_KEY_COLUMNS}, bm25(docs_fts, ?, ?, ?) AS s{plan.body} "
                     f"ORDER BY f.rowid DESC LIMIT ?) ORDER BY {_SORTS[sort]} LIMIT ? OFFSET ?")
            args = [HEAD_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT] + args + [pool]
        else:
            body = plan.body
            if walk and plan.match is None:
                # a reason is checked row by row (its primary key), not gathered for every listing first
                body = body.replace(" FROM docs d", f" FROM docs d INDEXED BY {_SORT_INDEX[sort]}", 1).replace(
                    _REASON_IN, _REASON_EXISTS)
            elif walk:
                body, args = _IDS_BODY, [
                    json.dumps(self._bucket_ids(plan, sort, offset + size, q or SearchQuery()))]
            inner = f"SELECT {_KEY_COLUMNS}, 0.0 AS s{body} ORDER BY {_SORTS[sort]} LIMIT ? OFFSET ?"
        outer_order = ", ".join("t." + term.strip() for term in _SORTS[sort].split(","))
        return self._db.execute(
            f"SELECT d.*, {'-t.s' if ranked else '0.0'} AS score FROM ({inner}) t CROSS JOIN docs d ON d.id = t.id "
            f"ORDER BY {outer_order}", args + [size, offset]).fetchall()

    def _ranked_page(self, match: str, size: int, offset: int, head_match: str | None = None, tagged: bool = False,
                     matches: int | None = None) -> list[sqlite3.Row]:
        """A relevance-ordered page of an FTS5-only query, ranked inside FTS5.

        Up to `pool` matches (RANK_POOL, or the page's end plus RANK_SLACK if deeper): BM25.
        FTS5 returns the best `need + slack` (rank, rowid) pairs without reading any docs
        row. When the last of them ranks strictly below the page's last place, every
        listing tied with that place is among them, so ordering just these by (rank,
        doc_id) gives exactly the page the full sort would; otherwise fetch more.

        More matches than that (a broad query on a large index): FTS5's bm25 first counts
        the documents of every query token over all matches, ~150 ms for a token in half of
        1,000,000 listings, so instead the listings holding every token in their title, shop
        or attributes (`head_match`) come first, then the rest, newest first in each; score
        2.0 and 1.0. The same with equality filters (`tagged`), however few the matches: bm25
        would count every listing of each filter value (status=active: most of the index) to
        weigh a tags token that has no weight in the score. `matches`: the number of matches
        when known (past TOTAL_CAP, a lower bound).
        """
        need = offset + size
        pool = max(RANK_POOL, need + RANK_SLACK)
        if head_match is not None and not tagged and (matches is None or TOTAL_CAP < matches <= pool):
            matches = self._db.execute("SELECT COUNT(*) FROM (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? LIMIT ?)",
                                       (match, pool + 1)).fetchone()[0]
        if head_match is not None and (tagged or matches > pool):
            return self._head_first(match, head_match, size, offset)
        fetch = need + RANK_SLACK
        while True:
            ranked = self._db.execute(
                "SELECT rowid, bm25(docs_fts, ?, ?, ?) FROM docs_fts WHERE docs_fts MATCH ? ORDER BY 2 LIMIT ?",
                (HEAD_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT, match, fetch)).fetchall()
            if len(ranked) < fetch or ranked[-1][1] > ranked[need - 1][1]:
                break
            fetch *= 4
        if len(ranked) >= need:
            cut = ranked[need - 1][1]
            ranked = [r for r in ranked if r[1] <= cut]
        rank_of = dict(ranked)
        ids = self._db.execute("SELECT id, doc_id FROM docs WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(list(rank_of)),)).fetchall()
        page = sorted(ids, key=lambda r: (rank_of[r[0]], r[1]))[offset:need]
        return self._rows_in_order([(i, rank_of[i]) for i, _ in page])

    def _head_first(self, match: str, head_match: str, size: int, offset: int, conds: list[str] = (),
                    cond_args: list[Any] = ()) -> list[sqlite3.Row]:
        """A relevance page without bm25 (see `_ranked_page`): the matches holding every text token
        in their head column first (score 2.0), then the rest (1.0), newest first in each; `conds`
        on the docs columns (price, date, shop) checked per match in FTS5's rowid order, reading
        the small docs_keys index when they are only prices and dates."""
        need = offset + size
        if conds:
            join = " CROSS JOIN docs d INDEXED BY docs_keys" if set(conds) <= _KEY_CONDS else " CROSS JOIN docs d"
            sql = (f"SELECT f.rowid, {{}} FROM docs_fts f{join} ON d.id = f.rowid WHERE docs_fts MATCH ? AND "
                   + " AND ".join(conds) + " ORDER BY f.rowid DESC LIMIT ?")
        else:
            sql = "SELECT rowid, {} FROM docs_fts WHERE docs_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
        first = self._db.execute(sql.format("2.0"), [head_match, *cond_args, need]).fetchall()
        if len(first) < need:
            first += self._db.execute(sql.format("1.0"), [f"({match}) NOT ({head_match})", *cond_args,
                                                          need - len(first)]).fetchall()
        return self._rows_in_order([(i, -score) for i, score in first[offset:need]])

    def _bucket_tokens(self, sort: str, q: SearchQuery) -> Iterator[str]:
        """The sort buckets (tags tokens) of `sort` in its order, those outside the query's
        price or date range left out; made as the walk takes them (years of hours are many)."""
        if sort == "risk":
            return (tag("rk", f"{f}.{b}") for f in (1, 0) for b in itertools.chain(range(RISK_STEPS, -1, -1), ["n"]))
        if sort == "newest":
            column, bucket, low, high, name = "last_seen", _hour_bucket, q.since_ms, q.until_ms, "hr"
            high = None if high is None else high - 1  # until_ms is exclusive
        else:
            column, bucket, low, high, name = "price_fen", _price_bucket, q.min_fen, q.max_fen, "pb"
        bounded = low is not None or high is not None
        first = self._db.execute(f"SELECT min({column}) FROM docs").fetchone()[0]
        last = self._db.execute(f"SELECT max({column}) FROM docs").fetchone()[0]
        values: Iterable[Any] = range(0)
        if first is not None:
            low = first if low is None else max(low, first)
            high = last if high is None else min(high, last)
            if low <= high:
                values = range(bucket(low), bucket(high) + 1)
        if sort != "price_asc":  # descending orders
            values = reversed(values)
        if not bounded:
            values = itertools.chain(values, ["n"])  # missing values sort last in every order
        return (tag(name, v) for v in values)

    def _bucket_ids(self, plan: _Plan, sort: str, need: int, q: SearchQuery) -> list[int]:
        """Ids of the text matches (docs conditions applied) of the first sort buckets, at least
        `need` of them or all: every listing of a bucket sorts before those of later buckets, so
        the first `need` of these in full sort order are the first `need` of all the matches.

        FTS5 intersects the text with a group of bucket tokens at a time; the group grows
        with how sparse the matches have been, up to MAX_BUCKETS_PER_QUERY tokens."""
        tokens = self._bucket_tokens(sort, q)
        if plan.conds:
            sql = ("SELECT f.rowid FROM docs_fts f CROSS JOIN docs d ON d.id = f.rowid WHERE docs_fts MATCH ? AND "
                   + " AND ".join(plan.conds))
        else:
            sql = "SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?"
        ids: list[int] = []
        group = 1
        while len(ids) < need:
            chunk = list(itertools.islice(tokens, group))
            if not chunk:
                break
            expr = f"({plan.match}) AND tags : (" + " OR ".join(f'"{t}"' for t in chunk) + ")"
            found = [r[0] for r in self._db.execute(sql, [expr] + plan.cond_args)]
            ids += found
            wanted = (need - len(ids)) * 1.25
            group = min(MAX_BUCKETS_PER_QUERY, group * 4 if not found else max(1, math.ceil(group * wanted / len(found))))
        return ids

    def _rows_in_order(self, pairs: list[tuple[int, float | None]]) -> list[sqlite3.Row]:
        """docs rows of (id, rank) pairs, in that order, with score = -rank (0.0 without a rank)."""
        if not pairs:
            return []
        return self._db.execute("SELECT d.*, coalesce(-json_extract(t.value, '$[1]'), 0.0) AS score "
                                "FROM json_each(?) t CROSS JOIN docs d ON d.id = json_extract(t.value, '$[0]') "
                                "ORDER BY t.key", (json.dumps(pairs),)).fetchall()

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
        # Bounded at any size: ranking every listing that shares a token (bm25 over an OR of all
        # of them) reads most of the index at a million listings. Candidates instead: listings
        # whose title holds every title token of this one (near-duplicates, however old), then the
        # newest listings sharing any title token (relistings come later); FTS5 walks both in
        # rowid order and stops at the limit. Jaccard over all tokens then ranks them.
        head = sorted(set(row["head"].split())) or sorted(mine)
        quoted = ['"' + t.replace('"', '""') + '"' for t in head[:64]]
        candidates = {}
        for expr, cap in ((" AND ".join(quoted), SIMILAR_CANDIDATES // 2), (" OR ".join(quoted), SIMILAR_CANDIDATES)):
            for c in self._db.execute("SELECT rowid, head, body FROM docs_fts WHERE docs_fts MATCH ? AND rowid != ? "
                                      "ORDER BY rowid DESC LIMIT ?", (f"head : ({expr})", row["id"], cap)):
                candidates.setdefault(c["rowid"], c)
        candidates = list(candidates.values())
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
