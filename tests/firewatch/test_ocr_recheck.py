"""A re-check of a listing's images is cheap and polite (migration 32): each read keeps the image host's
validators (ETag, Last-Modified) and the next check of its URL is a conditional GET, so unchanged bytes
cost a 304 and nothing is downloaded or recognised, while new bytes behind the URL still get a read of
their own; a URL checked less than `[ocr] refetch_hours` ago is not fetched at all, and a forced re-read
(`firewatch process --ocr-refetch`) fetches in full. A read downloaded in full `[ocr] full_fetch_days` ago
or more is checked with a plain GET (migration 33: `fetched_at`), so a host whose validators lie cannot
hide new bytes for longer; a 304 leaves `fetched_at`, a full download of the same bytes moves it. A
definite refusal (404, 410, 403, too large) after a read is the URL's current record (the read stays,
listed as earlier, not cited); a network error or a 429 leaves the read current. On SQLite and
PostgreSQL. Real parts: an image host on 127.0.0.1 that answers validators (or lies with them) and counts
its GETs and 304s, rapidocr-onnxruntime, real stores; time moves by the stored `fetched_at` or the
process clock, never by sleeping."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest

from firewatch.core.clock import offset, set_offset, utcnow
from firewatch.core.models import Listing
from firewatch.core.settings import load_settings
from firewatch.services.ocr import NETWORK_ERROR, ImageReader, OcrConfig, OcrStage, current_and_earlier
from firewatch.store import open_store, sqlstore
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.ocr import OcrImage
from firewatch.web.ocr_view import image_evidence
from tests.firewatch.test_ocr import _CountingEngine, _picture, config
from tests.firewatch.test_ocr_same_url import AT
from tests.helpers import run_cli
from tests.servers import ImageHost


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reader(store, tmp_path, engine: _CountingEngine, **kw) -> tuple[OcrStage, ImageReader]:
    cfg = config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=20, **kw)
    stage = OcrStage(store, None, cfg)
    return stage, ImageReader(store, cfg, engine=engine, fetcher=stage._reader().fetcher)


def _listing(listing_id: str, *urls: str) -> Listing:
    return Listing("jd", listing_id, url=f"https://item.jd.com/{listing_id}.html", title="手提式干粉灭火器 4kg",
                   image_urls=list(urls))


@pytest.fixture
def clock():
    """`clock(hours)`: move the process clock (`utcnow`) that far ahead; restored after the test."""
    before = offset()
    yield lambda hours: set_offset(before + timedelta(hours=hours))
    set_offset(before)


def test_a_second_run_gets_304_and_reads_nothing_while_new_bytes_get_a_read(store_url, serve, tmp_path):
    a, b = _picture("61", "年检专用"), _picture("61", "正规厂家")
    cdn = serve(ImageHost, images={"/a.png": a})  # ETag and Last-Modified
    dated = serve(ImageHost, images={"/d.png": b}, send_etag=False)  # Last-Modified only
    url_a, url_d = f"{cdn.url}/a.png", f"{dated.url}/d.png"
    listing = _listing("61", url_a, url_d)
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        stage, reader = _reader(store, tmp_path, counting, refetch_hours=0)  # every run checks
        try:
            assert [r.sha256 for r in reader.read_listing(listing)] == [_sha(a), _sha(b)] and counting.reads == 2
            first = store.ocr.images_of(listing.key)
            assert cdn.gets("/a.png")[0]["if_none_match"] == "" and dated.gets("/d.png")[0]["if_modified_since"] == ""
            stored = {r.url: r for r in store.ocr.images_of(listing.key)}
            assert stored[url_a].etag == cdn.etags["/a.png"] and stored[url_a].last_modified
            assert stored[url_d].etag == "" and stored[url_d].last_modified

            second = reader.read_listing(listing)  # nothing changed: two 304s, nothing downloaded or read
            assert cdn.gets("/a.png")[-1] == {"path": "/a.png", "if_none_match": cdn.etags["/a.png"],
                                              "if_modified_since": stored[url_a].last_modified, "status": 304}
            assert dated.gets("/d.png")[-1]["if_modified_since"] == stored[url_d].last_modified
            assert (cdn.count(304), dated.count(304), reader.not_modified, counting.reads) == (1, 1, 2, 2)
            assert [(r.id, r.sha256) for r in second] == [(r.id, r.sha256) for r in first]
            again = {r.url: r for r in store.ocr.images_of(listing.key)}
            assert len(again) == 2 and all(again[u].seen_at > stored[u].seen_at for u in again)  # checked now
            assert all(again[u].recognised_at == stored[u].recognised_at for u in again)

            cdn.put("/a.png", b)  # the shop puts new bytes behind the same URL: a new ETag, a 200, a new read
            reader.read_listing(listing)
            assert cdn.gets("/a.png")[-1]["status"] == 200 and counting.reads == 2  # b's lines reused (same bytes)
            current, earlier = current_and_earlier(store, listing.key)
            assert [(r.url, r.sha256) for r in current] == [(url_a, _sha(b)), (url_d, _sha(b))]
            assert [(r.url, r.sha256) for r in earlier] == [(url_a, _sha(a))]
            assert current[0].etag == cdn.etags["/a.png"]
            reader.read_listing(listing)  # and the next check of the new bytes is a 304 again
            assert cdn.gets("/a.png")[-1]["status"] == 304 and cdn.count(304) == 2
            assert len(store.ocr.images_of(listing.key)) == 3
            assert (cdn.count(), cdn.connections) == (4, 1)  # a 304 leaves the connection open for the next GET
        finally:
            stage.close()


def test_validators_of_an_answer_reached_by_a_redirect_are_neither_kept_nor_trusted(store_url, serve, tmp_path):
    a, b = _picture("64", "年检专用"), _picture("64", "正规厂家")
    cdn = serve(ImageHost, images={"/b.png": a, "/c.png": b})
    cdn.redirects["/a.png"] = "/b.png"  # the listing's URL answers through a redirect
    url = f"{cdn.url}/a.png"
    listing = _listing("64", url)
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        stage, reader = _reader(store, tmp_path, _CountingEngine(), refetch_hours=0)
        try:
            assert [r.sha256 for r in reader.read_listing(listing)] == [_sha(a)]
            assert [(r.etag, r.last_modified) for r in store.ocr.images_of(listing.key)] == [("", "")]
            cdn.put("/c.png", a)  # the same bytes as B at C: C's validators must never stand for B's
            cdn.redirects["/a.png"] = "/c.png"
            reader.read_listing(listing)
            assert all(r["if_none_match"] == "" and r["if_modified_since"] == "" for r in cdn.requests)
            assert cdn.count(304) == 0
        finally:
            stage.close()


def test_the_interval_skips_the_fetch_and_a_forced_read_fetches(store_url, serve, tmp_path, clock):
    a = _picture("62", "年检专用")
    cdn = serve(ImageHost, images={"/a.png": a, "/flaky.png": a})
    cdn.statuses["/flaky.png"] = 503  # no answer at first
    url_a, url_f = f"{cdn.url}/a.png", f"{cdn.url}/flaky.png"
    listing = _listing("62", url_a, url_f)
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        stage, reader = _reader(store, tmp_path, counting, refetch_hours=24)
        try:
            assert reader.read_listing(listing)[1].error.startswith(NETWORK_ERROR) and len(cdn.gets("/a.png")) == 1
            first = store.ocr.images_of(listing.key)
            del cdn.statuses["/flaky.png"]
            second = reader.read_listing(listing)  # a checked an instant ago: not fetched; a network error is tried again
            assert len(cdn.gets("/a.png")) == 1 and len(cdn.gets("/flaky.png")) == 2 and reader.skipped == 1
            assert second[0].id == first[0].id and second[1].sha256 == _sha(a) and counting.reads == 1
            moved = replace(listing, image_urls=[url_f, url_a])  # shown in another order: the records move, no GET
            store.listings.upsert_listing(moved)
            assert [(r.url, r.position) for r in reader.read_listing(moved)] == [(url_f, 0), (url_a, 1)]
            assert cdn.count() == 3 and reader.skipped == 3

            clock(25)  # a day later: checked again, conditionally, and found unchanged
            reader.read_listing(moved)
            assert [r["status"] for r in cdn.requests[3:]] == [304, 304] and counting.reads == 1

            forced = ImageReader(store, replace(reader.config, refetch=True), engine=counting, fetcher=reader.fetcher)
            forced.read_listing(moved)  # within the interval, yet fetched in full: no validators sent
            assert [(r["path"], r["if_none_match"], r["if_modified_since"], r["status"]) for r in cdn.requests[5:]] \
                == [("/flaky.png", "", "", 200), ("/a.png", "", "", 200)]
            assert counting.reads == 1 and len(store.ocr.images_of(listing.key)) == 2  # the same bytes: nothing read
            current, earlier = current_and_earlier(store, listing.key)
            assert [(r.position, r.sha256) for r in current] == [(0, _sha(a)), (1, _sha(a))] and earlier == []
        finally:
            stage.close()


@pytest.mark.parametrize("refusal", [404, 410, 403, "too large"])
def test_a_definite_refusal_after_a_read_is_current_and_the_read_earlier(store_url, serve, tmp_path, refusal):
    a = _picture("63", "年检专用")
    cdn = serve(ImageHost, images={"/a.png": a})
    url = f"{cdn.url}/a.png"
    listing = _listing("63", url)
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        stage, reader = _reader(store, tmp_path, counting, refetch_hours=0, max_bytes=2 * len(a))
        try:
            reader.read_listing(listing)
            [read] = store.ocr.images_of(listing.key)
            assert "年检专用" in read.text
            for transient in (503, 429):  # no answer: the read stays current, nothing recorded
                cdn.statuses["/a.png"] = transient
                assert reader.read_listing(listing)[0].id == read.id
                assert [r.sha256 for r in store.ocr.images_of(listing.key)] == [_sha(a)]
            del cdn.statuses["/a.png"]
            if refusal == "too large":
                cdn.put("/a.png", a * 3)  # declared larger than max_bytes: refused before a byte is read
                expected = "图片过大"
            else:
                cdn.statuses["/a.png"] = refusal
                expected = f"图片地址返回 HTTP {refusal}"
            refused = reader.read_listing(listing)[0]
            assert refused.error.startswith(expected) and refused.sha256 == ""
            current, earlier = current_and_earlier(store, listing.key)
            assert [(r.sha256, r.error[:len(expected)]) for r in current] == [("", expected)]
            assert [r.id for r in earlier] == [read.id] and earlier[0].text == read.text  # kept, not cited
            shown = image_evidence(store, listing.key, None)
            assert [(e.earlier, e.refused_now, e.earlier_here, e.record.sha256) for e in shown] == [
                (False, False, 1, ""), (True, True, 0, _sha(a))]
            cdn.statuses["/a.png"] = 503  # a network error now leaves the refusal current
            assert reader.read_listing(listing)[0].error.startswith(expected)
            cdn.statuses.pop("/a.png")
            cdn.put("/a.png", a)  # the picture is back: its read is current again, not recognised again
            assert reader.read_listing(listing)[0].id == read.id and counting.reads == 1
            current, earlier = current_and_earlier(store, listing.key)
            assert [r.id for r in current] == [read.id] and [r.error[:len(expected)] for r in earlier] == [expected]
        finally:
            stage.close()


def test_migration_32_keeps_every_row_and_stores_validators(store_url, monkeypatch):
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 32])
    with open_store(store_url) as store:  # a store as it was before migration 32
        with store._db.transaction() as db:
            db.execute("INSERT INTO ocr_images (platform, listing_id, position, url, sha256, engine, lines, error, "
                       "seconds, recognised_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ("jd", "1", 0, "https://x/a.png", "aa" * 32, "e", "[]", "", 0.5, AT.isoformat(), AT.isoformat()))
        assert 32 not in store.schema_versions()
    monkeypatch.undo()
    with open_store(store_url) as store:
        assert 32 in store.schema_versions()
        [old] = store.ocr.images_of(("jd", "1"))
        assert (old.sha256, old.seen_at, old.etag, old.last_modified) == ("aa" * 32, AT, "", "")
        seen = store.ocr.seen_again(replace(old, etag='W/"v1"', last_modified="Tue, 01 Dec 2026 08:00:00 GMT"), 1)
        store.ocr.save_image(OcrImage("jd", "1", 1, "https://x/b.png", sha256="bb" * 32, engine="e", etag='"b"',
                                      last_modified="Wed, 02 Dec 2026 08:00:00 GMT"))
        after = {r.url: r for r in store.ocr.images_of(("jd", "1"))}
        assert (after["https://x/a.png"].etag, after["https://x/a.png"].last_modified, after["https://x/a.png"].seen_at) \
            == ('W/"v1"', "Tue, 01 Dec 2026 08:00:00 GMT", seen.seen_at)
        assert (after["https://x/b.png"].etag, after["https://x/b.png"].last_modified) \
            == ('"b"', "Wed, 02 Dec 2026 08:00:00 GMT")


def test_the_interval_is_a_setting_and_the_forced_read_a_process_flag(tmp_path):
    assert OcrConfig.from_settings(load_settings(env={})).refetch_hours == 24
    settings = load_settings(env={"FIREWATCH_OCR__REFETCH_HOURS": "6"})
    assert (OcrConfig.from_settings(settings).refetch_hours, OcrConfig.from_settings(settings).refetch) == (6, False)
    assert OcrConfig.from_settings(settings, refetch=True).refetch
    shown = run_cli("process", "--help")
    assert shown.returncode == 0 and "--ocr-refetch" in shown.stdout and "重新完整下载每张图片" in shown.stdout


# -- full downloads at least every full_fetch_days (migration 33) ----------------------------------------
def _downloaded_days_ago(store, record_id: int, days: float) -> None:
    """Move a read's last full download `days` back (its `fetched_at` in the store)."""
    with store._db.transaction() as db:
        db.execute("UPDATE ocr_images SET fetched_at=? WHERE id=?",
                   ((utcnow() - timedelta(days=days)).isoformat(), record_id))


