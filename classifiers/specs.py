"""Specification parser: model codes, sizes, ratings, standards and certificates in listing text.

`parse_specs(text, facts=None)` returns what a listing states about itself as normalised fields
with units (a key only when stated), `LazySpecs(text)` the same mapping parsed one family of keys at
a time as they are read; `extinguisher_size(specs)` gives its one extinguisher size and
`check_certificates(text)` the `invalid_certificate` findings. The rule checks are `spec_checks`;
`normalized(text)` is `normalize` remembered for the last few hundred texts, shared by the rules;
`without_questions(text)` blanks a text's buyer's questions (问：…？), which state nothing of the product;
`parse_specs` reads only what a text states of the listing's own goods (`own_statements`: not other variants on
offer, questions, comparisons with other goods (比普通2kg的…) or offers of other goods).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from collections.abc import Mapping
from typing import Any, NamedTuple


from .datafiles import load_yaml
from .numerals import arabic_before, cn_value, rewrite_figures
from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.text import normalize

logger = logging.getLogger(__name__)

SPECS_PATH = Path(__file__).parent / "data" / "specs.yaml"

# A field's text is normalised by each rule that reads it (the parser, the phrase rules, the claim and
# certificate checks): remembered for the last few hundred texts, the fields of the listings being scored
normalized = lru_cache(maxsize=256)(normalize)

_NUM = r"(\d+(?:\.\d+)?)"


def _literals(words) -> re.Pattern:
    """One expression for a gate's literals (a single scan instead of one `in` test per literal); none: never."""
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))) if words else r"(?!)")


# An expression that must not follow a letter or a digit tests it after its first character (k(?<![a-z]k),
# (\d(?<![\d.]\d)…)), not before (?<![a-z])k: the same test, but the engine can then skip ahead to where a
# match can begin rather than try every position (tests/classifiers/test_regex_rewrites.py holds each first form).
# extinguishers: M + agent + structure + /feature + amount (+ optional unit); a space inside the code as shops
# type it (MFZ / ABC 4) is the same code
_EXT_RE = re.compile(r"m(?<![a-z]m)(sw|f|t|p|s|j)(tz|zl|z|t|l)?(?:\s?[/-]\s?([a-z]{1,4})\s?)?[/-]?"
                     r"(\d+(?:\.\d+)?)(?:\s*(kg|l|升|公斤))?(?![\d.])(?![a-z])")
_EXT_RE_UNIT = re.compile(r"(?<![a-z])m(sw|f|t|p|s|j)(tz|zl|z|t|l)?(?:\s?[/-]\s?([a-z]{1,4}))?[/-]?"
                          r"(\d+(?:\.\d+)?)\s*(kg|l)(?![a-z])")
# a mass or volume per volume, area, length or time (密度1150kg/m³, 1.1kg/L, 涂布量1.5kg/m², 0.5kg/米, 1kg/s, 40L/s,
# 30升/分) is a density or a rate, not an amount: put right after the unit, it keeps the number from being read as one
NOT_PER_MEASURE = (r"(?!\s*(?:/|每|per)\s*(?:立方|平方|平米|㎡|㎥|升|毫升|米|厘米|分|小时|秒"
                   r"|(?:[cd]?m(?:\^?[23²³])?|ml|l|min|h|s)(?![a-z])))")
# (heldout18, opened) a Chinese unit may run into latin letters (装3公斤CO2): only kg must end its word
# (session 37) never from inside a run of digits (quadratic on a long run without a unit, like _VOLUME_RE)
_WEIGHT_RE = re.compile(r"(?<!\d)(\d++(?:\.\d++)?)\s*+(kg(?![a-z])|公斤|千克|斤)" + NOT_PER_MEASURE)
_GROSS_RE = re.compile(r"(总重|毛重|整机重|整车重?|车重|整瓶重|含瓶|连瓶|带瓶|瓶重|瓶子|瓶身|加粉|实物|重约|发货重|快递重|承重|载重)"
                       r"[^\d，,。;；]{0,6}$"
                       # the whole unit (整车含钢瓶、车架、轮子约70公斤): what it holds may be listed before the mass
                       r"|(?:整车|整机|整套)[^\d，,。;；]{0,10}$")
# the same said after the mass (重量 约1.6kg(含瓶), 3.5公斤连瓶身, 2kg（毛重）): the unit with its cylinder, not its agent
# (a mass named after it in brackets, 净重 2kg（毛重2.5kg）, or the cylinder's word leading to another mass, 4kg 含瓶约6公斤,
# leaves it the agent's)
_GROSS_AFTER_RE = re.compile(r"\s*[(（]\s*(?:含|连|带|包括)\s*钢?(?:瓶|瓶身|瓶体|包装)\s*(?:重量?)?\s*[)）]|\s*[(（]\s*(?:毛重|总重)\s*[)）]"
                             r"|(?:含|连|带)钢?(?:瓶|瓶身|瓶体)(?![^，,。;；]{0,6}\d)")
# a flow (40L/s, 30升/分) is no volume
# (session 37) never from inside a run of digits: on a long run without a unit every start was tried (quadratic)
_VOLUME_RE = re.compile(r"(?<!\d)(\d++(?:\.\d++)?)\s*+(l|升|ml|毫升)(?![a-z])" + NOT_PER_MEASURE)
_TZL_RE = re.compile(r"(?<![a-z])tzl\s*-?\s*(\d{2,3})(?!\d)")
_MINUTES_RE = re.compile(r"(\d{1,3})\s*(?:分钟|min(?:s|utes?)?(?![a-z]))")
_PERCENT_CONTENT_RE = re.compile(r"(磷酸二氢铵|磷酸铵盐|主要成分|有效成分|主成分|干粉含量|粉含量|含粉量)[^\d%]{0,6}"
                                 r"(\d{1,2}(?:\.\d+)?)\s*%")
# the same figure written before its noun (20%磷酸铵盐, ≥75%磷酸二氢铵, 50%含量); a bare 含量 only in a text naming
# the powder (粉): a water or foam unit's 3%含量 is its foam concentrate's
_PERCENT_BEFORE_RE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*%\s*的?\s*(磷酸二氢铵|磷酸铵盐|主要成分|有效成分|主成分|干粉含量|粉含量"
                                r"|含粉量|含量)")
# Durations as listings write them: a cue (what is timed), a few words (约, 可达, ≥, ：), then
# a number in Arabic or Chinese numerals (半, 一个半, 十五, 九十) and a unit (分钟/min, 小时/h,
# 钟头). Full-width digits and letters are narrowed by `normalize` first.
_CN_DIGIT = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# (a quarter of an hour, 三刻钟, is 15 minutes a quarter)
_DURATION_NUM = r"(\d{1,3}(?:\.\d{1,2})?|[一二两三四五六七八九十百]{1,4}个?半?|半)\s*个?\s*(分钟|mins?|minutes?|小时|钟头|刻钟|hours?|hrs?|h|分(?=$|[\s,，。;；)）]))(?![a-z])"
# between the cue and the number: no digit, numeral, clause end, or a word that times something
# else (充电 charging, 转换 switch-over, 寿命 life, 质保/保修 warranty, 待机 standby, 储存 storage)
_DURATION_GAP = r"(?:(?!充|转换|寿命|质保|保修|待机|储存|贮存|间隔)[^\d一二两三四五六七八九十百半，,。;；!！?？\n]){0,8}?"
# what is timed: a named time (应急时间, 耐火极限, 防护时间 ...) may be followed by a few words
# (约, 可达, 不低于); a bare word (应急, 耐火, 防火) only by separators, as 耐火1.5小时 or
# 应急：90min (防火玻璃 ... 1小时 names no rating)
_SHORT_GAP = r"[\s:：≥>=＞≈约达为]{0,3}"
_DURATION_CUES = {
    "emergency": ((r"应急(?:工作|照明|持续|点亮)?(?:时间|时长)|持续(?:应急|照明|工作|点亮)?(?:时间|时长)?|续航(?:时间|时长)?|"
                   r"照明时间|放电时间|点亮时间|亮灯时间|发光时间|供电时间|备用时间|(?:可|能)(?:持续)?(?:亮|照明|点亮)|停电后?(?:可|能)?(?:持续)?(?:亮|照明|使用)",
                   _DURATION_GAP), (r"应急", _SHORT_GAP)),
    "protection": ((r"(?:有效|额定)?防护(?:时间|时长)|(?:有效)?使用时间|有效时间|可用时间|保护时间|可(?:持续)?使用|"
                    r"过滤时间|防毒时间|防烟时间|逃生时间|坚持|维持|(?:能|可以?)?撑",
                    _DURATION_GAP), (r"防护|可用(?!于)", _SHORT_GAP)),
    # (session 36) and said of a fire in speech: 着火能扛一个半钟头, 火灾时能顶两个小时
    "fire": ((r"(?:耐火|防火)(?:极限|时间|时长|性能|等级|完整性|隔热性)|(?:着火|起火|火灾|火烧)(?:时|的时候|了)?"
              r"[^\d一二两三四五六七八九十百半，,。;；!！?？\n]{0,4}?(?:扛|撑|顶|挡|坚持|耐)(?:得住|住)?", _DURATION_GAP),
             (r"耐火|防火", _SHORT_GAP)),
}
# (session 36) a seller's reply giving a bare duration to a buyer's question naming the kind (问：耐火多久？答：咱这门能扛
# 一个半钟头; 问：防护多久？答：半小时; fire and protection only, `_REPLY_QUESTION_CUES`): the duration is that kind's; the
# question's words, then the reply's few words
_REPLY_DURATION_RE = re.compile(r"问\s*[:：]?([^问答\n]{1,30}?)\s*答\s*[:：]\s*+([^问答\d一二两三四五六七八九十百半，,。;；!！?？\n]{0,10}?)"
                                + _DURATION_NUM)
# a question naming a class or other goods (问：甲级的耐火多久？): its reply is of those
_REPLY_OTHER_RE = re.compile(r"[甲乙丙丁]级|a\d\.\d\d|tzl\d|那款|那个|别的|别家|别人|同行|其他|其它|另|普通|一般的|市面")
# (review 36) a question or reply about the order, not the goods (问：防毒面具多久发货？答：48小时内发货; 问：防火涂料多久干？
# 答：两小时): the product's name carries the kind's word, the duration is a delivery's, a fitting's or a drying's
# (问：着火了里面的人能坚持多久？答：建议3分钟内撤离: a person's escape, not the goods' duration)
_REPLY_ERRAND_RE = re.compile(r"发货|发出|到货|送到|送达|快递|物流|安装|装好|装完|上门|[表实]?干|回复|退|建议|撤离|离开|疏散")
# the words after a reply's figure that may still make it an errand's (两小时内发货), up to the reply's clause end
# (heldout19, opened: 答：一个半小时。物流到付 names the door's time, then the shipping)
_CLAUSE_AFTER = re.compile(r"[^，,。！!？?；;\n]{0,6}")
_REPLY_QUESTION_CUES = {"fire": re.compile(r"耐火|防火|着火|起火|火灾"), "protection": re.compile(r"防护|防毒|防烟")}
# the unit in an attribute's name: 应急时间(min) 20, 耐火极限（h）：1.0
_KEY_UNIT = r"\s*[(（]\s*(?P<u{i}>分钟|mins?|min|小时|h)\s*[)）]\s*[:：]?\s*[≥>＞≈约]?\s*(?P<n{i}>\d{{1,3}}(?:\.\d{{1,2}})?)(?![\d.])"


def _duration_re(cues: tuple[tuple[str, str], ...]) -> re.Pattern:
    """One expression for a kind's cues; alternative i names its number n<i> and its unit u<i>
    (a named time also with its unit in brackets before the number)."""
    parts = []
    for i, (cue, gap) in enumerate(cues):
        number = _DURATION_NUM.replace("(", f"(?P<n{i}>", 1).replace("(分钟", f"(?P<u{i}>分钟", 1)
        parts.append(f"(?:(?:{cue}){gap}{number})")
    for j, (cue, _) in enumerate(cues[:1], start=len(cues)):
        parts.append(f"(?:(?:{cue}){_KEY_UNIT.format(i=j)})")
    return re.compile("|".join(parts))


_DURATION_RES = {kind: _duration_re(cues) for kind, cues in _DURATION_CUES.items()}
_DURATION_GATES = {"emergency": ("应急", "持续", "续航", "照明", "放电", "亮", "停电", "供电", "备用", "发光"),
                   "protection": ("防护", "使用", "有效", "可用", "保护", "过滤", "防毒", "防烟", "逃生", "坚持", "维持", "撑"),
                   "fire": ("耐火", "防火", "着火", "起火", "火灾", "火烧")}
_DURATION_GATE_RES = {kind: _literals(words) for kind, words in _DURATION_GATES.items()}


def cn_number(text: str) -> float | None:
    """A number written in Arabic or Chinese numerals: "15", "1.5", "十五", "九十", "一百二十",
    "半" (0.5), "一个半" (1.5), "两个" (2); None when it is neither."""
    s = text.replace("个", "")
    half = s.endswith("半")
    s = s[:-1] if half else s
    if not s:
        return 0.5 if half else None
    try:
        return float(s) + (0.5 if half else 0.0)
    except ValueError:
        pass
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in "十百":
            total += (1 if digit is None else digit) * (10 if ch == "十" else 100)
            digit = None
        else:
            return None
    return total + (digit or 0) + (0.5 if half else 0.0)


# a clause speaking of other goods (普通的只能撑半小时, 别家的才20分钟, 市面上一般15分钟): its duration is not this product's
_OTHER_GOODS_RE = re.compile(r"(?:普通的|普通款|一般的|别家|别人家|市面上|同行|其他家|老款)[^，,。;；!！?？\n]{0,10}$")


def _durations(norm: str, kind: str) -> list[tuple[float, str, int, int]]:
    """(minutes, the matched text, its start and end) of each duration of `kind` the text states."""
    out = []
    for m in _DURATION_RES[kind].finditer(norm):
        if _OTHER_GOODS_RE.search(norm, max(0, m.start() - 14), m.start()):
            continue
        groups = m.groupdict()
        i = next(k[1:] for k, v in groups.items() if k.startswith("n") and v is not None)
        value = cn_number(groups["n" + i])
        if value is None or value <= 0:
            continue
        out.append((_in_minutes(value, groups["u" + i]), m.group(0), m.start(), m.end()))
    return out


def _reply_durations(text: str, own: str, kind: str) -> list[tuple[float, str]]:
    """(minutes, the reply's words) of each bare duration a seller's reply gives to a buyer's question naming `kind`
    (问：耐火多久？答：咱这门能扛一个半钟头), read on the text before its questions were blanked (`text`, normalised) where
    the reply itself still stands in the listing's own statements (`own`, of the same length)."""
    out = []
    for m in _REPLY_DURATION_RE.finditer(text):
        if not _REPLY_QUESTION_CUES[kind].search(m.group(1)) or _REPLY_OTHER_RE.search(m.group(1)) \
                or _REPLY_ERRAND_RE.search(m.group(1)) or _REPLY_ERRAND_RE.search(m.group(2)) \
                or _REPLY_ERRAND_RE.search(_CLAUSE_AFTER.match(text, m.end()).group()) \
                or own[m.start(2):m.end()] != text[m.start(2):m.end()]:
            continue
        value = cn_number(m.group(3))
        if value is not None and value > 0:
            out.append((_in_minutes(value, m.group(4)), text[m.start(2):m.end()]))
    return out


def _in_minutes(value: float, unit: str) -> float:
    return round(value if unit.startswith(("分", "min")) else value * 15 if unit == "刻钟" else value * 60, 2)


_CLAUSE_ENDS = "，,。;；!！?？\n"


def clause_around(norm: str, start: int, end: int, ends: str = _CLAUSE_ENDS, reach: int | None = None) -> str:
    """The clause holding norm[start:end]: from after the nearest clause end before it to the nearest one after it.
    `ends`: the characters ending a clause; `reach`: at most this many characters either side (a bound on the scan
    for a caller reading every match of a long text)."""
    lo = 0 if reach is None else max(0, start - reach)
    hi = len(norm) if reach is None else min(len(norm), end + reach)
    left = max(lo - 1, *(norm.rfind(c, lo, start) for c in ends)) + 1
    rights = [i for i in (norm.find(c, end, hi) for c in ends) if i >= 0]
    return norm[left:min(rights) if rights else hi]


MEASURED_BEFORE = 4  # characters before a duration's words searched for a word making it measured (经检测应急时间)


@lru_cache(maxsize=8)
def _measured_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize(w) for w in words)


def duration_role(norm: str, start: int, end: int, facts: dict[str, Any]) -> str:
    """What a duration stated at norm[start:end] is (specs.yaml `emergency_light.measured_words`, `tested_words`):
    "measured" when a measured word stands in it or just before it in its clause (实测应急时间180分钟, 应急时间（实测）：
    180分钟), "tested" for a test word (经检测应急时间可达180分钟; also a self-test: compared with nothing), else
    "declared" (应急时间：90分钟, 应急时间≥60min: a rating the listing states)."""
    light = facts.get("emergency_light") or {}
    measured = _measured_words(tuple(light.get("measured_words", ())))
    tested = _measured_words(tuple(light.get("tested_words", ())))
    lo = max(0, start - MEASURED_BEFORE)
    cut = max(norm.rfind(c, lo, start) for c in _CLAUSE_ENDS)
    said = norm[max(lo, cut + 1):end]
    if any(w in said for w in measured):
        return "measured"
    # a test word may be a measurement (经检测…可达180分钟) or the lamp's self-test (检测应急时间30分钟后自动恢复):
    # such a value is no rating, and no proof the lamp falls short either
    return "tested" if any(w in said for w in tested) else "declared"


