"""Executed standard: the standard a listing names as its product's own (执行标准) when the project knows no such
standard, for a product whose own standard it knows.

Contract: `unknown_executed_standard(text, norm, category, cited, base, table, on, cfg)` returns one
`substandard_spec` `Finding` (taxonomy.md: "an outdated or wrong standard") or None, for one text (a field). It
reports when the rule is on (`data/specs.yaml` `executed_standard.enforce`), the category is one of its
`categories` (products whose standard domain.md's product reference names, one product standard each), the text
names none of the category's own standards (nor of a related family, nor of `also_known`), and a standard it names
right after a cue (`cues`: 执行标准 GA 209-1999, 产品标准GB 2890-2009) is in no row of the standards table
(`base`: the table's base numbers and their products). A clause speaking of another or a former standard
(`skip_clause_words`: 代替GA 209-1999) is not read. A standard the table knows for another product is the
wrong-standard rule's (spec_checks), a withdrawn or older edition the edition rules'.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from firewatch.core.labels import category_name
from firewatch.core.text import normalize

from .specs import Finding, clause_around, finding

_CLAUSE_ENDS = "，,。;；!！?？\n"


def _base(number: str) -> str:
    return str(number).split("-")[0].split(".")[0]


def _own_standards(category: str, table: list[dict[str, Any]], on: date) -> list[str]:
    """The category's standards in force on `on` (no withdrawal by then, in force by then), as cited."""
    out = []
    for e in table:
        products = e.get("product")
        if category not in (products if isinstance(products, list) else [products]):
            continue
        if e.get("withdrawn_on") and on >= date.fromisoformat(str(e["withdrawn_on"])):
            continue
        if e.get("in_force_from") and on < date.fromisoformat(str(e["in_force_from"])):
            continue
        if str(e.get("source", "")).startswith("unverified"):
            continue
        out.append(f"{e.get('scheme', 'GB')} {e['number']}")
    return out


def _after_cue(norm: str, start: int, cues: tuple[str, ...], window: int) -> bool:
    """A cue ends at most `window` characters before `start`, nothing but the cue's punctuation between."""
    before = norm[max(0, start - window - max((len(c) for c in cues), default=0)):start]
    for cue in cues:
        i = before.rfind(cue)
        if i >= 0:
            gap = before[i + len(cue):]
            if len(gap) <= window and not any(c in gap for c in _CLAUSE_ENDS):
                return True
    return False


def unknown_executed_standard(text: str, norm: str, category: str, cited: list[dict[str, Any]],
                              base: dict[str, set], table: list[dict[str, Any]], on: date,
                              cfg: dict[str, Any], related: set) -> Finding | None:
    """The finding on a named 执行标准 the table does not know (see the module docstring), else None."""
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()) or not cited:
        return None
    also = {str(n) for n in (cfg.get("also_known") or {}).get(category, ())}
    if any(related & base.get(_base(s["number"]), set()) or _base(s["number"]) in also for s in cited):
        return None  # the product's own standard is named too
    cues = tuple(normalize(str(c)) for c in cfg.get("cues") or ())
    skip = tuple(normalize(str(w)) for w in cfg.get("skip_clause_words") or ())
    window = int(cfg.get("window", 6))
    for s in cited:
        if _base(s["number"]) in base or _base(s["number"]) in also:
            continue
        start = norm.find(s["text"])
        if start < 0 or not _after_cue(norm, start, cues, window):
            continue
        if skip and any(w in clause_around(norm, start, start + len(s["text"])) for w in skip):
            continue
        own = _own_standards(category, table, on)
        now = f"（{category_name(category)}的产品标准为 {'、'.join(own)}）" if own else ""
        return finding("substandard_spec", f"执行标准 {s['id']} 不是{category_name(category)}的产品标准{now}，"
                       f"也不是本系统标准表中任何消防产品的标准", text, s["text"])
    return None
