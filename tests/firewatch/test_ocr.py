"""OCR of listing images (firewatch.services.ocr, firewatch.store.ocr): the replica's generated images
read end to end through the host map, reasons from image text citing the image and the box, a
killed OCR step losing nothing, bad image files refused with a clear error while the rest are read,
and the store's records on both engines. Real parts: the demo market over TLS, rapidocr-onnxruntime,
the session's trained scorer, real SQLite files and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from demo_market import images as replica
from firewatch.core.exceptions import ClaimLost
from firewatch.core.hostmap import HostMap
from firewatch.core.models import Assessment, Listing, Reason
from firewatch.search import open_index
from firewatch.services.ocr import ImageReader, OcrConfig, OcrEngine, OcrStage, decode_image
from firewatch.services.pipeline import Pipeline, PipelineStats
from firewatch.store import open_store
from firewatch.store.ocr import OcrImage, OcrLine
from tests.servers import HookServer


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return OcrEngine()


def stored_listing(x) -> Listing:
    """A catalogue listing as the crawler stores it (real URLs, attributes, images)."""
    return Listing(x.platform, x.listing_id, url=x.url, title=x.title, price=x.price, shop_id=x.shop_id,
                   shop_name=x.shop_name, attributes=dict(x.attributes), description=x.description,
                   image_urls=x.image_urls())


def pick(catalogue, want) -> object:
    return next(x for x in catalogue.initial() if x.delisted_day is None and want(x, replica.image_claims(x, catalogue.seed)))


def config(data: Path, **kw) -> OcrConfig:
    return OcrConfig(**{"enabled": True, "image_dir": data / "ocr", "data_dir": data, **kw})


def overlap(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) rectangles."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def test_generated_images_are_read_end_to_end(demo_market, engine, tmp_path):
    """Every text the replica drew on a listing's pictures is found, each box inside its image and
    on the planned box; the bytes come from the platform's real image host through the host map."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: {r for _, _, r in claims} >= {"inspection_only", "spec_mismatch"})
    assert x.image_urls()[0].startswith(("https://img14.360buyimg.com/", "https://img.alicdn.com/",
                                         "https://img.pddpic.com/", "https://cbu01.alicdn.com/"))
    from crawler.images import ImageFetcher

    def norm(text: str) -> str:
        return text.replace(" ", "").replace("：", ":")

    fetch = ImageFetcher(10, 5_000_000, transport=HostMap.parse(demo_market.resolve, demo_market.ca_file).httpx_transport())
    found_plain = total_plain = 0
    try:
        for plan, url in zip(replica.listing_images(x, cat.seed), x.image_urls()):
            data = fetch.fetch(url)
            assert data == replica.render(plan)  # deterministic: the same URL, the same bytes
            image, media = decode_image(data, 25_000_000)
            assert media == "image/png" and image.size == (plan.width, plan.height)
            lines = engine.read(image)
            for text in plan.texts:
                found = [line for line in lines if norm(line.text) == norm(text.text)]
                if not text.reason:  # brand and product words: most must be read exactly
                    total_plain += 1
                    found_plain += bool(found)
                    continue
                assert found, (text.text, [line.text for line in lines])  # every claim must be
                x0, y0, x1, y1 = found[0].rect
                assert 0 <= x0 < x1 <= plan.width and 0 <= y0 < y1 <= plan.height
                assert overlap(found[0].rect, text.box) > 0.5, (text, found[0].rect)
                assert found[0].score > 0.8
        assert found_plain >= 0.8 * total_plain
    finally:
        fetch.close()


