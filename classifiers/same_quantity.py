"""The same quantity stated twice in a listing's own fields with values that differ: a self-contradiction.

`same_quantity_twice(fields, category, cfg)` returns [(source field, `spec_mismatch` finding)] for the first one,
or [] (`cfg`: `data/specs.yaml` section `claims.same_quantity`; `claims.claim_mismatches` calls it). A quantity is
known by its unit's kind and the noun or attribute name before or after its value (长度 25m / 描述 三十米; 有效期5年 /
3年); a value alone in the title is the category's headline quantity. Each value is read within its clause:
figures in Chinese numerals before a unit as digits (四公斤, 一米五), a flow per hour as m³/h, a reported question's
answer after its colon and a seller's reply to a buyer's question (`replies.question_of`) or a speaker's own statement
(主播：, 客服：), less the words that only hedge it (答：满电大概三十分钟), a count times a value
as each and total (2×5W), a voltage's noun through its DC/AC; options, ranges, lists, bounds and comparisons with
other goods are not compared (a measuring range, 测量范围 0-100%LEL, offers no options; a room's area, 三十平的客厅, is
not the goods'). A unit of two kinds is read by the listing's category (`unit_kinds`: 平方 an area where no cable is
sold, 毫安 an electrical-fire detector's current); a pack's count (两具一箱) leaves each unit's figure its own. It also finds a part above its whole (`order`: 药剂 4kg, 总重 3kg) and two kinds
that state one thing (`equivalent`: 扬程 100m, 出口压力 0.5MPa). `fields` are (source, text) pairs as
`RiskRules.fields` gives them (attributes as "K V").
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any

from firewatch.core.text import normalize

from .numerals import arabic_before, rewrite_figures
from .replies import ANSWER_MARK, question_of
from .specs import Finding, attribute_key, normalized

# a unit -> (the kind of quantity it measures, factor to the kind's base unit); the longest unit is read first
_KIND_UNITS = {
    "kg": ("mass", 1.0), "公斤": ("mass", 1.0), "千克": ("mass", 1.0), "斤": ("mass", 0.5), "克": ("mass", 0.001),
    "l": ("volume", 1.0), "升": ("volume", 1.0), "ml": ("volume", 0.001), "毫升": ("volume", 0.001),
    "m": ("length", 1.0), "米": ("length", 1.0), "cm": ("length", 0.01), "厘米": ("length", 0.01),
    "公分": ("length", 0.01), "mm": ("length", 0.001), "毫米": ("length", 0.001),
    "min": ("time", 1.0), "分钟": ("time", 1.0), "h": ("time", 60.0), "小时": ("time", 60.0), "秒": ("time", 1 / 60),
    "刻钟": ("time", 15.0),
    # an hour said 钟头 (三个钟 and 一个半钟头 numerals.py reads as hours: `_UNIT_FOLLOW_RE`)
    "钟头": ("time", 60.0),
    "℃": ("temperature", 1.0), "°c": ("temperature", 1.0), "度": ("temperature", 1.0),
    "mpa": ("pressure", 1.0), "kpa": ("pressure", 0.001), "bar": ("pressure", 0.1), "兆帕": ("pressure", 1.0),
    "kw": ("power", 1000.0), "千瓦": ("power", 1000.0), "w": ("power", 1.0), "瓦": ("power", 1.0),
    "l/s": ("flow", 1.0), "m3/h": ("flow", 1 / 3.6), "m³/h": ("flow", 1 / 3.6), "l/min": ("flow", 1 / 60),
    "mm²": ("section", 1.0), "mm2": ("section", 1.0), "㎟": ("section", 1.0), "平方毫米": ("section", 1.0),
    "平方": ("section", 1.0), "平方米": ("area", 1.0), "m²": ("area", 1.0), "m2": ("area", 1.0),
    "v": ("voltage", 1.0), "伏": ("voltage", 1.0), "kv": ("voltage", 1000.0),
    "mah": ("charge", 1.0), "ah": ("charge", 1000.0), "毫安时": ("charge", 1.0), "毫安": ("charge", 1.0),
    # a sound level (报警声强 ≥85dB, 七十分贝) and a detector's channel count (8路, 四路剩余电流)
    "db": ("loudness", 1.0), "分贝": ("loudness", 1.0), "路": ("channels", 1.0),
    # a garment's or a boot's size (43码)
    "码": ("size", 1.0),
    # a period in years or months (有效期5年, 电池寿命10年, 质保36个月); a calendar year (2025年) is no period
    "年": ("years", 1.0), "个月": ("years", 1 / 12),
    # a pump's flow in cubic metres an hour, as installers say it (72立方, 72方每小时: m³/h), read only after a
    # flow noun (流量72方); 立方/方 after any other noun name no quantity here
    "立方米": ("flow", 1 / 3.6), "立方": ("flow", 1 / 3.6), "方": ("flow", 1 / 3.6), "m3": ("flow", 1 / 3.6),
    # (session 36) a protected or covered area as shops say it (保护面积60㎡, 单只保护六十平, 能管三十个平方): 平方 alone stays
    # a cable's section unless `unit_kinds` names the category; 平 alone is read only before a few words (`_BARE_PING_NEXT`)
    "平米": ("area", 1.0), "㎡": ("area", 1.0), "平": ("area", 1.0), "个平方": ("area", 1.0), "个平方米": ("area", 1.0),
    "个平": ("area", 1.0), "个平米": ("area", 1.0),
    # a gas detector's alarm set point: a share of the lower explosive limit (10%LEL), of the volume (1%VOL), or parts per
    # million (CO, 50ppm); three kinds, never converted into each other (the LEL depends on the gas)
    "%lel": ("lel", 1.0), "%vol": ("vol", 1.0), "ppm": ("ppm", 1.0),
    # an electrical-fire detector's residual current (300mA; 毫安 is a battery's charge unless `unit_kinds` says so)
    "ma": ("current", 1.0),
    # a detector's response time in seconds (响应时间 10s), a lamp's luminous flux (光通量 300lm), a descender's speed
    # (下降速度 1.5m/s) and a count of battery cells (3节电池)
    "s": ("time", 1 / 60), "秒钟": ("time", 1 / 60), "lm": ("flux", 1.0), "流明": ("flux", 1.0),
    "m/s": ("speed", 1.0), "米/秒": ("speed", 1.0), "节": ("cells", 1.0),
    # a pump's speed (转速 2900r/min) and a mass in grams (重量 500g); a foam's mixing ratio (3%) is spec_checks' (specs.py)
    "r/min": ("rpm", 1.0), "rpm": ("rpm", 1.0), "转/分": ("rpm", 1.0), "转/分钟": ("rpm", 1.0),
    "g": ("mass", 0.001),
}
KIND_UNITS = _KIND_UNITS  # the units of each kind of quantity and their factors (public: self_contradictions reads them)
# the least and most value a kind's statement may have (a year number, 2025年, is not a period of 2025 years)
_KIND_RANGE = {"years": (0.0, 100.0)}
# kinds a count before the value multiplies (2×5W: two lamps of 5 W; 4×4kg): the value is each one's and the
# product their total, and either may be what another field states; lengths and sections (1.2×1.8m, 3×2.5平方)
# are a size's sides or each core's, never multiplied
_COUNTED_KINDS = frozenset({"power", "charge", "voltage", "mass", "volume"})
_COUNT_TIMES = re.compile(r"(?<![\d.×*x])(\d{1,2})\s*[×*x]\s*$")
# (the lookbehinds after the first digit: the engine skips ahead to a digit; test_regex_rewrites.py)
_KIND_VALUE_RE = re.compile(r"(\d(?<![\d.]\d)(?<![a-bd-z]\d)(?<![a-z][a-z]c\d)\d{0,4}(?:\.\d{1,3})?)\s*("
                            + "|".join(sorted(map(re.escape, _KIND_UNITS), key=len, reverse=True))
                            # (a value per roll, 100米/卷, is the roll's: not a rate)
                            + r")(?:(?![a-z²³0-9/])|(?=/(?:卷|盘|捆|轴)))")
# a value one of several (20/25米, 1-6米, 20、25米, 1.2×1.8m, 3×2.5+1×1.5平方): options or a dimension
_LIST_BEFORE = re.compile(r"[\d.]\s*([a-z\u4e00-\u9fff²³/]{0,4}?)\s*([/、,，\-~～至到或+×*x])\s*$")
_LIST_AFTER = re.compile(r"^\s*(?:([/、\-~～至到或+×*x])\s*\d+(?:\.\d+)?\s*([a-z\u4e00-\u9fff²³/]{0,4})|起)")
# a bound, not a value: ≥90分钟 / 不低于 / 90分钟以上 (a least), ≤ / 不超过 / 以下 / 以内 (a most); 最大 / 最高 name
# another quantity (最高工作压力) and are not read
_MIN_BEFORE = re.compile(r"(?:[≥>＞]=?|大于等于|不低于|不小于|不少于|至少)\s*$")
_MAX_BEFORE = re.compile(r"(?:[≤<＜]=?|小于等于|不超过|不高于|不大于|至多)\s*$")
_BOUND_WORDS = re.compile(r"不超过|不高于|不低于|不小于|不少于|不大于|大于等于|小于等于")
_MIN_AFTER = re.compile(r"^\s*(?:以上|及以上)")
_MAX_AFTER = re.compile(r"^\s*(?:以下|以内|及以下)")
_DIMENSION = re.compile(r"[×*x]\s*$|^\s*[×*x]")
_BOUND_BEFORE = re.compile(r"(?:最大|最小|最高|最低)\s*$")
# (session 38) and in speech: 将近, 差不多 before it; 出头, 多点, 多 after it (二十米出头, 五斤多点)
_APPROX_BEFORE = re.compile(r"(?:约|大约|大概|≈|~|将近|接近|差不多)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(?:左右|上下|出头|多点|多一点|多)")
_COMPARED = re.compile(r"比|超过|高于|低于|相当于|代替|替代|老款|普通款")
# (heldout11) a bracketed heading (【买家问】, 【掌柜答】) opens a clause of its own: a buyer's question after a value is
# not the value's clause
_CLAUSE_STOPS = "，,。;；!！?？\n【"
_CLAUSE_STOP = re.compile("[" + re.escape(_CLAUSE_STOPS) + "]")
_FILLER = "：:为是约达到≈ 　"
# words between a quantity's noun and its value that say nothing of it (长达, 约; 粉就10斤, 总重才3公斤, 足足5公分)
# and the current's kind before a voltage (DC24V, 工作电压AC220V)
# (session 38) and a spoken hedge or 有 before it (粉有五斤, 将近三十米, 差不多六斤)
_TRAILING_FILLER = re.compile(r"(?:长达|高达|达到|约为|大约|大概|约|≈|足足|足有|足|也就|只有|仅有|仅|就|才|将近|接近|差不多|有|(?<![a-z])[ad]c)+$")
# what ends the words naming a value (a number, punctuation, a bracket), and the Chinese words after one
# (compiled here, not looked up in re's cache for each value)
_PHRASE_CUT = re.compile(r"[\d，,。;；!！?？、/|()（）\s\]】\[【+]")
_CJK_HEAD = re.compile(r"[\u4e00-\u9fff]{0,6}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{0,12}")
_PAREN_UNIT_RE = re.compile(r"[(（]\s*([^)）]{1,6})\s*[)）]\s*$")


# the same_quantity facts prepared once per facts dict (by id; the dict is kept so the id stays its own)
_PREPARED: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _prepared(cfg: dict[str, Any]) -> dict[str, Any]:
    """The same_quantity facts as the check reads them: nouns (longest first, each with its quantities and
    kinds), product words, clause words and headline keys normalised."""
    hit = _PREPARED.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1]
    nouns: dict[str, list[tuple[str, str]]] = {}
    for q, spec in (cfg.get("quantities") or {}).items():
        for n in spec.get("nouns", []):
            nouns.setdefault(normalize(n), []).append((q, spec["kind"]))
    def alt(key: str) -> re.Pattern:
        ws = [re.escape(normalize(w)) for w in cfg.get(key, [])]
        return re.compile("|".join(ws) if ws else r"(?!)")

    prep = {
        # nouns by text, and the noun lengths longest first: a phrase's last (or first) n characters are looked up
        "tables": (nouns, tuple(sorted({len(n) for n in nouns}, reverse=True)),
                   tuple(sorted(map(normalize, cfg.get("product_words", [])), key=len, reverse=True))),
        "skip": alt("skip_clause_words"),
        # nouns holding a skip word that are other things (适配器, an adapter, holds 适配 "fits"): read out first
        "skip_nouns": alt("skip_clause_nouns"),
        # a verb of lasting or holding before a value (能撑15分钟): the value is the product's own (`bare`)
        "reply_skip": alt("reply_skip_words"),
        "reply_keep": alt("reply_keep_words"),
        "not_bare": alt("not_bare_words"),
        "bare_verbs": re.compile("(?:" + "|".join(re.escape(normalize(w)) for w in cfg.get("bare_verbs", [])) + ")$"
                                 if cfg.get("bare_verbs") else r"(?!)"),
        "options": alt("option_words"),
        "headline_keys": frozenset(normalize(k) for k in cfg.get("headline_keys", [])),
        "range_nouns": alt("range_nouns"),
        "holding": alt("holding_verbs"),
        # words right after a value of a kind that make it another thing's (三十平的客厅: a room's area)
        "not_after": {k: re.compile("|".join(re.escape(normalize(w)) for w in ws))
                      for k, ws in (cfg.get("not_after") or {}).items() if ws},
        # every kind a unit may name in some category
        "unit_all_kinds": {normalize(u): {e["kind"], _KIND_UNITS.get(normalize(u), ("", 1.0))[0]}
                           for e in (cfg.get("unit_kinds") or ()) for u in e.get("units", ())},
        # a unit's kind in a category where it names another kind (`unit_kind`)
        "unit_kinds_by_category": {c: {normalize(u): (k, _KIND_UNITS[normalize(u)][1] if normalize(u) in _KIND_UNITS else 1.0)
                                       for entry in (cfg.get("unit_kinds") or ()) if c in entry.get("categories", ())
                                       for u in entry.get("units", ()) for k in (entry["kind"],)}
                                   for c in {c for e in (cfg.get("unit_kinds") or ()) for c in e.get("categories", ())}},
        "bare_units": {q: frozenset(normalize(u) for u in spec.get("bare_units", []))
                       for q, spec in (cfg.get("quantities") or {}).items()},
    }
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _field_statements.cache_clear()  # its entries name a facts dict by id
    _PREPARED[id(cfg)] = (cfg, prep)
    return prep


def _phrase_before(before: str) -> str:
    """The words right before a value, up to a punctuation mark, a number or a space, less the filler words
    and a heading's colon (说明:本品有效期3年: 本品有效期)."""
    cut = [x.end() for x in _PHRASE_CUT.finditer(before)]
    phrase = (before[cut[-1]:] if cut else before).rstrip(_FILLER)
    phrase = _TRAILING_FILLER.sub("", phrase).rstrip(_FILLER)
    return phrase[phrase.rfind(":") + 1:]


