"""The simulated clock (issue 16's demo campaign): `[clock] offset_days` / `clock.set_offset` shift
`utcnow()` for the whole process, and the parts that used their own clock (notice evaluation, the
evidence capturer) follow it, so a simulated campaign records its simulated days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alerts.notices import evaluate_all
from crawler.capture import Capturer
from firewatch.core import clock
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from tests.helpers import run_cli


@pytest.fixture
def shifted():
    yield clock.set_offset
    clock.set_offset(timedelta(0))


def test_offset_shifts_utcnow(shifted):
    before = clock.utcnow()
    shifted(timedelta(days=-35))
    assert timedelta(days=35) - timedelta(seconds=5) < before - clock.utcnow() < timedelta(days=35, seconds=5)
    assert clock.offset() == timedelta(days=-35)


def test_evaluate_all_and_the_capturer_follow_the_simulated_clock(tmp_path, shifted):
    """A notice sent on a simulated day is overdue 8 simulated days later (evaluate_all took the host's clock)."""
    sent = datetime.now(timezone.utc) - timedelta(days=40)
    shifted(sent - datetime.now(timezone.utc))
    with open_store(tmp_path / "fw.db") as store:
        store.listings.upsert_listing(Listing("jd", "1", url="https://item.jd.com/1.html", title="灭火器",
                                              price=Decimal("9.90")))
        store.assessments.save_assessment(Assessment("jd", "1", "portable_extinguisher", 0.9, 0.9, True,
                                                     [Reason("inspection_only", "年检专用")]))
        store.reviews.record_decision(Decision("jd", "1", "alice", "confirm"))
        notice_id = store.notices.create_notice("jd", [("jd", "1")])
        store.notices.mark_notice_sent(notice_id, sent_by="t", channel="c", at=clock.utcnow(),
                                       deadline_at=clock.utcnow() + timedelta(days=7), html_path="", pdf_path="",
                                       document_sha256="")
        shifted(sent + timedelta(days=3) - datetime.now(timezone.utc))
        assert [n.status for n in evaluate_all(store)] == ["sent"]  # day 3 of 7 (the host's clock says day 40)
        shifted(sent + timedelta(days=8) - datetime.now(timezone.utc))
        notices = evaluate_all(store)
        assert [n.status for n in notices] == ["overdue"]
        assert abs(notices[0].checked_at - (sent + timedelta(days=8))) < timedelta(minutes=1)
    capturer = Capturer("/usr/bin/chromium", tmp_path / "ev", "ua", ("item.jd.com",), is_blocked=lambda *a: False)
    assert abs(capturer.clock() - (sent + timedelta(days=8))) < timedelta(minutes=1)


def test_cli_applies_the_clock_setting(tmp_path, shifted):
    """`[clock] offset_days` (here from the environment) shifts the clock of the command that runs."""
    result = run_cli("--data-dir", str(tmp_path), "notice", "list", env={"FIREWATCH_CLOCK__OFFSET_DAYS": "-30"})
    assert result.returncode == 0, result.stderr
    assert clock.offset() == timedelta(days=-30)
    bad = run_cli("--data-dir", str(tmp_path), "notice", "list", env={"FIREWATCH_CLOCK__OFFSET_DAYS": "abc"})
    assert bad.returncode == 2 and "offset_days" in bad.stderr
