"""Elasticsearch search backend through the official client (`elasticsearch>=7.17,<8`).

`ElasticsearchIndex(hosts, prefix)` implements `firewatch.search.base.SearchIndex`: listings behind
the alias `<prefix>-listings`, which `rebuild` swaps atomically; every write can be repeated (ids
from the listing key); an unreachable cluster raises `SearchUnavailable` after retries and backoff.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Callable, Iterable, Iterator

from firewatch.core.exceptions import SearchError, SearchUnavailable, SettingsError
from firewatch.core.settings import SearchSettings
from firewatch.core.models import Assessment, Listing, Snapshot, utcnow
from firewatch.core.money import fen_to_float, to_fen
from firewatch.core.retry import retry_call
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
    to_ms,
)
from firewatch.store import Store

log = logging.getLogger(__name__)
_SEARCH = SearchSettings()  # the schema's defaults, for an index opened directly

TEMPLATES = ("listings", "snapshots", "evidence", "decisions")
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")
_HIT_FIELDS = ["doc_id", "platform", "listing_id", "title", "url", "shop_id", "shop_name", "category", "flagged",
               "risk_score", "reasons", "price", "status", "last_seen"]
_FACET_FIELDS = {"category": "category", "platform": "platform", "reason": "reasons", "shop": "shop_name"}


def load_template(kind: str, prefix: str) -> dict[str, Any]:
    """A template of index_config/elasticsearch/ with `{prefix}` filled in."""
    text = resources.files("index_config").joinpath("elasticsearch", f"{kind}.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{prefix}", prefix))


class ElasticsearchIndex:
    """Search over an Elasticsearch cluster; `hosts` is one URL or a list of node URLs."""

    backend = "elasticsearch"

    def __init__(self, hosts: str | list[str], prefix: str = _SEARCH.index_prefix, timeout: float = _SEARCH.timeout,
                 retries: int = _SEARCH.retries, backoff: float = _SEARCH.backoff, shards: int = _SEARCH.shards,
                 replicas: int = _SEARCH.replicas, chunk_size: int = 500):
        from elasticsearch import Elasticsearch  # optional backend, slow to import

        if not _PREFIX_RE.match(prefix):
            raise SettingsError(f"search.index_prefix {prefix!r}: use lowercase letters, digits, '-' or '_'")
        self.hosts = [h.strip() for h in hosts.split(",")] if isinstance(hosts, str) else list(hosts)
        self.prefix = prefix
        self.alias = f"{prefix}-listings"
        self.snapshot_alias = f"{prefix}-snapshots"
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.shards, self.replicas = int(shards), int(replicas)
        self.chunk_size = int(chunk_size)
        self.version = int(load_template("listings", prefix)["version"])
        self._ready = False
        try:
            # Only REST features common to 7.10 and 8.x are used (_index_template, aliases,
            # bulk, bool, aggregations, more_like_this; no mapping types), so an 8.x cluster
            # works when the client runs in compatibility mode
            # (ELASTIC_CLIENT_APIVERSIONING=true).
            self.es = Elasticsearch(self.hosts, timeout=timeout, max_retries=self.retries, retry_on_timeout=True)
        except Exception as exc:  # ImproperlyConfigured, ValueError on a bad URL
            raise SettingsError(f"search.url {','.join(self.hosts)!r}: {exc}; write http://host:9200") from exc

    def __enter__(self) -> "ElasticsearchIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.es.close()

    # -- errors and retries -------------------------------------------------------------
    def _down(self, exc: BaseException) -> SearchUnavailable:
        return SearchUnavailable(
            f"Elasticsearch at {', '.join(self.hosts)} is unreachable ({type(exc).__name__}: {str(exc)[:200]}). "
            "Start it (`make es`) or point search.url / --index at a running node; queued listings stay queued "
            "and `firewatch index sync` indexes them once it is back.")

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        from elasticsearch import exceptions as ex  # optional backend, slow to import

        try:
            yield
        except (ex.ConnectionError, ex.ConnectionTimeout) as exc:
            raise self._down(exc) from exc
        except ex.UnsupportedProductError as exc:
            raise SearchError(f"{', '.join(self.hosts)} is not an Elasticsearch the client accepts ({exc}); "
                              "start a default-distribution node (`make es`)") from exc
        except ex.TransportError as exc:
            if exc.status_code in (429, 502, 503, 504):
                raise self._down(exc) from exc
            raise SearchError(f"Elasticsearch refused {what}: {exc.status_code} {exc.error}: "
                              f"{json.dumps(exc.info, ensure_ascii=False, default=str)[:500]}") from exc

    def _with_backoff(self, what: str, call: Callable[[], Any]) -> Any:
        """Run `call`, retrying with exponential backoff while the cluster is unavailable."""

        def once(_attempt: int) -> Any:
            with self._guard(what):
                return call()

        def failed(attempt: int, exc: BaseException, wait: float | None) -> None:
            if wait is not None:
                log.warning("Elasticsearch unavailable for %s; retry %d/%d in %.1f s", what, attempt,
                            self.retries, wait)

        return retry_call(once, attempts=self.retries + 1, retry_on=SearchUnavailable, backoff=self.backoff,
                          on_failure=failed)

    # -- set-up -------------------------------------------------------------------------
    def _template(self, kind: str) -> dict[str, Any]:
        body = load_template(kind, self.prefix)
        body["template"]["settings"].update({"number_of_shards": self.shards, "number_of_replicas": self.replicas})
        return body

    def init(self) -> None:
        """Install the index templates and create the first listings index behind the alias."""
        from elasticsearch import exceptions as ex  # optional backend, slow to import

        with self._guard("init"):
            for kind in TEMPLATES:
                self.es.indices.put_index_template(name=f"{self.prefix}-{kind}", body=self._template(kind))
            if not self.es.indices.exists_alias(name=self.alias):
                if self.es.indices.exists(index=self.alias):
                    raise SearchError(f"a concrete index named {self.alias} exists where the alias belongs; "
                                      f"delete it (DELETE /{self.alias}) and run `firewatch index rebuild`")
                try:
                    self.es.indices.create(index=f"{self.alias}-v{self.version}-0", aliases={self.alias: {}})
                except ex.RequestError as exc:  # created by a concurrent init
                    if exc.error != "resource_already_exists_exception":
                        raise
        self._ready = True

    def _ensure(self) -> None:
        if not self._ready:
            with self._guard("check alias"):
                ready = self.es.indices.exists_alias(name=self.alias)
            if ready:
                self._ready = True
            else:
                self.init()

    def refresh(self) -> None:
        """Make every write so far visible to searches."""
        self._ensure()
        with self._guard("refresh"):
            self.es.indices.refresh(index=f"{self.prefix}-listings-*,{self.prefix}-snapshots-*", allow_no_indices=True)

    # -- writing ------------------------------------------------------------------------
    def _doc(self, listing: Listing, assessment: Assessment | None) -> dict[str, Any]:
        d = project(listing, assessment)
        tokens = d.pop("head_tokens") + d.pop("body_tokens")
        d["tokens"] = " ".join(tokens)
        d["price"] = fen_to_float(d.pop("price_fen"))
        d["indexed_at"] = to_ms(utcnow())
        return d

    def _actions(self, items: Iterable[IndexItem], index: str | None = None) -> Iterator[dict[str, Any]]:
        for item in items:
            listing, assessment, snapshots = split_item(item)
            doc = self._doc(listing, assessment)
            yield {"_op_type": "index", "_index": index or self.alias, "_id": doc["doc_id"], "_source": doc}
            for s in snapshots or ():
                yield self._snapshot_action(s)

    def _snapshot_action(self, s: Snapshot) -> dict[str, Any]:
        d = snapshot_doc(s)
        d["price"] = fen_to_float(d.pop("price_fen"))
        month = s.observed_at.astimezone(timezone.utc).strftime("%Y.%m")
        return {"_op_type": "index", "_index": f"{self.snapshot_alias}-{month}", "_id": d["snap_id"], "_source": d}

    def _send(self, actions: list[dict[str, Any]]) -> int:
        """Bulk-write one chunk: 429s are retried by the helper, outages by `_with_backoff`."""
        from elasticsearch import helpers  # optional backend, slow to import

        def call() -> int:
            failed = []
            for ok, info in helpers.streaming_bulk(self.es, actions, chunk_size=len(actions) + 1,
                                                   max_retries=self.retries, initial_backoff=self.backoff,
                                                   raise_on_error=False, raise_on_exception=True):
                if not ok:
                    failed.append(info)
            if failed:
                raise SearchError(f"Elasticsearch rejected {len(failed)} of {len(actions)} documents, first: "
                                  f"{json.dumps(failed[0], ensure_ascii=False, default=str)[:500]}")
            return len(actions)

        return self._with_backoff("bulk", call)

    def _bulk(self, actions: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None) -> int:
        listings = 0
        chunk: list[dict[str, Any]] = []
        for action in actions:
            chunk.append(action)
            if action["_index"] != self.alias and not action["_index"].startswith(self.alias + "-"):
                continue
            listings += 1
            if len(chunk) >= self.chunk_size:
                self._send(chunk)
                chunk = []
                if progress:
                    progress(listings)
        if chunk:
            self._send(chunk)
            if progress:
                progress(listings)
        return listings

    def index_listing(self, listing: Listing, assessment: Assessment | None,
                      snapshots: list[Snapshot] | None = None) -> None:
        """Index one listing (and its snapshots); visible to searches within a second."""
        self.index_many([(listing, assessment, snapshots)])

    def index_many(self, items: Iterable[IndexItem], progress: Callable[[int], None] | None = None) -> int:
        """Bulk-index listings in chunks; returns how many listings."""
        self._ensure()
        return self._bulk(self._actions(items), progress)

    def index_records(self, evidence: Iterable[Any] = (), decisions: Iterable[Any] = ()) -> int:
        """Index evidence capture records and review decisions (yearly indices behind read aliases)."""
        self._ensure()
        actions = []
        for e in evidence:
            d = e.to_dict()
            d["doc_id"] = doc_id_of(e.platform, e.listing_id)
            d["captured_at"] = to_ms(e.captured_at)
            d.pop("directory", None)
            actions.append({"_op_type": "index", "_index": f"{self.prefix}-evidence-{e.captured_at:%Y}",
                            "_id": f"{d['doc_id']}:{d['captured_at']}", "_source": d})
        for dec in decisions:
            at = to_ms(dec.at)
            d = {"doc_id": doc_id_of(dec.platform, dec.listing_id), "platform": dec.platform,
                 "listing_id": dec.listing_id, "reviewer": dec.reviewer, "verdict": dec.verdict, "note": dec.note,
                 "at": at}
            actions.append({"_op_type": "index", "_index": f"{self.prefix}-decisions-{dec.at:%Y}",
                            "_id": f"{d['doc_id']}:{at}:{dec.reviewer}", "_source": d})
        for lo in range(0, len(actions), self.chunk_size):
            self._send(actions[lo:lo + self.chunk_size])
        return len(actions)

    def delete(self, key: tuple[str, str]) -> None:
        self._ensure()
        doc_id = doc_id_of(*key)
        with self._guard("delete"):
            self.es.delete_by_query(index=f"{self.alias},{self.prefix}-snapshots-*", allow_no_indices=True,
                                    body={"query": {"term": {"doc_id": doc_id}}}, refresh=True, conflicts="proceed")

    def drop(self) -> None:
        """Delete every index and template of this prefix (tests; starting over)."""
        with self._guard("drop"):
            self.es.indices.delete(index=f"{self.prefix}-listings-*,{self.prefix}-snapshots-*,"
                                         f"{self.prefix}-evidence-*,{self.prefix}-decisions-*",
                                   allow_no_indices=True, ignore_unavailable=True)
            for kind in TEMPLATES:
                self.es.indices.delete_index_template(name=f"{self.prefix}-{kind}", ignore=[404])
        self._ready = False

    def _alias_targets(self) -> list[str]:
        from elasticsearch import exceptions as ex  # optional backend, slow to import

        try:
            return sorted(self.es.indices.get_alias(name=self.alias))
        except ex.NotFoundError:
            return []

    def rebuild(self, store: Store, progress: Callable[[int], None] | None = None) -> int:
        """Load a new index from the store, swap the alias to it in one step, drop the old one.

        Searches keep hitting the old index until the swap. Listings whose store state
        changed while loading (last seen or assessed after the start) are written again
        through the alias after the swap, so nothing indexed meanwhile is lost.
        """
        self._ensure()
        started = to_ms(utcnow())
        new = f"{self.alias}-v{self.version}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        with self._guard("create index"):
            self.es.indices.create(index=new, settings={"index": {"refresh_interval": "-1"}})
        try:
            n = self._bulk(self._actions(iter_store_items(store), index=new), progress)
            with self._guard("finish index"):
                self.es.indices.put_settings(index=new, body={"index": {"refresh_interval": "1s"}})
                self.es.indices.refresh(index=new)
        except BaseException:
            with self._guard("drop unfinished index"):
                self.es.indices.delete(index=new, ignore_unavailable=True)
            raise
        with self._guard("swap alias"):
            old = self._alias_targets()
            actions = [{"remove": {"index": o, "alias": self.alias}} for o in old if o != new]
            self.es.indices.update_aliases(body={"actions": actions + [{"add": {"index": new, "alias": self.alias}}]})
            stale = [i for i in self.es.indices.get(index=f"{self.alias}-*") if i != new]
            if stale:
                self.es.indices.delete(index=",".join(stale), ignore_unavailable=True)
        log.info("search index rebuilt: %s (%d listings), dropped %s", new, n, stale)
        self._catch_up(store, started)
        self._records(store)
        self.refresh()
        return n

    def _catch_up(self, store: Store, started: int) -> None:
        def changed() -> Iterator[IndexItem]:
            for listing in store.listings.iter_listings():
                a = store.assessments.get_assessment(listing.key)
                if (to_ms(listing.last_seen) or 0) >= started or (a is not None and to_ms(a.assessed_at) >= started):
                    yield listing, a, store.listings.snapshots(listing.key)
        n = self.index_many(changed())
        if n:
            log.info("re-indexed %d listings changed during the rebuild", n)

    def _records(self, store: Store) -> None:
        evidence, decisions = [], []
        for listing in store.listings.iter_listings():
            e = store.evidence.latest_evidence(listing.key)
            if e is not None:
                evidence.append(e)
            decisions.extend(store.reviews.decisions(listing.key))
        self.index_records(evidence, decisions)

    # -- reading ------------------------------------------------------------------------
    def _search(self, index: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        """POST _search with the body's keys as the client's keyword arguments."""
        kwargs = {("from_" if k == "from" else k): v for k, v in body.items()}
        return self.es.search(index=index, **kwargs, **params)

    def count(self) -> int:
        self._ensure()
        with self._guard("count"):
            return int(self.es.count(index=self.alias)["count"])

    def _query(self, q: SearchQuery) -> dict[str, Any] | None:
        must: list[dict[str, Any]] = []
        should: list[dict[str, Any]] = []
        filters: list[dict[str, Any]] = []
        if q.text.strip():
            tokens = query_tokens(q.text)
            if not tokens:
                return None
            must.append({"match": {"tokens": {"query": " ".join(tokens), "operator": "and"}}})
            should.append({"multi_match": {"query": q.text, "fields": ["title^3", "attributes_text", "description^0.5"]}})
        for field, value in (("platform", q.platform), ("category", q.category), ("status", q.status),
                             ("reasons", q.reason)):
            if value:
                filters.append({"term": {field: value}})
        if q.flagged is not None:
            filters.append({"term": {"flagged": bool(q.flagged)}})
        if q.shop:
            filters.append({"bool": {"should": [{"term": {"shop_id": q.shop}}, {"term": {"shop_name": q.shop}}],
                                     "minimum_should_match": 1}})
        price: dict[str, float] = {}
        if q.min_fen is not None:
            price["gte"] = (q.min_fen - 0.5) / 100  # half a fen: immune to float rounding of the bound
        if q.max_fen is not None:
            price["lte"] = (q.max_fen + 0.5) / 100
        if price:
            filters.append({"range": {"price": price}})
        seen: dict[str, Any] = {}
        if q.since_ms is not None:
            seen["gte"] = q.since_ms
        if q.until_ms is not None:
            seen["lt"] = q.until_ms
        if seen:
            filters.append({"range": {"last_seen": {**seen, "format": "epoch_millis"}}})
        return {"bool": {"must": must or [{"match_all": {}}], "should": should, "filter": filters}}

    @staticmethod
    def _sort(q: SearchQuery) -> list[Any]:
        tie = {"doc_id": {"order": "asc"}}
        if q.sort == "relevance" and q.text.strip():
            return ["_score", tie]
        if q.sort == "price_asc":
            return [{"price": {"order": "asc", "missing": "_last"}}, tie]
        if q.sort == "price_desc":
            return [{"price": {"order": "desc", "missing": "_last"}}, tie]
        if q.sort == "newest":
            return [{"last_seen": {"order": "desc", "missing": "_last"}}, tie]
        return [{"flagged": {"order": "desc"}}, {"risk_score": {"order": "desc", "missing": "_last"}}, tie]

    def search(self, query: SearchQuery | str = "", **filters: Any) -> SearchResult:
        """One page of listings matching `query` (a SearchQuery, or text plus filters)."""
        q = as_query(query, **filters)
        es_query = self._query(q)
        if es_query is None:
            return SearchResult([], 0, {f: [] for f in _FACET_FIELDS} if q.facets else {})
        body: dict[str, Any] = {"query": es_query, "sort": self._sort(q), "from": q.offset, "size": int(q.page_size),
                                "track_total_hits": True, "_source": _HIT_FIELDS}
        if q.facets:
            body["aggs"] = {name: {"terms": {"field": field, "size": FACET_SIZE,
                                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
                            for name, field in _FACET_FIELDS.items()}
        self._ensure()
        with self._guard("search"):
            resp = self._search(self.alias, body)
        ranked = q.sort == "relevance" and bool(q.text.strip())
        hits = [self._hit(h, ranked) for h in resp["hits"]["hits"]]
        facets = {name: [(b["key"], int(b["doc_count"])) for b in resp["aggregations"][name]["buckets"]]
                  for name in _FACET_FIELDS} if q.facets else {}
        return SearchResult(hits, int(resp["hits"]["total"]["value"]), facets)

    @staticmethod
    def _hit(h: dict[str, Any], ranked: bool) -> SearchHit:
        s = h["_source"]
        return SearchHit(
            doc_id=s["doc_id"], platform=s["platform"], listing_id=s["listing_id"], title=s["title"], url=s.get("url", ""),
            shop_id=s.get("shop_id") or "", shop_name=s.get("shop_name") or "", category=s.get("category"),
            flagged=bool(s.get("flagged")), risk_score=s.get("risk_score"), reasons=list(s.get("reasons") or []),
            price_fen=to_fen(s.get("price")), status=s["status"], last_seen=from_ms(s.get("last_seen")),
            score=float(h["_score"]) if ranked and h.get("_score") is not None else 0.0,
        )

    def get(self, key: tuple[str, str]) -> SearchHit | None:
        self._ensure()
        with self._guard("get"):
            resp = self._search(self.alias, {"query": {"term": {"doc_id": doc_id_of(*key)}}, "size": 1, "_source": _HIT_FIELDS})
        hits = resp["hits"]["hits"]
        return self._hit(hits[0], False) if hits else None

    def history(self, key: tuple[str, str]) -> list[Snapshot]:
        """The indexed price/status snapshots of one listing, oldest first."""
        with self._guard("history"):
            resp = self._search(f"{self.prefix}-snapshots-*", {
                "query": {"term": {"doc_id": doc_id_of(*key)}}, "size": 10_000,
                "sort": [{"observed_at": "asc"}, {"snap_id": "asc"}]}, allow_no_indices=True)
        out = []
        for h in resp["hits"]["hits"]:
            d = dict(h["_source"])
            d["price_fen"] = to_fen(d.pop("price", None))
            out.append(snapshot_from_doc(d))
        return out

    def shop_listings(self, platform: str | None, shop: str, limit: int = 100) -> SearchResult:
        """Every listing of one shop (by shop id or exact name), highest risk first."""
        return self.search(SearchQuery(platform=platform, shop=shop, sort="risk", page_size=limit))

    def similar(self, key: tuple[str, str], limit: int = 10) -> list[SearchHit]:
        """more_like_this over the jieba tokens of one listing, best first."""
        self._ensure()
        doc_id = doc_id_of(*key)
        with self._guard("similar"):
            found = self._search(self.alias, {"query": {"term": {"doc_id": doc_id}}, "size": 1,
                                               "_source": ["tokens"]})["hits"]["hits"]
            if not found or not found[0]["_source"].get("tokens"):
                return []
            mlt = {"more_like_this": {"fields": ["tokens"], "like": found[0]["_source"]["tokens"],
                                      "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 50,
                                      "minimum_should_match": "30%"}}
            resp = self._search(self.alias, {
                "query": {"bool": {"must": [mlt], "must_not": [{"term": {"doc_id": doc_id}}]}},
                "sort": ["_score", {"doc_id": {"order": "asc"}}], "size": int(limit), "_source": _HIT_FIELDS})
        return [self._hit(h, True) for h in resp["hits"]["hits"]]
