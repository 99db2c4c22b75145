"""`firewatch process` says by its exit status whether it did all its work: 0, or
`ProcessDegraded.exit_code` (4) when a stage ran degraded — here the search index is a
real dead Elasticsearch URL (a port where nothing listens), so indexing is deferred."""

from __future__ import annotations

from firewatch.core.exceptions import ProcessDegraded
from firewatch.services.pipeline import PipelineStats
from firewatch.store import open_store
from tests.builders import SEARCH_ROWS as ROWS, search_items
from tests.servers import dead_url

FAST = {"FIREWATCH_SEARCH__RETRIES": "0", "FIREWATCH_SEARCH__BACKOFF": "0.01", "FIREWATCH_SEARCH__TIMEOUT": "5"}


def fill(data) -> None:
    with open_store(data / "firewatch.db") as store:
        for listing, _, _ in search_items():
            store.listings.upsert_listing(listing, observed_at=listing.last_seen)


def test_process_exits_degraded_when_the_index_is_unreachable_and_0_when_it_is_not(run_firewatch, install_model,
                                                                                   tmp_path):
    data = tmp_path / "data"
    fill(data)
    install_model(data)
    down = run_firewatch("process", "--no-capture", "--index", dead_url(), data_dir=data, env=FAST)
    assert down.returncode == ProcessDegraded.exit_code == 4, down.stderr
    assert "降级运行 degraded" in down.stderr and "index_unavailable" in down.stderr
    assert f"scored {len(ROWS)}" in down.stdout  # the other stages did their work
    with open_store(data / "firewatch.db") as store:
        assert len(store.queue.pending("index", max_attempts=1)) == len(ROWS)  # deferred, nothing lost

    up = run_firewatch("process", "--no-capture", "--index", "sqlite", data_dir=data, env=FAST)
    assert up.returncode == 0, up.stderr
    assert f"indexed {len(ROWS)}" in up.stdout and "degraded" not in up.stderr


def test_help_documents_the_degraded_exit_code(run_firewatch):
    result = run_firewatch("process", "--help")
    assert result.returncode == 0
    assert f"{ProcessDegraded.exit_code} when a stage ran degraded" in " ".join(result.stdout.split())


def test_what_counts_as_degraded():
    assert PipelineStats(scored=5, indexed=5).degraded == []
    assert PipelineStats(index_unavailable="Elasticsearch unreachable").degraded == [
        "索引暂停 index_unavailable: Elasticsearch unreachable"]
    stats = PipelineStats(capture_failed=1, capture_blocked=2, errors=["capture a", "capture b", "capture c", "score d"])
    assert stats.degraded == ["截图失败 capture_failed: 1", "截图被拦截 capture_blocked: 2", "处理失败 stage_errors: 1"]
