"""What leaves the system about real flags is Chinese: the formal notice letter, the takedown
XLSX and an evidence pack's extraction report, for the demo market's JD listings as the real classifiers judged them (their evidence
texts come from every rule: phrases, spec checks, certificates, price, watchlist), each
confirmed by a reviewer. Codes stay in their own columns beside the Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from parsel import Selector

from alerts.notices import NoticeConfig, create_notice, notice_html
from alerts.takedown import COLUMNS, takedown_rows, write_takedown
from firewatch.core.models import Decision, Listing
from firewatch.store import open_store
from tests.chinese import english_in
from tests.helpers import NOW

ROOT = Path(__file__).resolve().parents[2]
SEEN = datetime(2026, 1, 15, 8, tzinfo=timezone.utc)
CONFIG = NoticeConfig(sender_org="某市消防救援支队", sender_contact="0571-00000000", legal_basis="依据测试法第一条",
                      reply_deadline_days=7, channel="测试通道")
# columns that hold codes, identifiers, links or hashes (for machines), not sentences
CODE_COLUMNS = {"平台", "商品ID", "商品链接", "店铺ID", "原因代码", "截图SHA-256", "取证清单SHA-256"}


@pytest.fixture(scope="module")
def confirmed_jd(trained_model, tmp_path_factory):
    """A store with the demo catalogue's JD listings, scored; every flagged one confirmed."""
    from demo_market.generator import build_catalogue
    from firewatch.core.settings import load_settings
    from firewatch.services.loaders import load_watchlist

    data = tmp_path_factory.mktemp("demo-jd")
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}, "scoring": {
        "watchlist": str(ROOT / "demo_market" / "data" / "watchlist.csv")}})
    listings = [Listing(platform=x.platform, listing_id=x.listing_id, url=f"https://item.jd.com/{x.listing_id}.html",
                        title=x.title, price=x.price, shop_id=x.shop_id, shop_name=x.shop_name,
                        attributes=dict(x.attributes), description=x.description, last_seen=SEEN)
                for x in build_catalogue(seed=7).initial() if x.platform == "jd"]
    assessments = trained_model.scorer.assess_many(listings, watchlist=load_watchlist(settings), now=NOW)
    store = open_store(data / "firewatch.db")
    seller = []
    for listing, assessment in zip(listings, assessments):
        store.listings.upsert_listing(listing, observed_at=SEEN)
        store.assessments.save_assessment(assessment)
        if assessment.flagged:
            store.reviews.record_decision(Decision("jd", listing.listing_id, "审核员甲", "confirm", at=SEEN + timedelta(hours=1)))
            seller += [listing.title, listing.shop_name, listing.shop_id, listing.description,
                       *listing.attributes.values()]
    codes = {r.code for a in assessments if a.flagged for r in a.reasons}
    assert {"spec_mismatch", "substandard_spec", "invalid_certificate", "price_too_low"} <= codes  # every kind of rule
    yield store, seller, settings
    store.close()


def test_notice_letter_is_chinese(confirmed_jd):
    store, seller, _ = confirmed_jd
    notice_id = create_notice(store, "jd", created_by="审核员甲", at=SEEN + timedelta(days=1))
    notice = store.notices.get_notice(notice_id)
    assert len(notice.listing_keys) > 50
    html = notice_html(store, notice, CONFIG, SEEN + timedelta(days=1), SEEN + timedelta(days=8))
    body = " ".join(Selector(html).css("body").xpath("string()").getall())
    codes = " ".join(Selector(html).css("span.small").xpath("string()").re(r"代码：([a-z_ ]+)"))
    found = english_in(body, allowed=[*seller, *codes.split()])
    assert found == [], sorted(set(found))[:20]
    assert "摘录：" in body and "型号" in body  # the spec checks' Chinese evidence is in the letter


def test_takedown_xlsx_is_chinese(confirmed_jd, tmp_path):
    store, seller, _ = confirmed_jd
    rows = takedown_rows(store, "jd")
    assert len(rows) > 50
    path = write_takedown(rows, tmp_path / "jd.xlsx", "xlsx")
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header == [label for _, label, _ in COLUMNS]
    problems = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        for label, value in zip(header, row):
            if label in CODE_COLUMNS or not isinstance(value, str):
                continue
            found = english_in(value, allowed=seller)
            if found:
                problems.append((label, value, found))
    assert problems == [], problems[:10]
    evidence = header.index("证据摘录")
    assert any("规格矛盾：型号" in (r[evidence] or "") for r in sheet.iter_rows(min_row=2, values_only=True))


def test_evidence_pack_report_reasons_are_chinese(confirmed_jd, chromium, tmp_path):
    import zipfile

    from firewatch.services.evidence import export_evidence_pack
    from tests.web.sample import add_evidence, tiny_png

    store, seller, settings = confirmed_jd
    wanted = ("spec_mismatch", "price_too_low", "invalid_certificate")
    confirmed = store.reviews.confirmed("jd")
    keys = []
    for code in wanted:  # one listing per kind of rule-made evidence
        listing = next(l for l, a, _ in confirmed if code in {r.code for r in a.reasons} and l.key not in keys)
        add_evidence(store, settings.evidence_dir, listing, tiny_png(), SEEN + timedelta(hours=2))
        keys.append(listing.key)
    settings = settings.with_overrides({"capture": {"chromium": chromium}})
    path = tmp_path / "pack.zip"
    export_evidence_pack(settings, store, keys, path, operator="调查员乙")
    with zipfile.ZipFile(path) as zf:
        html = zf.read("report.html").decode("utf-8")
    cells = Selector(html).xpath("//tr[th[contains(., '疑似违规原因')]]/td").xpath("string()").getall()
    assert len(cells) == len(keys)
    text = " ".join(cells)
    codes = [c for c in wanted] + ["inspection_only", "no_certification", "refurbished", "prop_or_display",
                                   "no_manufacturer", "watchlist_seller", "substandard_spec"]
    found = english_in(text, allowed=[*seller, *(f"（{c}）" for c in codes)])
    assert found == [], found
