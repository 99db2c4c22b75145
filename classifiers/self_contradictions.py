"""Self-contradictions of a listing's fields that no value family compares: a set's piece count against its own
contents list, an alcohol-resistant foam said to be unfit for polar liquids, a cable's length per roll stated twice,
a value written with a wrong conversion to another unit, the table's size against the table's area.

Contract: `self_contradictions(fields, category, cfg)` returns [(source field, `spec_mismatch` `Finding`)] for the
first contradiction found, or [] (`cfg`: `data/specs.yaml` section `claims`, subsections `set_pieces`, `foam_polar`,
`roll_length`, `unit_conversion` and `size_area`, each with its `enforce` switch; `claims.claim_mismatches` calls it).
`fields` are (source, text) pairs as `RiskRules.fields` gives them (attributes as "K V").

- `set_pieces`: a set of N pieces (5件套, in the title or an attribute, one N in the listing) whose contents attribute
  (`list_keys`: 包装清单：上衣×1、裤子×1 ...) lists fewer pieces, each item counted at its largest reading (手套×2 is two);
  a list left open (等, 可选, 选配: `open_words`) or of one item says nothing.
- `foam_polar`: a foam concentrate the listing names alcohol-resistant (`ar_words`: 抗溶性, AFFF/AR; not 非抗溶) in its
  title or an attribute, while a field says it is not for alcohols or other water-soluble liquids (a denial of
  `deny_words` followed within `window` characters by one of `polar_words`); a clause of other goods
  (`skip_clause_words`: 普通泡沫不适用于醇类) says nothing of this one.
- `roll_length`: for the `categories` (cables), the length of one roll or reel (100米/卷, 每卷50米, 一盘200米, 卷长 100m)
  stated in two fields with one value each that differ; a clause of options or order sizes (`skip_clause_words`:
  可选, 起订, 也有) is not read, nor a field stating two lengths.
- `unit_conversion`: a value followed, in brackets or after a word of equality (约合, 即, ≈), by the same value in
  another unit of its kind (40L/s(约144m³/h)) that differs by more than `tolerance`: flows, pressures, powers, times,
  masses and volumes (`kinds`; the factors are same_quantity's); two kinds side by side (10L/s (7.5kW)) say nothing.
- `size_area`: for the `categories` (sold by area or by size), one size row of the table (参考尺寸 3000*3000mm) whose
  area differs from the one area row's (面积 20㎡) by more than `tolerance`; the description's sizes (examples) are
  not read.
"""

from __future__ import annotations

import re
from typing import Any

from firewatch.core.text import normalize

from .numerals import cn_value
from .same_quantity import KIND_UNITS
from .specs import Finding, attribute_key, clause_around, normalized

_PIECES_RE = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*件套")
_ITEM_SPLIT_RE = re.compile(r"[、,，;；/+＋\n]")
# an item's count: 手套×2, 头盔x1, 靴子*1 (after the name), 2双手套 / 手套2双 (a number with a measure word)
_ITEM_TIMES_RE = re.compile(r"[×x*]\s*(\d{1,2})\s*[a-z\u4e00-\u9fff]{0,2}$")
_ITEM_MEASURE_RE = re.compile(r"(\d{1,2}|[一二两三四五六七八九十])\s*(?:件|个|只|顶|双|副|套|条|把|根|具|块|付|瓶|卷)")
_ROLL_VALUE_RES = (
    # 100米/卷, 100m一卷, 100米每盘
    re.compile(r"(?<![\d.])(\d{1,4})\s*(?:米|m)(?![a-z²])\s*(?:/|每|一)\s*(?:卷|盘|轴|捆)"),
    # 每卷50米, 一卷长度 100米, 整盘约200m, 卷长：100米
    re.compile(r"(?:每|一|整)\s*(?:卷|盘|轴|捆)\s*(?:长度|长|约|为|是|[:：])*\s*(\d{1,4})\s*(?:米|m)(?![a-z²\d])"),
    re.compile(r"(?:卷长|盘长)\s*(?:度)?\s*[:：为约]?\s*(\d{1,4})\s*(?:米|m)(?![a-z²\d])"),
)


