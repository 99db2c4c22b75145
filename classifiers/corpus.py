"""Corpus records: loading the labelled JSONL files and turning records into text.

A record is a dict with `title`, `category`, `reasons`, `platform` and optional
`price`, `shop`, `attributes`, `description`, `first_seen` (YYYY-MM-DD, the day the listing
was first seen: rules that depend on dates judge it on that day) (the same keys as the
`firewatch score` input). `listing_text` builds the one string the text models see, from a `Listing`;
`record_to_listing` makes a `Listing` from such a dict.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from firewatch.core.clock import BEIJING, to_utc
from firewatch.core.labels import CATEGORY_NAMES, REASON_NAMES
from firewatch.core.models import Listing
from firewatch.core.money import parse_yuan
from firewatch.core.text import normalize

from .exceptions import LabelledFileError, SealedDataError

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
CORPUS_PATH = DATA_DIR / "corpus.jsonl"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"
# The second held-out set (issue 17), written apart from the corpus: the dev half may be read
# while writing rules. The other half was sealed until session 29, when its misses were read once (after
# 28 sessions below the F1 aim) and fresh sets were sealed in its place: it is still measured, never
# trained on, but its figures are no longer those of data the rules were not tuned on.
HELDOUT2_PATH = DATA_DIR / "heldout2.jsonl"
HELDOUT2_DEV_PATH = DATA_DIR / "heldout2_dev.jsonl"
# A third set in shop voice (issue 17), written by someone who never read the rules or the other sets,
# while the rules were being fixed against other fresh listings; sealed from the day it was written until
# session 30, when its misses were read once (its spec_mismatch recall was the lowest of the sealed sets) and
# two fresh sets were sealed in its place. Like heldout2: still measured, never trained on.
HELDOUT3_PATH = DATA_DIR / "heldout3.jsonl"
# A fourth (issue 17), by a writer who saw neither the rules nor any other listings, copying listings of
# every category and platform in the voices shops use; sealed from the day it was written.
HELDOUT4_PATH = DATA_DIR / "heldout4.jsonl"
# A fifth (issue 17), by a writer who saw neither the rules nor any other listings, in the voice of a platform
# compliance analyst copying listings of every kind of shop verbatim; sealed from the day it was written.
HELDOUT5_PATH = DATA_DIR / "heldout5.jsonl"
# A sixth (issue 17), by a writer who saw neither the rules nor any other listings, in the voice of a market
# inspector copying listings verbatim during a cross-platform spot check; sealed from the day it was written,
# before that day's rule work.
HELDOUT6_PATH = DATA_DIR / "heldout6.jsonl"
# A seventh (session 29), by a writer who saw neither the rules nor any other listings, in the voice of engineering
# procurement (contractors' and factories' buyers on 1688, JD industrial and flagship shops: long attribute tables,
# per-metre, per-area and per-set prices); sealed on arrival, like the eighth.
HELDOUT7_PATH = DATA_DIR / "heldout7.jsonl"
# An eighth (session 29), by a writer who saw neither the rules nor any other listings, in the voice of small shops
# selling to households (SKU options, promotional clutter, pasted answers); sealed on arrival, before the rules were
# fixed against the opened heldout2 were merged.
HELDOUT8_PATH = DATA_DIR / "heldout8.jsonl"
# A ninth and a tenth (session 30), each by a writer who saw neither the rules nor any other listings: the ninth in
# the voice of live-stream and discount-app shops and shops re-posting the same goods (long descriptions, pasted
# answers, SKU options that differ, older listings citing the rules of their time), the tenth in the voice of
# factories and distributors (catalogue tables, model-code families, report excerpts, bulk tiers); sealed on
# arrival, before that session's rules fixed against the opened heldout3 were merged. The ninth, the lowest of all
# on arrival (risk F1 0.918, price_too_low recall 0.467), was opened later that session like heldout2 and heldout3
# (its misses read once), and an eleventh in the same voice sealed in its place. The tenth, then the lowest
# spec_mismatch recall of the sealed sets (0.667), was opened in session 31 the same way, and a twelfth in its voice
# sealed before the rules fixed against it were merged.
HELDOUT9_PATH = DATA_DIR / "heldout9.jsonl"
HELDOUT10_PATH = DATA_DIR / "heldout10.jsonl"
# An eleventh (session 30), by a writer who saw neither the rules nor any other listings, in the ninth's voice
# (live-stream and discount-app shops: coupon prices, group-buy tiers, SKU options, pasted answers); sealed on
# arrival, before the rules fixed against the opened heldout9 were merged. Its writer built it from templates
# with shared pools of openings, answers and after-sale text (their report), so its listings resemble each other.
HELDOUT11_PATH = DATA_DIR / "heldout11.jsonl"
# A twelfth (session 31), by a writer who saw neither the rules nor any listings but the opened tenth, in its voice
# (factories and distributors: spec sheets, report excerpts, price tiers, OEM offers, tender terms); sealed on
# arrival, before the rules fixed against the opened tenth were merged. The eleventh, then the lowest risk F1 of the
# sealed sets (0.921) with spec_mismatch and invalid_certificate recall below 0.8, was opened in session 32 the same
# way, and a thirteenth in its voice sealed before the rules fixed against it were merged.
HELDOUT12_PATH = DATA_DIR / "heldout12.jsonl"
# A thirteenth (session 32), by a writer who saw neither the rules nor any listings but the opened eleventh, in its
# voice (small shops: attribute rows, SKU price lists, pasted Q&A, after-sale lines), each listing written apart
# rather than from shared pools; sealed on arrival, before the rules fixed against the opened eleventh were merged.
HELDOUT13_PATH = DATA_DIR / "heldout13.jsonl"
# A fourteenth (session 33), by a writer who saw neither the rules nor any listings but a live-stream training file
# (real_voice8) as a style sample, each spec_mismatch note tagged with its kind of contradiction ([twice],
# [code-figure] ...) so recall can be reported per kind without reading the set; assembled by the writer's own
# script from parts they wrote; sealed on arrival, before the rules of session 33 were merged.
HELDOUT14_PATH = DATA_DIR / "heldout14.jsonl"
# A fifteenth (session 33), by another such writer with a specification-heavy training file (real_voice6) as the
# style sample, every listing written by hand (no script assembling parts), tagged the same way; sealed on arrival.
HELDOUT15_PATH = DATA_DIR / "heldout15.jsonl"
# A sixteenth and a seventeenth (session 34), 200 listings each, by hand, by two more such writers: heldout16 in the
# contractor and wholesale voice of real_voice7, heldout17 in the small-shop voice of real_voice4; spec_mismatch,
# invalid_certificate and inspection_only notes tagged by kind ([twice], [edition], [inspection] ...); both sealed on
# arrival, before the rules of session 34 were merged. heldout16, measured on arrival and once after those rules
# (spec_mismatch 0.767 both times, its [twice] kind 3 of 8), was then opened: its misses are read once; measured on,
# never trained on.
HELDOUT16_PATH = DATA_DIR / "heldout16.jsonl"
HELDOUT17_PATH = DATA_DIR / "heldout17.jsonl"
# An eighteenth and a nineteenth (session 36), 200 listings each, by hand, by two more such writers: heldout18 in the
# wholesale and factory-outlet voice of real_voice9, heldout19 in the plain shop voice of real_voice3; tagged the same
# way; both sealed on arrival, before the rules of session 36's probe fixers were merged. heldout18 was opened
# after its final measurement of session 36, heldout19 after its measurement at the start of session 37 (arrival
# 0.964, unchanged), their misses read once.
HELDOUT18_PATH = DATA_DIR / "heldout18.jsonl"
HELDOUT19_PATH = DATA_DIR / "heldout19.jsonl"
# A twentieth and a twenty-first (session 37), 200 listings each, by hand, by two more such writers: heldout20
# (writer_w) in the live-stream and group-buying voice of real_voice8, heldout21 (writer_x) in the voice of
# real_voice5; tagged the same way; both sealed on arrival, measured with main's rules and model before any rule of
# session 37 was merged. heldout20 was opened at the start of session 38 after its measurement there (arrival 0.984,
# session 37 final 0.984, unchanged), its misses read once; heldout21 at the start of session 39 after its measurement
# there (arrival 0.949, session 38 final 0.957, session 39 start 0.957).
HELDOUT20_PATH = DATA_DIR / "heldout20.jsonl"
HELDOUT21_PATH = DATA_DIR / "heldout21.jsonl"
# A twenty-second and a twenty-third (session 38), 200 listings each, by hand, by two more such writers: heldout22
# (writer_y) in the contractor and wholesale voice of real_voice7, heldout23 (writer_z) in the small-shop voice of
# real_voice4; tagged the same way; both sealed on arrival, measured with the rules at the start of session 38
# (ae73614) and session 37's model before any rule of session 38 was merged. Both opened in session 39 after heldout21's
# round, their misses read once: heldout22 (arrival 0.920, session 38 final 0.924, then 0.929), heldout23 (0.968 each
# time).
HELDOUT22_PATH = DATA_DIR / "heldout22.jsonl"
HELDOUT23_PATH = DATA_DIR / "heldout23.jsonl"
# A twenty-fourth and a twenty-fifth (session 38), 200 listings each, by two more such writers who were told not to
# quote their wording back: heldout24 (writer_aa) in the wholesale voice of real_voice9, heldout25 (writer_ab) in the
# plain shop voice of real_voice3; sealed on arrival, measured with main's rules at their arrival (mid-session 38,
# after its first rules) and session 37's model.
HELDOUT24_PATH = DATA_DIR / "heldout24.jsonl"
HELDOUT25_PATH = DATA_DIR / "heldout25.jsonl"
# A twenty-sixth and a twenty-seventh (session 39), 200 listings each, by two more such writers told not to quote their
# wording back: heldout26 (writer_ac) in the brand-store and mixed voice of real_voice5, heldout27 (writer_ad) in the
# voice of real_voice6; sealed on arrival, measured with main's rules at their arrival (after heldout21's round) and
# session 38's rules, with session 39's first model (trained at the session's start).
HELDOUT26_PATH = DATA_DIR / "heldout26.jsonl"
HELDOUT27_PATH = DATA_DIR / "heldout27.jsonl"
# A twenty-eighth and a twenty-ninth (session 39) by writer_ae in the live-stream voice of real_voice8 and writer_af in
# the voice of real_voice_train, sealed on arrival and measured the same way (main's rules at arrival, after
# heldout21's round).
HELDOUT28_PATH = DATA_DIR / "heldout28.jsonl"
HELDOUT29_PATH = DATA_DIR / "heldout29.jsonl"
# A thirtieth and a thirty-first (session 39) by writer_ag in the contractor and wholesale voice of real_voice7 and
# writer_ah in the small-shop voice of real_voice4, sealed on arrival, measured with main's rules then (after the
# rounds of heldout21, heldout22 and heldout23) and with session 38's.
HELDOUT30_PATH = DATA_DIR / "heldout30.jsonl"
HELDOUT31_PATH = DATA_DIR / "heldout31.jsonl"
SEALED_PATHS = (HELDOUT4_PATH, HELDOUT5_PATH, HELDOUT6_PATH, HELDOUT7_PATH, HELDOUT8_PATH, HELDOUT12_PATH,
                HELDOUT13_PATH, HELDOUT14_PATH, HELDOUT15_PATH, HELDOUT17_PATH, HELDOUT24_PATH, HELDOUT25_PATH,
                HELDOUT26_PATH, HELDOUT27_PATH, HELDOUT28_PATH, HELDOUT29_PATH, HELDOUT30_PATH, HELDOUT31_PATH)
OPENED_PATHS = (HELDOUT2_PATH, HELDOUT3_PATH, HELDOUT9_PATH, HELDOUT10_PATH, HELDOUT11_PATH, HELDOUT16_PATH,
                HELDOUT18_PATH, HELDOUT19_PATH, HELDOUT20_PATH, HELDOUT21_PATH, HELDOUT22_PATH,
                HELDOUT23_PATH)  # once sealed, now read: measured on, never trained on
HELDOUT_PATHS = (HELDOUT_PATH, HELDOUT2_DEV_PATH, *OPENED_PATHS, *SEALED_PATHS)  # measured on, never trained on
# Trained on beside CORPUS_PATH when present: the hand-written lines (also in corpus.jsonl: they
# count once) and listings written in the voice of real shop pages (issue 17)
HAND_CORPUS_PATH = DATA_DIR / "hand_corpus.jsonl"
REAL_VOICE_TRAIN_PATH = DATA_DIR / "real_voice_train.jsonl"
# a third set in shop voice, written before the rules were read: measured once on main's rules
# (the "before" of its rules work), then trained on like the first
REAL_VOICE3_PATH = DATA_DIR / "real_voice3.jsonl"
# a fourth, by someone who never read the rules: measured on main's rules first (the "before" of
# its rules work, issue 17), then trained on like the others
REAL_VOICE4_PATH = DATA_DIR / "real_voice4.jsonl"
# a fifth, by two writers who saw no rules and no other listings (1688/B2B suppliers; retail shops), issue 17:
# measured on main's rules first, then the rules fixed against it; trained on once those fixes landed
REAL_VOICE5_PATH = DATA_DIR / "real_voice5.jsonl"
# a sixth, specifications only (200: contradictions, values below the standard, near misses), by a writer who
# saw no rules and no other listings: measured on main's rules first, then the spec rules fixed against it,
# then trained on
REAL_VOICE6_PATH = DATA_DIR / "real_voice6.jsonl"
# a seventh (240, an installer-contractor's trade voice), by a writer who saw no rules and no other listings:
# measured on main's rules first, then the rules fixed against it, then trained on
REAL_VOICE7_PATH = DATA_DIR / "real_voice7.jsonl"
# an eighth (240, social and livestream commerce: spoken numerals, loose units, filter-dodging spellings) and a
# ninth (200, written in the voice of heldout2_dev, the open half of the second held-out set), each by a writer who
# saw no rules: measured on main's rules first, then the rules fixed against them, then trained on
REAL_VOICE8_PATH = DATA_DIR / "real_voice8.jsonl"
REAL_VOICE9_PATH = DATA_DIR / "real_voice9.jsonl"
TRAINING_PATHS = (HAND_CORPUS_PATH, REAL_VOICE_TRAIN_PATH, REAL_VOICE3_PATH, REAL_VOICE4_PATH, REAL_VOICE5_PATH,
                  REAL_VOICE6_PATH, REAL_VOICE7_PATH, REAL_VOICE8_PATH, REAL_VOICE9_PATH)
DESCRIPTION_CHARS = 300


_JSON_KINDS = {list: "数组", str: "文本", int: "数字", float: "数字", bool: "布尔值", type(None): "null", dict: "对象"}


def json_kind(value: Any) -> str:
    """The JSON kind of a parsed value, in Chinese (数组, 文本, 数字 ...), for error messages."""
    return _JSON_KINDS.get(type(value), type(value).__name__)


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """Read a labelled JSON-lines file (UTF-8, one object a line, blank lines skipped): every line needs
    `title` (text) and `category` (a code of spec/taxonomy.md); `reasons`, when given, is a list of the
    taxonomy's reason codes; `first_seen` / `last_seen`, when given, are dates. Anything else raises
    `LabelledFileError` naming the file, the line and the field, in Chinese, with what to do."""
    path = Path(path)
    if not path.is_file():
        what = "是目录，不是文件" if path.is_dir() else "不存在"
        raise LabelledFileError(f"数据文件 {path} {what}；请给出带标签的 JSON 行文件（每行一个对象，含 title 与 category）")
    records = []
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            where = f"{path} 第 {lineno} 行"
            try:
                line = (raw.removeprefix(_UTF8_BOM) if lineno == 1 else raw).decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise LabelledFileError(f"{where}：不是 UTF-8 文本（第 {exc.start + 1} 个字节起，可能是 GBK 或 UTF-16 编码）；"
                                        f"请把文件转换为 UTF-8，例如 iconv -f GBK -t UTF-8 原文件 > 新文件") from None
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelledFileError(f"{where}：不是 JSON（第 {exc.colno} 列：{exc.msg}）") from None
            except RecursionError:
                raise LabelledFileError(f"{where}：JSON 嵌套过深，无法读取") from None
            problem = _record_problem(rec)
            if problem:
                raise LabelledFileError(f"{where}：{problem}")
            rec.setdefault("reasons", [])
            records.append(rec)
    return records


_UTF8_BOM = b"\xef\xbb\xbf"


def _record_problem(rec: Any) -> str | None:
    """Why a parsed line is no labelled record (Chinese, naming the field), or None."""
    if not isinstance(rec, dict):
        return f"应为 JSON 对象（{{\"title\": …, \"category\": …}}），实为{json_kind(rec)}"
    for name in ("title", "category"):
        if name not in rec:
            return f"缺少 {name}（每行都要有 title 与 category）"
        if not isinstance(rec[name], str):
            return f"{name} 应为文本，实为{json_kind(rec[name])}"
    if rec["category"] not in CATEGORY_NAMES:
        return (f"category「{rec['category'][:40]}」不是分类代码；应为 spec/taxonomy.md 中的代码之一："
                + "、".join(CATEGORY_NAMES))
    reasons = rec.get("reasons")
    if reasons is not None:
        if not isinstance(reasons, list):
            return f"reasons 应为理由代码的数组（如 [\"inspection_only\"]，无理由写 []），实为{json_kind(reasons)}"
        for code in reasons:
            if not isinstance(code, str) or code not in REASON_NAMES:
                shown = code[:40] if isinstance(code, str) else json_kind(code)
                return f"reasons 中的「{shown}」不是理由代码；应为 spec/taxonomy.md 中的代码之一：" + "、".join(REASON_NAMES)
    return date_problem(rec)


def date_problem(record: dict[str, Any]) -> str | None:
    """Why a record's `first_seen` or `last_seen` is no date (Chinese, naming the field), or None."""
    for name in ("first_seen", "last_seen"):
        try:
            record_date(record.get(name), name)
        except ValueError as exc:
            return str(exc)
    return None


