"""Issue 17 on real-looking listings: the category read from the title first (accessories,
services and look-alikes are not the product they name), and risk scores that rank: calibrated
on held-out folds, each rule counting by how reliable it proved, spread over the range."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import numpy as np
import pytest

from classifiers.calibration import ReliabilityCombiner, expected_calibration_error
from classifiers.corpus import (HELDOUT2_DEV_PATH, HELDOUT2_PATH, HELDOUT3_PATH, HELDOUT4_PATH, HELDOUT5_PATH, HELDOUT6_PATH, HELDOUT7_PATH, HELDOUT8_PATH, HELDOUT9_PATH, HELDOUT10_PATH, HELDOUT11_PATH, HELDOUT12_PATH, HELDOUT13_PATH, HELDOUT14_PATH, HELDOUT15_PATH, HELDOUT16_PATH, HELDOUT17_PATH, HELDOUT18_PATH, HELDOUT19_PATH, HELDOUT20_PATH, HELDOUT21_PATH, HELDOUT22_PATH, HELDOUT23_PATH, HELDOUT24_PATH, HELDOUT25_PATH, HELDOUT_PATH, REAL_VOICE3_PATH, REAL_VOICE4_PATH, REAL_VOICE5_PATH, REAL_VOICE6_PATH, REAL_VOICE7_PATH, REAL_VOICE8_PATH, REAL_VOICE9_PATH, REAL_VOICE_TRAIN_PATH,
                                listing_text, load_records, load_training)
from classifiers.evaluate import evaluate_records, score_deciles
from classifiers.exceptions import DataFileError, SealedDataError
from classifiers.reliability import Prior, Priors, load_priors
from firewatch.core.labels import spec_rows
from classifiers.features import title_part
from firewatch.core.models import Listing

from tests.helpers import NOW


# -- category: the title says what is sold --------------------------------------------------
PAGES = [
    # (title, attributes, description, category)
    ("不锈钢灭火器放置箱 双瓶 加厚款 商铺走廊", {"适用": "MFZ/ABC4 手提式干粉灭火器 4kg×2", "材质": "304不锈钢"},
     "本链接只卖箱子，灭火器请另拍。放两瓶4公斤干粉灭火器刚好，箱门有观察窗。", "other_fire"),
    ("灭火器固定挂架 墙面安装 1~4公斤通用", {"适用型号": "MFZ/ABC1 MFZ/ABC2 MFZ/ABC4 干粉灭火器", "材质": "冷轧钢"},
     "挂灭火器用的架子，不含灭火器。手提式灭火器挂墙上更整齐，消防检查时也好找。", "other_fire"),
    ("灭火器表头 压力指示表 维修更换用 绿区1.2", {"适用": "手提式干粉灭火器 水基灭火器", "规格": "M10"},
     "灭火器压力表配件，换掉指针不动的旧表。灭火器本体不在本链接。", "other_fire"),
    ("手提灭火器 年检维修 换粉充装 上门取送 按瓶收费", {"服务": "灭火器维修保养", "区域": "市区"},
     "提供干粉灭火器、二氧化碳灭火器的年检、换粉、充装、维修服务，价格为每瓶服务费。", "not_fire"),
    ("焊接用防火布 阻燃挡火毯 电焊防护 3米宽", {"材质": "硅胶玻纤布", "用途": "电焊 切割"},
     "工地电焊时垫在下面防火星，不是灭火毯，不用于家庭灭火。", "not_fire"),
]


@pytest.mark.parametrize("title, attributes, description, category", PAGES)
def test_accessories_services_and_look_alikes_are_categorised_by_the_title(scorer, title, attributes, description,
                                                                         category):
    """The attributes and description of a box, a bracket, a gauge or a refill service name the
    extinguisher they serve: the title's product wins."""
    listing = Listing(platform="taobao", listing_id="p", title=title, price=Decimal("30"), attributes=attributes,
                      description=description)
    assert scorer.assess(listing, now=NOW).category == category


