"""Faster `finditer` for rule expressions that open with lookbehinds: try a match only where one can start.

Python's regex engine skips ahead to a pattern's possible first characters only when the pattern
opens with a literal or a character set; an alternation whose branches open with lookbehinds
((?<!日常)(?:检查|验收)…, lexicon.yaml `patterns`) is tried at every position of the text instead.
`Scanner(pattern).finditer(text)` gives exactly the matches of `pattern.finditer(text)` (the same
spans, groups and order) by finding the characters a match can begin with from the parsed
pattern and trying the pattern only at those positions (a lookbehind still sees the text before
them). A pattern whose first characters cannot be known (a wildcard, a negated set, case folding,
a possibly empty match) is scanned as before.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the standard library's own parser (private; absent or changed: no shortcut, same results)
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - another Python
    _c = _p = None

_MAX_RANGE = 512  # a character range wider than this is not expanded (no shortcut)


def _item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    """(characters a match of this item can begin with, whether it can match nothing); None: unknown."""
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return set(), True  # zero width: the next item begins the match
    if op is _c.LITERAL:
        return {chr(av)}, False
    if op is _c.IN:
        chars: set[str] = set()
        for o, a in av:
            if o is _c.LITERAL:
                chars.add(chr(a))
            elif o is _c.RANGE and a[1] - a[0] <= _MAX_RANGE:
                chars.update(map(chr, range(a[0], a[1] + 1)))
            else:  # a negated set, a category (\d, \s) or a wide range
                return None, False
        return chars, False
    if op is _c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return _seq(sub) if not add_flags and not del_flags else (None, False)
    if op is _c.BRANCH:
        chars, empty = set(), False
        for alt in av[1]:
            f, n = _seq(alt)
            if f is None:
                return None, False
            chars |= f
            empty = empty or n
        return chars, empty
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _, sub = av
        f, n = _seq(sub)
        return f, (n or low == 0) if f is not None else False
    return None, False  # a wildcard, a back-reference, anything else


def _seq(items: Any) -> tuple[set[str] | None, bool]:
    chars: set[str] = set()
    for op, av in items:
        f, empty = _item(op, av)
        if f is None:
            return None, False
        chars |= f
        if not empty:
            return chars, False
    return chars, True


def first_chars(rx: re.Pattern) -> frozenset[str] | None:
    """The characters every match of `rx` begins with, or None when they cannot be known (or a
    match may be empty, or the pattern folds case)."""
    if _p is None or rx.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(rx.pattern, str):
        return None
    try:
        chars, empty = _seq(_p.parse(rx.pattern, rx.flags))
    except Exception:  # noqa: BLE001 - an unexpected parse tree: no shortcut
        return None
    return frozenset(chars) if chars and not empty else None


class Scanner:
    """`rx.finditer` as a list, trying `rx` only where a match can begin (same matches)."""

    __slots__ = ("rx", "_starts")

    def __init__(self, rx: re.Pattern) -> None:
        self.rx = rx
        chars = first_chars(rx)
        self._starts = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]") if chars else None

    def finditer(self, text: str) -> list[re.Match]:
        if self._starts is None:
            return list(self.rx.finditer(text))
        out = []
        search, match = self._starts.search, self.rx.match
        pos = 0
        while True:
            s = search(text, pos)
            if s is None:
                return out
            m = match(text, s.start())
            if m is None:
                pos = s.start() + 1
            else:  # never empty (first_chars refuses patterns that may match nothing)
                out.append(m)
                pos = m.end()
