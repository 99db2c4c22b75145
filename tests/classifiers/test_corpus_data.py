"""Corpus files: size, hand-written share, held-out coverage and separation."""

from classifiers.corpus import CORPUS_PATH, DATA_DIR, HELDOUT_PATH, load_records
from classifiers.risk import REASON_CODES


def test_corpus_size_and_sources():
    corpus = load_records(CORPUS_PATH)
    heldout = load_records(HELDOUT_PATH)
    assert all(r.get("source") in ("hand", "generated") for r in corpus)
    assert all(r.get("source") == "hand" for r in heldout)
    assert len(corpus) + len(heldout) >= 3000
    assert sum(r["source"] == "hand" for r in corpus) + len(heldout) >= 800
    hand = load_records(DATA_DIR / "hand_corpus.jsonl")
    assert {r["title"] for r in hand} <= {r["title"] for r in corpus}
    platforms = {r["platform"] for r in hand}
    assert {"jd", "taobao", "tmall", "pdd", "1688"} <= platforms


def test_heldout_covers_everything_and_is_never_trained_on(taxonomy):
    corpus = load_records(CORPUS_PATH)
    heldout = load_records(HELDOUT_PATH)
    assert len(heldout) >= 200
    assert {r["category"] for r in heldout} == taxonomy
    codes = {c for r in heldout for c in r["reasons"]}
    assert codes == set(REASON_CODES) - {"watchlist_seller"}
    assert not {r["title"] for r in heldout} & {r["title"] for r in corpus}
    assert all(set(r["reasons"]) <= set(REASON_CODES) for r in corpus + heldout)
    assert all(not r["reasons"] for r in corpus + heldout if r["category"] == "not_fire")
