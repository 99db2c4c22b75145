"""The rules added when heldout3's certificate and wording misses were read (session 30, branch cert30).

Each mechanism is tested with a listing it flags and a near miss it leaves alone (listings written for these
tests, not copied from heldout3):
- invalid_certificate: a certificate end stated by year or month only (证书2022年6月已过期) counts to that
  period's last day, unless the listing says the certificate has been renewed; CCCF inside the number labelled as
  the 3C certificate's does not make it a voluntary certificate;
- prop_or_display: only the casing, nothing working inside (只有外壳, 没装电路板), unless sold as a spare part;
- false flags: the market's goods set against the shop's own (网上好多二手的，我们家只卖新瓶); a trade-in of the
  buyer's old unit; a collection service that destroys what it collects; a check the product is useful for
  (检查用得上); 不怕查 after inviting the buyer to look the certificate up; a management-system standard (ISO 9001)
  read as a foreign product standard; an edition year before 桶装 read as a pack count.
"""

from __future__ import annotations

from datetime import date

from tests.classifiers.test_recall_rules import found, shop

ON = date(2025, 9, 1)


def codes(rules, title, category, attributes=None, description="", price="100", on=ON):
    return found(rules, shop(title, price, attributes, description), category, on)


# -- invalid_certificate ------------------------------------------------------------------------------

def test_a_certificate_said_to_have_ended_in_an_earlier_year_or_month(rules):
    month = codes(rules, "独立式烟雾报警器 家用", "smoke_alarm", description="我们的3C证书2022年6月已过期，正在重新办理。",
                  price="45")
    assert "invalid_certificate" in month and "2022-06-30" in month["invalid_certificate"]
    year = codes(rules, "二氧化碳灭火器 MT3 办公室", "portable_extinguisher", description="原证2021年就过期了，产品没变。",
                 price="90")
    assert "invalid_certificate" in year and "2021 年" in year["invalid_certificate"]


def test_a_certificate_ending_later_renewed_or_not_a_certificate_is_no_expiry(rules):
    # renewed since: the old end is no expired certificate
    assert "invalid_certificate" not in codes(rules, "独立式烟雾报警器 家用", "smoke_alarm",
                                              description="3C证书2022年6月已过期，新证已下来了。", price="45")
    # ends after the listing's date
    assert "invalid_certificate" not in codes(rules, "独立式烟雾报警器 家用", "smoke_alarm",
                                              description="3C证书2027年到期。", price="45")
    # the same year said of something else (the battery)
    assert "invalid_certificate" not in codes(rules, "独立式烟雾报警器 家用 3C认证", "smoke_alarm",
                                              description="随机电池2022年过期了，请自行更换。", price="45")


def test_cccf_inside_the_number_given_as_the_3c_certificate(rules):
    item = codes(rules, "过滤式消防自救呼吸器 TZL30 宾馆用", "escape_respirator",
                 {"3C证书": "CCCF-HX-2017-09"}, price="45")
    assert "invalid_certificate" in item and "CCCF-HX-2017-09" in item["invalid_certificate"]


def test_a_voluntary_certificate_named_beside_the_number_is_left_to_the_voluntary_checks(rules):
    hose = codes(rules, "消防水带 8-65-20 有衬里", "fire_hose",
                 description="消防产品自愿性认证，3C证书号：CCCF-2019-0815", price="120")
    assert "invalid_certificate" not in hose


# -- prop_or_display: a casing with nothing inside ------------------------------------------------------

def test_only_the_casing_is_a_prop(rules):
    item = codes(rules, "独立式感烟探测器 吸顶式", "smoke_alarm", description="里面就一个外壳，没装电路板，挂上去看着像。",
                 price="4")
    assert "prop_or_display" in item


def test_a_casing_sold_as_a_spare_part_is_no_prop(rules):
    item = codes(rules, "烟感外壳 替换外壳 维修用", "smoke_alarm", description="只有外壳，不含电路板，坏了换壳用。",
                 price="4")
    assert "prop_or_display" not in item