def test_the_title_is_weighed_apart():
    listing = Listing(platform="jd", listing_id="1", title="灭火器箱\n两瓶装", attributes={"适用": "4kg灭火器"},
                      description="不含灭火器")
    text = listing_text(listing)
    assert title_part(text) == "灭火器箱 两瓶装"  # a line break inside the title stays in it
    assert text.endswith("适用 4kg灭火器 不含灭火器")
    assert title_part(listing_text(Listing(platform="jd", listing_id="2", title="只有标题"))) == "只有标题"


# -- training data --------------------------------------------------------------------------
def test_training_reads_the_real_voice_file_and_refuses_held_out_files(tmp_path):
    paths = [HELDOUT_PATH, HELDOUT2_DEV_PATH, HELDOUT2_PATH, HELDOUT3_PATH, HELDOUT4_PATH, HELDOUT5_PATH, HELDOUT6_PATH, HELDOUT7_PATH, HELDOUT8_PATH, HELDOUT9_PATH,
             HELDOUT10_PATH, HELDOUT11_PATH, HELDOUT12_PATH, HELDOUT13_PATH, HELDOUT14_PATH, HELDOUT15_PATH, HELDOUT16_PATH, HELDOUT17_PATH, HELDOUT18_PATH, HELDOUT19_PATH, HELDOUT20_PATH, HELDOUT21_PATH, HELDOUT22_PATH, HELDOUT23_PATH, HELDOUT24_PATH, HELDOUT25_PATH]  # refused by path, present or not
    for path in paths:
        with pytest.raises(SealedDataError, match="留出集"):
            load_training([path])
    one = tmp_path / "one.jsonl"
    rec = {"title": "消防水带 8-65-20", "category": "fire_hose", "reasons": []}
    one.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(dict(rec, id="again")) + "\n",
                   encoding="utf-8")
    twice = tmp_path / "twice.jsonl"
    twice.write_text(json.dumps(dict(rec, title="消防水带　8-65-20 ")) + "\n", encoding="utf-8")
    # within a file every line counts; a listing already read from an earlier file does not
    assert len(load_training([one, twice])) == 2


def test_the_model_was_trained_on_the_real_voice_listings(scorer):
    if not REAL_VOICE_TRAIN_PATH.is_file():
        pytest.skip("classifiers/data/real_voice_train.jsonl is not in this tree")
    assert scorer.meta_["training_sources"].get("real_voice") == len(load_records(REAL_VOICE_TRAIN_PATH))
    assert "heldout2_dev.jsonl" not in scorer.meta_["training_files"]


def test_the_model_was_trained_on_the_third_real_voice_set(scorer):
    if not REAL_VOICE3_PATH.is_file():
        pytest.skip("classifiers/data/real_voice3.jsonl is not in this tree")
    assert "real_voice3.jsonl" in scorer.meta_["training_files"]
    assert scorer.meta_["training_sources"].get("real_voice3") == len(load_records(REAL_VOICE3_PATH))


def test_the_model_was_trained_on_the_fourth_real_voice_set(scorer):
    if not REAL_VOICE4_PATH.is_file():
        pytest.skip("classifiers/data/real_voice4.jsonl is not in this tree")
    assert "real_voice4.jsonl" in scorer.meta_["training_files"]
    assert scorer.meta_["training_sources"].get("real_voice4") == len(load_records(REAL_VOICE4_PATH))


def test_the_model_was_trained_on_the_fifth_real_voice_set(scorer):
    if not REAL_VOICE5_PATH.is_file():
        pytest.skip("classifiers/data/real_voice5.jsonl is not in this tree")
    assert "real_voice5.jsonl" in scorer.meta_["training_files"]
    records = load_records(REAL_VOICE5_PATH)  # two writers, each its own source
    for source in ("writer_a", "writer_b"):
        assert scorer.meta_["training_sources"].get(source) == sum(r["source"] == source for r in records)
    if REAL_VOICE6_PATH.is_file():
        assert scorer.meta_["training_sources"].get("writer_d") == len(load_records(REAL_VOICE6_PATH))