def test_reasons_from_image_text_cite_the_image_and_the_box(demo_market, trained_model, tmp_path):
    """A clean title, "年检专用" only on the main image and a weight on the detail image that
    contradicts the title's: the rescored assessment has both reasons, each citing its image
    (source and span field image:N, the span in that image's text), its SHA-256 and its box."""
    cat = demo_market.catalogue
    # an extinguisher (the weight rule the detail image is drawn for) whose page shows neither reason and is no prop
    # (a prop's sizes describe what it imitates: its contradictions give way to prop_or_display, spec_yields.prop)
    x = pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims and "年检" not in x.title
             and any(i == 1 and r == "spec_mismatch" for i, _, r in claims)
             and x.true_category == "portable_extinguisher"
             and not {"prop_or_display", "inspection_only", "spec_mismatch"} & set(x.true_reasons))
    listing = stored_listing(x)
    before = trained_model.scorer.assess(listing)
    assert not {r.code for r in before.reasons} & {"inspection_only", "spec_mismatch"}
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, max_images=2),
                         transport=HostMap.parse(demo_market.resolve, demo_market.ca_file).httpx_transport())
        after = stage.complete(listing.key, None, 0.5)
        stage.close()
        records = store.ocr.images_of(listing.key)
        saved = store.assessments.get_assessment(listing.key)
    assert saved.reasons == after.reasons and after.flagged
    by_code = {r.code: r for r in after.reasons}
    plans = replica.listing_images(x, cat.seed)
    for code, number in (("inspection_only", 1), ("spec_mismatch", 2)):
        reason = by_code[code]
        record = records[number - 1]
        assert reason.span_field == f"image:{number}" and f"image:{number}" in reason.source.split("+")
        assert 0 <= reason.start < reason.end <= len(record.text)
        assert f"图片{number}（{'主图' if number == 1 else '详情图'}）" in reason.evidence
        assert record.sha256[:16] in reason.evidence and "左上 (" in reason.evidence
        [line] = record.lines_at(reason.start, reason.end)
        # the cited line is one the replica drew there (the weight rule quotes the model code "MFZ/ABC3"
        # beside the contradicting "规格：8KG"; the phrase rule the claim itself)
        planned = max(plans[number - 1].texts, key=lambda t: overlap(line.rect, t.box))
        assert overlap(line.rect, planned.box) > 0.5 and planned.text.replace("：", "") in line.text.replace("：", "")
        assert planned.reason == code or code == "spec_mismatch"
        assert f"({line.rect[0]}, {line.rect[1]})" in reason.evidence
    assert record.file and (tmp_path / record.file).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert after.specs["image_text"] == {"images": 2, "with_text": 2, "reasons": 2}


class _DyingEngine(OcrEngine):
    """Recognises `survive` images, then the process dies (SIGKILL-like: no cleanup, no rollback)."""

    def __init__(self, survive: int) -> None:
        super().__init__()
        self.survive = survive

    def read(self, image, detect_only=False):
        if self.survive == 0:
            os._exit(9)
        self.survive -= 1
        return super().read(image, detect_only)


class _CountingEngine(OcrEngine):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, image, detect_only=False):
        self.reads += 1
        return super().read(image, detect_only)


def _die_mid_listing(db: str, data: str, resolve: dict, ca: str, key: tuple[str, str], model: str) -> None:
    from classifiers.scorer import Scorer

    data_dir = Path(data)
    with open_store(db, data_dir=data_dir) as store:
        assert store.queue.claim("ocr", "worker-killed", 1, 300) == [key]
        reader_cfg = config(data_dir, max_images=3)
        stage = OcrStage(store, Scorer.load(model), reader_cfg)
        from crawler.images import ImageFetcher

        fetcher = ImageFetcher(10, reader_cfg.max_bytes, transport=HostMap.parse(resolve, ca).httpx_transport())
        stage.reader = ImageReader(store, reader_cfg, engine=_DyingEngine(survive=1), fetcher=fetcher)
        stage.complete(key, "worker-killed", 0.5)


