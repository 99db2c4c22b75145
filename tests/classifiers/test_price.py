"""Price model: learned baselines, shrinkage to priors, unit normalisation, the flag rule."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sklearn.base import clone

from classifiers.exceptions import ModelNotTrainedError
from classifiers.price import PriceModel, fit_price_model, fit_price_model_from_store, unit_price
from classifiers.risk import RiskRules
from classifiers.scorer import Scorer
from firewatch.core.models import Listing, PriceTier

from tests.helpers import NOW

EXT = "portable_extinguisher"


def ext(i, price, title="干粉灭火器 MFZ/ABC4 4kg", **kw):
    return Listing(platform="jd", listing_id=str(i), title=title, price=Decimal(str(price)), **kw)


@pytest.fixture(scope="module")
def market():
    rng = random.Random(7)
    return [(ext(i, round(rng.uniform(45, 75), 2)), EXT) for i in range(212)]


@pytest.fixture(scope="module")
def model(market):
    return PriceModel().fit(market)


def test_estimator_contract(model):
    fresh = PriceModel(min_samples=5)
    assert fresh.get_params()["min_samples"] == 5 and not hasattr(fresh, "groups_")
    assert clone(fresh).get_params() == fresh.get_params()
    with pytest.raises(ModelNotTrainedError):
        fresh.explain(ext(1, 10), EXT, {})
    empty = clone(model)
    assert empty.fit([]) is empty and empty.groups_ == {}  # fit returns self, even on nothing
    assert all(name.endswith("_") for name in vars(model) if name not in model.get_params())


def test_learned_baseline_flags_with_counts(model, market):
    model = PriceModel().fit(market)
    reasons = model.reasons(ext("x", "9.50"), EXT)
    assert [r.code for r in reasons] == ["price_too_low"] and reasons[0].source == "price"
    text = reasons[0].evidence
    assert text.startswith("4 kg ABC 干粉：212 件同类商品的中位价 ") and "；本商品 9.50 元，为中位价的 0.1" in text
    info = model.explain(ext("x", "9.50"), EXT)
    assert info["source"] == "observed" and info["z"] < -3.5 and info["isolation_forest_outlier"]
    assert 55 < info["median"] < 65
    for ok in ("58", "45", "40"):
        assert model.reasons(ext("y", ok), EXT) == [], ok


def test_priors_only_when_nothing_observed(model):
    reasons = model.reasons(ext("z", "5", title="干粉灭火器 3kg"), EXT)
    assert reasons[0].evidence == "3 kg ABC 干粉：参考中位价 65 元（尚无观测数据）；本商品 5.00 元，为中位价的 0.08 倍"
    assert model.reasons(ext("z", "50", title="干粉灭火器 3kg"), EXT) == []
    # no prior and no data: nothing to compare with
    assert model.explain(ext("z", "1", title="防火玻璃 FFB-25-A1.50"), "foam_agent") is None


def test_shrinkage_towards_prior():
    few = [(ext(i, 100), EXT) for i in range(5)]
    m = PriceModel(min_samples=20, shrinkage=10).fit(few)
    base = m.baseline(EXT, {"weights_kg": [4.0]})
    assert base["source"] == "shrunk" and base["n"] == 5
    assert 60 < base["median"] < 100  # between the prior (60) and the data (100)
    r = m.reasons(ext("c", "10"), EXT)
    assert r and "5 件同类商品的中位价" in r[0].evidence and "（向参考价 60 元收缩）" in r[0].evidence


def test_isolation_forest_vetoes_a_cheap_cluster():
    """A third of the market at 10 yuan is a product line, not an outlier: no flag."""
    rng = random.Random(3)
    data = [(ext(i, round(rng.uniform(58, 62), 2)), EXT) for i in range(40)]
    data += [(ext(100 + i, 10), EXT) for i in range(20)]
    m = PriceModel(contamination=0.05).fit(data)
    info = m.explain(ext("q", 10), EXT)
    assert info["z"] <= -3.5 and info["ratio"] < 0.5  # the z-score alone would flag
    assert info["isolation_forest_outlier"] is False and not info["flagged"]
    # without the second opinion it would flag
    assert PriceModel(use_isolation_forest=False).fit(data).explain(ext("q", 10), EXT)["flagged"]
    # with IsolationForest's own threshold ("auto", the default) a one-dimensional minority cluster
    # counts as anomalous, so both agree and it flags
    assert PriceModel().fit(data).explain(ext("q", 10), EXT)["flagged"]


@pytest.mark.parametrize("title,price,each", [
    ("干粉灭火器 4kg 4只装", "120", 30.0),
    ("干粉灭火器 4kg 2个装", "60", 30.0),
    ("干粉灭火器 4kg 一箱12个", "360", 30.0),
    ("干粉灭火器 4kg 12只/箱", "360", 30.0),
    ("干粉灭火器 4kg", "30", 30.0),
])
def test_packs(model, title, price, each):
    up = unit_price(ext(1, price, title=title), EXT, {}, model.units_)
    assert up["unit_price"] == pytest.approx(each) and up["basis"] == "piece"


def test_pack_evidence_names_the_pack(model):
    r = model.reasons(ext(1, "40", title="干粉灭火器 MFZ/ABC4 4kg 4只装"), EXT)
    assert "40.00 元 / 4 件，合每件 10.00 元" in r[0].evidence


def test_units_per_metre_kg_and_area(model):
    cable = Listing("jd", "c", title="ZR-BV 2.5平方 阻燃电线 100米", price=Decimal("150"))
    up = unit_price(cable, "flame_retardant_cable", {}, model.units_)
    assert up["basis"] == "m" and up["unit_price"] == pytest.approx(1.5)
    hose = Listing("jd", "h", title="消防水带 8-65-20 20米", price=Decimal("80"))
    up = unit_price(hose, "fire_hose", {}, model.units_)  # hoses per metre (issue 17)
    assert up["basis"] == "m" and up["unit_price"] == pytest.approx(4)
    foam = Listing("jd", "f", title="水成膜泡沫灭火剂 AFFF 25kg/桶", price=Decimal("500"))
    assert unit_price(foam, "foam_agent", {}, model.units_)["unit_price"] == pytest.approx(20)
    glass = Listing("jd", "g", title="防火玻璃 FFB-25-A1.50 1200x1500mm", price=Decimal("360"))
    assert unit_price(glass, "fire_glass", {}, model.units_)["unit_price"] == pytest.approx(200)
    unknown_length = Listing("jd", "u", title="NH-YJV 耐火电缆 3x4", price=Decimal("5"))
    assert unit_price(unknown_length, "fire_resistant_cable", {}, model.units_) is None
    # per-metre baselines are learned like any other
    cables = [(Listing("jd", str(i), title=f"阻燃电线 ZR-BV2.5 {n}米", price=Decimal(str(n * 1.5))), "flame_retardant_cable")
              for i, n in enumerate([50, 100, 100, 200] * 6)]
    m = PriceModel().fit(cables)
    r = m.reasons(Listing("pdd", "x", title="阻燃电线 ZR-BV2.5 100米", price=Decimal("15")), "flame_retardant_cable")
    assert r and "15.00 元 / 100 米，合 0.15 元/m" in r[0].evidence and "24 件同类商品的中位价" in r[0].evidence


def test_1688_tiers_and_minimum_order(model):
    tiers = [PriceTier(100, Decimal("8")), PriceTier(2, Decimal("50")), PriceTier(20, Decimal("45"))]
    offer = Listing("1688", "t", title="干粉灭火器 4kg", price_tiers=tiers)
    up = unit_price(offer, EXT, {}, model.units_)
    assert up["unit_price"] == 50 and up["tier"] == 2  # the smallest quantity tier, not the 8-yuan bulk price
    assert model.reasons(offer, EXT) == []
    moq = Listing("1688", "m", title="干粉灭火器 4kg", price_tiers=tiers, attributes={"起订量": "20个"})
    assert unit_price(moq, EXT, {}, model.units_)["unit_price"] == 45  # the tier the minimum order buys
    cheap = Listing("1688", "c", title="干粉灭火器 4kg", price_tiers=[PriceTier(2, Decimal("9")), PriceTier(100, Decimal("7"))])
    r = model.reasons(cheap, EXT)
    assert r and "9.00 元（1688 阶梯价，2 件起批）" in r[0].evidence


def test_rules_hook_uses_the_model_and_falls_back_to_priors(model):
    listing = ext("r", "9.50")
    plain = RiskRules()
    before = {r.code: r for r in plain.check(listing, EXT, now=NOW)[0]}
    assert before["price_too_low"].evidence == "4 kg ABC 干粉：参考中位价 60 元；本商品 9.50 元，为参考价的 0.16 倍"
    learned = RiskRules(price_model=model)
    after = {r.code: r for r in learned.check(listing, EXT, now=NOW)[0]}
    assert "212 件同类商品的中位价" in after["price_too_low"].evidence
    assert plain.price_reason(listing, EXT, {"weights_kg": [4.0]}, price_model=model)[0].evidence == \
        after["price_too_low"].evidence


def test_fit_price_model_helpers(tmp_path, market):
    listings = [l for l, _ in market]
    m = fit_price_model(listings, [EXT] * len(listings), min_samples=10)
    assert m.min_samples == 10 and m.n_listings_ == 212
    from firewatch.core.models import Assessment
    from firewatch.store import open_store

    with open_store(tmp_path / "fw.db") as store:
        for l in listings[:30]:
            store.listings.upsert_listing(l)
            store.assessments.save_assessment(Assessment(l.platform, l.listing_id, EXT, 0.9, 0.1, False))
        store.listings.upsert_listing(ext("unscored", 60))  # no assessment and no scorer: left out
        m2 = fit_price_model_from_store(store)
    assert m2.n_listings_ == 30 and m2.groups_[(EXT, "dry_powder:4")]["n"] == 30


def test_saved_and_loaded_with_the_scorer(scorer, model, tmp_path):
    s = Scorer()
    s.category_model_, s.risk_model_, s.meta_ = scorer.category_model_, scorer.risk_model_, dict(scorer.meta_)
    s.set_price_model(model).save(tmp_path)
    loaded = Scorer.load(tmp_path)
    assert loaded.price_model_ is not None and loaded.rules.price_model is loaded.price_model_
    assert loaded.meta_["price_model"]["n_listings"] == 212
    a = loaded.assess(ext("s", "9.50"), now=NOW)
    assert any(r.code == "price_too_low" and "212 件同类商品的中位价" in r.evidence for r in a.reasons)
    # a scorer saved without a price model loads with none (priors only)
    s.set_price_model(None).save(tmp_path / "plain")
    assert Scorer.load(tmp_path / "plain").price_model_ is None
