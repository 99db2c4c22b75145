"""Measure the scorer on the demo market's catalogue, which it was never trained on.

Scores every day-0 catalogue listing (title, attributes, shop, description, price, as a
crawler would store them) with the default-trained scorer and the demo watchlist, then
compares flags, reason codes and categories with the catalogue's ground truth. Prints
precision and recall per reason, the scoring rate, the flagged listings' risk scores by decile
and the risk score's calibration against the catalogue's truth (Brier, ECE). Run:
`.venv/bin/python benchmarks/eval_demo_market.py`.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.calibration import expected_calibration_error  # noqa: E402
from classifiers.evaluate import format_deciles  # noqa: E402
from classifiers.scorer import train_default  # noqa: E402
from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.services.loaders import load_watchlist  # noqa: E402
from firewatch.core.models import Listing  # noqa: E402
from firewatch.core.settings import load_settings  # noqa: E402


def main() -> None:
    catalogue = build_catalogue(seed=7)
    settings = load_settings(env={}).with_overrides(
        {"scoring": {"watchlist": str(ROOT / "demo_market" / "data" / "watchlist.csv")}})
    watchlist = load_watchlist(settings)
    with tempfile.TemporaryDirectory() as tmp:
        scorer = train_default(Path(tmp))
    items = catalogue.initial()
    listings = [Listing(platform=x.platform, listing_id=x.listing_id, title=x.title, price=x.price,
                        shop_name=x.shop_name, attributes=dict(x.attributes), description=x.description)
                for x in items]
    start = time.perf_counter()
    assessments = [scorer.assess(l, watchlist=watchlist) for l in listings]
    elapsed = time.perf_counter() - start
    tp = fp = fn = 0
    per = collections.defaultdict(collections.Counter)
    category_ok = 0
    for truth, a in zip(items, assessments):
        true_codes, got = set(truth.true_reasons), {r.code for r in a.reasons} if a.flagged else set()
        category_ok += a.category == truth.category
        tp += bool(a.flagged and true_codes)
        fp += bool(a.flagged and not true_codes)
        fn += bool(true_codes and not a.flagged)
        for code in got | true_codes:
            per[code]["tp" if code in got and code in true_codes else "fp" if code in got else "fn"] += 1
    n = len(items)
    print(f"listings {n}, risky {sum(1 for x in items if x.true_reasons)}; scored in {elapsed:.1f} s ({n / elapsed:.0f}/s)")
    print(f"flag precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}  category accuracy {category_ok / n:.3f}")
    print(f"{'reason':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>10}{'recall':>8}")
    for code, c in sorted(per.items()):
        print(f"{code:<22}{c['tp']:5d}{c['fp']:5d}{c['fn']:5d}{c['tp'] / max(c['tp'] + c['fp'], 1):10.2f}"
              f"{c['tp'] / max(c['tp'] + c['fn'], 1):8.2f}")
    truth = [int(bool(x.true_reasons)) for x in items]
    scores = [a.risk_score for a in assessments]
    brier = sum((s - t) ** 2 for s, t in zip(scores, truth)) / n
    print(f"risk_score calibration on the catalogue: Brier {brier:.4f}, ECE {expected_calibration_error(truth, scores):.4f}")
    flagged = [a.risk_score for a in assessments if a.flagged]
    print(format_deciles(flagged, "flagged listings' risk_score by decile"))
    top = [sum(lo <= s < hi for s in flagged) for lo, hi in ((0.9, 0.95), (0.95, 0.99), (0.99, 0.995), (0.995, 2))]
    print(f"top decile in finer bins: 0.90-0.95 {top[0]}, 0.95-0.99 {top[1]}, 0.99-0.995 {top[2]}, >= 0.995 {top[3]}")
    print(f"flagged {len(flagged)}: >= 0.99: {sum(s >= 0.99 for s in flagged)}, exactly 1.00: "
          f"{sum(round(s, 2) >= 1.0 for s in flagged)}, distinct scores (2 decimals): "
          f"{len({round(s, 2) for s in flagged})}")


if __name__ == "__main__":
    main()