def test_a_killed_ocr_step_loses_nothing(demo_market, trained_model, tmp_path):
    """The process dies while reading a listing's second image: the first image's record is kept,
    the 'ocr' row stays queued and the assessment untouched; the next worker reads only the images
    not yet recorded and completes the listing once."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: x.image_count >= 3 and (0, "年检专用", "inspection_only") in claims)
    listing = stored_listing(x)
    db = tmp_path / "f.db"
    with open_store(db, data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        store.assessments.save_assessment(trained_model.scorer.assess(listing), ())
        store.queue.enqueue(listing.key, "ocr")
        before = store.assessments.get_assessment(listing.key)
    child = multiprocessing.get_context("spawn").Process(
        target=_die_mid_listing, args=(str(db), str(tmp_path), demo_market.resolve, demo_market.ca_file,
                                       listing.key, str(trained_model.directory)))
    child.start()
    child.join(300)
    assert child.exitcode == 9
    with open_store(db, data_dir=tmp_path) as store:
        [first] = store.ocr.images_of(listing.key)
        assert first.position == 0 and "年检专用" in first.text and not first.error
        assert store.queue.held("worker-killed", "ocr") == [listing.key]
        assert store.assessments.get_assessment(listing.key).reasons == before.reasons
        store.queue.release("worker-killed")  # what its lease running out does
        assert store.queue.claim("ocr", "worker-2", 1, 300) == [listing.key]
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, max_images=3),
                         transport=HostMap.parse(demo_market.resolve, demo_market.ca_file).httpx_transport())
        counting = _CountingEngine()
        stage.reader = ImageReader(store, stage.config, engine=counting, fetcher=stage._reader().fetcher)
        stage.complete(listing.key, "worker-2", 0.5)
        stage.close()
        records = store.ocr.images_of(listing.key)
        assert counting.reads == 2  # the two images the killed worker had not finished
        assert [r.position for r in records] == [0, 1, 2] and records[0].recognised_at == first.recognised_at
        assert store.queue.completions("ocr") == [(listing.key, "worker-2")]
        assert "image:1" in {r.span_field for r in store.assessments.get_assessment(listing.key).reasons}
        assert store.queue.queue_counts().get("ocr", 0) == 0


def _png(size=(400, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("1", size, 1).save(out, format="PNG")
    return out.getvalue()


def test_bad_image_files_get_a_clear_error_and_the_rest_are_read(demo_market, trained_model, serve, tmp_path):
    """Not an image, a truncated PNG, too many pixels, too many bytes, a 404 and an unreachable
    host: each image's record says why in Chinese; the good image is read; the listing completes."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims)
    good = replica.render(replica.listing_images(x, cat.seed)[0])
    host = serve(HookServer, images={
        "/a.png": b"<html><script>alert(1)</script></html>",
        "/b.png": good[: len(good) // 2],
        "/c.png": _png((6000, 5000)),  # 30 million pixels, a few kilobytes
        "/d.png": os.urandom(300_000),
        "/good.png": good,
    })
    base = f"http://127.0.0.1:{host.httpd.server_address[1]}"
    urls = [f"{base}/a.png", f"{base}/b.png", f"{base}/c.png", f"{base}/d.png", f"{base}/missing.png",
            "http://127.0.0.1:9/unreachable.png", f"{base}/good.png", "http://10.0.0.5:8080/cam.png"]
    listing = Listing("jd", "777", url="https://item.jd.com/777.html", title=x.title, price=Decimal("60"),
                      attributes=dict(x.attributes), image_urls=urls)
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        store.queue.enqueue(listing.key, "ocr")
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, max_images=10, max_bytes=250_000,
                                                             max_pixels=25_000_000, timeout=3,
                                                             allowed_hosts=("127.0.0.1",)))
        stage.complete(listing.key, None, 0.5)
        stage.close()
        records = {r.url.rsplit("/", 1)[1]: r for r in store.ocr.images_of(listing.key)}
        assert store.queue.queue_counts().get("ocr", 0) == 0
        assessment = store.assessments.get_assessment(listing.key)
    assert records["a.png"].error.startswith("不是可识别的图片") and not records["a.png"].lines
    assert records["b.png"].error.startswith(("图片已损坏", "不是可识别的图片"))
    assert records["c.png"].error.startswith("图片过大：6000×5000 像素")
    assert records["d.png"].error.startswith("图片过大：") and "250000 字节" in records["d.png"].error
    assert records["missing.png"].error == "图片地址返回 HTTP 404"
    assert records["unreachable.png"].error.startswith("网络错误")  # tried again at the next OCR
    assert "年检专用" in records["good.png"].text and not records["good.png"].error
    # a host outside the allowed ones (the platforms' domains by default) is never fetched
    assert records["cam.png"].error.startswith("图片地址不在受监测平台的域名内") and not records["cam.png"].file
    assert any(r.span_field == "image:7" and r.code == "inspection_only" for r in assessment.reasons)


