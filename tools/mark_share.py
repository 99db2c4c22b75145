"""How many flagged demo-market listings have their evidence marked on the listing page (issue 15).

Scores the demo catalogue's 1,600 day-0 listings (seed 7) with a trained model and the demo
watchlist, stores them in a fresh SQLite data folder, serves the web app and fetches every
flagged listing's page over HTTP. Prints the share of pages with any <mark> and, given the
matched texts of a run whose reasons keep spans (written to EXPECTED when this code has them),
the share of pages whose marks hold every reason's matched text. Works on code before and after
spans, so the two can be compared:

    .venv/bin/python tools/mark_share.py MODEL_DIR DATA_DIR EXPECTED.json
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsel import Selector  # noqa: E402

from classifiers.scorer import Scorer, train_default  # noqa: E402
from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.core.models import Listing  # noqa: E402
from firewatch.core.settings import load_settings  # noqa: E402
from firewatch.search import open_index  # noqa: E402
from firewatch.services.loaders import load_watchlist  # noqa: E402
from firewatch.store import open_store  # noqa: E402
from firewatch.web import create_app  # noqa: E402
from firewatch.web.security import hash_password  # noqa: E402
from firewatch.web.serving import AppServer  # noqa: E402
from tests.helpers import PASSWORD, login_client  # noqa: E402

SEEN = datetime(2026, 1, 15, 8, tzinfo=timezone.utc)


def _text(listing: Listing, field: str) -> str:
    return listing.attributes[field[len("attributes."):]] if field.startswith("attributes.") else getattr(listing, field)


def main(model_dir: Path, data: Path, expected_path: Path) -> None:
    scorer = Scorer.load(model_dir) if model_dir.exists() else train_default(model_dir)
    data.mkdir(parents=True, exist_ok=True)
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}, "scoring": {
        "watchlist": str(ROOT / "demo_market" / "data" / "watchlist.csv")}})
    listings = [Listing(platform=x.platform, listing_id=x.listing_id, url=f"https://item.example.com/{x.listing_id}",
                        title=x.title, price=x.price, shop_id=x.shop_id, shop_name=x.shop_name,
                        attributes=dict(x.attributes), description=x.description, last_seen=SEEN)
                for x in build_catalogue(seed=7).initial()]
    assessments = scorer.assess_many(listings, watchlist=load_watchlist(settings), now=date(2026, 1, 15))
    flagged = []
    with open_store(data / "firewatch.db", data_dir=data) as store:
        index = open_index("sqlite", data / "search.db")
        for listing, assessment in zip(listings, assessments):
            store.listings.upsert_listing(listing, observed_at=SEEN)
            store.assessments.save_assessment(assessment)
            if assessment.flagged:
                flagged.append((listing, assessment))
                index.index_listing(store.listings.get_listing(listing.key), assessment)
        index.close()
        store.users.add_user("regulator", "regulator", hash_password(PASSWORD), "")
    if hasattr(flagged[0][1].reasons[0], "span"):  # this code keeps spans: write what each reason matched
        expected_path.write_text(json.dumps({f"{l.platform}:{l.listing_id}": [_text(l, f)[s:e] for f, s, e in
                                                                           (r.span for r in a.reasons if r.span)]
                                             for l, a in flagged}, ensure_ascii=False), encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {}
    server = AppServer(create_app(settings))
    client = login_client(server.start(), "regulator")
    any_mark = exact = quoted = 0
    try:
        for listing, _ in flagged:
            marks = Selector(client.get(f"/listings/{listing.platform}/{listing.listing_id}").text).css(
                "mark").xpath("string()").getall()
            any_mark += bool(marks)
            want = expected.get(f"{listing.platform}:{listing.listing_id}")
            if want:
                quoted += 1
                exact += all(any(w in m for m in marks) for w in want)
    finally:
        client.close()
        server.stop()
    print(f"flagged {len(flagged)}; pages with a <mark>: {any_mark}/{len(flagged)} = {any_mark / len(flagged):.1%}")
    if quoted:
        print(f"pages marking every reason's matched text: {exact}/{quoted} = {exact / quoted:.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
