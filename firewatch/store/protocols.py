"""What a store backend provides: one repository per concern, and the records they return.

`Store` is the whole contract; `firewatch.store.sqlite.SQLiteStore` implements it. Repositories
take and return models (`firewatch.core.models`), these records and plain dicts, never rows
or connections, so another backend (PostgreSQL) implements the same protocols.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

from firewatch.core.models import Assessment, Decision, Evidence, Listing, Notice, Snapshot, Source

Key = tuple[str, str]  # (platform, listing_id)


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did: a new listing, a changed one (snapshot written), or neither."""

    created: bool
    snapshot: bool
    changed: bool


@dataclass
class AlertRecord:
    """One stored alert. `details` is the rule's JSON explanation (matched signals, figures)."""

    id: int
    rule: str
    dedupe_key: str
    platform: str
    listing_id: str
    summary: str
    details: dict[str, Any]
    state: str
    created_at: datetime
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    channels: list[str] = field(default_factory=list)  # channels that delivered it

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "rule": self.rule, "dedupe_key": self.dedupe_key, "platform": self.platform,
            "listing_id": self.listing_id, "summary": self.summary, "details": self.details,
            "state": self.state, "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by,
        }


@dataclass
class TipRecord:
    """One public tip. `photos` are dicts {path (relative to the tips folder), sha256, media_type,
    size}; `contact` is for admins only and never leaves the system; `platform`/`listing_id`
    name the listing the tip's URL (or an admin's link) points at, else None."""

    receipt: str
    text: str
    url: str = ""
    shop_name: str = ""
    contact: str = ""
    platform: str | None = None
    listing_id: str | None = None
    on_platform: bool = False
    photos: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None
    id: int = 0
    linked_by: str = ""
    linked_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        return (self.platform, self.listing_id) if self.platform and self.listing_id else None


@dataclass
class DeadLetter:
    """A delivery that failed after every retry: what, to which channel, and the last error."""

    id: int
    channel: str
    kind: str  # "alerts" or "digest"
    alert_ids: list[int]
    payload: dict[str, Any]
    attempts: int
    last_error: str
    created_at: datetime
    retried_at: datetime | None
    resolved_at: datetime | None


@runtime_checkable
class ListingRepository(Protocol):
    """Listings keyed by (platform, listing_id), their change snapshots, and crawl runs."""

    def upsert_listing(self, listing: Listing, observed_at: datetime | None = None,
                       search_price: str | None = None, source: Source | None = None) -> UpsertResult:
        """Insert or update; snapshot when price, title, stock or status changed; queue for
        'score' when the content changed, all in one transaction. `search_price` (not None)
        replaces the kept signature of what the search page showed (not content); `source`
        (not None) records the sighting's provenance in the same transaction."""

    def get_listing(self, key: Key) -> Listing | None: ...
    def iter_listings(self, platform: str | None = None) -> Iterator[Listing]: ...
    def count_listings(self) -> dict[str, int]: ...
    def snapshots(self, key: Key) -> list[Snapshot]: ...
    def shop_listing_keys(self, platform: str, shop_id: str, shop_name: str = "", limit: int = 50) -> list[Key]: ...
    def listing_titles(self) -> list[tuple[str, str, str, str, str]]: ...
    def iter_recently_seen(self, since: datetime, status: str = "active") -> Iterator[tuple[Listing, str | None]]:
        """Listings with `status` last seen since `since`, each with its kept search-page price signature."""

    def start_crawl_run(self, platform: str, pid: int | None = None, host: str = "",
                        conditions: dict[str, Any] | None = None) -> int: ...
    def heartbeat_crawl_runs(self, run_ids: list[int]) -> None: ...
    def open_crawl_runs(self, platform: str) -> list[dict[str, Any]]: ...
    def mark_crawl_run_killed(self, run_id: int) -> bool:
        """End a still-open run as "killed"; False when it had ended meanwhile."""

    def finish_crawl_run(self, run_id: int, outcome: str, **counts: int) -> None: ...
    def crawl_runs(self, limit: int = 50) -> list[dict]: ...
    def crawl_runs_since(self, platform: str, since: datetime) -> list[dict[str, Any]]: ...
    def set_resume_page(self, platform: str, keyword: str, page: int) -> None:
        """Remember the search page (1-based) at which `keyword`'s search was blocked."""

    def resume_page(self, platform: str, keyword: str) -> int:
        """The page to start `keyword`'s search at: the remembered blocked page, else 1."""

    def resume_pages(self, platform: str) -> dict[str, int]: ...
    def clear_resume_page(self, platform: str, keyword: str) -> None:
        """`keyword`'s search completed: forget its blocked page."""


@runtime_checkable
class QueueRepository(Protocol):
    """The process queue: one row per (listing, stage) still to do; stages 'score', 'capture', 'index'."""

    def enqueue(self, key: Key, stage: str) -> None: ...
    def pending(self, stage: str, limit: int | None = None, max_attempts: int = 3) -> list[Key]: ...
    def queue_counts(self) -> dict[str, int]: ...
    def complete_stage(self, key: Key, stage: str, next_stages: tuple[str, ...] = ()) -> None: ...
    def fail_stage(self, key: Key, stage: str, error: str) -> None: ...


