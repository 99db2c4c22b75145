"""Price rules added for heldout2's price misses (session 29): listings written for these tests, not copied.

Mechanisms, each with a listing that flags and a near miss that stays clean:
- fire doors priced per leaf by grade (甲级 1200, 乙级 900; a listing naming both is priced as 乙级);
- a shutter priced per 樘 with its size written with a unit on each side (3米×3米): priced per m² of that size;
- coatings priced per m² (元/平方, 含施工): per hour of the least rating stated (超薄型/膨胀型), 0.5 h without one;
- a whole roll's price (整卷18元, 整卷25米只要18) beside a per-metre figure (5元一米): the page price is the roll's;
- a car-wash foam filed as foam_agent is not priced as a foam concentrate.
"""

from __future__ import annotations

from classifiers.price import _amount, whole_pack_price
from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes=None, description="", price="100"):
    return found(rules, shop(title, price, attributes, description), category)


# -- fire doors by grade ------------------------------------------------------------------------------

def test_grade_a_door_per_leaf_far_below(rules):
    attrs = {"防火等级": "甲级", "规格": "1000×2100mm", "计价": "元/樘"}
    low = codes(rules, "钢质防火门 甲级 整樘 送货上门", "fire_door", attrs, price="300")
    assert "price_too_low" in low and "甲级" in low["price_too_low"]
    assert "price_too_low" not in codes(rules, "钢质防火门 甲级 整樘 送货上门", "fire_door", attrs, price="980")


def test_door_grade_priors_near_misses(rules):
    # 乙级 at 300 a leaf: 0.33 of its 900, not flagged; a listing naming both grades is priced as the cheaper
    assert "price_too_low" not in codes(rules, "钢质防火门 乙级 单开 楼道", "fire_door", {"计价": "元/樘"}, price="300")
    both = codes(rules, "防火门 甲级 GFM-1021 A1.00(乙级)", "fire_door", {"计价": "元/樘"}, price="300")
    assert "price_too_low" not in both
    # a door's closer or fitting sold alone is not the door
    assert "price_too_low" not in codes(rules, "甲级防火门 闭门器 液压 通用", "fire_door", price="25")
    assert "price_too_low" not in codes(rules, "甲级防火门配件 顺序器 合页", "fire_door", price="18")


# -- shutters per 樘 with their size ------------------------------------------------------------------

def test_shutter_per_leaf_read_by_its_size(rules):
    attrs = {"尺寸": "4m×3m", "计价": "元/樘"}
    low = codes(rules, "钢质防火卷帘 整樘 含电机 工程", "fire_shutter", attrs, price="480")
    assert "price_too_low" in low and "12 平方米" in low["price_too_low"]
    assert "price_too_low" not in codes(rules, "钢质防火卷帘 整樘 含电机 工程", "fire_shutter", attrs, price="2600")


def test_dimensions_with_a_unit_on_each_side():
    assert _amount("卷帘 3米×3米", "m2") == 9.0
    assert _amount("卷帘 4m×3m", "m2") == 12.0
    assert abs(_amount("防火玻璃 1200x1500", "m2") - 1.8) < 1e-9
    assert abs(_amount("防火玻璃 1200mm×1500mm", "m2") - 1.8) < 1e-9


# -- coatings per m² --------------------------------------------------------------------------------

def test_coating_per_square_metre_below_its_ratings_film(rules):
    attrs = {"类型": "超薄型", "耐火极限": "2.0h", "计价": "元/平方米 含施工"}
    low = codes(rules, "钢结构防火涂料 超薄型 按平方 包工包料", "fire_retardant_coating", attrs, price="10")
    assert "price_too_low" in low and "2 h" in low["price_too_low"]
    assert "price_too_low" not in codes(rules, "钢结构防火涂料 超薄型 按平方 包工包料", "fire_retardant_coating",
                                        attrs, price="65")


def test_coating_per_square_metre_near_misses(rules):
    # no rating stated: priced as 0.5 h (12 yuan/m²), 10 yuan/m² stands
    assert "price_too_low" not in codes(rules, "膨胀型防火涂料 按平方报价 含施工", "fire_retardant_coating",
                                        {"计价": "元/平方米"}, price="10")
    # a drum priced per kg as before: 260 yuan for 20 kg is 13 yuan/kg
    assert "price_too_low" not in codes(rules, "超薄型钢结构防火涂料 20kg/桶 耐火极限1.5h", "fire_retardant_coating",
                                        price="260")


# -- a whole roll's price beside a per-metre figure ----------------------------------------------------

def test_whole_roll_price_beside_a_per_metre_figure(rules):
    low = codes(rules, "消防水带 8-65-20 六块一米 整卷", "fire_hose", {"计价": "整卷20元"}, "一卷20米只要20块。", price="20")
    assert "price_too_low" in low and "20 米" in low["price_too_low"]
    # the roll at a plausible price: 120 yuan for 20 m is 6 yuan/m
    assert "price_too_low" not in codes(rules, "消防水带 8-65-20 6元一米 整卷", "fire_hose", {"计价": "整卷120元"},
                                        price="120")


def test_per_metre_price_read_per_metre(rules):
    # 6元一米 with a page price of 6: one metre, whatever the roll's length
    assert "price_too_low" not in codes(rules, "消防水带 65型 一卷20米 6元一米 可裁剪", "fire_hose", price="6")
    listing = shop("消防水带 一卷25米 5元一米", "5")
    assert whole_pack_price(listing, 5.0) is None
    assert whole_pack_price(shop("消防水带 5元一米", "18", {"计价": "整卷18元"}), 18.0) == "整卷18元"
    assert whole_pack_price(shop("消防水带 25米 18元一卷", "18"), 18.0) == "18元一卷"
    # a count or a length after the pack word is no price (每箱12条, 一卷12米)
    assert whole_pack_price(shop("消防水带 每箱12条 一卷12米", "12"), 12.0) is None


# -- car-wash foam -----------------------------------------------------------------------------------

def test_car_wash_foam_not_priced_as_concentrate(rules):
    assert "price_too_low" not in codes(rules, "洗车液 高泡 泡沫 洗车店专用 20L", "foam_agent", price="45")
    # a foam concentrate at the same price is still far below
    assert "price_too_low" in codes(rules, "水成膜泡沫灭火剂 AFFF 6% 20L", "foam_agent", price="45")
