"""Session 37 probes: a buyer's question states nothing of the goods, whatever words it holds; the seller's answer does.

The listings were written for these tests from taxonomy.md and domain.md (no data set). For each reason code a
listing whose description holds a buyer's question carrying the reason's trigger (年检专用, 免认证, 翻新, 道具, 三无,
缺氧, 钴酸锂 / 三元锂, a withdrawn standard, 非标线, 借用证书, a pack, a watched maker), in each form a page reports
one: 问：…？答：…; 买家问：…？卖家答：…; 【买家问】…【掌柜答】…; Q：…A：…; 请问…？ inside a sentence; 有人问…， in a
sentence; a question without its mark at a line's end.

- answered with a denial or a neutral answer, the reason must not be named (`test_a_question_answered_no_states_
  nothing`: only the probes the old code flagged, 82 of the 308 scored);
- answered by a reply restating the claim (答：能，缺氧环境也能用) the reason is still named (`test_a_reply_restating_the_
  claim_still_flags`: guards, all flagged on the old code too);
- a bare yes (答：是的, 答：能) takes the question's words up as the seller's claim (guards); a reply that is no yes to
  the question asked (是道具吗？答：能正常灭火) does not (it failed on the old code);
- every question form is read in linear time on a long run.
"""

from __future__ import annotations

import time

import pytest

from classifiers.risk import RiskRules
from classifiers.specs import without_questions
from classifiers.watchlist import Watchlist
from tests.classifiers.test_recall_rules import ON, shop

EXT = ("portable_extinguisher", "MFZ/ABC4 手提式干粉灭火器 4kg GB4351-2023", "68",
       {"型号": "MFZ/ABC4", "认证": "CCC", "品牌": "淮海"})
ALARM = ("smoke_alarm", "独立式烟雾报警器 家用 GB20517", "45", {"品牌": "海湾", "认证": "CCC"})
RESP = ("escape_respirator", "过滤式消防自救呼吸器 TZL30 GB21976.7", "68", {"型号": "TZL30", "品牌": "淮海"})
LAMP = ("emergency_light", "消防应急照明灯 GB17945-2024 自带电源", "45", {"电池类型": "磷酸铁锂", "品牌": "劳士"})
CABLE = ("flame_retardant_cable", "ZC-BV 2.5平方 阻燃电线 100米 国标", "260", {"规格": "2.5平方", "品牌": "远东"})
WATCHED = "浙江平安消防器材有限公司"

FORMS = {
    "问答": lambda q, a: f"正品保障。\n问：{q}？\n答：{a}。",
    "买家卖家": lambda q, a: f"正品保障。\n买家问：{q}？卖家答：{a}。",
    "方括号": lambda q, a: f"正品保障。\n【买家问】{q}？【掌柜答】{a}。",
    "QA": lambda q, a: f"正品保障。\nQ：{q}？\nA：{a}。",
    "请问": lambda q, a: f"正品保障。有顾客留言请问{q}？客服：{a}。",
    "有人问": lambda q, a: f"正品保障。有人问这个{q}，{a}。",
    "行末无问号": lambda q, a: f"正品保障。\n问：{q}\n答：{a}。",
}
ALL = tuple(FORMS)
NEW = ("方括号", "QA", "请问", "有人问")  # the forms the old code's question span did not read

