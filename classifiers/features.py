"""Text features shared by the category and risk models.

A FeatureUnion of word-level TF-IDF over `tokenize` tokens (unigrams and bigrams) and
character n-gram TF-IDF over normalised text: words carry the dictionary knowledge,
character n-grams catch spelling variants and words jieba splits differently.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .tokenize import normalize, tokenize


def make_features(word_ngram_range=(1, 2), char_ngram_range=(1, 3), min_df=1) -> FeatureUnion:
    """A fresh, unfitted feature union (module-level callables only, so it pickles)."""
    word = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                           ngram_range=tuple(word_ngram_range), min_df=min_df, sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char", preprocessor=normalize, lowercase=False,
                           ngram_range=tuple(char_ngram_range), min_df=min_df, sublinear_tf=True)
    return FeatureUnion([("word", word), ("char", char)])
