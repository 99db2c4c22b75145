"""Chinese numerals written before a unit or a count, read as Arabic digits for the rules that compare values.

Sellers write the same figure both ways (4kg in the table, 四公斤 in the description; 100只 / 一百只; 八十块;
a 1.5 m blanket as 一米五). `cn_value("一百二十")` is the value of one numeral run (colloquial
一千五 = 1500, 一百二 = 120, 一万二 = 12000; 一百零五 = 105); `arabic_before(norm, follow)` rewrites each
numeral run that the pattern `follow` matches right after (a unit, a count word, 块/元) into digits, and
returns the rewritten text with, for each of its characters, the position in `norm` it came from, so a
finding's span still points into the text the seller wrote. A run the pattern does not follow is left as it
is (一般, 十分, 三无, 一用一备 stay words).

Spoken forms of a figure are read as the figure (livestream and chat voice): a decimal said with 点 (二点五平方:
2.5平方), a half after the unit (四公斤半: 4.5公斤, 两寸半: 2.5寸), an hour counted with 个 (三个小时: 3小时,
半个小时: 0.5小时, 一个半小时: 1.5小时; 三个钟, 一个半钟头 alike), quarters of an hour (三刻钟: 45分钟) and 俩, 仨
before a unit (俩小时: 2小时).
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_RUN = "[零〇一二两三四五六七八九十百千万]+"
# a numeral, 米, a single digit: 一米五 = 1.5 m, 一米八 = 1.8 m (not 一米五十, 一米五公分; not the last digit of 15米,
# nor a count after a length: 5米三根, 两米一条, 25米一盘)
_METRE_TENTHS_RE = re.compile(r"(?<![\d.零〇一二两三四五六七八九十百千万])([一二两三四五六七八九]|\d)米([一二三四五六七八九])"
                              r"(?![零〇一二两三四五六七八九十百千万\d米厘公毫根条盘卷捆个只套件台瓶支组副双把张片箱包袋桶])")


# 俩 and 仨, two and three said at once (俩小时, 仨月), stand alone before a unit: a run of their own (俩四公斤的 is two
# 4 kg units: 四 is read as ever)
_COLLOQUIAL = {"俩": 2, "仨": 3}
_FIGURE_RUN_RE = re.compile(_METRE_TENTHS_RE.pattern + "|[俩仨](?![零〇一二两三四五六七八九十百千万])|" + _RUN)


def cn_value(run: str) -> int | None:
    """The value of a run of Chinese numerals, or None when it is no number (十十, 百一千)."""
    total, section, digit, last_mag, after_zero = 0, 0, None, None, False
    for ch in run:
        if ch in _DIGITS:
            if digit is not None:
                return None  # two digits in a row (一二) are no one number
            digit = _DIGITS[ch]
            if digit == 0:
                after_zero, digit = True, None
        else:
            mag = _MAGNITUDES[ch]
            if last_mag is not None and mag >= last_mag and mag != 10000:
                return None  # 十百, 百百
            if mag == 10000:
                total = (total + section + (digit or 0)) * 10000
                section = 0
            else:
                section += (1 if digit is None else digit) * mag
            digit, last_mag, after_zero = None, mag, False
    if digit is not None:
        if last_mag is not None and last_mag >= 100 and not after_zero:
            digit *= last_mag // 10  # 一百二 = 120, 一千五 = 1500, 一万二 = 12000
        section += digit
    value = total + section
    return value if run and value >= 0 else None


_CN_DIGIT = "[零〇一二两三四五六七八九]"
# a decimal said with 点 (二点五, 一点零, 零点八): the digits after 点 one by one
_POINT_RE = re.compile(r"(" + _RUN + r"|\d+)点(" + _CN_DIGIT + r"{1,3})(?![零〇一二两三四五六七八九十百千万])")
# spoken hours and halves, rewritten after the numerals: (pattern, replacement builder)
_HALF_AFTER_UNIT_RE = re.compile(r"(?<![\d.])(\d+)(公斤|千克|斤|米|寸|小时|分钟|平方|升)半(?![\d一二两三四五六七八九径价])")
# (an hour is also 钟头 or, counted with 个, 钟: 三个钟, 一个半钟头; not 三个钟表, 几个钟点)
_HOUR_COUNT_RE = re.compile(r"(?<![\d.])(\d+|[一二两三四五六七八九十]{1,3})?(?:个(半)?|(半)个)(?:小时|钟头|钟(?![表点]))")
_QUARTER_RE = re.compile(r"(?<![\d.])([1-9])刻钟")


def _rewrite(text: str, back: list[int], rx: re.Pattern, repl) -> tuple[str, list[int]]:
    """`text` with each match of `rx` replaced by `repl(match)` (None: left as it is), positions kept."""
    out: list[str] = []
    pos_out: list[int] = []
    pos = 0
    for m in rx.finditer(text):
        new = repl(m)
        if new is None:
            continue
        out.append(text[pos:m.start()])
        pos_out += back[pos:m.start()]
        out.append(new)
        span = back[m.start():m.end()]
        pos_out += [span[min(i, len(span) - 1)] for i in range(len(new))]
        pos = m.end()
    if not out:
        return text, back
    out.append(text[pos:])
    pos_out += back[pos:]
    return "".join(out), pos_out


rewrite_figures = _rewrite  # for a caller's own spoken forms (specs: 四乘三十五 as 4×35), positions kept


def _hours(m: re.Match) -> str | None:
    whole, half_after, half_before = m.group(1), m.group(2), m.group(3)
    if half_before:
        return None if whole else "0.5小时"  # 半个小时
    if whole is None:
        return None  # 个小时 alone
    if not whole.isdigit():
        value = cn_value(whole)
        if value is None:
            return None
        whole = str(value)
    return f"{whole}.5小时" if half_after else f"{whole}小时"


def _spoken(text: str, back: list[int]) -> tuple[str, list[int]]:
    """Halves, hours counted with 个 and quarters of an hour, read after the numerals are digits."""
    if "半" in text:
        text, back = _rewrite(text, back, _HALF_AFTER_UNIT_RE, lambda m: f"{m.group(1)}.5{m.group(2)}")
    if "个" in text and ("小时" in text or "钟" in text):
        text, back = _rewrite(text, back, _HOUR_COUNT_RE, _hours)
    if "刻钟" in text:
        text, back = _rewrite(text, back, _QUARTER_RE, lambda m: f"{int(m.group(1)) * 15}分钟")
    return text, back


def _point_value(m: re.Match) -> str | None:
    whole = m.group(1)
    value = int(whole) if whole.isdigit() else cn_value(whole)
    if value is None:
        return None
    return f"{value}." + "".join(str(_DIGITS[ch]) for ch in m.group(2))


def arabic_before(norm: str, follow: re.Pattern) -> tuple[str, list[int]]:
    """`arabic_numerals` and the spoken forms (`_spoken`): `norm` with each figure that `follow` matches right
    after written in digits, and the position in `norm` of each character of the result."""
    if not any(ch in _DIGITS or ch in _MAGNITUDES or ch in _COLLOQUIAL or ch == "半" or ch == "个" for ch in norm):
        return norm, list(range(len(norm)))
    text, back = norm, list(range(len(norm)))
    if "点" in text:
        # a spoken decimal is a figure only where what follows it is (二点五平方; not 一点点, 三点钟)
        text, back = _rewrite(text, back, _POINT_RE,
                              lambda m: _point_value(m) if follow.match(text, m.end()) else None)
    conv, back2 = _arabic(text, follow)
    conv, back2 = _spoken(conv, back2)
    return conv, [back[min(b, len(back) - 1)] for b in back2] if back else back2


def _arabic(norm: str, follow: re.Pattern) -> tuple[str, list[int]]:
    """`norm` with each numeral run that `follow` matches right after written in digits (and 一米五 as 1.5米),
    and the position in `norm` of each character of the result."""
    if not any(ch in _DIGITS or ch in _MAGNITUDES or ch in _COLLOQUIAL for ch in norm):
        return norm, list(range(len(norm)))
    out: list[str] = []
    back: list[int] = []
    pos = 0

    def emit(text: str, start: int, end: int) -> None:
        out.append(text)  # joined below: a piece of text, not a character at a time (linear in C)
        if end - start == len(text):
            back.extend(range(start, end))
        else:
            back.extend(min(start + i, end - 1) for i in range(len(text)))

    for m in _FIGURE_RUN_RE.finditer(norm):
        if m.start() < pos:
            continue
        emit(norm[pos:m.start()], pos, m.start())
        if m.group(1):  # 一米五
            whole = m.group(1)
            whole = whole if whole.isdigit() else str(_DIGITS[whole])
            emit(f"{whole}.{_DIGITS[m.group(2)]}米", m.start(), m.end())
        else:
            value = _COLLOQUIAL.get(m.group()) or cn_value(m.group())
            run_end = m.end()
            if value is None and len(m.group()) > 1 and m.group()[-1] in "千万" and follow.match(norm, run_end - 1):
                # (session 38) a unit that begins with a magnitude (十一千瓦, 十五千克: 11 kW, not 十一千 and 瓦)
                run_end -= 1
                value = cn_value(norm[m.start():run_end])
            if value is not None and follow.match(norm, run_end) and not (
                    m.start() and norm[m.start() - 1].isdigit()):
                emit(str(value), m.start(), run_end)
                emit(norm[run_end:m.end()], run_end, m.end())
            else:
                emit(m.group(), m.start(), m.end())
        pos = m.end()
    emit(norm[pos:], pos, len(norm))
    return "".join(out), back