def _runs(store, stage, scorer, tmp_path, runs: int = 1) -> list:
    """The stats of `runs` pipeline drains with the 'ocr' stage (a SQLite index); the stage is closed after."""
    index = open_index("sqlite", tmp_path / "search.db")
    try:
        return [Pipeline(store, index, scorer, 0.5, ocr=stage, worker="w").run() for _ in range(runs)]
    finally:
        index.close()
        stage.close()


def _bomb_png() -> bytes:
    """27 KB of PNG whose header says 15000×15000 (225 million pixels): Pillow refuses to open it."""
    out = io.BytesIO()
    Image.new("1", (15000, 15000)).save(out, format="PNG")
    return out.getvalue()


def _image_listing(x, listing_id: str, urls: list[str]) -> Listing:
    return Listing("jd", listing_id, url=f"https://item.jd.com/{listing_id}.html", title=x.title,
                   price=Decimal("60"), attributes=dict(x.attributes), image_urls=urls)


def test_a_decompression_bomb_is_refused_and_the_run_goes_on(demo_market, trained_model, serve, tmp_path):
    """A tiny PNG claiming 225 million pixels (Pillow's DecompressionBombError, not an OSError) is
    refused on its image's record ("图片过大"); its listing's other image is read, the listing is
    rescored and indexed, and the other listing in the same run is read too."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims)
    good = replica.render(replica.listing_images(x, cat.seed)[0])
    bomb = _bomb_png()
    assert len(bomb) < 40_000
    host = serve(HookServer, images={"/bomb.png": bomb, "/good.png": good})
    base = f"http://127.0.0.1:{host.httpd.server_address[1]}"
    first = _image_listing(x, "881", [f"{base}/bomb.png", f"{base}/good.png"])
    second = _image_listing(x, "882", [f"{base}/good.png"])
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        for listing in (first, second):
            store.listings.upsert_listing(listing)
            store.queue.enqueue(listing.key, "ocr")
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=3))
        [stats] = _runs(store, stage, trained_model.scorer, tmp_path)
        assert stats.ocr == 2 and not stats.errors
        assert sorted(k for k, _ in store.queue.completions("ocr")) == [first.key, second.key]
        assert sorted(k for k, _ in store.queue.completions("index")) == [first.key, second.key]
        bombed, read = store.ocr.images_of(first.key)
        assert bombed.error.startswith("图片过大：约 225000000 像素，超过上限") and not bombed.lines
        assert "年检专用" in read.text and not read.error
        reasons = store.assessments.get_assessment(first.key).reasons
        assert any(r.span_field == "image:2" and r.code == "inspection_only" for r in reasons)


class _BrokenReader(ImageReader):
    """A reader that fails on one listing in a way nobody foresaw (what a decoder bug on a crafted
    image does); every other listing is read for real."""

    def __init__(self, *args, broken: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.broken = broken

    def read_listing(self, listing):
        if listing.listing_id == self.broken:
            raise RuntimeError("decoder crashed")
        return super().read_listing(listing)


def test_an_unforeseen_failure_fails_the_listing_not_the_run(demo_market, trained_model, serve, tmp_path):
    """The failing listing's 'ocr' row keeps the error and counts an attempt; after the queue's
    three attempts no run claims it again; the other listing completes in the first run."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims)
    host = serve(HookServer, images={"/good.png": replica.render(replica.listing_images(x, cat.seed)[0])})
    url = f"http://127.0.0.1:{host.httpd.server_address[1]}/good.png"
    bad, fine = _image_listing(x, "883", [url]), _image_listing(x, "884", [url])
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        for listing in (bad, fine):
            store.listings.upsert_listing(listing)
            store.queue.enqueue(listing.key, "ocr")
        cfg = config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=3)
        stage = OcrStage(store, trained_model.scorer, cfg)
        stage.reader = _BrokenReader(store, cfg, fetcher=stage._reader().fetcher, broken="883")
        runs = _runs(store, stage, trained_model.scorer, tmp_path, 4)
        assert [s.ocr for s in runs] == [1, 0, 0, 0]
        assert [len(s.errors) for s in runs] == [1, 1, 1, 0]  # three attempts, then no longer claimed
        assert "ocr jd:883: RuntimeError: decoder crashed" in runs[0].errors[0]
        assert [k for k, _ in store.queue.completions("ocr")] == [fine.key]
        assert store.queue.pending("ocr") == [] and store.queue.queue_counts().get("ocr") == 1


