"""OCR of listing images: read the text in the main and detail images of flagged or uncertain
listings, keep it per image with boxes and confidences, and judge it with the text rules.

The 'ocr' queue stage (`OcrStage`, wired into the pipeline by `build_pipeline`): the score stage
queues it (beside index, so a listing waiting for OCR is searchable meanwhile) for a listing whose
risk score is at least `[ocr] band_low` (flagged, or uncertain below the flag threshold) or that has
image text already; `drain` claims its rows like every stage. For
each listing it checks up to `max_images` image URLs through the host map (`firewatch.core.hostmap`,
as every image fetch), refuses what is too large, not an image or has too many pixels (a Chinese
error kept on that image's record; the other images go on), keeps a copy of each image read (under
`[ocr] image_dir`, named by its SHA-256), recognises its text with `rapidocr-onnxruntime` (PP-OCR
Chinese models shipped inside the package; nothing is downloaded) and saves the image's record in
its own transaction, so a killed process loses no finished image. A re-check is cheap and polite
(`ImageReader.read_listing`): a URL checked less than `[ocr] refetch_hours` ago (24) is not fetched at
all; an older one is fetched with a conditional GET carrying the validators the host gave with the
bytes read there (ETag as If-None-Match, Last-Modified as If-Modified-Since), and a 304 counts as those
bytes again (nothing downloaded or recognised; the record's `seen_at`, the time last checked, moves on).
A host whose validators lie (the same ETag after the bytes behind the URL changed) would answer 304 for
ever, so a read whose bytes were last downloaded in full (its `fetched_at`) `[ocr] full_fetch_days` ago (7)
or more is checked with a plain GET instead; the same bytes again move its `fetched_at` on (and the next
check is conditional again), new bytes get a record as below (0: never forced, conditional GETs only).
New bytes behind a URL read before get a record of their own (the earlier read is kept, listed as
earlier); bytes read before are not recognised again. A definite refusal without bytes (HTTP 4xx but 408
and 429, too large, another host) becomes the URL's newest record, so a page shows the image is no longer
readable and the earlier read is listed as earlier, never cited; a network error (or 5xx, 408, 429)
leaves the latest record current and is tried again at the next run. `OcrConfig.refetch` (`firewatch
process --ocr-refetch`) fetches every URL in full: no interval, no validators. A listing whose reading fails in a
way nobody foresaw fails that listing's 'ocr' row (its error kept; dead after the queue's attempts),
never the run. Once every image is recorded it
rescores the listing with the text of its images (`rescore`) and saves the assessment, completes
'ocr' and queues capture (newly flagged) and index, in one transaction.

`rescore` hands the scorer the listing with each image's text as one extra field ("图片N文字（OCR）"), so
every rule (phrases, specs, certificates, cross-field contradictions with the title) and the score
formula apply to it unchanged; a reason found in an image is then given back to the image: source
and span field `image:N` (N counts from 1, 1 the main image), the span in that image's text, and
evidence naming the image, its SHA-256 and the box in pixels, in Chinese. The score stage calls
`OcrStage.known_text` on every listing it scores, so a listing re-scored after a crawl keeps the reasons
its current images gave (their stored text, nothing fetched) until the 'ocr' stage reads them again.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from PIL import Image, UnidentifiedImageError

from crawler.exceptions import ImageRefused
from crawler.images import ImageFetcher
from firewatch.core.datapaths import resolve_path, stored_path
from firewatch.core.exceptions import ClaimLost
from firewatch.core.files import write_new
from firewatch.core.models import Assessment, Listing, Reason, utcnow
from firewatch.store.ocr import OcrImage, OcrLine

log = logging.getLogger(__name__)

FIELD_PREFIX = "图片"  # the extra field an image's text is scored as: 图片1文字（OCR）, 图片2文字（OCR） ...
FIELD_SUFFIX = "文字（OCR）"
_FIELD = re.compile(r"attributes\." + re.escape(FIELD_PREFIX) + r"(\d+)" + re.escape(FIELD_SUFFIX))
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif", "BMP": "image/bmp"}
NETWORK_ERROR = "网络错误"  # an error text starting so is tried again at the listing's next OCR


@dataclass(frozen=True)
class OcrConfig:
    """[ocr] settings as plain values (the defaults are the schema's)."""

    enabled: bool = False
    band_low: float = 0.3
    max_images: int = 4
    max_bytes: int = 5_000_000
    max_pixels: int = 25_000_000
    timeout: float = 10.0
    max_listings: int = 0
    threads: int = 0
    image_dir: Path = Path("ocr")
    data_dir: Path | None = None
    user_agent: str = "firewatch"
    allowed_hosts: tuple[str, ...] = ()  # hosts images may come from; () = the platforms' domains (site maps)
    refetch_hours: float = 24.0  # a URL checked less than this ago is not fetched (0: checked on every run)
    full_fetch_days: float = 7.0  # a read downloaded in full longer ago than this is not asked conditionally (0: never)
    refetch: bool = False  # this run fetches every image in full: no interval, no validators (`--ocr-refetch`)

    @classmethod
    def from_settings(cls, settings, refetch: bool = False) -> "OcrConfig":
        o = settings.ocr
        return cls(o.enabled, o.band_low, o.max_images, o.max_bytes, o.max_pixels, o.timeout, o.max_listings,
                   o.threads, settings.data_path(o.image_dir), settings.data_dir, settings.crawl.user_agent,
                   refetch_hours=o.refetch_hours, full_fetch_days=o.full_fetch_days, refetch=refetch)


# -- the engine ---------------------------------------------------------------------------------
class OcrEngine:
    """rapidocr-onnxruntime, loaded on first use (its models are files inside the installed package)."""

    def __init__(self, threads: int = 0) -> None:
        self.threads = threads
        self._engine: Any = None

    @property
    def name(self) -> str:
        from importlib.metadata import version  # cheap; here so the name reads the installed one
        return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} (PP-OCRv4 中文)"

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR  # slow optional import (onnxruntime, OpenCV)
            options = {"intra_op_num_threads": self.threads} if self.threads > 0 else {}
            self._engine = RapidOCR(**options)
        return self._engine

    def read(self, image: Image.Image, detect_only: bool = False) -> list[OcrLine]:
        """The lines in an RGB image: text, four corners (pixels of `image`), confidence."""
        import numpy as np  # with the engine only

        pixels = np.asarray(image.convert("RGB"))[:, :, ::-1]  # the engine reads OpenCV's BGR order
        if detect_only:
            result, _ = self._load()(pixels, use_cls=False, use_rec=False)
            return [OcrLine("", [[float(x), float(y)] for x, y in box], 0.0) for box in (result or [])]
        result, _ = self._load()(pixels)
        return [OcrLine(str(text), [[round(float(x), 1), round(float(y), 1)] for x, y in box], round(float(score), 4))
                for box, text, score in (result or [])]


