"""Risk rules: each reason fires on its phrase and not on its negating context."""

from datetime import date
from decimal import Decimal

import pytest

from classifiers.risk import RiskRules
from classifiers.spec_checks import check_specs
from classifiers.specs import check_certificates, load_facts, parse_specs, validate_ccc_number
from classifiers.watchlist import Watchlist, normalize_name
from firewatch.core.clock import to_beijing
from firewatch.core.models import Listing

from tests.helpers import NOW


def codes(rules, title, category="portable_extinguisher", **kw):
    listing = Listing(platform="taobao", listing_id="1", title=title, **kw)
    reasons, _ = rules.check(listing, category, now=NOW)
    return {r.code: r for r in reasons}


@pytest.mark.parametrize("title,code", [
    ("干粉灭火器 年检专用 4kg", "inspection_only"),
    ("灭火器只为过检 便宜", "inspection_only"),
    ("应付检查 灭火器 2kg", "inspection_only"),
    ("灭火器 无3C 便宜", "no_certification"),
    ("灭火器 不带3C", "no_certification"),
    ("免3C 灭火器", "no_certification"),
    ("灭火器 无需认证", "no_certification"),
    ("灭火器 无合格证", "no_certification"),
    ("二手灭火器 4kg", "refurbished"),
    ("回收瓶 灭火器", "refurbished"),
    ("灭火器换粉 干粉", "refurbished"),
    ("灭火器 道具 红色", "prop_or_display"),
    ("灭火器样品", "prop_or_display"),
    ("灭火器 空瓶", "prop_or_display"),
    ("灭火器模型", "prop_or_display"),
    ("三无灭火器", "no_manufacturer"),
    ("灭火器 无品牌", "no_manufacturer"),
    ("灭火器 无厂名", "no_manufacturer"),
])
def test_phrase_fires(rules, title, code):
    found = codes(rules, title)
    assert code in found
    reason = found[code]
    assert reason.source == "title"
    assert reason.evidence and reason.evidence in title or reason.evidence.strip("…") in title
    assert reason.start is not None and title[reason.start:reason.end] in reason.evidence  # the matched phrase


@pytest.mark.parametrize("title,code,category", [
    ("干粉灭火器 年检合格 4kg", "inspection_only", "portable_extinguisher"),
    ("灭火器 可过年检", "inspection_only", "portable_extinguisher"),
    ("灭火器 非二手 全新", "refurbished", "portable_extinguisher"),
    ("灭火器 全新出厂", "refurbished", "portable_extinguisher"),
    ("灭火器 拒绝翻新", "refurbished", "portable_extinguisher"),
    ("儿童灭火器玩具 道具 过家家", "prop_or_display", "not_fire"),
    ("消防车模型 合金", "prop_or_display", "not_fire"),
    ("灭火器 拒绝三无", "no_manufacturer", "portable_extinguisher"),
    ("灭火器 谨防无3C产品", "no_certification", "portable_extinguisher"),
    ("灭火器 带3C认证", "no_certification", "portable_extinguisher"),
])
def test_negating_context(rules, title, code, category):
    assert code not in codes(rules, title, category)


def test_attribute_maker_none(rules):
    found = codes(rules, "干粉灭火器 4kg", attributes={"品牌": "无"})
    assert found["no_manufacturer"].source == "attributes.品牌"


def test_no_certification_weighs_less_for_voluntary(rules):
    assert rules.weight("no_certification", "fire_hose") < rules.weight("no_certification", "smoke_alarm")


# -- certificates ---------------------------------------------------------------------
def test_certificate_number_structure():
    assert validate_ccc_number("2023081801234567", NOW) is None
    assert "为 13 位，应为 16 位" in validate_ccc_number("2023081801234", NOW)
    assert "含非数字字符" in validate_ccc_number("20231B08123456", NOW)
    # an impossible year is judged against the listing's date: test_certification.py