def test_flagged_and_uncertain_listings_go_to_ocr_in_the_pipeline(demo_market, trained_model, tmp_path):
    """The score stage queues 'ocr' (beside index) for a flagged or uncertain listing with
    images, or one read before; the 'ocr' stage then reads it, rescored, and queues index."""
    cat = demo_market.catalogue
    risky = stored_listing(pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims
                                and "年检" not in x.title))
    clean = stored_listing(next(x for x in cat.initial() if not x.true_reasons and x.delisted_day is None))
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        cfg = config(tmp_path, max_images=1, band_low=0.3)
        stage = OcrStage(store, trained_model.scorer, cfg,
                         transport=HostMap.parse(demo_market.resolve, demo_market.ca_file).httpx_transport())
        a = lambda score: Assessment("jd", "1", "portable_extinguisher", 0.9, score, score >= 0.5)  # noqa: E731
        assert stage.wants(risky, a(0.9)) and stage.wants(risky, a(0.35)) and not stage.wants(risky, a(0.1))
        assert not stage.wants(Listing("jd", "2", image_urls=[]), a(0.9))
        assert not OcrStage(store, None, config(tmp_path, enabled=False)).wants(risky, a(0.9))
        for listing in (risky, clean):
            store.listings.upsert_listing(listing)
        [stats] = _runs(store, stage, trained_model.scorer, tmp_path)
        scored = store.assessments.get_assessments([risky.key, clean.key])
        done = store.queue.completions("ocr")
        in_band = [k for k in (risky.key, clean.key) if scored[k].risk_score >= 0.3]
        assert risky.key in in_band and sorted(k for k, _ in done) == sorted(in_band) and stats.ocr == len(in_band)
        assert {k for k, _ in store.queue.completions("index")} == {risky.key, clean.key}
        assert store.ocr.has_records(risky.key) and store.ocr.has_records(clean.key) == (clean.key in in_band)
        # re-scored later from its text alone: it goes to OCR again, its images already read
        assert stage.wants(risky, a(0.0))


def test_a_rescore_keeps_the_reasons_read_from_images(demo_market, trained_model, tmp_path):
    """A listing re-scored after a crawl (the score stage, before the 'ocr' stage reads again) keeps
    the reason its main image gave, citing the image; its text alone does not give it."""
    cat = demo_market.catalogue
    x = pick(cat, lambda x, claims: (0, "年检专用", "inspection_only") in claims and "年检" not in x.title)
    listing = stored_listing(x)
    assert "inspection_only" not in {r.code for r in trained_model.scorer.assess(listing).reasons}
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, max_images=1),
                         transport=HostMap.parse(demo_market.resolve, demo_market.ca_file).httpx_transport())
        assert "inspection_only" in {r.code for r in stage.complete(listing.key, None, 0.5).reasons}
        store.queue.enqueue_missing([listing.key], "score")
        index = open_index("sqlite", tmp_path / "search.db")
        try:
            pipeline = Pipeline(store, index, trained_model.scorer, 0.5, ocr=stage, worker="w")
            pipeline._score_stage(PipelineStats(), None)
        finally:
            index.close()
            stage.close()
        reasons = {r.code: r for r in store.assessments.get_assessment(listing.key).reasons}
    assert reasons["inspection_only"].span_field == "image:1"


