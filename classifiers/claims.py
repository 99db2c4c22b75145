"""Claims a listing's own fields take back: what the title claims and the table or text denies.

`claim_mismatches(fields, category, facts)` returns `spec_mismatch` findings, each with the field
it lies in, for three ways sellers contradict themselves (facts: `data/specs.yaml`, section `claims`):

- what a detector detects: a smoke alarm whose detection attribute names heat alone (探测方式：感温),
  a gas detector whose title names one gas and whose 检测气体 attribute another (天然气 / 一氧化碳);
- a feature the title claims and an attribute denies (title 含面罩, attribute 面罩：无);
- an "actual" value the seller admits below the one stated of the same quantity (电机功率15kW …
  实配电机7.5千瓦; 铭牌功率 22kW, 实际电机 15kW; not 实际安装只需5分钟 against 应急时间 90分钟).

`fields` are (source, text) pairs as `RiskRules.fields` gives them (attributes as "K V").
"""

from __future__ import annotations

import functools
import re
from typing import Any

from firewatch.core.text import normalize

from .specs import Finding, attribute_key, snippet

_NUMBER = r"(\d+(?:\.\d+)?)"
# a value's unit -> (what it measures, factor to that measure's base unit)
_UNITS = {"kw": ("power", 1.0), "千瓦": ("power", 1.0), "小时": ("time", 60.0), "h": ("time", 60.0),
          "分钟": ("time", 1.0), "min": ("time", 1.0), "kg": ("mass", 1.0), "公斤": ("mass", 1.0),
          "千克": ("mass", 1.0), "米": ("length", 1.0), "m": ("length", 1.0), "mm": ("thickness", 1.0),
          "毫米": ("thickness", 1.0)}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_VALUE_RE = re.compile(_NUMBER + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])")
_MEASURE_NAMES = {"power": "功率", "time": "时间", "mass": "重量", "length": "长度", "thickness": "厚度"}
# the quantities a stated specification names, each by its nouns: an admitted value compares only with
# a stated value of the same quantity (实际应急时间 with 应急时间 90分钟, not 实际安装只需5分钟)
_QUANTITIES = {
    "power": ("功率", "电机", "马达", "电动机"),
    "duration": ("应急时间", "应急", "续航", "持续时间", "放电时间", "供电时间", "工作时间", "备用时间", "备电"),
    "spray": ("喷射时间", "喷射"),
    "length": ("长度", "米数"),
    "mass": ("重量", "净重", "毛重", "药剂", "干粉", "粉量", "装药量", "充装量", "灭火剂"),
    "thickness": ("厚度", "板厚", "钢板"),
}
# the measure each quantity is given in
_QUANTITY_MEASURE = {"power": "power", "duration": "time", "spray": "time", "length": "length", "mass": "mass",
                     "thickness": "thickness"}
# what ends the words naming a value: a clause's punctuation or another number
_NOUN_STOP = re.compile(r"[\d，,。;；!！?？、/|()（）]")


@functools.lru_cache(maxsize=16)
def _normalized(words: tuple[str, ...]) -> tuple[str, ...]:
    """A facts word list, normalised once."""
    return tuple(normalize(w) for w in words)


@functools.lru_cache(maxsize=4)
def _actual_re(cues: tuple[str, ...]) -> re.Pattern:
    """A cue saying what follows is the real value (实配, 实际), a few words, then a value with its unit."""
    alt = "|".join(sorted(map(re.escape, cues), key=len, reverse=True))
    return re.compile(r"(?:" + alt + r")[^\d，,。;；!！?？]{0,6}?" + _NUMBER + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])")


def _values(norm: str) -> list[tuple[str, float, int, int]]:
    """(measure, value in the measure's base unit, start, end) of every value with a unit in `norm`."""
    out = []
    for m in _VALUE_RE.finditer(norm):
        measure, factor = _UNITS[m.group(2)]
        out.append((measure, float(m.group(1)) * factor, m.start(), m.end()))
    return out


def _noun_before(norm: str, start: int, width: int = 8) -> str:
    """The words right before position `start` of `norm` up to a punctuation mark or a number:
    what the value there is said of (应急时间 in 应急时间90分钟)."""
    before = norm[max(0, start - width):start]
    cut = [m.end() for m in _NOUN_STOP.finditer(before)]
    return before[cut[-1]:] if cut else before


def _quantities(words: str) -> set[str]:
    """The quantities (_QUANTITIES) whose nouns occur in `words`."""
    return {q for q, nouns in _QUANTITIES.items() if any(n in words for n in nouns)}


