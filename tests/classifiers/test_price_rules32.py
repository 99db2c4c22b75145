"""Price rules added for the opened heldout11's price misses and false flags (session 32): listings written for these
tests, not copied.

Mechanisms, each with a listing that flags and a near miss that stays clean:
- the text names one piece right before the listing's price (单个28 三个装更划算, 1只 到手58元 / 4只 到手210元): the
  price is one piece's, whatever pack the page also offers; a count after the price that carries its own price
  (58元 / 4只 到手210) labels the next option, it is not what the price buys; a pack priced as such still divides;
- the price is one SKU option's in a list (SKU价格：1kg 到手22 / 4kg 券后56 / 8kg 128): compared with the reference
  for that option's size, not the title's; the option's own price is still flagged when it is too low;
- a unit said without a figure in a shop's answer (问：药剂能单买吗 答：能 按公斤算) is not the page price's unit;
- a packing row (包装数量: 50只/盒) counts what the price buys when the title names that same count (喷头 … 50只);
- a sign word (疏散指示牌) in a lamp's title is the lit sign itself when the listing states the lamp's power (电池,
  应急时间): the lamp is compared, a sign without power is not;
- firefighter's boots (消防员灭火防护靴) are priced by an unverified estimate behind its own switch.
"""

from __future__ import annotations

import copy

from classifiers.price import _tied_count, load_priors, option_specs, single_for_price, sold_count, stated_unit
from classifiers.risk import RiskRules
from tests.classifiers.test_recall_rules import found, shop


def low(rules, listing, category):
    return "price_too_low" in found(rules, listing, category)


# -- one piece named before the price ---------------------------------------------------------------------------------

def test_a_single_piece_price_beside_a_pack_is_one_pieces(rules):
    # 单个30: one alarm at 30, two thirds of the reference (not 10 a piece for the 3-pack only mentioned)
    ok = shop("光电烟雾报警器 家用独立式 3C 吸顶", "30", {"探测原理": "光电式"},
              "光电迷宫结构 误报少 烟雾浓度到阈值即鸣响 锂电池供电 单个30 3个装更划算")
    assert single_for_price(ok.description, 30.0)
    assert sold_count(ok, 30.0) == 1
    assert not low(rules, ok, "smoke_alarm")
    # the single piece's own price far below the reference still flags
    cheap = shop("光电烟雾报警器 家用独立式 3C 吸顶", "9", {"探测原理": "光电式"},
                 "光电迷宫结构 误报少 烟雾浓度到阈值即鸣响 锂电池供电 单个9 3个装更划算")
    assert low(rules, cheap, "smoke_alarm")


def test_option_price_words_after_a_one_piece_label(rules):
    # 1只 到手58元 / 4只 到手210元 at 58: the single's price; the 4 after 58元 / labels the next option
    text = "型号TZL30 防护30分钟 套餐价：1只 到手58元 / 4只 到手210元 包邮"
    assert _tied_count(text, 58.0) is None
    ok = shop("过滤式消防自救呼吸器 TZL30 酒店家用 防烟面具", "58", {"型号": "TZL30", "套餐": "1只装;4只装"}, text)
    assert sold_count(ok, 58.0) == 1
    assert not low(rules, ok, "escape_respirator")


def test_a_pack_priced_as_a_pack_still_divides(rules):
    # 4只装 到手58元: the price buys four, 14.5 a piece, a quarter of the reference
    listing = shop("过滤式消防自救呼吸器 TZL30 酒店家用 防烟面具", "58", {"型号": "TZL30"},
                   "型号TZL30 防护30分钟 4只装 到手58元 包邮")
    assert sold_count(listing, 58.0) == 4
    assert low(rules, listing, "escape_respirator")
    # a count after the price with no price of its own still divides (55元/5卷)
    assert _tied_count("水带 55元/5卷 包邮", 55.0) == 5


# -- a SKU option's size ----------------------------------------------------------------------------------------------

EXT = {"型号": "MFZ/ABC8", "灭火剂": "ABC干粉", "充装量": "8kg", "规格": "1kg;4kg;8kg"}


def test_the_option_the_price_names_sets_the_size(rules):
    # 22 is the 1 kg option's price (reference 25), not an 8 kg unit's (110)
    listing = shop("手提式干粉灭火器 8公斤 MFZ/ABC8 商铺仓库用", "22", EXT,
                   "充装8kg 国标 SKU价格：1kg 到手22 / 4kg 券后56 / 8kg 128元")
    specs, option = option_specs(listing, {"extinguisher_codes": [{"code": "MFZ/ABC8", "agent": "dry_powder",
                                                                   "amount": 8.0, "unit": "kg", "wheeled": False}],
                                           "weights_kg": [8.0]}, 22.0)
    assert option == "1kg" and specs["weights_kg"] == [1.0] and specs["extinguisher_codes"][0]["amount"] == 1.0
    assert not low(rules, listing, "portable_extinguisher")