def test_certificate_in_text(rules):
    assert check_certificates("灭火器 3C认证证书编号：2023081801234567", NOW) == []
    found = check_certificates("烟感 CCC证书编号20231B08123", NOW)
    assert found and found[0][0] == "invalid_certificate" and "20231B08123" in found[0][1]
    assert "invalid_certificate" in codes(rules, "干粉灭火器 证书编号 2023081801234")
    assert "invalid_certificate" not in codes(rules, "干粉灭火器 证书编号 2023081801234567")


# -- specs ----------------------------------------------------------------------------
def test_spec_mismatch_extinguisher():
    found = check_specs("MFZ/ABC4 干粉灭火器 2kg 家用", "portable_extinguisher", NOW)
    assert found[0][0] == "spec_mismatch" and "MFZ/ABC4" in found[0][1]
    assert check_specs("MFZ/ABC4 干粉灭火器 4kg 家用", "portable_extinguisher", NOW) == []
    assert check_specs("MFZ/ABC4 干粉灭火器 8斤", "portable_extinguisher", NOW) == []
    assert check_specs("ＭＦＺ／ＡＢＣ４ ２ＫＧ", "portable_extinguisher", NOW)[0][0] == "spec_mismatch"


def test_parse_specs():
    specs = parse_specs("MFZ/ABC4 4kg 2只装 执行GB 4351-2023")
    assert specs["extinguisher_codes"][0]["amount"] == 4.0
    assert specs["extinguisher_codes"][0]["agent"] == "dry_powder"
    assert specs["pack_qty"] == 2 and specs["standards"] == ["4351-2023"]


def test_substandard_specs():
    assert check_specs("TZL60 消防自救呼吸器", "escape_respirator", NOW)[0][0] == "substandard_spec"
    assert check_specs("TZL30 消防自救呼吸器", "escape_respirator", NOW) == []
    assert check_specs("干粉灭火器 GB 4351.1-2005", "portable_extinguisher", NOW)[0][0] == "substandard_spec"
    # not yet withdrawn before 2025
    from datetime import date
    assert check_specs("干粉灭火器 GB 4351.1-2005", "portable_extinguisher", date(2024, 6, 1)) == []
    assert check_specs("防火门 甲级 A0.50", "fire_door", NOW)[0][0] == "spec_mismatch"
    assert check_specs("防火门 乙级 GFM-0921-dk5 A1.00", "fire_door", NOW) == []
    assert check_specs("ZSTX15-68℃ 橙色玻璃球", "sprinkler", NOW)[0][0] == "spec_mismatch"
    assert check_specs("ZSTX15-68℃ 红色玻璃球", "sprinkler", NOW) == []
    assert check_specs("FFB-25-A2.50", "fire_glass", NOW)[0][0] == "substandard_spec"
    assert check_specs("应急灯 钴酸锂电池", "emergency_light", NOW)[0][0] == "substandard_spec"


# -- price ----------------------------------------------------------------------------
def test_price_too_low_reason_text(rules):
    found = codes(rules, "干粉灭火器 MFZ/ABC4 4kg", price=Decimal("9.50"))
    reason = found["price_too_low"]
    assert reason.evidence == "4 kg ABC 干粉：参考中位价 60 元；本商品 9.50 元，为参考价的 0.16 倍"
    assert reason.source == "price"


def test_price_ok_and_pack(rules):
    assert "price_too_low" not in codes(rules, "干粉灭火器 MFZ/ABC4 4kg", price=Decimal("55"))
    found = codes(rules, "干粉灭火器 4kg 2只装", price=Decimal("30"))
    assert "price_too_low" in found and "30.00 元 / 2 件，合每件 15.00 元" in found["price_too_low"].evidence
    assert "price_too_low" not in codes(rules, "干粉灭火器 4kg", price=None)
    # price range: the low end is compared
    listing = Listing(platform="jd", listing_id="2", title="烟雾报警器 家用",
                      price_range=(Decimal("3.90"), Decimal("59")))
    reasons, _ = rules.check(listing, "smoke_alarm", now=NOW)
    assert "price_too_low" in {r.code for r in reasons}