# (code, listing, the question without its mark, a denying or neutral answer, an answer restating the claim, the forms
# whose denial the old code flagged)
CASES = [
    ("inspection_only", EXT, "是年检专用的吗", "不是，正规消防器材，能正常灭火", "是的，年检专用，审车必过", ALL),
    ("inspection_only", EXT, "能过消防检查吗", "正规3C产品，按场所要求配置就行", "能过消防检查，放心买", ()),
    ("inspection_only", EXT, "是不是应付检查用的", "不是，正规产品，能正常灭火", "对，应付检查用的", ()),
    ("no_certification", ALARM, "是不是无3C的", "不是，有3C证书，官网可查", "是的，无3C，所以便宜", ()),
    ("no_certification", ALARM, "是免认证的吗", "不是，有3C认证", "是的，免认证", ALL),
    ("refurbished", EXT, "是翻新的吗", "不是，全新出厂", "是的，翻新瓶，便宜", ALL),
    ("refurbished", EXT, "是不是二手的", "不是，全新正品", "是二手的，九成新", ()),
    ("prop_or_display", EXT, "是道具吗", "不是，真的能灭火", "是的，道具，拍摄用", ALL),
    ("prop_or_display", EXT, "是不是模型", "不是，正品能用", "是模型，展示用", ()),
    ("no_manufacturer", EXT, "是三无产品吗", "不是，厂家直发，有厂名厂址", "是的，三无产品，便宜", ALL),
    ("no_manufacturer", ALARM, "是无品牌的吗", "不是，海湾品牌", "是的，无品牌", ALL),
    ("substandard_spec", RESP, "能用在缺氧的地方吗", "不能，只适用于氧气不低于17%的场所", "能，缺氧环境也能用", NEW),
    ("substandard_spec", LAMP, "是不是钴酸锂的", "不是，磷酸铁锂", "是的，钴酸锂电池", ()),
    ("substandard_spec", LAMP, "电池是三元锂吗", "不是，磷酸铁锂电池", "是三元锂电池", NEW),
    ("substandard_spec", EXT, "是执行GB4351.1-2005的吗", "不是，执行新国标", "是的，执行GB4351.1-2005", NEW),
    ("substandard_spec", CABLE, "是非标线吗", "不是，国标足平方", "是非标线，线径不足", ALL),
    ("invalid_certificate", EXT, "是借用证书吗", "不是，我们自己的证书", "是的，借用证书", ALL),
    ("invalid_certificate", EXT, "3C证书过期了吗", "没有，证书在有效期内", "证书已经过期了", ()),
    ("spec_mismatch", EXT, "是不是2公斤的", "不是，4公斤", "是的，2公斤", ()),
    ("price_too_low", EXT, "是6瓶装的价格吗", "不是，单瓶价格", "是的，6瓶装", ALL),
    ("spec_mismatch", LAMP, "是集中电源型的吗", "不是，自带电源", "是的，集中电源型", ()),
    ("watchlist_seller", EXT, f"生产厂家是{WATCHED}吗", "不是，我们是淮海的", f"是的，生产厂家：{WATCHED}", ALL),
]

DENIED = [pytest.param(code, listing, make(q, no), id=f"{i}-{code}-{form}")
          for i, (code, listing, q, no, _, forms) in enumerate(CASES) for form, make in FORMS.items() if form in forms]
RESTATED = [pytest.param(code, listing, make(q, yes), id=f"{i}-{code}-{form}")
            for i, (code, listing, q, _, yes, _) in enumerate(CASES) for form, make in FORMS.items()]


@pytest.fixture(scope="module")
def watchlist():
    return Watchlist([WATCHED])


def codes(rules: RiskRules, listing, description: str, watchlist: Watchlist) -> dict[str, str]:
    category, title, price, attributes = listing
    reasons, _ = rules.check(shop(title, price, attributes, description), category, watchlist, now=ON)
    return {r.code: r.evidence for r in reasons}


def test_the_listings_are_clean_without_the_question(rules, watchlist):
    for code, listing, *_ in CASES:
        assert code not in codes(rules, listing, "正品保障，厂家直发。", watchlist)


def test_the_probes_cover_every_reason_code():
    from classifiers.risk import REASON_CODES
    assert {c for c, *_ in CASES} == set(REASON_CODES)


@pytest.mark.parametrize("code, listing, description", DENIED)
def test_a_question_answered_no_states_nothing(rules, watchlist, code, listing, description):
    assert code not in codes(rules, listing, description, watchlist)


@pytest.mark.parametrize("code, listing, description", RESTATED)
def test_a_reply_restating_the_claim_still_flags(rules, watchlist, code, listing, description):
    assert code in codes(rules, listing, description, watchlist)


