"""Classes a standard does not have: cable burning classes (GB 31247-2014) and fire-door classes.

`edition_findings(fields, category, on)` returns `(source, Finding)` pairs with code
`substandard_spec` (taxonomy: "a stated specification ... outdated or wrong standard"):
- a cable citing GB 31247 with a class it does not have (B4, d3, t3, a0 ...), or with B1/B2 and
  without all three additional classes (d0-d2 dripping, t0-t2 smoke toxicity, a1-a3 corrosiveness);
- a cable the listing sells as flame-retardant (阻燃, ZR-YJV) with class B3 (`flame_retardant_claim`, unverified,
  behind its switch: B3 is the class of ordinary cables as commonly quoted);
- a fire door stating a B or C class the standard does not have (B0.50, C2.50 ...) or a grade that
  no fire-door standard has (丁级).
Facts and sources are in `data/editions.yaml`. Superseded editions (GB 4351.1-2005 after
2025-01-01 ...) are judged in `spec_checks` from `specs.yaml`'s standards table; the same file
records their verified dates, which the tests hold that rule to.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from firewatch.core.text import normalize

from .datafiles import load_yaml
from .specs import Finding, clause_around, normalized

EDITIONS_PATH = Path(__file__).parent / "data" / "editions.yaml"

# "GB 31247-2014 B1(d0,t1,a2)", "B1级 d1 t1 a2", "燃烧性能 B2级" -- the class word and what follows it
_CABLE_CLASS_RE = re.compile(r"(?<![a-z0-9])(b[0-9]|a(?![0-9.]))\s*级?\s*(?:[(（\[]\s*([^)）\]]{0,30})[)）\]])?")
_SUB_RE = re.compile(r"(?<![a-z])([dta])\s*([0-9])(?![0-9.])")
_DOOR_CLASS_RE = re.compile(r"(?<![a-z0-9])([bc])\s?([0-3]\.[0-9]{1,2})(?![0-9])(?!\s*(?:mm|毫米|米|m|厘|cm))")
_B_GATE = re.compile(r"[bBｂＢ]\s?[12１２]")  # a B1 or B2 class, before normalising
# 燃烧性能等级：B4 / 燃烧性能 B1级: the class follows the term within a few characters
_BURNING_CUE_RE = re.compile(r"燃烧性能(?:等级|分级)?\s*[:：为]?\s*(?=[ab])")
_CABLE_WORDS = ("电缆", "电线", "线缆", "光缆")
_DOOR_GATE = re.compile(r"[bcBCｂｃＢＣ]\s?[0-3０-３][.．]")  # what a B or C class needs, before normalising

__all__ = ["edition_findings", "load_editions", "EDITIONS_PATH"]


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    return load_yaml(path)


def load_editions(path: str | Path = EDITIONS_PATH) -> dict[str, Any]:
    return _load(str(path))


def _on(cfg: dict[str, Any]) -> bool:
    return bool(cfg.get("enforce", cfg.get("verified", False)))


def _complete_classes(texts: Iterable[str]) -> frozenset:
    """The burning classes some text states with all three sub-classes (B1(d0,t0,a1)): a field naming the
    class alone (B1级带全部附加分级) refers to that statement and lacks nothing."""
    out = set()
    for text in texts:
        norm = normalized(text)
        for m in _CABLE_CLASS_RE.finditer(norm):
            tail = m.group(2) if m.group(2) is not None else norm[m.end():m.end() + 30]
            if {k for k, _ in _SUB_RE.findall(tail)} >= {"d", "t", "a"}:
                out.add(m.group(1))
    return frozenset(out)


def _cable(text: str, cfg: dict[str, Any], complete: frozenset = frozenset()) -> Finding | None:
    """A cable's burning class: when the text cites GB 31247, every class and sub-class after the citation;
    without a citation, a B1 or B2 (only GB 31247 has them for cables) without its sub-classes."""
    if "31247" not in text and "３１２４７" not in text and "燃烧性能" not in text and _B_GATE.search(text) is None:
        return None
    norm = normalized(text)
    # GB 31247 cited, or its term 燃烧性能(等级) naming the class (阻燃等级 is GB/T 19666's ZA-ZD scheme)
    cue = _BURNING_CUE_RE.search(norm)
    cited = "31247" in norm or cue is not None
    std, src = cfg.get("standard", "GB 31247-2014"), cfg.get("source", "")
    classes = {c.lower() for c in cfg.get("classes", [])}
    needs = {c.lower() for c in cfg.get("needs_extra", [])}
    allowed = {k: {v.lower() for v in cfg.get(name, [])} for k, name in (("d", "droplet"), ("t", "toxicity"),
                                                                         ("a", "corrosion"))}
    start = norm.index("31247") if "31247" in norm else cue.end() if cue is not None else 0
    for m in _CABLE_CLASS_RE.finditer(norm, start):
        cls = m.group(1)
        if not cited and cls not in needs:
            continue  # without the citation only B1/B2 are GB 31247's beyond doubt
        if cls == "a" and not m.group(2):
            continue  # a bare "a" (0.6/1kv a ...) is too ambiguous without its parenthesis
        span = (m.start(1), m.end(1))
        if cls not in classes:
            return Finding("substandard_spec", f"{std} 没有“{text[span[0]:span[1]]}”这一燃烧性能等级（只有 "
                           f"{'、'.join(cfg.get('classes', []))}）（来源：{src}）", span)
        subs = {}
        # the sub-classes in a parenthesis, or written out after the class (B1级，滴落物d0，烟气毒性t0，腐蚀性a1)
        tail = m.group(2) if m.group(2) is not None else norm[m.end():m.end() + 30]
        for k, v in _SUB_RE.findall(tail):
            subs.setdefault(k, f"{k}{v}")
        bad = [s for k, s in subs.items() if s not in allowed[k]]
        if bad:
            return Finding("substandard_spec", f"{std} 没有附加等级“{bad[0]}”（燃烧滴落物 d0–d2、烟气毒性 t0–t2、"
                           f"腐蚀性 a1–a3）（来源：{src}）", span)
        if cls in needs:
            missing = [name for k, name in (("d", "燃烧滴落物/微粒等级 d"), ("t", "烟气毒性等级 t"),
                                            ("a", "腐蚀性等级 a")) if k not in subs]
            if missing and cls not in complete:
                return Finding("substandard_spec", f"{std} 规定 {cls.upper()} 级电缆须同时标明燃烧滴落物、烟气毒性和"
                               f"腐蚀性等级，如 {cls.upper()}(d0,t0,a1)；本商品缺少{'、'.join(missing)}（来源：{src}）",
                               span)
        return None
    return None


def _claims_flame_retardant(texts: Iterable[str], cfg: dict[str, Any]) -> bool:
    """Some text sells the cable as flame-retardant (阻燃电缆; a code ZR-YJV, ZC-BV, WDZB1-YJY) and does not deny the
    word (`negations`: 非阻燃)."""
    negations = tuple(normalize(str(w)) for w in cfg.get("negations") or ())
    for text in texts:
        norm = normalized(text)
        for word in cfg.get("claim_words") or ():
            w = normalize(str(word))
            if w.isascii():  # a type code's flame letters, before the construction (zr-yjv, wdzb1-yjy)
                if re.search(rf"(?<![a-z]){re.escape(w)}[a-d]?\d?n?\s*-\s*[a-z]", norm):
                    return True
                continue
            for m in re.finditer(re.escape(w), norm):
                if not any(n.endswith(w) and norm.endswith(n, 0, m.end()) for n in negations):
                    return True
    return False


def _flame_retardant_b3(fields: list[tuple[str, str]], cfg: dict[str, Any], std: str) -> tuple[str, Finding] | None:
    """A class of `cfg['classes']` (B3) named after GB 31247 or 燃烧性能, in a listing selling the cable as flame-retardant."""
    if not _on(cfg):
        return None
    classes = {str(c).lower() for c in cfg.get("classes") or ()}
    skip = tuple(normalize(str(w)) for w in cfg.get("skip_clause_words") or ())
    claimed = None
    for source, text in fields:
        if "31247" not in text and "燃烧性能" not in text:
            continue
        norm = normalized(text)
        cue = _BURNING_CUE_RE.search(norm)
        start = norm.index("31247") if "31247" in norm else cue.end() if cue is not None else -1
        if start < 0:
            continue
        for m in _CABLE_CLASS_RE.finditer(norm, start):
            if m.group(1) not in classes:
                continue
            if skip and any(w in clause_around(norm, m.start(1), m.end(1)) for w in skip):
                continue
            if claimed is None:
                claimed = _claims_flame_retardant((t for _, t in fields), cfg)
            if not claimed:
                return None
            what = "无阻燃要求的普通电缆" + ("" if cfg.get("verified") else "（通常引用，未经核实）")
            return source, Finding("substandard_spec", f"商品以阻燃电缆出售，燃烧性能却为 {std} 的 "
                                   f"{m.group(1).upper()} 级，即{what}", m.span(1))
    return None


def _newer_from(data: dict[str, Any], standard: str | None) -> date | None:
    """The in-force day of `standard` in the `editions` table (None: not there, or no standard)."""
    entry = next((e for e in data.get("editions", []) if standard and e.get("standard") == standard), None)
    return None if entry is None or not entry.get("in_force_from") else date.fromisoformat(str(entry["in_force_from"]))


def _door(text: str, cfg: dict[str, Any], on: date, newer_from: date | None = None) -> Finding | None:
    """A fire door's impossible class; from `newer_from` (the newer edition in force) only while the
    switch `after_newer_edition` is on, its finding then saying that edition's classes are unverified."""
    note = ""
    if newer_from is not None and on >= newer_from:
        after = cfg.get("after_newer_edition", {})
        if not _on(after):
            return None
        if not after.get("verified"):
            note = (f"；{cfg.get('newer_edition')} 已于 {newer_from.isoformat()} 起实施，"
                    "其分级是否与上述相同未经核实，请复核")
    found = _door_class(text, cfg)
    return found if found is None or not note else Finding(found.code, found.evidence[:-1] + note + "）", found.span)


