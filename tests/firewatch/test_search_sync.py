"""The index as a projection of the store: rebuild without downtime, sync through the
process queue, and Elasticsearch going away and coming back without losing a listing.

The outage is real: the search URL points at a port where nothing listens. The CLI tests
run `firewatch` in this process (`run_firewatch`: main() with its exit codes).
"""

from __future__ import annotations

import json
import threading
import uuid

from firewatch.core.exceptions import ProcessDegraded
from firewatch.services.pipeline import Pipeline
from firewatch.search import SearchQuery, open_index
from firewatch.store import open_store
from tests.builders import SEARCH_ROWS as ROWS, search_items as make_items
from tests.servers import dead_url


def fill_store(store, assessed: bool = True) -> None:
    for listing, assessment, _ in make_items():
        store.listings.upsert_listing(listing, observed_at=listing.last_seen)
        if assessed and assessment is not None:
            store.assessments.save_assessment(assessment, ("index",))
        elif assessed:
            store.queue.complete_stage(listing.key, "score", ("index",))


def test_rebuild_swaps_while_searches_go_on(make_index, tmp_path):
    writer = make_index()
    reader = make_index() if writer.backend == "sqlite" else None
    if reader is None:  # a second client on the same prefix
        reader = open_index(writer.hosts[0], None, prefix=writer.prefix)
    else:
        reader.close()
        reader = open_index("sqlite", writer.path)
    with open_store(tmp_path / "store.db") as store:
        fill_store(store)
        assert writer.rebuild(store) == len(ROWS)
        before = writer._alias_targets() if writer.backend == "elasticsearch" else None
        totals: list[int] = []
        errors: list[BaseException] = []
        searched, stop = threading.Event(), threading.Event()

        def search_loop() -> None:
            while not stop.is_set():
                try:
                    totals.append(reader.search(SearchQuery("灭火")).total)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    return
                searched.set()

        def progress(done: int) -> None:  # during the load: wait for a search to run meanwhile
            searched.clear()
            assert searched.wait(60), "no search ran during the rebuild"

        if writer.backend == "elasticsearch":
            writer.chunk_size = 3
        thread = threading.Thread(target=search_loop)
        thread.start()
        try:
            assert writer.rebuild(store, progress=progress) == len(ROWS)
        finally:
            stop.set()
            thread.join(60)
        reader.refresh()
        assert errors == [] and len(totals) >= 2
        assert set(totals) == {6}  # every search during the rebuild saw the whole index
        assert reader.search(SearchQuery("灭火")).total == 6
        if writer.backend == "elasticsearch":
            after = writer._alias_targets()
            assert len(after) == 1 and after != before
            assert list(writer.es.indices.get(index=f"{writer.alias}-*")) == after  # old index deleted
    reader.close()


def test_pipeline_keeps_listings_queued_while_elasticsearch_is_down(es_url, tmp_path):
    url = es_url
    prefix = "d" + uuid.uuid4().hex[:12]
    with open_store(tmp_path / "store.db") as store:
        fill_store(store)
        down = open_index(dead_url(), None, prefix=prefix, retries=1, backoff=0.01)
        stats = Pipeline(store, down, scorer=None).run()
        assert "unreachable" in stats.index_unavailable and "make es" in stats.index_unavailable
        assert stats.indexed == 0 and stats.errors == []
        assert len(store.queue.pending("index", max_attempts=1)) == len(ROWS)  # no attempt counted
        stats = Pipeline(store, down, scorer=None).run()  # and again: still nothing lost
        assert len(store.queue.pending("index", max_attempts=1)) == len(ROWS)
        down.close()
        up = open_index(url, None, prefix=prefix)
        try:
            stats = Pipeline(store, up, scorer=None).run()
            up.refresh()
            assert stats.indexed == len(ROWS) and not stats.index_unavailable
            assert store.queue.queue_counts().get("index", 0) == 0
            assert up.count() == len(ROWS)
            assert len(up.history(("jd", "1001"))) == 1  # the store's snapshot came along
        finally:
            up.drop()
            up.close()


