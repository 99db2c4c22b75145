"""Text recognised in listing images (OCR), one row per image read (table `ocr_images`, migrations 20, 31-33).

A row is keyed by (platform, listing_id, url, sha256): new bytes behind a URL already read add a row, never
overwrite the text read before; `seen_at` is when that URL was last checked and gave this row's answer (its
bytes fetched again or confirmed unchanged by a 304; for a row without bytes, the refusal given again), so the
latest row of a URL is what the listing shows now. A row without bytes (a refusal or failed fetch: sha256 "",
one per URL) is replaced by the first read of that URL's bytes after it. A read keeps the validators the image
host gave with its bytes (`etag`, `last_modified`, migration 32) for the next conditional GET, and
`fetched_at` (migration 33), when its bytes were last downloaded in full from its URL (the first read, or a
later plain GET that gave the same bytes: `seen_again(..., downloaded=True)`; a 304 moves `seen_at` and the
validators only; "" for a row without bytes), so a read is downloaded in full again after
`[ocr] full_fetch_days` whatever the host's validators say. A row keeps the image's URL and position in the
listing's `image_urls`, its SHA-256, type, pixel size and byte size, the copy kept in the data folder (`file`,
relative to it), the engine, the recognised lines (`OcrLine`: text, box as four corner points in image pixels,
confidence 0..1) and how long recognition took, or the error that stopped it (unreadable, too large, not an
image; such a row has no lines). Rows are never deleted: an image the listing no longer shows keeps its row
(what was read then); readers pick the rows of the images shown now (`services.ocr.current_and_earlier`). Each
image is saved in its own transaction as soon as it is read, so a killed OCR step keeps every image it
finished; `save_result` stores the rescored assessment, completes the listing's 'ocr' stage and queues the
next stages in one transaction (with `worker`, only while that worker holds the row: else `ClaimLost` and
nothing is saved).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from firewatch.core.models import Assessment, utcnow
from firewatch.store.assessments import _upsert_in
from firewatch.store.db import _parse_ts, _ts
from firewatch.store.queue import complete_in

Key = tuple[str, str]
_COLUMNS = ("platform", "listing_id", "position", "url", "sha256", "media_type", "width", "height", "size", "file",
            "engine", "lines", "error", "seconds", "recognised_at", "seen_at", "etag", "last_modified", "fetched_at")


@dataclass
class OcrLine:
    """One recognised line: its text, its box (four [x, y] corners, image pixels) and confidence."""

    text: str
    box: list[list[float]]
    score: float

    @property
    def rect(self) -> tuple[int, int, int, int]:
        """The box's bounding rectangle (x0, y0, x1, y1), whole pixels."""
        xs, ys = [p[0] for p in self.box], [p[1] for p in self.box]
        return int(min(xs)), int(min(ys)), int(round(max(xs))), int(round(max(ys)))


