"""Measured below nominal: a value the listing itself gives as the real or measured one (实际装粉约2.5kg, 长度实际18米,
买家实测40分钟) below its own nominal value of the same quantity (the model code's fill or length, else the one other
mass or length stated; the declared emergency duration; the one conductor section).

Contract: `measured_findings(text, category, specs, facts)` returns one `substandard_spec` `Finding`
(`data/specs.yaml` `measured_below`: its `reason`), and under `also_mismatch` a `spec_mismatch` one for the same pair,
for one text (a field, or the listing's fields joined) when a quantity of the category is stated after a measured cue
(`cues`, within `window` characters of its clause) below the text's one nominal value by more than the tolerance (a
dry-powder fill: the extinguisher fill tolerance of its size). `measured_values(text, quantity, facts)` is the set of
such values a text states, for the spec_mismatch rules comparing the same quantity: they leave a measured value below
the nominal to this rule (`leaves_to_measured`), so a pair is reported once.
A measured value at or above the nominal contradicts nothing, a clause of other goods (别家标4kg实际2kg,
`skip_clause_words`) says nothing of this one; a rule switched off reports nothing.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable

from .specs import Finding, clause_around, finding, normalized, parse_specs


def _cfg(facts: dict[str, Any]) -> dict[str, Any]:
    return facts.get("measured_below") or {}


@functools.lru_cache(maxsize=16)
def _measured_re(cues: tuple[str, ...], units: tuple[str, ...], window: int) -> re.Pattern[str]:
    cue = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
    unit = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"(?:{cue})[^，,。;；!！?？\n\d]{{0,{window}}}?(?:约)?\s*(\d{{1,4}}(?:\.\d{{1,2}})?)\s*({unit})"
                      rf"(?![a-z\d²])(?!\s*[-~～至到/]\s*\d)")


def _units(q: dict[str, Any]) -> dict[str, float]:
    return {normalized(str(k)): float(v) for k, v in (q.get("units") or {}).items()}


def _stated(norm: str, q: dict[str, Any], cfg: dict[str, Any]) -> list[tuple[float, str]]:
    """(value in the quantity's unit, the matched text) of each measured statement of the quantity."""
    units = _units(q)
    cues = tuple(normalized(str(c)) for c in cfg.get("cues") or ())
    if not units or not cues or not any(c in norm for c in cues):
        return []
    pattern = _measured_re(cues, tuple(units), int(cfg.get("window", 8)))
    skip = tuple(normalized(str(w)) for w in cfg.get("skip_clause_words") or ())
    return [(float(m.group(1)) * units[m.group(2)], m.group(0)) for m in pattern.finditer(norm)
            if not (skip and any(w in clause_around(norm, m.start(), m.end()) for w in skip))]


def measured_values(text: str, quantity: str, facts: dict[str, Any]) -> set[float]:
    """The values `text` states as measured for `quantity` (fill, hose_length, emergency, section)."""
    cfg = _cfg(facts)
    q = (cfg.get("quantities") or {}).get(quantity)
    if not cfg.get("enforce") or not q:
        return set()
    return {v for v, _ in _stated(normalized(text), q, cfg)}


def leaves_to_measured(facts: dict[str, Any]) -> bool:
    """Whether the spec_mismatch rules leave a measured value below the nominal to this rule: whenever it is
    on, since it reports the contradiction itself under `also_mismatch`."""
    return bool(_cfg(facts).get("enforce"))


def _one(values: set[float]) -> float | None:
    return next(iter(values)) if len(values) == 1 else None


def _nominal(quantity: str, specs: dict[str, Any], measured: set[float]) -> float | None:
    """The text's one nominal value of `quantity`, none of the measured ones."""
    if quantity == "fill":  # the model code's amount, else the one other mass the text states (灭火器4kg)
        coded = {float(c["amount"]) for c in specs.get("extinguisher_codes") or [] if c.get("unit") == "kg"}
        return _one(coded) if coded else _one({float(w) for w in specs.get("weights_kg") or []} - measured)
    if quantity == "hose_length":  # the model code's length, else the one other length (标20米)
        coded = {float(h["length_m"]) for h in specs.get("hoses") or []}
        return _one(coded) if coded else _one({float(v) for v in specs.get("lengths_m") or []} - measured)
    if quantity == "emergency":
        minutes, roles = specs.get("emergency_minutes") or [], specs.get("emergency_roles") or []
        declared = {float(v) for i, v in enumerate(minutes) if (roles[i] if i < len(roles) else "declared") == "declared"}
        return _one(declared - measured)
    if quantity == "section":
        sizes = {float(c["section_mm2"]) for c in specs.get("cables") or [] if c.get("section_mm2")}
        for c in specs.get("conductors") or []:
            sizes |= {float(s) for s in c.get("sections_mm2") or [c.get("section_mm2")] if s}
        sizes |= {float(s) for s in specs.get("sections_mm2") or []}
        return _one(sizes - measured)
    return None


def _tolerance(quantity: str, nominal: float, q: dict[str, Any], cfg: dict[str, Any], facts: dict[str, Any]) -> float:
    if q.get("tolerance_from") == "extinguisher.fill_tolerance":
        table = (facts.get("extinguisher") or {}).get("fill_tolerance") or {}
        key = "<=1" if nominal <= 1 else "1-3" if nominal <= 3 else ">3"
        if key in table:
            return float(table[key])
    return float(q.get("tolerance", cfg.get("tolerance", 0.03)))


def measured_findings(text: str, category: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """The measured-below-nominal finding of `text` (see the module docstring)."""
    cfg = _cfg(facts)
    if not cfg.get("enforce"):
        return []
    norm = normalized(text)
    for quantity, q in (cfg.get("quantities") or {}).items():
        if category not in (q.get("categories") or ()):
            continue
        stated = _stated(norm, q, cfg)
        nominal = _nominal(quantity, specs, {v for v, _ in stated}) if stated else None
        if nominal is None:
            continue
        least = nominal * (1 - _tolerance(quantity, nominal, q, cfg, facts))
        for value, said in stated:
            if value < least - 1e-9:
                unit = q.get("unit", "")
                reason = str(cfg.get("reason", "substandard_spec"))
                found = [finding(reason, f"{q.get('name', quantity)}标称 {nominal:g} {unit}，商品自述实际/实测只有 "
                                         f"{value:g} {unit}（{q.get('rule', '')}）", text, said)]
                if cfg.get("also_mismatch") and reason != "spec_mismatch":
                    found.append(finding("spec_mismatch", f"{q.get('name', quantity)}标称 {nominal:g} {unit}，同一商品又自述"
                                                          f"实际/实测 {value:g} {unit}，前后矛盾", text, said))
                return found
    return []


def flags_joined(texts: Iterable[str], category: str, facts: dict[str, Any]) -> bool:
    """Whether this rule flags `texts` read together (a listing's fields, or two fields a mismatch rule compares):
    the nominal a measured value is judged against may stand in another field (a model code in the title)."""
    joined = " ".join(texts)
    return bool(measured_findings(joined, category, parse_specs(joined, facts), facts))
