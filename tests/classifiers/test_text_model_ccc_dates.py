"""The text model's no_certification follows the CCC dates (ccc_scope.yaml) as the rules' does: on a day CCC was
not compulsory for the product, a listing's "无3C" is true, not a defect, so the text model's probability of
no_certification is set to 0 and the change noted in the assessment's specs."""

from __future__ import annotations

from datetime import date

from classifiers.risk import RiskRules
from firewatch.core.labels import spec_rows
from tests.classifiers.test_recall_rules import shop

BEFORE = date(2025, 3, 1)   # gas detectors: CCC compulsory from 2025-07-01 (ccc_scope.yaml)
AFTER = date(2025, 9, 1)


def probabilities(scorer, item, category, on):
    codes = [str(c) for c in scorer.risk_model_.classes_]
    row = [0.0] * len(codes)
    row[codes.index("no_certification")] = 0.9
    changed_row, changed = scorer._ccc_not_required(item, category, row, codes, on)
    return changed_row[codes.index("no_certification")], changed


def test_no_3c_before_the_ccc_date_is_not_read_by_the_text_model(scorer):
    item = shop("家用燃气报警器 天然气 无3C 便宜", "39", {"检测气体": "甲烷"})
    p, changed = probabilities(scorer, item, "gas_detector", BEFORE)
    assert p == 0.0 and changed == {"p": 0.9}


def test_no_3c_after_the_ccc_date_stays(scorer):
    item = shop("家用燃气报警器 天然气 无3C 便宜", "39", {"检测气体": "甲烷"})
    assert probabilities(scorer, item, "gas_detector", AFTER) == (0.9, {})


def test_no_3c_not_the_text_models_top_code_is_left_as_it_is(scorer):
    # only the code the score and the named reason come from matters: another reason read more strongly is left
    item = shop("家用燃气报警器 天然气 无3C 便宜", "39", {"检测气体": "甲烷"})
    codes = [str(c) for c in scorer.risk_model_.classes_]
    row = [0.0] * len(codes)
    row[codes.index("no_certification")], row[codes.index("inspection_only")] = 0.4, 0.8
    assert scorer._ccc_not_required(item, "gas_detector", row, codes, BEFORE) == (row, {})


def test_a_ccc_product_without_3c_words_is_left_to_the_model(scorer):
    item = shop("家用燃气报警器 天然气 没有合格证", "39", {"检测气体": "甲烷"})
    assert probabilities(scorer, item, "gas_detector", BEFORE) == (0.9, {})


def test_voluntary_product_speaking_of_3c_is_not_required():
    rules = RiskRules()
    door = shop("钢质防火门 甲级 无3C 工程门", "900", {"耐火等级": "甲级"})
    assert rules.ccc_not_required_text(door, "fire_door", AFTER)
    alarm = shop("独立式烟雾报警器 无3C", "20", {"类型": "独立式"})
    assert not rules.ccc_not_required_text(alarm, "smoke_alarm", AFTER)


def test_assessment_notes_the_change(scorer):
    item = shop("钢质防火门 无3C认证 不带3C 便宜", "300", {"认证": "无3C"})
    a = scorer.assess(item, now=AFTER)
    assert a.specs["text_risk"]["no_certification"] == 0.0
    assert a.specs["text_ccc_not_required"]["p"] > 0.0
    assert "no_certification" not in {r.code for r in a.reasons}
    shown = dict(spec_rows(a.specs))  # the evidence page's rows: in Chinese, not a Python repr
    assert shown["文本模型的无3C认证不计（当日该产品不属强制性认证）"].startswith("无3C认证 ")
