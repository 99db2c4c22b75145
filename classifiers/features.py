"""Text features shared by the category and risk models.

`make_features()` returns an unfitted FeatureUnion: word TF-IDF over `tokenize` uni- and bigrams
and character n-gram TF-IDF (spelling variants, other word splits). `FastFeatures(union).transform`
gives bit for bit `union.transform(texts)` from texts normalised and tokenised once (batch scoring).
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

from firewatch.core.text import normalize, tokenize

# scikit-learn's char analyzer collapses runs of whitespace before taking n-grams
_WHITE_SPACES = re.compile(r"\s\s+")


def make_features(word_ngram_range=(1, 2), char_ngram_range=(1, 3), min_df=1) -> FeatureUnion:
    """A fresh, unfitted feature union (module-level callables only, so it pickles)."""
    word = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                           ngram_range=tuple(word_ngram_range), min_df=min_df, sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char", preprocessor=normalize, lowercase=False,
                           ngram_range=tuple(char_ngram_range), min_df=min_df, sublinear_tf=True)
    return FeatureUnion([("word", word), ("char", char)])


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


class _CharCodes:
    """The columns of a fitted `char` vectorizer's n-grams, found by arithmetic on code points.

    Each character of the vocabulary gets a number 1..k-1 (0: any other character) and an
    n-gram the number whose base-k digits are its characters' (unique across lengths, as no
    digit of a known n-gram is 0); the vocabulary is a sorted array of those numbers. A whole
    chunk of texts is then looked up at once with numpy, without making an n-gram string.
    """

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        lo, hi = ngram_range
        if not 1 <= lo <= hi or any(not lo <= len(f) <= hi for f in vocabulary):
            raise ValueError("vocabulary n-grams outside the n-gram range")
        chars = sorted({c for feature in vocabulary for c in feature})
        self.k = k = len(chars) + 1
        if k ** hi >= 2 ** 62:
            raise ValueError("too many characters for 64-bit n-gram numbers")
        number = {c: i for i, c in enumerate(chars, 1)}
        codes = np.array([ord(c) for c in chars], dtype=np.int64)
        self.top = int(codes.max()) + 1 if len(codes) else 0
        self.char_number = np.zeros(self.top + 1, dtype=np.int64)  # the last slot: beyond the vocabulary
        self.char_number[codes] = np.arange(1, k, dtype=np.int64)
        keys = np.empty(len(vocabulary), dtype=np.int64)
        columns = np.empty(len(vocabulary), dtype=np.int64)
        for i, (feature, column) in enumerate(vocabulary.items()):
            key = 0
            for c in feature:
                key = key * k + number[c]
            keys[i], columns[i] = key, column
        order = np.argsort(keys)
        self.keys, self.columns = keys[order], columns[order]
        self.ngram_range = (lo, hi)

    def pairs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known n-gram occurrence of whitespace-collapsed `texts`."""
        lo, hi = self.ngram_range
        n_docs = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_docs)
        points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        digits = self.char_number[np.minimum(points, self.top)]
        total = len(digits)
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        room = np.repeat(np.cumsum(lengths), lengths) - np.arange(total, dtype=np.int64)  # chars to the text's end
        keys, rows = [], []
        key = np.zeros(total, dtype=np.int64)
        known = np.ones(total, dtype=bool)
        for n in range(1, hi + 1):
            m = total - n + 1
            if m <= 0:
                break
            last = digits[n - 1:n - 1 + m]
            key = key[:m] * self.k + last  # the n-gram starting at each position
            known = known[:m] & (last > 0)
            if n >= lo:
                take = known & (room[:m] >= n)
                keys.append(key[take])
                rows.append(doc[:m][take])
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        keys, rows = np.concatenate(keys), np.concatenate(rows)
        at = np.searchsorted(self.keys, keys)
        np.minimum(at, len(self.keys) - 1, out=at)
        hit = self.keys[at] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        return rows[hit], self.columns[at[hit]]


class FastFeatures:
    """Batch transform for a fitted `make_features` union from shared tokens.

    `transform(norm_texts, token_lists)` takes each text normalised
    (`firewatch.core.text.normalize`) and its `tokenize` tokens, and returns
    `union.transform(texts)`'s matrix.
    """

    def __init__(self, union: FeatureUnion) -> None:
        parts = dict(union.transformer_list)
        word, char = parts["word"], parts["char"]
        if (word.tokenizer is not tokenize or word.analyzer != "word" or word.lowercase
                or char.analyzer != "char" or char.preprocessor is not normalize or char.lowercase
                or [name for name, _ in union.transformer_list] != ["word", "char"]):
            raise ValueError("FastFeatures supports only unions built by make_features")
        self.union = union
        self.word = _Block(word)
        self.char = _Block(char)
        self.char_codes = _CharCodes(char.vocabulary_, self.char.ngram_range)

    def same_as(self, other: "FastFeatures") -> bool:
        """True when both unions have identical vocabularies and weights (shareable matrix)."""
        for a, b in ((self.word, other.word), (self.char, other.char)):
            if (a.ngram_range != b.ngram_range or a.vec.vocabulary_ != b.vec.vocabulary_
                    or a.vec.sublinear_tf != b.vec.sublinear_tf or a.vec.norm != b.vec.norm
                    or not np.array_equal(a.vec.idf_, b.vec.idf_)):
                return False
        return True

    def transform(self, norm_texts: Sequence[str], token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        wr = self.word.ngram_range
        Xw = self.word.matrix([word_ngrams(tokens, wr) for tokens in token_lists])
        rows, columns = self.char_codes.pairs([_WHITE_SPACES.sub(" ", text) for text in norm_texts])
        Xc = self.char.weighted(rows, columns, len(norm_texts))
        return sp.hstack([Xw, Xc]).tocsr()