# (session 38) a live host's address to the audience before the goods (家人们这瓶粉足有六斤多): it qualifies nothing
_AUDIENCE_RE = re.compile(r"^(?:家人们|宝子们|宝宝们|姐妹们|兄弟们|老铁们|亲们)+")
# (session 38) a buyer asking how long the goods last (停电能亮多久, 能戴多长时间): the reply's duration is a lasting one
_HOW_LONG = re.compile(r"多久|多长时间|多长时候|几个小时|几小时|几个钟|几分钟")
# what a qualifier holds that names the piece of goods, not a part of it (这盘水带长度, 那一台的重量)
# one piece, or each, as the whole qualifier (一只, 每个, 单台, 一)
_ONE_PIECE_RE = re.compile(r"(?:一|每|单)[盘卷台瓶根条个只款套桶件樘扇具箱]?")
_DEMONSTRATIVE_RE = re.compile(r"^(?:这|那|该|此)一?[盘卷台瓶根条个只款套桶件樘扇具箱]?")
# the product itself as the subject right before a value (这瓶是1升装的, 这款就是5公斤): the value is its headline one
# (a whole bottle's weight, 整瓶六公斤, is the gross one, not the fill: `_GROSS_WHOLE`)
# (session 38) a pair (这双是四十二码的) and what one holds (一桶装了三十斤左右)
_SUBJECT_END = re.compile(r"(?:(?:这|那|该|此|本)一?|^一|^整)[盘卷台瓶根条个只款套桶件樘扇具箱罐品双](?:装了|装)?$")
_GROSS_WHOLE = re.compile(r"^整[瓶台具罐桶箱个只]")
# a reply about another thing than the goods: a box or the parcel (问：箱子多大, 一箱几个; 二十公斤的快递) or a place or
# use the buyer asks advice for (问：车上放多大的？答：车上一般放一公斤的就够了): its figure is that thing's or advice
# on a size, not this listing's value (问：这个多重？答：两公斤的 still states it)
_NOT_THE_GOODS = re.compile(r"箱子|纸箱|外箱|盒子|包装|一箱|每箱|快递|物流|发货|运费|邮费|托运|"
                            r"车上|车里|车载|车用|家里|家用|家中|厨房|仓库|店里|办公室|厂里|工地|"
                            # (session 34) a live host's other items: the last or the next link (上一个链接, 三号链接)
                            r"链接|上一个|下一个|上一款|下一款")
