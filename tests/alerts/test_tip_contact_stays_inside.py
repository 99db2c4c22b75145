"""A tipster's contact never leaves the system: a tip with a distinctive contact leads to a
confirmed listing, and the takedown lists (CSV, XLSX, JSON), the notice (HTML and PDF) and
the signed evidence pack made for that listing do not carry it, byte for byte (compressed
members read decompressed). Real store, real Chromium for the notice PDF and the pack report."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

from alerts.notices import NoticeConfig, create_notice, send_notice
from alerts.takedown import takedown_rows, write_takedown
from firewatch.core.datapaths import resolve_path  # paths are stored relative to the data folder
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.settings import load_settings
from firewatch.services.challenge import solve
from firewatch.services.evidence import export_evidence_pack
from firewatch.services.tips import TipForm, TipPolicy, TipsChannel
from firewatch.store import open_store
from tests.helpers import png
from tests.web.sample import add_evidence

CONTACT = "tipster-7QZ9-contact@example.org 13912345678"
KEY = ("jd", "100012345678")
CONFIG = NoticeConfig(sender_org="某市消防救援支队", sender_contact="0571-00000000", legal_basis="依据测试法第一条",
                      reply_deadline_days=7, channel="测试通道")


def _bytes_of(path: Path) -> list[bytes]:
    """The file's bytes, and each member's when it is a ZIP (XLSX, evidence pack)."""
    data = [path.read_bytes()]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            data += [z.read(name) for name in z.namelist()]
    return data


def test_contact_is_in_no_takedown_list_notice_or_pack(tmp_path, chromium):
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(tmp_path / "data")},
                                                     "capture": {"chromium": chromium}})
    tips = TipsChannel(settings.tips_dir, TipPolicy(pow_bits=4))
    challenge = tips.challenge()["challenge"]
    with open_store(settings.store_path) as store:
        # pasted from a share link that names the sharer's account
        tip = tips.submit(store, TipForm(url=f"https://item.jd.com/{KEY[1]}.html?share_uin=TIPSTER_UIN_42",
                                         text="年检专用 <script>x</script>",
                                         contact=CONTACT, challenge=challenge, nonce=solve(challenge, 4)), "10.9.9.9")
        # what the fetch, score and capture stages would have stored for the listing
        listing = Listing(*KEY, url=f"https://item.jd.com/{KEY[1]}.html", title="年检专用 干粉灭火器 4kg",
                          price=Decimal("12.50"), shop_name="举报测试店")
        store.listings.upsert_listing(listing)
        store.assessments.save_assessment(Assessment(*KEY, "portable_extinguisher", 0.9, 0.95, True,
                                                     [Reason("inspection_only", "年检专用", "title")]))
        add_evidence(store, settings.evidence_dir, listing, png(3), tip.created_at)
        store.reviews.record_decision(Decision(*KEY, "regulator", "confirm", "举报属实"))
        assert store.tips.get_tip(tip.receipt).contact == CONTACT

        outputs = []
        rows = takedown_rows(store, "jd")
        assert [r["listing_id"] for r in rows] == [KEY[1]]
        for fmt in ("csv", "xlsx", "json"):
            outputs.append(write_takedown(rows, tmp_path / "out" / f"takedown.{fmt}", fmt))
        notice_id = create_notice(store, "jd", created_by="regulator")
        notice = send_notice(store, notice_id, sent_by="regulator", out_dir=tmp_path / "out", config=CONFIG,
                             chromium=chromium)
        outputs += [resolve_path(notice.html_path, store.data_dir), resolve_path(notice.pdf_path, store.data_dir)]
        export_evidence_pack(settings, store, [KEY], tmp_path / "out" / "pack.zip", operator="investigator")
        outputs.append(tmp_path / "out" / "pack.zip")

    assert KEY[1].encode() in resolve_path(notice.html_path, store.data_dir).read_bytes()  # the listing is in the notice
    for path in outputs:
        for data in _bytes_of(path):
            # nor the account a share link carried, nor the receipt that opens the tip's status page
            for piece in ("tipster-7QZ9-contact", "13912345678", "TIPSTER_UIN_42", tip.receipt):
                assert piece.encode() not in data, f"contact found in {path.name}"
                assert piece.encode("utf-16-be") not in data, f"contact found in {path.name}"