@dataclass
class OcrImage:
    """What OCR read in one listing image (or why it could not)."""

    platform: str
    listing_id: str
    position: int  # 0-based place in the listing's image_urls (0: the main image)
    url: str
    sha256: str = ""
    media_type: str = ""
    width: int = 0
    height: int = 0
    size: int = 0
    file: str = ""  # the kept copy, relative to the data folder ("" none)
    engine: str = ""
    lines: list[OcrLine] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    recognised_at: datetime | None = None
    seen_at: datetime | None = None  # when this URL last gave this answer (fetched or 304; None: when read)
    etag: str = ""  # the image host's validators for these bytes (ETag, Last-Modified, verbatim; "" none)
    last_modified: str = ""
    fetched_at: datetime | None = None  # when these bytes were last downloaded in full from the URL (None: never)
    id: int = 0  # the stored row's id (0: not stored yet)

    @property
    def last_seen(self) -> tuple[datetime | None, int]:
        """The order of reads of one URL: the latest is the bytes shown now."""
        return (self.seen_at or self.recognised_at, self.id)

    @property
    def key(self) -> Key:
        return (self.platform, self.listing_id)

    @property
    def text(self) -> str:
        """The lines joined by spaces: the text the rules read (spans count in it)."""
        return " ".join(line.text for line in self.lines)

    def line_spans(self) -> list[tuple[int, int, OcrLine]]:
        """(start, end, line) of each line in `text`."""
        out, pos = [], 0
        for line in self.lines:
            out.append((pos, pos + len(line.text), line))
            pos += len(line.text) + 1
        return out

    def lines_at(self, start: int, end: int) -> list[OcrLine]:
        """The lines a span [start, end) of `text` touches."""
        return [line for lo, hi, line in self.line_spans() if lo < end and start < hi]

    def to_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "listing_id": self.listing_id, "position": self.position, "url": self.url,
                "sha256": self.sha256, "media_type": self.media_type, "width": self.width, "height": self.height,
                "size": self.size, "file": self.file, "engine": self.engine,
                "lines": [{"text": x.text, "box": x.box, "score": x.score} for x in self.lines],
                "error": self.error, "seconds": self.seconds,
                "recognised_at": self.recognised_at.isoformat() if self.recognised_at else None}


def _image(r: Any) -> OcrImage:
    return OcrImage(platform=r["platform"], listing_id=r["listing_id"], position=r["position"], url=r["url"],
                    sha256=r["sha256"], media_type=r["media_type"], width=r["width"], height=r["height"],
                    size=r["size"], file=r["file"], engine=r["engine"],
                    lines=[OcrLine(x["text"], x["box"], float(x["score"])) for x in json.loads(r["lines"])],
                    error=r["error"], seconds=float(r["seconds"]), recognised_at=_parse_ts(r["recognised_at"]),
                    seen_at=_parse_ts(r["seen_at"]), etag=r["etag"], last_modified=r["last_modified"],
                    fetched_at=_parse_ts(r["fetched_at"]), id=int(r["id"]))