# (session 34) a speaker's mark in a live stream or a shop's chat (主播：, 客服：, 掌柜回复：): what follows, to the end of
# its sentence, is the seller's own statement, read as a reply to no stated question; the host's address to the
# audience (家人们, 宝子们, 亲) before a figure names nothing
_SPEAKER_RE = re.compile(r"(?:主播|客服|掌柜|店主|老板|卖家|商家|回复)\s*+[:：]")
_SPEAKER_REACH = 40
# (a bounded repeat: an open one is tried from every position of a long run of 亲亲亲…)
_SPEAKER_WORDS = re.compile(r"(?:主播|客服|掌柜|店主|老板|卖家|商家|回复|家人们|宝子们|宝子|宝宝们|姐妹们|兄弟们|老铁们|亲){1,6}$")


def _spoken_by_seller(norm: str, start: int, floor: int) -> str | None:
    """The speaker's words before the value at `start` when it stands in a speaker's statement (主播：…, 客服：…) of
    its sentence, else None."""
    lo = max(floor, start - _SPEAKER_REACH)
    marks = list(_SPEAKER_RE.finditer(norm, lo, start))
    if not marks:
        return None
    between = norm[marks[-1].end():start]
    return None if "问" in between or "。" in between or "?" in between or "？" in between else between


# adjectives between a value and the noun after it (7年长效电池, 10年超长寿命)
# (_OF_NOUN, session 34: 两千毫安的电池, the battery of 2000 mAh) and the 的 joining a value to its noun
_LEADING_FILLER = re.compile(r"^(?:长效|超长|持久|长寿)")
_OF_NOUN = re.compile(r"^的(?:长效|超长|持久|长寿)?")
# (session 34) words in a reply that only hedge the figure or set its usual condition (答：满电大概三十分钟, 正常用三年左右,
# 实际差不多两公斤): the figure answers the question as a bare one would; not 充满电 (a charge's time is its own quantity)
# (session 38) and 将近, 足有, 有 (答：将近五斤, 粉有五斤多点)
_REPLY_FILLER = re.compile(r"(?:满电|正常情况下?|正常用|正常使用|正常|一般|平时|实际|实际上|大概|大约|约|差不多|将近|接近|基本上?|能用|可以用|能|可以|用|"
                           r"就|是|足有|有){1,6}$")
# (review 38) a time within which goods are exchanged or repaired (三年内免费换新, 一年内坏了包换): a warranty's
_WARRANTY_AFTER = re.compile(r"\s*内[^，,。；;！!？?]{0,4}?(?:免费|包|保|可)(?:换|退|修)")
# a concentration reached before a gas detector's value (浓度到达25%LEL时报警) and the words of "when" after it
_REACHED_BEFORE = re.compile(r"(?:达到|到达|到)\s*$")
_WHEN_AFTER = re.compile(r"^(?:时|的时候)?(?:就|即|会|则|便|才)?(?:会)?")  # (heldout22, opened: 浓度到25%LEL才响)
# (review 37) also an alarm given (浓度达到20%LEL时就会发出报警, 到达10%LEL时立即报警)
_ALARMS_AFTER = re.compile(r"(?:立即|立刻|马上)?(?:发出|产生|启动|触发)?(?:声光|蜂鸣)?(?:报警|响)")
# words right after a value that name its own kind (12V低压, 24V供电, DC12V电源): the value is that kind's headline one
_KIND_TAILS = {"voltage": ("低压", "电压", "供电", "电源", "直流", "交流", "安全电压")}
# a figure after a count of several units (两瓶十二斤, 2具共8公斤): their total, not one unit's
_SEVERAL_BEFORE = re.compile(r"(?<![\d.])(?:[2-9]|[1-9]\d)\s*+(?:瓶|具|个|只|台|盏|套|件|罐|桶)\s*+(?:共|一共|总共|合计|加起来)?\s*+$")


def _quantity_of(phrase: str, kind: str, tables: tuple, at_end: bool = True) -> tuple[str, str] | None:
    """(quantity, qualifier) of the noun `phrase` ends (at_end) or begins with, of `kind`; None when it names
    no quantity of that kind."""
    nouns, lengths, products = tables
    for n in lengths:
        if n > len(phrase):
            continue
        noun = phrase[-n:] if at_end else phrase[:n]
        quantities = nouns.get(noun)
        if not quantities:
            continue
        q = next((q for q, k in quantities if k == kind), None)
        if q is None:
            continue
        qualifier = phrase[:len(phrase) - n] if at_end else ""
        for w in products:
            if w in qualifier:
                qualifier = qualifier.replace(w, "")
        qualifier = _DEMONSTRATIVE_RE.sub("", _AUDIENCE_RE.sub("", qualifier.strip())).strip()
        if _ONE_PIECE_RE.fullmatch(qualifier):
            qualifier = ""  # (heldout22, opened) 一只管八十个平方: one piece's value is the goods' own
        # (session 36) a qualifier that itself names the quantity (漏电报警值设定为: 设定) or a condition (漏气后响应时间)
        # qualifies nothing
        if qualifier and (any(qq == q for qq, _ in nouns.get(qualifier, ())) or _CONDITION_QUALIFIER.search(qualifier)):
            qualifier = ""
        return q, qualifier
    return None


# a question reported, then its answer after a colon (师傅问重不重：一瓶里头粉就十斤整): the answer is the seller's
# own statement; a bare 问： opens the question itself (问：有25米的吗)
_REPORTED_QUESTION = re.compile(r"问[^:：]{2,40}[:：]")  # bounded: quadratic on a long text without a colon


