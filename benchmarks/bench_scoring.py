"""Benchmark: batch scoring (`Scorer.assess_many`) against the previous scorer and the tokenizer alone, same texts, same run.

Goal (issue 14): score at least 5,000 full listings per second on one core. Three scorers run on
the same listings in the same process: this tree's with the rjieba engine (the default), this
tree's with the Python jieba engine, and the previous `classifiers` package loaded from git
(`--base`, default: where this branch left main) with rjieba, sharing the same fitted models
(or, when the previous package cannot read this tree's models, e.g. their title feature blocks
of issue 17, with its own models trained from its own data: then only the speeds compare);
the previous and the new one alternate, best of `--repeat` each, and with shared models must
give the same assessments. The tokenizer alone is timed with each engine, and `jieba.lcut` over exactly the
text the models see (`listing_text`). The listings are the demo market catalogue's (seed 7)
repeated to N. Two inputs are measured: `title`: listings with the title only (the minimal
`firewatch score` line); `full`: title + attributes + description, what the crawler stores.
BLAS/OpenMP pools are limited to one thread with threadpoolctl, and the process is pinned to
one CPU where the OS allows; rates are per CPU-second of the process (time.process_time), so
other work on a shared machine does not count. The one-by-one `Scorer.assess` is timed on a
sample for comparison.
Run: `.venv/bin/python benchmarks/bench_scoring.py [N] [--base REV] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jieba  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from baseline import CACHE, base_rev  # noqa: E402
from classifiers.corpus import listing_text  # noqa: E402
from classifiers.scorer import train_default  # noqa: E402
from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.core.models import Listing  # noqa: E402
from firewatch.core.text import tokenize, use_engine  # noqa: E402

NOW = date(2026, 1, 15)


def previous_scorer_module(rev: str | None = None):
    """`classifiers.scorer` as it was at `rev`: the whole `classifiers` package of that commit
    (its relative imports and data files) unpacked under var/bench as another package name."""
    rev = base_rev(rev)
    name = f"baseline_classifiers_{rev}"
    root = CACHE / "classifiers"
    if not (root / name / "scorer.py").exists():
        import subprocess

        archive = subprocess.run(["git", "-C", str(Path(__file__).resolve().parents[1]), "archive", rev,
                                  "classifiers"], check=True, capture_output=True).stdout
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(tmp, filter="data")
            (Path(tmp) / "classifiers").rename(root / name)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module(f"{name}.scorer")
    module.BASE_REV = rev
    return module


def shares_models(module, scorer) -> bool:
    """Whether the previous package can score with `scorer`'s fitted models (its batch features
    accept them)."""
    features = importlib.import_module(module.__name__.rsplit(".", 1)[0] + ".features")
    try:
        features.FastFeatures(scorer.category_model_.transformer())
    except ValueError:
        return False
    return True


def previous_scorer(module, scorer, model_dir: Path | None = None):
    """A scorer of the previous package holding `scorer`'s fitted models (its own rules), or,
    when it cannot read them, its own default-trained models (saved in `model_dir`)."""
    if not shares_models(module, scorer):
        return module.train_default(model_dir, now=NOW)
    old = module.Scorer()
    old.category_model_, old.risk_model_ = scorer.category_model_, scorer.risk_model_
    # a package before issue 17 calibrates the raw score (isotonic); it cannot run a
    # combiner (any calibrator with a `kind`), whose inputs it does not compute: it scores
    # uncalibrated (a speed baseline)
    combiner = getattr(scorer.calibrator_, "kind", None) is not None
    old.calibrator_, old.meta_ = None if combiner else scorer.calibrator_, dict(scorer.meta_)
    old.set_price_model(scorer.price_model_)
    return old


def best_of(fn, repeat: int = 3) -> float:
    """Least CPU time of this process over `repeat` runs: the work done on the one core it
    is pinned to, whatever else the shared machine runs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def alternating(fns: dict[str, object], repeat: int) -> dict[str, float]:
    """Least CPU time of each function, the functions taking turns (the same machine load)."""
    times: dict[str, list[float]] = {label: [] for label in fns}
    for _ in range(repeat):
        for label, fn in fns.items():
            start = time.process_time()
            fn()
            times[label].append(time.process_time() - start)
    return {label: min(t) for label, t in times.items()}


def listings(n: int, full: bool) -> list[Listing]:
    base = build_catalogue(seed=7).listings
    out = []
    for i in range(n):
        c = base[i % len(base)]
        out.append(Listing(platform=c.platform, listing_id=f"{c.listing_id}-{i}", title=c.title, price=c.price,
                           shop_name=c.shop_name if full else "", attributes=dict(c.attributes) if full else {},
                           description=c.description if full else ""))
    return out


