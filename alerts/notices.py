"""Takedown notices: a formal letter per platform and its lifecycle, kept in the store.

`create_notice` drafts a platform's confirmed listings that no notice names yet (None if none);
`send_notice` writes the letter (HTML + PDF) and marks it sent; `acknowledge_notice` records the
answer; `evaluate_notice` finds removals (a listing's page fetched again shows it gone: 下架 in the page,
or the platform's 404/410, error page or home page, `crawler.platforms.gone`; a clean crawl that no
longer saw it only queues that fetch) and sets `removal_verified` or `overdue`, recording per listing how
the removal was established (in Chinese, with the final URL, HTTP status and words seen). The sightings are
the store's (`listing_removals`), from whichever fetch saw the page: the fetch stage or a crawl
(`crawler.revisit`), so a crawl's sighting and a notice's re-fetch confirm each other.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from firewatch.core.clock import show_time
from firewatch.core.files import stage_file
from firewatch.core.labels import PLATFORM_NAMES
from firewatch.core.models import Listing, Notice, Removal, utcnow
from firewatch.core.settings import NoticesSettings, Settings
from firewatch.store import Store

from alerts.exceptions import NoticeError
from alerts.pdf import DEFAULT_CHROMIUM, html_to_pdf, template_env
from alerts.takedown import takedown_row

log = logging.getLogger(__name__)

TEMPLATE = "notice.html"
TITLE = "关于删除涉嫌违规消防产品商品链接的通知函"
_CRAWL_PLATFORM = {"tmall": "taobao"}  # Tmall listings are found by the Taobao crawl

__all__ = ["NoticeConfig", "acknowledge_notice", "create_notice", "evaluate_all", "evaluate_notice",
           "notice_html", "removal_basis", "send_notice", "suspected", "suspected_removal"]


_DEFAULTS = NoticesSettings()  # the schema's defaults, for a NoticeConfig built directly


@dataclass(frozen=True)
class NoticeConfig:
    """The [notices] settings, as plain values."""

    sender_org: str = _DEFAULTS.sender_org
    sender_contact: str = _DEFAULTS.sender_contact
    recipient: str = _DEFAULTS.recipient
    legal_basis: str = _DEFAULTS.legal_basis
    reply_deadline_days: int = _DEFAULTS.reply_deadline_days
    channel: str = _DEFAULTS.channel
    removal_confirm_hours: float = _DEFAULTS.removal_confirm_hours  # how much later a suspected removal is confirmed

    @classmethod
    def from_settings(cls, settings: Settings) -> "NoticeConfig":
        return cls(**settings.notices.model_dump())

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> "NoticeConfig":
        """From a plain [notices] dict (`settings.section("notices")`); prefer `from_settings`."""
        known = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        if "reply_deadline_days" in known:
            known["reply_deadline_days"] = int(known["reply_deadline_days"])
            if known["reply_deadline_days"] < 1:
                raise NoticeError("notices.reply_deadline_days must be at least 1")
        return cls(**known)


def number(notice: Notice) -> str:
    return f"FW-{notice.platform.upper()}-{notice.id:05d}"


def create_notice(store: Store, platform: str, created_by: str = "", at: datetime | None = None) -> int | None:
    """A draft notice of `platform`'s confirmed listings not yet in any notice; None if there are none."""
    already = store.notices.noticed_keys(platform)
    keys = [listing.key for listing, _, _ in store.reviews.confirmed(platform) if listing.key not in already]
    if not keys:
        return None
    return store.notices.create_notice(platform, keys, created_by=created_by, at=at)


def _get(store: Store, notice_id: int) -> Notice:
    notice = store.notices.get_notice(notice_id)
    if notice is None:
        raise NoticeError(f"no notice {notice_id}; see `firewatch notice list`")
    return notice


def notice_html(store: Store, notice: Notice, config: NoticeConfig, issued_at: datetime, deadline_at: datetime) -> str:
    """The letter as a self-contained HTML document."""
    rows = []
    for key in notice.listing_keys:
        listing = store.listings.get_listing(key)
        assessment = store.assessments.get_assessment(key)
        if listing is None or assessment is None:
            raise NoticeError(f"notice {notice.id} names {key[0]}:{key[1]}, which the store no longer holds")
        rows.append(takedown_row(store, listing, assessment, store.reviews.latest_decision(key)))
    name = PLATFORM_NAMES.get(notice.platform, notice.platform)
    return template_env().get_template(TEMPLATE).render(
        title=TITLE, number=number(notice), issued_at=issued_at, deadline_at=deadline_at,
        deadline_days=config.reply_deadline_days, recipient=config.recipient.replace("{platform_name}", name),
        sender_org=config.sender_org, sender_contact=config.sender_contact,
        legal_basis=config.legal_basis.rstrip("。"), rows=rows)