@runtime_checkable
class AssessmentRepository(Protocol):
    """The latest assessment of each listing."""

    def save_assessment(self, a: Assessment, next_stages: tuple[str, ...] = ()) -> None:
        """Save it and complete the 'score' stage (queueing `next_stages`) in one transaction."""

    def get_assessment(self, key: Key) -> Assessment | None: ...
    def flagged(self, platform: str | None = None) -> list[tuple[Listing, Assessment]]: ...
    def reason_counts(self) -> dict[str, int]: ...


@runtime_checkable
class EvidenceRepository(Protocol):
    """Evidence captures, newest counting."""

    def save_evidence(self, e: Evidence) -> None:
        """Record it and complete the 'capture' stage in one transaction."""

    def latest_evidence(self, key: Key) -> Evidence | None: ...
@runtime_checkable
class ReviewRepository(Protocol):
    """Reviewers' decisions (append-only, the latest counts) and investigators' cases."""

    def record_decision(self, d: Decision) -> int: ...
    def decisions(self, key: Key) -> list[Decision]: ...
    def latest_decision(self, key: Key) -> Decision | None: ...
    def confirmed(self, platform: str | None = None) -> list[tuple[Listing, Assessment, Decision]]: ...
    def latest_verdicts(self) -> dict[Key, dict[str, Any]]: ...
    def create_case(self, title: str, created_by: str, note: str = "") -> int: ...
    def cases(self) -> list[dict[str, Any]]: ...
    def get_case(self, case_id: int) -> dict[str, Any] | None: ...
    def add_case_item(self, case_id: int, key: Key, added_by: str) -> bool: ...
    def remove_case_item(self, case_id: int, key: Key) -> bool: ...
    def case_items(self, case_id: int) -> list[dict[str, Any]]: ...


@runtime_checkable
class NoticeRepository(Protocol):
    """Takedown notices and their items (status changes guarded by the expected status,
    False when the guard fails), and platforms' removal reports."""

    def create_notice(self, platform: str, keys: Iterable[Key], created_by: str = "",
                      at: datetime | None = None) -> int: ...
    def get_notice(self, notice_id: int) -> Notice | None: ...
    def notices(self, platform: str | None = None, statuses: Iterable[str] | None = None) -> list[Notice]: ...
    def noticed_keys(self, platform: str | None = None) -> set[Key]: ...
    def mark_notice_sent(self, notice_id: int, *, sent_by: str, channel: str, at: datetime,
                         deadline_at: datetime, html_path: str, pdf_path: str, document_sha256: str) -> bool: ...
    def mark_notice_acknowledged(self, notice_id: int, *, by: str, at: datetime, note: str = "") -> bool: ...
    def set_notice_state(self, notice_id: int, expected: Iterable[str], status: str, *, checked_at: datetime,
                         removal_verified_at: datetime | None = None) -> bool: ...
    def mark_notice_item_removed(self, notice_id: int, key: Key, at: datetime, basis: str) -> None: ...
    def notice_item_bases(self, notice_id: int) -> dict[Key, str]: ...
    def sent_notice_items(self) -> list[dict[str, Any]]: ...
    def report_removed(self, key: Key, reported_by: str, note: str = "") -> int: ...
    def removal_reports(self, platform: str) -> dict[str, dict[str, Any]]: ...


@runtime_checkable
class AlertRepository(Protocol):
    """Alerts (raised once per dedupe key, delivered once per channel), dead letters, digests
    sent, and the image hash cache of the relisting rule."""

    def delivery_lock(self, channel: str) -> AbstractContextManager[bool]:
        """Yields True while this caller alone may deliver on `channel`, False at once otherwise."""

    def add_alerts(self, candidates: Iterable[dict[str, Any]]) -> list[int]: ...
    def alerts(self, state: str | None = None, rule: str | None = None, since: datetime | None = None,
               until: datetime | None = None, limit: int | None = None) -> list[AlertRecord]: ...
    def get_alert(self, alert_id: int) -> AlertRecord | None: ...
    def unsent_alerts(self, channel: str) -> list[AlertRecord]: ...
    def mark_delivered(self, alert_ids: Iterable[int], channel: str, all_channels: Iterable[str],
                       at: datetime | None = None) -> int: ...
    def settle_sent(self, channels: Iterable[str], at: datetime | None = None) -> int: ...
    def acknowledge_alert(self, alert_id: int, by: str, at: datetime | None = None) -> AlertRecord: ...
    def add_dead_letter(self, channel: str, kind: str, alert_ids: Iterable[int], payload: dict[str, Any],
                        attempts: int, last_error: str) -> int: ...
    def dead_letters(self, include_resolved: bool = False) -> list[DeadLetter]: ...
    def record_dead_letter_retry(self, dead_id: int, ok: bool, attempts: int = 0, error: str = "") -> None: ...
    def image_hash(self, url: str) -> dict[str, Any] | None: ...
    def save_image_hash(self, url: str, dhash: str | None, error: str = "") -> None: ...
    def digest_sent(self, day: str, channel: str) -> bool: ...
    def mark_digest_sent(self, day: str, channel: str, at: datetime | None = None) -> None: ...


