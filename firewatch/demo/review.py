"""The demo's review and action stage: what a regulator and the system do after flagging.

`review_and_act(settings, store, seed, captured_keys, ...)` confirms or dismisses each captured
flagged listing by the demo market's ground truth, then writes takedown lists, one notice per
platform and a signed evidence pack, and runs the alert rules; people decide in the web app.
`decide_captured(store, catalogue)` is the campaign's later review rounds: every flagged listing
captured since and not yet decided, by the same ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alerts.evidence_pack import verify_pack
from alerts.notices import NoticeConfig, create_notice, send_notice
from alerts.rules import AlertsConfig, run_rules
from alerts.takedown import takedown_rows, write_takedown
from demo_market.generator import build_catalogue
from firewatch.core.datapaths import resolve_path
from firewatch.core.models import PLATFORMS, Decision
from firewatch.core.settings import Settings
from firewatch.services.evidence import export_evidence_pack

DEMO_REVIEWER = "演示审核员 demo reviewer"
DEMO_NOTE = "演示：依据演示市场的真实标注自动审核 (demo: decided from the demo market's ground truth)"


@dataclass
class ReviewOutcome:
    confirmed: int = 0
    dismissed: int = 0
    takedowns: dict[str, tuple[Path, int]] = field(default_factory=dict)
    notices: list[tuple[str, int, str]] = field(default_factory=list)  # platform, listing count, PDF path
    pack: Path | None = None
    pack_problems: list[str] = field(default_factory=list)
    alerts: dict[str, int] = field(default_factory=dict)


def decide_captured(store, catalogue) -> tuple[int, int]:
    """Decide the flagged listings that have evidence and no decision yet; (confirmed, dismissed)."""
    keys = [listing.key for listing, _ in store.assessments.flagged()]
    captured = store.evidence.latest_evidence_of(keys)
    decided = store.reviews.latest_decisions(list(captured))
    confirmed = dismissed = 0
    for key in sorted(k for k in captured if k not in decided):
        item = catalogue.get(*key)
        verdict = "confirm" if item is not None and item.true_reasons else "dismiss"
        store.reviews.record_decision(Decision(key[0], key[1], DEMO_REVIEWER, verdict, DEMO_NOTE))
        confirmed += verdict == "confirm"
        dismissed += verdict == "dismiss"
    return confirmed, dismissed


def review_and_act(settings: Settings, store, seed: int, captured_keys: list[tuple[str, str]],
                   case_size: int = 3) -> ReviewOutcome:

    outcome = ReviewOutcome()
    catalogue = build_catalogue(seed=seed)
    confirmed: list[tuple[str, str]] = []
    for key in captured_keys:
        item = catalogue.get(*key)
        verdict = "confirm" if item is not None and item.true_reasons else "dismiss"
        store.reviews.record_decision(Decision(key[0], key[1], DEMO_REVIEWER, verdict, DEMO_NOTE))
        if verdict == "confirm":
            confirmed.append(key)
    outcome.confirmed, outcome.dismissed = len(confirmed), len(captured_keys) - len(confirmed)

    exports = settings.export_dir
    for platform in PLATFORMS:
        rows = takedown_rows(store, platform)  # confirmed decisions only
        outcome.takedowns[platform] = (write_takedown(rows, exports / f"takedown-{platform}.xlsx", "xlsx"), len(rows))

    config = NoticeConfig.from_settings(settings)
    for platform in PLATFORMS:
        notice_id = create_notice(store, platform, created_by="firewatch-demo")
        if notice_id is None:
            continue
        notice = send_notice(store, notice_id, sent_by="firewatch-demo", out_dir=exports / "notices",
                             config=config, chromium=settings.capture.chromium)
        outcome.notices.append((platform, len(notice.listing_keys), str(resolve_path(notice.pdf_path, settings.data_dir))))

    if confirmed:
        outcome.pack = exports / "evidence-case-demo.zip"
        export_evidence_pack(settings, store, confirmed[:case_size], outcome.pack, operator="firewatch-demo",
                             case="演示案件 demo case")
        outcome.pack_problems = verify_pack(outcome.pack)

    result = run_rules(store, AlertsConfig.from_settings(settings))
    outcome.alerts = dict(result.new_per_rule)
    return outcome
