"""Tokenizer: model codes kept whole, normalisation, search tokens for FTS."""

import pytest

from firewatch.core.text import normalize, search_tokens, tokenize


@pytest.mark.parametrize("code", [
    "MFZ/ABC4", "MT3", "MSWZ/3", "TZL30", "8-65-20", "ZR-YJV", "3*4+1*2.5", "NH-BV",
    "GFM-0921-dk5", "A1.00", "FFB-25-A1.50", "KD65", "ZSTX15-68℃",
])
def test_model_codes_kept_whole(code):
    text = f"消防产品{code}正品包邮"
    assert code.lower() in tokenize(text)


def test_cable_spec_whole():
    tokens = tokenize("ZR-YJV 3*4+1*2.5 阻燃电缆")
    assert tokens[:2] == ["zr-yjv", "3*4+1*2.5"]
    assert "阻燃电缆" in tokens or {"阻燃", "电缆"} <= set(tokens)


def test_full_width_and_case():
    assert normalize("ＭＦＺ／ＡＢＣ４　灭火器") == "mfz/abc4 灭火器"
    assert "mfz/abc4" in tokenize("ＭＦＺ／ＡＢＣ４干粉灭火器")
    assert len(normalize("ＡＢＣ℃")) == len("ＡＢＣ℃")  # spans map back to the original


def test_user_dictionary_words():
    tokens = tokenize("烟雾报警器 自救呼吸器 灭火毯 七氟丙烷 消防水带 防火门")
    for word in ["烟雾报警器", "自救呼吸器", "灭火毯", "七氟丙烷", "消防水带", "防火门"]:
        assert word in tokens


def test_search_tokens_cover_two_character_queries():
    tokens = search_tokens("灭火器")
    assert "灭火" in tokens and "灭火器" in tokens
    assert "报警" in search_tokens("烟雾报警器")
    assert search_tokens("灭火") == ["灭火"]


def test_search_tokens_split_codes_into_parts():
    tokens = search_tokens("MFZ/ABC4干粉灭火器")
    assert {"mfz/abc4", "mfz", "abc4", "干粉"} <= set(tokens)


def test_punctuation_dropped():
    assert "【" not in tokenize("【京东自营】灭火器")
    assert "" not in tokenize("灭火器  ， 包邮")


def _sample_texts():
    from classifiers.corpus import CORPUS_PATH, HELDOUT_PATH, listing_text, load_records, record_to_listing

    records = load_records(CORPUS_PATH)[::7] + load_records(HELDOUT_PATH)
    return [listing_text(record_to_listing(r)) for r in records] + [
        "ＭＦＺ／ＡＢＣ４干粉灭火器，3*4+1*2.5；ZR-YJV 8-65-20 a1.00 ZSTX15-68℃", "灭火器\x01mfz/abc4\x01 烟感",
        "", "  ，。", "İstanbul Σ 消防", "abc" * 30 + " 灭火毯"]


def test_rjieba_and_jieba_engines_cut_the_same_tokens():
    """rjieba (the default) must cut exactly as the Python jieba with the same user dictionary,
    or the models trained on one would see other features from the other."""
    from firewatch.core.text import engine, use_engine

    assert engine() == "rjieba"
    texts = _sample_texts()
    with use_engine("jieba"):
        expected = [(tokenize(t), search_tokens(t)) for t in texts]
    assert engine() == "rjieba"
    assert [(tokenize(t), search_tokens(t)) for t in texts] == expected


def test_search_tokens_same_with_one_cut_or_one_cut_per_piece():
    from firewatch.core.text import _search_tokens_by_segment, normalize, segmenter

    for text in _sample_texts():
        if "\x01" not in text:
            assert search_tokens(text) == _search_tokens_by_segment(segmenter(), normalize(text)), text


def test_unknown_engine_is_refused():
    from firewatch.core.text import use_engine

    with pytest.raises(ValueError, match="unknown tokenizer engine"):
        with use_engine("thulac"):
            pass
