"""CCC scope by date, CCC certificate numbers, identity labels and the classes a standard has.

Each test names the source of the fact it holds the rules to (the same source the data entry in
classifiers/data/ccc_scope.yaml, certificates.yaml or editions.yaml records), and checks both
directions: the bad listing is flagged with the rule cited, the good one is left alone, and dates
on each side of a boundary.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from classifiers.certification import Scope, ccc_claims, certification_findings, listing_date, load_scope
from classifiers.corpus import record_to_listing
from classifiers.datafiles import load_yaml
from classifiers.editions import load_editions
from classifiers.identity_label import label_findings
from classifiers.certification import CERTIFICATES_PATH, SCOPE_PATH
from classifiers.specs import load_facts


def judge(rules, title: str, category: str, first_seen: str | None = None, attributes: dict | None = None,
          now: date | None = None) -> dict[str, str]:
    record = {"title": title, "attributes": attributes or {}}
    if first_seen:
        record["first_seen"] = first_seen
    reasons, _ = rules.check(record_to_listing(record), category, now=now or date(2026, 12, 1))
    return {r.code: r.evidence for r in reasons}


def day(text: str, delta: int = 0) -> str:
    return (date.fromisoformat(text) + timedelta(days=delta)).isoformat()


def scope_entry(entry_id: str) -> dict:
    return next(e for e in load_yaml(SCOPE_PATH)["out_of_scope"] if e["id"] == entry_id)


# -- CCC scope by date ---------------------------------------------------------------------------

def test_3c_claim_on_hose_after_2019_announcement_36(rules):
    """市场监管总局、应急管理部 2019年第36号公告 (2019-07-29) took 消防水带 and 12 other categories
    out of CCC; source: 应急消评〔2019〕20号, yayabh.cn/news/110.html (entry ccc-2019-36)."""
    entry = scope_entry("ccc-2019-36")
    assert entry["verified"] and entry["from"] == "2019-07-29" and "fire_hose" in entry["categories"]
    title = "消防水带 8-65-20 有衬里 3C认证 国标"
    on_day = judge(rules, title, "fire_hose", first_seen="2019-07-29")
    assert "invalid_certificate" in on_day
    assert "2019年第36号" in on_day["invalid_certificate"] and "2019-07-29" in on_day["invalid_certificate"]
    assert "invalid_certificate" not in judge(rules, title, "fire_hose", first_seen=day("2019-07-29", -1))
    # the same hose without the claim, and with a voluntary certificate, is left alone
    assert "invalid_certificate" not in judge(rules, "消防水带 8-65-20 有衬里 国标", "fire_hose", first_seen="2026-01-05")
    assert "invalid_certificate" not in judge(rules, "消防水带 8-65-20 CCCF自愿性认证", "fire_hose",
                                              first_seen="2026-01-05")


@pytest.mark.parametrize("category,title", [
    ("sprinkler", "玻璃球洒水喷头 ZSTX15-68℃ 3C认证"),
    ("fire_door", "钢质防火门 甲级 GFM-1021 通过3C认证"),
    ("foam_agent", "水成膜泡沫灭火剂 AFFF 3% 强制性产品认证"),
])
def test_other_categories_of_announcement_36(rules, category, title):
    """喷水灭火产品, 建筑耐火构件 (fire doors) and 灭火剂 are among the 13 categories of 2019年第36号
    (yayabh.cn/news/110.html); a claim in the title or in an attribute is flagged."""
    assert "invalid_certificate" in judge(rules, title, category, first_seen="2025-06-01")
    plain = title.replace("3C认证", "").replace("通过", "").replace("强制性产品认证", "")
    assert "invalid_certificate" not in judge(rules, plain, category, first_seen="2025-06-01")
    in_attribute = judge(rules, plain, category, first_seen="2025-06-01", attributes={"认证": "国家3C认证"})
    assert "invalid_certificate" in in_attribute
    # the listing page marks the claim itself: its span in the attribute's value
    reasons, _ = rules.check(record_to_listing({"title": plain, "attributes": {"认证": "国家3C认证"},
                                                "first_seen": "2025-06-01"}), category)
    claim = next(r for r in reasons if r.code == "invalid_certificate")
    assert claim.source == "attributes.认证" and "国家3C认证"[claim.start:claim.end] == "3C认证"


def test_safety_signs_left_ccc_on_2025_02_25(rules):
    """市场监管总局、国家消防救援局 2025年第10号公告, dated 2025-02-25: 消防安全标志 no longer under CCC
    from the day of the announcement (yhxzz.com/zjwj/2025-3/4/249034.html; entry ccc-2025-10-signs)."""
    entry = scope_entry("ccc-2025-10-signs")
    assert entry["verified"] and entry["from"] == "2025-02-25"
    title = "消防安全标志牌 安全出口 夜光PVC 3C认证"
    flagged = judge(rules, title, "other_fire", first_seen="2025-02-25")
    assert "2025年第10号" in flagged["invalid_certificate"] and "2025-02-25" in flagged["invalid_certificate"]
    assert "invalid_certificate" not in judge(rules, title, "other_fire", first_seen="2025-02-24")
    # an exit-sign LAMP is 消防应急照明和疏散指示产品, still CCC (CNCA-C18-03:2024, hnjuzhili.com/post/546.html)
    assert "invalid_certificate" not in judge(rules, "安全出口指示灯 LED 消防应急标志灯 3C认证", "emergency_light",
                                              first_seen="2026-03-01")


def test_gas_detectors_out_of_ccc_between_2018_and_2024(rules):
    """2018年第11号公告 (2018-06-11) took 可燃气体报警产品 out of CCC (eifire.com/vn/show-1168.html); the
    2024 announcement brought them back, CCCF accepting applications from 2024-11-01, mandatory
    from 2025-07-01 (lst-lab.com/newsview.asp?id=2523). A claim is impossible only in between."""
    title = "家用天然气报警器 可燃气体探测器 3C认证"
    assert "invalid_certificate" not in judge(rules, title, "gas_detector", first_seen="2018-06-10")
    assert "invalid_certificate" in judge(rules, title, "gas_detector", first_seen="2018-06-11")
    assert "invalid_certificate" in judge(rules, title, "gas_detector", first_seen="2024-10-31")
    assert "invalid_certificate" not in judge(rules, title, "gas_detector", first_seen="2024-11-01")


def test_negations_and_statements_are_not_claims(rules):
    """"无3C" is a missing certificate (no_certification), never a CCC claim; a sentence about the scope
    ("不属于3C认证范围") and CCCF (the fire-product centre's voluntary mark) claim nothing."""
    for title in ("消防水带 8-65-20 无3C认证", "消防水带 8-65-20 没有3C认证", "消防水带 8-65-20 免3C",
                  "消防水带 8-65-20 不具有3C认证"):
        assert "invalid_certificate" not in judge(rules, title, "fire_hose", first_seen="2025-01-01"), title
    for title in ("消防水带 8-65-20 本品不属于3C认证范围 自愿性认证", "洒水喷头 ZSTX15 CCCF认证 消防产品认证"):
        assert "invalid_certificate" not in judge(rules, title, "fire_hose", first_seen="2025-01-01")


def test_claim_spans():
    assert ccc_claims("质量不错 3C认证") == [(5, 9)]  # a negation word elsewhere does not cancel a claim
    assert ccc_claims("不具有3C认证") == [] and ccc_claims("CCCF认证 消防产品") == []


def test_claim_on_products_still_in_ccc_is_no_flag(rules):
    """Extinguishers, respirators and smoke alarms stay under CCC (CNCA-C18-02:2024, CNCA-C18-03:2024,
    CNCA-C18-01:2024; jidetai.com/help/436.html): their 3C claims are what they should say."""
    for title, category in (("手提式干粉灭火器 MFZ/ABC4 3C认证", "portable_extinguisher"),
                            ("过滤式消防自救呼吸器 TZL30 3C认证", "escape_respirator"),
                            ("独立式烟雾报警器 3C认证 GB 20517", "smoke_alarm")):
        assert "invalid_certificate" not in judge(rules, title, category, first_seen="2026-02-01")


def test_unverified_entries_stay_off_until_switched_on():
    """Fire glass: regime unverified (domain.md) -- the entry ships with enforce: false and flags
    nothing; a regulator switching it on makes it apply."""
    data = copy.deepcopy(load_yaml(SCOPE_PATH))
    certificates = load_yaml(CERTIFICATES_PATH)
    fields = [("title", "防火玻璃 FFB-25-A1.50 3C认证")]
    assert certification_findings(fields, [], "fire_glass", date(2026, 1, 1), Scope(data, certificates)) == []
    for entry in data["out_of_scope"]:
        if entry["id"] == "ccc-2019-36-glass":
            assert entry["verified"] is False and entry["enforce"] is False
            entry["enforce"] = True
    found = certification_findings(fields, [], "fire_glass", date(2026, 1, 1), Scope(data, certificates))
    assert [f.code for _, f in found] == ["invalid_certificate"]


# -- the listing's date --------------------------------------------------------------------------

def test_first_seen_is_read_as_a_beijing_day():
    listing = record_to_listing({"title": "x", "first_seen": "2025-02-25"})
    assert listing.first_seen.isoformat() == "2025-02-24T16:00:00+00:00"
    assert listing_date(listing) == date(2025, 2, 25)
    assert listing_date(record_to_listing({"title": "x"}), date(2026, 3, 1)) == date(2026, 3, 1)
    with pytest.raises(ValueError, match="first_seen"):
        record_to_listing({"title": "x", "first_seen": "2025-02-30"})


# -- CCC certificate numbers --------------------------------------------------------------------

def test_certificate_year_before_the_scheme_or_after_the_listing(rules):
    """A CCC number is year(4) + body(2) + category(4) + serial(6) (edu.xhlnet.com/zhiye/15798.html); the
    scheme began in 2002 (jidetai.com/help/436.html), so 2001 is impossible, and no certificate is
    issued after the day the listing was seen. A well-formed number is not proof: the text says so."""
    title = "手提式干粉灭火器 MFZ/ABC4"
    old = judge(rules, title, "portable_extinguisher", first_seen="2024-05-01",
                attributes={"认证证书编号": "2001010901123456"})
    assert "2002" in old["invalid_certificate"] and "不能证明" in old["invalid_certificate"]
    assert "invalid_certificate" not in judge(rules, title, "portable_extinguisher", first_seen="2024-05-01",
                                              attributes={"认证证书编号": "2002010901123456"})
    late = judge(rules, title, "portable_extinguisher", first_seen="2024-05-01",
                 attributes={"认证证书编号": "2025010901123456"})
    assert "2024-05-01" in late["invalid_certificate"]
    assert "invalid_certificate" not in judge(rules, title, "portable_extinguisher", first_seen="2025-05-01",
                                              attributes={"认证证书编号": "2025010901123456"})


def test_certificate_year_inside_the_gas_detector_gap(rules):
    """Gas detectors were outside CCC from 2018-06-11 until 2024-11-01 (eifire.com/vn/show-1168.html,
    lst-lab.com/newsview.asp?id=2523): no CCC certificate for one can carry a year 2019-2023."""
    title = "家用燃气报警器 可燃气体探测器"
    found = judge(rules, title, "gas_detector", first_seen="2026-01-10", attributes={"证书编号": "2021180913000123"})
    assert "2018-06-11" in found["invalid_certificate"] and "2021" in found["invalid_certificate"]
    for year in ("2018", "2024", "2025"):
        assert "invalid_certificate" not in judge(rules, title, "gas_detector", first_seen="2026-01-10",
                                                  attributes={"证书编号": f"{year}180913000123"})


def test_body_code_check_is_off_until_codes_are_known():
    """Only body code 01 (CQC) was found in a source; the fire body's code was not, so the body check
    ships switched off (certificates.yaml ccc_number.body_check) and a regulator can turn it on."""
    scope = load_scope()
    numbers = [("title", "证书编号 2020990901123456", "2020990901123456")]
    assert certification_findings([("title", "灭火器")], numbers, "portable_extinguisher", date(2026, 1, 1), scope) == []
    certificates = copy.deepcopy(load_yaml(CERTIFICATES_PATH))
    assert certificates["ccc_number"]["body_check"]["enforce"] is False
    certificates["ccc_number"]["body_check"]["enforce"] = True
    on = Scope(load_yaml(SCOPE_PATH), certificates)
    found = certification_findings([("title", "灭火器")], numbers, "portable_extinguisher", date(2026, 1, 1), on)
    assert len(found) == 1 and "99" in found[0][1].evidence
    ok = [("title", "证书编号 2020010901123456", "2020010901123456")]
    assert certification_findings([("title", "灭火器")], ok, "portable_extinguisher", date(2026, 1, 1), on) == []


# -- identity labels (GA 846-2009) --------------------------------------------------------------

def test_identity_label_code_form():
    """The label's public code is 14 characters, 5 digits + 2 letters + 5 digits + 2 letters, the same
    on the A and B labels (brightpowertech.com.cn/weixiu/10821.html, gxfce.cn/hyxw/662.html)."""
    assert label_findings([("title", "灭火器 身份信息标志：00000AA00016AA")]) == []
    assert label_findings([("description", "A签明码 12345AB67890CD，B签明码 12345AB67890CD")]) == []
    short = label_findings([("title", "灭火器 身份信息标志：00000AA0016AA")])
    assert short and "13 位" in short[0][1].evidence and "GA 846" in short[0][1].evidence
    shuffled = label_findings([("title", "灭火器 身份标识 0000AAA00016AA")])
    assert shuffled and "排列" in shuffled[0][1].evidence
    pair = label_findings([("description", "A签明码 12345AB67890CD，B签明码 12345AB67890CE")])
    assert pair and "不一致" in pair[0][1].evidence and "不能证明" in pair[0][1].evidence
    # a word after the cue is no code
    assert label_findings([("title", "带身份标识 正品保证")]) == []


def test_identity_label_through_the_rules(rules):
    found = judge(rules, "手提式干粉灭火器 MFZ/ABC4 消防身份证 00000AA016AA", "portable_extinguisher")
    assert "invalid_certificate" in found
    assert "invalid_certificate" not in judge(rules, "手提式干粉灭火器 MFZ/ABC4 消防身份证 00000AA00016AA",
                                              "portable_extinguisher")


# -- classes a standard has ---------------------------------------------------------------------

def test_gb31247_b1_b2_need_their_sub_classes(rules):
    """GB 31247-2014: classes A, B1, B2, B3; B1 and B2 must state dripping d0-d2, smoke toxicity t0-t2
    and corrosiveness a1-a3 (qihaojidian.com/cn/cjwt/xianlanzhishi/2022/1122/36771.html)."""
    cfg = load_editions()["cable_burning"]
    assert cfg["verified"] and cfg["needs_extra"] == ["B1", "B2"]
    bare = judge(rules, "WDZB-YJY 3*4 阻燃电缆 燃烧性能 GB 31247-2014 B1级", "flame_retardant_cable")
    assert "GB 31247-2014" in bare["substandard_spec"] and "d0" in bare["substandard_spec"]
    assert "substandard_spec" not in judge(rules, "WDZB-YJY 3*4 阻燃电缆 GB 31247-2014 B1(d0,t0,a1)",
                                           "flame_retardant_cable")
    assert "substandard_spec" not in judge(rules, "WDZB-YJY 3*4 阻燃电缆 GB31247 B1级 d1 t1 a2",
                                           "flame_retardant_cable")
    assert "d3" in judge(rules, "WDZB-YJY 3*4 阻燃电缆 GB 31247-2014 B1(d3,t0,a1)",
                         "flame_retardant_cable")["substandard_spec"]
    assert "B4" in judge(rules, "WDZB-YJY 3*4 阻燃电缆 GB 31247-2014 B4级", "flame_retardant_cable")["substandard_spec"]
    # a B1 without GB 31247 (another scheme's class) is not judged by this rule
    assert "substandard_spec" not in judge(rules, "ZB-YJV 3*4 阻燃B类电缆", "flame_retardant_cable")


def test_fire_door_classes_of_gb12955(rules):
    """GB 12955-2008 表1: A0.50(丙级) A1.00(乙级) A1.50(甲级) A2.00 A3.00; B1.00-B3.00; C1.00-C3.00
    (tyteej.cn/changjianwenti/20223101587.html). No B0.50, no C2.50, no 丁级."""
    assert "B0.50" in judge(rules, "钢质防火门 部分隔热 B0.50", "fire_door")["substandard_spec"]
    assert "C2.50" in judge(rules, "钢质防火门 非隔热 C2.50", "fire_door")["substandard_spec"]
    assert "丁级" in judge(rules, "木质防火门 丁级", "fire_door")["substandard_spec"]
    for title in ("钢质防火门 部分隔热 B1.00", "钢质防火门 非隔热 C3.00", "钢质防火门 甲级 A1.50",
                  "钢质防火门 门板厚 B1.2mm"):
        assert "substandard_spec" not in judge(rules, title, "fire_door"), title


# -- superseded editions (the rule of spec_checks, held to the verified dates) -------------------

@pytest.mark.parametrize("standard,old,title,category", [
    ("GB 4351-2023", "GB 4351.1-2005", "手提式干粉灭火器 MFZ/ABC4 执行标准 GB 4351.1-2005", "portable_extinguisher"),
    ("GB 20517-2025", "GB 20517-2006", "独立式烟雾报警器 执行标准 GB 20517-2006", "smoke_alarm"),
])
def test_superseded_edition_by_its_verified_date(rules, standard, old, title, category):
    """GB 4351-2023 replaced GB 4351.1-2005 from 2025-01-01 (四川省市场监管局 via 中国消费者报,
    szbrbw.cn/html/25d899887.html); GB 20517-2025 replaces GB 20517-2006 from 2026-06-01
    (chinesestandard.net/Related.aspx/GB20517-2006). The spec_checks rule flags the old edition once
    specs.yaml's grace period after that date has passed, and never before the date."""
    entry = next(e for e in load_editions()["editions"] if e["standard"] == standard)
    assert entry["verified"] and entry["replaces"] == old
    start = date.fromisoformat(entry["in_force_from"])
    grace = timedelta(days=int(load_facts()["withdrawn_grace_days"]))
    flagged = judge(rules, title, category, now=start + grace)
    assert old in flagged["substandard_spec"]
    assert "substandard_spec" not in judge(rules, title, category, now=start + grace - timedelta(days=1))
    assert "substandard_spec" not in judge(rules, title, category, now=start - timedelta(days=1))
    assert "substandard_spec" not in judge(rules, title.replace(old, standard), category, now=start + grace)


# -- voluntary certificates ----------------------------------------------------------------------

def test_voluntary_certificate_is_looked_up_not_held_to_the_ccc_form():
    """Voluntary certificates (消防产品自愿性认证, since 2019年第36号) have no common number form and are
    queried on the national certification platform or the issuer's site (tyhfy.cn/plus/view.php?aid=59):
    a fire pump's CCCF number is not a malformed CCC number; with a registry imported it is looked up
    (numbers keyed as `firewatch import certificates` keys them); on an extinguisher (CCC) the same
    number stays a CCC form problem."""
    from classifiers.risk import RiskRules
    from firewatch.imports.references import certificate_number

    number = "CCCF-ZYRZ-2021-000123"
    pump = {"title": "XBD消防泵 立式多级 消火栓泵", "attributes": {"认证证书编号": number}, "first_seen": "2026-01-05"}
    plain = RiskRules()
    assert "invalid_certificate" not in {r.code for r in plain.check(record_to_listing(pump), "fire_pump")[0]}
    registry: dict[str, dict] = {}
    looked_up = RiskRules(registry=lambda n: registry.get(certificate_number(n)))
    missing = {r.code: r for r in looked_up.check(record_to_listing(pump), "fire_pump")[0]}["invalid_certificate"]
    assert "自愿性认证证书编号" in missing.evidence and "查无记录" in missing.evidence
    assert missing.source == "attributes.认证证书编号" and (missing.start, missing.end) == (0, len(number))
    registry[certificate_number(number)] = {"status": "valid", "expires_on": "2027-01-01"}
    assert "invalid_certificate" not in {r.code for r in looked_up.check(record_to_listing(pump), "fire_pump")[0]}
    registry[certificate_number(number)] = {"status": "revoked", "status_text": "撤销"}
    assert "撤销" in {r.code: r.evidence for r in looked_up.check(record_to_listing(pump), "fire_pump")[0]}[
        "invalid_certificate"]
    extinguisher = dict(pump, title="手提式干粉灭火器 MFZ/ABC4")
    found = {r.code: r.evidence for r in plain.check(record_to_listing(extinguisher), "portable_extinguisher")[0]}
    assert "含非数字字符" in found["invalid_certificate"]
