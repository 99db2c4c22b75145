"""Text features shared by the category and risk models.

`make_features()` returns an unfitted FeatureUnion: word TF-IDF over `tokenize` uni- and bigrams
and character n-gram TF-IDF (spelling variants, other word splits) of the whole text, and with
`title_weight > 0` the same two again over the title alone (the text up to its first line break,
as `corpus.listing_text` writes it), weighted by `title_weight`: what a listing is, is said in
its title; attributes and descriptions also name the product an accessory fits (issue 17).
`FastFeatures(union).transform` gives bit for bit `union.transform(texts)` from texts normalised
and tokenised once (batch scoring), numbering n-grams with numpy instead of building their strings.
"""

from __future__ import annotations

import itertools
import re
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize as l2_normalize

from firewatch.core.text import normalize, tokenize, tokenize_normalized

# scikit-learn's char analyzer collapses runs of whitespace before taking n-grams
_WHITE_SPACES = re.compile(r"\s\s+")


TITLE_END = "\n"  # `corpus.listing_text` ends the title with it (and keeps it out of titles)


def title_part(text: str) -> str:
    """The title of a model text: everything before its first line break (all of a text without one)."""
    return text.partition(TITLE_END)[0]


def tokenize_title(text: str) -> list[str]:
    """`tokenize` of the title part."""
    return tokenize(title_part(text))


def normalize_title(text: str) -> str:
    """`normalize` of the title part."""
    return normalize(title_part(text))


def make_features(word_ngram_range=(1, 2), char_ngram_range=(1, 3), min_df=1, title_weight=0.0) -> FeatureUnion:
    """A fresh, unfitted feature union (module-level callables only, so it pickles); with
    `title_weight > 0`, title-only blocks weighted by it follow the whole-text ones."""
    def word(tokenizer):
        return TfidfVectorizer(tokenizer=tokenizer, token_pattern=None, lowercase=False,
                               ngram_range=tuple(word_ngram_range), min_df=min_df, sublinear_tf=True)

    def char(preprocessor):
        return TfidfVectorizer(analyzer="char", preprocessor=preprocessor, lowercase=False,
                               ngram_range=tuple(char_ngram_range), min_df=min_df, sublinear_tf=True)

    blocks = [("word", word(tokenize)), ("char", char(normalize))]
    if not title_weight:
        return FeatureUnion(blocks)
    blocks += [("title_word", word(tokenize_title)), ("title_char", char(normalize_title))]
    return FeatureUnion(blocks, transformer_weights={"title_word": float(title_weight),
                                                     "title_char": float(title_weight)})


def word_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams of `tokens` as scikit-learn's word analyzer makes them (space-joined)."""
    lo, hi = ngram_range
    out = list(tokens) if lo == 1 else []
    n_tokens = len(tokens)
    for n in range(max(lo, 2), min(hi, n_tokens) + 1):
        out += [" ".join(tokens[i:i + n]) for i in range(n_tokens - n + 1)]
    return out