def send_notice(store: Store, notice_id: int, *, sent_by: str, out_dir: str | os.PathLike[str], config: NoticeConfig,
                chromium: str = DEFAULT_CHROMIUM, channel: str | None = None,
                clock: Callable[[], datetime] = utcnow) -> Notice:
    """Render the draft's letter (HTML + PDF) into `out_dir` and mark it sent; returns the notice."""
    notice = _get(store, notice_id)
    if notice.status != "draft":
        raise NoticeError(f"notice {notice_id} is {notice.status}, not a draft: it was sent already")
    now = clock()
    deadline = now + timedelta(days=config.reply_deadline_days)
    html = notice_html(store, notice, config, now, deadline)
    pdf = html_to_pdf(html, chromium=chromium)
    stem = f"notice-{notice.platform}-{notice.id:05d}"
    html_path, pdf_path = Path(out_dir) / f"{stem}.html", Path(out_dir) / f"{stem}.pdf"
    staged = [(stage_file(html_path, html.encode("utf-8")), html_path), (stage_file(pdf_path, pdf), pdf_path)]
    try:
        # only the process that wins draft -> sent puts its letter in place: a second send
        # running at the same time must not overwrite the document whose hash was recorded
        won = store.notices.mark_notice_sent(notice_id, sent_by=sent_by, channel=channel or config.channel, at=now,
                                     deadline_at=deadline, html_path=str(html_path), pdf_path=str(pdf_path),
                                     document_sha256=hashlib.sha256(pdf).hexdigest())
        if won:
            for tmp, final in staged:
                os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    if not won:
        raise NoticeError(f"notice {notice_id} changed while it was being sent; see `firewatch notice status`")
    log.info("notice %s sent by %s: %s", notice_id, sent_by, pdf_path)
    return _get(store, notice_id)


def acknowledge_notice(store: Store, notice_id: int, *, by: str, note: str = "",
                       clock: Callable[[], datetime] = utcnow) -> Notice:
    """Record that the platform answered a sent (or overdue) notice."""
    notice = _get(store, notice_id)
    if not store.notices.mark_notice_acknowledged(notice_id, by=by, at=clock(), note=note):
        raise NoticeError(f"notice {notice_id} is {notice.status}: only a sent or overdue notice can be acknowledged")
    return _get(store, notice_id)


_BASES = {"http_status": "商品页面返回 HTTP {status}（页面不存在）",
          "error_page": "商品链接跳转至平台错误页面",
          "home_redirect": "商品链接跳转至平台首页",
          "gone_text": "商品页面显示商品不存在或已下架"}


def removal_basis(removal: Removal) -> str:
    """How a removal seen on a page fetched again was established, in Chinese, with its evidence (final
    URL, HTTP status, the words seen: read from the page's title and the platform's error containers, or
    for a 404/410 from the whole page, so they may still hold words a seller wrote; escape them wherever
    shown), and for a sighting that confirms an earlier one, when that was."""
    status = removal.http_status if removal.http_status is not None else "无"
    head = _BASES.get(removal.basis, "重新抓取商品页面显示商品已不存在").format(status=status)
    said = f"，页面文字“{removal.text[:120]}”" if removal.text else ""
    again = f"，与 {show_time(removal.first_seen_at)} 的首次抓取结果一致（两次确认）" if removal.first_seen_at else ""
    return f"重新抓取：{head}（最终地址 {removal.final_url}，HTTP {status}{said}{again}）"


def suspected_removal(removal: Removal, confirm_after: timedelta) -> str:
    """A sighting that does not prove the removal yet, in Chinese: what was seen and what is awaited."""
    hours = f"{confirm_after.total_seconds() / 3600:g}"
    return (f"疑似下架（待确认）：{show_time(removal.observed_at)} {removal_basis(removal).removeprefix('重新抓取：')}；"
            f"平台首页或错误页面也可能是反爬拦截、售罄页面，需在 {hours} 小时后再次抓取得到相同结果才核实下架")


