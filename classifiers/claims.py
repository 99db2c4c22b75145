"""Claims a listing's own fields take back: what the title claims and the table or text denies.

`claim_mismatches(fields, category, facts)` returns `spec_mismatch` findings, each with the field
it lies in, for the ways sellers contradict themselves (facts: `data/specs.yaml`, section `claims`):

- what a detector detects: a smoke alarm whose detection attribute names heat alone (探测方式：感温),
  a gas detector whose title names one gas and whose 检测气体 attribute another (天然气 / 一氧化碳);
- a feature the title claims and an attribute denies (title 含面罩, attribute 面罩：无; a note after the denial,
  耐火：否(普通阻燃), and a key asking whether, 是否无卤：否, deny as well);
- the title's pack of several units against a count attribute of another number of them (3条装 / 数量：1条);
- an "actual" value the seller admits below the one stated of the same quantity (电机功率15kW …
  实配电机7.5千瓦; 铭牌功率 22kW, 实际电机 15kW; not 实际安装只需5分钟 against 应急时间 90分钟);
- the same quantity stated twice with values that differ (长度 25m / 描述 三十米; 有效期5年 / 3年; 2×5W / 2×3W),
  figures in Chinese numerals read as digits (四公斤, 一米五), a part above its whole (药剂 4kg, 总重 3kg) and two
  quantities of different kinds that state one thing (扬程 100m, 出口压力 0.5MPa): facts `claims.same_quantity`,
  checked in `same_quantity.py`;
- in livestream and chat voice, a seller's reply to a buyer's question (问：电池多大？答：八百毫安的) and a figure the goods
  are sold by (三公斤的, 这瓶是一升装的, 能撑十五分钟) state the product's value (`replies.py`), and an attribute denying a
  feature by name (不联网) takes back the title's claim (联网烟感);
- a set's piece count against its contents list (5件套 / 包装清单 of four), an alcohol-resistant foam said to be unfit
  for alcohols, a cable's length per roll stated twice, a wrong unit conversion (40L/s(约72m³/h)), the table's size
  against its area: facts `claims.set_pieces`, `foam_polar`, `roll_length`, `unit_conversion`, `size_area`, checked in
  `self_contradictions.py`.

`fields` are (source, text) pairs as `RiskRules.fields` gives them (attributes as "K V").
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator

from firewatch.core.text import normalize

from .replies import named_denial
from .replies import DENIAL_PREFIX as _DENIAL_PREFIX, DENIAL_SUFFIX as _DENIAL_SUFFIX, DENIAL_WINDOW as _DENIAL_WINDOW
from .numerals import cn_value
from .measured import flags_joined, leaves_to_measured, measured_values
from .same_quantity import same_quantity_twice
from .self_contradictions import self_contradictions
from .specs import NOT_PER_MEASURE, Finding, attribute_key, normalized, snippet, without_asides

_NUMBER = r"(\d+(?:\.\d+)?)"
# a value's unit -> (what it measures, factor to that measure's base unit)
_UNITS = {"kw": ("power", 1.0), "千瓦": ("power", 1.0), "小时": ("time", 60.0), "h": ("time", 60.0),
          "分钟": ("time", 1.0), "min": ("time", 1.0), "kg": ("mass", 1.0), "公斤": ("mass", 1.0),
          "千克": ("mass", 1.0), "米": ("length", 1.0), "m": ("length", 1.0), "mm": ("thickness", 1.0),
          "毫米": ("thickness", 1.0)}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
# a density or a rate (密度1150kg/m³) is not the mass it names (specs.NOT_PER_MEASURE)
_VALUE_RE = re.compile(_NUMBER + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])" + NOT_PER_MEASURE)
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
    return re.compile(r"(?:" + alt + r")[^\d，,。;；!！?？]{0,6}?" + _NUMBER + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])"
                      + NOT_PER_MEASURE)


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


def _left_to_measured(fields: list[tuple[str, str]], category: str, facts: dict[str, Any]) -> set[float]:
    """The measured values (base units: kg, m, minutes) measured.py judges in `category` when it flags the listing:
    a fill, hose length or emergency duration admitted below the nominal is its finding (substandard_spec, and the
    contradiction under measured_below.also_mismatch), not this rule's."""
    if not leaves_to_measured(facts):
        return set()
    quantities = [q for q, c in ((facts.get("measured_below") or {}).get("quantities") or {}).items()
                  if category in (c.get("categories") or ())]
    left = {v for q in quantities for _, text in fields for v in measured_values(text, q, facts)}
    if left and not flags_joined((text for _, text in fields), category, facts):
        return set()  # only when measured.py flags the listing (it needs the nominal: a code, a declared duration)
    return left