def _last(host: ImageHost, path: str) -> tuple[str, str, int]:
    """The validators the last GET of `path` carried (If-None-Match, If-Modified-Since) and its status."""
    r = host.gets(path)[-1]
    return r["if_none_match"], r["if_modified_since"], r["status"]


def test_a_lying_host_is_caught_by_a_full_download_after_full_fetch_days(store_url, serve, tmp_path):
    a, b = _picture("65", "年检专用"), _picture("65", "正规厂家")
    cdn = serve(ImageHost, images={"/a.png": a}, lie=True)  # validators keyed on the path, not the bytes
    url = f"{cdn.url}/a.png"
    listing = _listing("65", url)
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        stage, reader = _reader(store, tmp_path, counting, refetch_hours=0, full_fetch_days=7)
        try:
            reader.read_listing(listing)
            [read] = store.ocr.images_of(listing.key)
            etag = cdn.etags["/a.png"]
            cdn.put("/a.png", b)  # the shop replaces the picture: the host keeps its ETag and Last-Modified
            assert cdn.etags["/a.png"] == etag
            assert reader.read_listing(listing)[0].id == read.id  # fooled within the week: a 304
            assert _last(cdn, "/a.png")[0::2] == (etag, 304) and reader.forced == 0

            _downloaded_days_ago(store, read.id, 8)  # downloaded in full 8 days ago: no validators sent
            [now] = reader.read_listing(listing)
            assert _last(cdn, "/a.png") == ("", "", 200)
            assert (now.sha256, reader.forced, counting.reads) == (_sha(b), 1, 2)
            current, earlier = current_and_earlier(store, listing.key)
            assert [r.sha256 for r in current] == [_sha(b)] and "正规厂家" in current[0].text
            assert current[0].fetched_at is not None and current[0].fetched_at > utcnow() - timedelta(minutes=5)
            assert [r.id for r in earlier] == [read.id] and "年检专用" in earlier[0].text  # kept, no longer cited

            reader.read_listing(listing)  # the new bytes were downloaded just now: conditional again
            assert _last(cdn, "/a.png")[0::2] == (etag, 304) and (reader.forced, counting.reads) == (1, 2)
        finally:
            stage.close()


