"""Chinese numerals in a specification: parse_specs (and LazySpecs) read a figure written in words before a unit
or a count word as the same figure in digits; words that are no figure stay words; spans point into the text the
seller wrote."""

from __future__ import annotations

import pytest

from classifiers.specs import LazySpecs, locate, parse_specs
from tests.classifiers.test_spec_contradictions import mismatch  # its `rules` fixture: the session's (conftest)


@pytest.mark.parametrize("words, digits", [
    ("消防水枪 两寸半接口", "消防水枪 2.5寸接口"),
    ("灭火毯 一米八 加厚", "灭火毯 1.8米 加厚"),
    ("耐压一点六mpa 接口", "耐压1.6mpa 接口"),
    ("二十五毫米口径水枪", "25毫米口径水枪"),
    ("耐火电缆 三乘五十加二乘二十五", "耐火电缆 3×50+2×25"),
    ("灭火毯 一米二乘一米二", "灭火毯 1.2米×1.2米"),
    ("消防水带 二十五米 有衬里", "消防水带 25米 有衬里"),
])
def test_a_figure_in_words_reads_as_the_digits(words, digits):
    got = parse_specs(words)
    assert got and got == dict(LazySpecs(words))
    assert values(got) == values(parse_specs(digits))  # the quoted texts stay as the seller wrote them


def values(specs):
    return {k: [{f: x for f, x in v.items() if f != "text"} if isinstance(v, dict) else v for v in vs]
            if isinstance(vs, list) else vs for k, vs in specs.items()}


@pytest.mark.parametrize("text", [
    "一般家用 十分好用 不是三无产品 一用一备 一体成型 一键报警 万用表 三通 四通 五金 七彩灯",
    "5元一米 25米整卷 十九块一瓶",  # 一 before a unit after a price is the unit priced, no figure
])
def test_words_that_are_no_figure_stay_words(text):
    assert parse_specs(text) == parse_specs(text.replace("一米", "").replace("一瓶", "")) == dict(LazySpecs(text))
    assert parse_specs("消防水带 一米 加长款二十米")["lengths_m"] == parse_specs("消防水带 1米 加长款20米")["lengths_m"]


def test_a_quoted_figure_is_found_in_the_text_as_written():
    text = "消防控制线 四乘三十五加一乘十六 现货"
    (conductor,) = parse_specs(text)["conductors"]
    assert conductor["total_cores"] == 5 and conductor["sections_mm2"] == [35.0, 16.0]
    assert locate(text, conductor["text"]) == (text.index("四乘"), text.index("十六") + 2)


def test_a_certificate_number_after_a_figure_in_words_is_taken_whole():
    text = "四公斤灭火器 证书编号：2024010901234567"
    assert parse_specs(text)["certificate_numbers"] == ["2024010901234567"]


def test_a_bound_on_a_class_of_products_is_no_amount():
    assert "weights_kg" not in parse_specs("大于3公斤的灭火器按国标要求")
    assert parse_specs("药剂大于3公斤，足量")["weights_kg"] == [3.0]  # near miss: this product's amount


def test_a_mass_in_words_stays_words():
    # a reply's mass in words names other things as often as the fill (两公斤的箱子): left as it was
    assert parse_specs("问：箱子多大？答：两公斤的箱子放不下") == {}


def test_a_blanket_size_in_words_contradicts_the_table(rules):
    assert mismatch(rules, "fire_blanket", "灭火毯 一米八 家用 玻璃纤维", {"规格": "1.2m*1.2m"}) is not None
    # near miss: the same size in words
    assert mismatch(rules, "fire_blanket", "灭火毯 一米二 家用 玻璃纤维", {"规格": "1.2m*1.2m"}) is None


def test_a_cable_said_in_words_contradicts_the_table(rules):
    assert mismatch(rules, "fire_resistant_cable", "NH-YJV 耐火电缆 消防线路", {"规格": "3*50+2*25"},
                    "风机房用，三乘七十加二乘三十五，现货。") is not None
    # near miss: the same cable in words
    assert mismatch(rules, "fire_resistant_cable", "NH-YJV 耐火电缆 消防线路", {"规格": "3*50+2*25"},
                    "风机房用，三乘五十加二乘二十五，现货。") is None


def test_a_price_per_metre_is_no_length(rules):
    # near miss for the numerals: 一米 after a price is a unit of pricing, not a hose's length
    assert mismatch(rules, "fire_hose", "消防水带 8元一米 20米 整卷", {"长度": "20米"}) is None
