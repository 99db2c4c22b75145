"""Price rules added for the opened heldout10's price misses and false flags (session 31): listings written for these
tests, not copied.

Mechanisms, each with a listing that flags and a near miss that stays clean:
- a supplier's price tier or minimum order (20台起批45元, 500只起5.6元, 100只以上) is no pack: the figure after it is
  one piece's price when buying that many, even beside a pack word (5具/箱); a real pack (10具装 beside 5件起批,
  一箱12只 箱价) still divides the price;
- a minimum-order row (最小起订量: 1箱(20只装)) or a count right after a minimum order's name (起批量：100只 23.5元)
  is how much one must buy, not what one price buys;
- a quote word in the description after a larger order's words in its clause (批量采购请联系客服报价) quotes those
  orders only: the page's price is still compared; 价格面议 alone still makes it a placeholder;
- a lay-flat hose named for farm use (农用水带) is priced against a farm hose's floor, not left unpriced.
"""

from __future__ import annotations

from classifiers.price import load_priors, option_for_price, sold_count, unit_price
from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes=None, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category)


def each(listing, category):
    priors = load_priors()
    up = unit_price(listing, category, {}, priors.get("units"), priors.get("not_comparable"),
                    priors.get("min_amount"), priors.get("set_parts"))
    return up and up["unit_price"]


# -- price tiers and minimum orders are no pack ---------------------------------------------------------------------

def test_a_tier_bound_before_the_price_is_no_pack(rules):
    # 28 yuan a unit from 20 units up: one 4 kg extinguisher at 28, about half the prior, not 1.4 a unit
    listing = shop("干粉灭火器 MFZ/ABC4 4公斤 厂家批发", "28", {"型号": "MFZ/ABC4"},
                   "厂家批发：20具起28元，200具以上25.5元，量大可谈。")
    assert sold_count(listing, 28.0) == 1
    assert "price_too_low" not in found(rules, listing, "portable_extinguisher")


def test_tier_wordings_each_price_one_piece():
    for text, price in [("阶梯价 300只起6.2元，3000只以上5.8元。", 6.2), ("烟感批发，50台起批38元。", 38.0),
                        ("报价：≥100只 15元；≥1000只 13.5元", 15.0), ("100-499件 ¥52；500件以上 ¥48", 52.0),
                        ("30只起订 21元，欢迎工程商。", 21.0)]:
        assert option_for_price(text, price) is None, text
        assert sold_count(shop("洒水喷头 下垂型 68℃", str(price), {}, text), price) == 1, text


def test_a_real_pack_still_divides_beside_a_tier(rules):
    # the title's 10具装 is what the price buys; 5件起批 counts packs one must buy
    low = codes(rules, "干粉灭火器 4kg MFZ/ABC4 10具装 整箱", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "5件起批150元，量大从优。", price="150")
    assert "price_too_low" in low
    # a box priced as a box in the description (一箱12只 箱价180元) beside a minimum order of boxes
    listing = shop("独立式烟雾报警器 光电 家用 3C", "180", {}, "一箱12只 箱价180元，10箱起批。")
    assert sold_count(listing, 180.0) == 12


def test_a_tier_counted_in_pieces_beats_a_pack_word(rules):
    # 5具/箱 in the title is how the units ship; 10具起32元 prices one unit at the listing's 32 yuan
    listing = shop("干粉灭火器 MFZ/ABC4 4公斤 5具/箱 工厂", "32", {"型号": "MFZ/ABC4"}, "批发：10具起32元，整箱发货。")
    assert sold_count(listing, 32.0) == 1
    assert "price_too_low" not in found(rules, listing, "portable_extinguisher")
    # near miss: without the tier the title's box is what 32 yuan buys (6.4 a unit)
    boxed = shop("干粉灭火器 MFZ/ABC4 4公斤 5具/箱 工厂", "32", {"型号": "MFZ/ABC4"}, "整箱发货。")
    assert "price_too_low" in found(rules, boxed, "portable_extinguisher")


def test_a_minimum_order_row_is_no_pack(rules):
    # 最小起订量: 1箱(20只装) says how much to order; the 25 yuan is one alarm's (about half the prior)
    ok = codes(rules, "独立式光电烟雾报警器 家用 3C认证", "smoke_alarm", {"最小起订量": "1箱(20只装)"}, "", price="25")
    assert "price_too_low" not in ok
    # the same at 9 yuan is low, and the evidence says the least order was not read as a pack
    low = codes(rules, "独立式光电烟雾报警器 家用 3C认证", "smoke_alarm", {"起批": "60只"}, "", price="9")
    assert "9.00 元（60 件起批，按每件计）" in low["price_too_low"]
    # near miss: 20只装 in the title is what the price buys (1.25 yuan an alarm)
    low = codes(rules, "独立式光电烟雾报警器 家用 3C认证 20只装", "smoke_alarm", {}, "", price="25")
    assert "price_too_low" in low


def test_a_count_after_a_minimum_orders_name_is_no_pack(rules):
    ok = shop("消防应急照明灯 双头 LED 3C", "18", {}, "起批量：100只 18元；1000只以上另议。")
    assert sold_count(ok, 18.0) == 1
    assert "price_too_low" not in found(rules, ok, "emergency_light")
    # near miss: an option of a hundred-piece carton priced at 18 is a carton's price
    pack = shop("消防应急照明灯 双头 LED 3C", "18", {}, "规格：100只装 18元")
    assert sold_count(pack, 18.0) == 100


# -- a quote for larger orders leaves the page's price comparable --------------------------------------------------

def test_a_bulk_quote_clause_leaves_the_price_comparable(rules):
    low = codes(rules, "室内消火栓 SN65 减压稳压型 铜芯", "other_fire", {"型号": "SN65"},
                "南安工厂现货。批量采购请联系客服报价，可签年度合同。", price="7")
    assert "price_too_low" in low
    assert each(shop("独立式烟雾报警器 3C", "4", {}, "大批、定制LOGO请联系客服报价。"), "smoke_alarm") == 4.0


def test_a_placeholder_is_still_not_priced(rules):
    # 价格面议 in its own clause: the page's 1 yuan is a placeholder whatever the next clause says
    assert "price_too_low" not in codes(rules, "室内消火栓 SN65 减压稳压型 铜芯", "other_fire", {"型号": "SN65"},
                                        "价格面议，批量优惠。", price="1")
    assert each(shop("室内消火栓 SN65", "1", {}, "大量现货，以实际报价为准。"), "other_fire") is None


# -- farm hoses ------------------------------------------------------------------------------------------------------

def test_a_farm_hose_at_a_few_yuan_is_too_low(rules):
    low = codes(rules, "消防水带 8-65-20 农用 浇地 带接口 20米", "fire_hose", {"长度": "20米"}, "", price="4.5")
    assert "price_too_low" in low


def test_a_farm_hose_at_a_farm_hoses_price_is_fine(rules):
    ok = codes(rules, "消防水带 8-65-20 农用 浇地 带接口 20米", "fire_hose", {"长度": "20米"}, "", price="30")
    assert "price_too_low" not in ok
    # a garden hose (园林 浇花) stays unpriced
    assert "price_too_low" not in codes(rules, "园林浇花水管 农用 4分 20米", "fire_hose", {}, "", price="4.5")
