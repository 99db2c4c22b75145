"""Certificates a shop says, in its own words, are void or another product's (session 36's certificate probes).

1. a status said as a query's result (查询显示注销), said done (到期了还没续, 被撤了), or of a validity up to a year or
   month (有效期到2024年3月); a buyer's question about it (证书暂停了吗) and a status taken back (已恢复有效) state none;
2. a certificate said borrowed or hung on another's (借的隔壁厂的, 挂的是灭火器厂的证书), or said to be another
   product's or another model's (证书是灭火器那边的, 先用我们烟感的证书, 证书上是烟感报警器, 证书类别：手提式灭火器);
   the listing's own product named (证书是灭火器的 on an extinguisher) and a denial (证书不是借的) state none;
3. a certificate whose row, bracket or picture names another product or model (3C证书型号：MFZ/ABC4 on a respirator,
   （对应产品：消防应急照明灯具）, 证书图片为灭火器证书, 证书的产品型号是JTY-GD-3000，本款型号SD-18); the goods' own stand;
4. no certification said in speech (不走认证, 认证这块我们没办); a buyer's question (问：没3C能卖吗？) states none.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.classifiers.test_recall_rules import found, shop

ON = date(2025, 11, 20)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("emergency_light", "应急照明灯", {}, "问：证书能查到吗？答：查询显示注销，正在重新办，产品没问题。"),
    ("smoke_alarm", "烟感 独立式 光电", {}, "跟买家说清楚，证书状态是注销，但是货是老厂家的。"),
    ("emergency_light", "疏散指示灯 安全出口", {}, "答：3C证书到期了还没续，东西没变。"),
    ("gas_detector", "燃气报警器 家用", {}, "证书有效期到2024年3月，现在在续证。"),
    ("portable_extinguisher", "干粉灭火器 5公斤 批发", {}, "说实话证书早没了，被撤了，价格才这么低。"),
    ("portable_extinguisher", "MFZ/ABC3 灭火器", {}, "3C证书借的隔壁厂的，放心用。"),
    ("smoke_alarm", "烟雾报警器", {}, "我们挂的是灭火器厂的证书，烟感都一样。"),
    ("escape_respirator", "TZL30 自救呼吸器 3C", {}, "证书是我们厂灭火器的3C证书，同一个厂的，一样的。"),
    ("smoke_alarm", "烟感报警器 独立式", {}, "证书上写的是应急照明灯具，同厂出品质量放心。"),
    ("gas_detector", "可燃气体报警器", {}, "证书上是烟感报警器，我们公司都是这个证。"),
    ("escape_respirator", "逃生面具 TZL30", {}, "问：有证书吗？答：证书是灭火器那边的，面具没单独办。"),
    ("gas_detector", "燃气报警器 商用", {}, "答：证在办，先用我们烟感的证书。"),
    ("emergency_light", "应急灯", {}, "认证用的呼吸器那张证书，同一个公司的。"),
    ("emergency_light", "应急灯 工程款", {}, "工程上用的证书是厂家另一个型号标志灯的，验收一般没人细看。"),
    ("escape_respirator", "自救呼吸器", {"证书类别": "手提式灭火器"}, ""),
])
def test_a_certificate_said_void_or_another_products(rules, category, title, attributes, description):
    assert "invalid_certificate" in found(rules, shop(title, "59", attributes, description), category, ON)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("smoke_alarm", "烟感报警器", {}, "问：证书暂停了吗？答：没有，有效期内，可以官网查。"),
    ("gas_detector", "燃气报警器 家用 3C", {}, "之前证书暂停过，现在已恢复有效，可以查。"),
    ("smoke_alarm", "烟感报警器 3C", {}, "问：证书会不会过期？答：证书有效期五年，到期厂家会续。"),
    ("smoke_alarm", "烟感", {}, "证书查询显示有效，放心购买。"),
    ("portable_extinguisher", "灭火器 4kg", {}, "问：证书是灭火器的吗？答：是的，灭火器的3C证书。"),
    ("emergency_light", "应急照明灯", {}, "证书上的产品是消防应急照明灯具，型号一致。"),
    ("emergency_light", "应急灯", {}, "证书不是借的，是我们自己厂的，能查。"),
    ("escape_respirator", "呼吸器 TZL30", {}, "问：是不是用别的产品证书？答：不是，呼吸器单独的证书。"),
    ("gas_detector", "燃气报警器", {}, "上一批证书到期后已换新证，现证有效。"),
    ("portable_extinguisher", "灭火器", {}, "问：证书过期了吗？答：没过期，2028年才到期。"),
    ("gas_detector", "燃气报警器 家用", {}, "证书有效期到2029年3月，可以官网查。"),
])
def test_no_void_certificate(rules, category, title, attributes, description):
    assert "invalid_certificate" not in found(rules, shop(title, "59", attributes, description), category, ON)


@pytest.mark.parametrize("category, title, description", [
    ("emergency_light", "LED应急灯", "厂家直销，不走认证，省下费用让利给你。"),
    ("escape_respirator", "呼吸器 TZL30", "认证这块我们没办，做外贸的货。"),
    ("portable_extinguisher", "水基灭火器 家用", "问：有没有3C标志？答：瓶子上没有印3C，质量没问题的。"),
])
def test_certification_said_not_done(rules, category, title, description):
    assert "no_certification" in found(rules, shop(title, "39", {}, description), category, ON)


@pytest.mark.parametrize("category, title, description", [
    ("smoke_alarm", "烟感 3C", "问：没3C能卖吗？答：我们有3C的，证书可查。"),
    ("emergency_light", "应急灯 3C", "问：认证没办吗？答：办了的，证书编号见详情图。"),
])
def test_a_buyers_question_about_certification_states_none(rules, category, title, description):
    assert "no_certification" not in found(rules, shop(title, "39", {}, description), category, ON)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("escape_respirator", "TZL30 过滤式自救呼吸器 3C", {"3C证书型号": "MFZ/ABC4"}, ""),
    ("smoke_alarm", "独立式烟感报警器 3C", {}, "3C证书编号2023010918001234（对应产品：消防应急照明灯具）"),
    ("gas_detector", "家用燃气报警器 3C", {}, "证书覆盖型号：JTY-GD-G3 独立式光电感烟火灾探测报警器"),
    ("emergency_light", "消防应急标志灯 3C", {}, "详情页3C证书图片为灭火器证书，同公司产品。"),
    ("portable_extinguisher", "MFZ/ABC4 干粉灭火器", {"认证证书": "过滤式消防自救呼吸器 CCC证书"}, ""),
    ("smoke_alarm", "烟感报警器", {}, "附的证书是燃气报警器的，烟感这款共用。"),
    ("smoke_alarm", "烟感 3C", {}, "认证证书的产品型号是JTY-GD-3000，本款型号SD-18，外观一样。"),
])
def test_a_certificate_of_another_product_or_model(rules, category, title, attributes, description):
    assert "invalid_certificate" in found(rules, shop(title, "59", attributes, description), category, ON)


@pytest.mark.parametrize("category, title, attributes, description", [
    ("emergency_light", "应急照明灯 3C", {}, "3C证书对应产品：消防应急照明灯具，型号与本品一致。"),
    ("smoke_alarm", "烟感报警器 3C", {"认证证书": "独立式光电感烟火灾探测报警器 CCC证书"}, ""),
    ("smoke_alarm", "烟感 3C", {}, "证书的产品型号是JTY-GD-3000，本款型号JTY-GD-3000，可查。"),
    ("escape_respirator", "TZL30 呼吸器", {"3C证书": "有", "3C证书型号": "TZL30"}, ""),
])
def test_the_goods_own_certificate(rules, category, title, attributes, description):
    assert "invalid_certificate" not in found(rules, shop(title, "59", attributes, description), category, ON)


@pytest.mark.parametrize("description", ["3C证书有效期至2023-05-01。灭火器有效期至2030年。",
                                         "3C证书有效期至2023年5月1日，产品保质期有效期到2030年"])
def test_a_shelf_life_by_its_year_renews_no_certificate(rules, description):
    # a year-only validity beside no certificate word is the product's shelf life: it does not stand for a
    # renewed certificate that would excuse the expired one
    got = found(rules, shop("MFZ/ABC4 干粉灭火器 3C", "65", {}, description), "portable_extinguisher", ON)
    assert "2023-05-01" in got.get("invalid_certificate", ""), got


def test_a_renewed_certificate_by_its_year_still_excuses(rules):
    got = found(rules, shop("MFZ/ABC4 干粉灭火器 3C", "65", {}, "3C证书有效期至2023-05-01，现证书有效期至2029年。"),
                "portable_extinguisher", ON)
    assert "invalid_certificate" not in got, got
