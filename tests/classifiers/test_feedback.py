"""Learning from reviewers (issue 17): `firewatch train` reads the store's decisions that count
(`classifiers.feedback`), deduplicated, weighted and capped, never a held-out record, and a family of
wrong flags reviewers dismissed stops being flagged after retraining, by the weight the settings give.
Real stores on both engines (`store_url`), the real command line and real training."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from classifiers.calibration import ReliabilityCombiner
from classifiers.corpus import HELDOUT2_DEV_PATH, load_records, record_to_listing
from classifiers.feedback import reviews_from_store
from classifiers.reliability import load_priors
from classifiers.scorer import Scorer
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from tests.helpers import store_env

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)

# A family of wrong flags: inspection record cards and tags for extinguishers say "年检专用" (for the annual
# inspection) and are legitimate accessories, yet the lexicon reads the phrase as inspection_only.
KINDS = ["检查记录卡", "巡检卡", "月检卡", "检查登记卡", "年检标签", "巡查记录牌", "检查卡套", "点检卡"]
MATERIALS = ["PVC", "硬卡", "覆膜", "防水", "加厚", "双面", "挂绳款", "带孔"]
CARDS = [f"灭火器{KINDS[i % 8]} 年检专用 {MATERIALS[(i // 8) % 8]} {10 * (i % 5 + 1)}张" for i in range(16)]
# written for this test, not a stored listing: a card the corpus-only model flags
NEW_CARD = "灭火器点检卡 年检专用 挂绳款 20张"
RISKY = "年检专用灭火器 便宜 应付检查"  # what the phrase is there for: still flagged after retraining


def put(store, lid: str, title: str, codes=("inspection_only",), platform: str = "jd", description: str = "",
        attributes: dict | None = None, source: str = "title") -> tuple[str, str]:
    listing = Listing(platform, lid, url=f"https://item.jd.com/{lid}.html", title=title, price=Decimal("15"),
                      description=description, attributes=attributes or {}, first_seen=T0, last_seen=T0)
    store.listings.upsert_listing(listing, observed_at=T0)
    store.assessments.save_assessment(Assessment(platform, lid, "other_fire", 0.9, 0.99, bool(codes),
                                                 [Reason(c, "年检专用", source) for c in codes], {}, {}, T0))
    return (platform, lid)


def decide(store, key, verdict: str, reviewer: str = "reviewer", minutes: int = 0) -> None:
    store.reviews.record_decision(Decision(*key, reviewer, verdict, "", T0 + timedelta(minutes=minutes)))


def test_duplicates_count_once_and_conflicts_go_to_the_majority(store_url):
    with open_store(store_url) as store:
        a = put(store, "1", "灭火器巡检卡 年检专用 PVC")
        b = put(store, "2", "灭火器巡检卡  年检专用 ＰＶＣ", platform="taobao")  # the same text, other spacing and width
        c = put(store, "3", "灭火器巡检卡 年检专用 pvc", platform="pdd")  # relisted elsewhere, other case
        d = put(store, "4", "消防年检标签 年检专用 防水")
        e = put(store, "5", "消防年检标签 年检专用 防水")
        f = put(store, "6", "干粉灭火器 年检专用 4kg", codes=("inspection_only", "no_certification"))
        for key in (a, b, c):
            decide(store, key, "dismiss")
        decide(store, d, "confirm")
        decide(store, e, "dismiss")  # one confirmed, one dismissed: a tie, dropped
        decide(store, f, "confirm")
        reviews = reviews_from_store(store, corpus_size=1000)
    assert reviews.read == 6
    assert reviews.duplicates == 3 and reviews.conflicts == 1  # b and c were a's text; e was d's text
    titles = {r["title"]: r["reasons"] for r in reviews.records}
    assert titles == {"灭火器巡检卡 年检专用 PVC": [], "干粉灭火器 年检专用 4kg": ["inspection_only", "no_certification"]}
    assert reviews.by_reason["inspection_only"]["duplicate"] == 3
    assert reviews.by_reason["no_certification"]["confirmed"] == 1
    assert reviews.weights == [1.0, 1.0]


def test_a_copied_title_does_not_give_one_listings_text_anothers_verdict(store_url):
    """Shops copy titles: a clean listing dismissed and two listings under the same title whose
    descriptions promise an inspection-only product confirmed are three texts, each learnt with its own
    verdict; only a listing with the very same text is a duplicate."""
    title = "手提式干粉灭火器 4kg 家用商用"
    with open_store(store_url) as store:
        clean = put(store, "1", title, description="正规厂家 3C认证 可查询", codes=("inspection_only",))
        first = put(store, "2", title, description="年检专用 便宜 不用于实际灭火")
        second = put(store, "3", title, description="应付检查用 年检专用 一次性")
        again = put(store, "4", title, description="应付检查用 年检专用 一次性", platform="pdd")  # relisted as is
        decide(store, clean, "dismiss")
        for key in (first, second, again):
            decide(store, key, "confirm")
        reviews = reviews_from_store(store, corpus_size=1000)
    learnt = {r["description"]: r["reasons"] for r in reviews.records}
    assert learnt == {"正规厂家 3C认证 可查询": [], "年检专用 便宜 不用于实际灭火": ["inspection_only"],
                      "应付检查用 年检专用 一次性": ["inspection_only"]}
    assert reviews.duplicates == 1 and reviews.conflicts == 0
    assert reviews.by_reason["inspection_only"]["confirmed"] == 2
    assert reviews.by_reason["inspection_only"]["dismissed"] == 1


def test_only_the_decision_that_counts_is_learnt_undone_and_escalated_ones_not(store_url):
    with open_store(store_url) as store:
        a = put(store, "1", "灭火器巡检卡 年检专用 PVC")
        b = put(store, "2", "消防年检标签 年检专用 防水")
        c = put(store, "3", "灭火器检查记录卡 年检专用 硬卡")
        decide(store, a, "confirm", reviewer="alice", minutes=1)
        decide(store, a, "dismiss", reviewer="bob", minutes=2)
        store.reviews.undo_last("bob")  # bob's dismissal undone: alice's confirmation counts again
        decide(store, b, "dismiss", reviewer="carol", minutes=3)
        store.reviews.undo_last("carol")  # b has no decision left
        decide(store, c, "dismiss", reviewer="dave", minutes=4)
        decide(store, c, "escalate", reviewer="erin", minutes=5)  # its latest decision: escalated, not learnt
        reviews = reviews_from_store(store, corpus_size=1000, batch=1)  # one decision per keyset batch
    assert [(r["title"], r["reasons"]) for r in reviews.records] == [("灭火器巡检卡 年检专用 PVC", ["inspection_only"])]
    assert reviews.read == 1 and reviews.generation["undone"] == 2


def test_a_heldout_record_in_the_store_is_never_used(store_url, tmp_path):
    dev = load_records(HELDOUT2_DEV_PATH)[0]  # the dev half may be read; the sealed half is only hashed
    sealed_stand_in = tmp_path / "sealed.jsonl"
    sealed_stand_in.write_text(json.dumps({"title": "某品牌 手提式干粉灭火器 MFZ/ABC3", "category": "portable_extinguisher",
                                           "reasons": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    with open_store(store_url) as store:
        listing = record_to_listing(dev)
        same = put(store, "1", listing.title, description=listing.description, attributes=listing.attributes)
        relisted = put(store, "2", listing.title + " ", description="换了一段描述")  # same title: near-identical
        other = put(store, "3", "某品牌 手提式干粉灭火器 MFZ/ABC3", platform="taobao")
        kept = put(store, "4", "灭火器巡检卡 年检专用 PVC")
        for key in (same, relisted, other, kept):
            decide(store, key, "dismiss")
        reviews = reviews_from_store(store, corpus_size=1000,
                                     heldout_files=[HELDOUT2_DEV_PATH, sealed_stand_in])
        default = reviews_from_store(store, corpus_size=1000)  # the packaged held-out files, sealed one included
    assert reviews.heldout == 3 and [r["title"] for r in reviews.records] == ["灭火器巡检卡 年检专用 PVC"]
    assert default.heldout >= 2 and all(r["title"] != listing.title for r in default.records)


def test_one_reviewers_flood_is_capped_and_all_reviewers_together_too(store_url):
    with open_store(store_url) as store:
        for i in range(30):
            decide(store, put(store, f"a{i}", f"灭火器巡检卡 年检专用 第{i}款"), "dismiss", reviewer="flood")
        for i in range(5):
            decide(store, put(store, f"b{i}", f"消防年检标签 年检专用 第{i}款"), "dismiss", reviewer="other")
        capped = reviews_from_store(store, corpus_size=100, weight=1.0, reviewer_max_share=0.1, max_share=10)
        total = reviews_from_store(store, corpus_size=100, weight=1.0, reviewer_max_share=10, max_share=0.2)
    flood = [w for r, w in zip(capped.records, capped.weights) if "巡检卡" in r["title"]]
    assert len(flood) == 30 and sum(flood) == pytest.approx(10.0)  # 0.1 x 100 corpus records
    assert sum(capped.weights) == pytest.approx(15.0) and capped.capped_reviewers == 1
    assert sum(total.weights) == pytest.approx(20.0) and total.scale == pytest.approx(20 / 35)


def test_reason_tallies_count_each_decision_unscaled_and_only_the_rules_reasons(store_url):
    """Each decision counts once per rule reason it judged, whatever the records' weight caps; a flag the
    text model alone gave (source text_model), dismissed, says nothing of the rule's reliability."""
    with open_store(store_url) as store:
        for i in range(30):
            decide(store, put(store, f"a{i}", f"灭火器巡检卡 年检专用 第{i}款"), "dismiss", reviewer="flood")
        for i in range(5):
            decide(store, put(store, f"b{i}", f"消防年检标签 年检专用 第{i}款"), "dismiss", reviewer="other")
        relisted = put(store, "b0-again", "消防年检标签 年检专用 第0款", platform="pdd")  # a's text: a duplicate
        decide(store, relisted, "dismiss", reviewer="other")
        decide(store, put(store, "t", "灭火器 免检 特价", codes=("no_certification",), source="text_model"),
               "dismiss", reviewer="other")
        reviews = reviews_from_store(store, corpus_size=100, weight=1.0, reviewer_max_share=0.1, max_share=0.1)
    assert sum(reviews.weights) == pytest.approx(10.0)  # the records' weights are capped ...
    assert reviews.reason_reviews["inspection_only"] == {"flood": (0.0, 30.0), "other": (0.0, 6.0)}
    assert reviews.reason_weights["inspection_only"] == (0.0, 36.0)  # ... the reasons' tallies are not
    assert "no_certification" not in reviews.reason_weights
    assert reviews.summary()["reason_reviewers"] == {"inspection_only": 2}