def char_ngrams(norm_text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams of already-normalised text, as scikit-learn's `char` analyzer."""
    text = _WHITE_SPACES.sub(" ", norm_text)
    lo, hi = ngram_range
    length = len(text)
    if lo == 1:
        out = list(text)
        lo = 2
    else:
        out = []
    cut = text.__getitem__  # slices made by C-level maps, not a Python loop per n-gram
    for n in range(lo, min(hi, length) + 1):
        out += map(cut, map(slice, range(length - n + 1), range(n, length + 1)))
    return out


class _Block:
    """One fitted TfidfVectorizer's vocabulary and weighting, for counting by hand."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        self.vec = vec
        self.vocab_get = vec.vocabulary_.get
        self.n_features = len(vec.vocabulary_)
        self.ngram_range = tuple(vec.ngram_range)

    def matrix(self, docs_features: Sequence[list[str]]) -> sp.csr_matrix:
        # every document's features in one flat list, looked up in the vocabulary by a
        # C-level map (unknown -> -1)
        n_docs = len(docs_features)
        lengths = np.fromiter(map(len, docs_features), dtype=np.int64, count=n_docs)
        flat = list(itertools.chain.from_iterable(docs_features))
        ids = np.fromiter(map(self.vocab_get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        known = ids >= 0
        return self.weighted(rows[known], ids[known], n_docs)

    def weighted(self, rows: np.ndarray, columns: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """The TF-IDF matrix of documents whose known features are the (row, column) pairs,
        one pair per occurrence, in any order."""
        # the term count: sorting row * n_features + column puts equal pairs together, and
        # in CSR order (rows, then sorted columns), as TfidfVectorizer's own matrix
        vec = self.vec
        keys = np.sort(rows * self.n_features + columns)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else \
            np.zeros(0, dtype=np.int64)
        unique = keys[starts]
        counts = np.diff(np.append(starts, len(keys)))
        doc, indices = np.divmod(unique, self.n_features)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc, minlength=n_docs), out=indptr[1:])
        X = sp.csr_matrix((counts.astype(vec.dtype), indices, indptr), shape=(n_docs, self.n_features))
        # TfidfTransformer.transform, step by step
        if vec.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        if vec.use_idf:
            X.data *= vec.idf_[X.indices]
        if vec.norm is not None:
            X = l2_normalize(X, norm=vec.norm, copy=False)
        return X


class _Codes:
    """The columns of a fitted vectorizer's n-grams, found by arithmetic instead of strings.

    Each unit of the vocabulary (a character, or a word) gets a number 1..base-1 (0: any
    other unit) and an n-gram the number whose base digits are its units' (unique across
    lengths, as no digit of a known n-gram is 0); the vocabulary is a sorted array of those
    numbers. A whole chunk of documents is then looked up at once with numpy, without making
    an n-gram string.
    """

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int], split) -> None:
        lo, hi = ngram_range
        units_of = {feature: split(feature) for feature in vocabulary}
        if not 1 <= lo <= hi or any(not lo <= len(u) <= hi or "" in u for u in units_of.values()):
            raise ValueError("vocabulary n-grams outside the n-gram range")
        number: dict[str, int] = {}
        for units in units_of.values():
            for unit in units:
                number.setdefault(unit, len(number) + 1)
        self.number = number
        self.base = base = len(number) + 1
        if base ** hi >= 2 ** 62:
            raise ValueError("too many units for 64-bit n-gram numbers")
        keys = np.empty(len(vocabulary), dtype=np.int64)
        columns = np.empty(len(vocabulary), dtype=np.int64)
        for i, (feature, column) in enumerate(vocabulary.items()):
            key = 0
            for unit in units_of[feature]:
                key = key * base + number[unit]
            keys[i], columns[i] = key, column
        order = np.argsort(keys)
        self.keys, self.columns = keys[order], columns[order]
        self.ngram_range = (lo, hi)

    def _pairs(self, digits: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known n-gram occurrence in documents of `lengths` units,
        `digits` the numbers of all their units one after the other."""
        lo, hi = self.ngram_range
        total = len(digits)
        doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        room = np.repeat(np.cumsum(lengths), lengths) - np.arange(total, dtype=np.int64)  # units to the end
        keys, rows = [], []
        key = np.zeros(total, dtype=np.int64)
        known = np.ones(total, dtype=bool)
        for n in range(1, hi + 1):
            m = total - n + 1
            if m <= 0:
                break
            last = digits[n - 1:n - 1 + m]
            key = key[:m] * self.base + last  # the n-gram starting at each position
            known = known[:m] & (last > 0)
            if n >= lo:
                take = known & (room[:m] >= n)
                keys.append(key[take])
                rows.append(doc[:m][take])
        if not keys or not len(self.keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        keys, rows = np.concatenate(keys), np.concatenate(rows)
        at = np.searchsorted(self.keys, keys)
        np.minimum(at, len(self.keys) - 1, out=at)
        hit = self.keys[at] == keys
        return rows[hit], self.columns[at[hit]]


class _CharCodes(_Codes):
    """`_Codes` of a `char` vectorizer: the units are characters, numbered by code point."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        super().__init__(vocabulary, ngram_range, tuple)
        points = np.array([ord(c) for c in self.number], dtype=np.int64)
        self.top = int(points.max()) + 1 if len(points) else 0
        self.char_number = np.zeros(self.top + 1, dtype=np.int64)  # the last slot: beyond the vocabulary
        self.char_number[points] = np.fromiter(self.number.values(), dtype=np.int64, count=len(points))

    def pairs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known n-gram occurrence of whitespace-collapsed `texts`."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return self._pairs(self.char_number[np.minimum(points, self.top)], lengths)


class _WordCodes(_Codes):
    """`_Codes` of a `word` vectorizer: the units are tokens (an n-gram's joined by spaces)."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        super().__init__(vocabulary, ngram_range, lambda feature: feature.split(" "))
        self.number_get = self.number.get

    def pairs(self, token_lists: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray] | None:
        """(row, column) of every known n-gram occurrence of the documents' tokens; None when a
        token holds a space (its n-grams' strings could then read as other n-grams)."""
        flat = list(itertools.chain.from_iterable(token_lists))
        if " " in "\n".join(flat):
            return None
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        digits = np.fromiter(map(self.number_get, flat, itertools.repeat(0)), dtype=np.int64, count=len(flat))
        return self._pairs(digits, lengths)


def _codes(kind, vocabulary: dict[str, int], ngram_range: tuple[int, int]):
    """`kind(vocabulary, ngram_range)`, or None for a vocabulary it cannot number (n-gram
    strings are then looked up one by one, as before)."""
    try:
        return kind(vocabulary, ngram_range)
    except ValueError:
        return None


class FastFeatures:
    """Batch transform for a fitted `make_features` union from shared tokens.

    `transform(norm_texts, token_lists)` takes each text normalised
    (`firewatch.core.text.normalize`) and its `tokenize` tokens, and returns
    `union.transform(texts)`'s matrix. A union with title blocks also takes the title's tokens
    (`title_token_lists`; tokenised here when not given).
    """

    def __init__(self, union: FeatureUnion) -> None:
        parts = dict(union.transformer_list)
        names = [name for name, _ in union.transformer_list]
        word, char = parts["word"], parts["char"]
        titled = names == ["word", "char", "title_word", "title_char"]
        if (not self._is_word(word, tokenize) or not self._is_char(char, normalize)
                or names != ["word", "char"] and not titled
                or titled and (not self._is_word(parts["title_word"], tokenize_title)
                               or not self._is_char(parts["title_char"], normalize_title))):
            raise ValueError("FastFeatures supports only unions built by make_features")
        self.union = union
        weights = union.transformer_weights or {}
        self.weights = [weights.get(name) for name in names]
        self.blocks = [self._coded(parts[name]) for name in names]

    @staticmethod
    def _is_word(vec, tokenizer) -> bool:
        return vec.tokenizer is tokenizer and vec.analyzer == "word" and not vec.lowercase

    @staticmethod
    def _is_char(vec, preprocessor) -> bool:
        return vec.analyzer == "char" and vec.preprocessor is preprocessor and not vec.lowercase

    @staticmethod
    def _coded(vec) -> tuple:
        block = _Block(vec)
        kind = _WordCodes if vec.analyzer == "word" else _CharCodes
        return block, _codes(kind, vec.vocabulary_, block.ngram_range)

    def same_as(self, other: "FastFeatures") -> bool:
        """True when both unions have identical vocabularies and weights (shareable matrix)."""
        if self.weights != other.weights or len(self.blocks) != len(other.blocks):
            return False
        for (a, _), (b, _) in zip(self.blocks, other.blocks):
            if (a.ngram_range != b.ngram_range or a.vec.vocabulary_ != b.vec.vocabulary_
                    or a.vec.sublinear_tf != b.vec.sublinear_tf or a.vec.norm != b.vec.norm
                    or not np.array_equal(a.vec.idf_, b.vec.idf_)):
                return False
        return True

    @staticmethod
    def _words(block: _Block, codes, token_lists) -> sp.csr_matrix:
        found = None if codes is None else codes.pairs(token_lists)
        if found is None:
            return block.matrix([word_ngrams(tokens, block.ngram_range) for tokens in token_lists])
        return block.weighted(found[0], found[1], len(token_lists))

    @staticmethod
    def _chars(block: _Block, codes, norm_texts) -> sp.csr_matrix:
        if codes is None:
            return block.matrix([char_ngrams(text, block.ngram_range) for text in norm_texts])
        rows, columns = codes.pairs([_WHITE_SPACES.sub(" ", text) for text in norm_texts])
        return block.weighted(rows, columns, len(norm_texts))

    def transform(self, norm_texts: Sequence[str], token_lists: Sequence[list[str]],
                  title_token_lists: Sequence[list[str]] | None = None) -> sp.csr_matrix:
        (word, word_codes), (char, char_codes) = self.blocks[:2]
        parts = [self._words(word, word_codes, token_lists), self._chars(char, char_codes, norm_texts)]
        if len(self.blocks) > 2:
            titles = [text.partition(TITLE_END)[0] for text in norm_texts]
            if title_token_lists is None:
                title_token_lists = [tokenize_normalized(title) for title in titles]
            (tword, tword_codes), (tchar, tchar_codes) = self.blocks[2:]
            parts += [self._words(tword, tword_codes, title_token_lists), self._chars(tchar, tchar_codes, titles)]
        parts = [X if w is None else X * w for X, w in zip(parts, self.weights)]
        return sp.hstack(parts).tocsr()
