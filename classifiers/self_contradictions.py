"""Self-contradictions of a listing's fields that no value family compares: a set's piece count against its own
contents list, an alcohol-resistant foam said to be unfit for polar liquids, a cable's length per roll stated twice.

Contract: `self_contradictions(fields, category, cfg)` returns [(source field, `spec_mismatch` `Finding`)] for the
first contradiction found, or [] (`cfg`: `data/specs.yaml` section `claims`, subsections `set_pieces`, `foam_polar`
and `roll_length`, each with its `enforce` switch; `claims.claim_mismatches` calls it). `fields` are (source, text)
pairs as `RiskRules.fields` gives them (attributes as "K V").

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
"""

from __future__ import annotations

import re
from typing import Any

from firewatch.core.text import normalize

from .numerals import cn_value
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


def self_contradictions(fields: list[tuple[str, str]], category: str,
                        cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """(source field, spec_mismatch finding) for the first contradiction of the module docstring, or []."""
    if category == "not_fire":
        return []
    return (_set_pieces(fields, cfg.get("set_pieces") or {})
            or _foam_polar(fields, category, cfg.get("foam_polar") or {})
            or _roll_length(fields, category, cfg.get("roll_length") or {}))
