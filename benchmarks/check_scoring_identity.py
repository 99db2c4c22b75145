"""Check: this tree scores every labelled listing exactly as a previous commit does (a speed change's proof).

The whole tree of the previous commit (`--base`, default: where this branch left main) is unpacked from git
into a temporary directory, one model is trained there with its code (or `--model DIR` is used), and each
tree, in its own process (its own `classifiers` and `firewatch` packages, PYTHONHASHSEED=0), scores every
listing of the training and development files: corpus, hand_corpus, real_voice_train, real_voice3-7,
heldout and heldout2_dev (never the sealed sets) with that model, `assess_many` on two days and once with
a watchlist and a lower threshold, and `assess` one by one on every 25th listing. The full assessments are
compared: category, confidence, score, flag, every reason (code, evidence, field, span) and the specs.
Exits non-zero on any difference.
Run: `.venv/bin/python benchmarks/check_scoring_identity.py [--base REV] [--model DIR]`.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["corpus.jsonl", "hand_corpus.jsonl", "real_voice_train.jsonl", "real_voice3.jsonl", "real_voice4.jsonl",
         "real_voice5.jsonl", "real_voice6.jsonl", "real_voice7.jsonl", "real_voice8.jsonl", "real_voice9.jsonl", "heldout.jsonl",
         "heldout2_dev.jsonl"]


def _key(a) -> tuple:
    return (a.platform, a.listing_id, a.category, a.category_confidence, a.risk_score, a.flagged,
            [(r.code, r.evidence, r.source, r.start, r.end, r.span_field) for r in a.reasons], repr(a.specs))


def dump(model: str, out: str) -> None:
    """In a tree's own process: score the files with `model`, pickle the keyed assessments to `out`."""
    from datetime import date

    from threadpoolctl import threadpool_limits

    from classifiers.corpus import DATA_DIR, load_records, record_to_listing
    from classifiers.scorer import Scorer
    from classifiers.watchlist import Watchlist

    scorer = Scorer.load(model)
    result = {}
    with threadpool_limits(limits=1):
        for name in FILES:
            listings = [record_to_listing(r) for r in load_records(DATA_DIR / name)]
            watchlist = Watchlist([x.shop_name for x in listings if x.shop_name][::5])
            result[name, "2026-01-15"] = [_key(a) for a in scorer.assess_many(listings, now=date(2026, 1, 15))]
            result[name, "2024-06-01"] = [_key(a) for a in scorer.assess_many(listings, now=date(2024, 6, 1))]
            result[name, "watchlist"] = [_key(a) for a in scorer.assess_many(listings, watchlist=watchlist,
                                                                            threshold=0.4, now=date(2025, 3, 1))]
            result[name, "one by one"] = [_key(scorer.assess(x, now=date(2026, 1, 15))) for x in listings[::25]]
    Path(out).write_bytes(pickle.dumps(result))


def _run(tree: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=tree, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="git revision to compare with (default: merge base with main)")
    parser.add_argument("--model", help="a saved model directory (default: trained with the base's code)")
    parser.add_argument("--dump", nargs=2, metavar=("MODEL", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--train", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(*args.dump)
        return 0
    if args.train:
        from datetime import date

        from threadpoolctl import threadpool_limits

        from classifiers.scorer import train_default
        with threadpool_limits(limits=1):
            train_default(Path(args.train), now=date(2026, 1, 15))
        return 0
    git = ["git", "-C", str(ROOT)]
    base = args.base or subprocess.run(git + ["merge-base", "HEAD", "main"], check=True, capture_output=True,
                                       text=True).stdout.strip()
    base = subprocess.run(git + ["rev-parse", "--short", base], check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = subprocess.run(git + ["archive", base], check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp / "base", filter="data")
        model = args.model or str(tmp / "model")
        if not args.model:
            _run(tmp / "base", "--train", model)
        _run(tmp / "base", "--dump", model, str(tmp / "base.pkl"))
        _run(ROOT, "--dump", model, str(tmp / "new.pkl"))
        old, new = pickle.loads((tmp / "base.pkl").read_bytes()), pickle.loads((tmp / "new.pkl").read_bytes())
    compared = differ = 0
    for key, rows in old.items():
        for a, b in zip(rows, new.get(key, []), strict=True):
            compared += 1
            if a != b:
                differ += 1
                if differ <= 3:
                    print(f"differs in {key}:\n  {base}: {a}\n  this tree: {b}")
    listings = sum(len(rows) for (_, variant), rows in old.items() if variant == "2026-01-15")
    print(f"classifiers at {base} and this tree: {listings} listings, {compared} assessments compared, "
          f"{differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