def test_ocr_records_on_both_engines(store_url):
    listing = Listing("jd", "9", url="https://item.jd.com/9.html", title="灭火器", image_urls=["https://x/1.png"])
    line = OcrLine("年检专用", [[10.0, 20.0], [110.0, 20.0], [110.0, 60.0], [10.0, 60.0]], 0.98)
    with open_store(store_url) as store:
        store.listings.upsert_listing(listing)
        assert not store.ocr.has_records(listing.key)
        store.ocr.save_image(OcrImage("jd", "9", 0, "https://x/1.png", sha256="ab" * 32, media_type="image/png",
                                      width=800, height=800, size=1234, engine="e", lines=[line, OcrLine("4KG", [[0, 0], [1, 0], [1, 1], [0, 1]], 0.9)]))
        store.ocr.save_image(OcrImage("jd", "9", 1, "https://x/2.png", error="图片过大"))
        [first, second] = store.ocr.images_of(listing.key)
        assert first.lines[0] == line and first.text == "年检专用 4KG" and first.lines_at(5, 8)[0].text == "4KG"
        assert line.rect == (10, 20, 110, 60) and second.error == "图片过大" and not second.lines
        assert store.ocr.by_sha256("ab" * 32).url == "https://x/1.png" and store.ocr.by_sha256("cd" * 32) is None
        assert store.ocr.has_records(listing.key) and store.ocr.image(listing.key, 1).error == "图片过大"
        assert store.ocr.counts() == {"images": 2, "with_text": 1, "failed": 1}
        result = Assessment("jd", "9", "portable_extinguisher", 0.9, 0.9, True,
                            [Reason("inspection_only", "年检专用", "image:1", 0, 4, "image:1")])
        store.queue.enqueue(listing.key, "ocr")
        with pytest.raises(ClaimLost):  # not claimed by this worker: nothing saved
            store.ocr.save_result(result, ("index",), "w")
        assert store.assessments.get_assessment(listing.key) is None
        assert store.queue.claim("ocr", "w", 1, 60) == [listing.key]
        store.ocr.save_result(result, ("index",), "w")
        assert store.assessments.get_assessment(listing.key).reasons == result.reasons
        assert store.queue.queue_counts() == {"index": 1, "score": 1}  # score: queued by the upsert


def test_evidence_pack_carries_the_ocr_record_and_the_images(tmp_path):
    """A pack of a listing whose images were read holds image-text.json and the kept images, hashed
    and signed like the rest (`verify_pack` passes)."""
    import json
    import zipfile
    from datetime import datetime, timezone

    from alerts.evidence_pack import write_pack
    from alerts.pack_verify import verify_pack
    from alerts.signing import installation_key
    from firewatch.services.evidence import evidence_item
    from tests.web.sample import add_evidence, tiny_png

    picture = replica.ListingImage("jd", "55", 0, "main", 800, 800, (240, 240, 240), (200, 30, 30),
                                   (replica.ImageText("年检专用", "claim", "inspection_only", (60, 80, 316, 144), 64),),
                                   "extinguisher")
    png = replica.render(picture)
    digest = hashlib.sha256(png).hexdigest()
    (tmp_path / "ocr").mkdir()
    (tmp_path / "ocr" / f"{digest}.png").write_bytes(png)
    listing = Listing("jd", "55", url="https://item.jd.com/55.html", title="灭火器", image_urls=["https://x/1.png", "https://x/2.png"])
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        store.listings.upsert_listing(listing)
        add_evidence(store, tmp_path / "evidence", listing, tiny_png(), datetime(2026, 12, 1, tzinfo=timezone.utc))
        assert not evidence_item(store, listing.key).extra_files  # never read: nothing added
        store.ocr.save_image(OcrImage("jd", "55", 0, "https://x/1.png", sha256=digest, media_type="image/png", width=800,
                                      height=800, size=len(png), file=f"ocr/{digest}.png", engine="e",
                                      lines=[OcrLine("年检专用", [[60, 80], [316, 80], [316, 144], [60, 144]], 0.99)]))
        store.ocr.save_image(OcrImage("jd", "55", 1, "https://x/2.png", error="不是可识别的图片（12 字节）"))
        item = evidence_item(store, listing.key)
    pack = tmp_path / "case.zip"
    write_pack(pack, [item], signer=installation_key(tmp_path / "keys"), operator="t")
    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as zf:
        record = json.loads(zf.read("jd_55/image-text.json"))
        assert [i["position"] for i in record["images"]] == [0, 1]
        assert record["images"][0]["lines"][0]["text"] == "年检专用" and record["images"][0]["sha256"] == digest
        assert record["images"][1]["error"].startswith("不是可识别的图片")
        assert zf.read("jd_55/" + record["images"][0]["pack_file"]) == png