def test_the_model_was_trained_on_the_seventh_real_voice_set(scorer):
    if not REAL_VOICE7_PATH.is_file():
        pytest.skip("classifiers/data/real_voice7.jsonl is not in this tree")
    assert "real_voice7.jsonl" in scorer.meta_["training_files"]
    assert scorer.meta_["training_sources"].get("writer_f") == len(load_records(REAL_VOICE7_PATH))


@pytest.mark.parametrize("path,writer", [(REAL_VOICE8_PATH, "writer_g"), (REAL_VOICE9_PATH, "writer_i")])
def test_the_model_was_trained_on_the_eighth_and_ninth_real_voice_sets(scorer, path, writer):
    if not path.is_file():
        pytest.skip(f"classifiers/data/{path.name} is not in this tree")
    assert path.name in scorer.meta_["training_files"]
    assert scorer.meta_["training_sources"].get(writer) == len(load_records(path))


# -- calibration ------------------------------------------------------------------------------
def _rows(rng, n, reliability, page=True):
    """Rows where one rule `code` fires, risky with probability `reliability`."""
    out, y = [], []
    for code, share in reliability.items():
        for _ in range(n):
            out.append((float(rng.uniform(0.01, 0.3)), [(code, 0.8)], 0.95, page))
            y.append(int(rng.random() < share))
    for _ in range(n):
        out.append((float(rng.uniform(0.01, 0.3)), [], 0.95, page))
        y.append(int(rng.random() < 0.05))
    return out, np.array(y)


def test_a_rule_raises_the_score_by_its_reliability():
    rng = np.random.default_rng(3)
    rows, y = _rows(rng, 400, {"price_too_low": 0.6, "no_certification": 0.97})
    comb = ReliabilityCombiner().fit(rows, y)
    weak = comb.predict_one(0.1, [("price_too_low", 0.8)], 0.95, True)
    strong = comb.predict_one(0.1, [("no_certification", 0.8)], 0.95, True)
    both = comb.predict_one(0.1, [("price_too_low", 0.8), ("no_certification", 0.8)], 0.95, True)
    clean = comb.predict_one(0.1, [], 0.95, True)
    assert clean < 0.15 and 0.45 < weak < 0.75 and 0.9 < strong < both < 1.0
    # a rule the training data never saw fire counts as the default prior (0.8), not as nothing
    unseen = comb.predict_one(0.1, [("watchlist_seller", 0.8)], 0.95, True)
    assert weak < unseen < strong
    # more text evidence never lowers the score
    for pairs in ([], [("price_too_low", 0.8)]):
        scores = [comb.predict_one(p, pairs, 0.95, True) for p in (0.01, 0.2, 0.5, 0.9, 0.99)]
        assert scores == sorted(scores)
    cv = comb.cross_validated(rows, y)
    assert expected_calibration_error(y, cv) < 0.05


