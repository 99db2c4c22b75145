"""A data folder can be moved or restored from a backup (issue 15): evidence folders and notice
documents are stored relative to it, so a copy served from elsewhere still shows its screenshots,
serves its notices and exports a pack that verifies; migration 15 rewrites the absolute paths an
older store kept (those outside the data folder stay absolute and are reported)."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from firewatch.store import open_store
from firewatch.store.migrations import MIGRATIONS, DataStep
from tests.helpers import login_client
from tests.web.sample import build_sample

KEY = ("jd", "100231")  # flagged, captured by the sample


def _send(data: Path, keys) -> int:
    """A sent notice whose letter lies in the data folder (recorded by its absolute path)."""
    folder = data / "exports" / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "n.html").write_text("<html><body>整改通知</body></html>", encoding="utf-8")
    (folder / "n.pdf").write_bytes(b"%PDF-1.4 sample")
    with open_store(data / "firewatch.db") as store:
        notice_id = store.notices.create_notice("jd", keys, created_by="regulator")
        now = datetime.now(timezone.utc)
        store.notices.mark_notice_sent(notice_id, sent_by="regulator", channel="email", at=now,
                                       deadline_at=now + timedelta(days=3), html_path=str(folder / "n.html"),
                                       pdf_path=str(folder / "n.pdf"), document_sha256="0" * 64)
    return notice_id


def _serve(data: Path):
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.serving import AppServer

    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}})
    server = AppServer(create_app(settings))
    return settings, server, server.start()


def test_a_copied_data_folder_serves_its_screenshots_notices_and_packs(tmp_path, chromium):
    original = tmp_path / "var" / "demo"
    build_sample(original)
    notice_id = _send(original, [("jd", "100232")])
    with open_store(original / "firewatch.db") as store:
        stored = store.evidence.latest_evidence(KEY).directory
        notice = store.notices.get_notice(notice_id)
    assert not Path(stored).is_absolute() and stored.startswith("evidence/jd/100231/")
    assert (notice.html_path, notice.pdf_path) == ("exports/notices/n.html", "exports/notices/n.pdf")
    shot = (original / stored / "screenshot.png").read_bytes()

    moved = tmp_path / "restored" / "demo"
    shutil.copytree(original, moved)
    shutil.rmtree(original)  # nothing may still point at the old place
    settings, server, url = _serve(moved)
    try:
        regulator = login_client(url, "regulator")
        answer = regulator.get(f"/files/{KEY[0]}/{KEY[1]}/screenshot.png")
        assert answer.status_code == 200 and answer.content == shot
        page = regulator.get(f"/listings/{KEY[0]}/{KEY[1]}")
        assert page.status_code == 200 and "screenshot.png" in page.text
        jd = login_client(url, "jd_team")
        pdf = jd.get(f"/platform/jd/notices/{notice_id}/letter.pdf")
        assert pdf.status_code == 200 and pdf.content == b"%PDF-1.4 sample"
    finally:
        server.stop()

    from alerts.evidence_pack import verify_pack
    from firewatch.services.evidence import export_evidence_pack

    settings = settings.with_overrides({"capture": {"chromium": chromium}})
    pack = moved / "exports" / "moved.zip"
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        export_evidence_pack(settings, store, [KEY, ("taobao", "62004")], pack, operator="张三")
    assert verify_pack(pack) == []


def _pre_15_store(path: Path, later: bool = False) -> None:
    """A store at schema 14, as firewatch wrote it before issue 15 (`later`: with the migrations
    numbered after 15 too, as code merged in another order would have left it)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, sql in MIGRATIONS:
        if version == 15 or (version > 15 and not later):
            continue
        if isinstance(sql, DataStep):  # its rewrite has nothing to rewrite in this empty store
            sql = sql.sql
        if isinstance(sql, dict):
            sql = sql.get("sqlite", "")
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, "2026-01-01T00:00:00+00:00"))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("later", [False, True])
def test_migration_15_makes_paths_inside_the_data_folder_relative(tmp_path, caplog, later):
    from firewatch.core.datapaths import resolve_path

    data = tmp_path / "data"
    data.mkdir()
    _pre_15_store(data / "firewatch.db", later)
    inside = data / "evidence" / "jd" / "1" / "20261201T000000.000000Z"
    outside = tmp_path / "elsewhere" / "evidence" / "jd" / "2" / "20261201T000000.000000Z"
    conn = sqlite3.connect(data / "firewatch.db")
    for lid in ("1", "2"):
        conn.execute("INSERT INTO listings (platform, listing_id, url, title, status, first_seen, last_seen, content_hash) "
                     "VALUES ('jd', ?, 'https://item.jd.com/1.html', 't', 'active', '2026-12-01T00:00:00+00:00', "
                     "'2026-12-01T00:00:00+00:00', 'h')", (lid,))
    for lid, folder in (("1", inside), ("2", outside)):
        record = {"platform": "jd", "listing_id": lid, "captured_at": "2026-12-01T00:00:00+00:00", "url": "u",
                  "final_url": "u", "http_status": 200, "server_ip": None, "user_agent": "", "browser_version": "",
                  "directory": str(folder), "artefacts": [], "manifest_sha256": "", "signature": ""}
        conn.execute("INSERT INTO evidence (platform, listing_id, captured_at, record) VALUES ('jd', ?, ?, ?)",
                     (lid, record["captured_at"], json.dumps(record)))
    conn.execute("INSERT INTO notices (platform, created_at, status, html_path, pdf_path) VALUES "
                 "('jd', '2026-12-01T00:00:00+00:00', 'sent', ?, ?)",
                 (str(data / "exports" / "notices" / "n.html"), str(tmp_path / "outside.pdf")))
    conn.commit()
    conn.close()

    with caplog.at_level(logging.WARNING, logger="firewatch.store.migrations"):
        with open_store(data / "firewatch.db") as store:
            assert 15 in store.schema_versions()
            assert store.evidence.latest_evidence(("jd", "1")).directory == "evidence/jd/1/20261201T000000.000000Z"
            assert store.evidence.latest_evidence(("jd", "2")).directory == str(outside)  # outside: kept
            notice = store.notices.notices("jd")[0]
    assert notice.html_path == "exports/notices/n.html" and notice.pdf_path == str(tmp_path / "outside.pdf")
    reported = caplog.text
    assert "stay absolute" in reported and str(outside) in reported and str(tmp_path / "outside.pdf") in reported
    assert resolve_path(notice.html_path, tmp_path / "moved") == tmp_path / "moved" / "exports" / "notices" / "n.html"