def _door_class(text: str, cfg: dict[str, Any]) -> Finding | None:
    if _DOOR_GATE.search(text) is None and not any(w in text for w in cfg.get("impossible_grades", [])):
        return None
    norm = normalized(text)
    std, src = cfg.get("standard", "GB 12955-2008"), cfg.get("source", "")
    for word in cfg.get("impossible_grades", []):
        i = norm.find(normalize(word))
        if i >= 0:
            return Finding("substandard_spec", f"防火门没有“{word}”：{std} 的等级为 "
                           f"{'、'.join(cfg.get('grades', []))}（来源：{src}）", (i, i + len(word)))
    for m in _DOOR_CLASS_RE.finditer(norm):
        kind, hours = m.group(1), float(m.group(2))
        allowed = [float(h) for h in cfg.get(f"{kind}_hours", [])]
        if not any(abs(hours - h) < 1e-6 for h in allowed):
            name = "部分隔热防火门（B类）" if kind == "b" else "非隔热防火门（C类）"
            return Finding("substandard_spec", f"{std} 的{name}只有 "
                           f"{'、'.join(f'{kind.upper()}{h:.2f}' for h in allowed)}，没有 {kind.upper()}{hours:.2f}"
                           f"（来源：{src}）", m.span())
    return None


def edition_findings(fields: Iterable[tuple[str, str]], category: str, on: date,
                     data: dict[str, Any] | None = None) -> list[tuple[str, Finding]]:
    """substandard_spec findings for classes a standard does not have, as (field source, Finding)."""
    data = data or load_editions()
    cable = data.get("cable_burning", {})
    door = data.get("fire_door", {})
    fields = list(fields)
    complete = None
    for source, text in fields:
        if category in ("flame_retardant_cable", "fire_resistant_cable") or (
                category == "other_fire" and any(w in text for w in _CABLE_WORDS)):
            if complete is None and _on(cable):
                complete = _complete_classes(t for _, t in fields)
            found = _cable(text, cable, complete) if _on(cable) else None
            if found:
                return [(source, found)]
    if _on(cable) and (category in ("flame_retardant_cable", "fire_resistant_cable") or (
            category == "other_fire" and any(w in t for _, t in fields for w in _CABLE_WORDS))):
        b3 = _flame_retardant_b3(fields, cable.get("flame_retardant_claim") or {}, cable.get("standard", "GB 31247-2014"))
        if b3:
            return [b3]
    for source, text in fields:
        if category == "fire_door" and _on(door):
            found = _door(text, door, on, _newer_from(data, door.get("newer_edition")))
            if found:
                return [(source, found)]
    return []
