"""Limit checks: a stated measured quantity outside the standard's limit for the stated size.

Contract: `limit_findings(text, category, specs, facts)` returns `substandard_spec` `Finding`s (first per
rule) for one text (a field, or the listing's fields joined), read with its parsed `specs` and the facts
of `data/specs.yaml`; it is called by `spec_checks.check_specs` outside its mismatch-only mode and reports
nothing for a rule whose facts are missing or switched off (`enforce: false`). Rules: a PVC single-core
wire's insulation thinner than its section's nominal thickness (GB/T 5023.3, `cable.insulation_thickness`);
a copper conductor's stated resistance above its section's maximum (GB/T 3956, `cable.conductor_resistance`);
a residual-current detector's alarm setting outside the standard's range (GB 14287.2,
`electrical_fire_detector.residual_current_ma`). Only values the text ties to the quantity by its name
(绝缘厚度, 导体电阻, 报警设定值) are read, and a cable only when it states one conductor section.
"""

from __future__ import annotations

import re
from typing import Any

from .specs import Finding, finding, normalized

# 绝缘厚度0.5mm, 绝缘层厚度：0.6毫米, 绝缘层平均厚度 0.7mm (not 护套厚度)
_INSULATION_RE = re.compile(r"绝缘(?:层)?(?:平均|标称)?厚(?:度)?\s*[:：为约]?\s*(\d(?:\.\d{1,2})?)\s*(?:mm|毫米)(?![a-z0-9²])")
# 导体电阻 14.8Ω/km, 导体直流电阻：8.2欧/公里, 直流电阻≤7.9 mΩ/m (mΩ/m equals Ω/km): the conductor's own resistance,
# named so (not 绝缘电阻 20MΩ/km, nor a loop's 环路电阻); not a temperature other than 20 °C. Ω per km or mΩ per m
# only (text is lowercased: a mω per km could be mega- or milli-ohms, and is not read)
_RESISTANCE_RE = re.compile(r"(?:导体|导线|线芯|直流)(?:直流)?电阻(?:值)?\s*(?:\(20℃\)|（20℃）)?\s*[:：为约≤<]?\s*"
                            r"(\d{1,3}(?:\.\d{1,4})?)\s*(?:(?:ω|欧姆?)\s*/\s*(?:km|公里|千米)|mω\s*/\s*(?:m|米)(?![a-z]))")
_OTHER_TEMPERATURE_RE = re.compile(r"(?<![\d.])(?:[3-9]\d|1\d\d)\s*(?:℃|°c|度)")
# 报警值1500mA, 报警设定值：1.5A, 剩余电流报警值 1000mA, 动作值 30mA (a range, 100-1000mA可调, is not read; nor a
# setting of another current: 过流报警值 100A, 过载报警电流63A, _OTHER_CURRENT_RE)
_SETTING_RE = re.compile(r"(?:报警(?:设定|设置)?值|报警阈值|报警电流|动作(?:电流)?值|设定值)\s*[:：为]?\s*"
                         r"(\d{1,5}(?:\.\d{1,3})?)\s*(ma|a)(?![a-z])(?!\s*[-~～至到]\s*\d)")
_OTHER_CURRENT_RE = re.compile(r"(?:过流|过载|过电流|短路|温度|测温|额定)[^，,。;；:：\d]{0,4}$")
_ALUMINIUM_WORDS = ("铝芯", "铝导体", "铝合金导体", "铝线", "铜包铝", "铝合金电缆")


def _table(raw: dict[Any, Any] | None) -> dict[float, float]:
    return {float(k): float(v) for k, v in (raw or {}).items()}