def _key(a) -> tuple:
    return (a.category, a.category_confidence, a.risk_score, a.flagged,
            [repr(r) for r in a.reasons], a.specs)  # every field of each reason, spans included


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=20000, help="listings per input (default 20,000)")
    parser.add_argument("--base", help="git revision of the previous classifiers (default: merge base with main)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each scorer, alternating; the least is kept")
    args = parser.parse_args()
    n = args.n
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    old_module = previous_scorer_module(args.base)
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        scorer = train_default(Path(tmp) / "model", now=NOW)
        with use_engine("jieba"):
            reference = train_default(Path(tmp) / "model-jieba", now=NOW)
        print("held-out split (classifiers/data/heldout.jsonl), model trained and evaluated with each engine:")
        for name, m in (("jieba", reference.meta_["metrics"]["heldout"]), ("rjieba", scorer.meta_["metrics"]["heldout"])):
            print(f"  {name:<7} " + ", ".join(f"{k} {v}" for k, v in m.items() if k not in ("n", "threshold")))
        print("  same figures: " + ("yes" if reference.meta_["metrics"] == scorer.meta_["metrics"] else "NO"), flush=True)
        shared = shares_models(old_module, scorer)
        old = previous_scorer(old_module, scorer, Path(tmp) / "model-previous")
        jieba.setLogLevel(60)
        jieba.lcut("预热 warm up 灭火器")
        print(f"listings: {n} (demo catalogue, seed 7, repeated); one thread, one CPU; previous scorer: "
              f"classifiers at {old_module.BASE_REV} (git), {'same models' if shared else 'its own models'}, rjieba")
        print(f"{'input':<6} {'chars':>6} {'jieba.lcut/s':>13} {'tok jieba/s':>12} {'tok rjieba/s':>13} "
              f"{'score jieba/s':>14} {'previous/s':>11} {'score rjieba/s':>15} {'vs previous':>12} "
              f"{'one-by-one/s':>13}")
        results = {}
        for kind in ("title", "full"):
            items = listings(n, full=kind == "full")
            texts = [listing_text(x) for x in items]
            rates = {}
            with use_engine("jieba"):
                scorer.assess_many(items[:200], now=NOW)  # warm (tokenizer, feature tables)
                rates["tok jieba"] = n / best_of(lambda: [tokenize(t) for t in texts])
                rates["score jieba"] = n / best_of(lambda: scorer.assess_many(items, now=NOW), repeat=2)
            with use_engine("rjieba"):
                scorer.assess_many(items[:200], now=NOW)
                old.assess_many(items[:200], now=NOW)
                rates["tok rjieba"] = n / best_of(lambda: [tokenize(t) for t in texts])
                same = shared and [_key(a) for a in old.assess_many(items, now=NOW)] == \
                    [_key(a) for a in scorer.assess_many(items, now=NOW)]
                times = alternating({"previous": lambda: old.assess_many(items, now=NOW),
                                     "new": lambda: scorer.assess_many(items, now=NOW)}, args.repeat)
            t_jieba = best_of(lambda: [jieba.lcut(t) for t in texts])
            sample = items[:300]
            t_single = best_of(lambda: [scorer.assess(x, now=NOW) for x in sample], repeat=1) / len(sample) * n
            chars = sum(map(len, texts)) / n
            rate, previous = n / times["new"], n / times["previous"]
            results[kind] = (rate, previous, same, times["new"] / t_jieba)
            print(f"{kind:<6} {chars:6.0f} {n / t_jieba:13.0f} {rates['tok jieba']:12.0f} {rates['tok rjieba']:13.0f} "
                  f"{rates['score jieba']:14.0f} {previous:11.0f} {rate:15.0f} {rate / previous:11.2f}x "
                  f"{n / t_single:13.0f}", flush=True)
        print("score = Scorer.assess_many (batch) listings per CPU-second; previous = the same with the previous "
              "classifiers package; tok = firewatch.core.text.tokenize alone; vs previous = score rjieba / previous "
              "(same run, alternating)")
        for kind, (rate, previous, same, ratio) in results.items():
            print(f"{kind}: {'MET' if rate >= 5000 else 'NOT MET'} 5000/s ({rate:.0f}/s, previous {previous:.0f}/s, "
                  f"{rate / previous:.2f}x); same assessments as the previous scorer: "
                  f"{('yes' if same else 'NO') if shared else 'not compared (its own models)'}; "
                  f"scoring takes {ratio:.2f}x the time of jieba.lcut alone on the same texts")


if __name__ == "__main__":
    main()
