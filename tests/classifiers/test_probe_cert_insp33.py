"""The rules added from session 33's spec probes for inspection_only and invalid_certificate (issue 17).

Mechanisms, each tested with listings written for these tests (flagged, and a near miss that must not flag):
- inspection_only: a verb of dodging or fooling before whoever checks (应付年审, 糊弄消防, 对付年检); a check named, then
  that the unit gives the shop an answer for it (消防来查有个交代, 抽查能交差, 图个交代); the seller expecting no work
  from it (不求灭火, 别指望它灭火); whether it works left open (能不能灭火就不好说了); standing there passes the check
  (摆着过消防); a unit to make up the number or kept for the check (凑个数, 备查专用); not afraid of the check because
  the papers are there is compliance (消防检查时不怕，我们有正规3C);
- prop_or_display: an A-not-A question (能不能灭火) holds 不能灭火 but says nothing of the goods;
- invalid_certificate: a certificate's status asked or supposed (证书是否过期) is none; a certification row with the bare
  mark (认证：CCC) claims CCC; a certificate named as issued for another CCC product family (证书产品：手提式干粉灭火器
  on a smoke alarm); a 3C certificate's name right before 12+ digits names its number (3C证书2027081001234567);
  a status in brackets after the number (2021081001234567（已注销）); a number said with 是 (证书号是…) or in spaced groups of another length, read whole;
- substandard_spec: a withdrawn edition named as the one a newer edition replaced (GB 4351-2023已取代GB 4351.1-2005)
  is not the product's standard.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.classifiers.test_recall_rules import found, shop

ON = date(2024, 5, 10)
EXT = ("淮海 手提式干粉灭火器 MFZ/ABC4 4kg", {"品牌": "淮海", "型号": "MFZ/ABC4", "充装量": "4kg", "灭火级别": "2A/55B"})


def ext(rules, description="", attributes=None, title=None, on=ON):
    return found(rules, shop(title or EXT[0], "58", {**EXT[1], **(attributes or {})}, description),
                 "portable_extinguisher", on)


# -- inspection_only ------------------------------------------------------------------------------

@pytest.mark.parametrize("description", [
    "糊弄消防用的，便宜。",
    "对付年检的，别太较真。",
    "客服：应付物业的话这款够了。",
    "买两个放店里，消防来查有个交代。",
    "消防抽查能交差。",
    "回复：这款就是图个交代，检查的时候有东西。",
    "这款不求灭火，放那有个样。",
    "主播：老板们别指望它灭火啊。",
    "码能扫，能不能灭火就不好说了。",
    "店里摆着过消防的，价格便宜。",
    "主播：这个就是凑个数的。",
])
def test_inspection_only_families_flag(rules, description):
    assert "inspection_only" in ext(rules, description)


def test_inspection_only_in_title_and_attribute(rules):
    assert "inspection_only" in ext(rules, title=EXT[0] + " 应付年审")
    assert "inspection_only" in ext(rules, attributes={"用途": "备查专用"})


@pytest.mark.parametrize("description", [
    "对公转账，应付款以订单为准。",
    "家中常备，应付突发火灾。",
    "售后有保障，出了问题一定给您一个交代。",
    "不求最便宜，只求灭火有效。",
    "问：能不能用在仓库？答：可以的。",
    "问：能不能灭油火？答：可以，适用B类火。",
    "新店开业，凑单满减。",
    "检测报告复印件随货，备查用的。",
    "放着过夜也不漏压。",
    "消防检查时不怕，我们有正规3C和检测报告。",
    "买灭火器不只是为了应付检查，更是为了安全。",
    "问：能过年检吗？答：要看你们当地的要求哦。",
])
def test_inspection_only_near_misses(rules, description):
    assert "inspection_only" not in ext(rules, description)


def test_an_a_not_a_question_is_no_prop(rules):
    codes = ext(rules, "问：这款能不能灭火？答：能，2A/55B。")
    assert "prop_or_display" not in codes
    assert "prop_or_display" in ext(rules, "道具款，不能灭火。")


# -- invalid_certificate -------------------------------------------------------------------------

def test_a_status_asked_or_supposed_is_none(rules):
    assert "invalid_certificate" not in ext(rules, "购买时请注意证书是否过期，可到官网查询。")
    assert "invalid_certificate" not in ext(rules, "证书在有效期内，不会过期。")
    assert "invalid_certificate" in ext(rules, "3C证书已撤销，不影响使用。")


def test_a_certification_row_with_the_bare_mark_claims_ccc(rules):
    hose = ("天广 消防水带 8-65-20 20米", {"长度": "20m", "工作压力": "0.8MPa"})
    claimed = found(rules, shop(hose[0], "115", {**hose[1], "认证": "CCC"}), "fire_hose", ON)
    assert "invalid_certificate" in claimed
    voluntary = found(rules, shop(hose[0], "115", {**hose[1], "认证": "CCCF自愿性认证"}), "fire_hose", ON)
    assert "invalid_certificate" not in voluntary
    # an extinguisher is under CCC: its bare mark is true
    assert "invalid_certificate" not in ext(rules, attributes={"认证": "3C"})


def test_a_certificate_of_another_product(rules):
    resp = ("南消 过滤式消防自救呼吸器 TZL30", {"型号": "TZL30", "防护时间": "30分钟"})
    other = found(rules, shop(resp[0], "42", {**resp[1], "证书产品名称": "点型光电感烟火灾探测器"}),
                  "escape_respirator", ON)
    assert "invalid_certificate" in other
    said = found(rules, shop(resp[0], "42", resp[1], "证书上的产品是感烟火灾探测器，同一个厂。"), "escape_respirator", ON)
    assert "invalid_certificate" in said
    own = found(rules, shop(resp[0], "42", {**resp[1], "证书产品": "过滤式消防自救呼吸器（TZL30）"}),
                "escape_respirator", ON)
    assert "invalid_certificate" not in own
    light = found(rules, shop("敏华 消防应急照明灯 LED双头", "39", {"证书覆盖产品": "消防应急标志灯具、消防应急照明灯具"}),
                  "emergency_light", ON)
    assert "invalid_certificate" not in light
    assert "invalid_certificate" not in ext(rules, "本店还销售烟感报警器，证书产品齐全。")


def test_a_number_right_after_the_certificates_name(rules):
    future = ext(rules, title="淮海 干粉灭火器4kg 3C证书2027081001234567", on=date(2025, 3, 1))
    assert "invalid_certificate" in future
    assert "invalid_certificate" not in ext(rules, title="淮海 干粉灭火器4kg 3C证书2021081001234567", on=date(2025, 3, 1))
    # 16 digits set apart for reading (the table has them whole); a year after the name is no number
    assert "invalid_certificate" not in ext(rules, title="灭火器4kg 3C证书2023-08-18-02-001451",
                                            attributes={"CCC证书编号": "2023081802001451"}, on=date(2025, 8, 30))
    assert "invalid_certificate" not in ext(rules, title="淮海 干粉灭火器4kg 3C证书 2024年新款", on=date(2025, 3, 1))


def test_gas_detector_claims_outside_ccc_only_before_certificates_could_be_had(rules):
    # out of CCC from 2018-06-11; CCCF accepted applications again from 2024-11-01 (mandatory from 2025-07-01), so a
    # 3C claim after that day may be a real early certificate
    title = "霍尼 家用可燃气体探测器 天然气报警器 3C认证"
    assert "invalid_certificate" in found(rules, shop(title, "128", {"检测气体": "天然气"}), "gas_detector",
                                          date(2024, 6, 19))
    assert "invalid_certificate" not in found(rules, shop(title, "128", {"检测气体": "天然气"}), "gas_detector",
                                              date(2025, 4, 19))


# -- substandard_spec: a withdrawn edition in a comparison --------------------------------------

def test_a_withdrawn_edition_named_as_replaced(rules):
    on = date(2025, 6, 1)
    compared = ext(rules, "新版GB 4351-2023已取代GB 4351.1-2005，本品按新标生产。", on=on)
    assert "substandard_spec" not in compared
    own = ext(rules, "执行标准：GB 4351.1-2005", on=on)
    assert "substandard_spec" in own


def test_a_status_in_brackets_after_the_number(rules):
    assert "invalid_certificate" in ext(rules, attributes={"3C证书": "2021081001234567（已注销）"})
    assert "invalid_certificate" not in ext(rules, attributes={"3C证书": "2021081001234567（有效）"})


def test_a_number_said_with_shi_and_spaced_groups(rules):
    short = ext(rules, "主播：证书号是2019 0810 0123 456，大家可以查。")
    assert "invalid_certificate" in short and "15" in short["invalid_certificate"]
    assert "invalid_certificate" not in ext(rules, "主播：证书号是2019 0810 0123 4567，大家可以查。")
    assert "invalid_certificate" not in ext(rules, "问：证书号是多少？答：见图。")


def test_dodging_whoever_checks_after_a_qualifier(rules):
    assert "inspection_only" in ext(rules, "对付上面检查足够。")
    assert "inspection_only" not in ext(rules, "灭火毯能对付上面说的几类火灾。")
