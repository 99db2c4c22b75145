"""Conductor size: a solid wire's stated conductor diameter too thin for the section it is sold as.

Contract: `conductor_size_findings(text, category, specs, facts)` returns one `substandard_spec` `Finding` or none,
for one text (a field, or the listing's fields joined) of a cable category. It reports when the rule
`data/specs.yaml` `cable.conductor_diameter` is on, the text states one nominal section (ZR-BV 2.5, 2.5平方) and
cable codes of its `solid_types` only (BV, BYJ: one round solid conductor), and a conductor diameter named so
(导体直径 1.6mm, 线芯直径：1.6毫米) whose round area (π d² / 4) is below `min_ratio` of that section (1.6 mm is about
2.0 mm², short of 2.5 mm²). A strand's diameter (单丝直径, 每根, 股) or the cable's overall one (外径) is not read;
a flexible (stranded) type is not judged. The geometry is exact; the ratio leaves room for rounding and is a
judgement, unverified, behind the switch.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .spec_limits import _one_section
from .specs import Finding, finding, normalized

# 导体直径1.6mm, 线芯直径：1.6毫米, 铜芯直径 1.6mm, 线径1.6mm (not 外径, not a strand's 单丝直径)
_DIAMETER_RE = re.compile(r"(?<!外)(?:导体|线芯|铜芯|芯线|导线)?(?:直径|线径)\s*[:：为约≈]?\s*(\d(?:\.\d{1,2})?)\s*(?:mm|毫米)(?![a-z²\d])")
# words right before the diameter naming another one: a strand's, the insulation's, the finished cable's
_STRAND_WORDS = ("单丝", "单线", "每根", "单根", "股", "绝缘", "护套", "外", "成品", "电缆", "整体")
_BEFORE = 6  # characters before a diameter searched for those words


def conductor_size_findings(text: str, category: str, specs: dict[str, Any], facts: dict[str, Any]) -> list[Finding]:
    """The finding of the module docstring, as a list (empty when the rule finds nothing)."""
    cfg = (facts.get("cable") or {}).get("conductor_diameter") or {}
    if not cfg.get("enforce") or category not in (cfg.get("categories") or ()):
        return []
    norm = normalized(text)
    if "径" not in norm:
        return []
    one = _one_section(specs)
    if one is None:
        return []
    section, cables = one
    solid = {str(t).upper() for t in cfg.get("solid_types") or ()}
    if not cables or not {c["type"] for c in cables} <= solid:
        return []
    diameters = {}
    for m in _DIAMETER_RE.finditer(norm):
        if any(w in norm[max(0, m.start() - _BEFORE):m.start()] for w in _STRAND_WORDS):
            continue
        diameters.setdefault(float(m.group(1)), m.group(0))
    if len(diameters) != 1:
        return []
    (d, needle), = diameters.items()
    area = math.pi * d * d / 4
    if area >= float(cfg.get("min_ratio", 0.9)) * section - 1e-9:
        return []
    return [finding("substandard_spec", f"{cables[0]['code']} 标称 {section:g} mm²，导体直径 {d:g} mm 只合约 "
                    f"{area:.2f} mm²（πd²/4），导体截面不足", text, needle)]