def load_training(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """The records of the training files in order; a listing already read from an earlier file
    (same `record_fingerprint`) is not read again. A held-out file is refused (`SealedDataError`)."""
    held = {Path(p).resolve() for p in HELDOUT_PATHS}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in paths:
        if Path(path).resolve() in held:
            raise SealedDataError(f"{path} 是留出集，只用于评估，不能用于训练")
        marks = [(record_fingerprint(r), r) for r in load_records(path)]
        out += [r for mark, r in marks if mark not in seen]
        seen.update(mark for mark, _ in marks)
    return out


def record_fingerprint(record: dict[str, Any]) -> str:
    """SHA-256 of what the models read of a record (title, attributes, description,
    whitespace and width normalised): the same listing under another id or file hashes alike."""
    listing = record_to_listing(record)
    text = " ".join(normalize(listing_text(listing)).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_NOT_TITLE_TEXT = re.compile(r"[\W_]+")


def title_key(record: dict[str, Any]) -> str:
    """SHA-256 of a record's title with width and case normalised and everything but letters and
    digits removed ("" for an empty title): a relisting under the same title keys alike."""
    title = _NOT_TITLE_TEXT.sub("", normalize(str(record.get("title") or "")))
    return hashlib.sha256(title.encode("utf-8")).hexdigest() if title else ""


def heldout_marks(paths: Iterable[str | Path]) -> tuple[set[str], set[str]]:
    """(fingerprints, title keys) of every record in the held-out files that exist: hashes only,
    for keeping their listings out of training; nothing of the records is kept or printed."""
    prints: set[str] = set()
    titles: set[str] = set()
    for path in paths:
        if Path(path).is_file():
            for record in load_records(path):
                prints.add(record_fingerprint(record))
                key = title_key(record)
                if key:
                    titles.add(key)
    return prints, titles


def sealed_fingerprints(paths: Iterable[str | Path] | None = None) -> set[str]:
    """Fingerprints of every record in the sealed files that exist (nothing is printed)."""
    out: set[str] = set()
    for path in SEALED_PATHS if paths is None else paths:
        if Path(path).is_file():
            out.update(record_fingerprint(r) for r in load_records(path))
    return out


def refuse_sealed(records: Iterable[dict[str, Any]], source: str | Path | None = None,
                  sealed: Iterable[str | Path] | None = None) -> None:
    """Raise `SealedDataError` when `source` is a sealed file or any record is one of a sealed
    file's records: the sealed held-out set never reaches training or tuning."""
    sealed = [Path(p) for p in (SEALED_PATHS if sealed is None else sealed)]
    if source is not None and any(Path(source).resolve() == p.resolve() for p in sealed):
        raise SealedDataError(f"{source} 是封存的留出集，只用于评估，不能用于训练")
    marks = sealed_fingerprints(sealed)
    if not marks:
        return
    hits = sum(1 for r in records if record_fingerprint(r) in marks)
    if hits:
        raise SealedDataError(f"训练数据中有 {hits} 条与封存的留出集相同，拒绝训练")


def file_sha256(*paths: str | Path) -> str:
    """One SHA-256 over the bytes of the given files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def parse_price(value: Any) -> Decimal | None:
    """A price as Decimal yuan, or None when absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    price = parse_yuan(value)
    if price is None:
        logger.debug("unreadable price %r", value)
    return price


def record_to_listing(record: dict[str, Any]) -> Listing:
    """A `Listing` from a score/corpus record (keys id, platform, title, price, shop ...;
    first_seen / last_seen date it, so dated rules judge it as of when it was seen; a date that is no
    date raises `ValueError`, naming it)."""
    shop = record.get("shop") or record.get("shop_name") or ""
    if isinstance(shop, dict):
        shop = shop.get("name") or shop.get("shop_name") or ""
    attributes = record.get("attributes") or {}
    if not isinstance(attributes, dict):
        attributes = {}
    first, last = record_date(record.get("first_seen")), record_date(record.get("last_seen"), "last_seen")
    return Listing(
        first_seen=first, last_seen=last or first,
        platform=str(record.get("platform") or ""),
        listing_id=str(record.get("id") or record.get("listing_id") or ""),
        url=str(record.get("url") or ""),
        title=str(record.get("title") or ""),
        price=parse_price(record.get("price")),
        shop_name=str(shop),
        attributes={str(k): str(v) for k, v in attributes.items()},
        description=str(record.get("description") or ""),
    )


def record_date(value: Any, name: str = "first_seen") -> datetime | None:
    """A record's `first_seen` or `last_seen` (`name`, for the error) ("2025-03-01": that day's start in Beijing
    time; an ISO time with or without a zone, naive taken as UTC) as a UTC datetime; None when absent.

    Raises `ValueError` (Chinese, naming `name`) for what is no date; `firewatch score` names the line."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} 应为日期文本（YYYY-MM-DD），实为{json_kind(value)}")
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), BEIJING).astimezone(timezone.utc)
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"{name}「{text[:40]}」不是日期（应为 YYYY-MM-DD）") from None


def listing_text(listing: Listing) -> str:
    """The text the models see: the title (its line breaks made spaces), then, after a line
    break (`features.TITLE_END`: the models weigh the title apart), the attribute pairs and the
    start of the description."""
    title = " ".join((listing.title or "").replace("\r", "\n").split("\n"))
    parts = [f"{key} {value}" for key, value in (listing.attributes or {}).items()]
    if listing.description:
        parts.append(listing.description[:DESCRIPTION_CHARS])
    body = " ".join(p for p in parts if p)
    return f"{title}\n{body}" if body else title


def records_text(records: Iterable[dict[str, Any]]) -> list[str]:
    """`listing_text` of each record."""
    return [listing_text(record_to_listing(r)) for r in records]
