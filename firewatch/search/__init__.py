"""Search over listings: one protocol (`base.SearchIndex`), backends chosen by URL.

`open_index(url, sqlite_path)` opens `sqlite` (the FTS5 file beside the store) or Elasticsearch
(`http(s)://host:9200`, several nodes comma-separated); anything else raises `SettingsError`. The
index is a projection of the store: writes are idempotent and `rebuild` recreates it at any time.
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
