"""Battery life: an alarm's battery life the listing states beyond what the battery it names can hold.

Contract: `battery_life_findings(text, category, facts)` returns one `spec_mismatch` `Finding` (taxonomy.md: "the
model code or specification contradicts itself") or nothing, for one text (a field, or the listing's title and
attributes joined). It reports when the rule `data/specs.yaml` `smoke_alarm.battery_life` is on, the category is one
of its `categories`, the text names a battery of one of its `chemistries` (9V碳性电池, 碱性电池) and a battery life
(`life_nouns`: 电池寿命10年, 续航十年) above `max_years`. A chemistry word denied or compared (非碳性, 不用碳性电池,
比碱性电池耐用) or in a clause of other goods (`skip_clause_words`: 普通碳性电池只能用一年) names no battery of this
product; a text naming a lithium battery too (锂电池) is the battery-type contradiction's (word families), not this
rule's. The figure is as commonly quoted (ten-year alarms use sealed lithium cells), unverified, behind its switch.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from firewatch.core.text import normalize

from .specs import Finding, clause_around, cn_number, finding, normalized

_NEGATED_BEFORE = re.compile(r"(?:非|不是|不用|不含|无|没有|告别|拒绝|替代|代替|取代|比|而非|并非|不像)\s*(?:9v|6f22|aa|aaa|\d?号)?\s*$")


@functools.lru_cache(maxsize=8)
def _life_re(nouns: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"(?:{alt})\s*[:：为是约达可]{{0,3}}\s*(\d{{1,2}}(?:\.\d)?|[一二两三四五六七八九十]{{1,3}})\s*(?:个)?\s*年")


def battery_life_findings(text: str, category: str, facts: dict[str, Any]) -> list[Finding]:
    """The spec_mismatch finding described in the module docstring, else []."""
    cfg = (facts.get("smoke_alarm") or {}).get("battery_life") or {}
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()) or "年" not in text:
        return []
    norm = normalized(text)
    if any(normalize(str(w)) in norm for w in cfg.get("lithium_words") or ()):
        return []
    skip = tuple(normalize(str(w)) for w in cfg.get("skip_clause_words") or ())
    chemistry = None
    for word, name in (cfg.get("chemistries") or {}).items():
        w = normalize(str(word))
        for m in re.finditer(re.escape(w), norm):
            if _NEGATED_BEFORE.search(norm, max(0, m.start() - 8), m.start()):
                continue
            if skip and any(s in clause_around(norm, m.start(), m.end()) for s in skip):
                continue
            chemistry = (name, m)
            break
        if chemistry:
            break
    if chemistry is None:
        return []
    most = float(cfg.get("max_years", 5))
    for m in _life_re(tuple(normalize(str(n)) for n in cfg.get("life_nouns") or ())).finditer(norm):
        years = cn_number(m.group(1))
        if years is None or years <= most:
            continue
        if skip and any(s in clause_around(norm, m.start(), m.end()) for s in skip):
            continue
        return [finding("spec_mismatch", f"商品标明使用{chemistry[0]}，却称电池寿命 {years:g} 年：可更换的{chemistry[0]}"
                        f"在报警器中用不到 {most:g} 年（十年长效报警器用密封锂电池；通常引用，未经核实）",
                        text, m.group(0))]
    return []