def _noun_in(words: str, kind: str, tables: tuple) -> tuple[str, str] | None:
    """The quantity of `kind` a noun in `words` names (the longest noun first), qualifier-free."""
    nouns, lengths, _ = tables
    for n in lengths:
        for i in range(len(words) - n + 1):
            q = next((q for q, k in nouns.get(words[i:i + n], ()) if k == kind), None)
            if q is not None:
                return q, ""
    return None


def _answer_of(clause: str, value: str) -> str:
    """The part of `clause` holding `value` after a reported question's colon, else the clause."""
    m = _REPORTED_QUESTION.search(clause)
    return clause[m.end():] if m and value in clause[m.end():] else clause


# the most characters a clause reaches either side of its value: a text without punctuation (八路的八路的…) is
# no one clause of its whole length, and each value's clause is read in bounded time (linear, not quadratic;
# the open files' longest clause is 64 characters)
_CLAUSE_REACH = 100
# the text a value's reading depends on: its clause, the words right before and after it and a reply's question
_VALUE_REACH = _CLAUSE_REACH + 1


def _clause_stops(norm: str) -> list[int]:
    """The positions of the clause stops in `norm`, found once per text for `_clause_at`."""
    return [m.start() for m in _CLAUSE_STOP.finditer(norm)]


def _clause_at(norm: str, start: int, end: int, stops: list[int] | None = None) -> str:
    """The clause holding norm[start:end], at most `_CLAUSE_REACH` characters either side of it (`stops`:
    `_clause_stops(norm)` when the caller reads many values of one text)."""
    lo, hi = max(0, start - _CLAUSE_REACH), min(len(norm), end + _CLAUSE_REACH)
    if stops is None:
        stops = [m.start() for m in _CLAUSE_STOP.finditer(norm, lo, hi)]
    i = bisect.bisect_left(stops, start)
    a = stops[i - 1] + 1 if i and stops[i - 1] >= lo else lo
    j = bisect.bisect_left(stops, end)
    b = stops[j] if j < len(stops) and stops[j] < hi else hi
    return norm[a:b]


_UNIT_START_RE = re.compile("|".join(sorted(map(re.escape, _KIND_UNITS), key=len, reverse=True)))


def _unit_kind(text: str) -> str | None:
    """The kind of the unit `text` begins with (米 in 米、25米), None when none."""
    m = _UNIT_START_RE.match(text)
    return _KIND_UNITS[m.group()][0] if m else None


def _listed(m: re.Match | None, kind: str, before: bool = False) -> str:
    """"list" when the value is one of several of its kind (20/25米, 1-6米, 20米、25米), "dimension" when one side
    of a size (1.2×1.8m), "bound" for 25米以上, "" when the neighbouring number is another quantity's (15kW/380V)."""
    if m is None:
        return ""
    if m.group(1) is None:
        return "bound"
    unit = m.group(1) if before else m.group(2)
    sep = m.group(2) if before else m.group(1)
    if unit and _unit_kind(unit) not in (None, kind):
        return ""
    lead = _UNIT_START_RE.match(unit) if before and sep in ",，" and unit else None
    if lead is not None and _APPROX_AFTER.match(unit[lead.end():]):
        return ""  # (heldout20, opened) a hedge after the unit ends a clause (能用三年左右，三年后换一颗): no list of two
    return "dimension" if sep in "×*x" else "list"


# "one container" after a value: what one unit of the goods holds (25kg一桶, 100米一卷, 4kg一瓶)
_ONE_UNIT_RE = re.compile(r"一\s*(?:桶|瓶|袋|罐|卷|盘|捆|支|只|具)(?![\u4e00-\u9fff]*[起送赠])")
# (session 38) the hedges and particles that may follow a lasting figure (二十分钟出头, 一个钟头左右吧, 俩小时没问题)
_HEDGE_TAIL = re.compile(r"^(?:左右|上下|出头|多点|多一点|多|开外)?(?:吧|哦|呢|啊|呀|哈|啦)*(?:没问题|不成问题|绰绰有余)?$")


# a flow in cubic metres an hour written out (72方每小时, 72立方/小时): read as m3/h (its 每 is no "each")
_PER_HOUR_RE = re.compile(r"(?<=\d)(?:立方米|立方|方|m3|m³)\s*(?:每小时|/小时|/h|每h)")
# a flow in litres a second written out (20升每秒, 20升/秒): read as l/s
_PER_SECOND_RE = re.compile(r"(?<=\d)(?:升|l)\s*(?:每秒|/秒|每s)")
# (session 36) a speed in metres a second written out (0.5米每秒, 1米/秒 is a unit of its own)
_METRES_PER_SECOND_RE = re.compile(r"(?<=\d)(?:米|m)\s*(?:每秒|每s)")
_PER_TIME = ((_PER_HOUR_RE, "m3/h"), (_PER_SECOND_RE, "l/s"), (_METRES_PER_SECOND_RE, "m/s"))
# (session 36) a speed said per second first (每秒0.5米, 每秒一米): read as 0.5m/s
_SECOND_FIRST_RE = re.compile(r"每秒\s*+(?:钟\s*+)?(\d{1,3}(?:\.\d{1,2})?)\s*+(?:米|m)(?![\u4e00-\u9fff]{0,2}每)")
# (钟 counted with 个 is an hour, 三个钟; not a clock, 三个钟表)
_UNIT_FOLLOW_RE = re.compile(r"\s*+(?:个\s*+)?(?:" + "|".join(sorted(map(re.escape, _KIND_UNITS), key=len, reverse=True))
                             + r"|个钟(?![表点])|lel|vol)")


# (session 38) a figure said roughly before its unit (二十来分钟, 七十来分贝, 十来米, 一个来钟头, 个把钟头): read as
# 约 and the figure (约二十分钟, 约一个钟头); the numeral is at most six characters, tried from a run's start only
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万"
_ROUGHLY_RE = re.compile(r"(?<![" + _CN_NUMERAL + r"\d.])([" + _CN_NUMERAL + r"]{1,6}|\d{1,4})(个)?来(?=" + _UNIT_FOLLOW_RE.pattern
                         + r"|钟头|小时|钟(?![表点]))|个把(?=钟头|小时|钟(?![表点]))")
# (session 38) a half counted with 个 before a cable's section (两个半平方, 一个半平): 两点五平方, one character for one
_COUNTED_HALF_RE = re.compile(r"(?<=[一二两三四五六七八九十\d])个半(?=平)")
# (session 38) a question and its answer marked Q and A (Q：多长？A：二十米): 问 and 答, one character for one
_Q_MARK_RE = re.compile(r"(?<![a-z\d])q(?=\s*+[:：])")
_A_MARK_RE = re.compile(r"(?<![a-z\d])a(?=\s*+[:：])")


def _spoken_marks(norm: str) -> tuple[str, list[int]]:
    """`norm` with a Q and an A mark as 问 and 答, 个半 before 平 as 点五 and a rough figure (二十来分钟, 个把钟头) as
    约 and the figure, and the position in `norm` of each character of the result."""
    if "q" in norm and _Q_MARK_RE.search(norm):
        first = _Q_MARK_RE.search(norm).start()
        chars = list(norm)
        for m in _Q_MARK_RE.finditer(norm):
            chars[m.start()] = "问"
        for m in _A_MARK_RE.finditer(norm, first):
            chars[m.start()] = "答"
        norm = "".join(chars)
    if "个半" in norm:
        norm = _COUNTED_HALF_RE.sub("点五", norm)
    back = list(range(len(norm)))
    if "来" not in norm and "个把" not in norm:
        return norm, back
    out, back2, pos = [], [], 0
    for m in _ROUGHLY_RE.finditer(norm):
        out.append(norm[pos:m.start()])
        back2 += back[pos:m.start()]
        if m.group(1) is None:  # 个把钟头: about one hour
            out.append("约一个")
            back2 += [m.start(), m.start(), m.start() + 1]
        else:
            figure = m.group(1) + (m.group(2) or "")
            out.append("约" + figure)
            back2 += [m.start()] + list(range(m.start(), m.start() + len(figure)))
        pos = m.end()
    out.append(norm[pos:])
    back2 += back[pos:]
    return "".join(out), back2


