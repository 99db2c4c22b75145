"""The certification hook's cost: RiskRules.check over the demo catalogue's 1,600 day-0 listings with
the hook (CCC scope, certificate numbers, identity labels, classes) and with it replaced by a no-op,
interleaved rounds, best of each. Run: `.venv/bin/python benchmarks/bench_certification.py`."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from demo_market.generator import build_catalogue  # noqa: E402
from classifiers.risk import RiskRules  # noqa: E402
from firewatch.core.models import Listing  # noqa: E402

cat = build_catalogue(seed=7)
ls = [(Listing(platform=x.platform, listing_id=x.listing_id, title=x.title, price=x.price, shop_name=x.shop_name,
               attributes=dict(x.attributes), description=x.description), x.true_category) for x in cat.initial()]
with_hook = RiskRules(); without = RiskRules()
without._certification_reasons = lambda *a, **k: []
for r in (with_hook, without):
    for l, c in ls[:200]: r.check(l, c)
res = {}
for rnd in range(5):
    for name, r in (("with", with_hook), ("without", without)):
        t = time.perf_counter()
        for l, c in ls: r.check(l, c)
        res.setdefault(name, []).append(time.perf_counter() - t)
w, wo = min(res["with"]), min(res["without"])
print(f"rules.check over {len(ls)} demo listings: with the certification hook {w:.3f} s, without {wo:.3f} s, ratio {w / wo:.2f}")
