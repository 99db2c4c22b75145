"""`store.packs` (migration 15) on both engines: an export starts once per inputs, reuses a finished
or running one the caller accepts, records progress, finishes or fails once, and lists newest first."""

from __future__ import annotations

from firewatch.store import open_store


def test_pack_exports_start_reuse_progress_and_finish(store_url, tmp_path):
    with open_store(store_url, data_dir=tmp_path) as store:
        case_id = store.reviews.create_case("专案", "investigator", "")
        first, started = store.packs.start(case_id, "a" * 64, "investigator", "host:1", 5)
        assert started and first.state == "running" and (first.done, first.total) == (0, 5)
        same, started = store.packs.start(case_id, "a" * 64, "investigator", "host:2", 5)
        assert not started and same.id == first.id  # running: reused
        store.packs.progress(first.id, 2, 5, "读取取证文件 2/2")
        got = store.packs.get(first.id)
        assert (got.done, got.stage) == (2, "读取取证文件 2/2")
        store.packs.finish(first.id, path="exports/cases/1/case-1-pack-1.zip", sha256="b" * 64, size=10, listings=2)
        store.packs.fail(first.id, "too late")  # a finished export stays finished
        done = store.packs.get(first.id)
        assert done.state == "done" and done.done == 5 and done.error == "" and done.finished_at is not None
        again, started = store.packs.start(case_id, "a" * 64, "investigator", "host:3", 5)
        assert not started and again.id == first.id  # done: reused
        gone, started = store.packs.start(case_id, "a" * 64, "investigator", "host:3", 5, reusable=lambda e: False)
        assert started and gone.id != first.id  # the caller found the file missing: a new export
        store.packs.fail(gone.id, "导出中断")
        other, started = store.packs.start(case_id, "c" * 64, "investigator", "host:3", 3)
        assert started
        assert [e.id for e in store.packs.of_case(case_id)] == [other.id, gone.id, first.id]
        assert store.packs.get(gone.id).state == "failed" and store.packs.get(gone.id).error == "导出中断"
