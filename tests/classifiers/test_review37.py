"""Review 37: a regulator's reviewer's read of session 37's rule changes (204 listings written by hand from taxonomy.md
and domain.md, no data set: 157 clean, 47 that should flag). Scored on the rules before the review: 12 false flags
and 6 misses among them came from, or sat in the reach of, the day's changes; each fix below, beside its near miss.

1. the shop's own 请问 is the seller's voice: a 请问 question is a buyer's only when the page reports it (有顾客留言请问,
   买家：请问) or answers it (客服：…, 不可以，…); 请问您是要年检专用款吗？拍这个链接就对了 states its claim;
2. a question asked both ways that a bare yes takes up reads as its positive: 问：是不是年检专用？答：对 claims it, 很多人问
   有没有3C，有的 claims no lack;
3. a certificate's product a buyer asks about (请问证书上的产品是灭火器吗？客服：不是; 有人问证书覆盖的是不是水带，不是) is none;
4. a family word naming what the certificate's product serves (灭火器用水成膜泡沫; 隔热型复合玻璃（防火门、防火窗用）) or another
   item the shop holds a certificate for (3C（同厂另有灭火器证书）) is not the certificate's product;
5. a status said now valid (证书曾暂停，恢复之前我们已停售，现证书有效) takes it back;
6. a gas detector's concentration reached 时就会发出报警 is its set point;
7. a banned chemistry a rule is said to ban after it (钴酸锂电池新国标不让用了) is not the lamp's;
8. a gift said to have no certificate when named again (送收纳盒一个，收纳盒没有3C) or in brackets (赠品：压力表保护套（无3C）),
   and another shop's certificate with words between (同行有的证书已经被撤销), are not the goods'.
"""

from __future__ import annotations

import time

import pytest

from classifiers.specs import without_questions
from tests.classifiers.test_recall_rules import found, shop

EXT = ("portable_extinguisher", "MFZ/ABC4 手提式干粉灭火器 4kg 3C认证", "68", {"品牌": "淮海", "型号": "MFZ/ABC4"})
ALARM = ("smoke_alarm", "独立式光电感烟火灾探测报警器 家用 3C", "45", {"品牌": "海湾"})
LAMP = ("emergency_light", "消防应急照明灯 自带电源 GB17945-2024", "45", {"品牌": "劳士", "电池类型": "磷酸铁锂"})
RESP = ("escape_respirator", "过滤式消防自救呼吸器 TZL30 3C", "68", {"品牌": "淮海", "型号": "TZL30"})
GAS = ("gas_detector", "家用可燃气体探测器 天然气报警器 3C", "89", {"品牌": "海湾", "报警设定值": "10%LEL"})
PUMP = ("fire_pump", "XBD8/30-125 立式单级消防泵 30kW", "9800", {"品牌": "上海连成"})


def codes(listing, description="", attributes=None, title=None):
    category, t, price, attrs = listing
    return found(None or _rules(), shop(title or t, price, {**attrs, **(attributes or {})}, description), category)


_RULES = []


def _rules():
    if not _RULES:
        from classifiers.risk import RiskRules
        _RULES.append(RiskRules())
    return _RULES[0]


# -- 1. the shop's own 请问 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("description", [
    "请问哪里还能买到比我们更便宜的年检专用灭火器？",
    "请问您是要年检专用款吗？拍这个链接就对了。",
    "为什么敢卖这么便宜？请问谁家年检专用的不是这个价？",
])
def test_the_shops_own_qingwen_states_its_claim(description):
    assert "inspection_only" in codes(EXT, description)


@pytest.mark.parametrize("listing, description, code", [
    (EXT, "请问是翻新瓶吗？客服：全新出厂，瓶底有生产日期。", "refurbished"),
    (RESP, "请问可以在缺氧环境使用吗？不可以，仅适用于氧气浓度不低于17%的环境。", "substandard_spec"),
    (EXT, "有顾客留言请问是年检专用的吗？我们都是正规消防器材。", "inspection_only"),
    (EXT, "买家：请问是翻新的吗？全部当月新瓶。", "refurbished"),
])
def test_a_buyers_qingwen_reported_or_answered_states_nothing(listing, description, code):
    assert code not in codes(listing, description)


