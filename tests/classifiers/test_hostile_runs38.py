"""A seller's text repeating one detection word thousands of times is read in linear time (session 38).

A smoke alarm's or a gas alarm's detection words (感温, 感烟, 甲烷 …) are read longest first, each match checked
against the matches before it; the check looked at every earlier match (20,000 characters of 感温: 7 s, growing with the
square of the length). It now marks the characters read. The bound is generous for slow machines; the fixed form takes
a few tenths of a second at most here.
"""

from __future__ import annotations

import time

import pytest

from tests.classifiers.test_recall_rules import found, shop

N = 20000


@pytest.mark.parametrize("category, word", [
    ("smoke_alarm", "感温"),
    ("smoke_alarm", "感烟"),
    ("gas_detector", "甲烷"),
])
def test_a_detection_word_repeated_is_read_in_linear_time(rules, category, word):
    found(rules, shop("报警器 " + word, "98", {"检测": word}, word * 10), category)  # warm
    t0 = time.perf_counter()
    found(rules, shop("报警器 " + word, "98", {"检测": word}, word * (N // len(word))), category)
    assert time.perf_counter() - t0 < 2.0


def test_a_detection_word_denied_still_counts_once(rules):
    # the same reading as before: the table's heat sensing against the title's smoke, each word read once
    assert "spec_mismatch" in found(rules, shop("独立式光电感烟报警器", "98", {"探测方式": "感温"}, ""), "smoke_alarm")