def test_within_full_fetch_days_the_check_stays_conditional_and_a_304_keeps_fetched_at(store_url, serve,
                                                                                         tmp_path, clock):
    a = _picture("66", "年检专用")
    cdn = serve(ImageHost, images={"/a.png": a})
    listing = _listing("66", f"{cdn.url}/a.png")
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        stage, reader = _reader(store, tmp_path, _CountingEngine(), refetch_hours=24, full_fetch_days=7)
        try:
            reader.read_listing(listing)
            [read] = store.ocr.images_of(listing.key)
            assert read.fetched_at == read.recognised_at == read.seen_at
            for day in range(1, 7):  # checked daily for six days: a 304 each time, fetched_at stays
                clock(24 * day + 1)
                reader.read_listing(listing)
                assert _last(cdn, "/a.png") == (cdn.etags["/a.png"], read.last_modified, 304)
                [now] = store.ocr.images_of(listing.key)
                assert (now.id, now.fetched_at) == (read.id, read.fetched_at) and now.seen_at > read.seen_at
            assert (cdn.count(), cdn.count(304), reader.not_modified, reader.forced) == (7, 6, 6, 0)
        finally:
            stage.close()


def test_a_full_download_of_unchanged_bytes_moves_fetched_at_and_the_next_check_is_conditional(
        store_url, serve, tmp_path, clock):
    a = _picture("67", "年检专用")
    cdn = serve(ImageHost, images={"/a.png": a})
    listing = _listing("67", f"{cdn.url}/a.png")
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        stage, reader = _reader(store, tmp_path, counting, refetch_hours=24, full_fetch_days=7)
        try:
            reader.read_listing(listing)
            [read] = store.ocr.images_of(listing.key)
            clock(24 * 7 + 1)  # a week and an hour later: downloaded in full, the same bytes
            [again] = reader.read_listing(listing)
            assert _last(cdn, "/a.png") == ("", "", 200) and reader.forced == 1
            [stored] = store.ocr.images_of(listing.key)
            assert again.id == stored.id == read.id and counting.reads == 1  # the same read, not recognised again
            assert stored.fetched_at == stored.seen_at == again.fetched_at > read.fetched_at + timedelta(days=7)
            assert (stored.etag, stored.recognised_at) == (cdn.etags["/a.png"], read.recognised_at)

            clock(24 * 8 + 2)  # a day later: within a week of that download, so conditional again
            reader.read_listing(listing)
            assert _last(cdn, "/a.png") == (cdn.etags["/a.png"], read.last_modified, 304) and reader.forced == 1
            [after] = store.ocr.images_of(listing.key)
            assert after.fetched_at == stored.fetched_at and after.seen_at > stored.seen_at
        finally:
            stage.close()


