"""Batch scoring: `assess_many` equals `assess`, the fast features equal scikit-learn's,
normalize's fast path equals the per-character one, and the model version check."""

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from classifiers.corpus import CORPUS_PATH, HELDOUT_PATH, listing_text, load_records, record_to_listing
from classifiers.exceptions import ModelIntegrityError
from classifiers.features import FastFeatures
from classifiers.scorer import Scorer
from firewatch.core.text import normalize, tokenize_normalized
from classifiers.watchlist import Watchlist
from firewatch.core.models import Listing

from tests.helpers import NOW

EXTRA = [
    Listing(platform="pdd", listing_id="x1", title="MFZ/ABC4 干粉灭火器 4kg 年检专用", price=Decimal("9.50")),
    Listing(platform="jd", listing_id="x2", title="ＭＦＺ／ＡＢＣ４　手提式灭火器　非二手", shop_name="某某消防器材厂",
            attributes={"品牌": "无品牌", "生产厂家": "某某消防器材有限公司"}, description="3C证书编号 2023081801234567"),
    Listing(platform="taobao", listing_id="x3", title=""),
    Listing(platform="taobao", listing_id="x4", title="烟感 报警器   家用\t独立式", description="绝对正品" * 200),
]


def _key(a):
    return (a.platform, a.listing_id, a.category, a.category_confidence, a.risk_score, a.flagged,
            [(r.code, r.evidence, r.source) for r in a.reasons], a.specs, a.model_versions)


def _listings():
    records = load_records(CORPUS_PATH) + load_records(HELDOUT_PATH)
    return [record_to_listing(r) for r in records] + EXTRA


@pytest.mark.timeout(600)  # often the session's first user of the trained model: its training (cross-validated
# calibration, about a minute of CPU) counts here, beside 4,000 listings scored one by one
def test_assess_many_equals_assess(scorer):
    listings = _listings()
    wl = Watchlist(["某某消防器材有限公司"])
    one = [scorer.assess(l, watchlist=wl, now=NOW) for l in listings]
    many = scorer.assess_many(listings, watchlist=wl, now=NOW, chunk_size=97)
    assert len(many) == len(listings)
    mismatched = [(l.title, _key(a), _key(b)) for l, a, b in zip(listings, one, many) if _key(a) != _key(b)]
    assert not mismatched, mismatched[:3]
    # a low threshold makes the text model name reasons (its top terms come from the batch row);
    # 0.01 is below the calibrated score of any listing (the combiner's floor is about 0.03)
    heldout = [record_to_listing(r) for r in load_records(HELDOUT_PATH)]
    one = [scorer.assess(l, threshold=0.001, now=NOW) for l in heldout]
    many = scorer.assess_many(heldout, threshold=0.001, now=NOW)
    assert [_key(a) for a in one] == [_key(b) for b in many]
    assert any(r.source == "text_model" for a in many for r in a.reasons)
    assert scorer.assess_many([], now=NOW) == []


def test_fast_features_bit_identical(scorer):
    texts = [listing_text(l) for l in _listings()]
    norms = [normalize(t) for t in texts]
    tokens = [tokenize_normalized(n) for n in norms]
    for model in (scorer.category_model_, scorer.risk_model_):
        union = model.transformer()
        expected = union.transform(texts).tocsr()
        got = FastFeatures(union).transform(norms, tokens)
        assert got.shape == expected.shape
        assert (got.indptr == expected.indptr).all() and (got.indices == expected.indices).all()
        assert (got.data == expected.data).all()  # exact, not approximate


def test_score_records_matches_score_record(scorer):
    records = load_records(HELDOUT_PATH)[:40] + [{"id": "m", "title": "消防水带 8-65-20"}]
    batch = scorer.score_records(records, now=NOW)
    single = [scorer.score_record(r, now=NOW) for r in records]
    assert batch == single


def _normalize_reference(text):
    out = []
    for ch in text:
        code = ord(ch)
        out.append(" " if code == 0x3000 else chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else ch)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in out)


@pytest.mark.parametrize("text", ["ΑΣ ΣΑ ς", "İstanbul ＭＦＺ／ＡＢＣ４", "ǅ ẞ ﬀ Ω K Å", "\u3000ＡＢ",
                                  "".join(chr(c) for c in range(0x20, 0x2000)),
                                  "".join(chr(c) for c in range(0xFF00, 0xFFF0))])
def test_normalize_fast_path(text):
    assert normalize(text) == _normalize_reference(text)
    assert len(normalize(text)) == len(text)


def test_normalize_corpus():
    for rec in load_records(CORPUS_PATH):
        assert normalize(rec["title"]) == _normalize_reference(rec["title"])


def test_version_mismatch_refuses(scorer, model_dir, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(model_dir, copy)
    sidecar = copy / "model.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "1.0.2"
    sidecar.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=r"1\.0\.2.*firewatch train"):
        Scorer.load(copy)
    del meta["versions"]["scikit-learn"]
    sidecar.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="firewatch train"):
        Scorer.load(copy)


def test_the_command_line_trains_only_when_no_model_is_saved(trained_model, run_firewatch, tmp_path, monkeypatch):
    """`firewatch score` trains when the model directory is empty (as `firewatch train`
    does); over a model written by another scikit-learn it refuses, naming `firewatch
    train`, and does not retrain. Training here copies the session's model (same corpus,
    same seed), so the test checks when training happens, not how long it takes."""
    calls = []

    def train(directory, *args, **kwargs):
        calls.append(Path(directory))
        shutil.copytree(trained_model.directory, directory, dirs_exist_ok=True)
        return Scorer.load(directory)

    monkeypatch.setattr("firewatch.services.loaders.train_default", train)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "干粉灭火器4kg 年检专用"}, ensure_ascii=False) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    result = run_firewatch("score", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert calls == [data / "models"] and "training now" in result.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["category"] == "portable_extinguisher"
    again = run_firewatch("score", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), data_dir=data)
    assert again.returncode == 0 and calls == [data / "models"]  # saved now: loaded, not trained

    sidecar = data / "models" / "model.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.24.0"
    sidecar.write_text(json.dumps(meta), encoding="utf-8")
    refused = run_firewatch("score", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), data_dir=data)
    assert refused.returncode != 0 and "firewatch train" in refused.stderr, refused.stderr
    assert calls == [data / "models"]  # no retraining over a mismatched model
