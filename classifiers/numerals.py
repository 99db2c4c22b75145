"""Chinese numerals written before a unit or a count, read as Arabic digits for the rules that compare values.

Sellers write the same figure both ways (4kg in the table, 四公斤 in the description; 100只 / 一百只; 八十块;
a 1.5 m blanket as 一米五). `cn_value("一百二十")` is the value of one numeral run (colloquial
一千五 = 1500, 一百二 = 120, 一万二 = 12000; 一百零五 = 105); `arabic_before(norm, follow)` rewrites each
numeral run that the pattern `follow` matches right after (a unit, a count word, 块/元) into digits, and
returns the rewritten text with, for each of its characters, the position in `norm` it came from, so a
finding's span still points into the text the seller wrote. A run the pattern does not follow is left as it
is (一般, 十分, 三无, 一用一备 stay words).
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


def arabic_before(norm: str, follow: re.Pattern) -> tuple[str, list[int]]:
    """`norm` with each numeral run that `follow` matches right after written in digits (and 一米五 as 1.5米),
    and the position in `norm` of each character of the result."""
    if not any(ch in _DIGITS or ch in _MAGNITUDES for ch in norm):
        return norm, list(range(len(norm)))
    out: list[str] = []
    back: list[int] = []
    pos = 0

    def emit(text: str, start: int, end: int) -> None:
        for i, ch in enumerate(text):
            out.append(ch)
            back.append(start + i if end - start == len(text) else min(start + i, end - 1))

    for m in re.finditer(_METRE_TENTHS_RE.pattern + "|" + _RUN, norm):
        if m.start() < pos:
            continue
        emit(norm[pos:m.start()], pos, m.start())
        if m.group(1):  # 一米五
            whole = m.group(1)
            whole = whole if whole.isdigit() else str(_DIGITS[whole])
            emit(f"{whole}.{_DIGITS[m.group(2)]}米", m.start(), m.end())
        else:
            value = cn_value(m.group())
            if value is not None and follow.match(norm, m.end()) and not (
                    m.start() and norm[m.start() - 1].isdigit()):
                emit(str(value), m.start(), m.end())
            else:
                emit(m.group(), m.start(), m.end())
        pos = m.end()
    emit(norm[pos:], pos, len(norm))
    return "".join(out), back