@functools.lru_cache(maxsize=4096)
def _quantity_norm(text: str) -> tuple[str, tuple[int, ...]]:
    """`normalize(text)` with Chinese numerals before a unit in digits (四公斤: 4公斤, 一百米: 100米, 一米五: 1.5米;
    a rough figure as 约 and the figure, 二十来分钟: 约20分钟; Q and A marks as 问 and 答: `_spoken_marks`) and a flow
    per hour as m3/h (per second as l/s), and the position in `normalize(text)` of each character."""
    norm = normalized(text)
    if "約" in norm:
        norm = norm.replace("約", "约")  # the traditional form of 约 (約3年): one character for one
    norm, spoken = _spoken_marks(norm)
    conv, back = arabic_before(norm, _UNIT_FOLLOW_RE)
    back = [spoken[b] for b in back]
    if "百分之" in conv:
        conv, back = rewrite_figures(conv, list(back), _SPOKEN_PERCENT, lambda m: m.group(1) + "%")
    if "每秒" in conv:
        conv, back = rewrite_figures(conv, list(back), _SECOND_FIRST_RE, lambda m: m.group(1) + "m/s")
    for rx, unit in _PER_TIME:
        if not rx.search(conv):
            continue
        out, pos, back2 = [], 0, []
        for m in rx.finditer(conv):
            out.append(conv[pos:m.start()])
            back2 += back[pos:m.start()]
            out.append(unit)
            back2 += [back[m.start()]] * len(unit)
            pos = m.end()
        out.append(conv[pos:])
        back2 += back[pos:]
        conv, back = "".join(out), back2
    return conv, tuple(back)


def _span_back(span: tuple[int, int], back: tuple[int, ...]) -> tuple[int, int]:
    """A span of `_quantity_norm`'s text as a span of the normalised text it was read from."""
    s, e = span
    if not back or e <= s:
        return span
    return back[min(s, len(back) - 1)], back[min(e, len(back)) - 1] + 1


# (session 36) what may follow 平 alone for it to be an area (六十平, 二十平左右, 60平的, 60平以内), not a word (平安, 平台)
_BARE_PING_NEXT = re.compile(r"(?![\u4e00-\u9fff])|(?=的|左右|上下|以|多|够|内|米|方|,|，|。)")
# a unit read only before these (4s店 is a car dealer, 5节能 a saving): the unit's word continues otherwise
_UNIT_NOT_BEFORE = {"s": re.compile(r"店|码|管理"), "节": re.compile(r"能|约|省|日|假|点|课|目")}
# (session 36) how many units a box holds (两具一箱, 2具/箱, 4瓶每箱, 一箱两具): a pack's count, not a box's value; it
# leaves each unit's figure (4公斤干粉灭火器 两具一箱) its own
_PACK_COUNT = re.compile(r"(?:[\d两二三四五六七八九十]{1,3}\s*+(?:具|只|个|瓶|台|支|罐|桶)\s*+(?:一箱|/箱|每箱)"
                         r"|(?:一箱|每箱)\s*+[\d两二三四五六七八九十]{1,3}\s*+(?:具|只|个|瓶|台|支|罐|桶)(?![\d\u4e00-\u9fff]))")
# (session 36) a percentage said in words before LEL or VOL (百分之二十五LEL: 25%LEL)
_SPOKEN_PERCENT = re.compile(r"百分之\s*+(\d{1,3}(?:\.\d{1,2})?)\s*+(?=lel|vol)")
# (session 36) a qualifier naming a condition (漏气后响应时间, 停电时应急时间) names no part of the goods
_CONDITION_QUALIFIER = re.compile(r"(?:后|时|的时候)$")


def unit_kind(unit: str, category: str, cfg_or_prep: dict[str, Any] | None = None) -> tuple[str, float]:
    """(kind, factor) of `unit` in a listing of `category`: `_KIND_UNITS`, or the kind `unit_kinds` names for
    the category (平方 a smoke alarm's protected area, 毫安 a detector's residual current)."""
    over = (cfg_or_prep or {}).get("unit_kinds_by_category", {}).get(category, {})
    return over.get(unit) or _KIND_UNITS[unit]


