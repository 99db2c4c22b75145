"""Fixtures of the store and search tests: empty indexes of each backend."""

from __future__ import annotations

import uuid

import pytest

from firewatch.search import open_index


@pytest.fixture(params=["sqlite", "es"])
def make_index(request, tmp_path):
    """A factory of empty indexes, once per backend: SQLite FTS5 files, or prefixes on the
    session's Elasticsearch node (`es_url`, started only for the `es` cases)."""
    made = []

    def make(backend: str | None = None):
        backend = backend or request.param
        if backend == "sqlite":
            idx = open_index("sqlite", tmp_path / f"search-{len(made)}.db")
        else:
            idx = open_index(request.getfixturevalue("es_url"), tmp_path, prefix="t" + uuid.uuid4().hex[:12],
                             retries=1, backoff=0.05)
        made.append(idx)
        return idx

    yield make
    for idx in made:
        if idx.backend == "elasticsearch":
            idx.drop()
        idx.close()