def _words(cfg: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(normalize(str(w)) for w in cfg.get(key) or ())


def _count(run: str) -> int | None:
    return int(run) if run.isdigit() else cn_value(run)


def _where(source: str) -> str:
    return {"title": "标题", "description": "描述"}.get(source, f"“{source.removeprefix('attributes.')}”")


# -- a set's piece count against its contents list -----------------------------------------------
def _list_pieces(value: str) -> int | None:
    """How many pieces a contents list names at its largest reading (an item without a count is one)."""
    items = [x.strip() for x in _ITEM_SPLIT_RE.split(value) if x.strip()]
    if len(items) < 2:
        return None
    total = 0
    for item in items:
        m = _ITEM_TIMES_RE.search(item)
        n = int(m.group(1)) if m else None
        if n is None:
            m = _ITEM_MEASURE_RE.search(item)
            n = _count(m.group(1)) if m else 1
        total += max(n or 1, 1)
    return total


def _set_pieces(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    if not cfg.get("enforce"):
        return []
    pieces = {_count(m.group(1)) for source, text in fields if source == "title" or source.startswith("attributes.")
              for m in _PIECES_RE.finditer(normalized(text))}
    pieces.discard(None)
    if len(pieces) != 1:
        return []
    n = next(iter(pieces))
    keys, open_words = frozenset(_words(cfg, "list_keys")), _words(cfg, "open_words")
    for source, text in fields:
        raw_key = source.removeprefix("attributes.")
        if not source.startswith("attributes.") or attribute_key(raw_key) not in keys:
            continue
        value = text[len(raw_key):].strip() if text.startswith(raw_key) else text.strip()
        norm = normalize(value)
        if any(w in norm for w in open_words):
            continue
        listed = _list_pieces(norm)
        if listed is not None and listed < n:
            start = text.find(value)
            return [(source, Finding("spec_mismatch", f"标称 {n} 件套，{_where(source)}却只列出 {listed} 件：{value[:40]}",
                                     (start, start + len(value))))]
    return []


# -- an alcohol-resistant foam said to be unfit for polar liquids --------------------------------
def _claims_ar(norm: str, words: tuple[str, ...]) -> bool:
    for w in words:
        at = norm.find(w)
        while at >= 0:
            if not re.search(r"(?:非|不|无)\s*$", norm[max(0, at - 2):at]):
                return True
            at = norm.find(w, at + 1)
    return False


def _foam_polar(fields: list[tuple[str, str]], category: str, cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()):
        return []
    ar_words = _words(cfg, "ar_words")
    if not any(_claims_ar(normalized(t), ar_words) for s, t in fields if s == "title" or s.startswith("attributes.")):
        return []
    deny = "|".join(map(re.escape, sorted(_words(cfg, "deny_words"), key=len, reverse=True)))
    polar = "|".join(map(re.escape, sorted(_words(cfg, "polar_words"), key=len, reverse=True)))
    if not deny or not polar:
        return []
    rx = re.compile(rf"(?:{deny})[^。；;！!？?\n]{{0,{int(cfg.get('window', 12))}}}?(?:{polar})")
    skip = _words(cfg, "skip_clause_words")
    for source, text in fields:
        norm = normalized(text)
        for m in rx.finditer(norm):
            clause = clause_around(norm, m.start(), m.end())
            if any(w in clause for w in skip):
                continue
            return [(source, Finding("spec_mismatch", f"标称抗溶性泡沫液，{_where(source)}却写“{text[m.start():m.end()]}”"
                                     f"（{cfg.get('rule', '抗溶性泡沫液用于醇、酮等水溶性可燃液体火灾')}）", m.span()))]
    return []


# -- a cable's length per roll stated twice -------------------------------------------------------
def _roll_lengths(norm: str, skip: tuple[str, ...]) -> dict[int, tuple[int, int]]:
    """{length per roll: its span} a normalised field states, clauses of options or order sizes left out."""
    out: dict[int, tuple[int, int]] = {}
    for rx in _ROLL_VALUE_RES:
        for m in rx.finditer(norm):
            if any(w in clause_around(norm, m.start(), m.end()) for w in skip):
                continue
            out.setdefault(int(m.group(1)), m.span())
    return out


def _roll_length(fields: list[tuple[str, str]], category: str, cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()):
        return []
    skip = _words(cfg, "skip_clause_words")
    seen: list[tuple[str, int]] = []
    for source, text in fields:
        lengths = _roll_lengths(normalized(text), skip)
        if len(lengths) != 1:
            continue
        (value, span), = lengths.items()
        other = next(((s, v) for s, v in seen if v != value), None)
        if other:
            return [(source, Finding("spec_mismatch", f"每卷长度前后矛盾：{_where(other[0])}写 {other[1]} 米/卷，"
                                     f"{_where(source)}写 {value} 米/卷", span))]
        seen.append((source, value))
    return []


# -- a value and its own conversion to another unit ------------------------------------------------
_CONVERSION_RES: dict[int, tuple[dict[str, Any], re.Pattern | None]] = {}
_NUM = r"(\d{1,5}(?:\.\d{1,3})?)"


def _conversion_re(cfg: dict[str, Any]) -> re.Pattern | None:
    """value unit, then (in brackets or after a word of equality) value unit, the units of `cfg` `kinds`."""
    hit = _CONVERSION_RES.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        kinds = set(cfg.get("kinds") or ())
        units = sorted((u for u, (k, _) in KIND_UNITS.items() if k in kinds), key=len, reverse=True)
        equal = sorted(_words(cfg, "equal_words"), key=len, reverse=True)
        rx = None
        if units and equal:
            unit = "(" + "|".join(map(re.escape, units)) + r")(?![a-z²³0-9/\u4e00-\u9fff])"
            eq = "(?:" + "|".join(map(re.escape, equal)) + ")"
            rx = re.compile(r"(?<![\d.])" + _NUM + r"\s*" + unit + r"\s*(?:\(\s*" + eq + r"?|" + eq + r")\s*"
                            + _NUM + r"\s*" + unit)
        hit = _CONVERSION_RES[id(cfg)] = (cfg, rx)
    return hit[1]


def _unit_conversion(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    if not cfg.get("enforce"):
        return []
    rx = _conversion_re(cfg)
    if rx is None:
        return []
    tol = float(cfg.get("tolerance", 0.12))
    for source, text in fields:
        norm = normalized(text)
        for m in rx.finditer(norm):
            (k1, f1), (k2, f2) = KIND_UNITS[m.group(2)], KIND_UNITS[m.group(4)]
            if k1 != k2 or f1 == f2:
                continue  # two kinds (40L/s 约 45kW), or one unit twice (a list, 2kW(3kW))
            a, b = float(m.group(1)) * f1, float(m.group(3)) * f2
            if a <= 0 or b <= 0 or abs(a - b) / max(a, b) <= tol:
                continue
            said = text[m.start():m.end()] if len(text) == len(norm) else m.group(0)
            unit_b = text[m.start(4):m.end(4)] if len(text) == len(norm) else m.group(4)
            return [(source, Finding("spec_mismatch", f"{_where(source)}的单位换算前后矛盾：“{said}”"
                                     f"（{m.group(1)}{m.group(2)} 应约合 {a / f2:.3g}{unit_b}）", m.span()))]
    return []


# -- the table's size against the table's area -----------------------------------------------------
_SIZE_RE = re.compile(r"(?<![\d.])(\d{1,5}(?:\.\d{1,2})?)\s*(mm|毫米|m|米)?\s*[*×x]\s*(\d{1,5}(?:\.\d{1,2})?)\s*(mm|毫米|m|米)?"
                      r"(?![\d.]|\s*[*×x])")
_AREA_RE = re.compile(r"(?<![\d.])(\d{1,4}(?:\.\d{1,2})?)\s*(?:㎡|m²|m2|平方米|平米|平方|平)(?![\d])")


def _side_metres(value: str, unit: str | None, other: str, other_unit: str | None) -> float | None:
    v = float(value)
    unit = unit or other_unit
    if unit in ("mm", "毫米"):
        return v / 1000
    if unit in ("m", "米"):
        return v
    # no unit: three or more digits on either side are millimetres, a size in metres has small sides
    if len(value.split(".")[0]) >= 3 or len(other.split(".")[0]) >= 3:
        return v / 1000 if len(value.split(".")[0]) >= 3 else None
    return v if v <= 20 else None


def _size_area(fields: list[tuple[str, str]], category: str, cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()):
        return []
    size_keys, area_keys = frozenset(_words(cfg, "size_keys")), frozenset(_words(cfg, "area_keys"))
    sizes, areas = [], []
    for source, text in fields:
        raw_key = source.removeprefix("attributes.")
        if not source.startswith("attributes."):
            continue
        key, value = attribute_key(raw_key), normalized(text[len(raw_key):] if text.startswith(raw_key) else text)
        if key in size_keys:
            found = list(_SIZE_RE.finditer(value))
            if len(found) == 1:
                m = found[0]
                w = _side_metres(m.group(1), m.group(2), m.group(3), m.group(4))
                h = _side_metres(m.group(3), m.group(4), m.group(1), m.group(2))
                if w and h:
                    sizes.append((source, text, m.group(0), w * h))
        elif key in area_keys:
            found = list(_AREA_RE.finditer(value))
            if len(found) == 1:
                areas.append((source, text, found[0].group(0), float(found[0].group(1))))
    if len(sizes) != 1 or len(areas) != 1:
        return []
    (s_src, _, s_said, s_area), (a_src, a_text, a_said, area) = sizes[0], areas[0]
    if area <= 0 or abs(s_area - area) / max(s_area, area) <= float(cfg.get("tolerance", 0.15)):
        return []
    start = normalized(a_text).find(a_said)
    return [(a_src, Finding("spec_mismatch", f"尺寸与面积前后矛盾：{_where(s_src)}写 {s_said}（约 {s_area:.3g} ㎡），"
                                             f"{_where(a_src)}写 {a_said}", (start, start + len(a_said))))]


def self_contradictions(fields: list[tuple[str, str]], category: str,
                        cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """(source field, spec_mismatch finding) for the first contradiction of the module docstring, or []."""
    if category == "not_fire":
        return []
    return (_set_pieces(fields, cfg.get("set_pieces") or {})
            or _foam_polar(fields, category, cfg.get("foam_polar") or {})
            or _roll_length(fields, category, cfg.get("roll_length") or {})
            or _unit_conversion(fields, cfg.get("unit_conversion") or {})
            or _size_area(fields, category, cfg.get("size_area") or {}))
