"""Chinese tokenizer for listing text: jieba segmentation with a fire-product user dictionary.

`normalize(text)` folds width and Latin case, keeping length; `tokenize(text)` gives precise-mode
tokens for the models, `search_tokens(text)` search-mode tokens plus CJK bigrams and code parts for
the indexes. Model codes and specifications (MFZ/ABC4, 8-65-20, ZR-YJV) are kept whole.

Segmentation runs on `rjieba` (the Rust jieba-rs port: same dictionary, same HMM, same cuts as
jieba on the project's corpora, ~40x faster in precise mode). The Python `jieba` engine stays as
the reference: `use_engine("jieba")` switches this module to it (benchmarks, parity tests).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import re
import threading
from pathlib import Path
from typing import Iterator, Protocol

logger = logging.getLogger(__name__)

USERDICT = Path(__file__).parent / "data" / "userdict.txt"
ENGINES = ("rjieba", "jieba")
DEFAULT_ENGINE = "rjieba"

# A code: a run of ASCII letters/digits (and ℃/°), possibly joined by - / * + × . _ ~
# e.g. mfz/abc4, 8-65-20, zr-yjv, 3*4+1*2.5, gfm-0921-dk5, a1.00, zstx15-68℃, 0.6/1kv
_CODE_RE = re.compile(r"[a-z0-9][a-z0-9℃°]*(?:[-/*+×._~][a-z0-9℃°]+)*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_PUNCT_ONLY_RE = re.compile(r"^[\W_]+$")
_SPLIT_CODE_RE = re.compile(r"[-/*+×_~]")

_WIDTH_TABLE = {0x3000: " ", **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}
# The same mapping as a substitution: str.translate looks every character up in the table,
# the expression only visits the full-width ones (~5x faster on listing text).
_WIDE_RE = re.compile("[\u3000\uff01-\uff5e]")
_NARROW = {chr(c): v for c, v in _WIDTH_TABLE.items()}


def _narrow(match: re.Match) -> str:
    return _NARROW[match.group()]


def normalize(text: str) -> str:
    """Full-width to half-width, ideographic space to space, Latin to lowercase.

    The result has the same length as the input, character for character.
    """
    if not text:
        return ""
    out = _WIDE_RE.sub(_narrow, text)
    lowered = out.lower()
    # str.lower() equals lowering one character at a time unless a character lowers to
    # several (İ: then the lengths differ) or a capital sigma is lowered by context.
    if len(lowered) == len(out) and "Σ" not in out:
        return lowered
    return _normalize_slow(out)


def _normalize_slow(out: str) -> str:
    # lowercase one character at a time, keeping length so spans map back to the original
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in out)


# -- segmentation engines ----------------------------------------------------------------
class Segmenter(Protocol):
    """What the tokenizer needs from an engine: jieba's precise and search modes, HMM on."""

    def cut(self, text: str) -> list[str]: ...
    def cut_for_search(self, text: str) -> list[str]: ...


def _userdict_entries() -> Iterator[tuple[str, int | None, str | None]]:
    """(word, frequency or None, tag or None) of each user dictionary line, as jieba reads them."""
    if not USERDICT.exists():  # pragma: no cover - packaging error
        logger.warning("user dictionary %s missing", USERDICT)
        return
    for line in USERDICT.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
        parts = line.split()
        if parts:
            yield (parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)


class _RJieba:
    """jieba-rs through rjieba: a private instance with the default dictionary plus the user's."""

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()
        for word, freq, tag in _userdict_entries():
            self._jieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, True)

    def cut_for_search(self, text: str) -> list[str]:
        return self._jieba.cut_for_search(text, True)


