"""Scorer: assessment, CLI record format, heldout risk figures, save/load round trip."""

import json
import shutil
from decimal import Decimal

import pytest

from classifiers.corpus import HELDOUT_PATH, load_records, record_to_listing
from classifiers.exceptions import ModelIntegrityError, ModelNotTrainedError
from classifiers.reliability import load_priors
from classifiers.scorer import Scorer
from classifiers.watchlist import Watchlist
from firewatch.core.models import Listing

from tests.helpers import NOW


def test_sidecar(scorer, model_dir):
    meta = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    assert meta["versions"]["scikit-learn"]
    assert len(meta["labels"]) == 22 and "not_fire" in meta["labels"]
    assert len(meta["data_sha256"]) == 64 and len(meta["artifact_sha256"]) == 64
    metrics = meta["metrics"]["heldout"]
    print(f"\nheldout metrics: {metrics}")
    assert metrics["category_accuracy"] >= 0.90
    assert metrics["risk_precision"] >= 0.8 and metrics["risk_recall"] >= 0.8


def test_assess_flags_with_reasons(scorer):
    listing = Listing(platform="pdd", listing_id="9", title="MFZ/ABC4 干粉灭火器 4kg 年检专用",
                      price=Decimal("9.50"))
    a = scorer.assess(listing, now=NOW)
    assert a.category == "portable_extinguisher" and 0 < a.category_confidence <= 1
    assert a.flagged and a.risk_score >= 0.9
    assert {"inspection_only", "price_too_low"} <= {r.code for r in a.reasons}
    assert a.specs["extinguisher_codes"][0]["code"] == "MFZ/ABC4"
    assert set(a.model_versions) >= {"category", "risk_text", "rules"}
    # which reliability table produced the score (edit it, then `firewatch train` to apply)
    assert scorer.meta_["reliability_sha256"] == load_priors().sha256
    assert a.model_versions["reliability"] == f"reliability:{load_priors().sha256[:12]}"


def test_assess_clean_and_toy(scorer):
    clean = scorer.assess(Listing(platform="jd", listing_id="1", title="淮海 手提式干粉灭火器 MFZ/ABC4 4kg 年检合格",
                                  price=Decimal("65")), now=NOW)
    assert not clean.flagged and clean.reasons == []
    toy = scorer.assess(Listing(platform="pdd", listing_id="2", title="儿童消防车玩具 道具 可喷水"), now=NOW)
    assert toy.category == "not_fire" and not toy.flagged


def test_threshold_and_watchlist(scorer):
    listing = Listing(platform="1688", listing_id="5", title="干粉灭火器 4kg", shop_name="某某消防器材厂")
    wl = Watchlist(["某某消防器材有限公司"])
    assert not scorer.assess(listing, now=NOW).flagged
    a = scorer.assess(listing, watchlist=wl, now=NOW)
    assert a.flagged and a.reasons[0].code == "watchlist_seller"
    # the threshold is applied to the calibrated score: just above it, no flag
    assert not scorer.assess(listing, watchlist=wl, threshold=a.risk_score + 1e-4, now=NOW).flagged  # the score is rounded to 4 places


def test_risk_score_is_calibrated_and_monotone(scorer):
    cal = scorer.calibrator_
    meta = scorer.meta_["calibration"]
    assert cal is not None and meta["kind"] == "reliability" and meta["n"] >= 50
    # fitted on records the fold's probe models never saw: a probability, not a rule override
    assert 0 <= cal.brier_ <= 0.1 and 0 <= cal.ece_ <= 0.1
    codes = sorted(meta["reliability"], key=cal.reliability)
    for page in (False, True):
        for confidence in (0.5, 0.99):
            # more text evidence never lowers the score, with or without rules
            for pairs in ([], [(codes[0], 0.8)], [(codes[-1], 0.8)], [(c, 0.8) for c in codes]):
                scores = [cal.predict_one(p, pairs, confidence, page) for p in (0.001, 0.05, 0.3, 0.7, 0.99, 0.999)]
                assert scores == sorted(scores)
            # a more reliable rule scores higher; a second rule never lowers the score
            singles = [cal.predict_one(0.1, [(c, 0.8)], confidence, page) for c in codes]
            assert singles == sorted(singles)
            for a in codes:
                for b in codes:
                    assert cal.predict_one(0.1, [(a, 0.8), (b, 0.8)], confidence, page) >= \
                        cal.predict_one(0.1, [(a, 0.8)], confidence, page) - 1e-12
    a = scorer.assess(Listing(platform="jd", listing_id="9", title="灭火器 年检专用 4kg"), now=NOW)
    assert 0.5 < a.risk_score < 1