def _actual_below_stated(fields: list[tuple[str, str]], cfg: dict[str, Any],
                         left: set[float] = frozenset()) -> list[tuple[str, Finding]]:
    """An admitted real value (实配电机7.5千瓦) below a value of the same measure the listing states
    elsewhere (15kW) by more than the tolerance: the stated specification is not the product's. A value in
    `left` (_left_to_measured) is measured.py's."""
    if not cfg.get("enforce"):
        return []
    cues = _normalized(tuple(cfg.get("cues", [])))
    if not any(c in text for _, text in fields for c in cues):
        return []  # most listings admit nothing: no field is normalised
    rx = _actual_re(cues)
    tol = float(cfg.get("tolerance", 0.1))
    normed = [(source, text, normalized(text)) for source, text in fields]
    for source, text, norm in normed:
        for m in rx.finditer(norm):
            measure, factor = _UNITS[m.group(2)]
            actual = float(m.group(1)) * factor
            if measure in ("mass", "length", "time") and any(abs(actual - v) < 1e-6 for v in left):
                continue
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


# a buyer asking whether the product is a value (问：确定是4公斤吗？) and the seller's reply giving another of the same
# measure (答：宝子这款是3公斤的): the reply is the seller's statement of the product
_ASKED_RE = re.compile(r"问\s*[:：]?[^答问]{0,30}?是\s*" + _NUMBER + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])的?(?:吗|嘛|么)"
                       r"[^答问]{0,24}?答\s*[:：]?[^\d，,。;；!！?？问]{0,10}?(?:是|只有|只装|就|才)\s*" + _NUMBER
                       + r"\s*(" + _UNIT_ALT + r")(?![a-z²2])" + NOT_PER_MEASURE)