def test_price_switch_off():
    rules = RiskRules(price_priors={"enabled": False, "ratio": 0.3, "priors": []})
    assert "price_too_low" not in codes(rules, "干粉灭火器 4kg", price=Decimal("1"))


# -- watchlist ------------------------------------------------------------------------
def test_watchlist_normalisation():
    assert normalize_name("ＸＸ消防器材有限公司") == normalize_name("xx消防器材") == "xx消防器材"
    assert normalize_name("某某消防设备股份有限公司") == "某某消防设备"
    assert normalize_name("某某（福建）消防 器材厂") == "某某消防器材"
    wl = Watchlist(["福建某某消防器材有限公司", "ABC Fire Co., Ltd."])
    assert wl.match("福建某某消防器材有限责任公司") == "福建某某消防器材有限公司"
    assert wl.match("福建某某消防器材旗舰店") == "福建某某消防器材有限公司"
    assert wl.match("ａｂｃ ｆｉｒｅ") == "ABC Fire Co., Ltd."
    assert wl.match("另一家消防器材店") is None
    assert "福建某某消防器材" in wl and len(wl) == 2


def test_watchlist_reason(rules):
    wl = Watchlist(["福建某某消防器材有限公司"])
    listing = Listing(platform="pdd", listing_id="3", title="干粉灭火器 4kg", shop_name="正规消防店",
                      attributes={"生产厂家": "福建某某消防器材厂"})
    reasons, _ = rules.check(listing, "portable_extinguisher", watchlist=wl, now=NOW)
    hit = [r for r in reasons if r.code == "watchlist_seller"]
    assert hit and hit[0].source == "attributes.生产厂家"
    listing.shop_name = "福建某某消防器材官方旗舰店"
    reasons, _ = rules.check(listing, "portable_extinguisher", watchlist=wl, now=NOW)
    assert [r.source for r in reasons if r.code == "watchlist_seller"] == ["shop_name"]


def test_replaced_standard_is_flagged_from_its_end_date_and_grace_is_a_setting():
    """Issue 17: "a listing citing a superseded edition after its end date ... is flagged".
    GB 12955-2024 replaces GB 12955-2008 from 2026-05-01 (editions.yaml, its sources): the day
    before, the 2008 edition is current; from that day it is flagged. A regulator letting old
    stock run out sets `withdrawn_grace_days` in specs.yaml (a policy, 0 by default)."""
    text = "钢质防火门 GFM-1021 A1.00 执行标准 GB 12955-2008"
    assert check_specs(text, "fire_door", date(2026, 4, 30)) == []
    late = check_specs(text, "fire_door", date(2026, 5, 1))
    assert late and late[0][0] == "substandard_spec" and "GB 12955-2024" in late[0][1]
    lenient = dict(load_facts(), withdrawn_grace_days=365)
    assert check_specs(text, "fire_door", date(2026, 11, 29), facts=lenient) == []


def test_listing_is_judged_as_of_the_day_it_was_seen(rules):
    """A record's first_seen dates it: the same 2006 smoke-alarm standard is current in 2025 and
    superseded after 2026-06-01 (and the grace period), whatever day the scorer runs."""
    from classifiers.corpus import record_to_listing
    rec = {"title": "独立式烟雾报警器 执行标准GB20517-2006", "platform": "taobao"}
    early = record_to_listing(dict(rec, first_seen="2025-12-19"))
    late = record_to_listing(dict(rec, first_seen="2027-09-04"))
    assert to_beijing(early.last_seen).date() == date(2025, 12, 19)  # a Beijing day
    now = date(2026, 12, 1)
    assert "substandard_spec" not in {r.code for r in rules.check(early, "smoke_alarm", now=now)[0]}
    assert "substandard_spec" in {r.code for r in rules.check(late, "smoke_alarm", now=now)[0]}