def _statements(source: str, text: str, prep: dict[str, Any], optioned: set[str],
                category: str = "") -> list[dict[str, Any]]:
    """The quantity statements of one field: {q, qualifier, kind, value, approx, bare, unit, num, span}.
    A kind stated with options, a range or a list is added to `optioned`."""
    norm, back = _quantity_norm(text)
    value_start = 0
    key_q = None
    headline = False
    if source.startswith("attributes."):
        raw_key = source.removeprefix("attributes.")
        key = attribute_key(raw_key)
        # where the value begins in the read text (a numeral in the key may have been rewritten)
        value_start = next((i for i, b in enumerate(back) if b >= len(raw_key)), len(norm))
        paren = _PAREN_UNIT_RE.search(key)
        key_unit = paren.group(1).strip() if paren else None
        key = key[:paren.start()].strip() if paren else key
        headline = key in prep["headline_keys"]
        key_q = key
        if key_unit in _KIND_UNITS and re.fullmatch(r"\s*\d{1,5}(?:\.\d{1,3})?\s*", norm[value_start:]):
            kind, factor = _KIND_UNITS[key_unit]
            found = _quantity_of(key, kind, prep["tables"])
            m = re.search(r"\d{1,5}(?:\.\d{1,3})?", norm[value_start:])
            if found:
                return [{"q": found[0], "qualifier": found[1], "kind": kind, "value": float(m.group()) * factor,
                         "approx": False, "bare": False, "bound": None, "unit": key_unit, "num": m.group(),
                         "span": _span_back((value_start + m.start(), value_start + m.end()), back)}]
            return []
    skip, options, tables = prep["skip"], prep["options"], prep["tables"]
    skip_nouns = prep["skip_nouns"]
    replied = "答" in norm
    speakers = _SPEAKER_RE.search(norm) is not None
    stops = _clause_stops(norm)

    def read(m: re.Match) -> tuple[str, Any] | None:
        """What the value `m` states: ("stmt", its statement), ("optioned", its kind) or None."""
        unit = m.group(2)
        kind, factor = unit_kind(unit, category, prep)
        if unit in ("平", "个平") and not _BARE_PING_NEXT.match(norm, m.end()):
            return None
        not_before = _UNIT_NOT_BEFORE.get(unit)
        if not_before is not None and not_before.match(norm, m.end()):
            return None
        low_high = _KIND_RANGE.get(kind)
        if low_high and not low_high[0] < float(m.group(1)) * factor <= low_high[1]:
            return None
        s, e = m.span()
        before, after = norm[max(value_start, s - 10):s], norm[e:e + 10]
        after_listed = _listed(_LIST_AFTER.search(after), kind)
        listed = _listed(_LIST_BEFORE.search(before), kind, before=True) or after_listed
        count = _COUNT_TIMES.search(before) if listed == "dimension" and not after_listed else None
        if count and kind in _COUNTED_KINDS and 2 <= int(count.group(1)) <= 20:
            listed = ""  # 2×5W: two of 5 W each
            before = before[:count.start()]
        else:
            count = None
        if listed:
            if listed == "list":
                # (session 36) a measuring or working range (测量范围 0-100%LEL, 工作温度 -10~55℃) offers no options
                if prep["range_nouns"].search(key_q or "") or prep["range_nouns"].search(before):
                    return None
                return "optioned", kind
            return None
        clause = _answer_of(_clause_at(norm, max(s, value_start), e, stops), norm[max(s, value_start):e])
        question = question_of(norm, s, value_start) if replied else None
        said_before = _spoken_by_seller(norm, s, value_start) if question is None and speakers else None
        if said_before is not None:
            # 主播：八斤的 / 客服：两公斤: the seller's own statement, a reply to no stated question; its words before
            # the value may name the box or the parcel it speaks of (客服：一箱四个，二十公斤重)
            if _NOT_THE_GOODS.search(said_before):
                return None
            question = ""
        if question is not None:
            clause = ANSWER_MARK.sub("", clause)
            if _NOT_THE_GOODS.search(question) or _NOT_THE_GOODS.search(clause):
                return None  # a box's, the parcel's or advice for another use: not the goods' own value
        if options.search(clause):
            return "optioned", kind
        if skip.search(_PACK_COUNT.sub("", skip_nouns.sub("", _BOUND_WORDS.sub("", clause)))) or _BOUND_BEFORE.search(before):
            return None
        # (session 36) 三十平的客厅, 一百二十平就装两个: a room's area, not the goods' (in any kind its unit may name: a
        # cable's 平 before 的房间 is a room's too)
        if any(rx.match(after) for k, rx in prep["not_after"].items() if k == kind or k in prep["unit_all_kinds"].get(unit, ())):
            return None
        approx = bool(_APPROX_BEFORE.search(before) or _APPROX_AFTER.search(after))
        low, high = _MIN_BEFORE.search(before), _MAX_BEFORE.search(before)
        bound = "min" if low or _MIN_AFTER.search(after) else "max" if high or _MAX_AFTER.search(after) else None
        if low or high:
            before = before[:(low or high).start()]
        stmt = {"kind": kind, "value": float(m.group(1)) * factor, "approx": approx, "unit": unit,
                "num": m.group(1), "bare": False, "bound": bound}  # its span: below
        if count:
            # each one's value and the total of the count (2×5W: 5 W and 10 W)
            stmt["alts"] = (stmt["value"], stmt["value"] * int(count.group(1)))
            stmt["num"] = f"{count.group(1)}×{m.group(1)}"
        if key_q is not None and not headline:
            found = _quantity_of(key_q, kind, tables)
            if found is None:
                return None
            stmt["q"], stmt["qualifier"] = found
            return "stmt", stmt
        # the words naming the value: right before it (长度25米), else right after it (90分钟应急时间)
        phrase = _phrase_before(before)
        found = _quantity_of(phrase, kind, tables) if phrase else None
        if found is None and _REACHED_BEFORE.search(before) and (phrase or _phrase_before(before.rstrip())).endswith("浓度"):
            # (heldout19, opened) a concentration reached at which it alarms (浓度到达25%LEL时声光报警) is the set point, a
            # level named right after it (浓度达到10%LEL时一级报警) that level's; another response (浓度到20%LEL会连续鸣叫, a
            # second stage) neither; of a gas detector's kinds only (报警浓度's)
            # (review 37) six characters after the words of "when" (时就会发出报警: the when-words fill the old six)
            tail = _WHEN_AFTER.sub("", _CJK_RUN.match(after.lstrip()).group())[:6]
            found = (_quantity_of(tail, kind, tables, at_end=False) if tail else None) or (
                _quantity_of("报警浓度", kind, tables) if _ALARMS_AFTER.match(tail) else None)
        if found is None and not phrase and before[-1:].isspace():
            # a noun a space before the value (流量 54m3/h); a word there that names no quantity (消防水带 20米) leaves
            # the value alone in its field; nor does a noun after another figure (65口径 20米: the 65's)
            head = before.rstrip()
            noun = _phrase_before(head)
            if noun and not head[:len(head) - len(noun)].rstrip()[-1:].isdigit():
                found = _quantity_of(noun, kind, tables)
        if question is not None and phrase.endswith("答"):
            phrase = phrase[:-1]  # 答：八百毫安的: the reply's own mark
        if question is not None and phrase:
            phrase = _SPEAKER_WORDS.sub("", phrase)  # 主播：八斤的, 客服：宝子们两公斤的: the speaker and the audience
            if _SEVERAL_BEFORE.search(before):
                return None  # 答：一瓶六斤粉，两瓶十二斤: the second figure is the two units' total
            if not prep["bare_verbs"].search(phrase):
                phrase = _REPLY_FILLER.sub("", phrase)  # 答：满电大概三十分钟: a hedge or a usual condition only
        if question is not None and prep["reply_skip"].search(question) and (
                not prep["reply_keep"].search(question) or _WARRANTY_AFTER.match(after)):
            return None  # 问：多久发货？答：24小时: a reply of the sale, not of the goods; nor (review 38) a warranty's time
            # answering a question also about the goods' life (问：电池能用几年？坏了怎么换？答：三年内免费换新)
        if kind == "mass" and _GROSS_WHOLE.search(phrase):
            return None  # 整瓶六公斤: the whole bottle's weight, not the fill
        lasting = prep["bare_verbs"].search(phrase) if phrase else None
        if found is None and lasting is not None and lasting.start():
            # the thing that lasts named before the verb (电池能用三年, 面具能撑二十分钟): that thing's quantity
            # (session 38) less a hedge or a usual condition between them (电池正常能用三年左右)
            found = _quantity_of(_REPLY_FILLER.sub("", phrase[:lasting.start()]), kind, tables)
            if found is not None:
                stmt["q"], stmt["qualifier"] = found
                return "stmt", stmt
        if lasting is not None or question and kind == "time" and _HOW_LONG.search(question):
            # (session 38) or a reply to how long the goods last (问：停电能亮多久？答：俩小时没问题)
            stmt["lasting"] = True  # 能亮俩小时: a duration in any unit of its kind (`bare_as`)
        # the goods themselves said to last or to be (能撑15分钟, 这款是两公斤半的): the seller asserts the figure
        asserted = bool(phrase) and bool(lasting or _SUBJECT_END.search(phrase))
        verb = asserted or bool(phrase) and (
            # a figure the goods are sold by (讲的是三公斤的, 家里放三公斤的最合适)
            source == "description" and found is None and after[:1] in ("装", "款", "的")
            and not prep["not_bare"].search(phrase))
        if verb or found is None and prep["holding"].fullmatch(phrase):
            # (session 36) a verb of holding (内置两节电池, 自带2000mAh电池): the noun after names the figure
            phrase = ""  # 能撑15分钟, 这瓶是1升装的: what the product itself lasts or holds
        if found is None and not phrase:
            tail = _LEADING_FILLER.sub("", _CJK_HEAD.match(after).group())
            noun = _OF_NOUN.sub("", tail)  # (两千毫安的电池: the noun after 的; 三公斤的哈 stays a figure sold by)
            found = _quantity_of(noun, kind, tables, at_end=False) if noun else None
            if found is None and question:
                found = _noun_in(question, kind, tables)  # 问：电池多大？答：八百毫安的
            # a value with nothing after it, or what one unit of the goods holds (25kg一桶, 100米一卷); in the
            # description, one sold by its size (三公斤的, 一升装的, 五公斤款) or a reply's bare figure
            spoken = source == "description" and (question is not None or verb or tail[:1] in ("装", "款", "的"))
            if found is None and (source == "title" or headline or spoken) and (
                    not tail or tail[0] in "装的长款" or _ONE_UNIT_RE.match(tail) or question is not None
                    # (session 38) a lasting or asserted figure, then a hedge or a particle (能撑二十分钟出头, 一桶三十斤左右)
                    or asserted and _HEDGE_TAIL.match(tail)
                    # (heldout21, opened) a word naming the kind itself after the value (12V低压, 220V供电)
                    or tail.startswith(_KIND_TAILS.get(kind, ()))):
                stmt["bare"] = True
                # a reply, or the goods asserted as their subject (这款是两公斤半的): a statement of its own
                stmt["reply"] = question is not None or asserted
                return "stmt", stmt
        if found is None:
            return None
        stmt["q"], stmt["qualifier"] = found
        return "stmt", stmt

    # a value's reading depends only on the text within `_VALUE_REACH` of it (and `value_start`): read once for each such
    # window (a text repeating one phrase, 八路的八路的…, is read in linear time)
    out: list[dict[str, Any]] = []
    read_at: dict[tuple, tuple[str, Any] | None] = {}
    for m in _KIND_VALUE_RE.finditer(norm, value_start):
        s, e = m.span()
        ws = max(0, s - _VALUE_REACH)
        key = (norm[ws:e + _VALUE_REACH], s - ws, e - ws, max(value_start - ws, 0))
        got = read_at[key] if key in read_at else read_at.setdefault(key, read(m))
        if got is None:
            continue
        if got[0] == "optioned":
            optioned.add(got[1])
        else:
            out.append({**got[1], "span": _span_back((s, e), back)})
    return out


