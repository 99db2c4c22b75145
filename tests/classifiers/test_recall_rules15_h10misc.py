"""Smaller misses and false flags on factory and distributor pages (the opened heldout10), each rule paired with a
near miss.

1. a cylinder coated again and its printed date changed to the batch's -> refurbished;
2. the maker's details left off the goods (厂家信息：无, 盒上不带厂家信息) -> no_manufacturer;
3. a bare 能响就行 (a cheap alarm only has to sound) is no inspection_only; beside a check it still is;
4. wiring advice naming the current transformer and temperature probes is no temperature-only detector.

The listings are written for these tests.
"""

from __future__ import annotations

from tests.classifiers.test_recall_rules import found, shop


def codes(rules, title, category, attributes, description=""):
    return found(rules, shop(title, "100", attributes, description), category)


# -- 1. repainted and re-dated cylinders ---------------------------------------------------------------------

def test_cylinder_coated_again_and_redated_is_refurbished(rules):
    got = codes(rules, "干粉灭火器 4kg 工厂直销 现货", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "出厂前瓶身重新静电喷涂，生产日期更新为本批次日期，和新品一样。")
    assert "refurbished" in got


def test_redated_print_alone_is_refurbished(rules):
    got = codes(rules, "二氧化碳灭火器 3kg 批发", "portable_extinguisher", {"型号": "MT3"},
                "钢瓶统一重新喷码，按发货月份打日期。")
    assert "refurbished" in got


def test_first_coating_and_printed_date_are_not_refurbished(rules):
    got = codes(rules, "干粉灭火器 4kg 工厂直销 现货", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "瓶体静电喷涂，喷码为生产日期，出厂日期见瓶身标签。")
    assert "refurbished" not in got


def test_recoating_offered_as_a_service_is_not_refurbished(rules):
    got = codes(rules, "干粉灭火器 4kg 新品", "portable_extinguisher", {"型号": "MFZ/ABC4"},
                "另承接维保单位灭火器的外表重新静电喷涂服务，与本商品无关。")
    assert "refurbished" not in got


# -- 2. the maker's details left off ----------------------------------------------------------------------

def test_maker_details_attribute_none_is_no_manufacturer(rules):
    got = codes(rules, "灭火毯 1.2米 厨房", "fire_blanket", {"厂家信息": "无", "材质": "玻璃纤维"})
    assert "no_manufacturer" in got


def test_box_without_maker_details_is_no_manufacturer(rules):
    got = codes(rules, "灭火毯 1.2米 厨房", "fire_blanket", {"材质": "玻璃纤维"},
                "散装发货，包装盒不带厂家信息，介意勿拍。")
    assert "no_manufacturer" in got


def test_maker_details_given_are_not_flagged(rules):
    got = codes(rules, "灭火毯 1.2米 厨房", "fire_blanket",
                {"厂家信息": "无锡安盾消防器材有限公司", "材质": "玻璃纤维"}, "包装盒印有厂名厂址和生产日期。")
    assert "no_manufacturer" not in got


# -- 3. 能响就行 ---------------------------------------------------------------------------------------

def test_bare_only_has_to_sound_is_not_inspection_only(rules):
    got = codes(rules, "烟雾报警器 独立式 出租屋 宿舍", "smoke_alarm", {"类型": "独立式"},
                "便宜款，能响就行，每个房间装一个。")
    assert "inspection_only" not in got


def test_only_has_to_sound_beside_the_check_is_inspection_only(rules):
    got = codes(rules, "烟雾报警器 独立式 出租屋 宿舍", "smoke_alarm", {"类型": "独立式"},
                "能响就行，消防来查一次过。")
    assert "inspection_only" in got


# -- 4. current transformer and temperature probes ---------------------------------------------------------

def test_wiring_advice_naming_transformer_and_probes_is_no_contradiction(rules):
    got = codes(rules, "电气火灾监控探测器 剩余电流式 导轨安装", "electrical_fire_detector", {"通讯": "RS485"},
                "安装在配电箱内导轨上，互感器与温度探头按说明书接线。")
    assert "spec_mismatch" not in got


def test_temperature_only_detector_against_residual_title_still_contradicts(rules):
    got = codes(rules, "电气火灾监控探测器 剩余电流式 导轨安装", "electrical_fire_detector", {"类型": "测温式"})
    assert "spec_mismatch" in got