def _picture(listing_id: str, text: str) -> bytes:
    return replica.render(replica.ListingImage("jd", listing_id, 0, "main", 800, 800, (240, 240, 240), (200, 30, 30),
                                               (replica.ImageText(text, "claim", "", (60, 80, 316, 144), 64),),
                                               "extinguisher"))


def test_a_changed_main_image_is_no_longer_cited(trained_model, serve, tmp_path):
    """A listing's images are read, its main image URL changes, they are read again: the old image's
    record stays in the store, but the evidence pack and the page's image list carry only the images
    the listing shows now (the earlier one apart, labelled, matched with no reason)."""
    import json
    import zipfile
    from datetime import datetime, timezone

    from alerts.evidence_pack import write_pack
    from alerts.signing import installation_key
    from firewatch.services.evidence import evidence_item
    from firewatch.web.ocr_view import image_evidence
    from tests.web.sample import add_evidence, tiny_png

    old, new, detail = _picture("56", "年检专用"), _picture("56", "正规厂家"), _picture("56", "干粉灭火剂")
    host = serve(HookServer, images={"/old.png": old, "/new.png": new, "/detail.png": detail})
    base = f"http://127.0.0.1:{host.httpd.server_address[1]}"
    before = Listing("jd", "56", url="https://item.jd.com/56.html", title="手提式干粉灭火器 4kg",
                     image_urls=[f"{base}/old.png", f"{base}/detail.png"])
    after = replace(before, image_urls=[f"{base}/new.png", f"{base}/detail.png"])
    with open_store(tmp_path / "f.db", data_dir=tmp_path) as store:
        stage = OcrStage(store, trained_model.scorer, config(tmp_path, allowed_hosts=("127.0.0.1",), timeout=3))
        try:
            for listing in (before, after):
                store.listings.upsert_listing(listing)
                store.queue.enqueue(listing.key, "ocr")
                stage.complete(listing.key, None, 0.5)
        finally:
            stage.close()
        kept = store.ocr.images_of(after.key)
        add_evidence(store, tmp_path / "evidence", after, tiny_png(), datetime(2026, 12, 1, tzinfo=timezone.utc))
        item = evidence_item(store, after.key)
        shown = image_evidence(store, after.key, store.assessments.get_assessment(after.key))
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in (("old", old), ("new", new), ("detail", detail))}
    assert sorted(r.sha256 for r in kept) == sorted(sha.values())  # nothing lost
    pack = tmp_path / "case.zip"
    write_pack(pack, [item], signer=installation_key(tmp_path / "keys"), operator="t")
    with zipfile.ZipFile(pack) as zf:
        record = json.loads(zf.read("jd_56/image-text.json"))
        assert [(i["position"], i["sha256"]) for i in record["images"]] == [(0, sha["new"]), (1, sha["detail"])]
        assert "正规厂家" in record["images"][0]["lines"][0]["text"]
        packed = [n for n in zf.namelist() if n.startswith("jd_56/images/")]
        assert sorted(zf.read(n) for n in packed) == sorted([new, detail])
    assert [(e.number, e.earlier, e.record.sha256) for e in shown] == [
        (1, False, sha["new"]), (2, False, sha["detail"]), (1, True, sha["old"])]
    assert shown[2].reasons == [] and not shown[2].cited


def test_a_transparent_image_is_read_on_white():
    """Text drawn on a transparent background (common in product cut-outs) keeps its contrast."""
    from PIL import ImageDraw

    picture = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle((10, 10, 50, 50), fill=(0, 0, 0, 255))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    flat, media = decode_image(out.getvalue(), 1_000_000)
    assert media == "image/png" and flat.mode == "RGB"
    assert flat.getpixel((100, 80)) == (255, 255, 255) and flat.getpixel((20, 20)) == (0, 0, 0)