@functools.lru_cache(maxsize=4096)
def _states_value(text: str) -> bool:
    """Whether a field writes a value with a unit (Chinese numerals before a unit counted: `_quantity_norm`),
    remembered (attribute rows repeat across listings)."""
    return _KIND_VALUE_RE.search(_quantity_norm(text)[0]) is not None


@functools.lru_cache(maxsize=4096)
def _field_statements(source: str, text: str, cfg_id: int, category: str = "") -> tuple[list[dict[str, Any]], frozenset]:
    """`_statements` of a field and the kinds it states with options, remembered (attribute rows repeat);
    the statements are read only."""
    optioned: set[str] = set()
    stmts = _statements(source, text, _PREPARED[cfg_id][1], optioned, category)
    return stmts, frozenset(optioned)


def _consistent(a: dict[str, Any], b: dict[str, Any], cfg: dict[str, Any]) -> bool:
    """Two statements of one quantity agree: equal values within tolerance, or a value within a bound the other
    states (≥90分钟 and 180分钟)."""
    bound, plain = (a, b) if a["bound"] else (b, a)
    if bound["bound"] == "min" and plain["value"] > bound["value"]:
        return True
    if bound["bound"] == "max" and plain["value"] < bound["value"]:
        return True
    return _close(a, b, cfg)


def _close(a: dict[str, Any], b: dict[str, Any], cfg: dict[str, Any]) -> bool:
    """Two values equal within the tolerance; a counted value (2×5W) is either its each or its total."""
    tol = float(cfg.get("approx_tolerance" if a["approx"] or b["approx"] else "tolerance", 0.03))
    if a.get("alts") and b.get("alts"):
        pairs = list(zip(a["alts"], b["alts"]))  # each with each, total with total (2×4W is no 2×2W)
    else:
        pairs = [(x, y) for x in a.get("alts") or (a["value"],) for y in b.get("alts") or (b["value"],)]
    return any(abs(x - y) <= tol * max(abs(x), abs(y)) + 1e-9 for x, y in pairs)


_UNIT_SHOWN = {"m": "米", "米": "米", "cm": "厘米", "公分": "公分", "厘米": "厘米", "mm": "毫米", "毫米": "毫米", "min": "分钟",
               "分钟": "分钟", "h": "小时", "小时": "小时", "kg": "千克", "千克": "千克", "公斤": "公斤", "l": "升", "升": "升",
               "ml": "毫升", "毫升": "毫升", "kw": "kW", "千瓦": "千瓦", "w": "W", "mpa": "MPa", "kpa": "kPa", "v": "V", "kv": "kV",
               "mm²": "mm²", "mm2": "mm²", "㎟": "mm²", "平方": "平方", "l/s": "L/s", "m3/h": "m³/h", "m³/h": "m³/h",
               "mah": "mAh", "ah": "Ah", "°c": "℃", "码": "码", "年": "年", "个月": "个月", "立方": "立方（m³/h）",
               "方": "方（m³/h）", "立方米": "立方米（m³/h）", "m3": "m³/h", "兆帕": "兆帕", "毫安": "毫安", "毫安时": "毫安时",
               "db": "dB", "分贝": "分贝", "路": "路", "刻钟": "刻钟", "度": "度",
               "钟头": "钟头", "平米": "平米", "平方米": "平方米", "㎡": "m²", "m²": "m²", "m2": "m²", "平": "平", "个平方": "个平方",
               "个平方米": "个平方米", "个平": "个平", "个平米": "个平米", "%lel": "%LEL", "%vol": "%VOL", "ppm": "ppm",
               "ma": "mA", "s": "s", "秒": "秒", "秒钟": "秒钟", "lm": "lm", "流明": "流明", "m/s": "m/s", "米/秒": "米/秒",
               "节": "节", "r/min": "r/min", "rpm": "rpm", "转/分": "转/分", "转/分钟": "转/分钟", "g": "克"}


def _shown(stmt: dict[str, Any]) -> str:
    sign = {"min": "≥", "max": "≤"}.get(stmt.get("bound") or "", "")
    return f"{sign}{stmt['num']} {_UNIT_SHOWN.get(stmt['unit'], stmt['unit'])}"


def _where(source: str, text: str) -> str:
    if source == "title":
        return "标题"
    if source == "description":
        return "描述"
    return f"“{text.strip()[:40]}”"