class _PyJieba:
    """The Python jieba (reference engine): a private Tokenizer, no global jieba state."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for word, freq, tag in _userdict_entries():
            self._tk.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return list(self._tk.cut(text, HMM=True))

    def cut_for_search(self, text: str) -> list[str]:
        return list(self._tk.cut_for_search(text, HMM=True))


_lock = threading.Lock()
_built: dict[str, Segmenter] = {}
_engine = DEFAULT_ENGINE


def segmenter(name: str | None = None) -> Segmenter:
    """The engine `name` (default: the one in use), built on first use."""
    name = name or _engine
    seg = _built.get(name)
    if seg is None:
        if name not in ENGINES:
            raise ValueError(f"unknown tokenizer engine {name!r}: use one of {', '.join(ENGINES)}")
        with _lock:
            seg = _built.get(name)
            if seg is None:
                seg = _built[name] = _RJieba() if name == "rjieba" else _PyJieba()
    return seg


def engine() -> str:
    """The name of the engine in use."""
    return _engine


@contextlib.contextmanager
def use_engine(name: str) -> Iterator[Segmenter]:
    """Tokenize with engine `name` inside the block (process-wide; for benchmarks and tests)."""
    global _engine
    seg = segmenter(name)
    previous, _engine = _engine, name
    try:
        yield seg
    finally:
        _engine = previous


# -- tokens --------------------------------------------------------------------------------
def _segments(text: str):
    """Yield (is_code, segment) pieces of normalised text."""
    pos = 0
    for m in _CODE_RE.finditer(text):
        if m.start() > pos:
            yield False, text[pos:m.start()]
        yield True, m.group()
        pos = m.end()
    if pos < len(text):
        yield False, text[pos:]


def _keep(token: str) -> bool:
    token = token.strip()
    return bool(token) and not _PUNCT_ONLY_RE.match(token)


# A segment as `tokenize_normalized` keeps it (stripped), or "" when it is dropped (space, punctuation),
# remembered: the segmenter yields the same few thousand words over and over, and the strip and the
# punctuation test cost more than the lookup. Cleared when full.
_KEPT: dict[str, str] = {}
KEPT_CACHE_SIZE = 200_000


def tokenize(text: str) -> list[str]:
    """Precise-mode tokens of `text`, codes kept whole, punctuation and spaces dropped."""
    return tokenize_normalized(normalize(text))


_MARK = "\x01"  # stands for a code while jieba cuts the rest; jieba yields it as a token of its own


def tokenize_normalized(norm: str) -> list[str]:
    """`tokenize` of text already passed through `normalize` (the batch scorer's path).

    One segmenter call per text: each code is replaced by a marker character that is not
    Chinese, so jieba cuts the text between codes exactly as it cuts each piece alone,
    and the codes are put back in place of their markers, in order.
    """
    seg = segmenter()
    if _MARK in norm:  # a marker in the text itself: cut piece by piece instead
        return _tokenize_by_segment(seg, norm)
    codes = _CODE_RE.findall(norm)
    marked = _CODE_RE.sub(_MARK, norm) if codes else norm
    tokens: list[str] = []
    code_iter = iter(codes)
    kept = _KEPT
    for t in seg.cut(marked):
        if t == _MARK:
            tokens.append(next(code_iter))
            continue
        k = kept.get(t)
        if k is None:
            k = t.strip() if _keep(t) else ""
            if len(kept) >= KEPT_CACHE_SIZE:
                kept.clear()
            kept[t] = k
        if k:
            tokens.append(k)
    return tokens


def _tokenize_by_segment(seg: Segmenter, norm: str) -> list[str]:
    tokens: list[str] = []
    for is_code, piece in _segments(norm):
        if is_code:
            tokens.append(piece)
        else:
            tokens.extend(t.strip() for t in seg.cut(piece) if _keep(t))
    return tokens


def search_tokens(text: str) -> list[str]:
    """Search-mode tokens for full-text indexing and queries (each token once, in order).

    jieba `cut_for_search`, plus every CJK bigram of words of three or more characters,
    plus the parts of each code (mfz/abc4 -> mfz/abc4, mfz, abc4; 3*4+1*2.5 keeps 2.5).
    One segmenter call per text, codes standing in as markers (as in `tokenize_normalized`).
    """
    norm = normalize(text)
    if _MARK in norm:  # a marker in the text itself: cut piece by piece instead
        return _search_tokens_by_segment(segmenter(), norm)
    codes = _CODE_RE.findall(norm)
    words = segmenter().cut_for_search(_CODE_RE.sub(_MARK, norm) if codes else norm)
    # each word's tokens from the memo (a C-level map); markers, then misses, filled in after
    parts: list = list(map(_word_cache.get, words))
    at = -1
    for code in codes:
        at = words.index(_MARK, at + 1)
        parts[at] = _code_tokens(code)
    if None in parts:
        parts = [_word_tokens(w) if p is None else p for w, p in zip(words, parts)]
    return list(dict.fromkeys(itertools.chain.from_iterable(parts)))


_WORD_CACHE_SIZE = 100_000
_word_cache: dict[str, tuple[str, ...]] = {}


def _word_tokens(word: str) -> tuple[str, ...]:
    """The search tokens one search-mode word gives: its CJK bigrams (words of three or more
    characters, so that two-character queries such as 灭火 find 灭火器), then the word; none
    for spaces and punctuation. Memoised: a vocabulary repeats far more than it grows."""
    hit = _word_cache.get(word)
    if hit is None:
        stripped = word.strip()
        if not _keep(stripped):
            hit = ()
        else:
            out = []
            if len(stripped) >= 3 and _CJK_RE.search(stripped):
                for i in range(len(stripped) - 1):
                    bigram = stripped[i:i + 2]
                    if _CJK_RE.match(bigram[0]) and _CJK_RE.match(bigram[1]):
                        out.append(bigram)
            out.append(stripped)
            hit = tuple(out)
        if len(_word_cache) >= _WORD_CACHE_SIZE:
            _word_cache.clear()
        _word_cache[word] = hit
    return hit


@functools.lru_cache(maxsize=65536)
def _code_tokens(code: str) -> tuple[str, ...]:
    """A code, then its parts when it has several (mfz/abc4 -> mfz/abc4, mfz, abc4)."""
    parts = [p for p in _SPLIT_CODE_RE.split(code) if p and p != code]
    return (code, *parts) if len(parts) > 1 else (code,)


def _search_tokens_by_segment(seg: Segmenter, norm: str) -> list[str]:
    """`search_tokens` of normalised text, one segmenter call per piece between codes."""
    seen: set[str] = set()
    tokens: list[str] = []
    for is_code, piece in _segments(norm):
        for token in (_code_tokens(piece) if is_code else
                      [t for word in seg.cut_for_search(piece) for t in _word_tokens(word)]):
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return tokens