def test_process_goes_on_without_elasticsearch_and_index_sync_catches_up(es_url, tmp_path, run_firewatch,
                                                                         install_model):
    url = es_url
    prefix = "c" + uuid.uuid4().hex[:12]
    data = tmp_path / "data"
    config = tmp_path / "fw.toml"
    config.write_text(f'[search]\nurl = "{dead_url()}"\nindex_prefix = "{prefix}"\nretries = 1\nbackoff = 0.05\n',
                      encoding="utf-8")
    with open_store(data / "firewatch.db") as store:
        fill_store(store, assessed=False)
    install_model(data)
    result = run_firewatch("--config", str(config), "process", "--no-capture", data_dir=data)
    assert result.returncode == ProcessDegraded.exit_code, result.stderr  # done, but degraded
    assert "索引暂停" in result.stderr and "index sync" in result.stderr
    with open_store(data / "firewatch.db") as store:
        assert store.queue.queue_counts().get("score", 0) == 0  # scoring went on
        assert len(store.queue.pending("index", max_attempts=1)) == len(ROWS)  # nothing lost, no attempt used
    search = run_firewatch("--config", str(config), "search", "灭火", data_dir=data)
    assert search.returncode == 69 and "make es" in search.stderr  # SearchUnavailable, with what to do
    sync = run_firewatch("--config", str(config), "index", "sync", "--index", url, data_dir=data)
    assert sync.returncode == 0, sync.stderr
    assert "synced 10" in sync.stdout
    found = run_firewatch("--config", str(config), "search", "灭火", "--index", url, "--json", "--limit", "100",
                          data_dir=data)
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert {h["doc_id"] for h in hits} == {"jd:1001", "jd:1002", "jd:1004", "1688:4001", "tmall:5001", "pdd:2003"}
    es = open_index(url, None, prefix=prefix)
    try:
        assert es.count() == len(ROWS)
    finally:
        es.drop()
        es.close()


def test_cli_table_json_history_similar_and_rebuild_on_sqlite(tmp_path, run_firewatch):
    data = tmp_path / "data"
    with open_store(data / "firewatch.db") as store:
        fill_store(store)
    sync = run_firewatch("index", "sync", data_dir=data)
    assert sync.returncode == 0 and "synced 10" in sync.stdout, sync.stderr
    table = run_firewatch("search", "灭火", "--facets", "--sort", "price_asc", data_dir=data)
    assert table.returncode == 0, table.stderr
    assert "[red]假店[/red]" in table.stdout  # seller text printed as text, not as markup
    assert "共 6 条" in table.stdout and "分面 类别" in table.stdout and "消防器材旗舰店" in table.stdout
    js = run_firewatch("search", "--shop", "平安安防", "--json", "--facets", data_dir=data)
    lines = [json.loads(line) for line in js.stdout.splitlines()]
    assert [h["doc_id"] for h in lines[:-1]] == ["pdd:2002", "pdd:2001"]
    assert lines[-1]["total"] == 2 and lines[-1]["facets"]["shop"] == [["平安安防", 2]]
    history = run_firewatch("search", "--history", "jd:1001", "--json", data_dir=data)
    assert [json.loads(line)["price"] for line in history.stdout.splitlines()] == ["35.00"]
    similar = run_firewatch("search", "--similar", "jd:1001", "--json", data_dir=data)
    assert json.loads(similar.stdout.splitlines()[0])["doc_id"] == "jd:1004"
    bad = run_firewatch("search", "--history", "1001", data_dir=data)
    assert bad.returncode == 65 and "PLATFORM:ID" in bad.stderr
    rebuilt = run_firewatch("index", "rebuild", data_dir=data)
    assert rebuilt.returncode == 0 and "indexed 10" in rebuilt.stdout
    hostile = run_firewatch("search", 'title:* ( "', "--json", data_dir=data)
    assert hostile.returncode == 0, hostile.stderr


def test_cli_names_the_facet_sample_past_the_cap(tmp_path, run_firewatch, monkeypatch):
    from firewatch.search import sqlite_fts

    data = tmp_path / "data"
    with open_store(data / "firewatch.db") as store:
        fill_store(store)
    assert run_firewatch("index", "sync", data_dir=data).returncode == 0
    table = run_firewatch("search", "灭火", "--facets", data_dir=data)
    assert "共 6 条" in table.stdout and "只统计" not in table.stdout
    monkeypatch.setattr(sqlite_fts, "TOTAL_CAP", 3)
    monkeypatch.setattr(sqlite_fts, "FACET_SAMPLE", 2)
    table = run_firewatch("search", "灭火", "--facets", data_dir=data)
    assert table.returncode == 0, table.stderr
    assert "共 3+ 条" in table.stdout and "结果超过 3 条：以下分面计数只统计其中 2 条。" in table.stdout
    js = run_firewatch("search", "灭火", "--json", "--facets", data_dir=data)
    last = json.loads(js.stdout.splitlines()[-1])
    assert (last["total"], last["total_exact"], last["facet_sample"]) == (3, False, 2)
    assert sum(c for _, c in last["facets"]["platform"]) == 2
