"""Spoken-commerce voice for the claims rules: a buyer's question and the seller's reply, and a feature denied by name.

`question_of(norm, start)` says whether a value at `start` of a normalised text stands in the seller's reply to a
buyer's question (问：电池多大？答：八百毫安的) and what the question asked: the reply is the seller's own statement of
the product, its figure said of what the question names. `named_denial(...)` finds an attribute value denying a
feature by name (通讯方式：不联网) that the title claims undenied (NB-IoT联网烟感); `without_questions(text)` (from
specs.py) blanks the buyer's questions of a text, which state nothing of the product. All are bounded (a window of
characters, a word of two to four).
"""

from __future__ import annotations

import re

from firewatch.core.text import normalize

from .specs import Finding, snippet, without_questions  # noqa: F401  (the claims rules import it from here)

# the title's own words saying a feature is absent (claims.py reads the same)
DENIAL_PREFIX = re.compile(r"(?:无需|无须|不需要?|不用|没有|不带|不含|无|不|非|免|未)(?:配|带|装|含|用|需|要|接|连)?\s*$")
DENIAL_SUFFIX = re.compile(r"^\s*(?:需|须|要|请|需要)?\s*(?:另购|另配|另售|另外购买|不含|不带|自备|除外|选配|单独购买)")
DENIAL_WINDOW = 4

# a buyer's question and the seller's reply (问：电池多大？答：八百毫安的): the reply is the seller's statement, a value in
# it without a noun is said of what the question asks (电池), else of the product's headline quantity
# (session 38) also a bracketed heading's (【买家问】…【掌柜答】半个钟头)
ANSWER_MARK = re.compile(r"答\s*[:：】]")
_QUESTION_MARK = re.compile(r"问\s*[:：]?")
_QA_WINDOW = 60


def question_of(norm: str, start: int, floor: int = 0) -> str | None:
    """The question a value at `start` answers (the words between 问 and 答 before it, in a window of
    `_QA_WINDOW` characters), "" for a reply to no stated question, None when the value is in no reply."""
    lo = max(floor, start - _QA_WINDOW)
    answers = list(ANSWER_MARK.finditer(norm, lo, start))
    if not answers:
        return None
    ans = answers[-1]
    if "问" in norm[ans.end():start]:
        return None  # a new question after the reply
    asked = [m for m in _QUESTION_MARK.finditer(norm, lo, ans.start())]
    return norm[asked[-1].end():ans.start()] if asked else ""


# a feature an attribute's value denies by name (不联网, 不支持联动): the word after the denial, two to four characters;
# a part left out of the package (不含喷头, 不带器材, 无电池) says nothing of what the title sells
# (不适用于厨房 limits where the goods are used: no feature denied)
_NAMED_DENIAL_RE = re.compile(r"(?:不支持|不可|不能|不)(?![含带包配送附])(?!适用|适合|适于|宜|建议|推荐)([\u4e00-\u9fff]{2,4})")
# a title word after one of these says the goods prevent or resist it (防漏水, 阻燃, 抗变形, 耐腐蚀): the attribute's 不漏水,
# 不燃, 不变形 agrees with it
_AGREEING_PREFIX = frozenset("防阻抗耐隔")


_PRODUCT_SUFFIX = frozenset("器毯剂弹球箱柜栓枪带")


def named_denial(title: str, norm_title: str, source: str, text: str, value: str) -> list[tuple[str, Finding]]:
    """The first word an attribute's value denies (不联网) that the title claims undenied, longest first."""
    norm_value = normalize(value)
    for m in _NAMED_DENIAL_RE.finditer(norm_value):
        for n in range(len(m.group(1)), 1, -1):
            word = m.group(1)[:n]
            at = norm_title.find(word)
            if at < 0:
                continue
            if norm_title[at + n:at + n + 1] in _PRODUCT_SUFFIX:
                break  # a word of the product's name (不可灭火 against 灭火器道具): no feature the title claims
            if norm_title[at - 1:at] in _AGREEING_PREFIX and at > 0 or \
                    DENIAL_PREFIX.search(norm_title[max(0, at - DENIAL_WINDOW):at]) or \
                    DENIAL_SUFFIX.search(norm_title[at + n:at + n + DENIAL_WINDOW + 2]):
                break
            start = text.find(value)
            return [(source, Finding("spec_mismatch", f"标题写“{snippet(title, word, 6)}”，属性却写“{text.strip()[:40]}”",
                                     (start, start + len(value))))]
    return []