@pytest.mark.parametrize("code, listing, description", [
    # a bare yes takes the question's words up as the seller's claim (guards)
    ("substandard_spec", RESP, "问：能用在缺氧的地方吗？\n答：能。"),
    ("substandard_spec", LAMP, "【买家问】电池是钴酸锂的吗？【掌柜答】是的"),
    ("refurbished", EXT, "Q：是翻新的吗？A：是的，便宜。"),
    ("inspection_only", EXT, "问：能过消防检查吗？\n答：放心，包过。"),
    ("no_manufacturer", EXT, "有人问这个是三无产品吗，是的。"),
])
def test_a_bare_yes_takes_up_the_question(rules, watchlist, code, listing, description):
    assert code in codes(rules, listing, description, watchlist)


@pytest.mark.parametrize("code, listing, description", [
    # a reply that is no yes to the question asked (是道具吗？答：能正常灭火; 是翻新的吗？答：放心，全新)
    ("prop_or_display", EXT, "问：是道具吗？\n答：能正常灭火，放心买。"),
    ("refurbished", EXT, "买家问：是翻新的吗？卖家答：放心，全新出厂。"),
    ("no_certification", ALARM, "请问是免认证的吗？客服：可以放心，有3C认证。"),
])
def test_a_reply_that_is_no_yes_states_nothing(rules, watchlist, code, listing, description):
    assert code not in codes(rules, listing, description, watchlist)


def test_the_blanked_question_keeps_the_text_length_and_the_reply():
    text = "正品。【买家问】是翻新的吗？【掌柜答】不是。Q：是道具吗？A：不是。请问是三无吗？客服：不是。有人问这个是二手的吗，不是。"
    out = without_questions(text)
    assert len(out) == len(text)
    for gone in ("翻新", "道具", "三无", "二手"):
        assert gone not in out
    assert out.count("不是") == 4 and "【掌柜答】" in out
    # the boilerplate asking the buyer to ask the service is no question
    assert without_questions("有问题请问客服。") == "有问题请问客服。"
    # a model code's q: is no question (the letter follows another)
    assert without_questions("型号faq：abc") == "型号faq：abc"


@pytest.mark.parametrize("run", ["问：", "【买家问】", "Q：", "请问", "有人问", "请问" + "是" * 70, "问：" + "a" * 70])
def test_a_long_run_of_question_marks_is_read_in_linear_time(rules, run):
    text = run * (12000 // len(run))
    listing = shop("MFZ/ABC4 手提式干粉灭火器 4kg", "68", {"型号": "MFZ/ABC4"}, "正品")
    rules.check(listing, "portable_extinguisher", now=ON)  # warm
    t0 = time.perf_counter()
    without_questions(text, keep_affirmed=True)
    rules.check(shop("MFZ/ABC4 手提式干粉灭火器 4kg", "68", {"型号": "MFZ/ABC4"}, text), "portable_extinguisher", now=ON)
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("code, listing, description, flagged", [
    # (session 37) a reply saying the question's words again, undenied, takes them up (echo); a denial in its clause
    # or another thing named takes up nothing
    ("invalid_certificate", EXT, "问：你们的3C证书是借的别人家的吧，能用吗？\n答：是借的，但是产品一样。", True),
    ("invalid_certificate", EXT, "问：证书是不是已经过期了，怎么这么便宜？\n答：过期半年了，所以清仓。", True),
    ("refurbished", EXT, "问：这个是翻新瓶，便宜点？\n答：翻新的，压力正常。", True),
    ("refurbished", EXT, "问：是翻新瓶吗？\n答：全新出厂，不是翻新的。", False),
    ("invalid_certificate", EXT, "问：证书过期了吗？\n答：证书有效期到2029年。", False),
    ("substandard_spec", LAMP, "问：是不是钴酸锂？\n答：钴酸锂不让用，我们是磷酸铁锂。", False),
    ("substandard_spec", RESP, "问：缺氧的地方能用吗？\n答：缺氧环境不能用，只适用于氧气不低于17%。", False),
])
def test_a_reply_saying_the_question_again_takes_it_up(rules, watchlist, code, listing, description, flagged):
    assert (code in codes(rules, listing, description, watchlist)) is flagged
