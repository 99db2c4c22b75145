"""`regex_scan.Scanner` gives exactly `finditer`'s matches: the lexicon's own patterns on every corpus
text, and patterns written to sit at the edges of the first-character analysis (lookbehinds that
read before the start, optional and repeated openings, sets, anchors), on texts built from their
own characters; patterns whose first characters cannot be known are scanned as before."""

from __future__ import annotations

import random
import re

import pytest

from classifiers.corpus import CORPUS_PATH, HAND_CORPUS_PATH, HELDOUT_PATH, load_records
from classifiers.regex_scan import Scanner, first_chars
from classifiers.risk import RiskRules
from firewatch.core.text import normalize

EDGE_PATTERNS = [
    r"(?<!日常)(?<!定期)(?:检查|验收)[^，,。]{0,6}?(?:就行|能过)",
    r"(?<![不并])(?:只|就)为了?(?:过|应付)?(?:年检|检查)",
    r"(?:a|b)?c+d", r"x*y", r"(?:ab)+c|d{2,}", r"\bab", r"^a|b$", r"(?=ab)a", r"(?!a)[a-c]b",
    r"[a-c]x|(?:d|e|f)y", r"(?:)a", r"a(?<=a)b", r"(?<=x)y|z(?<!q)w",
]
UNKNOWN = [r".a", r"[^a]b", r"\da", r"a?", r"(?i)ab", r"(?i:a)b", r"x|", r"\w+"]


def _texts() -> list[str]:
    records = load_records(CORPUS_PATH) + load_records(HAND_CORPUS_PATH) + load_records(HELDOUT_PATH)
    out = []
    for r in records:
        out.append(normalize(r.get("title") or ""))
        out.append(normalize(r.get("description") or ""))
        out += [normalize(f"{k} {v}") for k, v in (r.get("attributes") or {}).items()]
    return [t for t in dict.fromkeys(out) if t]


def _spans(matches) -> list[tuple]:
    return [(m.span(), m.group(0), m.groups()) for m in matches]


def test_lexicon_patterns_match_as_finditer():
    rules = RiskRules()
    texts = _texts()
    assert len(texts) > 3000
    scanners = [sc for scs in rules._regexes.values() for sc in scs]
    assert scanners and all(first_chars(sc.rx) for sc in scanners)  # each gets the shortcut
    found = 0
    for sc in scanners:
        for text in texts:
            expected = _spans(sc.rx.finditer(text))
            assert _spans(sc.finditer(text)) == expected, (sc.rx.pattern[:60], text)
            found += len(expected)
    assert found > 20  # the corpus does hold matches


@pytest.mark.parametrize("pattern", EDGE_PATTERNS + UNKNOWN)
def test_edge_patterns_match_as_finditer(pattern):
    rx = re.compile(pattern)
    alphabet = sorted(set(re.sub(r"[\\(){}?*+|^$\[\]<=!:,0-9]", "", pattern)) | {" ", "，", "q"})
    rng = random.Random(pattern)
    scanner = Scanner(rx)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _spans(scanner.finditer(text)) == _spans(rx.finditer(text)), text


@pytest.mark.parametrize("pattern", UNKNOWN)
def test_unknown_first_characters_take_no_shortcut(pattern):
    assert first_chars(re.compile(pattern)) is None


def test_first_characters():
    assert first_chars(re.compile(r"(?<!x)(?:ab|c)d+")) == frozenset("ac")
    assert first_chars(re.compile(r"(?:a|b)?c+d")) == frozenset("abc")
    assert first_chars(re.compile(r"[a-c]x|(?:d|e)y")) == frozenset("abcde")
