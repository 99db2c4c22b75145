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
        # C-level map (unknown -> -1), then counted by scipy: building CSR from
        # (row, column) pairs sums the duplicates, which is the term count
        n_docs = len(docs_features)
        lengths = np.fromiter(map(len, docs_features), dtype=np.int64, count=n_docs)
        flat = list(itertools.chain.from_iterable(docs_features))
        ids = np.fromiter(map(self.vocab_get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        known = ids >= 0
        vec = self.vec
        X = sp.csr_matrix((np.ones(int(known.sum()), dtype=vec.dtype), (rows[known], ids[known])),
                          shape=(n_docs, self.n_features), dtype=vec.dtype)
        X.sum_duplicates()
        X.sort_indices()
        # TfidfTransformer.transform, step by step
        if vec.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        if vec.use_idf:
            X.data *= vec.idf_[X.indices]
        if vec.norm is not None:
            X = l2_normalize(X, norm=vec.norm, copy=False)
        return X


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

    def same_as(self, other: "FastFeatures") -> bool:
        """True when both unions have identical vocabularies and weights (shareable matrix)."""
        for a, b in ((self.word, other.word), (self.char, other.char)):
            if (a.ngram_range != b.ngram_range or a.vec.vocabulary_ != b.vec.vocabulary_
                    or a.vec.sublinear_tf != b.vec.sublinear_tf or a.vec.norm != b.vec.norm
                    or not np.array_equal(a.vec.idf_, b.vec.idf_)):
                return False
        return True

    def transform(self, norm_texts: Sequence[str], token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        wr, cr = self.word.ngram_range, self.char.ngram_range
        Xw = self.word.matrix([word_ngrams(tokens, wr) for tokens in token_lists])
        Xc = self.char.matrix([char_ngrams(text, cr) for text in norm_texts])
        return sp.hstack([Xw, Xc]).tocsr()