def _minutes_value(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


_AGENT_WORDS = {
    "dry_powder": ["干粉", "abc粉", "磷酸铵盐"],
    "water": ["水基", "水型", "水系", "清水"],
    "co2": ["二氧化碳", "co2"],
    "foam": ["泡沫"],
    "clean_agent": ["洁净气体", "七氟丙烷", "六氟丙烷"],
}
# standards: domestic (GB, GB/T, XF, GA) and foreign (EN, UL, BS, NFPA, ...)
_STD_RE = re.compile(r"(?<![a-z])(gb|xf|ga)\s*/?\s*(t)?\s*(\d{2,5}(?:\.\d+)?)(?:\s*[-—–]\s*(\d{4}))?(?!\d)")
_FOREIGN_SCHEMES = ("en", "ul", "bs", "nfpa", "iec", "iso", "as/nzs", "din", "jis", "ansi")
_FOREIGN_GATE = _literals(_FOREIGN_SCHEMES)
_FOREIGN_STD_RE = re.compile(r"(?<![a-z])(" + "|".join(_FOREIGN_SCHEMES) + r")\s*[- ]?\s*(\d{1,5}(?:[-.]\d+)*)")
# fire doors, glass, ratings
_DOOR_CODE_RE = re.compile(r"(?<![a-z])(gmfm|gfm|mfm|bfm|gmfm)\s*-?\s*(\d{4})?(?:-?([a-z]{1,4}\d?))?")
_HOURS_A_RE = re.compile(r"(?:(?<![a-z])|(?<=\d))a\s?([0-3]\.\d{1,2})(?!\d)")
_GLASS_RE = re.compile(r"(?<![a-z])(ffb|dfb|gfb)\s*-?\s*(\d{1,2})\s*-?\s*([abc])\s*(\d(?:\.\d{1,2})?)(?![\d])")
# a grade joined to the one before it (甲乙级防火窗用, 乙丙级通用) names the classes of the goods the product serves or
# several on offer, not the product's own class: read as none (heldout11 #195)
# 甲等/乙等/丙等 is the same class in a shop's words (read as 甲级/乙级/丙级)
_GRADE_RE = re.compile(r"(?<![甲乙丙特超])(甲级|乙级|丙级|特级|甲等|乙等|丙等)(?![奖])")
# (heldout18, opened) a tolerance said 正负 (厚度误差正负0.5毫米以内)
_TOLERANCE_BEFORE_RE = re.compile(r"(?:±|\+/-|偏差|误差|公差|正负|上下)\s*[:：为在]?\s*$")
# a part's thickness before the figure (钢框厚1.5mm, 胶层厚度1mm) is no glass thickness
_PART_BEFORE_RE = re.compile(r"[框板钢边胶层膜漆壁管材皮]厚度?\s*[:：为约]?\s*$")
_GRADE_COMPARED_RE = re.compile(r"(?:比|相当于|优于|胜过|不如|区别于|不同于|对标|普通的?|别家的?|市面上?的?)\s*(?:普通|一般|传统|常规)?的?\s*$")
_MM_RE = re.compile(r"(\d(?<![\d.+]\d)\d?(?:\.\d)?)\s*(?:mm|毫米|厘(?!米))(?![\d+])")
# a thickness said as such (厚度 25mm, 厚19毫米, 厚度2.0公分, 厚2.5cm: ten times as many mm), where a text's other
# millimetres (偏差±2mm, 2400×1500mm) are no thickness, nor a part's (钢框厚1.5mm, 胶层厚1mm)
_THICK_SAID_RE = re.compile(r"(?<![框板钢边胶层膜漆壁管材皮])厚度?\s*+[:：为约]?\s*+(\d(?<![\d.+]\d)\d?(?:\.\d{1,2})?)\s*+(mm|毫米|厘(?!米)|公分|厘米|cm)(?![a-z²\d+])")
# sprinklers
_SPRINKLER_RE = re.compile(r"(?<![a-z])(?:([kt])\s*-\s*)?zst\s*(zd|xd|bs|bw|x|z|b|p|g|d)?\s*-?\s*(15|20|10|25)?"
                           r"\s*[-/]?\s*(\d{2,3})?\s*(?:℃|°c|度)?")
_TEMP_RE = re.compile(r"(\d{2,3})\s*(?:℃|°c|度)")
_COLOUR_RE = re.compile(r"(橙|红|黄|绿|蓝|紫)(?:色|球)|颜色\s*[:：]?\s*(橙|红|黄|绿|蓝|紫)")
_COLOUR_BALL_RE = re.compile(r"[橙红黄绿蓝紫]球")
_K_RE = re.compile(r"k(?<![a-z]k)\s*=?\s*(\d{2,3})(?![\d])")
# a K-factor named in a table row (K系数 80, K值：115, 流量系数 80)
_K_ROW_RE = re.compile(r"(?:k(?<![a-z]k)\s*+(?:系数|值|因子)|流量系数)\s*+[=:：]?\s*+(\d{2,3})(?![\d.])")
_DN_RE = re.compile(r"d(?<![a-z]d)n\s*(\d{2,3})(?!\d)")
# a pipe thread or bore in inches: 1寸, 1.5寸, a fraction (1/2寸, 3/4寸) or a whole and a fraction (1-1/2寸,
# 1 1/2寸); never the last digits of another number (12寸; DN15 1/2寸 is 1/2) nor a denominator alone (the "2寸"
# of 1/2寸 or 11/2寸: a half-inch sprinkler thread is DN15, not DN50); a slash between title words is no fraction
# (KD65/2.5寸)
_INCH_RE = re.compile(r"(?<![\d.])(?:(\d)\s*[-\s]\s*(?=\d\s*/))?(?:(\d)\s*/\s*(\d)|(\d(?:\.\d{1,2})?))\s*(?:寸|英寸)(半)?")
_BORE_WORD_RE = re.compile(r"(?:口径|内径|通径|公称直径|接口规格)\s*[:：]?\s*(?:dn)?\s*(\d{2,3})\s*(?:mm|毫米)?(?!\d)"
                           # (heldout22, opened) not a code's last part before the next row's noun (8-65-20 口径 65mm)
                           r"|(?<![\d.\-/×x*])(\d{2,3})\s*(?:mm|毫米)?\s*(?:口径|通径)")
_HYDRANT_RE = re.compile(r"(s(?<![a-z]s)(?:n[zsw]{0,2}|s|a))\s*(\d{2,3})(?!\d)")
_XBD_RE = re.compile(r"(?<![a-z])xbd\s*(\d{1,2}(?:\.\d{1,2})?)\s*/\s*(\d{1,3}(?:\.\d)?)")
_HEAD_RE = re.compile(r"扬程\s*[:：]?\s*(\d{1,3}(?:\.\d)?)\s*(?:m|米)")
_FOAM_CODE_RE = re.compile(r"(?<![a-z])(ar/afff|afff/ar|s/ar|afff|fffp|fp|ar)(?![a-z])")
_GAS_CODE_RE = re.compile(r"(?<![a-z])(gqq|xqq|qmq|wqq)[a-z]?\s*(\d{2,3})(?:\s*/\s*(\d(?:\.\d{1,2})?))?")
_MIX_RE = re.compile(r"([136](?<![\d.][136]))\s*%\s*(?:型|混合比|配比)?")
_MIX_WORDS_RE = re.compile(r"百分之([一三六])(?![十百千点零一二两三四五六七八九])")
_PRESSURE_RE = re.compile(r"(\d(?:\.\d{1,2})?)\s*mpa(?![a-z])")
# a pressure in 公斤 as the trade says it (16公斤压力, 工作压力：10公斤, 8公斤的水压): kgf/cm², read as 0.1 MPa each; a burst or
# test pressure (爆破压力 40公斤) is no working pressure
_KGF_PRESSURE_RE = re.compile(r"(?:工作压力|使用压力|额定压力|压力|水压)\s*+[:：为约]?\s*+"
                              r"(\d(?<![\d.]\d)\d?(?:\.\d)?)\s*+公斤(?![/每])"
                              r"|(\d(?<![\d.]\d)\d?(?:\.\d)?)\s*+公斤\s*+的?\s*+(?:工作压力|压力|水压)")


_TEST_BEFORE_RE = re.compile(r"(?:爆破|试验|测试|破坏|破裂)$")


# a burst or test pressure (爆破压力 2.4MPa, 试验压力 1.2MPa) or one the goods may be used at (适用压力, 可接) is no
# working pressure of the goods
_NOT_WORKING_RE = re.compile(r"(?:爆破|试验|测试|破坏|耐压|破裂|适用|可用于|可接|用于|适配)(?:压力|压)?[^\d，,。;；]{0,6}$")


def _working_pressures(norm: str) -> list[float]:
    """The working pressures (MPa) a normalised text states: in MPa or in 公斤, not a burst, test or use pressure."""
    return sorted({float(m.group(1)) for m in _PRESSURE_RE.finditer(norm)
                   if not _NOT_WORKING_RE.search(norm, max(0, m.start() - 10), m.start())}
                  | {v for at, v in kgf_pressures(norm) if not _NOT_WORKING_RE.search(norm, max(0, at - 10), at)})


def kgf_pressures(norm: str, tests: bool = False) -> list[tuple[int, float]]:
    """(where, MPa) of each pressure a normalised text states in 公斤 (16公斤压力: 1.6 MPa); a burst or test pressure
    (爆破压力 40公斤) only with `tests`."""
    if "公斤" not in norm or "压" not in norm:
        return []
    return [(m.start(1) if m.group(1) else m.start(2), float(m.group(1) or m.group(2)) / 10.0)
            for m in _KGF_PRESSURE_RE.finditer(norm)
            if tests or not _TEST_BEFORE_RE.search(norm, max(0, m.start() - 2), m.start())]
# hoses and couplings
_HOSE_RE = re.compile(r"(\d(?<![\d.\-/a-z]\d)\d?)\s*-\s*(\d{2,3})\s*-\s*(\d{2,3})(?![\d.])")
_LENGTH_RE = re.compile(r"(\d(?<![\d.]\d)\d{0,2})\s*(?:米|m)(?![a-z²m])(?!\s*[*×x])")
_COUPLING_RE = re.compile(r"(?<![a-z])k(ds|dn|ws|wx|wz|wh|wk|d|j|y|z|a)\s*-?\s*(\d{2,3})(?![\d])")
# cables
# (a match starts on a character, not inside a run of spaces: blanked asides leave long runs, and a start in each
# would read the run again and again)
_CABLE_RE = re.compile(r"(?<![a-z])(?=\S)((?:wd)?(?:zr-?nh|zr|z[abcd]n|z[abcd]|zn|nh|n|z)?)\s*+-?\s*+"
                       r"(yjv22|yjlv|yjy|yjv|vv22|vv|bvvb|bvr|bvv|bv|byjr|byj|rvvp|rvv|rvs|rv|kvvp|kvv|bttz|bttrz|"
                       r"yttw|btly|ng-a|djyvp)(?![a-z])")
_CONDUCTOR_RE = re.compile(r"(\d(?<![\d.*×]\d)(?<!\dx\d)\d?)\s*[*×x]\s*(\d{1,3}(?:\.\d{1,2})?)(?:\s*\+\s*(\d)\s*[*×x]\s*(\d{1,3}(?:\.\d{1,2})?))?"
                           r"(?![\d.]|\s*(?:米|m(?![m²2])|cm|厘米|[*×]))")
_SECTION_RE = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\s*(?:平方(?:毫米)?|mm²|mm2|㎟)")
# several sections on offer before one unit: 1.5/2.5/4/6平方, 1.5 2.5 4 6平方, 1.5、2.5、4平方
# (session 37: a separator is a mark with spaces around it or spaces alone, each taken whole; the old \s*[\s]\s* split
# a long run of spaces every way, quadratic)
_SECTION_LIST_RE = re.compile(r"(?<![\d.*×x])(\d{1,3}(?:\.\d{1,2})?(?:(?:\s*+[/、,，]\s*+|\s++)\d{1,3}(?:\.\d{1,2})?){2,})\s*+"
                              r"(?:平方|mm²|mm2|㎟)")
_CORES_RE = re.compile(r"(?<![a-z\d.+])(?<!\+\s)(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*芯(?!数)")
# a count written as a sum (3+1芯, 3+2芯: phase and neutral/earth cores): the cores are their total
_CORES_SUM_RE = re.compile(r"(?<![a-z\d.])(\d)\s*(?:芯\s*)?\+\s*(\d)\s*芯(?!数)")
# a count in a row named 芯数 without its 芯 (芯数：5): the count
_CORES_ROW_RE = re.compile(r"芯数\s*[:：]?\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})(?![\d.*×x芯])")
# a conductor spec in words (3芯4平方加1芯2.5, 三芯2.5平方+一芯1.5): cores × section, plus a second group
_CN_NUM = r"\d{1,2}|[一二两三四五六七八九十]{1,3}"
_SEC_NUM = r"\d{1,3}(?:\.\d{1,2})?|[一二两三四五六七八九十]{1,3}(?:点[一二三四五六七八九])?"
_CONDUCTOR_WORDS_RE = re.compile(
    rf"(?<![a-z\d.])({_CN_NUM})\s*+芯\s*+[*×x]?\s*+({_SEC_NUM})(?:\s*+(?:平方(?:毫米)?|mm²|mm2|㎟))?"
    rf"(?:\s*+(?:加|\+|和)\s*+({_CN_NUM})\s*+芯\s*+[*×x]?\s*+({_SEC_NUM})(?:\s*+(?:平方(?:毫米)?|mm²|mm2|㎟))?)?"
    r"(?![\d.])")
_VOLTAGE_RE = re.compile(r"(0\.6/1|450/750|300/500|300/300|8\.7/15|26/35|0\.6/1\.0)\s*(kv|v)?")
# blankets, batteries, packs, certificates
_SIZE_RE = re.compile(r"(\d{1,4}(?:\.\d{1,2})?)\s*+(mm|毫米|m|米|cm|厘米)?\s*+[*×x]\s*+(\d{1,4}(?:\.\d{1,2})?)"
                      r"(?:\s*+(mm|毫米|m|米|cm|厘米))?(?![\d.*×x])")
# 4只装, 装12个; never a minimum order (包装：10只起批 is one unit's price, ten the least order)
_PACK_RE = re.compile(r"(\d{1,3})\s*(?:只|个|瓶|具|支|条|套|件|台)\s*装|装\s*(\d{1,3})\s*(?:只|个|瓶|具)(?!\s*起(?:批|订|售|购))")
# a CCC number written in groups (2023 0109 1807 0001, 2023-01-0918-070001: its 4-digit groups or its fields
# year-body-category-serial) is read whole; any other token after a cue as it stands
_CCC_SEP = "[ \\-\u2013\u2014]"
_CCC_GROUPED = (r"\d{4}" + _CCC_SEP + r"\d{4}" + _CCC_SEP + r"\d{4}" + _CCC_SEP + r"\d{4}",
                r"\d{4}" + _CCC_SEP + r"\d{2}" + _CCC_SEP + r"\d{4}" + _CCC_SEP + r"\d{6}")
# (session 33) 是/为 between the cue and the number (证书号是2019…, 证书编号为2021…), as a seller or a host says it
# and a digit run in spaced groups of another length (2019 0810 0123 456: 15 digits) read whole, not as its first group
_CERT_VALUE = (r"\s*+[:：]?\s*+(?:是|为)?\s*+(?:no\.?\s*+)?((?:" + "|".join(_CCC_GROUPED) + r")(?![0-9a-z])"
               r"|\d{4}(?: \d{2,6}){2,4}(?![0-9a-z])|[0-9a-z][0-9a-z-]{3,30})")
# the same groups, each separator optional (2023-01091807-0001 keeps its dashes at group boundaries)
_CCC_GROUPED_RES = tuple(re.compile(g.replace(_CCC_SEP, _CCC_SEP + "?")) for g in _CCC_GROUPED)
# nominal inches -> DN (GB/T 1047 and the pipe trade: 1/2" DN15, 3/4" DN20, 1" DN25, 1-1/4" DN32 ...)
_INCH_TO_DN = {0.5: 15, 0.75: 20, 1.0: 25, 1.25: 32, 1.5: 40, 2.0: 50, 2.5: 65, 3.0: 80, 4.0: 100}


def _inches(norm: str) -> list[float]:
    """The inch sizes a normalised text states: 1寸 1.0, 1.5寸 and 1寸半 1.5, 1/2寸 0.5, 1-1/2寸 1.5."""
    out = []
    for m in _INCH_RE.finditer(norm):
        whole, num, den, plain, half = m.groups()
        if plain and plain.isdigit() and re.search(r"\d\s*/\s*$", norm[max(0, m.start() - 3):m.start()]):
            continue  # the denominator of a fraction read apart (11/2寸); KD65/2.5寸 is 2.5 after a slash
        if plain:
            if not half:
                out.append(float(plain))
            elif plain.isdigit():
                out.append(float(plain) + 0.5)
        elif int(den) and int(num) < int(den):
            out.append(int(whole or 0) + int(num) / int(den))
    return out


@lru_cache(maxsize=8)
def load_facts(path: str = str(SPECS_PATH)) -> dict[str, Any]:
    """The spec facts (cached per path)."""
    return load_yaml(path)


# the certificate section's (cues, expression), by the section's id (kept, so the id stays its own): looking
# them up by the cue list's contents built and hashed a tuple of it on every parse
_CERT_CACHE: dict[int, tuple[dict[str, Any], tuple[re.Pattern, re.Pattern]]] = {}


def _cert_tables(facts: dict[str, Any]) -> tuple[re.Pattern, re.Pattern]:
    """(the normalised certificate cues as one expression: every certificate number follows one, the number's
    expression)."""
    section = facts["ccc_certificate"]
    cached = _CERT_CACHE.get(id(section))
    if cached is None or cached[0] is not section:
        if len(_CERT_CACHE) > 16:
            _CERT_CACHE.clear()
        raw = tuple(section["cues"])
        cached = _CERT_CACHE[id(section)] = (section, (_literals(_cert_cues_for(raw)), _cert_re_for(raw)))
    return cached[1]


@lru_cache(maxsize=32)
def _cert_cues_for(raw_cues: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize(c) for c in raw_cues)


@lru_cache(maxsize=32)
def _cert_re_for(raw_cues: tuple[str, ...]) -> re.Pattern:
    # built once per cue list: rebuilding it on every parse_specs call was half the rules' time
    cues = sorted((normalize(c) for c in raw_cues), key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(c) for c in cues) + ")" + _CERT_VALUE)