def test_an_options_own_price_too_low_still_flags(rules):
    listing = shop("手提式干粉灭火器 8公斤 MFZ/ABC8 商铺仓库用", "6", EXT,
                   "充装8kg 国标 SKU价格：1kg 到手6 / 4kg 券后56 / 8kg 128元")
    reasons = found(rules, listing, "portable_extinguisher")
    assert "price_too_low" in reasons and "1 kg" in reasons["price_too_low"]
    # and the title's size when the price is that option's
    big = shop("手提式干粉灭火器 8公斤 MFZ/ABC8 商铺仓库用", "28", EXT,
               "充装8kg 国标 SKU价格：1kg 到手22 / 4kg 券后56 / 8kg 28元")
    assert low(rules, big, "portable_extinguisher")


# -- a unit in a shop's answer ------------------------------------------------------------------------------------------

def test_a_unit_in_an_answer_is_not_the_page_price_unit(rules):
    text = "柜式无管网 70L瓶组 充装七氟丙烷60kg 问：药剂能单买吗 答：能 按公斤算 另有控制器"
    listing = shop("七氟丙烷灭火装置 柜式无管网 70升 含药剂60kg", "1500", {"药剂量": "60kg"}, text)
    assert stated_unit(listing) is None
    assert low(rules, listing, "gas_suppression")  # 1500 for a unit holding 60 kg of agent
    fair = shop("七氟丙烷灭火装置 柜式无管网 70升 含药剂60kg", "6800", {"药剂量": "60kg"}, text)
    assert not low(rules, fair, "gas_suppression")
    # the agent itself sold by weight keeps its unit
    agent = shop("七氟丙烷灭火剂 药剂 按公斤算 机房用", "58", {}, "HFC-227ea 纯度99.6%")
    assert stated_unit(agent)[0] == "kg"


# -- a packing row the title counts --------------------------------------------------------------------------------------

def test_a_packing_row_the_title_counts_is_what_the_price_buys(rules):
    listing = shop("玻璃球洒水喷头 下垂型 DN15 68度 工程用 50只", "20", {"包装数量": "50只/盒"}, "整盒发货 工程直供")
    assert sold_count(listing, 20.0) == 50
    assert low(rules, listing, "sprinkler")
    # without the title's count the carton row is how the goods ship: one head at 20
    near = shop("玻璃球洒水喷头 下垂型 DN15 68度 工程用", "20", {"包装数量": "50只/盒"}, "整盒发货 工程直供")
    assert sold_count(near, 20.0) == 1
    assert not low(rules, near, "sprinkler")
    # a minimum order in the title is no count of what one price buys
    moq = shop("玻璃球洒水喷头 下垂型 DN15 68度 50只起批", "20", {"包装数量": "50只/盒"}, "工程直供")
    assert sold_count(moq, 20.0) == 1
    # nor where a minimum order row makes the box the least order (起订量: 1盒): the price is then a piece's
    least = shop("玻璃球洒水喷头 下垂型 DN15 68度 整盒50只", "3.5", {"包装数量": "50只/盒", "起订量": "1盒"}, "工程直供")
    assert sold_count(least, 3.5) == 1
    assert not low(rules, least, "sprinkler")


# -- a lit sign is the lamp ----------------------------------------------------------------------------------------------

def test_a_lamp_stuffed_with_sign_words_is_compared(rules):
    lamp = shop("消防应急标志灯 安全出口指示灯 LED 疏散指示牌 商场用", "4",
                {"类型": "自带电源型", "电池": "镍镉电池", "应急时间": "≥90分钟"}, "LED光源 停电自动点亮")
    assert low(rules, lamp, "emergency_light")
    # a sign with no power of its own (夜光 PVC) is a sign, not a lamp: not priced as one
    sign = shop("安全出口指示牌 疏散指示牌 夜光 PVC 配指示灯位置用", "4", {"材质": "PVC"}, "自发光 免接电")
    assert not low(rules, sign, "emergency_light")
    # the lamp's type alone (自带电源型) with no battery or duration stated: the sign word still keeps it uncompared
    typed = shop("安全出口指示灯 疏散指示牌 LED 商铺", "4", {"类型": "自带电源型", "光源": "LED"}, "亮度高")
    assert not low(rules, typed, "emergency_light")


# -- firefighter's boots -------------------------------------------------------------------------------------------------

def test_firefighter_boots_have_a_switchable_reference():
    boots = shop("消防员灭火防护靴 02款 阻燃 钢包头 微型消防站", "20", {"品名": "消防员灭火防护靴"}, "防砸防刺穿")
    assert low(RiskRules(), boots, "rescue_equipment")
    fair = shop("消防员灭火防护靴 02款 阻燃 钢包头 微型消防站", "188", {"品名": "消防员灭火防护靴"}, "防砸防刺穿")
    assert not low(RiskRules(), fair, "rescue_equipment")
    rain = shop("儿童雨靴 消防员造型 卡通", "20", {}, "幼儿园表演")
    assert not low(RiskRules(), rain, "rescue_equipment")
    priors = copy.deepcopy(load_priors())
    for p in priors["priors"]:
        if "防护靴" in p.get("label", ""):
            p["enabled"] = False
    assert not low(RiskRules(price_priors=priors), boots, "rescue_equipment")