# -- 2. a question asked both ways, taken up by a bare yes --------------------------------------------------------

@pytest.mark.parametrize("description", ["问：这个是不是年检专用？答：对", "Q：是不是年检专用的？A：是的"])
def test_a_bare_yes_to_a_question_asked_both_ways_claims_it(description):
    assert "inspection_only" in codes(EXT, description)


@pytest.mark.parametrize("description", ["很多人问有没有3C，有的，证书编号见详情页。", "问：有没有3C认证？\n答：有的，官网可查。"])
def test_a_bare_yes_to_has_it_or_not_claims_no_lack(description):
    assert "no_certification" not in codes(ALARM, description)


@pytest.mark.parametrize("listing, description, code", [
    (EXT, "问：是不是年检专用？答：不是，正规灭火器。", "inspection_only"),
    (ALARM, "问：有没有3C？答：没有，外贸尾单。", "no_certification"),
])
def test_a_question_asked_both_ways_answered_otherwise(listing, description, code):
    # the denial states nothing; the bare no states the lack (guards)
    assert (code in codes(listing, description)) is (code == "no_certification")


def test_taken_up_keeps_the_length_and_only_an_affirmed_question():
    from classifiers.specs import taken_up
    text = "问：是不是年检专用？答：对。问：有没有3C？答：没有。"
    out = taken_up(text)
    assert len(out) == len(text)
    assert out.startswith("问：是是是年检专用？") and "有没有3C？答：没有" in out
    assert without_questions("问：是不是翻新的？答：是的", keep_affirmed=True).startswith("问：是是是翻新的")


# -- 3. / 4. another product's certificate --------------------------------------------------------------------

@pytest.mark.parametrize("listing, description", [
    (ALARM, "请问证书上的产品是灭火器吗？客服：不是的亲，是独立式感烟火灾探测报警器的证书。"),
    (LAMP, "问：证书对应的产品是烟感吗？\n答：不是，是消防应急标志灯具。"),
    (PUMP, "有人问证书覆盖的是不是水带，不是，覆盖的是消防泵组。"),
])
def test_a_certificates_product_asked_about_is_none(listing, description):
    assert "invalid_certificate" not in codes(listing, description)


@pytest.mark.parametrize("category, title, attributes", [
    ("foam_agent", "水成膜泡沫灭火剂 灭火器充装用 6% 25kg", {"证书": "灭火器用水成膜泡沫 S-6%AFFF"}),
    ("fire_glass", "防火门视窗玻璃 A类隔热 复合 每平方", {"证书": "A类隔热型复合玻璃（防火门、防火窗用）"}),
    ("fire_glass", "复合防火窗玻璃 A类 每平方", {"认证": "隔热型复合玻璃，适用于防火门"}),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30 3C", {"认证": "3C（同厂另有灭火器证书）"}),
])
def test_a_product_the_certificates_product_serves_is_not_its_product(category, title, attributes):
    assert "invalid_certificate" not in found(_rules(), shop(title, "420", {"品牌": "信义", **attributes}), category)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 3% 25kg/桶", {"认证": "手提式干粉灭火器"}, ""),
    ("fire_glass", "复合防火玻璃 A类 每平方", {"证书": "钢质防火门（乙级）"}, ""),
    ("smoke_alarm", "独立式光电感烟火灾探测报警器 3C", {"证书": "灭火器通用证书"}, ""),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30 3C", {"证书": "灭火器用的那张"}, ""),
    ("smoke_alarm", "独立式光电感烟火灾探测报警器 3C", {}, "问：证书是灭火器的吗？\n答：是的，同厂证书通用。"),
    ("fire_door", "钢质防火门 乙级", {}, "请问为什么没有防火门的证书？因为证书是防火卷帘的，同一个厂。"),
])
def test_another_products_certificate_still_flags(category, title, attributes, description):
    assert "invalid_certificate" in found(_rules(), shop(title, "450", {"品牌": "某牌", **attributes}, description), category)


