"""A reviewer's findings on the dated rules: the listing's day, full-width label codes, switches on
unverified edition dates, and CCC required only from a product's mandatory day.

Each test names the source of the fact it holds the rules to and checks both sides of a boundary.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest

from classifiers.certification import Scope, listing_date, load_scope
from classifiers.corpus import record_to_listing
from classifiers.datafiles import load_yaml
from classifiers.certification import CERTIFICATES_PATH, SCOPE_PATH
from classifiers.editions import EDITIONS_PATH, edition_findings
from classifiers.identity_label import label_findings
from classifiers.risk import RiskRules
from classifiers.spec_checks import check_specs
from classifiers.specs import SPECS_PATH, load_facts, today
from firewatch.core.clock import offset, set_offset, utcnow
from firewatch.core.models import Listing

EXTINGUISHER = ("手提式干粉灭火器 MFZ/ABC4 执行标准 GB 4351.1-2005", "portable_extinguisher")
SMOKE_ALARM = ("独立式烟雾报警器 执行标准 GB 20517-2006", "smoke_alarm")


def codes(rules: RiskRules, title: str, category: str, first_seen: str | None = None,
          attributes: dict | None = None, now=None) -> dict[str, str]:
    record = {"title": title, "attributes": attributes or {}}
    if first_seen:
        record["first_seen"] = first_seen
    return {r.code: r.evidence for r in rules.check(record_to_listing(record), category, now=now)[0]}


@pytest.fixture()
def clock_at():
    """Set the process clock (`set_offset`) so that `utcnow()` is a given UTC moment; restored after."""
    before = offset()

    def at(moment: datetime) -> None:
        set_offset(timedelta(0))
        set_offset(moment - utcnow())

    yield at
    set_offset(before)


# -- 1. one Beijing day for every dated rule --------------------------------------------------------

@pytest.mark.parametrize("title,category,first_day,before", [
    # GB 4351-2023 replaced GB 4351.1-2005 from 2025-01-01 (domain.md: 8n6b4w.cn/html/25d899887.html)
    (*EXTINGUISHER, "2025-01-01", "2024-12-31"),
    (*EXTINGUISHER, "2025-01-01T00:30+08:00", "2024-12-31T23:59+08:00"),
    # GB 20517-2025 replaces GB 20517-2006 from 2026-06-01 (domain.md: gf.cabr-fire.com/m/article-70708.htm)
    (*SMOKE_ALARM, "2026-06-01", "2026-05-31"),
])
def test_withdrawn_edition_is_flagged_on_the_beijing_day_it_takes_effect(rules, title, category, first_day, before):
    """first_seen is a Beijing day (or time): the day the change takes effect is flagged, the day
    before is not, whatever the UTC date of that moment (2025-01-01 00:30 北京时间 is 2024-12-31 UTC)."""
    assert "substandard_spec" in codes(rules, title, category, first_day)
    assert "substandard_spec" not in codes(rules, title, category, before)


def test_crawled_listing_seen_before_8_am_beijing_is_judged_on_the_beijing_day(rules):
    """A crawled listing carries UTC datetimes; seen at 2026-06-01 07:00 北京时间 (2026-05-31 23:00 UTC)
    it is judged on 2026-06-01, the day GB 20517-2006 ends (domain.md), as is the CCC-scope rule."""
    seen = datetime(2026, 5, 31, 23, 0, tzinfo=timezone.utc)
    listing = Listing(platform="taobao", listing_id="1", title=SMOKE_ALARM[0], first_seen=seen, last_seen=seen)
    assert listing_date(listing) == date(2026, 6, 1)
    assert "substandard_spec" in {r.code for r in rules.check(listing, SMOKE_ALARM[1])[0]}
    listing.first_seen = listing.last_seen = datetime(2026, 5, 31, 15, 0, tzinfo=timezone.utc)  # 23:00 北京时间
    assert "substandard_spec" not in {r.code for r in rules.check(listing, SMOKE_ALARM[1])[0]}


def test_latest_sighting_dates_the_listing(rules):
    """A listing first seen before the end date and still seen after it is judged as last seen."""
    first = datetime(2026, 5, 20, 2, 0, tzinfo=timezone.utc)
    last = datetime(2026, 6, 2, 2, 0, tzinfo=timezone.utc)
    listing = Listing(platform="taobao", listing_id="2", title=SMOKE_ALARM[0], first_seen=first, last_seen=last)
    assert listing_date(listing) == date(2026, 6, 2)
    assert "substandard_spec" in {r.code for r in rules.check(listing, SMOKE_ALARM[1])[0]}


def test_undated_listing_is_judged_on_today_in_beijing(rules, clock_at):
    """Without a sighting or `now`, the day is today in Beijing: at 2026-05-31 16:30 UTC it is already
    2026-06-01 in Beijing (GB 20517-2006 withdrawn); at 15:30 UTC it is still 2026-05-31 there."""
    clock_at(datetime(2026, 5, 31, 16, 30, tzinfo=timezone.utc))
    assert today(None) == date(2026, 6, 1)
    assert "substandard_spec" in codes(rules, *SMOKE_ALARM)
    clock_at(datetime(2026, 5, 31, 15, 30, tzinfo=timezone.utc))
    assert today(None) == date(2026, 5, 31)
    assert "substandard_spec" not in codes(rules, *SMOKE_ALARM)
    # an aware `now` is read as a Beijing day too
    assert today(datetime(2024, 12, 31, 16, 30, tzinfo=timezone.utc)) == date(2025, 1, 1)


# -- 2. full-width label codes ------------------------------------------------------------------------

def test_full_width_identity_label_code_is_read_as_its_half_width_form():
    """GA 846-2009: 5 digits + 2 letters + 5 digits + 2 letters (brightpowertech.com.cn/weixiu/10821.html);
    shops type codes in full width; the form is checked on the normalised text."""
    assert label_findings([("title", "身份信息标志明码：１２３４５ＡＢ１２３４５ＡＢ")]) == []
    assert label_findings([("title", "身份信息标志明码：12345AB12345AB")]) == []
    short = label_findings([("title", "身份信息标志明码：１２３４５ＡＢ１２３４５Ａ")])
    assert short and "13 位" in short[0][1].evidence and "１２３４５ＡＢ１２３４５Ａ" in short[0][1].evidence
    # the A and B labels compared in one form: the same code in two widths agrees
    assert label_findings([("description", "A签明码 １２３４５ＡＢ６７８９０ＣＤ，B签明码 12345AB67890CD")]) == []
    differ = label_findings([("description", "A签明码 １２３４５ＡＢ６７８９０ＣＤ，B签明码 12345AB67890CE")])
    assert differ and "不一致" in differ[0][1].evidence


# -- 3. verified flags and switches on edition dates ------------------------------------------------

def test_every_dated_standards_entry_says_whether_its_date_is_verified():
    """An entry without the flag would be off (the switches read `enforce`, else `verified`, else off):
    every dated entry says which it is, so none is silently dropped."""
    facts = load_yaml(SPECS_PATH)
    dated = [e for e in facts["standards"] + facts.get("withdrawn_standards", [])
             if e.get("withdrawn_on") or e.get("in_force_from")]
    assert dated
    for entry in dated:
        assert isinstance(entry.get("verified"), bool), entry["number"]
        if not entry["verified"]:
            assert isinstance(entry.get("enforce"), bool), entry["number"]


def _facts_with(number: str, **changes) -> dict:
    facts = copy.deepcopy(load_facts())
    for entry in facts["standards"]:
        if entry["number"] == number:
            entry.update(changes)
    return facts


def test_unverified_withdrawal_says_so_and_can_be_switched_off():
    """GB 4351.2-2005: that GB 4351-2023 replaced it too was not found in a source (specs.yaml):
    flagged while its switch is on, saying the date is unverified; nothing once switched off."""
    text = "二氧化碳灭火器 MT3 瓶体执行 GB 4351.2-2005"
    on = date(2026, 1, 10)
    found = check_specs(text, "portable_extinguisher", on)
    assert found and "日期未经核实，请复核" in found[0][1]
    assert check_specs(text, "portable_extinguisher", on, facts=_facts_with("4351.2-2005", enforce=False)) == []
    # the verified GB 4351.1-2005 is stated as fact
    verified = check_specs("干粉灭火器 MFZ/ABC4 GB 4351.1-2005", "portable_extinguisher", on)
    assert "已于 2025-01-01 废止" in verified[0][1] and "未经核实" not in verified[0][1]


def test_approximate_withdrawal_day_is_not_reported_as_a_fact():
    """GB/T 12666.6-1990 (cable burning tests), cited in 2026, is withdrawn beyond doubt; its day is
    approximate (specs.yaml: "date approximate"), so the finding gives it as such."""
    found = check_specs("阻燃电缆 ZR-YJV 3*4 检验依据 GB 12666.6-1990", "flame_retardant_cable", date(2026, 1, 10))
    assert found and "已废止（废止日期约为 2009-04-01，未经核实" in found[0][1]
    assert "已于 2009-04-01 废止" not in found[0][1]


def test_unverified_newer_edition_date_is_switchable():
    """An older-edition finding that rests on an unverified in-force day says so, and stops when its
    switch is off (GB 14102.1-2024 from 2025-05-01 is verified: ixiaofang.com/13004.html)."""
    text = "钢质防火卷帘 执行 GB 14102-2005"
    on = date(2025, 6, 1)
    facts = _facts_with("14102-2005", verified=False, enforce=False)
    facts = {**facts, "standards": [dict(e, verified=False, enforce=True) if e["number"] == "14102.1-2024" else e
                                    for e in facts["standards"]]}
    found = check_specs(text, "fire_shutter", on, facts=facts)
    assert found and "旧版" in found[0][1] and "日期未经核实，请复核" in found[0][1]
    off = {**facts, "standards": [dict(e, enforce=False) if e["number"] == "14102.1-2024" else e
                                  for e in facts["standards"]]}
    assert check_specs(text, "fire_shutter", on, facts=off) == []
    # as shipped (verified) the withdrawn edition is stated as fact from 2025-05-01, not before
    shipped = check_specs(text, "fire_shutter", on)
    assert "已于 2025-05-01 废止" in shipped[0][1]
    assert check_specs(text, "fire_shutter", date(2025, 4, 30)) == []


def test_fire_door_class_after_the_2024_edition_reads_its_day_from_the_data():
    """GB 12955-2024 is in force from 2026-05-01 (editions.yaml: fm200.1190119.com/article-69052.htm);
    its classes were not found in a source, so after that day the 2008 table applies only while the
    switch is on, and the finding says 请复核; before it, the 2008 table is stated as fact."""
    data = copy.deepcopy(load_yaml(EDITIONS_PATH))
    fields = [("title", "钢质防火门 部分隔热 B0.50")]
    before = edition_findings(fields, "fire_door", date(2026, 4, 30), data)
    assert before and "B0.50" in before[0][1].evidence and "请复核" not in before[0][1].evidence
    after = edition_findings(fields, "fire_door", date(2026, 5, 1), data)
    assert after and "GB 12955-2024 已于 2026-05-01 起实施" in after[0][1].evidence and "请复核" in after[0][1].evidence
    data["fire_door"]["after_newer_edition"]["enforce"] = False
    assert edition_findings(fields, "fire_door", date(2026, 5, 1), data) == []
    assert edition_findings(fields, "fire_door", date(2026, 4, 30), data)
    # the day comes from the data: moved, the boundary moves
    for entry in data["editions"]:
        if entry["standard"] == "GB 12955-2024":
            entry["in_force_from"] = "2026-07-01"
    assert edition_findings(fields, "fire_door", date(2026, 6, 30), data)


# -- 4. CCC required only from the mandatory day ------------------------------------------------------

def test_flame_retardant_cable_needs_ccc_only_from_its_mandatory_day(rules):
    """市场监管总局 2024年第9号公告: flame-retardant cables under CCC from 2025-07-01 (ccc_scope.yaml
    in_scope, m.huajx.com/News/detail/45676.html): before that day "免3C" is true, not a defect."""
    entry = next(e for e in load_yaml(SCOPE_PATH)["in_scope"] if "flame_retardant_cable" in e["categories"])
    assert str(entry["mandatory_from"]) == "2025-07-01" and not entry.get("certificates_from")
    scope = load_scope()
    assert not scope.required("flame_retardant_cable", "阻燃电缆", date(2025, 6, 30))
    assert scope.required("flame_retardant_cable", "阻燃电缆", date(2025, 7, 1))
    title = "阻燃电缆 ZR-YJV 3*4 免3C 工地用"
    assert "no_certification" not in codes(rules, title, "flame_retardant_cable", "2025-06-30")
    assert "no_certification" in codes(rules, title, "flame_retardant_cable", "2025-07-01")
    attrs = {"3C认证": "无"}
    assert "no_certification" not in codes(rules, "阻燃电缆 ZR-YJV 3*4", "flame_retardant_cable", "2025-06-30", attrs)
    assert "no_certification" in codes(rules, "阻燃电缆 ZR-YJV 3*4", "flame_retardant_cable", "2025-07-01", attrs)


def test_mandatory_day_is_read_from_the_data_for_any_in_scope_entry():
    """The rule reads each in_scope entry's mandatory_from, with or without certificates_from."""
    data = copy.deepcopy(load_yaml(SCOPE_PATH))
    for entry in data["in_scope"]:
        if "flame_retardant_cable" in entry["categories"]:
            entry["mandatory_from"] = "2025-09-01"
    scope = Scope(data, load_yaml(CERTIFICATES_PATH))
    assert not scope.required("flame_retardant_cable", "阻燃电缆", date(2025, 8, 31))
    assert scope.required("flame_retardant_cable", "阻燃电缆", date(2025, 9, 1))
    # gas detectors (certificates from 2024-11-01, compulsory 2025-07-01: lst-lab.com/newsview.asp?id=2523)
    assert not scope.required("gas_detector", "可燃气体报警器", date(2025, 6, 30))
    assert scope.required("gas_detector", "可燃气体报警器", date(2025, 7, 1))