def test_full_fetch_days_0_keeps_conditional_gets(store_url, serve, tmp_path):
    a, b = _picture("68", "年检专用"), _picture("68", "正规厂家")
    cdn = serve(ImageHost, images={"/a.png": a}, lie=True)
    listing = _listing("68", f"{cdn.url}/a.png")
    with open_store(store_url, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        stage, reader = _reader(store, tmp_path, _CountingEngine(), refetch_hours=0, full_fetch_days=0)
        try:
            reader.read_listing(listing)
            [read] = store.ocr.images_of(listing.key)
            cdn.put("/a.png", b)
            _downloaded_days_ago(store, read.id, 400)  # however long ago: never forced
            assert reader.read_listing(listing)[0].id == read.id
            assert _last(cdn, "/a.png")[0::2] == (cdn.etags["/a.png"], 304) and reader.forced == 0
            [stored] = store.ocr.images_of(listing.key)
            assert stored.fetched_at < utcnow() - timedelta(days=399)  # a 304 downloads nothing
        finally:
            stage.close()


def test_migration_33_fills_fetched_at_of_old_reads(store_url, monkeypatch):
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 33])
    later = AT + timedelta(days=3)
    rows = [("https://x/a.png", "aa" * 32, "", later.isoformat()),  # checked again since its read
            ("https://x/b.png", "bb" * 32, "", ""),  # no seen_at: its read is the download
            ("https://x/c.png", "", "图片地址返回 HTTP 404", AT.isoformat())]  # no bytes: nothing downloaded
    with open_store(store_url) as store:  # a store as it was before migration 33
        with store._db.transaction() as db:
            for url, sha, error, seen in rows:
                db.execute("INSERT INTO ocr_images (platform, listing_id, position, url, sha256, engine, lines, "
                           "error, seconds, recognised_at, seen_at, etag, last_modified) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           ("jd", "1", 0, url, sha, "e", "[]", error, 0.5, AT.isoformat(), seen, '"v"', ""))
        assert 33 not in store.schema_versions()
    monkeypatch.undo()
    with open_store(store_url) as store:
        assert 33 in store.schema_versions()
        old = {r.url: r for r in store.ocr.images_of(("jd", "1"))}
        assert [(old[u].fetched_at, old[u].seen_at) for u in sorted(old)] == [(later, later), (AT, None), (None, AT)]
        checked = store.ocr.seen_again(old["https://x/a.png"], 0)  # a 304: fetched_at stays
        fetched = store.ocr.seen_again(old["https://x/b.png"], 1, downloaded=True)  # a full download: it moves
        after = {r.url: r for r in store.ocr.images_of(("jd", "1"))}
        assert (after["https://x/a.png"].fetched_at, after["https://x/a.png"].seen_at) == (later, checked.seen_at)
        assert after["https://x/b.png"].fetched_at == after["https://x/b.png"].seen_at == fetched.fetched_at > AT
        store.ocr.save_image(OcrImage("jd", "1", 2, "https://x/d.png", sha256="dd" * 32, engine="e",
                                      recognised_at=later))  # a new read: downloaded when read
        store.ocr.save_image(OcrImage("jd", "1", 3, "https://x/e.png", engine="e", error="图片地址返回 HTTP 404"))
        new = {r.url: r for r in store.ocr.images_of(("jd", "1"))}
        assert (new["https://x/d.png"].fetched_at, new["https://x/e.png"].fetched_at) == (later, None)


def test_full_fetch_days_is_a_setting():
    assert OcrConfig.from_settings(load_settings(env={})).full_fetch_days == 7
    assert OcrConfig.from_settings(load_settings(env={"FIREWATCH_OCR__FULL_FETCH_DAYS": "0"})).full_fetch_days == 0