def test_rows_the_rules_were_tuned_on_do_not_lift_a_judged_reliability_but_reviews_move_it():
    """Training rows on which every rule is right (as on the tuned corpus) barely move a judged
    prior; reviewers' dismissals do, and the score of one reason follows its reliability."""
    rng = np.random.default_rng(5)
    rows, y = _rows(rng, 400, {"price_too_low": 1.0, "inspection_only": 1.0})
    priors = Priors({"price_too_low": Prior(0.75, 20), "inspection_only": Prior(0.97, 20)}, Prior(0.8, 20),
                    corpus_weight=0.0)
    comb = ReliabilityCombiner(priors=priors).fit(rows, y)
    clean = comb.predict_one(0.05, [], 0.95, True)
    weak = comb.predict_one(0.05, [("price_too_low", 0.8)], 0.95, True)
    strong = comb.predict_one(0.05, [("inspection_only", 0.8)], 0.95, True)
    both = comb.predict_one(0.05, [("price_too_low", 0.8), ("inspection_only", 0.8)], 0.95, True)
    assert comb.reliability("price_too_low") == pytest.approx(0.75)
    assert clean < 0.1 and 0.75 <= weak < 0.75 + clean and strong < both < 1.0 and both > 0.99
    # with the corpus at full weight the rows would have made price_too_low nearly certain
    learnt = ReliabilityCombiner(priors=Priors(priors.reasons, priors.default, corpus_weight=1.0)).fit(rows, y)
    assert learnt.reliability("price_too_low") > 0.97
    # two reviewers dismissed 30 and confirmed 10 price_too_low flags: (0.75*20 + 10) / (20 + 40)
    reviewed = ReliabilityCombiner(priors=priors, reviews={"price_too_low": {"a": (5.0, 15.0), "b": (5.0, 15.0)}}
                                   ).fit(rows, y)
    assert reviewed.reliability("price_too_low") == pytest.approx(25 / 60)
    assert reviewed.predict_one(0.05, [("price_too_low", 0.8)], 0.95, True) < 0.5 < weak
    assert reviewed.reliability("inspection_only") == comb.reliability("inspection_only")
    summary = reviewed.summary()["reliability"]["price_too_low"]
    assert summary["sources"] == ["prior", "reviews"] and summary["reviews_dismissed"] == 30.0
    assert summary["prior"] == 0.75 and summary["corpus_fired"] == 400


def test_one_reviewer_moves_a_reason_at_most_halfway_and_cannot_lower_it_alone():
    priors = Priors({"price_too_low": Prior(0.75, 20)})
    alone = priors.reliability("price_too_low", {"flood": (0.0, 200.0)})
    assert alone.dismissed == 20.0 and alone.reviewers == 1 and alone.value == pytest.approx(0.75)
    # one reviewer may raise it, by at most the prior's strength: halfway from 0.75 to 1
    assert priors.reliability("price_too_low", {"fan": (200.0, 0.0)}).value == pytest.approx(0.875)
    # with a second reviewer's 5 dismissals, the flood counts as 5 more (no reviewer supplies over half)
    two = priors.reliability("price_too_low", {"flood": (0.0, 200.0), "second": (0.0, 5.0)})
    assert two.reviewers == 2 and two.dismissed == 25.0 and two.dismissed_agreed == 10.0
    assert two.value == pytest.approx(15 / 30)


def test_a_second_reviewer_deciding_once_does_not_unlock_the_first_reviewers_dismissals():
    """The second-reviewer loophole: one reviewer dismisses 50 flags of a reason, another decides once. The lowering
    needs agreement: the first reviewer's dismissals count at most the others' combined."""
    priors = Priors({"price_too_low": Prior(0.75, 20)})
    base = priors.reliability("price_too_low").value
    agreed_once = priors.reliability("price_too_low", {"flood": (0.0, 50.0), "second": (0.0, 1.0)})
    assert agreed_once.dismissed_agreed == 2.0 and agreed_once.value == pytest.approx(15 / 22)  # not 15 / 41
    assert agreed_once.value > 0.6
    disputed = priors.reliability("price_too_low", {"flood": (0.0, 50.0), "second": (1.0, 0.0)})
    assert disputed.reviewers == 2 and disputed.dismissed_agreed == 0.0
    assert disputed.value == pytest.approx(base)  # not 16 / 41: the one who dismissed found nobody agreeing
    # real agreement lowers it as before: three reviewers each dismissing 10
    agreed = priors.reliability("price_too_low", {"a": (0.0, 10.0), "b": (0.0, 10.0), "c": (0.0, 10.0)})
    assert agreed.dismissed_agreed == 30.0 and agreed.value == pytest.approx(15 / 50)
    # a raise is untouched by the rule: one confirming reviewer still moves it up, dissent tempers it
    raised = priors.reliability("price_too_low", {"fan": (20.0, 0.0), "doubter": (0.0, 2.0)})
    assert raised.value == pytest.approx(35 / 42) and raised.value > base
    assert raised.summary()["reviews_dismissed_agreed"] == 0.0