@pytest.mark.parametrize("inside", [True, False])
def test_evidence_is_stored_relative_to_the_data_folder_on_both_engines(store_url, tmp_path, inside):
    from firewatch.core.datapaths import resolve_path
    from firewatch.core.models import Evidence

    data = tmp_path / "data"
    folder = (data if inside else tmp_path / "other") / "evidence" / "jd" / "9" / "t"
    with open_store(store_url, data_dir=data) as store:
        store.listings.upsert_listing(_listing())
        store.evidence.save_evidence(Evidence("jd", "9", datetime(2026, 12, 1, tzinfo=timezone.utc), "u", "u", 200, None,
                                              "", "", str(folder)))
        got = store.evidence.latest_evidence(("jd", "9")).directory
    assert got == ("evidence/jd/9/t" if inside else str(folder))
    assert resolve_path(got, tmp_path / "new") == ((tmp_path / "new" / "evidence/jd/9/t") if inside else folder)


def _listing():
    from firewatch.core.models import Listing

    return Listing(platform="jd", listing_id="9", url="https://item.jd.com/9.html", title="灭火器")


def _store_at_14(url: str, data: Path, folders: list[Path], monkeypatch) -> None:
    """A store (either engine) at schema 14 holding evidence records with these absolute folders."""
    import firewatch.store.sqlstore as sqlstore

    with monkeypatch.context() as m:
        m.setattr(sqlstore, "MIGRATIONS", [step for step in MIGRATIONS if step[0] <= 14])
        with open_store(url, data_dir=data) as store:
            with store._db.transaction() as db:
                for i, folder in enumerate(folders):
                    record = {"platform": "jd", "listing_id": str(i), "directory": str(folder), "artefacts": []}
                    db.execute("INSERT INTO evidence (platform, listing_id, captured_at, record) VALUES ('jd', ?, ?, ?)",
                               (str(i), "2026-12-01T00:00:00+00:00", json.dumps(record, ensure_ascii=False)))


