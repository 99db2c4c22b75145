"""What the listing page shows of the text read in a listing's images (OCR).

`image_evidence(store, key, assessment)` gives one `ImageEvidence` per record of an image the listing
shows now (`services.ocr.current_and_earlier`): the image's number (1: the main image), its SHA-256,
size and the recognised lines, each line with its box as SVG polygon points and the reasons (from
`assessment`) whose span lies in it, so the page can mark the box of every cited text over the image
(`_ocr.html`); then the records of images the listing no longer shows (`earlier`: labelled so, never
matched with a reason), older bytes behind a URL it still shows among them (`replaced`; `refused_now` when
that URL's current record is a refusal without bytes, a 404 say: the image is no longer readable there, and
the current record says it had earlier reads, `earlier_here`). Each record carries when its URL last gave
its answer (`seen_at`: fetched, or confirmed unchanged by a 304), shown as the time last checked. Each
picture is served by its record's SHA-256, so a box is always drawn on the bytes it was read from. The text is seller content: templates print it escaped (autoescape),
never `|safe`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firewatch.core.models import Assessment, Reason
from firewatch.services.ocr import current_and_earlier
from firewatch.store.ocr import OcrImage, OcrLine


@dataclass
class LineMark:
    line: OcrLine
    points: str  # "x,y x,y x,y x,y" for an SVG polygon
    codes: list[str] = field(default_factory=list)  # reasons citing this line

    @property
    def cited(self) -> bool:
        return bool(self.codes)


@dataclass
class ImageEvidence:
    record: OcrImage
    number: int
    role: str  # 主图 | 详情图
    lines: list[LineMark]
    reasons: list[Reason]
    earlier: bool = False  # an image the listing no longer shows (`number`: its place then)
    replaced: bool = False  # earlier bytes behind a URL the listing still shows (new bytes read there since)
    refused_now: bool = False  # replaced, and that URL's current record is a refusal without bytes (404, too large)
    earlier_here: int = 0  # a current record: earlier reads at its URL (listed among the earlier images)

    @property
    def cited(self) -> list[LineMark]:
        return [m for m in self.lines if m.cited]


def image_evidence(store, key: tuple[str, str], assessment: Assessment | None) -> list[ImageEvidence]:
    """The listing's current image records with each line's box and the reasons citing it, then its
    earlier ones (no reasons: the assessment judged the images shown now)."""
    reasons = assessment.reasons if assessment is not None else []
    current, earlier = current_and_earlier(store, key)
    out = []
    now_at = {r.url: r for r in current}
    for record in current:
        number = record.position + 1
        mine = [r for r in reasons if r.span_field == f"image:{number}" and r.start is not None and r.end is not None]
        marks = []
        for start, end, line in record.line_spans():
            codes = [r.code for r in mine if r.start < end and start < r.end]
            marks.append(LineMark(line, _points(line), codes))
        cited_elsewhere = [r for r in reasons if f"image:{number}" in (r.source or "").split("+") and r not in mine]
        here = sum(1 for r in earlier if r.url == record.url and r.sha256)
        out.append(ImageEvidence(record, number, _role(record), marks, mine + cited_elsewhere, earlier_here=here))
    for record in earlier:
        now = now_at.get(record.url)
        out.append(ImageEvidence(record, record.position + 1, _role(record),
                                 [LineMark(line, _points(line)) for line in record.lines], [], earlier=True,
                                 replaced=now is not None, refused_now=now is not None and not now.sha256))
    return out


def _role(record: OcrImage) -> str:
    return "主图" if record.position == 0 else "详情图"


def _points(line: OcrLine) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in line.box)