def test_one_reviewers_flood_cannot_unflag_a_lone_price_too_low(store_url):
    """One reviewer's dismissals count at most the prior's strength and, alone, never lower a reason
    below its judgement: a lone low price stays flagged; a second reviewer's dismissals do lower it."""
    with open_store(store_url) as store:
        for i in range(40):
            decide(store, put(store, f"f{i}", f"干粉灭火器 促销款 第{i}批", codes=("price_too_low",)), "dismiss",
                   reviewer="flood")
        alone = reviews_from_store(store, corpus_size=1000).reason_reviews
        for i in range(20):
            decide(store, put(store, f"s{i}", f"水基灭火器 特价款 第{i}批", codes=("price_too_low",)), "dismiss",
                   reviewer="second")
        two = reviews_from_store(store, corpus_size=1000).reason_reviews
    assert alone == {"price_too_low": {"flood": (0.0, 40.0)}}
    rows = [(0.05, [], 0.95, True)] * 50 + [(0.9, [], 0.95, True)] * 50 + [(0.1, [("price_too_low", 0.8)], 0.95, True)] * 20
    y = [0] * 50 + [1] * 50 + [1, 0] * 10
    priors = load_priors()
    flooded = ReliabilityCombiner(priors=priors, reviews=alone).fit(rows, y)
    lowered = ReliabilityCombiner(priors=priors, reviews=two).fit(rows, y)
    unreviewed = ReliabilityCombiner(priors=priors).fit(rows, y)
    assert flooded.reliability("price_too_low") == pytest.approx(unreviewed.reliability("price_too_low"))
    assert flooded.reliabilities_["price_too_low"].dismissed == 20.0  # capped at the prior's strength
    assert flooded.predict_one(0.05, [("price_too_low", 0.8)], 0.95, True) >= 0.5
    assert lowered.predict_one(0.05, [("price_too_low", 0.8)], 0.95, True) < 0.5