@pytest.mark.parametrize("yaml_text, key", [
    ("reasons:\n  price_too_low: {value: .nan, strength: 20}\n", "reasons.price_too_low.value"),
    ("reasons:\n  price_too_low: {value: 1.5, strength: 20}\n", "reasons.price_too_low.value"),
    ("reasons:\n  price_too_low: {value: 0.7, strength: .inf}\n", "reasons.price_too_low.strength"),
    ("reasons:\n  price_too_low: {value: 0.7, strength: 0}\n", "reasons.price_too_low.strength"),
    ("default: {value: 0.8, strength: 20}\ncorpus_weight: .nan\n", "corpus_weight"),
    ("corpus_weight: -0.1\n", "corpus_weight"),
    ("ceiling: .inf\n", "ceiling"),
    ("default: {value: 0, strength: 20}\n", "default.value"),
])
def test_a_malformed_reliability_table_is_refused_in_chinese_naming_the_key(tmp_path, yaml_text, key):
    path = tmp_path / "reliability.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"{re.escape(key)}：须"):
        load_priors(path)


def test_the_shown_reliabilities_are_called_judged_values_moved_by_reviews():
    [(label, value)] = spec_rows({"reason_reliability": {"price_too_low": 0.75}})
    assert "判断值" in label and "审核" in label and "0.75" in value


def test_the_packaged_priors_are_judgements_with_a_note_each():
    priors = load_priors()
    assert priors.reasons and all(p.note and 0.5 < p.value < 1 for p in priors.reasons.values())
    # a low price alone proves less than a seller's own "年检专用" or "无3C"
    assert priors.prior("price_too_low").value < priors.prior("no_certification").value < \
        priors.prior("inspection_only").value
    assert priors.corpus_weight < 0.5 and 0.9 <= priors.ceiling < 1


def test_calibrated_on_held_out_folds(scorer):
    """The session model's calibration, measured on the folds it was not fitted on, and on the
    first held-out set."""
    meta = scorer.meta_["calibration"]
    assert meta["kind"] == "reliability" and meta["n"] >= 3000
    assert meta["cv_ece"] < 0.03 and meta["cv_brier"] < 0.08
    assert meta["cv_ece_real_page"] < 0.08
    # the reliabilities differ by rule: they are learnt, not one constant
    values = [v["value"] for v in meta["reliability"].values()]
    assert min(values) < max(values)
    report = evaluate_records(scorer, load_records(HELDOUT_PATH), now=NOW)
    assert report.calibration_error < 0.03 and report.brier < 0.02


def test_flagged_scores_are_not_all_in_the_top_tenth_on_held_out_folds(scorer):
    flagged = scorer.meta_["calibration"]["cv_flagged_by_decile"]
    assert sum(flagged[:9]) >= 0.02 * sum(flagged)


def test_flagged_listings_spread_over_the_range(scorer):
    """One weak sign on a whole page ranks well below several strong ones."""
    page = {"attributes": {"品牌": "某牌", "型号": "MFZ/ABC4"}, "description": "干粉灭火器 商铺用 现货"}
    weak = scorer.assess(Listing(platform="pdd", listing_id="1", title="干粉灭火器 MFZ/ABC4 4kg", price=Decimal("12"),
                                 **page), now=NOW)
    strong = scorer.assess(Listing(platform="pdd", listing_id="2", title="干粉灭火器 MFZ/ABC4 4kg 年检专用 无3C 三无",
                                   price=Decimal("12"), **page), now=NOW)
    assert [r.code for r in weak.reasons] == ["price_too_low"] and weak.flagged
    assert weak.risk_score < 0.95 and strong.risk_score - weak.risk_score > 0.04
    assert score_deciles([weak.risk_score])[9] == 0
    # the listing page shows why: one weak reason scores about its reliability, never below it
    reliability = weak.specs["reason_reliability"]["price_too_low"]
    assert abs(weak.risk_score - reliability) < 0.1
    assert set(strong.specs["reason_reliability"]) == {r.code for r in strong.reasons}