def _answer_below_asked(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """(heldout9) A buyer asks whether the product is the value the listing states elsewhere (问：确定是4公斤吗？ for a
    4kg title) and the seller's reply gives a lower one (答：这款是3公斤的) by more than the tolerance: the stated
    specification is not the product's. A question about another value (问：是2公斤的吗？ of a 4kg listing) or a
    reply naming a larger one contradicts nothing."""
    if not cfg.get("enforce"):
        return []
    tol = float(cfg.get("tolerance", 0.1))
    normed = None
    for source, text in fields:
        if "答" not in text or "问" not in text:
            continue
        norm = normalized(text)
        for m in _ASKED_RE.finditer(norm):
            measure, factor = _UNITS[m.group(2)]
            measure2, factor2 = _UNITS[m.group(4)]
            asked, said = float(m.group(1)) * factor, float(m.group(3)) * factor2
            if measure != measure2 or not said < asked * (1 - tol):
                continue
            if normed is None:
                normed = [(s, normalized(t)) for s, t in fields]
            # the asked value is the listing's own (the title's 4kg, a table row), not only the buyer's
            if not any(measure3 == measure and abs(v - asked) < 1e-6 for s, n in normed if s != source
                       for measure3, v, _, _ in _values(n)):
                continue
            return [(source, Finding(
                "spec_mismatch", f"标称 {m.group(1)}{m.group(2)}，卖家答复却称商品为 {m.group(3)}{m.group(4)}"
                f"（实际{_MEASURE_NAMES[measure]}低于标称）：{snippet(text, m.group(0)[-24:])}", (m.start(), m.end())))]
    return []


@functools.lru_cache(maxsize=256)
def _word_re(word: str) -> re.Pattern:
    """A group word as an expression: a bare Latin code (co, lpg) only as a word of its own, not
    inside another (eco, co2)."""
    nw = normalize(word)
    return re.compile(rf"(?<![a-z]){re.escape(nw)}(?![a-z0-9])" if nw.isascii() else re.escape(nw))


# a detected thing denied (不可检测甲烷, 不能检测天然气, 无法探测烟雾): the product does not claim it
_DENIED_BEFORE = re.compile(r"(?:不可|不能|无法|不会|不支持|不适用于?|非|不|除)(?:检测|探测|测|用于|报警)?\s*$")


# the (word, group) pairs of a facts `groups` section, longest normalised word first, by the section's id
# (the section is kept so the id stays its own)
_GROUP_WORDS: dict[int, tuple[dict[str, list[str]], list[tuple[str, str]]]] = {}


def _group_words(groups: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The (word, group) pairs of `groups` sorted longest normalised word first, sorted once per section."""
    hit = _GROUP_WORDS.get(id(groups))
    if hit is None or hit[0] is not groups:
        if len(_GROUP_WORDS) > 16:
            _GROUP_WORDS.clear()
        pairs = sorted(((w, g) for g, ws in groups.items() for w in ws), key=lambda x: -len(normalize(x[0])))
        hit = _GROUP_WORDS[id(groups)] = (groups, pairs)
    return hit[1]


# advice to other buyers after a word, in its clause (液化气用户请选另一款, 煤气的请拍另一个链接): the word names the goods
# the advice sends them to, not these; a request of another kind (安装请找专业人员) leaves the word the goods'
_ADVICE_AFTER_RE = re.compile(r"[^，,。；;！!？?\n]{0,16}?请(?:另|改)?(?:选|选择|选用|选购|购买|买|拍|下单|用)")

def _words_in(norm: str, groups: dict[str, list[str]], denials: bool = False) -> set[str]:
    """The groups (smoke, heat; methane, co ...) whose words occur in `norm`, the longest word read
    first: a shorter word inside a longer one's match (煤气 in 人工煤气) does not count again;
    `denials`: a word the text denies (不可检测甲烷) is not counted."""
    # the characters read so far (a text repeating a word thousands of times: one look per match, not every span again)
    taken = bytearray(len(norm))
    found = set()
    for word, group in _group_words(groups):
        for m in _word_re(word).finditer(norm):
            if taken.find(1, m.start(), m.end()) < 0:
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                if denials and (_DENIED_BEFORE.search(norm, max(0, m.start() - 6), m.start())
                                # advice to other buyers (液化气用户请选另一款): no claim of these goods
                                or _ADVICE_AFTER_RE.match(norm, m.end())):
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
    title_claimed: set[str] = set()
    for claimant in ("title", "description"):
        text = next((t for s, t in fields if s == claimant), "")
        norm = normalized(text)
        if claimant == "description":
            # a buyer asking after a gas (问：液化气能用吗) or a comparison with other goods claims none
            norm = without_asides(norm)
        claimed = _words_in(norm, groups, denials=True) if text else set()
        if claimant == "title":
            title_claimed = claimed
        if claimed:
            found = _detection_against(fields, rule, groups, keys, claimed, claimant)
            if found:
                return found
    return _detection_said(fields, rule, groups, title_claimed)


_SAID_RES: dict[int, tuple[dict[str, Any], re.Pattern | None, dict[str, str]]] = {}


def _said_re(rule: dict[str, Any], groups: dict[str, list[str]]) -> tuple[re.Pattern | None, dict[str, str]]:
    """The expression of a thing said detected (`said_verbs` before a group word: 专测液化气, 检测的是天然气; `said_after`
    after it: 液化气专用) and {normalised word: group}, built once per rule section."""
    hit = _SAID_RES.get(id(rule))
    if hit is None or hit[0] is not rule:
        of = {normalize(w): g for w, g in _group_words(groups)}
        words = "|".join(_word_re(w).pattern for w, _ in _group_words(groups))
        verbs = "|".join(re.escape(normalize(v)) for v in rule.get("said_verbs") or ())
        after = "|".join(re.escape(normalize(v)) for v in rule.get("said_after") or ())
        parts = ([rf"(?:{verbs})\s*+(?:的是|的|是|为)?\s*+(?P<w>{words})"] if verbs else []) + \
                ([rf"(?P<w2>{words})\s*+(?:{after})"] if after else [])
        hit = _SAID_RES[id(rule)] = (rule, re.compile("|".join(parts)) if parts and words else None, of)
    return hit[1], hit[2]


def _detection_said(fields: list[tuple[str, str]], rule: dict[str, Any], groups: dict[str, list[str]],
                    title_claimed: set[str]) -> list[tuple[str, Finding]]:
    """The description (a seller's reply, a host's words) saying the goods detect a thing (专测液化气, 答：这款是检测液化气的)
    none of the title's things agree with (天然气报警器): the listing contradicts itself. A buyer's question, a
    comparison, a denial (不能检测液化气) or advice to other buyers (液化气用户请选另一款) says nothing."""
    rx, of = _said_re(rule, groups)
    text = next((t for s, t in fields if s == "description"), "")
    if rx is None or not title_claimed or not text:
        return []
    norm = without_asides(normalized(text))
    said: dict[str, re.Match] = {}
    for m in rx.finditer(norm):
        if _DENIED_BEFORE.search(norm, max(0, m.start() - 6), m.start()) or _ADVICE_AFTER_RE.match(norm, m.end()):
            continue
        word = m.group("w") if m.group("w") is not None else m.group("w2")
        said.setdefault(of.get(word, ""), m)
    said.pop("", None)
    if not said or _agree(title_claimed, set(said), rule.get("covers", {})):
        return []
    names = rule.get("names", {})
    m = next(iter(said.values()))
    return [("description", Finding("spec_mismatch", f"标题称检测{'、'.join(names.get(g, g) for g in sorted(title_claimed))}，"
                                                     f"描述却写“{snippet(text, m.group(0))}”", m.span()))]


def _keyed_attributes(fields: list[tuple[str, str]], keys: set | frozenset) -> Iterator[tuple[str, str, str, str]]:
    """(source, the field's text, its raw key, its value) of each attribute field whose key is one of `keys`."""
    for source, text in fields:
        if source.startswith("attributes."):
            raw_key = source.removeprefix("attributes.")
            if attribute_key(raw_key) in keys:
                yield source, text, raw_key, text[len(raw_key):].strip()


def _detection_against(fields: list[tuple[str, str]], rule: dict[str, Any], groups: dict[str, list[str]], keys: set,
                       claimed: set[str], claimant: str) -> list[tuple[str, Finding]]:
    """The first detection attribute that does not state what `claimant` (title or description) claims."""
    for source, text, raw_key, value in _keyed_attributes(fields, keys):
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
            verb = rule.get("claim_verb", "检测")
            return [(source, Finding("spec_mismatch", f"{who}称{verb}{said}，“{raw_key}”却写“{value[:30]}”",
                                     (start, start + len(value))))]
    return []


# the title's own words saying a feature is absent or sold apart, before it (无需电池, 不带面罩, 免布线, 不接电机)
# or after it (电池另购, 电池需自备, 面罩不含): such a title agrees with a table saying 无 / 不含
# a word of having before a feature (带电磁阀联动, 支持远程联动, 具备联动)
# a note in brackets after an attribute's value (否(普通阻燃), 无（另购）)
_NOTE_AFTER_RE = re.compile(r"\s*[(（\[【][^()（）\[\]【】]{0,20}[)）\]】]\s*$")
_CLAIM_BEFORE = re.compile(r"(?:带|含|支持|具备|具有|自带|配)[^\s，,。;；]{0,3}$")


_DENIAL_WORDS: dict[int, tuple[dict[str, Any], tuple[frozenset, frozenset, int, tuple[str, ...], tuple[str, ...]]]] = {}


def _denial_words(cfg: dict[str, Any]) -> tuple[frozenset, frozenset, int, tuple[str, ...], tuple[str, ...],
                                                 tuple[str, ...]]:
    """(none values, skipped keys, least key length, generic key endings, holder words, key prefixes asking whether,
    the longest first) of the feature_denied facts, normalised once per section (by its id; the section is kept so
    the id stays its own)."""
    hit = _DENIAL_WORDS.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        if len(_DENIAL_WORDS) > 16:
            _DENIAL_WORDS.clear()
        hit = _DENIAL_WORDS[id(cfg)] = (cfg, (frozenset(_normalized(tuple(cfg.get("none_values", [])))),
                                              frozenset(_normalized(tuple(cfg.get("skip_keys", [])))),
                                              int(cfg.get("min_key_chars", 2)),
                                              _normalized(tuple(cfg.get("key_endings", []))),
                                              _normalized(tuple(cfg.get("holder_words", []))),
                                              tuple(sorted(_normalized(tuple(cfg.get("key_prefixes", []))),
                                                           key=len, reverse=True))))
    return hit[1]


def _holder_after(norm_title: str, end: int, holders: tuple[str, ...]) -> bool:
    """Whether the title word ending at `end` goes on, within three more characters of its own word, to a holder's
    noun (灭火器箱, 灭火器放置箱, 灭火器落地架): the word names the holder, not the thing; a holder's noun of a
    packing (箱装, 盒装) names none."""
    rest = norm_title[end:end + 6]
    for i in range(min(4, len(rest))):
        if i and not ("\u4e00" <= rest[i - 1] <= "\u9fff"):
            return False
        if rest.startswith(holders, i):
            word = next(h for h in holders if rest.startswith(h, i))
            return rest[i + len(word):i + len(word) + 1] != "装"
    return False


def _feature_denied(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """An attribute denying a feature (面罩：无, 耐火：否) the title claims (含面罩, 耐火电缆)."""
    if not cfg.get("enforce"):
        return []
    none_values, skip, min_key, suffixes, holders, prefixes = _denial_words(cfg)
    title = next((t for s, t in fields if s == "title"), "")
    norm_title = None
    for source, text in fields:
        if not source.startswith("attributes."):
            continue
        raw_key = source.removeprefix("attributes.")
        key = attribute_key(raw_key)
        if len(key) < min_key or key in skip:
            continue
        value = text[len(raw_key):].strip()
        # a denial with a note after it (耐火：否(普通阻燃), 面罩：无（另购）) denies as the bare word does
        if _NOTE_AFTER_RE.sub("", normalize(value)) not in none_values:
            if norm_title is None:
                norm_title = normalized(title)
            # a value denying a feature by name (通讯方式：独立式 不联网) the title claims (NB-IoT联网烟感)
            found = named_denial(title, norm_title, source, text, value)
            if found:
                return found
            continue
        if norm_title is None:
            norm_title = normalized(title)
        # the key, and its stem without a generic ending (联动输出 -> 联动), the stem only where the title claims
        # it with a word of having (带电磁阀联动, 支持联动): 报警输出：无 says nothing of a title's 燃气报警器
        stems = [(key, False)] + [(key[:-len(e)], True) for e in suffixes
                                  if key.endswith(e) and len(key) - len(e) >= min_key]
        # a key asking whether (是否无卤, 是否耐火, 有无面罩) names its feature without the question's words: the title's
        # 低烟无卤 claims what 是否无卤：否 denies (heldout11 #190)
        asked = next((p for p in prefixes if key.startswith(p)), "")  # the longest first (是否为 before 是否)
        if asked and len(key) - len(asked) >= min_key:
            stems.append((key[len(asked):], False))
        for word, stem in stems:
            for m in re.finditer(re.escape(word), norm_title):
                if stem and not _CLAIM_BEFORE.search(norm_title[max(0, m.start() - 5):m.start()]):
                    continue
                if not stem and _holder_after(norm_title, m.end(), holders):
                    continue  # a holder of the thing (灭火器箱, 灭火器放置箱), not the thing: 灭火器：不含 agrees
                if not (_DENIAL_PREFIX.search(norm_title[max(0, m.start() - _DENIAL_WINDOW):m.start()])
                        or _DENIAL_SUFFIX.search(norm_title[m.end():m.end() + _DENIAL_WINDOW + 2])):
                    start = text.find(value, len(raw_key))
                    return [(source, Finding("spec_mismatch", f"标题写“{snippet(title, word, 6)}”，"
                                             f"属性却写“{raw_key}：{value}”", (start, start + len(value))))]
    return []


_PACK_RES: dict[int, tuple[dict[str, Any], tuple[re.Pattern, re.Pattern, frozenset]]] = {}


def _pack_res(cfg: dict[str, Any]) -> tuple[re.Pattern, re.Pattern, frozenset]:
    """(the title's pack: 3条装 / 两只装, a count value: 1条 / 单条, the count keys) of the pack_count facts, built once per
    section (by its id; the section is kept so the id stays its own)."""
    hit = _PACK_RES.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        units = "|".join(re.escape(normalize(str(u))) for u in cfg.get("units", []))
        pack = re.compile(rf"(\d{{1,3}}|[一二两三四五六七八九十]{{1,3}})\s*({units})\s*装")
        count = re.compile(rf"^\s*(\d{{1,3}}|[一二两三四五六七八九十]{{1,3}}|单)\s*({units})\s*$")
        hit = _PACK_RES[id(cfg)] = (cfg, (pack, count, frozenset(_normalized(tuple(cfg.get("keys", []))))))
    return hit[1]


def _count_value(run: str) -> int | None:
    return 1 if run == "单" else int(run) if run.isdigit() else cn_value(run)


def _pack_against_count(fields: list[tuple[str, str]], cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """The title's pack of several units (3条装) against a count attribute of another number of the same units
    (数量：1条); a count in another unit (1套, 1件) may be the pack itself."""
    if not cfg or not cfg.get("enforce"):
        return []
    pack_re, count_re, keys = _pack_res(cfg)
    title = next((t for s, t in fields if s == "title"), "")
    packs = {(_count_value(m.group(1)), m.group(2)) for m in pack_re.finditer(normalized(title))}
    packs = {(n, u) for n, u in packs if n and n > 1}
    if len(packs) != 1:
        return []  # no pack in the title, or several packs on offer (单条 / 三条装)
    (n, unit), = packs
    for source, text, raw_key, value in _keyed_attributes(fields, keys):
        m = count_re.match(normalize(value))
        if m and m.group(2) == unit and _count_value(m.group(1)) not in (None, n):
            start = text.find(value, len(raw_key))
            return [(source, Finding("spec_mismatch", f"标题写 {n}{unit}装，属性却写“{raw_key}：{value}”",
                                     (start, start + len(value))))]
    return []


def claim_mismatches(fields: list[tuple[str, str]], category: str, facts: dict[str, Any]) -> list[tuple[str, Finding]]:
    """(source field, spec_mismatch finding) for the first claim the listing takes back, or []."""
    if category == "not_fire":
        return []
    cfg = facts.get("claims", {})
    return (_detection(fields, category, cfg.get("detection", {}))
            or _feature_denied(fields, cfg.get("feature_denied", {}))
            or _pack_against_count(fields, cfg.get("pack_count", {}))
            or _actual_below_stated(fields, cfg.get("actual_value", {}), _left_to_measured(fields, category, facts))
            or _answer_below_asked(fields, cfg.get("answer_below_asked", {}))
            or same_quantity_twice(fields, category, cfg.get("same_quantity", {}))
            or self_contradictions(fields, category, cfg))