def decode_image(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """(RGB image, media type) of image bytes, or ImageRefused saying why not in Chinese."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # its header claims more pixels than Pillow will ever decode
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"约 {claimed.group(1)} 像素" if claimed else "像素数超过解码安全上限"
        raise ImageRefused(f"图片过大：{size}，超过上限 {max_pixels} 像素，未识别") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:  # SyntaxError: some
        raise ImageRefused(f"不是可识别的图片（{len(data)} 字节，{type(exc).__name__}）") from exc  # Pillow plugins
    media = MEDIA_TYPES.get(image.format or "")
    if media is None:
        raise ImageRefused(f"图片格式 {image.format or '未知'} 不在可识别范围（PNG、JPEG、WEBP、GIF、BMP）")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRefused(f"图片过大：{width}×{height} 像素，超过上限 {max_pixels} 像素，未识别")
    try:
        image.load()
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:  # transparent: on white, as shown
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat, media
        return image.convert("RGB"), media
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRefused(f"图片已损坏，无法解码（{type(exc).__name__}: {str(exc)[:120]}）") from exc


# -- reading one listing's images -----------------------------------------------------------------
def image_urls(listing: Listing, limit: int) -> list[str]:
    """The listing's first `limit` distinct image URLs, made absolute (main image first)."""
    out: list[str] = []
    for url in listing.image_urls:
        url = "https:" + url if url.startswith("//") else urljoin(listing.url, url) if listing.url else url
        if url not in out:
            out.append(url)
        if len(out) >= limit:
            break
    return out


def current_and_earlier(store, key: tuple[str, str]) -> tuple[list[OcrImage], list[OcrImage]]:
    """(current, earlier) image records of a listing (`split_current`), by position; earlier records are
    kept, never deleted: what was read then. A listing no longer stored: the latest read of each URL
    is current."""
    records = store.ocr.images_of(key)
    listing = store.listings.get_listing(key)
    if listing is None:
        return _split(records, {r.url for r in records})
    return split_current(records, listing)


def split_current(records: list[OcrImage], listing: Listing) -> tuple[list[OcrImage], list[OcrImage]]:
    """(current, earlier) of `records`: current is the latest read (`OcrImage.last_seen`) of each URL
    `listing` shows now (its `image_urls`, made absolute as when read): the bytes it shows; earlier
    is the rest (images it no longer shows, and older bytes behind a URL it still shows)."""
    return _split(records, set(image_urls(listing, len(listing.image_urls))))


def _split(records: list[OcrImage], urls: set[str]) -> tuple[list[OcrImage], list[OcrImage]]:
    latest: dict[str, OcrImage] = {}
    for r in records:
        if r.url in urls and (r.url not in latest or r.last_seen > latest[r.url].last_seen):
            latest[r.url] = r
    current = [r for r in records if latest.get(r.url) is r]
    return current, [r for r in records if latest.get(r.url) is not r]


def _latest(records: list[OcrImage]) -> OcrImage | None:
    return max(records, key=lambda r: r.last_seen, default=None)


def _checked_since(record: OcrImage, since: datetime) -> bool:
    """Whether the URL of `record` (its latest) gave that answer after `since`: a network error is no answer."""
    checked = record.seen_at or record.recognised_at
    return not record.error.startswith(NETWORK_ERROR) and checked is not None and checked > since


class ImageReader:
    """Fetch, check, keep and recognise one listing's images, saving each record as it is done."""

    def __init__(self, store, config: OcrConfig, engine: OcrEngine | None = None,
                 fetcher: ImageFetcher | None = None) -> None:
        self.store = store
        self.config = config
        self.engine = engine or OcrEngine(config.threads)
        self.fetcher = fetcher
        self.read_images = 0  # images recognised by the engine in this process
        self.reused = 0  # images whose bytes were read before (same SHA-256): their lines reused
        self.refused = 0
        self.requests = 0  # image GETs sent (each URL checked)
        self.not_modified = 0  # of them answered 304: the bytes read before, nothing downloaded
        self.forced = 0  # of them sent plain although the host gave validators: downloaded over full_fetch_days ago
        self.skipped = 0  # URLs checked less than refetch_hours ago: not fetched at all

    def read_listing(self, listing: Listing) -> list[OcrImage]:
        """The record of each image the listing shows now, each URL checked at most once per
        `refetch_hours`: a URL whose latest record answered less than that ago is not fetched (its record
        stands, moved to where the listing shows it now); a network error is no answer (tried again next
        run). Else the URL is fetched, conditionally when its latest record holds bytes and the host's
        validators and was downloaded in full less than `full_fetch_days` ago (`conditional`): a 304 or bytes
        read before at that URL reuse their record (marked seen with the host's latest validators, not
        recognised again; a full download of them also moves its `fetched_at`); new bytes get a record of
        their own beside the earlier ones (a shop may put new bytes behind the same URL). A definite refusal with no bytes (HTTP 4xx, too
        large, another host) is recorded as the URL's newest record, so an image no longer readable shows so
        and the earlier read is listed as earlier; a network error leaves the URL's latest record current
        (recorded only when there is none). `config.refetch` fetches every URL in full (no interval, no
        validators). Each record is saved in its own transaction."""
        stored = self.store.ocr.images_of(listing.key)
        interval = self.config.refetch_hours > 0 and not self.config.refetch
        since = utcnow() - timedelta(hours=self.config.refetch_hours) if interval else None
        records = []
        for position, url in enumerate(image_urls(listing, self.config.max_images)):
            reads = [r for r in stored if r.url == url]
            last = _latest(reads)
            if last is not None and since is not None and _checked_since(last, since):
                self.skipped += 1
                records.append(last if last.position == position else self.store.ocr.moved(last, position))
                continue
            record, downloaded = self._read(listing, position, url, tuple(reads))
            if record.id:
                record = self.store.ocr.seen_again(record, position, downloaded)
            elif record.error.startswith(NETWORK_ERROR) and last is not None \
                    and not last.error.startswith(NETWORK_ERROR):
                record = self.store.ocr.moved(last, position)  # no answer this time: the latest stands, where shown now
            else:
                self.store.ocr.save_image(record)  # its own transaction: kept if the process dies next
            records.append(record)
        return records

    def conditional(self, last: OcrImage | None) -> bool:
        """Whether the next check of the URL whose latest read is `last` is a conditional GET: that read holds
        bytes and the host's validators, and its bytes were downloaded in full less than `full_fetch_days`
        ago (0: however long ago). Else a plain GET (always under `config.refetch`): a host whose validators
        lie (the same ETag for new bytes) would answer 304 for ever, so a read is downloaded at least that
        often whatever the host says."""
        return self._validated(last) and self._downloaded_lately(last)

    def _validated(self, last: OcrImage | None) -> bool:
        return last is not None and bool(last.sha256) and bool(last.etag or last.last_modified) \
            and not self.config.refetch

    def _downloaded_lately(self, last: OcrImage) -> bool:
        days = self.config.full_fetch_days
        return days <= 0 or (last.fetched_at is not None and last.fetched_at > utcnow() - timedelta(days=days))

    def read_one(self, listing: Listing, position: int, url: str, reads: tuple[OcrImage, ...] = ()) -> OcrImage:
        """A new record of the image at `url`, or the stored one of `reads` (this URL's) with the same bytes,
        carrying the host's latest validators. The GET is conditional on the validators of the latest of
        `reads` when `conditional` says so; a 304 gives that record back."""
        return self._read(listing, position, url, reads)[0]

    def _read(self, listing: Listing, position: int, url: str,
              reads: tuple[OcrImage, ...]) -> tuple[OcrImage, bool]:
        """`read_one`'s record, and whether bytes were downloaded in full (False: a 304 or no bytes)."""
        now = utcnow()
        base = OcrImage(listing.platform, listing.listing_id, position, url, engine=self.engine.name,
                        recognised_at=now)
        last = _latest(list(reads))
        ask = self._validated(last)
        if ask and not self._downloaded_lately(last):
            self.forced += 1  # the host's validators stand unused: a full download is due
            ask = False
        try:
            self.requests += 1
            fetched = self.fetcher.fetch_if_changed(url, last.etag if ask else "", last.last_modified if ask else "")
        except httpx.HTTPError as exc:
            return replace(base, error=f"{NETWORK_ERROR}：{type(exc).__name__}: {str(exc)[:200]}"), False
        except ImageRefused as exc:
            self.refused += 1
            return replace(base, error=str(exc)), False
        validators = {"etag": fetched.etag, "last_modified": fetched.last_modified}
        if fetched.data is None:  # 304: the bytes of the latest read at this URL, unchanged
            self.not_modified += 1
            return replace(last, **validators), False
        data = fetched.data
        digest = hashlib.sha256(data).hexdigest()
        known = next((r for r in reads if r.sha256 == digest), None)
        if known is not None:
            return replace(known, **validators), True
        return self._recognise(replace(base, sha256=digest, size=len(data), fetched_at=now, **validators), data), True

    def _recognise(self, base: OcrImage, data: bytes) -> OcrImage:
        """The record of new bytes (`base` names them): decoded, kept, and read (or reused: same bytes)."""
        digest = base.sha256
        try:
            image, media = decode_image(data, self.config.max_pixels)
        except ImageRefused as exc:
            self.refused += 1
            return replace(base, error=str(exc))
        base = replace(base, media_type=media, width=image.width, height=image.height,
                       file=self._keep(data, digest, media))
        same = self.store.ocr.by_sha256(digest)
        if same is not None and same.engine == base.engine:
            self.reused += 1
            return replace(base, lines=same.lines, seconds=0.0)
        started = time.perf_counter()
        try:
            lines = self.engine.read(image)
        except Exception as exc:  # noqa: BLE001  (the engine on seller images: one bad image must not stop the rest)
            log.warning("OCR engine failed on %s: %s: %s", base.url, type(exc).__name__, exc)
            return replace(base, error=f"识别失败：{type(exc).__name__}: {str(exc)[:200]}")
        self.read_images += 1
        return replace(base, lines=lines, seconds=round(time.perf_counter() - started, 3))

    def _keep(self, data: bytes, digest: str, media: str) -> str:
        """A copy of the image under image_dir, named by its hash (written once); its stored path."""
        ext = media.split("/")[1].replace("jpeg", "jpg")
        path = Path(self.config.image_dir) / digest[:2] / f"{digest}.{ext}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new(path, data, replace_without_links=True)  # content-addressed: every writer writes the same
        return stored_path(path, self.config.data_dir)


# -- judging the text ----------------------------------------------------------------------------
def field_key(number: int) -> str:
    return f"{FIELD_PREFIX}{number}{FIELD_SUFFIX}"


def image_label(record: OcrImage) -> str:
    return f"图片{record.position + 1}（{'主图' if record.position == 0 else '详情图'}）"


def _box_text(lines: list[OcrLine]) -> str:
    x0 = min(line.rect[0] for line in lines)
    y0 = min(line.rect[1] for line in lines)
    x1 = max(line.rect[2] for line in lines)
    y1 = max(line.rect[3] for line in lines)
    return f"左上 ({x0}, {y0}) 至右下 ({x1}, {y1}) 像素"


def _image_field(name: str | None, numbers: dict[int, OcrImage]) -> int | None:
    m = _FIELD.fullmatch(name or "")
    return int(m.group(1)) if m and int(m.group(1)) in numbers else None


def _renamed(source: str) -> str:
    return "+".join(f"image:{_FIELD.fullmatch(p).group(1)}" if _FIELD.fullmatch(p) else p for p in source.split("+"))


def rescore(scorer, listing: Listing, records: list[OcrImage], watchlist: Any = None,
            threshold: float = 0.5) -> Assessment:
    """The listing's assessment with its images' text as fields; reasons found there cite the image."""
    numbers = {r.position + 1: r for r in records if r.lines and not r.error}
    extra = {field_key(n): r.text for n, r in numbers.items()}
    scored = replace(listing, attributes={**(listing.attributes or {}), **extra}) if extra else listing
    assessment = scorer.assess(scored, watchlist=watchlist, threshold=threshold)
    reasons = []
    for reason in assessment.reasons:
        if FIELD_SUFFIX not in (reason.source or "") and FIELD_SUFFIX not in (reason.span_field or ""):
            reasons.append(reason)
            continue
        number = _image_field(reason.span_field or reason.source, numbers)
        source = _renamed(reason.source)
        if number is None:  # an image took part, the span lies elsewhere
            reasons.append(replace(reason, source=source))
            continue
        record = numbers[number]
        start, end = reason.start, reason.end
        if start is not None and end is not None:  # the field was read as "KEY VALUE": spans count in VALUE
            start, end = max(0, start), min(len(record.text), end)
        touched = record.lines_at(start, end) if start is not None and end is not None and end > start else []
        where = f"，{_box_text(touched)}" if touched else ""
        evidence = (f"{reason.evidence}（来自{image_label(record)}识别文字，SHA-256 {record.sha256[:16]}…{where}）")
        reasons.append(Reason(reason.code, evidence, source, start if touched else None, end if touched else None,
                              f"image:{number}" if touched else None))
    specs = dict(assessment.specs)
    specs["image_text"] = {"images": len(records), "with_text": len(numbers),
                           "reasons": sum(1 for r in reasons if "image:" in (r.source or ""))}
    return replace(assessment, reasons=reasons, specs=specs)


# -- evidence packs ------------------------------------------------------------------------------
def image_text_files(store, key: tuple[str, str], data_dir: Path | None) -> list[tuple[str, bytes]]:
    """An evidence pack's OCR files of one listing: image-text.json (the record of every image the
    listing shows now: URL, SHA-256, size, lines with boxes and confidences, or the error) and each
    such image read, as kept (images/N-<sha256 prefix>.<ext>); nothing when none of them was read. An
    image the listing no longer shows is not cited (its record stays in the store). A kept copy that
    is missing or no longer has its recorded SHA-256 is left out and said so in the JSON."""
    records, _ = current_and_earlier(store, key)
    if not records:
        return []
    files, entries = [], []
    for record in records:
        entry = record.to_dict()
        if record.file:
            path = resolve_path(record.file, data_dir)
            data = path.read_bytes() if path.is_file() else b""
            if data and hashlib.sha256(data).hexdigest() == record.sha256:
                name = f"images/{record.position + 1}-{record.sha256[:12]}{Path(record.file).suffix}"
                files.append((name, data))
                entry["pack_file"] = name
            else:
                entry["pack_file"] = ""
                entry["pack_note"] = "识别时保存的图片副本缺失或已改动，未放入证据包"
        entries.append(entry)
    body = {"说明": "商品图片文字识别（OCR）记录：每张图片的地址、SHA-256、识别出的文字、位置框（像素）与置信度",
            "images": entries}
    return [("image-text.json", json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")), *files]


# -- the queue stage ------------------------------------------------------------------------------
@dataclass
class OcrStats:
    listings: int = 0
    images: int = 0
    refused: int = 0
    requests: int = 0  # image GETs sent
    not_modified: int = 0  # of them answered 304 (nothing downloaded)
    skipped: int = 0  # image URLs not fetched: checked less than refetch_hours ago
    forced: int = 0  # GETs sent plain despite validators: downloaded in full over full_fetch_days ago
    image_reasons: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


class OcrStage:
    """The pipeline's 'ocr' stage (see the module docstring)."""

    def __init__(self, store, scorer, config: OcrConfig, reader: ImageReader | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.store = store
        self.scorer = scorer
        self.config = config
        self._transport = transport
        self.reader = reader
        self.stats = OcrStats()

    def wants(self, listing: Listing, assessment: Assessment) -> bool:
        """Whether a just-scored listing goes to OCR: it has images and is flagged or uncertain, or
        its images were read before (their text must be judged again with the new assessment)."""
        if not self.config.enabled or not listing.image_urls:
            return False
        if assessment.risk_score >= self.config.band_low or assessment.flagged:
            return True
        return self.store.ocr.has_records(listing.key)

    def known_text(self, listing: Listing, assessment: Assessment, watchlist: Any = None,
                   threshold: float = 0.5) -> Assessment:
        """A just-scored listing's assessment with the text already read from the images it shows now
        (no fetch): a re-score after a crawl keeps its image reasons until the 'ocr' stage reads its
        images again. Unchanged when OCR is off or none of its current images was read."""
        if not self.config.enabled or not listing.image_urls or not self.store.ocr.has_records(listing.key):
            return assessment
        records, _ = split_current(self.store.ocr.images_of(listing.key), listing)
        if not any(r.lines and not r.error for r in records):
            return assessment
        return rescore(self.scorer, listing, records, watchlist, threshold)

    def _reader(self) -> ImageReader:
        if self.reader is None:
            fetcher = ImageFetcher(self.config.timeout, self.config.max_bytes, self.config.user_agent,
                                   self._transport, self.config.allowed_hosts)
            self.reader = ImageReader(self.store, self.config, fetcher=fetcher)
        return self.reader

    def close(self) -> None:
        if self.reader is not None and self.reader.fetcher is not None:
            self.reader.fetcher.close()

    def drain(self, pipeline, stats: Any, progress: Any = None) -> None:
        """Claim 'ocr' rows through `pipeline` and complete each listing (see the module docstring)."""
        limit = self.config.max_listings or None
        task = None
        if progress is not None:  # a bar of what this run will read (at most max_listings)
            queued = self.store.queue.queue_counts().get("ocr", 0)
            total = min(queued, limit) if limit else queued
            task = progress.add_task("图片文字识别", total=total) if total else None
        for keys in pipeline._claimed("ocr", 4, limit):
            for key in keys:
                if pipeline.stop.is_set():
                    return
                pipeline._heartbeat()
                try:
                    self.complete(key, pipeline.worker, pipeline.threshold, pipeline.watchlist,
                                  pipeline._heartbeat)
                    stats.ocr += 1
                except ClaimLost as exc:
                    pipeline._lost(key, "ocr", exc, stats)
                except Exception as exc:  # noqa: BLE001  (seller images meet third-party decoders: whatever one
                    pipeline._failed(key, "ocr", exc, stats)  # listing raises fails that listing, never the run)
                if task is not None:
                    progress.advance(task)

    def complete(self, key: tuple[str, str], worker: str | None, threshold: float, watchlist: Any = None,
                 heartbeat: Any = None) -> Assessment | None:
        """Read one listing's images, rescore it and save the result (None: the listing is gone)."""
        listing = self.store.listings.get_listing(key)
        if listing is None:
            self.store.queue.complete_stage(key, "ocr", worker=worker)
            return None
        before = self.store.assessments.get_assessment(key)
        reader = self._reader()
        started = time.perf_counter()
        before_counts = (reader.read_images, reader.requests, reader.not_modified, reader.skipped, reader.forced)
        records = reader.read_listing(listing)
        if heartbeat is not None:
            heartbeat()
        assessment = rescore(self.scorer, listing, records, watchlist, threshold)
        stages: tuple[str, ...] = ("index",)
        newly_flagged = assessment.flagged and not (before is not None and before.flagged)
        if newly_flagged and listing.status == "active" and self.store.evidence.latest_evidence(key) is None:
            stages = ("capture", "index")
        self.store.ocr.save_result(assessment, stages, worker)
        self.stats.listings += 1
        self.stats.images += reader.read_images - before_counts[0]
        self.stats.requests += reader.requests - before_counts[1]
        self.stats.not_modified += reader.not_modified - before_counts[2]
        self.stats.skipped += reader.skipped - before_counts[3]
        self.stats.forced += reader.forced - before_counts[4]
        self.stats.image_reasons += assessment.specs.get("image_text", {}).get("reasons", 0)
        self.stats.seconds += time.perf_counter() - started
        return assessment