@lru_cache(maxsize=8)
def _cert_digit_re(raw_cues: tuple[str, ...]) -> re.Pattern | None:
    """(session 33) The `digit_cues` (3C证书, CCC认证: names of the document, not of its number) before a run of digits,
    spaces and dashes: such a cue names a number only when at least 12 digits follow (the caller counts them)."""
    if not raw_cues:
        return None
    cues = sorted((normalize(c) for c in raw_cues), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, cues)) + r")\s*+[:：]?\s*+(\d[\d -]{10,26}\d)(?![0-9a-z])")


def _ext_codes(norm: str, facts: dict[str, Any]) -> list[dict[str, Any]]:
    agents = facts["extinguisher"]["agents"]
    kg_agents = set(facts["extinguisher"]["kg_agents"])
    out = []
    for m in _EXT_RE.finditer(norm):
        agent_key, structure, feature, amount = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4)
        if agent_key == "sw" or (agent_key == "s" and structure.startswith("z")):
            agent = "water"
        else:
            agent = agents.get(agent_key, agent_key)
        if not structure and not feature and agent_key in ("p", "s") and not m.group(5):
            continue  # "mp3", "ms6": too ambiguous without a structure letter or unit
        code = norm[m.start():m.end(4)]
        out.append({"code": code.upper(), "agent": agent, "structure": structure.upper(),
                    "feature": feature.upper(), "amount": float(amount),
                    "unit": "kg" if agent in kg_agents else "L",
                    "wheeled": structure.startswith("t") and agent_key != "t"})
    return out


# the unit in an attribute's name: 净重(kg) 2, 充装量（公斤）：4
_KEY_WEIGHT_RE = re.compile(r"(?:净重|充装量|灭火剂量|药剂量|装药量|净含量|重量)\s*[(（]\s*(kg|公斤|千克)\s*[)）]\s*[:：]?\s*"
                            r"(\d+(?:\.\d+)?)(?![\d.])")


# (heldout9) an agent's mass in grams after its noun (灭火剂重量 5000g, 充装量：2000克): the same mass in kilograms
_KEY_GRAMS_RE = re.compile(r"(?:灭火剂重量|灭火剂量|药剂重量|药剂量|装药量|充装量)\s*[:：]?\s*(\d{3,5})\s*(?:g|克)(?![a-z])")


# a bound qualifying a class of products, no one product's mass (大于三公斤的国标, 超过4kg的灭火器, 3公斤以上的):
# a comparison word before the figure and 的 after it
_CLASS_BOUND_BEFORE_RE = re.compile(r"(?:大于|小于|超过|低于|高于|不足|不到)\s*$")
_CLASS_BOUND_AFTER_RE = re.compile(r"\s*(?:以上|以下)?的")


def _weights(norm: str) -> list[float]:
    out = [float(m.group(2)) for m in _KEY_WEIGHT_RE.finditer(norm)]
    pressures = {at for at, _ in kgf_pressures(norm, tests=True)}  # 16公斤压力 is a pressure, no mass
    if "g" in norm or "克" in norm:
        out += [float(m.group(1)) / 1000.0 for m in _KEY_GRAMS_RE.finditer(norm)]
    for m in _WEIGHT_RE.finditer(norm):
        if m.start() in pressures:
            continue
        if _GROSS_RE.search(norm[max(0, m.start() - 12):m.start()]) or _GROSS_AFTER_RE.match(norm, m.end()):
            continue
        if _CLASS_BOUND_AFTER_RE.match(norm, m.end()) and _CLASS_BOUND_BEFORE_RE.search(norm, max(0, m.start() - 4), m.start()):
            continue
        if _DIFFERENCE_BEFORE_RE.search(norm, max(0, m.start() - 4), m.start()) \
                or _OTHER_SHOP_RE.search(norm, _clause_start(norm, m.start()), m.start()):
            continue
        if _FITS_AFTER_RE.match(norm, m.end()) and _FITS_BEFORE_RE.search(norm, max(0, m.start() - 10), m.start()):
            continue
        out.append(float(m.group(1)) * (0.5 if m.group(2) == "斤" else 1.0))
    return out


# (heldout18, opened) a mass right after 多 or 少 (比别家多一公斤, 少了半斤; not the bounds 至少, 最多, 不少于) is a
# difference, and one in a clause naming another shop's goods (别家只有4公斤) is theirs: neither is these goods' mass
_DIFFERENCE_BEFORE_RE = re.compile(r"(?<![至最不])(?:多|少)(?:了|出来?)?\s*+$")
# (session 38) the units an accessory fits (支架适用1-8kg灭火器, 箱子可放两具4公斤灭火器): a mass before 灭火器 in a clause saying
# what fits, not the goods' own fill
_FITS_BEFORE_RE = re.compile(r"(?:适用|适合|适配|可放|可装|能放|能装|通用|兼容)[^，,。;；!！?？]{0,8}$")
_FITS_AFTER_RE = re.compile(r"\s*+(?:的\s*+)?(?:干粉|水基|二氧化碳)?灭火器")
_OTHER_SHOP_RE = re.compile(r"(?:别家|别人家|人家的|市面上|同行|其他家|其它家)(?:(?!我们|我家|本店|咱)[^，,。;；!！?？\d]){0,6}$")


def _clause_start(norm: str, pos: int) -> int:
    """Where the clause holding `pos` begins: after the nearest clause end before it (at most 24 characters back)."""
    lo = max(0, pos - 24)
    ends = [i for i in (norm.rfind(c, lo, pos) for c in _CLAUSE_ENDS) if i >= 0]
    return max(ends) + 1 if ends else lo


def _volumes(norm: str) -> list[float]:
    out = []
    for value, unit in _VOLUME_RE.findall(norm):
        v = float(value)
        out.append(v / 1000.0 if unit in ("ml", "毫升") else v)
    return out


_AGENT_OF = {w: agent for agent, words in _AGENT_WORDS.items() for w in words}
# one scan for every word; words of different agents never overlap, so the agents found
# are those of any(word in text)
_AGENT_RE = re.compile("|".join(re.escape(w) for w in sorted(_AGENT_OF, key=len, reverse=True)))


def _agents_stated(norm: str) -> list[str]:
    # an agent denied or compared (不是干粉的, 比干粉更干净, 告别干粉) is not the one the unit holds (the word
    # families' denial words, `_WORD_NEGATION_RE`)
    found = {_AGENT_OF[m.group(0)] for m in _AGENT_RE.finditer(norm)
             if not _WORD_NEGATION_RE.search(norm, max(0, m.start() - 6), m.start())}
    return [agent for agent in _AGENT_WORDS if agent in found]


# the agent named as such, after its noun (灭火剂：ABC干粉, 药剂类型 二氧化碳): the listing's declaration of what the
# unit holds, where a title may name several agents as search words (二氧化碳灭火器 干粉 ABC)
_AGENT_DECLARED_RE = re.compile(r"(?:灭火剂|灭火药剂|药剂|灭火介质|充装介质)\s*(?:类型|种类|名称)?\s*[:：为是]?\s*"
                                r"(?:[a-z]{1,4}\s*类?)?(" + _AGENT_RE.pattern + ")")


def _agents_declared(norm: str) -> list[str]:
    found = {_AGENT_OF[m.group(1)] for m in _AGENT_DECLARED_RE.finditer(norm)}
    return [agent for agent in _AGENT_WORDS if agent in found]


def _standards(norm: str) -> tuple[list[str], list[dict[str, Any]]]:
    legacy, cited = [], []
    for m in _STD_RE.finditer(norm):
        scheme = m.group(1).upper() + ("/T" if m.group(2) else "")
        number, year = m.group(3), m.group(4)
        ident = f"{scheme} {number}" + (f"-{year}" if year else "")
        if year:
            legacy.append(f"{number}-{year}")
        cited.append({"id": ident, "scheme": scheme, "number": number, "year": int(year) if year else None,
                      "text": norm[m.start():m.end()]})
    return legacy, cited


# a clause offering another product (搭配直立型ZSTZ15-68一起购买更优惠, 另售边墙型): its codes and
# mounting words are not the listing's own
_CROSS_SELL_CUES = r"搭配|一起购买|一起买|另售|另有|为您推荐|推荐购买|加购|套餐|凑单|店内还有|本店还有"
_CROSS_SELL_RE = re.compile(r"[^，,。；;！!？?\n]*(?:" + _CROSS_SELL_CUES + r")[^，,。；;！!？?\n]*")
# the cue words alone: the clause expression tries every start position up to the clause's end (slow on a
# long description), and most texts hold no cue, so they are looked for first
_CROSS_SELL_CUE_RE = re.compile(_CROSS_SELL_CUES)


def own_clauses(norm: str) -> str:
    """The normalised text with every cross-selling clause blanked (same length, so spans hold)."""
    if _CROSS_SELL_CUE_RE.search(norm) is None:
        return norm
    return _CROSS_SELL_RE.sub(lambda m: " " * len(m.group(0)), norm)


# (replies.py reads a reply after its question; this module blanks the question itself)
_QUESTION_WINDOW = 60
# a buyer's question as a page reports it (问：能用液化气吗？ / 问：和普通BV有什么区别？答：…): from 问 and its colon to the
# question mark, the reply's 答 or the line's end, at most `_QUESTION_WINDOW` characters; (session 37) also 买家问：…
# 卖家答：, 【买家问】…【掌柜答】 (a bracket ends the question), Q：…A：, 请问…吗？ inside a sentence (to its question mark, or
# a 吗 ending its clause) and a question reported in a sentence (有人问这个能不能过年检，…: to its clause's end). Every
# form is bounded by the window, so a long run is read in linear time.
_QUESTION_SPAN = re.compile(
    r"(?:问\s*[:：】\]]|(?<![a-z0-9])[qＱｑ]\s*[:：])[^\n问答【]{0,%(w)d}?"
    r"(?:[?？]|(?=(?:答|(?<![a-z0-9])[aＡａ])\s*[:：】\]])|(?=[【\n])|$)"
    r"|请问[^\n。！!？?问答【]{1,%(w)d}?(?:[?？]|(?<=[吗么嘛])(?=[\s，,。！!；;]|$))"
    r"|(?<!没)(?:有人|买家|客户|顾客|网友|很多人|不少人|好多人|经常有人|老有人|总有人|常有人)问(?!\s*[:：】\]])"
    r"(?:过|我|我们|了|到)?[，,\s]*[^\n，,。；;！!？?问答【]{1,40}?(?:[?？]|(?=[，,。；;！!\n]|$))"
    % {"w": _QUESTION_WINDOW}, re.IGNORECASE)
_QUESTION_GATE = re.compile(r"问|[qＱｑ]\s*[:：]", re.IGNORECASE)
# (session 37) the seller's bare yes right after a question (答：能，缺氧也能用; 答：是的; 答：可以): the reply takes up the
# question's words as its own claim. 是的 / 对 / 没错 / 嗯 / 有的 answer any question; 能, 可以, 会, 放心, 没问题 and a
# promise only a question asking whether it can (能过消防检查吗？答：能过 / 放心过) -- 答：能正常灭火 to 是道具吗？ is no yes
_REPLY_OPENING = r"[\s，,]*(?:【?[^\s【】:：，,。？?]{0,3}(?:答|回复|回)\s*[】\]:：]|[aＡａ]\s*[:：]|(?:客服|掌柜|卖家|店家|商家|老板)\s*[:：])?\s*"
_YES_ANY = re.compile(_REPLY_OPENING + r"(?:是的|是啊|是呀|是滴|是哦|是(?=[，,。！!\s]|$)|对的?(?![于比])|没错|嗯|有的|有(?=[，,。！!\s]|$))",
                      re.IGNORECASE)
_YES_CAN = re.compile(_REPLY_OPENING + r"(?:能(?![否不])|可以|会(?![不])|放心|没问题|包|保证|肯定能|绝对能|一定能)", re.IGNORECASE)
_CAN_ASKED = re.compile(r"能|可以|会")
# (session 37) a reply whose first clause says again two characters of the question, undenied (问：证书过期了吗？答：过期半年了;
# 问：证书是借的吧？答：是借的，产品一样): it takes the question's words up as its own claim; a clause holding a denial
# (答：钴酸锂不让用, 答：不是翻新的, 答：没过期) or naming another thing (答：磷酸铁锂的) takes up nothing
_ECHO = re.compile(_REPLY_OPENING + r"(?:是的?|就是|对的?|嗯)?[，,\s]*+([\u4e00-\u9fff]{2})([^，,。；;！!？?\n]{0,10})", re.IGNORECASE)
_ECHO_DENIED = re.compile(r"[不没非无别未禁否]")


def _echoes(text: str, question: re.Match) -> bool:
    """Whether the reply after `question` opens by saying two of its characters again, with no denial in its clause."""
    e = _ECHO.match(text, question.end())
    return e is not None and e.group(1) in question.group(0) and not _ECHO_DENIED.search(e.group(1) + e.group(2))


# (review 37) a 请问 question is a buyer's only when the page reports it as one (有顾客留言请问…, 买家：请问…) or answers it
# (请问是翻新瓶吗？客服：…, 请问可以在缺氧环境使用吗？不可以): the shop's own 请问 to the buyer (请问您是要年检专用款吗？拍这个链接
# 就对了) or a rhetorical one (请问哪里还能买到比我们更便宜的年检专用灭火器？) is the seller's voice and states what it says
_ASKER_BEFORE = re.compile(r"(?:留言|买家|顾客|客户|客人|网友|粉丝|朋友|有人|私信|咨询)[^，,。！!？?\n]{0,4}$")
_ANSWER_AFTER = re.compile(r"[\s，,]*(?:【?[^\s【】:：，,。？?]{0,3}(?:答|回复|回)\s*[】\]:：]|[aＡａ]\s*[:：]"
                           r"|(?:客服|掌柜|卖家|店家|商家|老板|店主)\s*[:：]|不是|不能|不可以|不会|不行|不用|没有|没|不|是|对|"
                           r"可以|能|会|有|嗯|亲)", re.IGNORECASE)
# (review 37) a question asked both ways (是不是, 有没有, 能不能, 可不可以) a bare yes answers with its positive: 问：是不是年检
# 专用？答：对 says 是年检专用, 很多人问有没有3C，有的 says 有3C. Its 不是 / 没有 neither denies nor claims a lack
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")


def _question_matches(text: str) -> list[tuple[re.Match, bool]]:
    """Each buyer's question in `text` (`_QUESTION_SPAN`) with whether the seller's reply takes it up (a bare yes, or its
    words said again: `_echoes`)."""
    if _QUESTION_GATE.search(text) is None:
        return []
    out = []
    for m in _QUESTION_SPAN.finditer(text):
        if m.group(0).startswith("请问") and not (_ASKER_BEFORE.search(text, max(0, m.start() - 12), m.start())
                                                 or _ANSWER_AFTER.match(text, m.end())):
            continue
        out.append((m, bool(_YES_ANY.match(text, m.end()) or (
            _CAN_ASKED.search(m.group(0)) and _YES_CAN.match(text, m.end())) or _echoes(text, m))))
    return out