# -- refurbished: the market's goods, a trade-in, a collection service -----------------------------------

def test_the_markets_used_goods_set_against_the_shops_own(rules):
    clean = codes(rules, "干粉灭火器 4kg MFZ/ABC4", "portable_extinguisher",
                  description="网上好多二手翻新的，我们家只卖当年出厂的新瓶。", price="70")
    assert "refurbished" not in clean
    # the shop's own clause saying it sells them is still flagged
    said = codes(rules, "干粉灭火器 4kg MFZ/ABC4", "portable_extinguisher",
                 description="市面上很多人卖新瓶，我们只卖翻新瓶，便宜一半。", price="20")
    assert "refurbished" in said


def test_a_trade_in_of_the_buyers_old_unit(rules):
    clean = codes(rules, "干粉灭火器 4kg 当年新瓶", "portable_extinguisher",
                  description="您家过期的灭火器寄回来可抵5元，旧瓶我们送去回收站。", price="60")
    assert "refurbished" not in clean
    # a trade-in beside refilled goods is still flagged
    said = codes(rules, "干粉灭火器 4kg 以旧换新", "portable_extinguisher",
                 description="旧瓶新装，重新充装，价格实惠。", price="20")
    assert "refurbished" in said


def test_a_collection_service_that_destroys_what_it_collects(rules):
    clean = codes(rules, "消防头盔 回收 单位淘汰", "rescue_equipment",
                  description="单位淘汰的头盔回收，收回后销毁，不流入市场。", price="1")
    assert "refurbished" not in clean
    said = codes(rules, "消防头盔 回收 单位淘汰", "rescue_equipment", description="回收后清洗翻新再卖。", price="20")
    assert "refurbished" in said


# -- inspection_only: a check the product is useful for; the buyer invited to look the certificate up -------

def test_a_check_the_product_is_useful_for_is_no_inspection_only(rules):
    clean = codes(rules, "干粉灭火器 4kg 店铺 消防检查用得着 带3C", "portable_extinguisher", price="60")
    assert "inspection_only" not in clean
    said = codes(rules, "干粉灭火器 4kg 店铺 消防检查用的 便宜", "portable_extinguisher", price="15")
    assert "inspection_only" in said


def test_the_buyer_invited_to_look_the_certificate_up(rules):
    clean = codes(rules, "干粉灭火器 4kg 3C认证", "portable_extinguisher",
                  description="证书编号见详情页，顾客可以上官网查询，我们不怕查。", price="60")
    assert "inspection_only" not in clean
    for said in ("消防来查也不怕，摆着就行。", "欢迎消防来查，不怕查。"):
        assert "inspection_only" in codes(rules, "干粉灭火器 4kg", "portable_extinguisher", description=said, price="15")


# -- substandard_spec: a management-system standard is no product standard ------------------------------

def test_a_management_system_standard_is_no_foreign_product_standard(rules):
    clean = codes(rules, "独立式烟雾报警器 厂家通过ISO 9001质量体系认证", "smoke_alarm", price="45")
    assert "substandard_spec" not in clean
    said = codes(rules, "独立式烟雾报警器 EN 14604 ISO 9001", "smoke_alarm", price="45")
    assert "substandard_spec" in said and "EN 14604" in said["substandard_spec"]


# -- price_too_low: an edition year before 桶装 is no pack count --------------------------------------

def test_an_edition_year_before_a_pack_word_is_no_count(rules):
    clean = codes(rules, "钢结构防火涂料 薄型 GB14907-2018 桶装", "fire_retardant_coating",
                  description="25公斤一桶。", price="300")
    assert "price_too_low" not in clean
    # a real pack count still divides the price: four 20 kg buckets at 95 yuan
    said = codes(rules, "钢结构防火涂料 超薄型 4桶装", "fire_retardant_coating", description="20公斤一桶。", price="95")
    assert "price_too_low" in said