def same_quantity_twice(fields: list[tuple[str, str]], category: str,
                         cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """The same quantity (长度, 耐火时间, 功率 ... known by its unit's kind and its noun or attribute name)
    stated in two fields with values that differ: the listing contradicts itself. A value alone in the
    title (消防水带 20米) is the category's headline quantity of its kind (`bare`)."""
    if not cfg.get("enforce") or not cfg.get("quantities") or len(fields) < 2:  # a title alone states nothing twice
        return []
    prep = _prepared(cfg)
    valued = [(source, text) for source, text in fields if _states_value(text)
              or (source[-1:] in ")）" and source.startswith("attributes."))]  # 净重(kg) 25
    if len(valued) < 2:  # one field states nothing twice (most listings)
        return []
    optioned: set[str] = set()
    per_field = []
    # every value of each kind a field writes, named or not (双电池共1200mAh，单节600mAh): two values a field
    # explains side by side are no contradiction between two other fields
    # (a value in a clause comparing with another product, 比普通的3瓦亮, explains nothing)
    # (a reply to a buyer's question, 问…答：八斤装的, is the seller's answer, not a value explained beside another);
    # read only when two statements disagree (rare), so on first use
    written: list[set[tuple[str, float]]] = []

    def explained(a: dict[str, Any], b: dict[str, Any]) -> bool:
        if not written:
            written.extend({(unit_kind(m.group(2), category, prep)[0], float(m.group(1)) * unit_kind(m.group(2), category, prep)[1])
                            for m in _KIND_VALUE_RE.finditer(norm)
                            if not _COMPARED.search(_clause_at(norm, m.start(), m.end()))
                            and ("答" not in norm or question_of(norm, m.start()) is None)}
                           for norm in (_quantity_norm(text)[0] for _, text in valued))
        # (each one's value of a counted statement: 2×2W's total 4 W is not what a field's 4W explains)
        a, b = ({**st, "alts": None} for st in (a, b))
        return any(any(k == a["kind"] and _close(a, {"value": v, "approx": False}, cfg) for k, v in values)
                   and any(k == b["kind"] and _close(b, {"value": v, "approx": False}, cfg) for k, v in values) for values in written)

    for source, text in valued:
        stmts, kinds = _field_statements(source, text, id(cfg), category)
        optioned |= kinds
        # a quantity the field states with two values is a list of its own: the field states none
        named: dict[tuple, list] = {}
        for st in stmts:
            if not st["bare"]:
                named.setdefault((st["q"], st["qualifier"], st["kind"], st["bound"]), []).append(st)
        keep = [v[0] for v in named.values() if all(_close(v[0], x, cfg) for x in v[1:])]
        bares: dict[tuple, list] = {}
        for st in stmts:
            if st["bare"] and not st["bound"]:
                # a reply (问…答：八斤装的) is a statement of its own beside the field's other words
                bares.setdefault((st["kind"], st.get("reply", False)), []).append(st)
        keep += [v[0] for v in bares.values() if all(_close(v[0], x, cfg) for x in v[1:])]  # one value, said once or again
        if keep:
            per_field.append((source, text, keep))
    quantities = cfg["quantities"]
    # (session 34) a wheeled extinguisher (推车式干粉灭火器 35kg), filed under other_fire, states its fill alone as a
    # portable one does (主播：这台是二十五公斤的推车)
    title = next((normalize(text) for source, text in fields if source == "title"), "")
    wheeled = category in (cfg.get("wheeled_categories") or ()) and "灭火器" in title and any(
        normalize(w) in title for w in cfg.get("wheeled_words") or ())

    def bare_as(st: dict[str, Any], q: str) -> bool:
        # (session 34) the goods said to last a time (停电能亮俩小时, 充一次电用三个钟) state their headline duration
        # in any unit of its kind but seconds (指示灯亮3秒 is a blink), where a title's 24h alone names none
        spec = quantities.get(q, {})
        as_category = "portable_extinguisher" if wheeled and st["kind"] == "mass" else category
        return (as_category in spec.get("bare", []) and spec.get("kind") == st["kind"]
                and (st["unit"] in prep["bare_units"].get(q, ()) or st.get("lasting", False) and st["unit"] not in ("秒", "s", "秒钟")))

    for i, (src_a, text_a, stmts_a) in enumerate(per_field):
        for src_b, text_b, stmts_b in per_field[i + 1:]:
            for a in stmts_a:
                if a["kind"] in optioned:
                    continue
                for b in stmts_b:
                    if b["kind"] != a["kind"]:
                        continue
                    if a["bare"] and b["bare"]:
                        # a reply's bare figure answers for the headline quantity the other field's bare figure
                        # states (标题 2.5平方 / 答：一点五平方); two figures merely standing alone say nothing together
                        q = next((q for q in quantities if bare_as(a, q) and bare_as(b, q)), None)
                        if q is None or not (a.get("reply") or b.get("reply")):
                            continue
                    elif a["bare"] or b["bare"]:
                        said, bare = (b, a) if a["bare"] else (a, b)
                        if said["qualifier"] or not bare_as(bare, said["q"]):
                            # (session 34) the headline value (规格 4kg: the fill) against a quantity holding it
                            # (重量 两公斤): a fill above its whole contradicts it
                            own = next((q for q in quantities if bare_as(bare, q)), None)
                            if own is not None and not said["qualifier"] and not bare.get("reply"):
                                named = {**bare, "q": own, "qualifier": ""}
                                found = _out_of_order(*((named, said) if a["bare"] else (said, named)),
                                                      src_a, text_a, src_b, text_b, cfg)
                                if found:
                                    return found
                            continue
                        q = said["q"]
                    elif (a["q"], a["qualifier"]) != (b["q"], b["qualifier"]):
                        found = _out_of_order(a, b, src_a, text_a, src_b, text_b, cfg)
                        if found:
                            return found
                        continue
                    else:
                        q = a["q"]
                    if a["bound"] and b["bound"]:
                        continue
                    if _consistent(a, b, cfg) or explained(a, b):
                        continue
                    name = quantities[q].get("name", q)
                    return [(src_b, Finding("spec_mismatch", f"{name}前后矛盾：{_where(src_a, text_a)}写 {_shown(a)}，"
                                                             f"{_where(src_b, text_b)}写 {_shown(b)}", b["span"]))]
    return _equivalents_disagree(per_field, category, cfg)


def _equivalents_disagree(per_field: list, category: str, cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """Two quantities of different kinds that state one thing (`same_quantity.equivalent`: a pump's head in
    metres and its rated or outlet pressure, 1 MPa ≈ 100 m) stated in two fields with values that disagree
    by more than the pair's tolerance (扬程100m, 出口压力0.5MPa)."""
    for eq in cfg.get("equivalent") or ():
        if category not in eq.get("categories", [category]):
            continue
        first, second, factor, tol = eq["first"], eq["second"], float(eq["factor"]), float(eq.get("tolerance", 0.15))
        for i, (src_a, text_a, stmts_a) in enumerate(per_field):
            for src_b, text_b, stmts_b in per_field[i + 1:]:
                for a in stmts_a:
                    for b in stmts_b:
                        pair = (a, b) if (a.get("q"), b.get("q")) == (first, second) else \
                            (b, a) if (b.get("q"), a.get("q")) == (first, second) else None
                        if pair is None or a["bound"] or b["bound"] or a["qualifier"] or b["qualifier"]:
                            continue
                        x, y = pair[0]["value"], pair[1]["value"] * factor
                        if abs(x - y) > tol * max(x, y):
                            names = cfg["quantities"]
                            where = {id(a): _where(src_a, text_a), id(b): _where(src_b, text_b)}
                            return [(src_b, Finding("spec_mismatch", f"{names[first].get('name', first)}与{names[second].get('name', second)}"
                                                    f"不相符（{eq.get('rule', '')}）：{where[id(pair[0])]}写 {_shown(pair[0])}，"
                                                    f"{where[id(pair[1])]}写 {_shown(pair[1])}", b["span"]))]
    return []


def _out_of_order(a: dict[str, Any], b: dict[str, Any], src_a: str, text_a: str, src_b: str, text_b: str,
                  cfg: dict[str, Any]) -> list[tuple[str, Finding]]:
    """Two quantities of which one holds the other (`same_quantity.order`: the fill within the gross weight)
    stated the wrong way round (药剂量 4kg, 总重约 3kg): the listing contradicts itself."""
    if a["qualifier"] != b["qualifier"] or a["bound"] or b["bound"]:
        return []
    quantities = cfg["quantities"]
    for low_q, high_q in cfg.get("order") or ():
        pair = (a, b) if (a["q"], b["q"]) == (low_q, high_q) else (b, a) if (b["q"], a["q"]) == (low_q, high_q) else None
        if pair is None:
            continue
        low, high = pair
        tol = float(cfg.get("approx_tolerance" if low["approx"] or high["approx"] else "tolerance", 0.03))
        if low["value"] > high["value"] * (1 + tol) + 1e-9:
            where = {id(a): _where(src_a, text_a), id(b): _where(src_b, text_b)}
            low_name, high_name = quantities[low_q].get("name", low_q), quantities[high_q].get("name", high_q)
            return [(src_b, Finding("spec_mismatch", f"{high_name}小于{low_name}：{where[id(low)]}写{low_name} {_shown(low)}，"
                                                     f"{where[id(high)]}写{high_name} {_shown(high)}", b["span"]))]
    return []