def question_spans(text: str, keep_affirmed: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each buyer's question in `text` (问：…？, and the forms `_QUESTION_SPAN` reads). `keep_affirmed`:
    not a question the seller's reply answers with a bare yes (问：能用在缺氧的地方吗？答：能), the reply making its
    words the seller's claim (for the rules reading claims, not values)."""
    return [m.span() for m, yes in _question_matches(text) if not (keep_affirmed and yes)]


def taken_up(text: str) -> str:
    """`text` with each question asked both ways that a bare yes answers (问：是不是年检专用？答：对) read as its positive
    (是是是年检专用: the 不 / 没 written over by the word it negates), its length kept."""
    if _A_NOT_A.search(text) is None:
        return text
    return _taken_up(text, _question_matches(text))


def _taken_up(text: str, questions: list[tuple[re.Match, bool]]) -> str:
    """`taken_up` with the questions of `text` already read."""
    if _A_NOT_A.search(text) is None:
        return text
    for m, yes in questions:
        if yes:
            lo, hi = m.span()
            text = text[:lo] + _A_NOT_A.sub(lambda a: a.group(1) * 3, text[lo:hi]) + text[hi:]
    return text


def without_questions(text: str, keep_affirmed: bool = False) -> str:
    """`text` with each buyer's question (`question_spans`) blanked by spaces, its length kept: what a buyer asks
    about (液化气能用吗, 和普通BV有什么区别, 是4公斤吗) is no statement of the product; the seller's reply stays.
    `keep_affirmed`: a question a bare yes takes up stays, asked both ways read as its positive (`taken_up`)."""
    questions = _question_matches(text)  # read once for both the blanking and the positive reading
    spans = [m.span() for m, yes in questions if not (keep_affirmed and yes)]
    if keep_affirmed:
        text = _taken_up(text, questions)
    if not spans:
        return text
    parts, at = [], 0
    for lo, hi in spans:
        parts += [text[at:lo], " " * (hi - lo)]
        at = hi
    parts.append(text[at:])
    return "".join(parts)


# Values introduced as other variants or options of the shop (另有20米款, 另售MFZ/ABC2, 店内还有8kg的款式, 可选20米,
# 其他规格：20米, 20米可选) are not this listing's: from the word to the end of its clause or title word (a space
# ends one: a title's words are separated by spaces), or the word a 可选 follows; 可选配 / 可选择 / 可选购 (an
# add-on or a choice of service) state no other variant of the product.
_CLAUSE_CHARS = r"[^\s，,。；;！!？?\n]"
_OTHER_VARIANTS_RE = re.compile(
    # (session 38) the shop's own 还有 / 也有 (本店也有ZB-YJV, 店内还有XBD8.0/30) always names other goods; a bare one names
    # them before a variant's word or a clause ending on 的 (也有8-65-25和DN50的，另拍)
    r"(?:另有|另售|(?:店内|本店|店里|我们|我家|咱家)(?:还有|也有)"
    r"|(?:还有|也有)(?=[^，,。；;！!？?\n]{0,20}?(?:款|规格|型号|尺寸|可选|的(?=[，,。；;！!？?\n]|$)))"
    r"|其[他它](?:规格|尺寸|长度|型号|款式|款)|可选(?:规格|尺寸|型号|长度|款式))[\s:：]*" + _CLAUSE_CHARS + r"*"
    # a bare 可选 only before the word it joins (可选20米; 57℃/68℃可选 ZSTZ15: the code after the space is the product's)
    r"|可选(?![配择购装])[:：]?" + _CLAUSE_CHARS + r"*"
    # (bounded: on a long run of text without punctuation an open repeat before 可选 takes quadratic time)
    r"|" + _CLAUSE_CHARS + r"{1,40}可选(?![配择购装])"
)
# (session 34) a clause ending on another variant on offer (2公斤的也有哦, 两公斤的要另拍): blanked from the clause's start,
# at most 40 characters back (`_blank_variants_at_clause_end`); a clause that is only a request (，请另拍) names no
# variant and is left for the word before it to read
_VARIANT_AT_END_RE = re.compile(r"(?:也有|还有|另拍|另外拍|另有售|另售|另购)(?=[哦呢的哈啊呀]{0,3}(?:[，,。；;！!？?\n]|$))")
_CLAUSE_STOP_RE = re.compile(r"[\s，,。；;！!？?\n]")


# a buyer's question and the seller's reply that sends the buyer to another listing or a made-to-order piece (问：有五芯的吗？
# 答：五芯的是3x4+2x2.5，另拍; 问：有甲级的吗？答：甲级要定做): both speak of a variant this listing does not sell
_OTHER_LISTING_REPLY_RE = re.compile(
    r"问\s*[:：][^\n问]{0,40}?(?:答|回复|客服)\s*[:：][^\n问]{0,40}?"
    r"(?:另拍|另外拍|另一款|另款|另一个链接|其他链接|别的链接|单独拍|(?:要|需|需要|得|可以)(?:定做|定制))[^\n问，,。;；!！]*"
    # (session 38) or, in the reply's first clause, prices it against this one (问：乙级的多少钱？答：乙级便宜两百; 答：甲级的
    # 要补差价); 答：乙级，不贵 says the class first
    r"|问\s*[:：][^\n问]{0,40}?(?:答|回复|客服)\s*[:：][^\n问，,。;；!！]{0,20}?"
    r"(?:便宜|贵(?![重州阳])|差价|补差|加价|加钱)[^\n问，,。;；!！]*")
_OTHER_LISTING_GATE = ("另", "定", "链接", "单独", "便宜", "贵", "差", "加价", "加钱")


# Another product named in a comparison (比干粉灭火器MFZ/ABC4更干净, 比普通8-65-20水带还耐压, 比乙级多零点二个钟): from
# 比 to the 更 / 还 / 多 / 高 … of its clause, at most 24 characters; 比例, 比较, 对比, 相比, 性价比, 无比 are no comparison of this kind
_COMPARED_RE = re.compile(r"(?<![对相无好价类正反等])比(?![例较如值重率对])[^，,。；;！!？?\n]{1,24}?"
                          r"(?=更|还要?[^有]|多|高|强|好|长|耐|厚|大|少|低|差|短|薄|小|便宜|贵|实惠|划算)")

# a clause comparing the goods with others (比普通2kg的灭火面积大一倍, 比市面上3平方的粗, 不像别家30分钟的): its figures
# are the other goods' or a difference, not this listing's: from the comparison to the clause's or title word's end
_COMPARED_CLAUSE_RE = re.compile(r"(?:相比|对比|比|不像|不同于|区别于|胜过|优于)\s*(?:于\s*)?(?:普通|一般|传统|常规|市面上?|市场上?|"
                                 r"别家|别人家|别的|其他|其它|同类|老款|旧款|国标|小号|大号|劣质|杂牌|山寨)[^\s，,。；;！!？?\n]*"
                                 # the other goods named first (跟2kg的比, 与离子式不同, 和普通款相比, 同类产品相比)
                                 r"|(?:跟|与|和|同)[^\s，,。；;！!？?\n]{1,12}?(?:相比|比较|对比|(?<![配混])比(?![例率重值])|不同|不一样|有区别|区别)")
# a buyer asking how the goods differ from others (问：和二氧化碳的有什么区别？答：二氧化碳的不留痕迹): the reply speaks of
# the other goods too, to its sentence's end
_COMPARISON_QUESTION_RE = re.compile(r"问\s*[:：][^\n问答]{0,60}?(?:区别|不同|不一样|哪个好|哪种好|比|相比)[^\n问答]{0,20}?"
                                     r"(?:[?？]\s*)?(?:答\s*[:：])?[^。\n问]{0,60}")


# other goods offered beside the listing's (建议搭配20米水带一起使用, 加购2kg车载款): from the cue to its clause's or its
# title word's end (a space ends one), the listing's own values before the cue kept (消防水带 25米 搭配…)
# (session 38) and an accessory's or a part's own (配套灭火器箱可装两具MFZ/ABC8, 另附DN50转换头): 配套 before the hose a
# coupling fits (配套65水带) is the coupling's own bore and stays
_CROSS_SELL_TAIL_CUES = (r"搭配|一起购买|一起买|加购|凑单|为您推荐|推荐购买|另附|附送|赠送"
                         r"|配套(?!\s*(?:使用|于)?\s*(?:dn)?\s*\d{2,3}\s*(?:mm|毫米)?\s*的?\s*(?:水带|口径))")
_CROSS_SELL_TAIL_CUE_RE = re.compile(_CROSS_SELL_TAIL_CUES)
_CROSS_SELL_TAIL_RE = re.compile(r"(?:" + _CROSS_SELL_TAIL_CUES + r")[^\s，,。；;！!？?\n]*")


# (session 39, heldout21 opened) a clause about old goods taken back (以旧换新, 旧的4公斤干粉灭火器可以寄回, 老款铅酸的应急灯
# 用到报废了可以寄回): a take-back word and an old-goods word in one clause; their values are the old goods'
_TAKE_BACK_GATE = ("寄回", "回收", "收走", "以旧换新", "抵", "换下")
# (a space ends it too: a title's words are spaced, 干粉灭火器 MFZ/ABC4 以旧换新; each part bounded: a long run without a
# clause end holds no quadratic scan)
# (session 39 review) 以旧换新 names no old goods by itself: the words before it are the goods' own (干粉灭火器4kg以旧换新,
# 烟雾报警器10年锂电池以旧换新), only those after it in its clause may be the old goods' (以旧换新：换下来的…); nor is its 旧 an
# old-goods word
_OLD_GOODS_CLAUSE_RE = re.compile(
    r"以旧换新[^\s，,。；;！!？?]{0,40}"
    r"|[^\s，,。；;！!？?]{0,40}(?:换下来的|换下的|(?:(?<!以)旧|老|报废|过期)[^\s，,。；;！!？?]{0,30}?(?:寄回|回收|收走|可抵|抵扣|抵\d)"
    r"|(?:寄回|回收|收走)[^\s，,。；;！!？?]{0,30}?(?:旧的|旧灯|老灯|旧瓶|旧款|报废|过期))[^\s，,。；;！!？?]{0,40}")


def without_asides(norm: str) -> str:
    """The normalised text with each buyer's question (`without_questions`; a question comparing the goods with
    others with its reply), each clause comparing the goods with others (`_COMPARED_CLAUSE_RE`), each offer of
    other goods (`_CROSS_SELL_TAIL_RE`) and each clause about old goods taken back (`_OLD_GOODS_CLAUSE_RE`) blanked,
    its length kept: none states the product's own values."""
    if any(w in norm for w in _TAKE_BACK_GATE):
        norm = _OLD_GOODS_CLAUSE_RE.sub(lambda m: " " * len(m.group(0)), norm)
    if "问" in norm and _COMPARISON_QUESTION_RE.search(norm):
        norm = _COMPARISON_QUESTION_RE.sub(lambda m: " " * len(m.group(0)), norm)
    norm = without_questions(norm)
    if _CROSS_SELL_TAIL_CUE_RE.search(norm):
        norm = _CROSS_SELL_TAIL_RE.sub(lambda m: " " * len(m.group(0)), norm)
    if "比" not in norm and "不像" not in norm and "不同" not in norm and "区别" not in norm and "优于" not in norm \
            and "胜过" not in norm and "不一样" not in norm:
        return norm
    return _COMPARED_CLAUSE_RE.sub(lambda m: " " * len(m.group(0)), norm)

def own_statements(norm: str) -> str:
    """What a normalised text states of the listing's own goods: other variants on offer (`without_other_variants`,
    a reply sending the buyer to another listing among them) blanked first, then questions, comparisons with other
    goods and offers of other goods (`without_asides`); the length kept, so spans hold."""
    return without_asides(without_other_variants(norm))



def without_other_variants(norm: str) -> str:
    """The normalised text with the values of other variants on offer (a reply sending the buyer to another listing
    among them), and of another product it is compared with, blanked (same length, so spans hold)."""
    if "比" in norm:
        norm = _COMPARED_RE.sub(lambda m: " " * len(m.group(0)), norm)
    if "问" in norm and any(w in norm for w in _OTHER_LISTING_GATE):
        norm = _OTHER_LISTING_REPLY_RE.sub(lambda m: " " * len(m.group(0)), norm)
    if "有" not in norm and "售" not in norm and "其" not in norm and "可选" not in norm and "另拍" not in norm:
        return norm
    norm = _blank_other_variants(norm)
    return _blank_variants_at_clause_end(norm) if ("有" in norm or "另" in norm) else norm


# (session 38) a sentence that opens on another variant (另有TZL20款，防护20分钟。 本店也有93℃绿色的，另拍。) speaks of it to its
# end: its later clauses are blanked too, at most `_VARIANT_SENTENCE_REACH` characters on
_SENTENCE_STOP_RE = re.compile(r"[。；;！!？?\n]")
_VARIANT_SENTENCE_REACH = 60


def _blank_other_variants(norm: str) -> str:
    """`norm` with each `_OTHER_VARIANTS_RE` match blanked, and the rest of its sentence where the match opens one and
    a comma follows it (另有TZL20款，防护20分钟); the length kept."""
    spans = []
    for m in _OTHER_VARIANTS_RE.finditer(norm):
        lo, hi = m.span()
        end = hi
        if norm[hi:hi + 1] in ("，", ","):
            start = lo
            while start > 0 and norm[start - 1] in " \t":
                start -= 1
            if start == 0 or norm[start - 1] in "。；;！!？?\n：:】]":
                stop = _SENTENCE_STOP_RE.search(norm, hi, hi + _VARIANT_SENTENCE_REACH)
                end = stop.start() if stop else min(len(norm), hi + _VARIANT_SENTENCE_REACH)
        spans.append((lo, end))
    if not spans:
        return norm
    parts, at = [], 0
    for lo, hi in spans:
        lo = max(lo, at)
        if hi > lo:
            parts += [norm[at:lo], " " * (hi - lo)]
            at = hi
    parts.append(norm[at:])
    return "".join(parts)


def _blank_variants_at_clause_end(norm: str) -> str:
    """`norm` with each clause that ends on another variant on offer (两公斤的要另拍, 2公斤的也有哦) blanked, from the
    clause's start (or 40 characters back) to the variant word; a request's own word (请, 需, 如) is left to read."""
    for m in _VARIANT_AT_END_RE.finditer(norm):
        lo = max(0, m.start() - 40)
        stops = [x.end() for x in _CLAUSE_STOP_RE.finditer(norm, lo, m.start())]
        start = stops[-1] if stops else lo
        while start < m.start() and norm[start] in "请需如":
            start += 1
        if start < m.start():
            norm = norm[:start] + " " * (m.end() - start) + norm[m.end():]
    return norm


def _sprinklers(norm: str) -> list[dict[str, Any]]:
    out = []
    norm = own_clauses(norm)
    kinds = {"z": "upright", "x": "pendent", "b": "sidewall", "bs": "sidewall", "bw": "sidewall",
             "p": "conventional", "g": "concealed", "d": "dry", "zd": "dry_upright", "xd": "dry_pendent"}
    for m in _SPRINKLER_RE.finditer(norm):
        response, kind, bore, temp = m.group(1), m.group(2), m.group(3), m.group(4)
        if not (kind or bore or temp):
            continue
        out.append({"code": norm[m.start():m.end()].strip().upper(),
                    "response": {"k": "fast", "t": "special"}.get(response or "", "standard"),
                    "type": kinds.get(kind or "", ""), "bore_mm": int(bore) if bore else None,
                    "temperature_c": int(temp) if temp else None})
    return out


# the section after a cable type: a number not followed by a multiplication (3*4), a length
# (100米, 100m), a count (卷, 芯, 元) or a voltage (450/750)
_CODE_SECTION_RE = re.compile(r"\s*+(?:-\s*+)?(\d{1,3}(?:\.\d{1,2})?)(?![\d.])(?!\s*(?:[*×x米卷元芯/+＋]|m(?!m)|kv|v))")


def _cables(norm: str) -> list[dict[str, Any]]:
    out = []
    for m in _CABLE_RE.finditer(norm):
        prefix = (m.group(1) or "").replace("-", "")
        cable_type = m.group(2).upper()
        low_smoke = prefix.startswith("wd")
        core = prefix[2:] if low_smoke else prefix
        if "zr" in core:
            cls = "ZR"
        elif re.search(r"z[abcd]", core):
            cls = "Z" + re.search(r"z([abcd])", core).group(1).upper()
        else:
            cls = "Z" if core.startswith("z") else ""
        fire_resistant = "n" in core or cable_type in ("BTTZ", "BTTRZ", "YTTW", "BTLY", "NG-A")
        # a single-core code with its section right after the type: BV2.5, ZC-BV 2.5, BVR-4
        sec = _CODE_SECTION_RE.match(norm, m.end())
        out.append({"code": norm[m.start():m.end()].upper(), "prefix": prefix.upper(), "type": cable_type,
                    "flame_class": cls, "fire_resistant": fire_resistant,
                    "low_smoke_halogen_free": low_smoke,
                    "section_mm2": float(sec.group(1)) if sec else None})
    return out


def _conductors(norm: str) -> list[dict[str, Any]]:
    out = []
    for m in _CONDUCTOR_RE.finditer(norm):
        cores, size = int(m.group(1)), float(m.group(2))
        if cores == 0 or cores > 61 or size <= 0:
            continue
        item = {"text": m.group(0), "cores": cores, "section_mm2": size}
        total = cores
        sizes = [size]
        if m.group(3):
            total += int(m.group(3))
            sizes.append(float(m.group(4)))
        item["total_cores"] = total
        item["sections_mm2"] = sizes
        out.append(item)
    return out


def _section_number(text: str) -> float | None:
    """A section in Arabic or Chinese numerals: 2.5, 四, 二点五."""
    if "点" in text:
        whole, _, frac = text.partition("点")
        w, f = cn_number(whole), cn_number(frac)
        return None if w is None or f is None else w + f / 10
    return cn_number(text)


def _conductor_words(norm: str, facts: dict[str, Any]) -> list[tuple[dict[str, Any], tuple[int, int]]]:
    """Conductor specs written with 芯 (3芯4平方加1芯2.5: 3×4+1×2.5), each with its span; a lone count with no
    section after it (四芯电缆) is a count, not a spec, and a lone group is one only with a nominal section
    (data/specs.yaml cable.sections_mm2: 4芯2.5平方; not 4芯 16 in a row of figures)."""
    sections = {float(x) for x in ((facts or {}).get("cable") or {}).get("sections_mm2") or ()}
    out = []
    for m in _CONDUCTOR_WORDS_RE.finditer(norm):
        cores, size = cn_number(m.group(1)), _section_number(m.group(2))
        if not cores or not size or cores > 61:
            continue
        sizes, total, text = [size], int(cores), f"{int(cores)}×{_fmt_section(size)}"
        if m.group(3):
            more, size2 = cn_number(m.group(3)), _section_number(m.group(4))
            if not more or not size2:
                continue
            total += int(more)
            sizes.append(size2)
            text += f"+{int(more)}×{_fmt_section(size2)}"
        elif size not in sections:
            continue  # 4芯 16 in a row of figures: only a nominal section makes a lone group a spec
        out.append(({"text": text, "cores": int(cores), "section_mm2": size, "total_cores": total,
                     "sections_mm2": sizes}, m.span()))
    return out


def _fmt_section(v: float) -> str:
    return f"{v:g}"


_PACKAGE_BEFORE_RE = re.compile(r"(?:盒|包装|收纳|外箱|纸箱|箱子|外袋|袋子|折叠后|折叠尺寸)[^\d，,。;；]{0,4}$")


def _blanket_sizes(norm: str) -> list[dict[str, Any]]:
    out = []
    for m in _SIZE_RE.finditer(norm):
        if _PACKAGE_BEFORE_RE.search(norm[max(0, m.start() - 8):m.start()]):
            continue  # the box's or bag's size (收纳盒约24×14cm, 折叠后 30×20cm), not the blanket's
        a, ua, b, ub = float(m.group(1)), m.group(2), float(m.group(3)), m.group(4)
        unit = ua or ub
        if unit in ("mm", "毫米"):  # (heldout9: 尺寸 1000*1000mm)
            a, b = a / 1000.0, b / 1000.0
        elif unit in ("cm", "厘米") or (unit is None and a >= 20 and b >= 20):
            a, b = a / 100.0, b / 100.0
        elif unit is None and (a > 3 or b > 3):
            continue
        if not (0.1 <= a <= 3 and 0.1 <= b <= 3):
            continue
        out.append({"text": m.group(0), "width_m": round(a, 3), "length_m": round(b, 3)})
    return out


def _battery_words(facts: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(word, its normalised form, battery type) from the facts, normalised once per facts object."""
    cached = _BATTERY_CACHE.get(id(facts))
    if cached is None or cached[0] is not facts:
        cached = (facts, [(word, normalize(word), kind) for word, kind in facts.get("batteries", {}).items()])
        _BATTERY_CACHE[id(facts)] = cached
    return cached[1]


_BATTERY_CACHE: dict[int, tuple[dict[str, Any], list[tuple[str, str, str]]]] = {}


# how a sprinkler head is mounted, by its code letter (ZSTZ upright, ZSTX pendent, ZSTB sidewall) and in words
MOUNTING_WORDS = {"upright": "直立型", "pendent": "下垂型", "sidewall": "边墙型"}
_MOUNTING_RES = {"upright": re.compile(r"直立|上喷|向上安装"), "pendent": re.compile(r"下垂|下喷|向下安装"),
                 "sidewall": re.compile(r"边墙|侧喷|侧墙")}
# how it is installed, said as such (下垂安装, 安装方式：下垂型), outweighs the type words of a title
_INSTALLED_RE = re.compile(r"(下垂|直立|边墙|上喷|下喷)型?\s*安装|安装(?:方式|形式)\s*[:：]?\s*(下垂|直立|边墙|上喷|下喷)")
_MOUNTING_OF = {"下垂": "pendent", "下喷": "pendent", "直立": "upright", "上喷": "upright", "边墙": "sidewall"}
_MOUNTING_GATES = ("直立", "上喷", "向上安装", "下垂", "下喷", "向下安装", "边墙", "侧喷", "侧墙")
_MOUNTING_GATE = _literals(_MOUNTING_GATES)


def mountings_said(norm: str) -> list[str]:
    """The mountings a normalised text says in words (upright, pendent, sidewall): how it is
    installed when it says so (直立安装), else every mounting word it holds; a cross-selling clause
    (搭配直立型……一起购买) says nothing of this product's."""
    norm = own_clauses(norm)
    installed = {_MOUNTING_OF[m.group(1) or m.group(2)] for m in _INSTALLED_RE.finditer(norm)}
    said = installed or {kind for kind, rx in _MOUNTING_RES.items() if rx.search(norm)}
    return sorted(said)


def _put(specs: dict[str, Any], key: str, value: Any) -> None:
    if value:
        specs[key] = value


def _holds_any(has, literals: re.Pattern, norm: str) -> bool:
    """Whether `norm` holds one of the gate's `literals` (always, when parse_specs runs ungated)."""
    return has is _always or literals.search(norm) is not None


# Each family's expression runs only when the text holds a literal that every match of it
# must contain (a short `in` test is ~20x cheaper than a failed regex scan); the results are
# the same as with every expression run (tests/classifiers/test_specs_lazy.py).
def _extinguisher_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "extinguisher_codes", _ext_codes(norm, facts) if has("m") else [])


def _weight_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "weights_kg", _weights(norm) if has("kg") or has("公斤") or has("千克") or has("斤") or has("量") else [])


