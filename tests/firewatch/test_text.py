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
