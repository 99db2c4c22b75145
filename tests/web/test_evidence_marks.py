"""The listing page on the demo market's listings, scored by the real classifiers: every flagged
listing's page marks exactly the text its reasons matched (the span stored with each reason, in
its field: title, attribute value, description, shop name), and what it says about them is Chinese.

The data: the demo catalogue (seed 7, its 1,600 day-0 listings, as a crawl stores them), scored
by the session's trained model with the demo watchlist, in a SQLite store served by a real
uvicorn server; pages are fetched over HTTP and read with parsel.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from parsel import Selector

from firewatch.core.models import Listing
from tests.chinese import english_in
from tests.helpers import NOW, PASSWORD, login_client

ROOT = Path(__file__).resolve().parents[2]
SEEN = datetime(2026, 1, 15, 8, tzinfo=timezone.utc)

# where the listing page shows each field's text
CONTAINERS = {"title": "h1.title", "description": "div.description", "shop_name": "b.shop"}


@pytest.fixture(scope="module")
def demo_site(trained_model, tmp_path_factory):
    from demo_market.generator import build_catalogue
    from firewatch.core.settings import load_settings
    from firewatch.services.loaders import load_watchlist
    from firewatch.search import open_index
    from firewatch.store import open_store
    from firewatch.web import create_app
    from firewatch.web.security import hash_password
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("demo-marks")
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}, "scoring": {
        "watchlist": str(ROOT / "demo_market" / "data" / "watchlist.csv")}})
    catalogue = build_catalogue(seed=7)
    listings = [Listing(platform=x.platform, listing_id=x.listing_id, url=f"https://item.example.com/{x.listing_id}",
                        title=x.title, price=x.price, shop_id=x.shop_id, shop_name=x.shop_name,
                        attributes=dict(x.attributes), description=x.description, last_seen=SEEN)
                for x in catalogue.initial()]
    watchlist = load_watchlist(settings)  # the demo's spot-check list (no store yet)
    assert watchlist
    assessments = trained_model.scorer.assess_many(listings, watchlist=watchlist, now=NOW)
    flagged = []
    with open_store(data / "firewatch.db") as store:
        index = open_index("sqlite", data / "search.db")
        try:
            for listing, assessment in zip(listings, assessments):
                store.listings.upsert_listing(listing, observed_at=SEEN)
                store.assessments.save_assessment(assessment)
                if assessment.flagged:
                    flagged.append((store.listings.get_listing(listing.key), assessment))
                    index.index_listing(store.listings.get_listing(listing.key), assessment)
        finally:
            index.close()
        store.users.add_user("regulator", "regulator", hash_password(PASSWORD), "")
    server = AppServer(create_app(settings))
    url = server.start()
    client = login_client(url, "regulator")
    yield client, flagged
    client.close()
    server.stop()


def _field_text(listing: Listing, field: str) -> str:
    if field.startswith("attributes."):
        return listing.attributes[field[len("attributes."):]]
    return getattr(listing, field)


def _marks(page: Selector, field: str) -> list[str]:
    if field.startswith("attributes."):
        rows = page.xpath("//table[contains(@class, 'attrs')]//tr[@data-field=$f]", f=field)
        return rows.css("td mark").xpath("string()").getall()
    return page.css(f"{CONTAINERS[field]} mark").xpath("string()").getall()


def test_flagged_listings_mark_exactly_what_their_reasons_matched(demo_site):
    client, flagged = demo_site
    assert len(flagged) > 300  # the demo market's risky quarter
    exact, with_span, spurious = 0, 0, []
    for listing, assessment in flagged:
        spans = [r.span for r in assessment.reasons if r.span]
        if not spans:
            continue  # a price-only flag quotes no text
        with_span += 1
        response = client.get(f"/listings/{listing.platform}/{listing.listing_id}")
        assert response.status_code == 200
        page = Selector(response.text)
        ok = True
        for field, start, end in spans:
            matched = _field_text(listing, field)[start:end]
            marks = _marks(page, field)
            # the mark covers the matched text: one mark holds it (overlapping spans merge into one)
            if not any(matched in m for m in marks):
                ok = False
        # and nothing else is marked: every mark is a reason's span, not a search for a snippet
        expected = {_field_text(listing, f)[s:e] for f, s, e in spans}
        for mark in page.css("mark").xpath("string()").getall():
            if not any(x in mark for x in expected):
                spurious.append((listing.key, mark))
        exact += ok
    share = exact / with_span
    print(f"flagged listings whose page marks exactly what each reason matched: {exact}/{with_span} = {share:.1%}")
    assert with_span >= 0.85 * len(flagged)  # nearly every flag quotes text (price-only ones do not)
    assert share >= 0.98, share
    assert spurious == []


def test_listing_page_speaks_chinese(demo_site):
    """Reasons, their fields, attribute names and parsed specifications: no English sentence,
    no Python repr, no raw attribute key (seller text, which may hold anything, set aside)."""
    client, flagged = demo_site
    problems = {}
    for listing, assessment in flagged[::7]:
        page = Selector(client.get(f"/listings/{listing.platform}/{listing.listing_id}").text)
        shown = " ".join(page.css("section.facts").xpath("string()").getall())
        seller = [listing.title, listing.shop_name, listing.description, *listing.attributes.values(),
                  *(k for k in listing.attributes if not k.isascii())]
        found = english_in(shown, allowed=seller)
        if found:
            problems[listing.key] = found
    assert problems == {}


def test_every_parsed_specification_key_has_a_chinese_name():
    """The listing page names each parsed specification in Chinese: every key the parser gives on the
    corpus and the fresh files has its name (a new key without one showed its code, coating_codes)."""
    import json

    from classifiers.corpus import DATA_DIR
    from classifiers.specs import parse_specs
    from firewatch.core.labels import SPEC_NAMES

    keys = set()
    for name in ("corpus", "hand_corpus", "real_voice4", "real_voice5", "real_voice6", "real_voice7"):
        for line in (DATA_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for text in (record["title"], record.get("description", ""),
                         " ".join(f"{k} {v}" for k, v in (record.get("attributes") or {}).items())):
                keys |= set(parse_specs(text))
    assert sorted(keys - set(SPEC_NAMES)) == []