def _volume_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "volumes_l", _volumes(norm) if has("l") or has("升") else [])


_PACKING_CACHE: dict[int, tuple[dict[str, Any], re.Pattern | None]] = {}


def _packing_foam_re(facts: dict[str, Any]) -> re.Pattern | None:
    """The expression of 泡沫 naming the packing (specs.yaml extinguisher.packing_foam: 泡沫+纸箱, 单独泡沫隔开), by
    the section's id (kept, so the id stays its own); None without the section."""
    section = (facts or {}).get("extinguisher", {}).get("packing_foam")
    if not section:
        return None
    hit = _PACKING_CACHE.get(id(section))
    if hit is None or hit[0] is not section:
        def words(key: str) -> str:
            return "|".join(re.escape(normalize(str(w))) for w in sorted(section.get(key) or (), key=len, reverse=True))
        joiner = "[" + re.escape(normalize(str(section.get("joiners", "+")))) + "]"
        not_agent = r"(?!\s*(?:" + words("agent_after") + "))" if section.get("agent_after") else ""
        pattern = (rf"(?:{words('before')})\s*{joiner}?\s*泡沫{not_agent}"
                   rf"|泡沫\s*{joiner}?\s*(?:{words('after')})")
        if len(_PACKING_CACHE) > 16:
            _PACKING_CACHE.clear()
        hit = _PACKING_CACHE[id(section)] = (section, re.compile(pattern))
    return hit[1]


def _agent_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    packing = _packing_foam_re(facts) if has("泡沫") else None
    if packing is not None:  # the packing's foam (泡沫+纸箱) is no agent the unit holds
        norm = packing.sub(lambda m: " " * len(m.group(0)), norm)
    _put(specs, "agents_stated", _agents_stated(norm))
    _put(specs, "agents_declared", _agents_declared(norm) if has("剂") or has("介质") else [])


def _powder_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    """powder_content_pct: a dry powder's main-component content, the noun before the figure (磷酸铵盐含量50%) or
    after it (20%磷酸铵盐); not in a clause of other goods (specs.yaml extinguisher.powder_content_skip_words:
    别家的只有20%磷酸铵盐)."""
    if not has("%"):
        _put(specs, "powder_content_pct", [])
        return
    skip = tuple(normalize(str(w)) for w in ((facts or {}).get("extinguisher") or {}).get("powder_content_skip_words") or ())
    found = [(m.group(2), m.start(), m.end()) for m in _PERCENT_CONTENT_RE.finditer(norm)]
    found += [(m.group(1), m.start(), m.end()) for m in _PERCENT_BEFORE_RE.finditer(norm)
              if m.group(2) != "含量" or "粉" in norm]
    values = [float(v) for v, start, end in sorted(found, key=lambda f: f[1])
              if not (skip and any(w in clause_around(norm, start, end) for w in skip))]
    if "答" in norm and "问" in text:
        # (heldout18, opened) a reply's first figure to a question naming the powder's content (问：磷酸铵盐多少？
        # 答：这个价位是40%的，要75%的补差价): this price's; what follows it is another option
        raw, own = normalized(text), getattr(norm, "plain", norm)
        if len(raw) == len(own):
            values += [float(m.group(2)) for m in _REPLY_POWDER_RE.finditer(raw)
                       if own[m.start(2):m.end(2)] == raw[m.start(2):m.end(2)] and not _REPLY_OTHER_RE.search(m.group(1))]
    _put(specs, "powder_content_pct", values)


# a seller's reply to a question naming the powder's main component, its first percentage (see _powder_family)
_REPLY_POWDER_RE = re.compile(r"问\s*[:：]?([^问答\n]{0,12}?(?:磷酸二氢铵|磷酸铵盐|主要成分|有效成分|主成分|干粉含量|粉含量|含粉量|粉的含量|干粉成分)[^问答\n]{0,10}?)"
                              r"\s*答\s*[:：]\s*+[^\d问答，,。;；!！?？\n]{0,10}?(\d{1,2}(?:\.\d+)?)\s*%")


def _minutes_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "tzl_minutes", [int(v) for v in _TZL_RE.findall(norm)] if has("tzl") else [])
    if has("分钟") or has("min"):
        _put(specs, "stated_minutes", [int(v) for v in _MINUTES_RE.findall(norm) if 5 <= int(v) <= 600])


def _duration_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    """protection_minutes (防护时间约十五分钟), emergency_minutes (停电可持续照明约20分钟) and
    stated_hours (耐火时间：半小时; 耐火极限60分钟 is 1.0), each with the texts that state them."""
    # every duration has its unit: 分(钟), min, h/hour/hr, 小时, 钟头, 刻钟
    if not (has("分") or has("h") or has("min") or has("小时") or has("钟头") or has("刻钟")):
        return
    for kind, key, texts_key, per in (("protection", "protection_minutes", "protection_texts", 1),
                                      ("emergency", "emergency_minutes", "emergency_texts", 1),
                                      ("fire", "stated_hours", "stated_hours_texts", 60)):
        if _holds_any(has, _DURATION_GATE_RES[kind], norm):
            found = _durations(norm, kind)
            _put(specs, key, [_minutes_value(v) if per == 1 else round(v / per, 2) for v, _, _, _ in found])
            _put(specs, texts_key, [t for _, t, _, _ in found])
            if kind == "emergency":
                # each emergency duration's role, in the same order: declared or measured
                _put(specs, "emergency_roles", [duration_role(norm, a, b, facts) for _, _, a, b in found])
    if "答" in norm and "问" in text:
        raw = normalized(text)
        own = getattr(norm, "plain", norm)
        for kind, key, texts_key, per in (("protection", "protection_minutes", "protection_texts", 1),
                                          ("fire", "stated_hours", "stated_hours_texts", 60)):
            replies = _reply_durations(raw, own, kind) if len(own) == len(raw) else []
            if replies:
                _put(specs, key, list(specs.get(key) or []) + [_minutes_value(v) if per == 1 else round(v / per, 2)
                                                                for v, _ in replies])
                _put(specs, texts_key, list(specs.get(texts_key) or []) + [t for _, t in replies])


def _standards_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("gb") or has("xf") or has("ga"):
        legacy, cited = _standards(norm)
        _put(specs, "standards", legacy)
        _put(specs, "standards_cited", cited)
    if _holds_any(has, _FOREIGN_GATE, norm):
        # a management-system standard (ISO 9001: the maker's quality system) is no standard of the product
        systems = _management_systems(facts)
        _put(specs, "foreign_standards", [f"{s.upper()} {n}" for s, n in _FOREIGN_STD_RE.findall(norm)
                                          if f"{s} {n.split('-')[0].split('.')[0]}" not in systems])


def _management_systems(facts: dict[str, Any]) -> frozenset[str]:
    """The foreign standards that certify a maker's management system, not a product ("iso 9001"), while
    specs.yaml foreign_standard.management_systems is switched on."""
    entry = (facts.get("foreign_standard") or {}).get("management_systems") or {}
    if not entry.get("enforce"):
        return frozenset()
    return frozenset(" ".join(str(w).lower().split()) for w in entry.get("standards", []))


def _grade_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("级") or has("等"):
        # a grade compared with (比普通甲级门便宜, 相当于甲级) names other goods' class, not this product's
        _put(specs, "door_grades", sorted({m.group(1)[0] + "级" for m in _GRADE_RE.finditer(norm)
                                           if not _GRADE_COMPARED_RE.search(norm, max(0, m.start() - 8), m.start())}))


def _glass_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    glass_matches = list(_GLASS_RE.finditer(norm)) if has("fb") else []
    _put(specs, "fire_glass", [{"code": m.group(0).upper(), "type": m.group(1).upper(), "thickness_mm": int(m.group(2)),
                        "class": m.group(3).upper(), "hours": float(m.group(4))} for m in glass_matches])


def _rating_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("a") and has("."):  # a1.50: the rating always has its decimal point
        # not inside a fire-glass code (FFB-15-A1.00)
        glass_spans = [m.span() for m in _GLASS_RE.finditer(norm)] if has("fb") else []
        _put(specs, "rating_hours", [float(m.group(1)) for m in _HOURS_A_RE.finditer(norm)
                             if not any(s <= m.start() < e for s, e in glass_spans)])


# (session 33) a door's opening in millimetres, either side first (2100×1000, 1000*2100mm, 1200x2100): a width of
# 400-4000 mm and a height of 1200-4500 mm, kept as (shorter, longer); a glass or a leaf's size (800×1800 with
# a thickness) is read the same and compared only in fire_door listings
_DOOR_OPENING_RE = re.compile(r"(?<![\d.×*x])(\d{3,4})\s*+(?:mm|毫米)?\s*+[*×x]\s*+(\d{3,4})(?:\s*+(?:mm|毫米))?(?![\d.]|\s*+[*×x])")


# a part's or a package's size before it (门扇尺寸 2050×950, 玻璃 500×1200, 包装 2200×1100): not the opening
_DOOR_PART_BEFORE_RE = re.compile(r"(?:门扇|扇|门框|框|玻璃|视窗|观察窗|包装|外箱|纸箱|木箱)[^，,。;；\d]{0,6}$")


def _door_openings(norm: str) -> list[tuple[int, int]]:
    out = []
    for m in _DOOR_OPENING_RE.finditer(norm):
        if _DOOR_PART_BEFORE_RE.search(norm, max(0, m.start() - 10), m.start()):
            continue
        low, high = sorted((int(m.group(1)), int(m.group(2))))
        if 400 <= low <= 4000 and 1200 <= high <= 4500 and (low, high) not in out:
            out.append((low, high))
    return out


def _door_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("fm"):
        _put(specs, "door_codes", [m.group(0).upper() for m in _DOOR_CODE_RE.finditer(norm)])
    if has("×") or has("*") or has("x"):
        _put(specs, "door_openings", _door_openings(norm))


def _thickness_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("mm") or has("毫米") or has("厘") or has("公分") or has("cm"):
        said = [(round(float(v) * 10, 1), True) if u in ("公分", "厘米", "cm") else (float(v), False)
                for v, u in _THICK_SAID_RE.findall(norm)] if has("厚") else []
        # a tolerance (尺寸允许偏差±2mm, 误差2毫米) is no thickness
        mm = [float(m.group(1)) for m in _MM_RE.finditer(norm)
              if not _TOLERANCE_BEFORE_RE.search(norm, max(0, m.start() - 6), m.start())
              and not _PART_BEFORE_RE.search(norm, max(0, m.start() - 6), m.start())]
        _put(specs, "glass_thickness_mm", mm + [v for v, cm in said if cm])
        _put(specs, "thickness_said_mm", [v for v, _ in said])


def _sprinkler_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "sprinklers", _sprinklers(norm) if has("zst") else [])


def _mounting_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "sprinkler_mountings", mountings_said(norm) if _holds_any(has, _MOUNTING_GATE, norm) else [])


def _temperature_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    # with the sprinklers' rated temperatures (parsed again when their family has not run or found none)
    sprinklers = specs["sprinklers"] if "sprinklers" in specs else _sprinklers(norm) if has("zst") else []
    # a concealed head's cover plate drops at its own temperature (装饰盖板57度脱落): not the head's rating
    temps = [int(m.group(1)) for m in _TEMP_RE.finditer(norm) if "盖" not in norm[max(0, m.start() - 6):m.start()]] \
        if has("℃") or has("°c") or has("度") else []
    temps += [s["temperature_c"] for s in sprinklers if s["temperature_c"] and s["temperature_c"] not in temps]
    _put(specs, "temperatures_c", temps)


def _colour_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("色") or has("球"):
        _put(specs, "colours", [a or b for a, b in _COLOUR_RE.findall(norm)])
        # the bulb named: 玻璃球, 红色球, or a colour's own 球 (绿球, 红球: a shop's short name of the bulb)
        _put(specs, "bulb_named", "colours" in specs and ("玻璃球" in norm or "色球" in norm
                                                          or _COLOUR_BALL_RE.search(norm) is not None))


def _k_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("k") or has("流量系数"):
        # a figure below the least K-factor (ZSTX-K15: the code's bore written after a letter) names none
        least = int(((facts or {}).get("sprinkler") or {}).get("k_min", 0))
        found = _K_RE.findall(norm) + (_K_ROW_RE.findall(norm) if has("系数") or has("值") or has("因子") else [])
        _put(specs, "k_factors", [int(v) for v in found if int(v) >= least])


# a pipe thread or bore in 分 (eighths of an inch, the plumbing trade's: 4分 = 1/2寸 = DN15, 6分 = DN20, 8分 = DN25),
# only after a word of a thread or bore (口径：4分, 接口规格 6分, 螺纹 4分) or before one (4分管, 6分丝口, 4分牙),
# never a time (4分钟) or a score (4分之一, 4分数)
_FEN_TO_DN = {"4": 15, "6": 20, "8": 25}
_FEN_BORE_RE = re.compile(r"(?:接口|螺纹|丝口|外丝|内丝|口径|管径|接管|接头|连接|通径)[^\d，,。;；\n]{0,4}?(?<![\d.])([468])\s*+分"
                          r"(?![钟之数\d])"
                          r"|(?<![\d.])([468])\s*+分\s*+(?:管|丝口|丝|螺纹|接口|口|牙)(?![\u4e00-\u9fff]?钟)")

def _dn_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    dn = [int(v) for v in _DN_RE.findall(norm)] if has("dn") else []
    if has("寸"):
        dn += [_INCH_TO_DN[v] for v in _inches(norm) if v in _INCH_TO_DN]
    if has("分"):
        dn += [d for d in (_FEN_TO_DN[a or b] for a, b in _FEN_BORE_RE.findall(norm)) if d not in dn]
    if has("径") or has("接口规格"):
        dn += [int(a or b) for a, b in _BORE_WORD_RE.findall(norm) if int(a or b) not in dn]
    _put(specs, "dn", dn)


def _hydrant_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("s"):
        _put(specs, "hydrants", [{"code": (t + b).upper(), "bore_mm": int(b)} for t, b in _HYDRANT_RE.findall(norm)])


def _pump_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("xbd"):
        _put(specs, "pumps", [{"code": m.group(0).upper(), "pressure_mpa": float(m.group(1)) / 10.0,
                       "flow_lps": float(m.group(2))} for m in _XBD_RE.finditer(norm)])


_FLOW_RE = re.compile(r"(?<![\d.\-~～])(\d{1,3}(?:\.\d{1,2})?)\s*(?:l/s|升/秒|升每秒)")
_POWER_RE = re.compile(r"(\d(?<![\d.]\d)\d{0,2}(?:\.\d{1,2})?)\s*(?:kw|千瓦)(?![a-z])")


def _flow_power_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("l/s") or has("升/秒") or has("升每秒"):
        _put(specs, "flows_lps", sorted({float(v) for v in _FLOW_RE.findall(norm)}))
    if has("kw") or has("千瓦"):
        _put(specs, "powers_kw", sorted({float(v) for v in _POWER_RE.findall(norm)}))


# a smoke alarm's battery self-check interval (hours): 每72小时自检一次, 自检周期：72小时, 24小时电池自检,
# 电池自检：每72小时一次, 3天自检一次
SELF_CHECK_RES = (
    re.compile(r"每\s*(\d{1,3}(?:\.\d)?)\s*(小时|h|天)\s*(?:自动)?\s*(?:自检|自我检测|巡检|电池检测)"),
    re.compile(r"(?:自检|巡检|电池检测)\s*(?:周期|间隔|频率|频次)\s*[:：为]?\s*(?:每)?\s*(\d{1,3}(?:\.\d)?)\s*(小时|h|天)"),
    re.compile(r"(\d(?<![\d.]\d)\d{0,2}(?:\.\d)?)\s*(小时|h|天)\s*(?:自动)?\s*(?:电池)?\s*(?:自检|巡检)"),
    re.compile(r"(?:自检|电池检测)\s*[:：]?\s*每\s*(\d{1,3}(?:\.\d)?)\s*(小时|h|天)"),
)
_SELF_CHECK_WORDS = ("自检", "自我检测", "巡检", "电池检测")  # every SELF_CHECK_RES match holds one


