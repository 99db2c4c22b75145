"""A seller's long run of spaces or digits after a figure, a code or a field name is read in linear time.

Each case took seconds at 10,000 characters (and grew with the square of the length) before its expression took
whitespace possessively or stopped trying a figure from inside a run of digits: an optional unit between two runs of
spaces (1 个 公斤, 1 kg 至), a dash between them after a cable code (ZC-YJV - 2.5), a list separator between them
(1.5 / 2.5平方), a price amount or (session 37) a volume read from every digit of a run (111…1), a field's colon between them (耐火： 否,
阻燃 等级： B级, 共 ：8kg). The bound is generous for slow machines; the fixed forms take a few hundredths of a
second here, the old ones 2-12 s.
"""

from __future__ import annotations

import time

import pytest

from tests.classifiers.test_recall_rules import found, shop

N = 12000


@pytest.mark.parametrize("category, word, run", [
    ("portable_extinguisher", "一", "spaces"),       # same_quantity: a numeral, then 个 and a unit maybe
    ("portable_extinguisher", "1", "spaces"),        # a range of sizes on offer, a total
    ("portable_extinguisher", "MFZ/ABC4", "spaces"),
    ("fire_glass", "1", "digits"),                    # price: an area, a length, a mass, width x height
    ("fire_blanket", "1", "digits"),
    ("flame_retardant_cable", "耐火", "spaces"),      # a fire-resistance mark denied in a row
    ("flame_retardant_cable", "zc-yjv", "spaces"),   # the section after a cable code
    ("flame_retardant_cable", "阻燃", "spaces"),      # a flame-retardant class in a row
    ("fire_resistant_cable", "8-65-20", "spaces"),   # sizes on offer (1.5/2.5/4平方)
    ("portable_extinguisher", "共", "spaces"),
])
def test_a_long_run_after_a_figure_is_read_in_linear_time(rules, category, word, run):
    text = word + " " * N if run == "spaces" else word * N
    found(rules, shop("消防器材 " + word, "98", {"规格": word + " " * 50}, word + " 2公斤"), category)  # warm
    t0 = time.perf_counter()
    found(rules, shop("消防器材 " + word, "98", {"规格": word + " " * 50}, text), category)
    assert time.perf_counter() - t0 < 1.0


def test_a_volume_is_not_read_from_every_digit_of_a_run(rules):
    # (session 37) a gas unit's volume (70L) was looked for from every position of a long digit run: 10,000 digits took
    # about 5 s, growing with the square of the length
    item = shop("七氟丙烷灭火装置 70L", "98", {"容积": "70L"}, "1" * N)
    found(rules, shop("七氟丙烷灭火装置 70L", "98", {"容积": "70L"}, "1" * 50), "gas_suppression")  # warm
    t0 = time.perf_counter()
    found(rules, item, "gas_suppression")
    assert time.perf_counter() - t0 < 1.0
