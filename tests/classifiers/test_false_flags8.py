"""Two false flags left open by the last round, each paired with a near miss that must still be flagged.

1. a negating prefix that denies a run of phrases (不是旧瓶换粉, 非二手、翻新): only the first phrase was
   cancelled, so 换粉 alone made a new extinguisher "refurbished";
2. a flow (40L/s, 30升/分) read as a volume of litres;
3. the text model reading 无需 / 免 said of the installation (无需布线, 免打孔) as "no certification needed";
4. a refusal to do the thing (不代做过检) read as offering it;
5. a seller's reply about something other than the goods' own fill read as the fill: advice for another use
   or place (问：车上放多大的？答：车上一般放一公斤的), a box (问：箱子多大), the whole bottle's gross weight
   (整瓶六公斤左右) and the parcel's (二十公斤的快递); a reply stating the goods' value still contradicts;
6. the same-quantity check quadratic in a long text without punctuation (八路的八路的…, 三个半个小时…): each
   value's clause was the whole text.

The listings are written for these tests.
"""

from __future__ import annotations

import time

import pytest

from classifiers.specs import parse_specs
from firewatch.core.models import Listing

from tests.classifiers.test_recall_rules import ON, found, shop


# -- 1. a negating prefix covers the run of phrases right after it -------------------------------------

@pytest.mark.parametrize("description", [
    "全新出厂，不是旧瓶换粉，假一赔十。",
    "本店非二手、翻新产品，放心购买。",
    "绝不旧瓶换粉，钢瓶生产日期都是今年的。",
    "保证不是二手或翻新的，瓶身钢印可查。",
])
def test_a_prefix_denies_the_whole_run(rules, description):
    got = found(rules, shop("MFZ/ABC4 干粉灭火器 4kg 新瓶新粉", "45", {"型号": "MFZ/ABC4", "充装量": "4kg"},
                            description), "portable_extinguisher")
    assert "refurbished" not in got, got


@pytest.mark.parametrize("description", [
    # the denial ends before the run: the phrases after it are the goods
    "不是新瓶，旧瓶换粉的，便宜处理。",
    # a space is no joiner: a title-like list of keywords after a denial of something else
    "非二手 旧瓶换粉 年检用",
    # a denial of one thing, then the reason's phrase after other words
    "不是假货，就是换粉的，粉是新的。",
])
def test_a_phrase_after_the_run_still_flags(rules, description):
    got = found(rules, shop("MFZ/ABC4 干粉灭火器 4kg", "45", {"型号": "MFZ/ABC4"}, description),
                "portable_extinguisher")
    assert "refurbished" in got, got


def test_the_denial_the_text_model_is_read_without_covers_the_whole_run(rules):
    item = shop("干粉灭火器 4kg", "45", {}, "全新 不是旧瓶换粉、翻新 假一赔十")
    spans = rules.denials(item)["refurbished"]
    assert [item.description[a:b] for _, a, b in spans] == ["不是旧瓶换粉、翻新"]


# -- 2. a flow is no volume ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["流量40L/s 扬程50m", "流量 40 l/s", "喷雾流量30升/分", "流量 30升/分钟",
                                  "额定流量 600L/min"])
def test_a_flow_is_not_a_volume(text):
    assert not parse_specs(text).get("volumes_l"), parse_specs(text)


@pytest.mark.parametrize("text,volume", [("水基灭火器 6L", 6.0), ("容量6升/瓶", 6.0), ("MSWZ/9 9L 一箱2瓶", 9.0),
                                         ("储罐 500L，流量40L/s", 500.0)])
def test_a_volume_beside_a_flow_stays(text, volume):
    assert volume in parse_specs(text)["volumes_l"]


def test_a_pump_stating_its_flow_in_litres_per_second_is_not_a_contradiction(rules):
    got = found(rules, shop("XBD5/40-125 消防泵 流量40L/s 扬程50米", "8800",
                            {"型号": "XBD5/40-125", "流量": "40L/s", "扬程": "50m"}, "消防泵组 厂家直销"),
                "fire_pump")
    assert not {"spec_mismatch", "substandard_spec", "price_too_low"} & set(got), got