def self_check_hours(norm: str) -> list[tuple[float, str]]:
    """(hours, matched text) of each battery self-check interval a normalised text states."""
    out, seen = [], []
    if not any(w in norm for w in _SELF_CHECK_WORDS):
        return out
    for rx in SELF_CHECK_RES:
        for m in rx.finditer(norm):
            if any(a < m.end() and m.start() < b for a, b in seen):
                continue
            seen.append(m.span())
            out.append((float(m.group(1)) * (24 if m.group(2) == "天" else 1), m.group(0)))
    return out


def _self_check_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("检"):
        _put(specs, "self_check_hours", sorted({h for h, _ in self_check_hours(norm)}))


def _head_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("扬程"):
        _put(specs, "head_m", [float(v) for v in _HEAD_RE.findall(norm)])


# how many cylinders one price buys (柜式双瓶组, 2瓶组, 双柜, 单瓶组): a gaseous unit of several cylinders;
# words first, a digit only when no code runs into it (GQQ120/4.2瓶组) and never a minimum order (5瓶起批)
_CYLINDER_WORD_RE = re.compile(r"(单|双|两|二|三|四)\s*(?:个)?\s*(?:瓶组|瓶|柜)(?!装)(?!\s*起(?:批|订|售))")
_CYLINDER_COUNT_RE = re.compile(r"([2-9](?<![\d./a-z\-][2-9]))\s*(?:个)?\s*(?:瓶组|瓶|柜)(?!装)(?!\s*起(?:批|订|售))")
# a gaseous system's storage pressure (储存压力4.2MPa), not a working, test or start-up one
_STORAGE_PRESSURE_RE = re.compile(r"(?:储存压力|贮存压力|储压|增压压力|充装压力)\s*[:：为]?\s*(\d{1,2}(?:\.\d{1,2})?)\s*mpa")
_CN_COUNTS = {"单": 1, "双": 2, "两": 2, "二": 2, "三": 3, "四": 4}


def _foam_gas_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    foam_codes = set()
    if has("ar") or has("fp") or has("afff"):
        for code in _FOAM_CODE_RE.findall(norm):
            foam_codes |= {"AFFF" if "afff" in code else "FP" if code in ("fp", "fffp") else "AR"} | ({"AR"} if "ar" in code else set())
    _put(specs, "foam_types_code", sorted(foam_codes))
    words = set()
    if "水成膜" in norm:  # the words themselves, not gates
        words.add("AFFF")
    if "氟蛋白" in norm:
        words.add("FP")
    if has("蛋白") and re.search(r"(?<!氟)蛋白", norm):
        words.add("P")
    _put(specs, "foam_types_words", sorted(words))
    if has("qq") or has("qmq"):
        _put(specs, "gas_cylinders", [{"code": m.group(0).upper(), "volume_l": int(m.group(2)),
                               "pressure_mpa": float(m.group(3)) if m.group(3) else None}
                              for m in _GAS_CODE_RE.finditer(norm)])
    if has("瓶") or has("柜"):
        m = _CYLINDER_WORD_RE.search(norm) or _CYLINDER_COUNT_RE.search(norm)
        _put(specs, "cylinder_count", _CN_COUNTS.get(m.group(1), 0) or int(m.group(1)) if m else 0)
    if has("%") or has("百分之"):
        # (session 38) a ratio in words (答：百分之六) as in digits
        _put(specs, "mix_ratio_pct", sorted({int(v) for v in _MIX_RE.findall(norm)}
                                            | {_CN_DIGIT[v] for v in _MIX_WORDS_RE.findall(norm)}))
    if has("mpa") or has("公斤"):
        _put(specs, "pressures_mpa", [float(v) for v in _PRESSURE_RE.findall(norm)] + [v for _, v in kgf_pressures(norm)])
        _put(specs, "working_pressures_mpa", _working_pressures(norm))
        _put(specs, "storage_pressures_mpa", sorted({float(v) for v in _STORAGE_PRESSURE_RE.findall(norm)}))


def _hose_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    hoses = []
    for m in _HOSE_RE.finditer(norm) if has("-") else ():
        p, b, l = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if b in (25, 40, 50, 65, 80, 100, 125, 150, 200, 250, 300) and 1 <= p <= 40:
            hoses.append({"code": m.group(0), "pressure_mpa": p / 10.0, "pressure_class": p, "bore_mm": b,
                          "length_m": l})
    _put(specs, "hoses", hoses)


# a distance is not the product's length: 距离火源3米以上, 射程≥6米, 安装高度2.5米, 3米开外; a distance's range too
# (离灶台1-2米, 距火焰2-3米: its upper end is read after the range's first value)
_DISTANCE_BEFORE_RE = re.compile(r"(?:距离?|离|间距|射程|半径|高度|深度|范围)[^\d，,。；;]{0,4}"
                                 r"(?:\d{1,3}(?:\.\d{1,2})?\s*[-~～至到]\s*)?$")
_DISTANCE_AFTER_RE = re.compile(r"\s*(?:以外|之外|开外|远|处)")
# a length of the bulk a piece is cut from, not the piece's: 整盘200米, 整盘长度 100米, 一卷100米,
# 100米/卷, 起订量 500米 (a hose sold by the metre from a reel of 200 m is still 8-65-20)
_BULK_BEFORE_RE = re.compile(r"(?:整盘|整卷|整捆|每盘|每卷|一盘|一卷|盘长|卷长|起订|起批|最少|库存)[^\d，,。；;]{0,4}$")
# (heldout10) an order's least length, 100米起 (起 alone or 起售/起购/起卖/起拍), is a bulk length too
_BULK_AFTER_RE = re.compile(r"\s*(?:/\s*(?:卷|盘|捆)|一(?:卷|盘|捆)|每(?:卷|盘|捆)|起订|起批|起(?:售|卖|购|拍)?(?![\u4e00-\u9fff])"
                            r"|整盘|整卷)")
# the longest length read as a single coiled hose's (domain.md's codes 8-65-20, 13-65-25 give 20 and 25 m; a bound of
# this project's, not a standard's): 每盘 before at most this many metres is one hose's length, not a reel's (a cable's
# reel, 每盘100米, is longer)
_HOSE_COIL_MAX_M = 40
# the next length of a list of bulk ones (每卷长度 100米/200米: 200 is a reel's length too)
_LIST_NEXT_RE = re.compile(r"\s*[/、或]\s*")


def _length_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("米") or has("m"):
        lengths, bulk_end = [], -1
        for m in _LENGTH_RE.finditer(norm):
            if _DISTANCE_BEFORE_RE.search(norm, max(0, m.start() - 8), m.start()) or _DISTANCE_AFTER_RE.match(norm, m.end()):
                continue
            before = _BULK_BEFORE_RE.search(norm, max(0, m.start() - 8), m.start())
            if before and "盘" in before.group(0) and "整" not in before.group(0) and int(m.group(1)) <= _HOSE_COIL_MAX_M \
                    and not _BULK_AFTER_RE.match(norm, m.end()):
                before = None  # (heldout21, opened) 每盘长度20米: one coiled hose's length, no reel's
            if (bulk_end >= 0 and _LIST_NEXT_RE.fullmatch(norm, bulk_end, m.start())) \
                    or before or _BULK_AFTER_RE.match(norm, m.end()):
                bulk_end = m.end()
                continue
            bulk_end = -1
            lengths.append(int(m.group(1)))
        _put(specs, "lengths_m", lengths)


# the hose a coupling or nozzle is said to fit (适配65水带, 适用水带：65mm, 配DN50水带): its bore
_HOSE_FIT_RE = re.compile(r"(?:适用|适配|配套|可接|匹配|对接)于?\s*(?:水带)?\s*(?:口径)?\s*[:：]?\s*(?:dn)?\s*(\d{2,3})\s*(?:mm|毫米)?\s*(?:的)?\s*(?:水带|口径)?"
                          r"(?![\d.×x*/\-~])")


def _coupling_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("k"):
        _put(specs, "couplings", [{"code": m.group(0).upper(), "type": "K" + m.group(1).upper(), "bore_mm": int(m.group(2))}
                          for m in _COUPLING_RE.finditer(norm)])
    if has("水带"):
        # a bore of the GB 6246 series (specs.yaml fire_hose.bores_mm), the hose named with it
        bores = {int(b) for b in (facts.get("fire_hose") or {}).get("bores_mm", [])}
        _put(specs, "hose_fit_mm", sorted({int(m.group(1)) for m in _HOSE_FIT_RE.finditer(norm)
                                           if ("水带" in m.group(0) or "水带" in norm[max(0, m.start() - 4):m.start()])
                                           and int(m.group(1)) in bores}))


# every cable type holds one of these (yjv22, yjlv, byjr: yj; vv22: vv; bvvb: bv; rvs: rv; kvvp: kv;
# bttrz: btt; yttw: ytt; btly: btl; ng-a; djyvp: djy)
_CABLE_GATE = _literals(("yj", "vv", "bv", "rv", "kv", "btt", "ytt", "btl", "ng-a", "djy"))


def _cable_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if _holds_any(has, _CABLE_GATE, norm):
        # a code a buyer asks about (问：和普通BV有什么区别？) is none the listing states
        _put(specs, "cables", _cables(without_questions(norm)))
    times = has("*") or has("×") or has("x")
    if times:
        _put(specs, "conductors", _conductors(norm))
    if has("平方") or has("mm") or has("㎟"):
        sections = [float(v) for v in _SECTION_RE.findall(norm)]
        # sizes on offer as a list (1.5、2.5、4、6平方; 1.5/2.5/4平方): each of them, not the last alone
        for m in _SECTION_LIST_RE.finditer(norm):
            sections += [float(v) for v in re.findall(r"\d{1,3}(?:\.\d{1,2})?", m.group(1)) if float(v) not in sections]
        _put(specs, "sections_mm2", sections)
    if has("芯"):
        worded = _conductor_words(norm, facts)
        if worded:
            conductors = specs.get("conductors") or []
            _put(specs, "conductors", conductors + [c for c, _ in worded])
            for _, (a, b) in worded:  # the counts inside the spec are its parts, not the cable's cores
                norm = norm[:a] + " " * (b - a) + norm[b:]
        sums = [(m.span(), int(m.group(1)) + int(m.group(2))) for m in _CORES_SUM_RE.finditer(norm)]
        for (a, b), _ in sums:
            norm = norm[:a] + " " * (b - a) + norm[b:]
        _put(specs, "cores", [total for _, total in sums]
             + [int(cn_number(v)) for v in _CORES_RE.findall(norm) if cn_number(v)]
             + [int(cn_number(v)) for v in _CORES_ROW_RE.findall(norm) if cn_number(v)])
    if has("/"):
        _put(specs, "voltages", sorted({(v.replace("0.6/1.0", "0.6/1") + ("kV" if v.startswith(("0.6", "8.7", "26")) else "V"))
                                for v, _ in _VOLTAGE_RE.findall(norm)}))


_SIDE_RE = re.compile(r"(\d(?<![\d.*×x]\d)(?:\.\d{1,2})?)\s*(?:米|m)(?![\d²2a-z])(?!\s*[*×x])")
# the upper end of a range (1-2米, 1.2~1.8米): a range states no one side
_RANGE_END_BEFORE_RE = re.compile(r"\d\s*[-~～至到]\s*$")
# the same side in centimetres (150公分, 120cm见方)
_SIDE_CM_RE = re.compile(r"(\d(?<![\d.*×x]\d)\d{1,2})\s*(?:公分|厘米|cm)(?![\d²2a-z])(?!\s*[*×x])")


def _blanket_cert_pack_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("*") or has("×") or has("x"):
        _put(specs, "blanket_sizes", _blanket_sizes(norm))
    if has("米") or has("m") or has("公分") or has("厘米"):
        # one side written alone (灭火毯1.0米, 尺寸：1.2m, 150公分): a square blanket's side; a distance is none
        _put(specs, "blanket_sides", sorted({float(m.group(1)) / scale for rx, scale in ((_SIDE_RE, 1), (_SIDE_CM_RE, 100))
                                             for m in rx.finditer(norm)
                                             if not _DISTANCE_BEFORE_RE.search(norm, max(0, m.start() - 12), m.start())
                                             and not _RANGE_END_BEFORE_RE.search(norm, max(0, m.start() - 3), m.start())
                                             and 0.5 <= float(m.group(1)) / scale <= 2.0}))
    _put(specs, "batteries", [{"type": kind, "text": word} for word, norm_word, kind in _battery_words(facts)
                      if norm_word in norm])
    cues, cert_re = _cert_tables(facts)
    # a certificate number is taken from `text` at its place in the unconverted normalised text (`_Figures`)
    certs = ([text[m.start(2):m.end(2)] for m in cert_re.finditer(getattr(norm, "plain", norm))]
             if _holds_any(has, cues, norm) else [])
    digit_re = _cert_digit_re(tuple(facts["ccc_certificate"].get("digit_cues", ())))
    if digit_re is not None and (has("证书") or has("认证")):
        # a document's name right before a long digit run (3C证书2027081001234567): the run is its number
        plain = getattr(norm, "plain", norm)
        # (16 digits set apart elsewhere than between the number's fields, 2023-08-18-02-001451, are the number written
        # for reading, real_voice5 #314: not judged by their separators here)
        certs += [t for t in (text[m.start(2):m.end(2)] for m in digit_re.finditer(plain))
                  if t not in certs and sum(ch.isdigit() for ch in normalize(t)) >= 12
                  and (sum(ch.isdigit() for ch in normalize(t)) != 16 or ccc_digits(t) is not None)]
    _put(specs, "certificate_numbers", certs)
    if has("装"):
        packs = [int(a or b) for a, b in _PACK_RE.findall(norm)]
        if packs and packs[0] > 0:
            specs["pack_qty"] = packs[0]


# fire-retardant coating types (GB 14907-2018 names them so): 超薄型/薄型/厚型, 膨胀型/非膨胀型
_COATING_TYPES = (("超薄型", "ultra_thin"), ("非膨胀型", "non_intumescent"), ("膨胀型", "intumescent"),
                  ("薄型", "thin"), ("厚型", "thick"))


# GB 14907-2018 codes: GT-NSP-Ft1.50 (N indoor / W outdoor, S water-based / R solvent-based), the
# short NCB / WH (place + 超薄 CB, 薄 B, 厚 H), 代号W
_COATING_CODE_RE = re.compile(r"(?<![a-z])gt\s*-\s*([nw])([sr])?|(?<![a-z0-9])([nw])(cb|b|h)(?![a-z0-9])|代号\s*[:：]?\s*([nw])(?![a-z])"
                              r"|(?:(?<![a-z0-9])([nw])\s*类|(?:使用场所|适用场所|场所)\s*[:：]?\s*([nw])(?![a-z]))")
# the dispersion code alone: 分散介质：R, 分散介质代号 S, S类 (water S, solvent R)
_COATING_BASE_RE = re.compile(r"(?:分散介质|分散体系|介质类型)(?:代号|代码)?\s*[:：]?\s*([sr])(?![a-z])|(?<![a-z0-9])([sr])\s*类")
# the fire-resistance rating of a steel coating, GB 14907-2018 Ft1.50 (hours)
_COATING_FT_RE = re.compile(r"(?<![a-z])ft\s*([0-3]\.\d{1,2})(?!\d)")


# every coating code holds one of these: gt-…, 代号, the short NCB/NB/NH/WCB/WB/WH, 类, 场所, 介质
_COATING_GATE = _literals(("gt", "代号", "ncb", "nb", "nh", "wcb", "wb", "wh", "类", "场所", "介质"))


def _coating_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if _holds_any(has, _COATING_GATE, norm):
        places, bases = set(), set()
        for m in _COATING_CODE_RE.finditer(norm):
            places.add((m.group(1) or m.group(3) or m.group(5) or m.group(6) or m.group(7)).upper())
            if m.group(2):
                bases.add(m.group(2).upper())
        for m in _COATING_BASE_RE.finditer(norm):
            bases.add((m.group(1) or m.group(2)).upper())
        _put(specs, "coating_codes", {"place": sorted(places), "base": sorted(bases)} if places or bases else None)
    if has("ft"):
        _put(specs, "coating_hours", [float(v) for v in _COATING_FT_RE.findall(norm)])
    if has("型"):
        found, rest = [], norm
        for word, code in _COATING_TYPES:  # longest first: 超薄型 is not also 薄型
            at = rest.find(word)
            while at >= 0:
                # a type denied or compared (不是厚型的, 比厚型的美观) names none of the goods (the word families' denials)
                if not _WORD_NEGATION_RE.search(rest[max(0, at - 6):at]) and code not in found:
                    found.append(code)
                rest = rest[:at] + "\0" * len(word) + rest[at + len(word):]  # read once, the positions kept
                at = rest.find(word, at + len(word))
        _put(specs, "coating_types", found)