def _one_section(specs: dict[str, Any]) -> tuple[float, list[dict[str, Any]]] | None:
    """The one conductor section a cable text states (ZC-BV 2.5, 2.5mm², 3*2.5), with its cable codes."""
    cables = list(specs.get("cables") or [])
    sizes = {float(c["section_mm2"]) for c in cables if c.get("section_mm2")}
    sizes |= {float(s) for s in specs.get("sections_mm2") or []}
    for c in specs.get("conductors") or []:
        sizes |= {float(s) for s in c.get("sections_mm2") or [c.get("section_mm2")] if s}
    return (next(iter(sizes)), cables) if len(sizes) == 1 else None


def _insulation(text: str, norm: str, specs: dict[str, Any], cfg: dict[str, Any]) -> list[Finding]:
    if not cfg.get("enforce"):
        return []
    m = _INSULATION_RE.search(norm)
    one = _one_section(specs) if m else None
    if not one:
        return []
    section, cables = one
    types = {str(t).upper() for t in cfg.get("types", [])}
    kinds = {c["type"] for c in cables}
    if len(kinds) != 1 or not kinds <= types:
        return []
    nominal = _table(cfg.get("nominal_mm")).get(section)
    stated = float(m.group(1))
    if nominal is None or stated + 1e-9 >= nominal:
        return []
    return [finding("substandard_spec", f"{cables[0]['code']} {section:g} mm² 的绝缘厚度规定值为 {nominal:g} mm，"
                    f"商品却标称 {stated:g} mm（{cfg.get('rule', 'GB/T 5023.3')}）", text, m.group(0))]


def _resistance(text: str, norm: str, specs: dict[str, Any], cfg: dict[str, Any]) -> list[Finding]:
    if not cfg.get("enforce"):
        return []
    m = _RESISTANCE_RE.search(norm)
    one = _one_section(specs) if m else None
    if not one or any(w in norm for w in _ALUMINIUM_WORDS) or _OTHER_TEMPERATURE_RE.search(norm):
        return []
    section, cables = one
    flexible = {str(t).upper() for t in cfg.get("flexible_types", [])}
    table = cfg.get("flexible") if any(c["type"] in flexible for c in cables) else cfg.get("solid_or_stranded")
    limit = _table(table).get(section)
    stated = float(m.group(1))
    if limit is None or stated <= limit + 1e-9:
        return []
    return [finding("substandard_spec", f"{section:g} mm² 铜导体 20℃ 直流电阻最大 {limit:g} Ω/km，商品却标称 "
                    f"{stated:g} Ω/km（导体不足，{cfg.get('rule', 'GB/T 3956')}）", text, m.group(0))]


def _residual_current(text: str, norm: str, cfg: dict[str, Any]) -> list[Finding]:
    if not cfg.get("enforce") or ("剩余电流" not in norm and "漏电" not in norm and "电气火灾" not in norm):
        return []
    lo, hi = float(cfg.get("min", 20)), float(cfg.get("max", 1000))
    for m in _SETTING_RE.finditer(norm):
        if _OTHER_CURRENT_RE.search(norm, max(0, m.start() - 6), m.start()):
            continue
        ma = float(m.group(1)) * (1000.0 if m.group(2) == "a" else 1.0)
        if ma < lo - 1e-9 or ma > hi + 1e-9:
            return [finding("substandard_spec", f"剩余电流式探测器的报警设定值应在 {lo:g}～{hi:g} mA 之间，商品却标称 "
                            f"{ma:g} mA（{cfg.get('rule', 'GB 14287.2-2014')}）", text, m.group(0))]
    return []


def limit_findings(text: str, category: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """substandard_spec findings of the limit rules that apply to `category` (see the module docstring)."""
    norm = normalized(text)
    found: list[Finding] = []
    if category in ("flame_retardant_cable", "fire_resistant_cable"):
        cable = facts.get("cable", {})
        found += _insulation(text, norm, specs, cable.get("insulation_thickness", {}))
        found += _resistance(text, norm, specs, cable.get("conductor_resistance", {}))
    if category == "electrical_fire_detector":
        found += _residual_current(text, norm, facts.get("electrical_fire_detector", {}).get("residual_current_ma", {}))
    return found