# -- 5. a status said now valid ----------------------------------------------------------------------------------

@pytest.mark.parametrize("description, flagged", [
    ("证书曾暂停，恢复之前我们已停售，现证书有效可查。", False),
    ("证书暂停过，目前已恢复。", False),
    ("证书暂停了，恢复之前先按原价清仓。", True),
    ("证书已过期，目前正常发货。", True),
    ("证书已过期，目前有效期还没更新。", True),
])
def test_a_status_said_now_valid(description, flagged):
    assert ("invalid_certificate" in codes(EXT, description)) is flagged


# -- 6. a concentration reached at which it alarms -----------------------------------------------------------------

@pytest.mark.parametrize("description, flagged", [
    ("当可燃气浓度达到20%LEL时就会发出报警。", True),
    ("浓度达到20%LEL时立即报警。", True),
    ("浓度达到10%LEL时就会发出报警。", False),
    ("浓度达到25%LEL时就会关闭电磁阀。", False),
])
def test_a_concentration_reached_when_it_gives_an_alarm(description, flagged):
    assert ("spec_mismatch" in codes(GAS, description)) is flagged


# -- 7. a chemistry banned after it ------------------------------------------------------------------------------

@pytest.mark.parametrize("description, flagged", [
    ("钴酸锂电池新国标不让用了，本款已换成磷酸铁锂。", False),
    ("三元锂已被禁用，我们用磷酸铁锂。", False),
    ("钴酸锂电池，续航长，不能用水擦。", True),
])
def test_a_chemistry_a_rule_bans_after_it(description, flagged):
    listing = ("emergency_light", "消防应急照明灯 自带电源 GB17945-2024", "45", {"品牌": "劳士"})
    assert ("substandard_spec" in codes(listing, description)) is flagged


# -- 8. a gift named again; another shop's certificate ------------------------------------------------------------

@pytest.mark.parametrize("listing, description, flagged", [
    (RESP, "送收纳盒一个，收纳盒没有3C，呼吸器有3C。", False),
    (ALARM, "送9V电池一节（赠品，电池无3C认证要求）。", False),
    (LAMP, "赠送膨胀螺丝两颗，螺丝无合格证。", False),
    (EXT, "赠品：压力表保护套（无3C，非消防产品）。", False),
    (EXT, "送支架，灭火器本身没有3C。", True),
    (EXT, "送挂钩一个，灭火器一个没有3C。", True),
    (EXT, "送挂钩。本店灭火器没有3C认证，介意勿拍。", True),
])
def test_a_gift_named_again(listing, description, flagged):
    assert ("no_certification" in codes(listing, description)) is flagged


@pytest.mark.parametrize("listing, description, flagged", [
    (ALARM, "同行有的证书已经被撤销，本店证书在有效期内，可官网查询。", False),
    (LAMP, "市面上很多应急灯证书已注销，购买前请查询。我们的证书有效。", False),
    (LAMP, "市面上我们的证书已注销，清仓。", True),
])
def test_another_shops_certificate_with_words_between(listing, description, flagged):
    assert ("invalid_certificate" in codes(listing, description)) is flagged


@pytest.mark.parametrize("run", ["请问" + "是" * 70, "送" + "收纳盒" * 50, "问：是不是" * 2000, "同行" + "有的" * 3000])
def test_the_new_forms_read_a_long_run_in_linear_time(run):
    text = run * (12000 // len(run) or 1)
    codes(EXT, "正品")  # warm
    t0 = time.perf_counter()
    without_questions(text, keep_affirmed=True)
    codes(EXT, text)
    assert time.perf_counter() - t0 < 2.0