# Words of one quantity whose values exclude each other (手提式 / 推车式, 快速响应 / 标准响应, 纯铜 /
# 铜包铝): specs.yaml `word_families`. A word denied or compared (非钢质, 不带测温, 比乙级好, 比普通过滤式强) says nothing,
# nor one the listing says the goods do without (不用插电, 无需布线, 免接线).
# A word whose own clause goes on to ask something of the buyer (管网式系统请由有资质的单位施工, 木质门请咨询客服) names
# goods the advice or the request is about, not what the listing sells (heldout9: a cabinet unit's after-sale text)
_REQUEST_AFTER_RE = re.compile(r"[^，,。；;！!？?\n]{0,16}?请|[^，,。；;！!？?\n]{0,16}?[，,]\s*+(?:请|需要?请?|如需)?另(?:拍|购|外下单|行购买|链接)")
# a word the buyer is sent to as another choice (醇类请选抗溶型, 需要请拍铝芯款, 建议选用双面的): other goods on offer
# (session 36: 厨房建议安装感温的 in a smoke alarm's listing, advice naming goods for another place)
# (session 38) and the goods a buyer is told to use instead (缺氧环境请使用隔绝式, 请改用溶剂型): not "需配" (需配集中电源 says
# what this lamp is)
_OTHER_CHOICE_BEFORE_RE = re.compile(r"(?:(?:请|建议|可以|可)(?:另|改)?(?:选|选择|选用|选购|购买|买|拍|下单)|建议(?:另|改)?(?:安装|装|使用|用|配置|配)"
                                     r"|(?:请|应)(?:另|改|换)?(?:使用|用|选用))\s*$")
# (session 39) a verb may stand between the denial and the word: 不用接集中电源, 无需另配集中电源
_WORD_NEGATION_RE = re.compile(r"(?:(?:无需|无须|不需要?|不用|不必|不要)(?:另外|另|再)?(?:接入|接|配置|配|连接|连|装|带)|非|不|不是|不带|不含|无需|无须|不需要?|不用|免|无|没有|并非|而非|不像|不同于|区别于|比(?:普通|一般|传统|常规|市面上?|老式|旧式|老款)?的?|是否|仿|(?:不适|不可|不能|不宜|禁止|严禁)用于?|(?:不能|不可|无法|不宜)(?:扑灭|扑救|扑|灭)|(?:不能|不可)(?:当作?|作为|代替)|不适合|不适于|不建议|替代|代替|告别|拒绝|不支持)\s*$")


# another choice the shop also has, right before a family's word (也有自带电源型的, 还有溶剂型, 另外可做水性; session 38: any
# family's, 也有推车式的 in a hand-held unit's listing; review 38: 我们也做集中电源型), or other goods a system takes besides
# these (另可接入自带电源型灯具, 系统兼容自带电源型灯具)
_ALSO_OFFERED_BEFORE_RE = re.compile(r"(?:也有|还有|另有|另外有|另外还有|也可以?做|还可以?做|另外可以?做|也能做|也可以?选|也可以?定"
                                     r"|也做|还做|也卖|还卖|可接入|可以接入|可接|兼容)\s*$")


# (session 39 review) goods said to be replaced, a list of them after 替代 (可替代含氟的水成膜泡沫和氟蛋白泡沫): the clause's words
# after it name the replaced goods
_REPLACED_LIST_RE = re.compile(r"(?:替代|代替|取代)[^\s，,。；;！!？?\n]{0,12}$")
# a size, a count or a lifetime right before a family's word (9v碳性, 5号碱性, 2节锂, 10年锂电): passed over when looking for a denial
_SIZE_BEFORE_WORD_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:[a-z]{1,3}|号|节|只|个|年)?\s*$")