def test_watchlist_does_not_match_names_that_merely_contain_a_watched_one():
    wl = Watchlist(["鑫源消防专营店", "创安消防科技有限公司"])
    assert wl.match("义乌鑫源消防器材经营部") is None
    assert wl.match("温州创安消防科技有限公司") is None
    assert wl.match("创安消防科技有限责任公司") == "创安消防科技有限公司"
    assert Watchlist(["创安消防科技有限公司"], min_contain=6).match("温州创安消防科技有限公司") == "创安消防科技有限公司"


def test_brand_attribute_is_not_compared_with_the_watchlist(rules):
    wl = Watchlist(["瑞消旗舰店"])
    listing = Listing(platform="jd", listing_id="9", title="室内消火栓 SN65", shop_name="沈阳永泰消防科技有限公司",
                      attributes={"品牌": "瑞消"})
    reasons, _ = rules.check(listing, "other_fire", watchlist=wl, now=NOW)
    assert "watchlist_seller" not in {r.code for r in reasons}


def test_cable_price_floor_follows_copper_content(rules):
    # 7 cores of 1.5 mm² = 10.5 mm² of copper per metre: 1.08 yuan a metre cannot pay for it
    found = codes(rules, "耐火电缆 NH-KVV 7*1.5 每米", "fire_resistant_cable", price=Decimal("1.08"))
    ev = found["price_too_low"].evidence
    assert "10.5 mm²" in ev and "元/m" in ev and "1.00 m" not in ev
    # the same price for a 100 m roll of 4 mm² single core is 0.31 yuan/m: flagged; 300 yuan is not
    assert "price_too_low" in codes(rules, "阻燃电缆 ZB-BV 4平方 100米", "flame_retardant_cable", price=Decimal("30.83"))
    assert "price_too_low" not in codes(rules, "阻燃电缆 ZB-BV 4平方 100米", "flame_retardant_cable", price=Decimal("300"))
    # no length stated: nothing to compare, no flag
    assert "price_too_low" not in codes(rules, "阻燃电缆 ZB-BV 4平方", "flame_retardant_cable", price=Decimal("1"))


def test_blanket_price_scales_with_area(rules):
    big = codes(rules, "玻璃纤维灭火毯 1.5*1.5m", "fire_blanket", price=Decimal("8.64"))
    assert "2.25 m²" in big["price_too_low"].evidence
    assert "price_too_low" not in codes(rules, "玻璃纤维灭火毯 1.5*1.5m", "fire_blanket", price=Decimal("39"))


def test_two_attributes_contradicting_each_other(rules):
    listing = Listing(platform="jd", listing_id="1", title="玻璃纤维灭火毯 厨房",
                      attributes={"型号": "1.0x1.0", "规格": "1.5米x1.5米"})
    reasons, _ = rules.check(listing, "fire_blanket", now=NOW)
    found = {r.code: r for r in reasons}
    assert "spec_mismatch" in found and found["spec_mismatch"].source == "attributes.型号+attributes.规格"
    same = Listing(platform="jd", listing_id="2", title="玻璃纤维灭火毯 厨房",
                   attributes={"型号": "1.5x1.5", "规格": "1.5米x1.5米"})
    assert "spec_mismatch" not in {r.code for r in rules.check(same, "fire_blanket", now=NOW)[0]}


@pytest.mark.parametrize("text,category", [
    ("恒安达KD65 内扣式接口 GB12514.2-1990", "fire_coupling"),
    ("独立式烟感 执行标准 GB 4715-1993", "smoke_alarm"),
    ("耐火电缆 NH-KVV 7*1.5 GB12666.6-1990", "fire_resistant_cable"),
])
def test_outdated_editions_are_substandard(text, category):
    found = check_specs(text, category, NOW)
    assert found and found[0][0] == "substandard_spec"


def test_current_edition_is_fine():
    assert check_specs("KD65 内扣式接口 GB 12514.2-2006", "fire_coupling", NOW) == []