@runtime_checkable
class UserRepository(Protocol):
    """Users (password hashes made by the caller), sessions, login attempts, the hash-chained
    audit log and platform API tokens. Tokens are looked up by value, stored only as digests."""

    def add_user(self, name: str, role: str, password_hash: str, platform: str = "") -> None: ...
    def get_user(self, name: str) -> dict[str, Any] | None: ...
    def users(self) -> list[dict[str, Any]]: ...
    def upgrade_password_hash(self, name: str, old_hash: str, new_hash: str) -> bool: ...
    def set_password_hash(self, name: str, password_hash: str) -> bool: ...
    def create_session(self, token: str, username: str, csrf_token: str, lifetime: timedelta, ip: str = "") -> None: ...
    def session_user(self, token: str) -> tuple[dict[str, Any], str] | None: ...
    def delete_session(self, token: str) -> None: ...
    def record_login_attempt(self, username: str, ip: str, success: bool) -> None: ...
    def recent_login_failures(self, username: str, ip: str, window: timedelta) -> int: ...
    def recent_ip_failures(self, ip: str, window: timedelta) -> int: ...
    def audit(self, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None,
              ip: str = "") -> int: ...
    def audit_entries(self, subject: str | None = None, actor: str | None = None, action: str | None = None,
                      subject_prefix: str | None = None, limit: int = 200) -> list[dict[str, Any]]: ...
    def audit_entry(self, entry_id: int) -> dict[str, Any] | None: ...
    def audit_verify(self) -> list[int]: ...
    def add_api_token(self, name: str, platform: str, token: str, created_by: str = "") -> int: ...
    def api_tokens(self) -> list[dict[str, Any]]: ...
    def revoke_api_token(self, token_id: int) -> bool: ...
    def api_token_owner(self, token: str) -> dict[str, Any] | None: ...


@runtime_checkable
class ReferenceRepository(Protocol):
    """Reference lists: spot-check failure lists (the watchlist) and the certificate registry.
    Imports are idempotent."""

    def add_watchlist_entries(self, entries: Iterable[dict[str, Any]], source: str = "",
                              source_sha256: str = "") -> int: ...
    def watchlist_names(self) -> list[str]: ...
    def add_certificates(self, records: Iterable[dict[str, Any]], source: str = "",
                         source_sha256: str = "") -> tuple[int, int]: ...
    def certificates(self) -> dict[str, dict[str, Any]]: ...
    def certificate_count(self) -> int: ...


class SourceRepository(Protocol):
    """Listing provenance (crawls, report file rows, assistance replies, tips) and imported files."""

    def record(self, key: Key, source: Source, at: datetime | None = None) -> None: ...
    def sources_of(self, key: Key) -> list[Source]: ...
    def kinds_of(self, keys: Iterable[Key]) -> dict[Key, set[str]]: ...
    def imported_file(self, kind: str, sha256: str) -> dict[str, Any] | None: ...
    def add_leads(self, leads: list[tuple[Listing, Source, bool]], file: Any = None,
                  at: datetime | None = None) -> Any:
        """Write listings with their sources (queueing 'fetch' where the flag says so) and the
        file they came from (`sources.ImportedFile`), in one transaction."""


class TipRepository(Protocol):
    """Public tips (receipt, text, URL or shop, contact, hashed address, photos) and the
    proof-of-work challenges already used."""

    def add_tip(self, tip: TipRecord, ip_hash: str, since: datetime, limit: int) -> int | None:
        """Insert unless the address sent `limit` tips since `since` (then None), in one transaction."""
    def recent_tips(self, ip_hash: str, since: datetime) -> int: ...
    def use_challenge(self, challenge_id: str, expires_at: datetime, now: datetime | None = None) -> bool: ...
    def get_tip(self, receipt: str) -> TipRecord | None: ...
    def tips(self, limit: int | None = None) -> list[TipRecord]: ...
    def tips_of(self, key: Key) -> list[TipRecord]: ...
    def tipped(self, keys: Iterable[Key] | None = None) -> dict[Key, list[TipRecord]]: ...
    def link_tip(self, receipt: str, key: Key, by: str, at: datetime | None = None) -> bool: ...


class Store(Protocol):
    """The store of record: the repositories over one connection. Each repository method is
    one transaction. A context manager that closes the store on exit."""

    listings: ListingRepository
    queue: QueueRepository
    assessments: AssessmentRepository
    evidence: EvidenceRepository
    reviews: ReviewRepository
    notices: NoticeRepository
    alerts: AlertRepository
    users: UserRepository
    references: ReferenceRepository
    sources: SourceRepository
    tips: TipRepository

    def schema_versions(self) -> list[int]: ...
    def integrity_ok(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...