class SQLiteOcr:
    """The OCR records over the store's connection (SQLite or PostgreSQL)."""

    def __init__(self, db: Any):
        self._db = db

    def save_image(self, image: OcrImage) -> None:
        """Record one image read (by listing, URL and SHA-256), in its own transaction: a row of other bytes
        at the same URL stays; a row of no bytes at that URL (a failed fetch) is replaced. A read with bytes
        and no `fetched_at` was downloaded when it was read."""
        read_at = image.recognised_at or utcnow()
        fetched_at = image.fetched_at or (read_at if image.sha256 else None)
        values = (image.platform, image.listing_id, int(image.position), image.url, image.sha256, image.media_type,
                  int(image.width), int(image.height), int(image.size), image.file, image.engine,
                  json.dumps(image.to_dict()["lines"], ensure_ascii=False), image.error[:2000], float(image.seconds),
                  _ts(read_at), _ts(image.seen_at or read_at), image.etag[:500], image.last_modified[:200],
                  _ts(fetched_at) if fetched_at else "")
        updates = ", ".join(f"{c}=excluded.{c}" for c in _COLUMNS[2:])
        where = "platform=? AND listing_id=? AND url=? AND sha256=?"
        with self._db.transaction() as db:
            if image.sha256 and db.execute(f"SELECT 1 FROM ocr_images WHERE {where}",
                                           (*image.key, image.url, image.sha256)).fetchone() is None:
                failed = db.execute(f"SELECT id FROM ocr_images WHERE {where}", (*image.key, image.url, "")).fetchone()
                if failed is not None:  # no bytes were read there: nothing to keep
                    db.execute(f"UPDATE ocr_images SET {', '.join(c + '=?' for c in _COLUMNS)} WHERE id=?",
                               (*values, failed[0]))
                    return
            db.execute(f"INSERT INTO ocr_images ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
                       f"ON CONFLICT (platform, listing_id, url, sha256) DO UPDATE SET {updates}", values)

    def seen_again(self, image: OcrImage, position: int, downloaded: bool = False) -> OcrImage:
        """A stored read whose bytes were downloaded again in full at its URL (`downloaded`: its `fetched_at`
        moves on too), or confirmed unchanged by a 304 (its `fetched_at` stays): now shown at `position`,
        seen now, with the validators `image` carries (the host's latest)."""
        now = utcnow()
        values = (int(position), _ts(now), image.etag[:500], image.last_modified[:200])
        with self._db.transaction() as db:
            if downloaded:
                db.execute("UPDATE ocr_images SET position=?, seen_at=?, etag=?, last_modified=?, fetched_at=? "
                           "WHERE id=?", (*values, _ts(now), image.id))
            else:
                db.execute("UPDATE ocr_images SET position=?, seen_at=?, etag=?, last_modified=? WHERE id=?",
                           (*values, image.id))
        return replace(image, position=position, seen_at=now, fetched_at=now if downloaded else image.fetched_at)

    def moved(self, image: OcrImage, position: int) -> OcrImage:
        """A stored read now shown at `position` whose bytes could not be fetched again (its `seen_at` stays)."""
        with self._db.transaction() as db:
            db.execute("UPDATE ocr_images SET position=? WHERE id=?", (int(position), image.id))
        return replace(image, position=position)

    def images_of(self, key: Key) -> list[OcrImage]:
        """A listing's image records, by position."""
        rows = self._db.execute("SELECT * FROM ocr_images WHERE platform=? AND listing_id=? ORDER BY position, id",
                                key).fetchall()
        return [_image(r) for r in rows]

    def has_records(self, key: Key) -> bool:
        """Whether any image of the listing was read before (one indexed look-up)."""
        return self._db.execute("SELECT 1 FROM ocr_images WHERE platform=? AND listing_id=? LIMIT 1",
                                key).fetchone() is not None

    def image(self, key: Key, position: int) -> OcrImage | None:
        r = self._db.execute("SELECT * FROM ocr_images WHERE platform=? AND listing_id=? AND position=? "
                             "ORDER BY id DESC LIMIT 1", (key[0], key[1], int(position))).fetchone()
        return None if r is None else _image(r)

    def listing_image(self, key: Key, sha256: str) -> OcrImage | None:
        """The listing's latest record of the image with these bytes (its SHA-256) that kept a copy."""
        r = self._db.execute("SELECT * FROM ocr_images WHERE platform=? AND listing_id=? AND sha256=? AND file<>'' "
                             "ORDER BY id DESC LIMIT 1", (key[0], key[1], sha256)).fetchone()
        return None if r is None else _image(r)

    def by_sha256(self, sha256: str) -> OcrImage | None:
        """A successful record of the same image bytes (any listing), to reuse its lines."""
        r = self._db.execute("SELECT * FROM ocr_images WHERE sha256=? AND error='' ORDER BY id LIMIT 1",
                             (sha256,)).fetchone()
        return None if r is None else _image(r)

    def counts(self) -> dict[str, int]:
        """Images recorded, images read with at least one line, images that failed (counted in SQL)."""
        r = self._db.execute("SELECT COUNT(*), SUM(CASE WHEN error='' AND lines<>'[]' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN error<>'' THEN 1 ELSE 0 END) FROM ocr_images").fetchone()
        return {"images": int(r[0] or 0), "with_text": int(r[1] or 0), "failed": int(r[2] or 0)}

    def save_result(self, assessment: Assessment, next_stages: tuple[str, ...], worker: str | None = None) -> None:
        """Save the rescored assessment, complete the listing's 'ocr' stage and queue `next_stages`,
        in one transaction (with `worker`, only while it holds the row: else `ClaimLost`)."""
        with self._db.transaction() as db:
            _upsert_in(db, assessment)
            complete_in(db, (assessment.platform, assessment.listing_id), "ocr", next_stages, worker)
