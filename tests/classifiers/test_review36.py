"""Review of session 36's rules: each false flag a clean listing raised, beside the true flag that must stay.

1. invalid_certificate: a buyer asking whether it was borrowed (证书是借的吧？), a denial (从不借别人的证书, 从来没被撤过,
   证书没过期), an offer of other models' certificates (可提供其他型号的), a renewal (到期了会续, 已到期，已换发新证), the
   shop's own certificate hung on the wall (挂的是我们自己厂的证书), one model written with or without its series prefix
   or with spaces (JTY-GD-SD18 / SD18), and advice naming another product (厨房用燃气报警器的) state no void certificate;
2. no_certification: 不办认证的产品不卖 and another shop's 不走认证 are no statement of these goods;
3. inspection_only: a lamp tested without cutting the power (检查时不断电也能测试, 不会断电，按测试键) and a car's unit
   kept on board after the review (年审过了就取下来放后备箱) are no promise;
4. refurbished: someone else's or feared expired stock (不会拿过期的货, 很多店卖过期的库存, 担心买到过期的产品, 过期的产品请勿使用);
5. spec_mismatch: a delivery time in a reply (问：防毒面具多久发货？答：48小时内发货), advice on another size in a
   reply (答：家里放干粉两公斤的就够了), a person's escape in a reply (答：建议3分钟内撤离), a home's area (80平的房子)
   and a protected area for another room height (房间高度6~12米时…80平方米) are not the goods' own figures.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.classifiers.test_recall_rules import found, shop

ON = date(2025, 11, 20)
EXT = {"品牌": "安达", "型号": "MFZ/ABC4", "3C证书编号": "2023010901234567"}
SA = {"品牌": "安达", "型号": "JTY-GD-SD18", "3C证书编号": "2023031815000123"}
RESP = {"型号": "TZL30", "防护时间": "30分钟", "3C证书编号": "2023081801234567"}


@pytest.mark.parametrize("category, attributes, description", [
    ("portable_extinguisher", EXT, "问：你们3C证书是借的吧？答：不是，证书是我们厂自己的，官网可查。"),
    ("portable_extinguisher", EXT, "我们从不借别人的证书，3C证书是本厂的，可官网查询。"),
    ("portable_extinguisher", EXT, "店里墙上挂的是我们自己厂的3C证书，欢迎来厂参观。"),
    ("portable_extinguisher", EXT, "3C证书从来没被撤过，一直有效，可官网查询。"),
    ("portable_extinguisher", EXT, "3C证书可提供其他型号的，8公斤35公斤都有证。"),
    ("portable_extinguisher", EXT, "证书到期了会提前续，现在的有效期到2028年。"),
    ("portable_extinguisher", EXT, "旧证书已到期，已换发新证，新证有效期至2029年12月。"),
    ("portable_extinguisher", EXT, "3C认证不是借的，证书没过期，放心购买。"),
    ("smoke_alarm", SA, "证书上的型号是JTY-GD-SD18，本款型号SD18，同一款。"),
    ("smoke_alarm", SA, "认证型号为 JTY-GD-SD18 ，本款的型号为 JTY GD SD18。"),
    ("smoke_alarm", SA, "家里客厅用烟感的，厨房用燃气报警器的，都有3C证书。"),
])
def test_no_void_certificate_said(rules, category, attributes, description):
    assert "invalid_certificate" not in found(rules, shop("安达 消防产品", "65", attributes, description), category, ON)


@pytest.mark.parametrize("category, attributes, description", [
    ("portable_extinguisher", EXT, "说实话3C证书是借的隔壁厂的，东西一样。"),
    ("portable_extinguisher", EXT, "说实话证书借的别人的，东西一样。"),
    ("portable_extinguisher", EXT, "证书早就没了，被撤了，价格便宜。"),
    ("portable_extinguisher", EXT, "3C证书已经到期了，还没续，便宜清仓。"),
    ("portable_extinguisher", EXT, "3C证书是厂家另一个型号的，外观一样。"),
    ("portable_extinguisher", EXT, "挂的是朋友厂的3C证书，东西一样。"),
    ("smoke_alarm", SA, "证书的产品型号是JTY-GD-3000，本款型号SD18，功能一样。"),
    ("smoke_alarm", SA, "证书型号：JTY-GD-3000；这款型号：SD-18。"),
    ("smoke_alarm", SA, "证书先用燃气报警器的证书，烟感的在办。"),
])
def test_a_void_certificate_said(rules, category, attributes, description):
    assert "invalid_certificate" in found(rules, shop("安达 消防产品", "45", attributes, description), category, ON)


@pytest.mark.parametrize("description, flagged", [
    ("不办认证的产品本店一律不卖，全部3C。", False),
    ("别家不走认证价格低，我们全部3C认证，贵一点。", False),
    ("3C认证这块没办法再便宜了，成本在这。", False),
    ("厂家直销，不走认证，便宜。", True),
    ("厂家直销，不走 3C 认证，便宜。", True),
    ("认证这块我们没办，厂家直销便宜。", True),
])
def test_no_certification_said_of_these_goods(rules, description, flagged):
    item = shop("手提式干粉灭火器 4公斤", "35", {"品牌": "安达", "型号": "MFZ/ABC4"}, description)
    assert ("no_certification" in found(rules, item, "portable_extinguisher", ON)) is flagged


@pytest.mark.parametrize("description, flagged", [
    ("本灯带试验按钮，检查时不断电也能测试应急功能，方便验收。", False),
    ("检查的人一般不会断电，按测试键就行。", False),
    ("检查员又不会拔电试时间，放心。", True),
    ("检查员又不会 拔电 试时间，放心。", True),
])
def test_a_lamp_never_timed_at_the_check(rules, description, flagged):
    item = shop("消防应急照明灯 双头", "15", {"应急时间": "90分钟"}, description)
    assert ("inspection_only" in found(rules, item, "emergency_light", ON)) is flagged


@pytest.mark.parametrize("description, flagged", [
    ("年审过了就取下来放后备箱，随车备用。", False),
    ("年审挂上拍照，过完拆下来都行。", True),
])
def test_a_car_unit_taken_off_after_the_review(rules, description, flagged):
    item = shop("车载灭火器 1公斤", "30", {"型号": "MFZ/ABC1"}, description)
    assert ("inspection_only" in found(rules, item, "portable_extinguisher", ON)) is flagged


@pytest.mark.parametrize("description, flagged", [
    ("我们不会拿过期的货糊弄客户，全部当月新货。", False),
    ("很多店卖过期的库存，我们都是当月生产的新货。", False),
    ("担心买到过期的产品？本店全部当月生产，日期可查。", False),
    ("过期的产品请勿使用，及时更换。", False),
    ("这批是过期的库存，便宜处理。", True),
    ("瓶体是老瓶，粉是新灌的，便宜。", True),
    ("瓶体 是 老瓶，粉是新灌的。", True),
])
def test_expired_stock_of_these_goods(rules, description, flagged):
    item = shop("手提式干粉灭火器 4公斤", "35", {"品牌": "安达", "型号": "MFZ/ABC4"}, description)
    assert ("refurbished" in found(rules, item, "portable_extinguisher", ON)) is flagged


@pytest.mark.parametrize("category, title, attributes, description, flagged", [
    ("escape_respirator", "防毒面具 过滤式消防自救呼吸器 TZL30", RESP, "问：防毒面具多久发货？答：48小时内发货。", False),
    ("escape_respirator", "过滤式消防自救呼吸器 TZL30", RESP, "问：防护时间多久？答：15分钟。", True),
    ("portable_extinguisher", "手提式干粉灭火器 MFZ/ABC4 4kg", {"型号": "MFZ/ABC4"},
     "问：家用放几公斤的？答：家里放干粉两公斤的就够了，这款放仓库。", False),
    ("portable_extinguisher", "手提式干粉灭火器 MFZ/ABC4 4kg", {"型号": "MFZ/ABC4"},
     "问：车上放多大的？答：车上干粉一公斤的就行。", False),
    ("portable_extinguisher", "手提式干粉灭火器 MFZ/ABC8", {"型号": "MFZ/ABC8"}, "答：这款装粉五公斤。", True),
    ("smoke_alarm", "独立式光电烟感 JTY-GD-SD18", {**SA, "保护面积": "60㎡"}, "80平的房子装两个就可以了。", False),
    ("smoke_alarm", "独立式光电烟感 JTY-GD-SD18", {**SA, "保护面积": "60㎡"}, "单只保护二十平。", True),
    ("smoke_alarm", "独立式光电烟感 JTY-GD-SD18", {**SA, "保护面积": "60㎡"}, "房间高度6~12米时单只保护面积80平方米。", False),
    ("fire_door", "钢质防火门 乙级", {"防火等级": "乙级", "耐火时间": "1小时"},
     "问：防火门着火了，里面的人能坚持多久？答：建议3分钟内撤离。", False),
    ("fire_door", "钢质防火门 乙级", {"防火等级": "乙级"}, "问：耐火多久？答：咱这门能扛一个半钟头。", True),
])
def test_a_figure_of_the_goods_own(rules, category, title, attributes, description, flagged):
    assert ("spec_mismatch" in found(rules, shop(title, "65", attributes, description), category, ON)) is flagged
