"""Rated minimums: a rating a listing states by its name below its standard's least, a required protection it
denies, and a value its cited edition fixes stated outside that edition's range.

Contract: `minimum_findings(text, category, facts)` returns `substandard_spec` `Finding`s (first per rule) for one
text (a field, or the listing's fields joined): a value named by one of a rule's `names` (额定工作压力 0.6MPa) in one
of its `units`, below its `min` (the rules of `data/specs.yaml` `rated_minimums`), and a protection the text denies
(一氧化碳防护：无, 不防一氧化碳; `denied_protection`). `edition_findings(text, category, specs, facts)` returns
`Finding`s of a rule's `reason` (substandard_spec) for a value named so outside the range an edition fixes, in a text
citing that edition
(`edition_values`; GB 20517-2025 消音时间 (7±1) h). A rule switched off (`enforce: false`) or not for the category
reports nothing. A value right after a qualifier (`skip_before`: 最低工作压力), in a range (0.1-1.2MPa), or in a
clause speaking of other goods (`skip_clause_words`: 普通口罩不防一氧化碳) is not read.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator

from .specs import Finding, clause_around, finding, normalized



@functools.lru_cache(maxsize=64)
def _value_re(names: tuple[str, ...], units: tuple[str, ...]) -> re.Pattern[str]:
    """name [:：为] [约/≥/不低于] value unit, not the first end of a range (0.1-1.2MPa)."""
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    unit = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"({alt})\s*[:：为是]?\s*(?:约|≥|>=|不低于|不小于)?\s*(\d{{1,5}}(?:\.\d{{1,4}})?)\s*({unit})"
                      rf"(?![a-z\d])(?!\s*[-~～至到/]\s*\d)")


def _words(cfg: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(normalized(str(w)) for w in cfg.get(key) or ())


def _applies(norm: str, category: str, cfg: dict[str, Any]) -> bool:
    """The rule is on, for `category`, the text names what it needs (`require_words`) and nothing that takes it out
    (`skip_words`, unless one of `unless_words` is named too: 七氟丙烷 beside 氮气)."""
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()):
        return False
    need = _words(cfg, "require_words")
    if need and not any(w in norm for w in need):
        return False
    skip = _words(cfg, "skip_words")
    return not (skip and any(w in norm for w in skip) and not any(w in norm for w in _words(cfg, "unless_words")))


def _stated(norm: str, cfg: dict[str, Any]) -> Iterator[tuple[float, re.Match[str]]]:
    """Each value (in the rule's unit) the text names by one of the rule's names, as read by `_value_re`."""
    units = {normalized(str(k)): float(v) for k, v in (cfg.get("units") or {}).items()}
    if not units:
        return
    before, clause_skip = _words(cfg, "skip_before"), _words(cfg, "skip_clause_words")
    for m in _value_re(_words(cfg, "names"), tuple(units)).finditer(norm):
        if before and norm[max(0, m.start() - 4):m.start()].endswith(before):
            continue
        if clause_skip and any(w in clause_around(norm, m.start(), m.end()) for w in clause_skip):
            continue
        yield float(m.group(2)) * units[m.group(3)], m


def _fmt(v: float) -> str:
    return f"{round(v, 4):g}"


def _below(text: str, norm: str, cfg: dict[str, Any]) -> list[Finding]:
    least = float(cfg["min"])
    for value, m in _stated(norm, cfg):
        if value < least - 1e-9:
            unit = cfg.get("unit", "")
            return [finding("substandard_spec", f"{cfg.get('what', m.group(1))}标称 {_fmt(value)} {unit}，低于标准的最低值 "
                            f"{_fmt(least)} {unit}（依据 {cfg.get('rule', '')}）", text, m.group(0))]
    return []


@functools.lru_cache(maxsize=16)
def _denial_res(subjects: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """不防一氧化碳 / 无一氧化碳防护 / 一氧化碳防护：无, 一氧化碳 不防 (the none word ending its clause)."""
    s = "|".join(rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w)
                 for w in sorted(subjects, key=len, reverse=True))
    return (re.compile(rf"(?:不能|不可|无法|不会|不)\s*(?:防护|防御|过滤|防)\s*(?:{s})"),
            re.compile(rf"(?:无|没有|不含|不带)\s*(?:{s})\s*(?:防护|过滤)"),
            re.compile(rf"(?:{s})\s*(?:防护功能|防护能力|防护|过滤)?\s*[:：]?\s*(?:无|否|没有|不防|不能防|不能|不可|不行|不支持)"
                       rf"(?=$|[\s，,。;；!！、])"))


def _denied(text: str, norm: str, cfg: dict[str, Any]) -> list[Finding]:
    clause_skip = _words(cfg, "skip_clause_words")
    for pattern in _denial_res(_words(cfg, "subjects")):
        for m in pattern.finditer(norm):
            if clause_skip and any(w in clause_around(norm, m.start(), m.end()) for w in clause_skip):
                continue
            return [finding("substandard_spec", f"商品自述{cfg.get('what', '')}（依据 {cfg.get('rule', '')}）", text, m.group(0))]
    return []


def minimum_findings(text: str, category: str, facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec findings of `rated_minimums` and `denied_protection` (see the module docstring)."""
    norm = normalized(text)
    found: list[Finding] = []
    for cfg in (facts.get("rated_minimums") or {}).values():
        if _applies(norm, category, cfg):
            found += _below(text, norm, cfg)
    for cfg in (facts.get("denied_protection") or {}).values():
        if _applies(norm, category, cfg):
            found += _denied(text, norm, cfg)
    return found


def edition_findings(text: str, category: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """Findings of `edition_values`, each of its rule's `reason` (see the module docstring)."""
    rules = facts.get("edition_values") or {}
    if not rules:
        return []
    norm = normalized(text)
    found: list[Finding] = []
    for cfg in rules.values():
        edition = str(cfg.get("edition", ""))
        if not _applies(norm, category, cfg) or not any(str(s).startswith(edition) for s in specs.get("standards") or []):
            continue
        lo, hi, unit = float(cfg["min"]), float(cfg["max"]), cfg.get("unit", "")
        for value, m in _stated(norm, cfg):
            if value < lo - 1e-9 or value > hi + 1e-9:
                found.append(finding(str(cfg.get("reason", "spec_mismatch")), f"商品引用 {cfg.get('cited', edition)}，该版要求{cfg.get('what', m.group(1))}"
                                     f" {cfg.get('range', f'{_fmt(lo)}～{_fmt(hi)} {unit}')}，商品却标称 {_fmt(value)} {unit}"
                                     f"（依据 {cfg.get('rule', '')}）", text, m.group(0)))
                break
    return found