def enforced_families(cfg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{name: family} of a `word_families` section's families that are read: none when the section is switched off,
    and not one switched off on its own (`enforce: false`: a fact not in domain.md, unverified)."""
    if not cfg.get("enforce"):
        return {}
    return {name: f for name, f in (cfg.get("families") or {}).items() if f.get("enforce", True)}


def _word_table(families: tuple, nouns: tuple = ()) -> tuple:
    """((family, value, normalised word) sorted longest word first, {family: skip words}, {family: both words},
    {first character: the positions of the words beginning with it}, those first characters, an expression
    finding any of the words or of the `nouns` `_noun_values` reads (None when there are none, or an empty
    word: in every text), {family: (its apart words, the longest one's length)} for the families that have them),
    the `one_value` families)."""
    words, skips, boths, aparts = [], {}, {}, {}
    ones = frozenset(f[0] for f in families if len(f) > 5 and f[5])
    for name, groups, skip, both, apart, *_ in families:
        for value, ws in groups:
            words += [(name, value, normalize(w)) for w in ws]
        skips[name] = tuple(normalize(w) for w in skip)
        boths[name] = tuple(normalize(w) for w in both)
        if apart:  # words right after the family's word saying the goods come without that part (互感器另购)
            ws = tuple(normalize(w) for w in apart)
            aparts[name] = (ws, max(map(len, ws)))
    words.sort(key=lambda x: -len(x[2]))
    firsts: dict[str, tuple[int, ...]] = {}
    for i, (_, _, w) in enumerate(words):
        firsts[w[:1]] = firsts.get(w[:1], ()) + (i,)
    named = {w for _, _, w in words} | {normalize(n) for n in nouns}
    any_named = re.compile("|".join(re.escape(w) for w in sorted(named, key=len, reverse=True))) \
        if named and "" not in named else None
    return tuple(words), skips, boths, firsts, frozenset(firsts), any_named, aparts, ones


_WORD_TABLES: dict[int, tuple[dict[str, Any], tuple]] = {}


def _word_families(facts: dict[str, Any]) -> tuple:
    """The word table of the facts' `word_families`, built once per facts section (read-only once loaded)."""
    cfg = facts.get("word_families") or {}
    if not cfg.get("enforce"):
        return (), {}, {}, {}, frozenset(), None, {}, frozenset()
    cached = _WORD_TABLES.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        read = enforced_families(cfg)
        # (session 38) `other_words`: words holding a value's word that name something else (双面胶), read as no value
        fams = tuple((name, tuple((v, tuple(ws)) for v, ws in f.get("groups", {}).items())
                      + (((None, tuple(f["other_words"])),) if f.get("other_words") else ()), tuple(f.get("skip_words", [])),
                      tuple(f.get("both_words", [])), tuple(str(w) for w in f.get("apart_words") or ()),
                      bool(f.get("one_value")))
                     for name, f in read.items())
        nouns = tuple(n for f in read.values() for n in (f.get("noun_values") or {}).get("nouns", []))
        cached = _WORD_TABLES[id(cfg)] = (cfg, _word_table(fams, nouns))
    return cached[1]


def word_values(norm: str, facts: dict[str, Any], raw: str | None = None) -> dict[str, dict[str, str]]:
    """{family: {value: the word that said it}} for the word families a normalised text names, each word
    read once (the longest first: 铜包铝 is not also 铝), none denied or compared (非钢质, 不带测温); a
    family whose skip words the text holds (a part: 门框, 导轨) or whose both-words it holds (组合式) says nothing.
    `raw`: the normalised text before its asides and comparisons were blanked, where two values of a `one_value` family
    may still be named as options or as kinds told apart (集中电源型和自带电源型的区别：…)."""
    words, skips, boths, firsts, first_chars, any_named, apart, ones = _word_families(facts)
    if any_named is not None and any_named.search(norm) is None:
        return {}  # most texts name none of the words (nor a noun of noun_values), which one scan tells
    out: dict[str, dict[str, str]] = {}
    offered: set[tuple[str, str]] = set()
    # the spans read so far, by start (a span overlapping [at, end) starts less than the longest word before it:
    # a constant number of starts to look at, not every span again, on a text repeating a word thousands of times)
    taken: dict[int, list[int]] = {}
    longest = max((len(w) for _, _, w in words), default=0)
    # only the words beginning with a character the text holds can be in it (in table order, as all of them)
    candidates = list(firsts.get("", ()))
    for c in first_chars.intersection(norm):
        candidates += firsts[c]
    candidates.sort()
    for i in candidates:
        family, value, w = words[i]
        if w not in norm:
            continue
        start = 0
        while True:
            at = norm.find(w, start)
            if at < 0:
                break
            start = at + 1
            end = at + len(w)
            # (a word of two families, 全铜 a conductor's and a coupling's, is read for each of them: the same span
            # again; a shorter word inside a longer one's span is not)
            if any(at < b and (a, b) != (at, end) for a in range(max(0, at - longest + 1), end) for b in taken.get(a, ())):
                continue
            taken.setdefault(at, []).append(end)
            # (a size or a count between the denial and the word is the word's own: 不用9V碳性电池, 不含5号碱性)
            # (session 39: seven characters, a verb between the denial and the word, 不需要另外接集中电源)
            before = _SIZE_BEFORE_WORD_RE.sub("", norm[max(0, at - 13):at])[-7:]
            # a list of denied words: 不是钴酸锂三元锂 (the words between the denial and this one)
            # (a latin word inside a latin run is no word: xac220v; a Chinese character before it ends no run, 仅支持ac220v,
            # heldout20, opened)
            if _WORD_NEGATION_RE.search(before) or _REPLACED_LIST_RE.search(norm, max(0, at - 16), at) \
                    or (w.isascii() and norm[at - 1:at].isascii() and norm[at - 1:at].isalnum()):
                continue
            if _REQUEST_AFTER_RE.match(norm, end) or _OTHER_CHOICE_BEFORE_RE.search(norm, max(0, at - 6), at):
                continue  # advice or a request about such goods (管网式系统请由…施工, 醇类请选抗溶型)
            if family in apart and norm[end:end + 1 + apart[family][1]].lstrip().startswith(apart[family][0]):
                continue  # a part sold apart (互感器另购): not in the goods
            if value is None:
                continue  # (session 38) a word holding a value's word that names something else (双面胶, 锂离子, 室外气温)
            if _ALSO_OFFERED_BEFORE_RE.search(norm, max(0, at - 6), at):
                # (heldout20, opened) another choice the shop also sells (也有自带电源型的): not these goods' value, nor the
                # same value said again after it (也有双面的，吊装用双面)
                offered.add((family, value))
                continue
            out.setdefault(family, {}).setdefault(value, w)
    for family, value, w in _noun_values(norm, facts):
        if family not in out or value not in out[family]:
            out.setdefault(family, {}).setdefault(value, w)
    for family, value in offered:
        if value in out.get(family, {}):
            del out[family][value]
            if not out[family]:
                del out[family]
    for family in list(out):
        if any(s in norm for s in skips.get(family, ())) or any(b in norm for b in boths.get(family, ())):
            del out[family]
        elif family in ones and len(out[family]) > 1 and (named_as_options(norm, out[family].values()) or (
                raw is not None and named_as_options(raw, out[family].values()))):
            del out[family]  # (session 38) two values listed together or offered (单面、双面均有): no one product's value
    return out


# (session 38) two values of one quantity a text names as a list or as options, not as one product's two values: side by
# side with at most a connector between them (单面 双面, 单面、双面, 水性/溶剂型, 隔热型非隔热型), or in a sentence offering
# them (都有, 均可定做, 两种, 可选), telling kinds apart (区别, 分为) or selling a set of several (套装, 各一)
_LIST_JOIN_RE = re.compile(r"[型式款的]?[\s/、和或及与跟+＋|]{0,2}")
_OPTIONS_CUE_RE = re.compile(r"可选|任选|自选|可定制|可定做|均可|都可以|都有|均有|两种|两款|两类|多种|多款|齐全|分为|区别|不同|套装|套餐|混装|各[一\d]")
_SENTENCE_END = "。!！?？;；\n"


def named_as_options(norm: str, words) -> bool:
    """Whether a normalised text names two of a family's words (the first of each value it names: `words`) side by side
    with at most a connector between them (单面、双面), or in a sentence that offers them or tells kinds apart (都有, 区别)."""
    words = [w for w in words if w]
    for w in words:
        at = norm.find(w)
        if at < 0:
            continue
        end = at + len(w)
        join = _LIST_JOIN_RE.match(norm, end)
        if any(norm.startswith(o, join.end()) for o in words if o != w):
            return True  # (a bounded join: no scan of the text)
        start = max(norm.rfind(c, 0, at) for c in _SENTENCE_END) + 1
        stop = min((i for i in (norm.find(c, end) for c in _SENTENCE_END) if i >= 0), default=len(norm))
        if _OPTIONS_CUE_RE.search(norm, start, stop):
            return True
    return False


# (session 38) a value said to be the only one (仅支持AC220V, 只感温, 纯电池): a text naming another value of the family beside
# it contradicts itself even where the family's products may be two (an alarm on mains with a backup battery); 不仅 / 不只
# (not only) is no such word
# (nor 只 as a count's measure word: 一只感温探头)
_ONLY_BEFORE_RE = re.compile(r"(?<!不)(?:仅|(?<![一两二三四五六七八九十几\d])只|唯一)(?:支持|能|可|限|用|能用|可用|适用)?\s*$")


def said_as_only(norm: str, word: str) -> bool:
    """Whether `word` occurs in the normalised text right after a word saying it is the only one (仅支持, 只)."""
    at = norm.find(word)
    while at >= 0:
        if _ONLY_BEFORE_RE.search(norm, max(0, at - 4), at):
            return True
        at = norm.find(word, at + 1)
    return False


_NOUN_VALUE_RES: dict[int, tuple[dict[str, Any], tuple]] = {}


def _noun_values(norm: str, facts: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(family, value, text) for a value named by a bare word right after the family's noun (导体材质：铝,
    导体 铜: `noun_values` in specs.yaml), the word standing alone (not 铜包铝, 铝合金)."""
    cfg = facts.get("word_families") or {}
    if not cfg.get("enforce"):
        return []
    cached = _NOUN_VALUE_RES.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        built = []
        for name, f in enforced_families(cfg).items():
            nv = f.get("noun_values") or {}
            nouns = sorted((normalize(n) for n in nv.get("nouns", [])), key=len, reverse=True)
            for value, words in (nv.get("values") or {}).items():
                if nouns and words:
                    built.append((name, value, re.compile(
                        # (session 38) or said with a verb (绝缘层采用聚氯乙烯, 导体选用铜)
                        "(?:" + "|".join(map(re.escape, nouns)) + r")\s*+(?:[:：为是]|采用|选用|使用)?\s*+(" +
                        "|".join(re.escape(normalize(w)) for w in words) + r")(?:的(?:亲|哦|呢|哈|啊|呀|喔)?)?(?![\u4e00-\u9fff])")))
        cached = _NOUN_VALUE_RES[id(cfg)] = (cfg, tuple(built))
    out = []
    for name, value, rx in cached[1]:
        m = rx.search(norm)
        if m:
            out.append((name, value, m.group(0)))
    return out


def _word_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    _put(specs, "word_values", word_values(norm, facts, normalized(text)))


# temperature channels of an electrical-fire detector: 8路温度, 温度通道：2路, 测温4路
_TEMP_CHANNELS_RE = re.compile(r"(\d{1,2})\s*路\s*(?:温度|测温|温感)|(?:温度|测温|温感)\s*(?:通道|回路|路数|检测)?\s*[:：]?\s*"
                               r"(\d{1,2})\s*路")
# the pattern year of firefighter gear (GA/XF 10: 97式, 02式, 14式, 17式; sellers write 17款 too)
_GEAR_PATTERN_RE = re.compile(r"(\d(?<![\d.]\d)\d)\s*(?:款|式)(?![\d])")


# (heldout9) the temperature probes a detector is supplied with, counted (配件：温度探头×1): one probe per measured
# channel, so the count is the channels the product as sold measures (a 4路测温 title against 温度探头×1). Probes
# bought apart (温度探头另购, 探头选配) or a count of other things are no such statement
_TEMP_PROBES_RE = re.compile(r"(?:温度探头|测温探头|温感探头|温度传感器)\s*(?:[×x*]\s*|数量\s*[:：]?\s*)(\d{1,2})(?![\d.])"
                             r"(?:\s*(?:个|只|支|路))?(?![^，,。;；、]{0,4}?(?:另购|另配|选配|另售|自备|另拍))")


def _channel_gear_family(norm: str, text: str, facts: dict[str, Any], has, specs: dict[str, Any]) -> None:
    if has("路") or has("探头") or has("传感器"):
        channels = {int(a or b) for a, b in _TEMP_CHANNELS_RE.findall(norm)} if has("路") else set()
        channels |= {int(n) for n in _TEMP_PROBES_RE.findall(norm)}
        _put(specs, "temperature_channels", sorted(channels))
    if has("款") or has("式"):
        _put(specs, "gear_patterns", sorted(set(_GEAR_PATTERN_RE.findall(norm))))


# The families in the order parse_specs runs them, each with the keys it may set (in order).
_FAMILIES = (
    (("extinguisher_codes",), _extinguisher_family),
    (("weights_kg",), _weight_family),
    (("volumes_l",), _volume_family),
    (("agents_stated", "agents_declared"), _agent_family),
    (("powder_content_pct",), _powder_family),
    (("tzl_minutes", "stated_minutes"), _minutes_family),
    (("protection_minutes", "protection_texts", "emergency_minutes", "emergency_texts", "emergency_roles",
      "stated_hours", "stated_hours_texts"), _duration_family),
    (("standards", "standards_cited", "foreign_standards"), _standards_family),
    (("door_grades",), _grade_family),
    (("fire_glass",), _glass_family),
    (("rating_hours",), _rating_family),
    (("door_codes", "door_openings"), _door_family),
    (("glass_thickness_mm", "thickness_said_mm"), _thickness_family),
    (("sprinklers",), _sprinkler_family),
    (("sprinkler_mountings",), _mounting_family),
    (("temperatures_c",), _temperature_family),
    (("colours", "bulb_named"), _colour_family),
    (("k_factors",), _k_family),
    (("dn",), _dn_family),
    (("hydrants",), _hydrant_family),
    (("pumps",), _pump_family),
    (("head_m",), _head_family),
    (("flows_lps", "powers_kw"), _flow_power_family),
    (("self_check_hours",), _self_check_family),
    (("foam_types_code", "foam_types_words", "gas_cylinders", "cylinder_count", "mix_ratio_pct", "pressures_mpa",
      "storage_pressures_mpa", "working_pressures_mpa"),
     _foam_gas_family),
    (("hoses",), _hose_family),
    (("lengths_m",), _length_family),
    (("couplings", "hose_fit_mm"), _coupling_family),
    (("cables", "conductors", "sections_mm2", "cores", "voltages"), _cable_family),
    (("blanket_sizes", "blanket_sides", "batteries", "certificate_numbers", "pack_qty"), _blanket_cert_pack_family),
    (("coating_codes", "coating_hours", "coating_types"), _coating_family),
    (("word_values",), _word_family),
    (("temperature_channels", "gear_patterns"), _channel_gear_family),
)
_FAMILY_OF = {key: family for keys, family in _FAMILIES for key in keys}


# Chinese numerals read as digits where a unit or a count word follows (一米五: 1.5米, 两寸半: 2.5寸,
# 二点五兆帕: 2.5兆帕, 十九毫米: 19毫米); 一般, 十分, 三无, 一体, 五金 stay words (no unit follows)
# (a mass in words is read only outside a conversation: `_SpecFollow`; in a reply it names other things as often as
# the goods' fill: 两公斤的箱子, 整瓶六公斤左右, 二十公斤的快递; test_false_flags8)
_SPEC_UNITS = ("公斤压力", "公斤的压力", "毫升", "升", "毫米", "厘米", "公分", "米", "英寸", "寸", "兆帕", "分钟", "小时",
               "秒钟", "摄氏度", "度", "℃", "平方", "千瓦", "伏", "mm", "cm", "mpa", "min",
               "只装", "个装", "只", "具", "瓶", "支", "套", "台", "根", "卷", "盘", "芯", "路")
# a bare 一 before a unit right after a price is the unit priced, no figure (5元一米, 十九块一瓶, 每一米)
_SPEC_FOLLOW_RE = re.compile(r"(?<![元块钱角毛每/]一)\s*(?:" + "|".join(map(re.escape, _SPEC_UNITS)) + ")")
_CN_RUN = "[零〇一二两三四五六七八九十百千万]+"
# (session 34) a mass in words is read where it stands outside any conversation: the title, an attribute row, a
# description's own statement (两公斤半, 三公斤的, 重量 两公斤); within reach after a question, a reply or a speaker's
# mark (答：两公斤的箱子, 客服：, 主播：) it is left as words for same_quantity, which reads what a reply is about, and a
# clause naming a box, the parcel, the whole bottle or another product (二十公斤的快递, 整瓶六公斤左右, 比那个三公斤的重,
# 上一个链接是两公斤的) names no fill either
# (a price per mass, 30元一公斤 / 25块一公斤, states no fill: the same guard as _SPEC_FOLLOW_RE)
_MASS_FOLLOW_RE = re.compile(r"(?<![元块钱角毛每/]一)\s*+(?:公斤|千克|斤|kg)(?![a-z])")
_MASS_TALK_RE = re.compile(r"[问答]|回复|客服|主播|掌柜|卖家|商家|店主|老板|家人们|宝子|亲[,，:：]")
_MASS_OTHER_RE = re.compile(r"比|箱|盒|包装|快递|物流|发货|运费|邮费|托运|整[瓶台具罐桶个只]|链接|上一个|下一个|上一款|下一款|"
                            r"另|其他|其它|还有|也有|可选|选配|建议|推荐|适合")
_MASS_REACH = 60
# the goods' own fill named in the mass's clause (装粉五公斤, 药剂两公斤, 这款是三公斤的): read in a conversation too
_MASS_FILL_RE = re.compile(r"装粉|充装|灌装|装药|药剂|灭火剂|干粉|净重|净含量|(?:这款|这个|本款|这瓶|这具|这只)(?:就)?是"
                           # (session 38) 这款装的是四公斤的粉, 里面灌的是三公斤
                           r"|(?:装|充|灌)的(?:就)?是")
# (review 36) advice on what size to keep (答：家里放干粉两公斤的就够了, 车上干粉一公斤的就行): another size, not this one
_MASS_ADVICE_RE = re.compile(r"放(?!心)|买(?!家)|选|配|就够|就行|就可以|够用|车上|家里|家用|用的话")


class _SpecFollow:
    """What follows a figure in words that makes it one (`_SPEC_FOLLOW_RE`), and a mass unit where the figure is the
    goods' own statement (`_MASS_FOLLOW_RE`; not in a clause of other things, nor in a conversation's reach unless its
    clause names the goods' fill and gives no advice on a size to keep: 答：这款装粉五公斤, not 答：车上干粉一公斤的就行);
    `arabic_before` calls `match(text, pos)` as a pattern's."""

    @staticmethod
    def match(text: str, pos: int):
        m = _SPEC_FOLLOW_RE.match(text, pos)
        if m is not None:
            return m
        m = _MASS_FOLLOW_RE.match(text, pos)
        if m is None:
            return None
        # its sentence before it (整箱四个，二十四公斤) and its clause after it (一公斤的车载款另拍)
        stops = [x.end() for x in _MASS_SENTENCE_STOP_RE.finditer(text, max(0, pos - 24), pos)]
        end = _MASS_CLAUSE_STOP_RE.search(text, m.end(), m.end() + 24)
        clause = text[stops[-1] if stops else max(0, pos - 24):end.start() if end else m.end() + 24]
        if _MASS_OTHER_RE.search(clause):
            return None
        lo = max(0, pos - _MASS_REACH)
        # (session 36) in a conversation's reach, a clause naming the goods' fill (答：这款装粉五公斤) still states it
        if _MASS_TALK_RE.search(text, lo, pos) and (not _MASS_FILL_RE.search(clause) or _MASS_ADVICE_RE.search(clause)):
            return None
        return m


_MASS_CLAUSE_STOP_RE = re.compile(r"[，,。;；!！?？\n【]")
_MASS_SENTENCE_STOP_RE = re.compile(r"[。;；!！?？\n【]")
_SPEC_FOLLOW = _SpecFollow()
# the cheap test: a numeral run (with a spoken decimal, 二点五) right before a unit; a cable's cores times section
# said in words (四乘三十五加一乘十六: 4×35+1×16); a half after a mass in digits (2公斤半: 2.5公斤)
# (each run read from its first numeral and whole, possessively: a long run of numerals with no unit after it,
# 一一一…, is read once, not again from each of its characters)
_CN_RUN_START = "(?<![零〇一二两三四五六七八九十百千万])[零〇一二两三四五六七八九十百千万]++"
_CN_FIGURE_RE = re.compile(_CN_RUN_START + r"(?:点[零〇一二两三四五六七八九]{1,3})?" + _SPEC_FOLLOW_RE.pattern
                           + "|" + _CN_RUN_START + "乘" + _CN_RUN + "|[一二两三四五六七八九]米[一二三四五六七八九]"
                           + "|" + _CN_RUN_START + _MASS_FOLLOW_RE.pattern
                           + r"|\d\s*+(?:公斤|千克|斤|小时|分钟|平方|升|米|寸)半")
_CN_TIMES_RE = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d.米])([一二两三四五六七八九十]{1,3})乘(" + _CN_RUN +
                          r"(?:点[零〇一二两三四五六七八九]{1,2})?)(?:加([一二两三四五六七八九])乘(" + _CN_RUN +
                          r"(?:点[零〇一二两三四五六七八九]{1,2})?))?(?![零〇一二两三四五六七八九十百千万\d米厘公]|\s*[mc])")
# 乘 between two figures once they are digits: a size (1.5米乘1.5米: 1.5米×1.5米)
_TIMES_WORD_RE = re.compile(r"(?<=[\d米])\s*乘\s*(?=\d)")


class _Figures(str):
    """A normalised text with its Chinese figures in digits: `plain` is the text before, `back` the position in
    `plain` of each character (for what a family takes from the text the seller wrote)."""

    __slots__ = ("plain", "back")


def _cn_times(m: re.Match) -> str | None:
    parts = []
    for i in range(1, 5):
        run = m.group(i)
        if run is None:
            break
        whole, _, tenths = run.partition("点")
        value = cn_value(whole)
        if value is None:
            return None
        parts.append(f"{value}." + "".join(str(cn_value(ch)) for ch in tenths) if tenths else str(value))
    return "×".join(parts[:2]) + ("+" + "×".join(parts[2:]) if len(parts) > 2 else "")


def _figures(norm: str) -> str:
    """`norm` with the Chinese figures before a unit or a count word in digits (a `_Figures`), or `norm` itself
    when it holds none (the text with no Chinese figure is read as it always was)."""
    if not _CN_FIGURE_RE.search(norm):
        return norm
    conv, back = norm, list(range(len(norm)))
    if "乘" in conv:
        conv, back = rewrite_figures(conv, back, _CN_TIMES_RE, _cn_times)
    conv2, back2 = arabic_before(conv, _SPEC_FOLLOW)
    back = [back[b] for b in back2]
    if "乘" in conv2:
        conv2, back = rewrite_figures(conv2, back, _TIMES_WORD_RE, lambda m: "×")
    if conv2 == norm:
        return norm
    out = _Figures(conv2)
    out.plain, out.back = norm, back
    return out


def _said(specs: dict[str, Any], norm: str, keys) -> None:
    """The texts a family quoted from a converted text (`_Figures`) given back as the seller wrote them
    (二点五兆帕, not 2.5兆帕), so an excerpt or span is found in the original."""
    plain, back = norm.plain, norm.back

    def orig(s):
        if not isinstance(s, str) or not s or s in plain:
            return s
        i = norm.find(s)
        if i < 0:
            return s
        j, last = i + len(s), back[i + len(s) - 1]
        end = next((p for p in back[j:] if p > last), len(plain))  # to the end of the last figure rewritten
        return plain[back[i]:end].rstrip()

    for key in keys:
        value = specs.get(key)
        if not isinstance(value, list):
            continue
        if key.endswith("_texts"):
            specs[key] = [orig(v) for v in value]
        elif any(isinstance(v, dict) and "text" in v for v in value):
            specs[key] = [{**v, "text": orig(v["text"])} if isinstance(v, dict) and "text" in v else v
                          for v in value]


def _always(_literal: str) -> bool:
    return True


def parse_specs(text: str, facts: dict[str, Any] | None = None, *, gated: bool = True) -> dict[str, Any]:
    """Everything the text states about its specification (normalised values with units).

    Keys are present only when the text states something: extinguisher_codes, weights_kg,
    volumes_l, agents_stated, powder_content_pct, tzl_minutes, stated_minutes, standards
    ("4351-2023"), standards_cited, foreign_standards, door_grades, door_codes,
    rating_hours (A1.50), stated_hours (耐火1.5小时), door_openings (2100×1000: (1000, 2100) mm), fire_glass, glass_thickness_mm,
    temperatures_c, colours, sprinklers, sprinkler_mountings, k_factors, dn, pressures_mpa, hoses, lengths_m,
    working_pressures_mpa (no burst, test or use pressure; 16公斤压力 is 1.6 MPa), thickness_said_mm (厚度 25mm, 厚2.0公分),
    couplings, hose_fit_mm (the hose a coupling fits: 适配65水带), cables, conductors, sections_mm2, cores, voltages, blanket_sizes,
    batteries, certificate_numbers, pack_qty, coating_types, temperature_channels, gear_patterns. `gated=False` runs every expression whatever
    the text holds (the reference for the literal gates; same result, slower). A figure in Chinese numerals
    before a unit or a count word (十九毫米, 一米五, 二点五兆帕, 四乘三十五加一乘十六) is read as the digits (`_figures`);
    the texts a value quotes stay as the seller wrote them.
    """
    facts = facts or load_facts()
    norm = _figures(own_statements(normalized(text)))
    specs: dict[str, Any] = {}
    has = norm.__contains__ if gated else _always
    for _, family in _FAMILIES:
        family(norm, text, facts, has, specs)
    if isinstance(norm, _Figures):
        _said(specs, norm, _FAMILY_OF)
    return specs


class LazySpecs(Mapping):
    """`parse_specs(text, facts)` parsed a family at a time, when one of its keys is first read:
    for a check that reads a few keys (the title+attributes mismatch check) of a long text."""

    __slots__ = ("_norm", "_text", "_facts", "_specs", "_done")

    def __init__(self, text: str, facts: dict[str, Any] | None = None) -> None:
        self._facts = facts or load_facts()
        self._text = text
        self._norm = _figures(own_statements(normalized(text)))
        self._specs: dict[str, Any] = {}
        self._done: set = set()

    def _load(self, family) -> None:
        if family not in self._done:
            self._done.add(family)
            family(self._norm, self._text, self._facts, self._norm.__contains__, self._specs)
            if isinstance(self._norm, _Figures):
                _said(self._specs, self._norm, [k for keys, f in _FAMILIES if f is family for k in keys])

    def get(self, key: str, default: Any = None) -> Any:
        specs = self._specs
        if key not in specs:
            family = _FAMILY_OF.get(key)
            if family is None:
                return default
            self._load(family)
        return specs.get(key, default)

    def __getitem__(self, key: str) -> Any:
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            raise KeyError(key)
        return value

    def _all(self) -> dict[str, Any]:
        for _, family in _FAMILIES:
            self._load(family)
        return {key: self._specs[key] for keys, _ in _FAMILIES for key in keys if key in self._specs}

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def extinguisher_size(specs: dict[str, Any]) -> tuple[str | None, float | None]:
    """(agent, amount) when the listing states exactly one extinguisher size, else (agent, None)."""
    codes = specs.get("extinguisher_codes", [])
    agents = {c["agent"] for c in codes}
    amounts = {c["amount"] for c in codes}
    agent = agents.pop() if len(agents) == 1 else None
    if len(amounts) == 1:
        return agent, amounts.pop()
    if not codes:
        weights = set(specs.get("weights_kg", []))
        if len(weights) == 1:
            return agent, weights.pop()
        volumes = set(specs.get("volumes_l", []))
        if len(volumes) == 1 and not weights:
            return agent, volumes.pop()
    return agent, None


class Finding(NamedTuple):
    """What a rule found: its reason code, the evidence (a Chinese sentence quoting the text) and
    the quoted text's span [start, end) in the text the rule read (None: nothing to point at)."""

    code: str
    evidence: str
    span: tuple[int, int] | None = None


def locate(text: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` first occurs in `text`, width and case folded, spaces in `needle` optional
    (EN 3-7 is found in EN3-7), as (start, end) in `text`."""
    words = normalize(needle).split()
    if not words:
        return None
    m = re.search(r"\s*".join(map(re.escape, words)), normalize(text))
    return m.span() if m else None


def snippet(text: str, needle: str, width: int = 10) -> str:
    """`needle` with up to `width` characters of context from `text` (the original spelling)."""
    span = locate(text, needle)
    if span is None:
        return needle
    start, end = max(0, span[0] - width), min(len(text), span[1] + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def finding(code: str, message: str, text: str, needle: str) -> Finding:
    """A finding whose evidence is `message：<needle in its context>` and whose span is `needle` in `text`."""
    return Finding(code, f"{message}：{snippet(text, needle)}", locate(text, needle))


_snippet = snippet  # backwards-compatible private name


_KEY_NORMS: dict[str, str] = {}
KEY_CACHE_SIZE = 20000  # attribute names remembered by `attribute_key` (cleared when full)


def attribute_key(key: str) -> str:
    """`normalize(key).strip()` of an attribute name, remembered (names repeat across listings)."""
    hit = _KEY_NORMS.get(key)
    if hit is None:
        if len(_KEY_NORMS) >= KEY_CACHE_SIZE:
            _KEY_NORMS.clear()
        hit = _KEY_NORMS[key] = normalize(key).strip()
    return hit


def today(now: datetime | date | None) -> date:
    """The Beijing calendar day of `now` (a date as it is; a naive datetime's own day); None: today in Beijing."""
    if now is None:
        return to_beijing(utcnow()).date()
    if isinstance(now, datetime):
        return to_beijing(now).date() if now.tzinfo is not None else now.date()
    return now


_today = today


def ccc_digits(number: str, digits: int = 16) -> str | None:
    """The digits of a CCC certificate number as a listing cites it: written bare (2023010918070001), or with a
    dash or space between its 4-digit groups (2023-0109-1807-0001, 2023 0109 1807 0001) or its fields
    (year-body-category-serial: 2023-01-0918-070001); None for any other token (a wrong length, letters,
    separators elsewhere)."""
    number = normalize(number)  # a full-width dash or digit as the half-width one
    if number.isdigit():
        return number if len(number) == digits else None
    if digits == 16 and any(rx.fullmatch(number) for rx in _CCC_GROUPED_RES):
        return re.sub(r"\D", "", number)
    return None


def validate_ccc_number(number: str, now: datetime | date | None = None,
                        facts: dict[str, Any] | None = None) -> str | None:
    """Why `number` is not a well-formed CCC certificate number (its characters and length), or None if it
    is (`ccc_digits`: separators between its groups are allowed); whether its year is possible at the
    listing's date is `classifiers.certification`'s check."""
    facts = facts or load_facts()
    rule = facts["ccc_certificate"]
    digits = rule["digits"]
    if ccc_digits(number, digits) is not None:
        return None
    bare = re.sub(_CCC_SEP, "", normalize(number))
    if not bare.isdigit():
        return f"证书编号 {number} 含非数字字符（强制性产品认证证书编号为 {digits} 位数字）"
    if len(bare) != digits:
        return f"证书编号 {number} 为 {len(bare)} 位，应为 {digits} 位（年份+机构+类别+流水号）"
    return f"证书编号 {number} 的分隔不在 4 位一组或年份、机构、类别、流水号之间（强制性产品认证证书编号为 {digits} 位数字）"


def check_certificates(text: str, now: datetime | date | None = None,
                       facts: dict[str, Any] | None = None,
                       numbers: list[str] | None = None) -> list[Finding]:
    """invalid_certificate findings for certificate numbers cited in `text` (or given)."""
    facts = facts or load_facts()
    if numbers is None:
        numbers = parse_specs(text, facts).get("certificate_numbers", [])
    found = []
    for number in numbers:
        problem = validate_ccc_number(number, now, facts)
        if problem:
            found.append(Finding("invalid_certificate", f"{problem}：{_snippet(text, number)}", locate(text, number)))
    return found


__all__ = ["SPECS_PATH", "NOT_PER_MEASURE", "load_facts", "parse_specs", "extinguisher_size",
           "check_certificates", "validate_ccc_number", "ccc_digits", "snippet", "locate", "finding", "Finding",
           "attribute_key", "LazySpecs", "without_questions", "question_spans", "taken_up", "kgf_pressures", "without_asides", "own_statements"]