def _directories(store) -> list[str]:
    return [json.loads(r[0])["directory"] for r in store._db.execute("SELECT record FROM evidence ORDER BY id")]


def test_migration_15_is_not_recorded_by_an_opener_that_does_not_know_the_data_folder(pg_url, tmp_path, monkeypatch):
    from firewatch.core.exceptions import StoreError

    data = (tmp_path / "data").resolve()
    _store_at_14(pg_url, data, [data / "evidence" / "jd" / "0" / "c1"], monkeypatch)
    # a program that does not pass the data folder (as crawler/pipelines.py once did) is refused, in
    # Chinese, and changes nothing: the migration stays to be done
    with pytest.raises(StoreError, match="数据文件夹"):
        open_store(pg_url)
    with open_store(pg_url, data_dir=data) as store:  # the web app (or any opener with its data folder)
        assert 15 in store.schema_versions()
        assert _directories(store) == ["evidence/jd/0/c1"]


def test_migration_15_walks_the_evidence_in_batches(store_url, tmp_path, monkeypatch):
    from firewatch.store import migrations

    data = (tmp_path / "data").resolve()
    folders = [data / "evidence" / "jd" / str(i) / "c" for i in range(7)] + [tmp_path / "elsewhere" / "x"]
    _store_at_14(store_url, data, folders, monkeypatch)
    monkeypatch.setattr(migrations, "BATCH", 3)  # 8 rows: three batches
    with open_store(store_url, data_dir=data) as store:
        assert 15 in store.schema_versions()
        assert _directories(store) == [f"evidence/jd/{i}/c" for i in range(7)] + [str(tmp_path / "elsewhere" / "x")]


def test_a_store_without_absolute_paths_migrates_without_the_data_folder(pg_url, tmp_path, monkeypatch):
    _store_at_14(pg_url, tmp_path, [], monkeypatch)
    with open_store(pg_url) as store:
        assert 15 in store.schema_versions()


def test_migration_15_reads_evidence_in_bounded_batches_of_rows_with_absolute_paths(tmp_path, monkeypatch):
    """At national volume the rewrite must not load every evidence record: each query it sends for
    evidence is bounded (LIMIT) and asks only for records holding an absolute folder."""
    from firewatch.store import migrations

    data = (tmp_path / "data").resolve()
    url = str(data / "firewatch.db")
    data.mkdir()
    _store_at_14(url, data, [data / "evidence" / "jd" / str(i) / "c" for i in range(5)], monkeypatch)
    monkeypatch.setattr(migrations, "BATCH", 2)
    conn = sqlite3.connect(url)
    sent: list[str] = []
    conn.set_trace_callback(sent.append)
    migrations.relative_paths(conn, data)
    conn.commit()
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "FROM evidence" in s]
    assert reads and all("LIMIT" in s and "LIKE" in s for s in reads), reads
    assert [json.loads(r[0])["directory"] for r in conn.execute("SELECT record FROM evidence ORDER BY id")] == \
        [f"evidence/jd/{i}/c" for i in range(5)]
    conn.close()


def test_the_crawlers_store_pipeline_opens_the_store_with_its_data_folder(pg_url, tmp_path, monkeypatch):
    """The crawl's StorePipeline, built from the crawl's Scrapy settings, is the first opener of a
    PostgreSQL store at schema 14: migration 15 makes its paths relative, as the web app would."""
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from crawler.pipelines import StorePipeline
    from crawler.run import scrapy_settings
    from firewatch.core.settings import load_settings

    data = (tmp_path / "data").resolve()
    data.mkdir()
    _store_at_14(pg_url, data, [data / "evidence" / "jd" / "0" / "c1"], monkeypatch)
    settings = load_settings(env={"FIREWATCH_DATA_DIR": str(data), "FIREWATCH_STORE__URL": pg_url})
    pipeline = StorePipeline.from_crawler(Crawler(Spider, scrapy_settings(settings)))
    pipeline.open_spider()
    try:
        assert 15 in pipeline.store.schema_versions()
        assert _directories(pipeline.store) == ["evidence/jd/0/c1"]
    finally:
        pipeline.close_spider()
