"""Chinese tokenizer for listing text: jieba with a fire-product user dictionary.

`normalize(text)` folds width and Latin case, keeping length; `tokenize(text)` gives precise-mode
tokens for the models, `search_tokens(text)` search-mode tokens plus CJK bigrams and code parts for
the indexes. Model codes and specifications (MFZ/ABC4, 8-65-20, ZR-YJV) are kept whole.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

logger = logging.getLogger(__name__)

USERDICT = Path(__file__).parent / "data" / "userdict.txt"

# A code: a run of ASCII letters/digits (and ℃/°), possibly joined by - / * + × . _ ~
# e.g. mfz/abc4, 8-65-20, zr-yjv, 3*4+1*2.5, gfm-0921-dk5, a1.00, zstx15-68℃, 0.6/1kv
_CODE_RE = re.compile(r"[a-z0-9][a-z0-9℃°]*(?:[-/*+×._~][a-z0-9℃°]+)*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_PUNCT_ONLY_RE = re.compile(r"^[\W_]+$")
_SPLIT_CODE_RE = re.compile(r"[-/*+×_~]")

_lock = threading.Lock()
# A jieba instance private to this module (no global jieba state), built on first use.
_tokenizer: jieba.Tokenizer | None = None


_WIDTH_TABLE = {0x3000: " ", **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}


def normalize(text: str) -> str:
    """Full-width to half-width, ideographic space to space, Latin to lowercase.

    The result has the same length as the input, character for character.
    """
    if not text:
        return ""
    out = text.translate(_WIDTH_TABLE)
    lowered = out.lower()
    # str.lower() equals lowering one character at a time unless a character lowers to
    # several (İ: then the lengths differ) or a capital sigma is lowered by context.
    if len(lowered) == len(out) and "Σ" not in out:
        return lowered
    return _normalize_slow(out)


def _normalize_slow(out: str) -> str:
    # lowercase one character at a time, keeping length so spans map back to the original
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in out)


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                if USERDICT.exists():
                    tk.load_userdict(str(USERDICT))
                else:  # pragma: no cover - packaging error
                    logger.warning("user dictionary %s missing", USERDICT)
                _tokenizer = tk
    return _tokenizer


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


def tokenize(text: str) -> list[str]:
    """Precise-mode tokens of `text`, codes kept whole, punctuation and spaces dropped."""
    return tokenize_normalized(normalize(text))


_MARK = "\x01"  # stands for a code while jieba cuts the rest; jieba yields it as a token of its own


def tokenize_normalized(norm: str) -> list[str]:
    """`tokenize` of text already passed through `normalize` (the batch scorer's path).

    One jieba call per text: each code is replaced by a marker character that is not
    Chinese, so jieba cuts the text between codes exactly as it cuts each piece alone,
    and the codes are put back in place of their markers, in order.
    """
    tk = _get_tokenizer()
    codes = _CODE_RE.findall(norm)
    if _MARK in norm:  # a marker in the text itself: cut piece by piece instead
        return _tokenize_by_segment(tk, norm)
    marked = _CODE_RE.sub(_MARK, norm) if codes else norm
    tokens: list[str] = []
    code_iter = iter(codes)
    for t in tk.cut(marked, HMM=True):
        if t == _MARK:
            tokens.append(next(code_iter))
        elif _keep(t):
            tokens.append(t.strip())
    return tokens


def _tokenize_by_segment(tk: jieba.Tokenizer, norm: str) -> list[str]:
    tokens: list[str] = []
    for is_code, seg in _segments(norm):
        if is_code:
            tokens.append(seg)
        else:
            tokens.extend(t.strip() for t in tk.cut(seg, HMM=True) if _keep(t))
    return tokens


def search_tokens(text: str) -> list[str]:
    """Search-mode tokens for full-text indexing and queries (each token once, in order).

    jieba `cut_for_search`, plus every CJK bigram of words of three or more characters,
    plus the parts of each code (mfz/abc4 -> mfz/abc4, mfz, abc4; 3*4+1*2.5 keeps 2.5).
    """
    tk = _get_tokenizer()
    seen: set[str] = set()
    tokens: list[str] = []

    def add(token: str) -> None:
        if token not in seen:
            seen.add(token)
            tokens.append(token)

    for is_code, seg in _segments(normalize(text)):
        if is_code:
            add(seg)
            parts = [p for p in _SPLIT_CODE_RE.split(seg) if p and p != seg]
            if len(parts) > 1:
                for part in parts:
                    add(part)
            continue
        for word in tk.cut_for_search(seg, HMM=True):
            word = word.strip()
            if not _keep(word):
                continue
            # Bigrams let the indexes find two-character queries such as 灭火 in 灭火器.
            if len(word) >= 3 and _CJK_RE.search(word):
                for i in range(len(word) - 1):
                    bigram = word[i:i + 2]
                    if _CJK_RE.match(bigram[0]) and _CJK_RE.match(bigram[1]):
                        add(bigram)
            add(word)
    return tokens
