"""A code's or a class's figure against the figure a seller says (session 36's probes).

1. a mass in words in a seller's reply is read when its clause names the goods' fill (答：这款装粉五公斤 against
   MFZ/ABC8); a reply about a place, a box or a parcel is not;
2. a bare duration in a reply to a question naming fire resistance or protection (问：耐火多久？答：咱这门能扛一个半钟头)
   is that duration, and a fire "withstood" in speech (着火能扛一个半钟头) is a fire resistance; a question naming
   another class (问：甲级的耐火多久？) or another matter (多久发货) is not.
"""

from __future__ import annotations

import pytest

from tests.classifiers.test_recall_rules import found, shop


@pytest.mark.parametrize("category, title, price, description", [
    ("portable_extinguisher", "MFZ/ABC8 灭火器 仓库", "110", "答：这款装粉五公斤。"),
    ("portable_extinguisher", "MFZ/ABC4 干粉灭火器", "65", "客服：这个是两公斤的，够用。"),
    ("fire_door", "乙级防火门 楼道", "900", "问：耐火多久？答：咱这门能扛一个半钟头。"),
    ("fire_door", "乙级防火门 楼道", "900", "咱这门着火能扛一个半钟头。"),
    ("fire_door", "甲级防火门 钢质", "1200", "问：防火多久？答：一个小时。"),
    ("escape_respirator", "TZL30 自救呼吸器", "60", "问：防护时间多久？答：十五分钟。"),
])
def test_a_said_figure_against_the_code_or_class(rules, category, title, price, description):
    assert "spec_mismatch" in found(rules, shop(title, price, {}, description), category)


@pytest.mark.parametrize("category, title, price, description", [
    ("portable_extinguisher", "MFZ/ABC8 灭火器", "110", "问：车上放多大的？答：车上一般放一公斤的就够了。"),
    ("portable_extinguisher", "MFZ/ABC8 灭火器", "110", "问：一箱几个？答：一箱两个，二十公斤的快递。"),
    ("fire_door", "乙级防火门 楼道", "900", "问：甲级的耐火多久？答：一个半小时，乙级一小时。"),
    ("fire_door", "乙级防火门 楼道", "900", "问：多久发货？答：一个半小时内回复，当天发。"),
    ("fire_door", "乙级防火门 楼道", "900", "问：耐火多久？答：一小时。"),
    ("fire_door", "甲级防火门 钢质", "1200", "着火能扛一个半小时。"),
])
def test_no_contradiction_said(rules, category, title, price, description):
    assert "spec_mismatch" not in found(rules, shop(title, price, {}, description), category)
