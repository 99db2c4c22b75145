"""Search over listings: one protocol (`base.SearchIndex`), backends chosen by URL.

`sqlite` is the SQLite FTS5 file beside the store; `http(s)://host:9200` (a
comma-separated list of nodes allowed) is Elasticsearch. Both return the same results
for the same data and query (see `base` for the matching rule). The index is a
projection of the store: `index_listing` is idempotent by document id, `rebuild`
recreates it from the store at any time, and `sync.sync_queue` drains the process
queue's "index" stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from firewatch.core.exceptions import SettingsError
from firewatch.core.settings import Settings
from firewatch.search.base import SearchHit, SearchIndex, SearchQuery, SearchResult
from firewatch.search.sqlite_fts import SQLiteIndex

__all__ = ["SQLiteIndex", "SearchHit", "SearchIndex", "SearchQuery", "SearchResult", "open_index",
           "open_index_from_settings"]

_ES_OPTIONS = ("prefix", "timeout", "retries", "backoff", "shards", "replicas", "chunk_size")


def open_index(url: str, sqlite_path: Path, **options: Any) -> Any:
    """The index named by `url`: 'sqlite' (file `sqlite_path`) or Elasticsearch node URL(s).

    `options` (Elasticsearch only): prefix, timeout, retries, backoff, shards, replicas.
    """
    url = (url or "").strip()
    if url == "sqlite" or url.startswith("sqlite:"):
        return SQLiteIndex(sqlite_path)
    if url.startswith(("http://", "https://")):
        from firewatch.search.elasticsearch import ElasticsearchIndex  # optional backend: its client is slow to import

        return ElasticsearchIndex(url, **{k: v for k, v in options.items() if k in _ES_OPTIONS and v is not None})
    raise SettingsError(f"search.url {url!r}: write 'sqlite' or http://host:9200 (several nodes: comma-separated)")


def open_index_from_settings(settings: Settings, url: str | None = None) -> Any:
    """The index of the settings' [search] section; `url` (e.g. from --index) overrides search.url."""
    s = settings.search
    return open_index(url or s.url, settings.search_path, prefix=s.index_prefix, timeout=s.timeout,
                      retries=s.retries, backoff=s.backoff, shards=s.shards, replicas=s.replicas)