def _same_quantity(admitted: str, measure: str, source: str, stated: str, cues: tuple[str, ...]) -> bool:
    """Whether an admitted value, said of `admitted` (the words around its cue), is the same quantity as
    a stated value said of `stated` in field `source`: a quantity both name, the attribute's own key, or
    a bare headline value of the title (泵 15kW) when the admitted one names a quantity of its measure."""
    said = _quantities(admitted)
    if said & _quantities(stated):
        return True
    if source == "title" and not _quantities(stated) and any(_QUANTITY_MEASURE[q] == measure for q in said):
        return True
    if source.startswith("attributes."):
        key = normalize(attribute_key(source.removeprefix("attributes.")))
        for c in cues:
            key = key.replace(c, "")
        return len(key) >= 2 and key in admitted
    return False


def _actual_below_stated(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """An admitted real value (实配电机7.5千瓦) below a value of the same measure the listing states
    elsewhere (15kW) by more than the tolerance: the stated specification is not the product's."""
    if not cfg.get("enforce"):
        return []
    cues = _normalized(tuple(cfg.get("cues", [])))
    if not any(c in text for _, text in fields for c in cues):
        return []  # most listings admit nothing: no field is normalised
    rx = _actual_re(cues)
    tol = float(cfg.get("tolerance", 0.1))
    normed = [(source, text, normalize(text)) for source, text in fields]
    for source, text, norm in normed:
        for m in rx.finditer(norm):
            measure, factor = _UNITS[m.group(2)]
            actual = float(m.group(1)) * factor
            # what the admitted value is said of: the words between the cue and the value (实际应急时间,
            # 实配电机) and those right before the cue (长度实际只有)
            admitted = _noun_before(norm, m.start(), 4) + norm[m.start():m.start(1)]
            stated = [(v, s, t, a, b) for s, t, n in normed for measure2, v, a, b in _values(n)
                      if measure2 == measure and not (s == source and a >= m.start() and b <= m.end())
                      and _same_quantity(admitted, measure, s, _noun_before(n, a), cues)]
            higher = [x for x in stated if actual < x[0] * (1 - tol)]
            if higher:
                v, s, t, a, b = max(higher, key=lambda x: x[0])
                said = t[a:b] if len(t) == len(normalize(t)) else normalize(t)[a:b]
                real = text[m.start(1):m.end()] if len(text) == len(norm) else norm[m.start(1):m.end()]
                return [(source, Finding(
                    "spec_mismatch", f"标称 {said}，商品却自称实际为 {real}（实际{_MEASURE_NAMES[measure]}低于标称）："
                    f"{snippet(text, m.group(0))}", (m.start(), m.end())))]
    return []


@functools.lru_cache(maxsize=256)
def _word_re(word: str) -> re.Pattern:
    """A group word as an expression: a bare Latin code (co, lpg) only as a word of its own, not
    inside another (eco, co2)."""
    nw = normalize(word)
    return re.compile(rf"(?<![a-z]){re.escape(nw)}(?![a-z0-9])" if nw.isascii() else re.escape(nw))


# a detected thing denied (不可检测甲烷, 不能检测天然气, 无法探测烟雾): the product does not claim it
_DENIED_BEFORE = re.compile(r"(?:不可|不能|无法|不会|不支持|不适用于?|非|不|除)(?:检测|探测|测|用于|报警)?\s*$")


def _words_in(norm: str, groups: dict[str, list[str]], denials: bool = False) -> set[str]:
    """The groups (smoke, heat; methane, co ...) whose words occur in `norm`, the longest word read
    first: a shorter word inside a longer one's match (煤气 in 人工煤气) does not count again;
    `denials`: a word the text denies (不可检测甲烷) is not counted."""
    taken: list[tuple[int, int]] = []
    found = set()
    for word, group in sorted(((w, g) for g, ws in groups.items() for w in ws), key=lambda x: -len(normalize(x[0]))):
        for m in _word_re(word).finditer(norm):
            if not any(m.start() < b and a < m.end() for a, b in taken):
                taken.append((m.start(), m.end()))
                if denials and _DENIED_BEFORE.search(norm, max(0, m.start() - 6), m.start()):
                    continue
                found.add(group)
    return found


def _agree(claimed: set[str], stated: set[str], covers: dict[str, list[str]]) -> bool:
    """Whether the title's groups and the table's share one, a general group (煤气: any fuel gas)
    agreeing with each group it covers."""
    return bool(claimed & stated) or any(s in covers.get(c, ()) or c in covers.get(s, ())
                                         for c in claimed for s in stated)


def _detection(fields: list[tuple[str, str]], category: str, cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """A detector's table naming what it detects against the title: a smoke alarm's detection
    attribute without smoke (感温 alone), a gas detector's gases none of the title's."""
    rule = (cfg or {}).get(category)
    if not rule or not rule.get("enforce"):
        return []
    groups = rule["groups"]
    keys = {normalize(k) for k in rule.get("attribute_keys", [])}
    # what the title claims, then what the description claims (a title naming two gases agrees with
    # any table; its description saying 天然气甲烷专用款 against 检测气体：丙烷 still contradicts it)
    for claimant in ("title", "description"):
        text = next((t for s, t in fields if s == claimant), "")
        claimed = _words_in(normalize(text), groups, denials=True) if text else set()
        if claimed:
            found = _detection_against(fields, rule, groups, keys, claimed, claimant)
            if found:
                return found
    return []


def _detection_against(fields: list[tuple[str, str]], rule: dict[str, Any], groups: dict[str, list[str]], keys: set,
                       claimed: set[str], claimant: str) -> list[tuple[str, Finding]]:
    """The first detection attribute that does not state what `claimant` (title or description) claims."""
    for source, text in fields:
        if not source.startswith("attributes."):
            continue
        raw_key = source.removeprefix("attributes.")
        if attribute_key(raw_key) not in keys:
            continue
        value = text[len(raw_key):].strip()
        stated = _words_in(normalize(value), groups)
        if not stated:
            continue
        must = set(rule.get("must_state", []))
        # a smoke alarm must detect smoke: its table must say so when the title does
        missing = (claimed & must) - stated if must else \
            (set() if _agree(claimed, stated, rule.get("covers", {})) else claimed)
        if missing:
            names = rule.get("names", {})
            said = "、".join(names.get(g, g) for g in sorted(claimed))
            start = text.find(value, len(raw_key))
            who = "标题" if claimant == "title" else "描述"
            return [(source, Finding("spec_mismatch", f"{who}称检测{said}，“{raw_key}”却写“{value[:30]}”",
                                     (start, start + len(value))))]
    return []


# the title's own words saying a feature is absent or sold apart, before it (无需电池, 不带面罩, 免布线)
# or after it (电池另购, 电池需自备, 面罩不含): such a title agrees with a table saying 无 / 不含
_DENIAL_PREFIX = re.compile(r"(?:无需|无须|不需要?|不用|没有|不带|不含|无|不|非|免|未)(?:配|带|装|含|用|需|要)?\s*$")
_DENIAL_SUFFIX = re.compile(r"^\s*(?:需|须|要|请|需要)?\s*(?:另购|另配|另售|另外购买|不含|不带|自备|除外|选配|单独购买)")
_DENIAL_WINDOW = 4


def _feature_denied(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """An attribute denying a feature (面罩：无, 耐火：否) the title claims (含面罩, 耐火电缆)."""
    if not cfg.get("enforce"):
        return []
    none_values = frozenset(_normalized(tuple(cfg.get("none_values", []))))
    skip = frozenset(_normalized(tuple(cfg.get("skip_keys", []))))
    title = next((t for s, t in fields if s == "title"), "")
    norm_title = normalize(title)
    for source, text in fields:
        if not source.startswith("attributes."):
            continue
        raw_key = source.removeprefix("attributes.")
        key = attribute_key(raw_key)
        value = text[len(raw_key):].strip()
        if len(key) < int(cfg.get("min_key_chars", 2)) or key in skip or normalize(value) not in none_values:
            continue
        for m in re.finditer(re.escape(key), norm_title):
            if not (_DENIAL_PREFIX.search(norm_title[max(0, m.start() - _DENIAL_WINDOW):m.start()])
                    or _DENIAL_SUFFIX.search(norm_title[m.end():m.end() + _DENIAL_WINDOW + 2])):
                start = text.find(value, len(raw_key))
                return [(source, Finding("spec_mismatch", f"标题写“{snippet(title, key, 6)}”，"
                                         f"属性却写“{raw_key}：{value}”", (start, start + len(value))))]
    return []


def claim_mismatches(fields: list[tuple[str, str]], category: str, facts: dict[str, Any]) -> list[tuple[str, Finding]]:
    """(source field, spec_mismatch finding) for the first claim the listing takes back, or []."""
    if category == "not_fire":
        return []
    cfg = facts.get("claims", {})
    return (_detection(fields, category, cfg.get("detection", {}))
            or _feature_denied(fields, cfg.get("feature_denied", {}))
            or _actual_below_stated(fields, cfg.get("actual_value", {})))