def _removal(store: Store, listing: Listing | None, notice: Notice) -> tuple[datetime, str] | None:
    """When and how the listing's removal after the notice was established, or None: only its own
    page, fetched again after the notice, showing the item gone proves it (下架 in the page, or the
    platform's gone answer: a 404/410, or its error or home page or gone wording seen twice some hours
    apart; `listing_removals` keeps what was seen)."""
    if listing is not None and listing.status == "removed" and listing.last_seen and listing.last_seen >= notice.sent_at:
        seen = store.listings.latest_removal(listing.key, since=notice.sent_at, counted=True)
        if seen is not None:
            return seen.observed_at, removal_basis(seen)
        return listing.last_seen, "重新抓取：商品页面显示已下架"
    return None


def _missed_by_a_clean_crawl(store: Store, listing: Listing, notice: Notice, recrawl_after: timedelta) -> bool:
    """Whether a finished crawl of the listing's platform, meeting no block or error, started after the
    notice (and after the listing could have been skipped as recently seen) without seeing it. A crawl
    searches some keywords and pages, not every listing, so this is a reason to look, not proof."""
    since = max(notice.sent_at, (listing.last_seen or notice.sent_at) + recrawl_after)
    for run in store.listings.crawl_runs_since(_CRAWL_PLATFORM.get(listing.platform, listing.platform), since):
        if run.get("outcome") == "finished" and not run.get("blocks") and not run.get("errors"):
            if listing.last_seen is None or listing.last_seen < datetime.fromisoformat(run["started_at"]):
                return True
    return False


def suspected(store: Store, notice: Notice, listing: Listing | None) -> Removal | None:
    """The listing's newest removal sighting since the notice that does not count yet (one home or error
    page or gone wording), unless the listing was seen on sale after it."""
    if listing is None or notice.sent_at is None:
        return None
    seen = store.listings.latest_removal(listing.key, since=notice.sent_at, counted=False)
    if seen is None or (listing.status != "removed" and listing.last_seen and listing.last_seen > seen.observed_at):
        return None
    return seen


def evaluate_notice(store: Store, notice_id: int, now: datetime | None = None,
                    recrawl_after: timedelta = timedelta(hours=6)) -> Notice:
    """Re-evaluate a sent notice against the store: removals, removal verified, overdue. A listing that a
    clean crawl no longer saw, or whose page fetched again only suggested a removal once (`suspected`), has
    its page queued to be fetched again (`fetch`, unless already queued); `firewatch process` fetches it, and
    the next evaluation counts it removed once the fetches prove it."""
    now = now or utcnow()
    notice = _get(store, notice_id)
    if notice.status in ("draft", "removal_verified"):
        return notice
    recheck = []
    for key in notice.listing_keys:
        if key in notice.removed:
            continue
        listing = store.listings.get_listing(key)
        found = _removal(store, listing, notice)
        if found is not None:
            store.notices.mark_notice_item_removed(notice_id, key, found[0], found[1])
        elif suspected(store, notice, listing) is not None or \
                (listing is not None and _missed_by_a_clean_crawl(store, listing, notice, recrawl_after)):
            recheck.append(key)
    if recheck and (queued := store.queue.enqueue_missing(recheck, "fetch")):
        log.info("notice %s: %d listing(s) not seen by a clean crawl queued to be fetched again", notice_id, queued)
    notice = _get(store, notice_id)
    open_states = ("sent", "acknowledged", "overdue")
    if notice.listing_keys and all(k in notice.removed for k in notice.listing_keys):
        store.notices.set_notice_state(notice_id, open_states, "removal_verified", checked_at=now,
                               removal_verified_at=max(notice.removed.values()))
    elif notice.status == "sent" and notice.deadline_at is not None and now > notice.deadline_at:
        store.notices.set_notice_state(notice_id, ("sent",), "overdue", checked_at=now)
    else:
        store.notices.set_notice_state(notice_id, (notice.status,), notice.status, checked_at=now)
    return _get(store, notice_id)


def evaluate_all(store: Store, now: datetime | None = None, recrawl_after: timedelta = timedelta(hours=6)) -> list[Notice]:
    """`evaluate_notice` for every notice; returns them all, oldest first."""
    now = now or utcnow()
    return [evaluate_notice(store, n.id, now, recrawl_after) for n in store.notices.notices()]