def test_scores_rank_by_evidence(scorer):
    """Issue 17: flagged listings used to score 1.00 alike; one weak sign now ranks below several
    strong ones, and neither is pinned to 1.0."""
    weak = scorer.assess(Listing(platform="pdd", listing_id="1", title="干粉灭火器 MFZ/ABC4 4kg",
                                 price=Decimal("12")), now=NOW)
    strong = scorer.assess(Listing(platform="pdd", listing_id="2", title="干粉灭火器 MFZ/ABC4 4kg 年检专用 无3C 三无",
                                   price=Decimal("12")), now=NOW)
    assert [r.code for r in weak.reasons] == ["price_too_low"] and weak.flagged
    assert {"inspection_only", "no_certification", "no_manufacturer", "price_too_low"} <= {r.code for r in strong.reasons}
    assert 0.5 <= weak.risk_score < strong.risk_score < 1.0


def test_score_record(scorer):
    out = scorer.score_record({"id": "a1", "platform": "taobao", "title": "烟雾报警器 无3C 家用",
                               "price": "25", "shop": "某店", "attributes": {"品牌": "无品牌"},
                               "description": "便宜"}, now=NOW)
    assert out["id"] == "a1" and out["category"] == "smoke_alarm"
    assert out["risk"] == 1 and 0 <= out["risk_score"] <= 1
    assert set(out["reasons"]) >= {"no_certification", "no_manufacturer"}
    assert "无3C" in out["evidence"]["no_certification"]
    json.dumps(out, ensure_ascii=False)
    minimal = scorer.score_record({"id": "a2", "title": "消防水带 8-65-20"}, now=NOW)
    assert minimal["category"] == "fire_hose" and minimal["risk"] == 0 and minimal["reasons"] == []


def test_save_load_round_trip(trained_model, model_dir, tmp_path):
    """The saved model, loaded, says of every held-out record what the freshly trained one
    said (recorded in memory right after training, before any save)."""
    loaded = Scorer.load(model_dir)
    listings = [record_to_listing(rec) for rec in load_records(HELDOUT_PATH)]
    got = [[a.category, a.category_confidence, a.risk_score, [r.code for r in a.reasons]]
           for a in loaded.assess_many(listings, now=NOW)]  # test_batch.py pins assess_many to assess
    assert len(got) == len(trained_model.heldout_results) == len(listings)
    for rec, a, b in zip(load_records(HELDOUT_PATH), trained_model.heldout_results, got):
        assert a == b, rec["title"]
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    with open(copy / "model.joblib", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelIntegrityError):
        Scorer.load(copy)


def test_a_model_saved_in_an_earlier_format_is_refused_in_chinese(model_dir, tmp_path):
    """Format 1 learnt the rules' reliabilities from the corpus, format 2 was saved before the rules'
    ceiling existed (its combiner has none and would crash when scoring) (issue 17): both must be retrained."""
    copy = tmp_path / "old"
    shutil.copytree(model_dir, copy)
    sidecar = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    assert sidecar["format"] == 3
    for old in (1, 2):
        sidecar["format"] = old
        (copy / "model.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(ModelIntegrityError, match=f"模型格式 {old} 不是本版本的格式 3，请用 `firewatch train` 重新训练"):
            Scorer.load(copy)


def test_untrained(tmp_path):
    with pytest.raises(ModelNotTrainedError, match="firewatch train"):
        Scorer.load(tmp_path)
    with pytest.raises(ModelNotTrainedError):
        Scorer().assess(Listing(platform="jd", listing_id="1", title="灭火器"))
