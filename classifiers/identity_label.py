"""Fire-product identity label codes (消防产品身份信息标志, GA 846-2009).

`label_findings(fields)` returns `(source, Finding)` pairs with code `invalid_certificate` for a code
cited after a label cue (身份信息标志, A签, 明码 ...) that cannot be a label's public code: the code is
14 characters, 5 digits + 2 letters + 5 digits + 2 letters (00000AA00016AA), and the paired A and B
labels carry the same one, so an A label and a B label cited with different codes are flagged too.
The form comes from `data/certificates.yaml` (`identity_label`). A well-formed code proves nothing:
only the fire-product flow information system can say whether it was issued.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from firewatch.core.text import normalize

from .datafiles import load_yaml
from .specs import Finding, normalized

CERTIFICATES_PATH = Path(__file__).parent / "data" / "certificates.yaml"
# the value after a cue: letters and digits, optionally split by dashes, 6..24 long (a space ends it)
_VALUE = r"\s*(?:明码|编码|号码|码|号)?\s*(?:[:：]|为|是)?\s*((?:[0-9a-z]-?){5,23}[0-9a-z])(?![0-9a-z])"

__all__ = ["label_findings", "Labels", "load_labels"]


class Labels:
    """The label facts, compiled once."""

    def __init__(self, data: dict[str, Any]) -> None:
        cfg = data.get("identity_label", {})
        self.enforce = bool(cfg.get("enforce", cfg.get("verified", False)))
        self.form = re.compile(str(cfg.get("pattern", r"\d{5}[A-Z]{2}\d{5}[A-Z]{2}")))
        self.length = int(cfg.get("length", 14))
        self.standard = str(cfg.get("standard", "GA 846-2009"))
        self.source = str(cfg.get("source", ""))
        cues = sorted((normalize(c) for c in cfg.get("cues", [])), key=len, reverse=True)
        self.quick = tuple(cues)
        # literals of which every cue holds one, as written (no case or width folding needed)
        self.gates = tuple(g for g in ("身份", "签", "明码", "编码") if any(g in c for c in cues))
        if any(not any(g in c for g in self.gates) for c in cues):
            self.gates = ("",)  # a cue outside the gates: test every field
        self.gate = re.compile("|".join(map(re.escape, self.gates)))
        self.cue_re = re.compile("(" + "|".join(map(re.escape, cues)) + ")" + _VALUE) if cues else None


@lru_cache(maxsize=4)
def _load(path: str) -> Labels:
    return Labels(load_yaml(path))


def load_labels(path: str | Path = CERTIFICATES_PATH) -> Labels:
    return _load(str(path))


def _rule(labels: Labels) -> str:
    return (f"{labels.standard} 规定身份信息标志的明码为 {labels.length} 位：5 位数字+2 位字母+5 位数字+2 位字母"
            f"（如 00000AA00016AA），A、B 签明码一致")


def label_findings(fields: Iterable[tuple[str, str]], labels: Labels | None = None) -> list[tuple[str, Finding]]:
    """invalid_certificate for impossible identity-label codes, as (field source, Finding)."""
    labels = labels or load_labels()
    if not labels.enforce or labels.cue_re is None:
        return []
    seen: dict[str, tuple[str, str, tuple[int, int]]] = {}  # "a"/"b" -> (source, code, span)
    for source, text in fields:
        if labels.gate.search(text) is None:  # most fields name no label: no normalising
            continue
        norm = normalized(text)
        if not any(c in norm for c in labels.quick):
            continue
        for m in labels.cue_re.finditer(norm):
            raw = text[m.start(2):m.end(2)]
            code = m.group(2).replace("-", "").upper()  # the normalised slice: full-width folded
            if not any(ch.isdigit() for ch in code):
                continue  # a word after the cue, not a code
            span = (m.start(2), m.end(2))
            if not labels.form.fullmatch(code):
                why = (f"为 {len(code)} 位" if len(code) != labels.length else "各位的数字、字母排列不符")
                return [(source, Finding("invalid_certificate",
                                         f"消防产品身份信息标志明码“{raw}”{why}：{_rule(labels)}（来源：{labels.source}）",
                                         span))]
            cue = m.group(1)
            side = {"a签": "a", "b签": "b"}.get(cue, "")  # "ab签" names both
            if side:
                seen.setdefault(side, (source, code, span))
    if "a" in seen and "b" in seen and seen["a"][1] != seen["b"][1]:
        source, code, span = seen["b"]
        return [(source, Finding("invalid_certificate",
                                 f"A 签明码 {seen['a'][1]} 与 B 签明码 {code} 不一致：{_rule(labels)}"
                                 f"（编号格式正确本身不能证明标志为真，须在消防产品流向信息系统查询）", span))]
    return []
