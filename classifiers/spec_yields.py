"""Spec findings the whole listing accounts for otherwise (data/specs.yaml `spec_yields`).

`spec_yields(reasons, fields, category, facts)` returns `reasons` (the rule `Reason`s of one listing, before one is
kept per code) without those another finding of the same listing explains:
- a prop's specifications (道具, 外观同款, 4kg外观) describe what it imitates, not goods sold to work: the codes of
  `prop.yields` (spec_mismatch) give way to prop_or_display;
- an escape respirator's time above the longest rating (防护时间 60分钟) in a field naming no model code, where another
  field names one TZL code (TZL30) and the listing reports spec_mismatch: the time contradicts that code (the
  contradiction is the finding), it is not a second one (`respirator_over_code`).
Each part is a switch.
"""

from __future__ import annotations

from typing import Any

from firewatch.core.models import Reason

from .spec_checks import respirator_over
from .specs import parse_specs


def _prop(reasons: list[Reason], cfg: dict[str, Any]) -> list[Reason]:
    if not cfg.get("enforce") or not any(r.code == cfg.get("to", "prop_or_display") for r in reasons):
        return reasons
    gone = set(cfg.get("yields") or ())
    return [r for r in reasons if r.code not in gone]


def _respirator_over_code(reasons: list[Reason], fields: list[tuple[str, str]], category: str,
                          facts: dict[str, Any]) -> list[Reason]:
    if category != "escape_respirator" or not any(r.code == "spec_mismatch" for r in reasons) \
            or not any(r.code == "substandard_spec" for r in reasons):
        return reasons
    allowed = set(facts["respirator"]["rated_minutes"])
    codes = set(parse_specs(" ".join(t for _, t in fields), facts).get("tzl_minutes") or [])
    if len(codes) != 1 or not codes <= allowed:
        return reasons
    texts = dict(fields)
    kept = []
    for r in reasons:
        if r.code == "substandard_spec" and r.source in texts:
            text = texts[r.source]
            over = respirator_over(text, parse_specs(text, facts), facts)
            if over is not None and over.evidence == r.evidence:
                continue
        kept.append(r)
    return kept


def spec_yields(reasons: list[Reason], fields: list[tuple[str, str]], category: str,
                facts: dict[str, Any]) -> list[Reason]:
    """`reasons` less the spec findings the listing's other findings account for (module docstring)."""
    cfg = facts.get("spec_yields") or {}
    if not cfg or not reasons:
        return reasons
    reasons = _prop(reasons, cfg.get("prop") or {})
    if (cfg.get("respirator_over_code") or {}).get("enforce"):
        reasons = _respirator_over_code(reasons, fields, category, facts)
    return reasons