@pytest.mark.allow_training
@pytest.mark.timeout(900)  # retrains the whole model (about 200 s on a busy 2-core machine)
def test_a_dismissed_family_of_wrong_flags_stops_being_flagged_after_retraining(store_url, trained_model, run_firewatch,
                                                                                tmp_path):
    corpus_only = trained_model.scorer
    listing = Listing("jd", "new", title=NEW_CARD, price=Decimal("15"))
    assert corpus_only.assess(listing).flagged  # the corpus alone flags the card (lexicon: 年检专用)
    with open_store(store_url) as store:
        keys = [put(store, str(i), title) for i, title in enumerate(CARDS)]
        for key in keys:
            decide(store, key, "dismiss")
    env = store_env(store_url)
    data = tmp_path / "data"
    result = run_firewatch("train", "--no-prices-from-store", data_dir=data, env=env)
    assert result.returncode == 0, result.stderr
    assert "使用 16 条（确认 0，驳回 16）" in result.stdout and "因属留出集舍弃 0 条" in result.stdout
    scorer = Scorer.load(data / "models")
    assert scorer.meta_["reviews"]["used"] == 16 and scorer.meta_["reviews"]["generation"]["decisions"] == 16
    learnt = scorer.assess(listing)
    assert not learnt.flagged and "inspection_only" in learnt.specs["review_overturned"]
    assert scorer.assess(Listing("jd", "r", title=RISKY, price=Decimal("15"))).flagged  # the phrase still flags
    stored = scorer.assess_many([Listing("jd", "0", title=CARDS[0], price=Decimal("15"))])[0]
    assert not stored.flagged  # the dismissed listing itself, scored again

    # only the decisions did it (the session's model is `train` without them): weighing a tenth, they do not
    light = run_firewatch("train", "--no-prices-from-store", data_dir=tmp_path / "light",
                          env={**env, "FIREWATCH_TRAINING__REVIEW_WEIGHT": "0.1"})
    assert light.returncode == 0, light.stderr
    assert Scorer.load(tmp_path / "light" / "models").assess(listing).flagged
    shown = run_firewatch("evaluate", "--data", "classifiers/data/heldout.jsonl", data_dir=data, env=env)
    assert "审核结论 16 条（确认 0，驳回 16" in shown.stdout


