"""FastFeatures' numbered n-grams against scikit-learn's own transform and against its string
path: the same matrix bit for bit on texts with characters and words the vocabulary lacks,
astral-plane characters, full-width and upper-case spellings, runs of whitespace, empty texts."""

from __future__ import annotations

import numpy as np

from classifiers.features import FastFeatures, _CharCodes, _WordCodes, _codes, make_features
from firewatch.core.text import normalize, tokenize_normalized

TRAIN = [
    "MFZ/ABC4 干粉灭火器 4kg 年检合格", "消防水带 8-65-20 20米 DN65", "ZR-YJV 3*4+1*2.5 阻燃电缆",
    "烟感 报警器 家用 独立式", "灭火毯 1.5米x1.5米 国标", "应急灯 消防 LED 双头 锂电池", "防火门 甲级 A1.50 GFM",
]
UNSEEN = [
    "", " ", "\t\n", "MFZ/ABC4", "ＭＦＺ／ＡＢＣ４　４ＫＧ 干粉", "灭火器   手提式\t\t4kg  ", "😀 灭火器 🔥🔥 𠀀𠀁",
    "完全没见过的文字 Ωμέγα ÄÖÜ", "消防水带 8-65-20 20米 DN65 " * 30, "年检 年检 年检 合格 合格", "a", "ab", "abc",
]


def _fitted(title_weight=0.0):
    union = make_features(title_weight=title_weight)
    union.fit(TRAIN)
    return union


def _same(a, b) -> None:
    a, b = a.tocsr(), b.tocsr()
    assert a.shape == b.shape
    assert (a.indptr == b.indptr).all() and (a.indices == b.indices).all()
    assert (a.data == b.data).all()  # exact


def test_numbered_ngrams_equal_sklearn_and_the_string_path():
    for title_weight in (0.0, 1.5):  # with the title blocks too (issue 17), weighted
        _numbered_equal_sklearn(_fitted(title_weight))


def _numbered_equal_sklearn(union):
    texts = TRAIN + UNSEEN + ["灭火器箱 不锈钢\n适用 MFZ/ABC4 灭火器 4kg", "\n只有正文 灭火器", "标题\n\n正文\n第二行"]
    norms = [normalize(t) for t in texts]
    tokens = [tokenize_normalized(n) for n in norms]
    fast = FastFeatures(union)
    assert all(codes is not None for _, codes in fast.blocks)
    numbered = fast.transform(norms, tokens)
    _same(numbered, union.transform(texts))
    # the string path (vocabularies that cannot be numbered) gives the same matrix
    fast.blocks = [(block, None) for block, _ in fast.blocks]
    _same(fast.transform(norms, tokens), numbered)
    # one document at a time, as many
    fast = FastFeatures(union)
    for i in (0, len(TRAIN), len(texts) - 1):
        _same(fast.transform(norms[i:i + 1], tokens[i:i + 1]), union.transform(texts[i:i + 1]))


def test_a_token_with_a_space_takes_the_string_path():
    union = _fitted()
    codes = FastFeatures(union).blocks[0][1]  # the word block's
    assert codes.pairs([["干粉", "灭火器"]]) is not None
    assert codes.pairs([["干粉 灭火器"]]) is None


def test_vocabularies_that_cannot_be_numbered():
    assert _codes(_WordCodes, {"a  b": 0}, (1, 2)) is None  # an empty unit
    assert _codes(_WordCodes, {"a b c": 0}, (1, 2)) is None  # longer than the range
    assert _codes(_CharCodes, {"abcd": 0}, (1, 3)) is None
    codes = _codes(_CharCodes, {"a": 0, "ab": 1, "b": 2}, (1, 2))
    rows, cols = codes.pairs(["ab", "ba", "", "xa"])
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (3, 0)]
    assert np.asarray(rows).dtype == np.int64