def test_a_water_extinguisher_stating_two_volumes_still_contradicts(rules):
    got = found(rules, shop("水基灭火器 MSWZ/6 6L", "60", {"型号": "MSWZ/6", "容量": "3L"},
                            "喷射流量0.5L/s，家用车用都行"), "portable_extinguisher")
    assert "spec_mismatch" in got, got


# -- 3. 无需 / 免 said of the installation is no word about certification ----------------------------------

def test_installation_words_are_not_read_as_no_certification(scorer):
    got = scorer.assess(shop("燃气报警器 无需布线 免打孔 插座款", "69",
                             {"检测气体": "天然气", "认证": "CCC", "供电": "AC220V 插电"},
                             "无需布线无需打孔，插在燃气灶旁边的插座上就能用。"), now=ON)
    assert "no_certification" not in {r.code for r in got.reasons}, got.reasons
    assert "无需布线" in got.specs["text_denied"]["no_certification"]["words"]


def test_a_certificate_said_to_be_unneeded_still_flags(scorer):
    got = scorer.assess(shop("燃气报警器 无需布线 免3C 家用", "39", {"检测气体": "天然气"},
                             "无需认证，插上就能用。"), now=ON)
    assert "no_certification" in {r.code for r in got.reasons} and got.flagged


# -- 4. a refusal to do it ---------------------------------------------------------------------------------

def test_a_refusal_to_fake_the_check_is_not_inspection_only(rules):
    got = found(rules, shop("消防设施年检服务 可协助送检", "300", {"服务": "消防设施检测"},
                            "有资质的检测单位，出具检测报告。不代做过检，不代办年检专用。"), "not_fire")
    assert "inspection_only" not in got, got


def test_an_offer_to_fake_the_check_still_flags(rules):
    got = found(rules, shop("灭火器 4kg", "20", {}, "可以代做过检，年检专用，便宜。"), "portable_extinguisher")
    assert "inspection_only" in got, got


# -- 5. a reply about another thing than the goods' fill ---------------------------------------------------

def _extinguisher(description: str) -> Listing:
    return shop("MFZ/ABC4 干粉灭火器 4kg", "65", {"规格": "4kg"}, description)


@pytest.mark.parametrize("description", [
    "问：什么时候发货？答：48小时内发货。问：车上放多大的？答：车上一般放一公斤的就够了，家里放四公斤",
    "问：箱子多大？答：两公斤的箱子放不下…",
    "问：重不重？答：整瓶六公斤左右",
    "问：一箱几个？答：一箱四个，二十公斤的快递",
])
def test_a_reply_about_another_thing_is_not_the_fill(rules, description):
    got = found(rules, _extinguisher(description), "portable_extinguisher")
    assert "spec_mismatch" not in got, got


@pytest.mark.parametrize("description", [
    "问：这个多重？答：两公斤的",
    "问：这个多重？答：这款是两公斤的",
    "问：粉有多少？答：粉两公斤",
])
def test_a_reply_stating_the_goods_fill_still_contradicts(rules, description):
    got = found(rules, _extinguisher(description), "portable_extinguisher")
    assert "spec_mismatch" in got, got


# -- 6. a long text without punctuation is read in linear time ---------------------------------------------

@pytest.mark.parametrize("phrase", ["八路的", "三个半个小时"])
def test_a_long_unpunctuated_text_is_read_in_linear_time(rules, phrase):
    # 24k characters took seconds when each value's clause was the whole text; bound generous for slow machines
    item = shop("电气火灾监控探测器 8路", "300", {}, phrase * (24000 // len(phrase)))
    found(rules, shop("电气火灾监控探测器 8路", "300", {}, phrase * 10), "electrical_fire_detector")  # warm
    t0 = time.perf_counter()
    found(rules, item, "electrical_fire_detector")
    assert time.perf_counter() - t0 < 1.0