@pytest.mark.allow_training
@pytest.mark.timeout(900)  # retrains the whole model (about 200 s on a busy 2-core machine)
def test_reviewers_dismissals_of_a_reason_lower_its_score_after_retraining(store_url, trained_model, run_firewatch,
                                                                          tmp_path):
    """Issue 17, "scores that rank": a reason's reliability is its judged prior moved by reviewers'
    decisions; reviewers dismissing price_too_low flags lower what a lone low price scores."""
    page = {"attributes": {"品牌": "某牌", "型号": "MFZ/ABC4"}, "description": "干粉灭火器 商铺用 现货"}
    listing = Listing("pdd", "new", title="干粉灭火器 MFZ/ABC4 4kg", price=Decimal("12"), **page)
    corpus_only = trained_model.scorer.assess(listing)
    assert [r.code for r in corpus_only.reasons] == ["price_too_low"] and corpus_only.flagged
    before = trained_model.scorer.meta_["calibration"]["reliability"]["price_too_low"]
    assert before["sources"] == ["prior", "corpus"] and before["reviews_dismissed"] == 0
    with open_store(store_url) as store:
        for i in range(40):  # 40 low-priced listings whose low price two reviewers judged no sign of fraud
            key = put(store, f"p{i}", f"{['干粉', '水基', '二氧化碳', '泡沫'][i % 4]}灭火器 促销款 第{i}批 {i + 1}kg",
                      codes=("price_too_low",))
            decide(store, key, "dismiss", reviewer=("alice", "bob")[i % 2])
        decide(store, put(store, "c", "干粉灭火器 8kg 清仓 9.9元", codes=("price_too_low", "no_manufacturer")),
               "confirm", reviewer="carol")
    data = tmp_path / "data"
    result = run_firewatch("train", "--no-prices-from-store", data_dir=data, env=store_env(store_url))
    assert result.returncode == 0, result.stderr
    scorer = Scorer.load(data / "models")
    assert scorer.meta_["reviews"]["reason_weights"]["price_too_low"] == [1.0, 40.0]
    after = scorer.meta_["calibration"]["reliability"]["price_too_low"]
    assert after["sources"] == ["prior", "reviews", "corpus"] and after["reviews_dismissed"] == 40
    assert after["reviewers"] == 3 and scorer.meta_["reviews"]["reason_reviewers"]["price_too_low"] == 3
    # (0.75·20 + 1 + 0.05·risky) / (20 + 41 + 0.05·fired): the judgement and the corpus (whose real-voice files
    # make low prices look reliable: 20 dismissals, then 30 after session 31's rule and corpus changes, which left
    # the score at 0.5003, no longer outweigh them) are outweighed
    assert after["value"] < 0.5 < before["value"]
    learnt = scorer.assess(listing)
    assert [r.code for r in learnt.reasons] == ["price_too_low"]
    assert learnt.risk_score < corpus_only.risk_score - 0.3 and not learnt.flagged
    # another reason's reliability is untouched: the reviewers said nothing of it
    assert scorer.meta_["calibration"]["reliability"]["inspection_only"]["value"] == \
        trained_model.scorer.meta_["calibration"]["reliability"]["inspection_only"]["value"]
