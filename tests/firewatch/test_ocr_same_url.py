"""OCR records keyed by the bytes read (migration 31): a shop puts a new picture behind a URL already
read and the next OCR keeps both reads; the current one (the bytes the listing shows now) is the one
the score stage, the evidence pack and the page cite, the older bytes are listed as earlier; bytes
read before are never recognised again. Migration 31 keeps every row, on SQLite and PostgreSQL.
Real parts: an image host on 127.0.0.1, rapidocr-onnxruntime, the trained scorer, real stores."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timezone

from alerts.evidence_pack import write_pack
from alerts.signing import installation_key
from firewatch.core.models import Listing
from firewatch.services.evidence import evidence_item
from firewatch.services.ocr import ImageReader, OcrStage, current_and_earlier
from firewatch.store import open_store, sqlstore
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.ocr import OcrImage, OcrLine
from firewatch.web.ocr_view import image_evidence
from tests.firewatch.test_ocr import _CountingEngine, _picture, config
from tests.servers import HookServer
from tests.web.sample import add_evidence, tiny_png

AT = datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc)
OLD_COLUMNS = ("platform, listing_id, position, url, sha256, media_type, width, height, size, file, engine, lines, "
               "error, seconds, recognised_at")


def _codes(assessment) -> set[str]:
    return {r.code for r in assessment.reasons}


def _packed(store, key, tmp_path, name: str) -> dict:
    pack = tmp_path / f"{name}.zip"
    write_pack(pack, [evidence_item(store, key)], signer=installation_key(tmp_path / "keys"), operator="t")
    with zipfile.ZipFile(pack) as zf:
        return json.loads(zf.read(f"{key[0]}_{key[1]}/image-text.json"))


def test_new_bytes_behind_the_same_url_keep_the_earlier_read(trained_model, serve, tmp_path):
    old, new = _picture("57", "年检专用"), _picture("57", "正规厂家")
    sha_old, sha_new = hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()
    host = serve(HookServer, images={"/main.png": old})
    url = f"http://127.0.0.1:{host.httpd.server_address[1]}/main.png"
    listing = Listing("jd", "57", url="https://item.jd.com/57.html", title="手提式干粉灭火器 4kg", image_urls=[url])
    assert "inspection_only" not in _codes(trained_model.scorer.assess(listing))
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        add_evidence(store, tmp_path / "evidence", listing, tiny_png(), AT)
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=20,
                                                             refetch_hours=0))  # every run checks (no interval)
        counting = _CountingEngine()
        stage.reader = ImageReader(store, stage.config, engine=counting, fetcher=stage._reader().fetcher)
        try:
            assert "inspection_only" in _codes(stage.complete(listing.key, None, 0.5))
            cited_before = _packed(store, listing.key, tmp_path, "before")["images"]
            host.images["/main.png"] = new  # the shop replaces the picture, the CDN URL stays
            assert "inspection_only" not in _codes(stage.complete(listing.key, None, 0.5))
            stage.complete(listing.key, None, 0.5)  # the same bytes again: nothing read, nothing added
            assert counting.reads == 2
            records = store.ocr.images_of(listing.key)
            assert sorted(r.sha256 for r in records) == sorted([sha_old, sha_new])  # nothing lost
            kept = next(r for r in records if r.sha256 == sha_old)
            assert kept.to_dict()["lines"] == cited_before[0]["lines"] and "年检专用" in kept.text
            current, earlier = current_and_earlier(store, listing.key)
            assert [r.sha256 for r in current] == [sha_new] and [r.sha256 for r in earlier] == [sha_old]
            assert "inspection_only" not in _codes(stage.known_text(listing, trained_model.scorer.assess(listing)))
            packed = _packed(store, listing.key, tmp_path, "after")["images"]
            assert [i["sha256"] for i in packed] == [sha_new]
            shown = image_evidence(store, listing.key, store.assessments.get_assessment(listing.key))
            assert [(e.number, e.earlier, e.record.sha256) for e in shown] == [(1, False, sha_new), (1, True, sha_old)]
            assert shown[1].reasons == [] and not shown[1].cited
            host.images["/main.png"] = old  # the old picture comes back: its read is current again, not re-read
            assert "inspection_only" in _codes(stage.complete(listing.key, None, 0.5))
            assert counting.reads == 2 and len(store.ocr.images_of(listing.key)) == 2
            current, earlier = current_and_earlier(store, listing.key)
            assert [r.sha256 for r in current] == [sha_old] and [r.sha256 for r in earlier] == [sha_new]
            assert "inspection_only" in _codes(stage.known_text(listing, trained_model.scorer.assess(listing)))
            assert [i["sha256"] for i in _packed(store, listing.key, tmp_path, "back")["images"]] == [sha_old]
            host.stop()  # a fetch that gets no answer (the host is down) leaves the last read current
            assert "inspection_only" in _codes(stage.complete(listing.key, None, 0.5))
            assert [r.sha256 for r in current_and_earlier(store, listing.key)[0]] == [sha_old]
            assert len(store.ocr.images_of(listing.key)) == 2
        finally:
            stage.close()


def test_reordered_images_with_one_unreachable_keep_one_current_read_each(serve, tmp_path):
    """The listing shows its images in a new order and one host is down: the read that stands moves to its new
    position (no two current reads at one position); bytes refused before (not an image) are fetched again."""
    a, b = _picture("58", "年检专用"), _picture("58", "正规厂家")
    host_a = serve(HookServer, images={"/a.png": a})
    host_b = serve(HookServer, images={"/b.png": b"<html>placeholder</html>"})
    url_a = f"http://127.0.0.1:{host_a.httpd.server_address[1]}/a.png"
    url_b = f"http://127.0.0.1:{host_b.httpd.server_address[1]}/b.png"
    listing = Listing("jd", "58", url="https://item.jd.com/58.html", title="手提式干粉灭火器 4kg", image_urls=[url_a, url_b])
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        counting = _CountingEngine()
        cfg = config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=20, refetch_hours=0)
        stage = OcrStage(store, None, cfg)
        reader = ImageReader(store, cfg, engine=counting, fetcher=stage._reader().fetcher)
        try:
            first = reader.read_listing(listing)
            assert [(r.position, bool(r.error)) for r in first] == [(0, False), (1, True)]  # b: not an image
            host_b.images["/b.png"] = b  # the shop replaces the placeholder behind the same URL
            host_a.stop()  # and a's host is down when the listing shows b first
            moved = Listing(**{**listing.__dict__, "image_urls": [url_b, url_a]})
            store.listings.upsert_listing(moved)
            reader.read_listing(moved)
            current, _ = current_and_earlier(store, listing.key)
            assert sorted((r.url, r.position) for r in current) == sorted([(url_b, 0), (url_a, 1)])
            assert next(r for r in current if r.url == url_b).sha256 == hashlib.sha256(b).hexdigest()
            assert "年检专用" in next(r for r in current if r.url == url_a).text
        finally:
            stage.close()


def test_migration_31_keeps_every_row_and_keys_reads_by_bytes(store_url, monkeypatch):
    monkeypatch.setattr(sqlstore, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 31])
    lines = json.dumps([{"text": "年检专用", "box": [[1, 2], [3, 2], [3, 4], [1, 4]], "score": 0.9}], ensure_ascii=False)
    rows = [("jd", "1", 0, "https://x/a.png", "aa" * 32, "image/png", 800, 800, 10, "ocr/a.png", "e", lines, "", 0.5,
             AT.isoformat()),
            ("jd", "1", 1, "https://x/b.png", "", "", 0, 0, 0, "", "e", "[]", "网络错误：ConnectError", 0.0, AT.isoformat()),
            ("jd", "2", 0, "https://x/a.png", "aa" * 32, "image/png", 800, 800, 10, "ocr/a.png", "e", lines, "", 0.0,
             AT.isoformat())]
    with open_store(store_url) as store:  # a store as it was before migration 31
        with store._db.transaction() as db:
            for row in rows:
                db.execute(f"INSERT INTO ocr_images ({OLD_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)
        assert 31 not in store.schema_versions()
    monkeypatch.undo()
    with open_store(store_url) as store:
        assert 31 in store.schema_versions()
        first = store.ocr.images_of(("jd", "1"))
        assert [(r.url, r.sha256, r.text, r.error, r.seen_at) for r in first] == [
            ("https://x/a.png", "aa" * 32, "年检专用", "", AT), ("https://x/b.png", "", "", "网络错误：ConnectError", AT)]
        assert [r.sha256 for r in store.ocr.images_of(("jd", "2"))] == ["aa" * 32]
        line = OcrLine("正规厂家", [[0, 0], [1, 0], [1, 1], [0, 1]], 0.8)
        store.ocr.save_image(OcrImage("jd", "1", 0, "https://x/a.png", sha256="cc" * 32, engine="e", lines=[line]))
        store.ocr.save_image(OcrImage("jd", "1", 1, "https://x/a.png", sha256="cc" * 32, engine="e", lines=[line]))
        store.ocr.save_image(OcrImage("jd", "1", 1, "https://x/b.png", sha256="dd" * 32, engine="e", lines=[line]))
        after = {(r.url, r.sha256): r for r in store.ocr.images_of(("jd", "1"))}
        assert set(after) == {("https://x/a.png", "aa" * 32), ("https://x/a.png", "cc" * 32),
                              ("https://x/b.png", "dd" * 32)}  # the no-bytes row gave way to the first read
        assert after[("https://x/a.png", "aa" * 32)].text == "年检专用"
        assert after[("https://x/a.png", "cc" * 32)].position == 1
        assert store.ocr.listing_image(("jd", "1"), "aa" * 32).text == "年检专用"
