"""The plain values the web app runs on, read once from `Settings` (or built directly in tests).

`create_app` accepts either a `Settings` or a `WebConfig`; nothing in the web package
reads settings or the environment itself. A `WebConfig` built directly gets the
settings schema's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable

from firewatch.core.settings import CampaignSettings, CaptureSettings, DriftSettings, SearchSettings, SellersSettings, Settings, WebSettings
from firewatch.search import open_index, open_index_from_settings
from firewatch.services.assistance import request_assistance
from firewatch.services.evidence import export_evidence_pack
from firewatch.services.tips import TipPolicy
from firewatch.services.transfer import export_transfer

_WEB = WebSettings()  # the schema's defaults
_SEARCH = SearchSettings()


@dataclass(frozen=True)
class WebConfig:
    """Where the data lives and how sessions and logins behave (see `[web]` in the settings)."""

    store_path: Path  # the SQLite file (with a PostgreSQL store: where files beside the store go)
    evidence_dir: Path
    export_dir: Path
    search_url: str = _SEARCH.url
    search_path: Path | None = None
    secure_cookies: bool = _WEB.secure_cookies
    session_hours: float = _WEB.session_hours
    login_max_failures: int = _WEB.login_max_failures
    login_window_seconds: int = _WEB.login_window_seconds
    login_max_failures_per_ip: int = _WEB.login_max_failures_per_ip
    page_size: int = _WEB.page_size
    claim_minutes: float = _WEB.claim_minutes  # a reviewer's claim on the queue rows shown
    undo_minutes: float = _WEB.undo_minutes  # a decision may be undone this long after; 0: claim_minutes
    pack_exports_at_once: int = _WEB.pack_exports_at_once  # background pack exports running at once
    trusted_proxies: tuple[str, ...] = tuple(_WEB.trusted_proxies)  # their X-Forwarded-For names the client
    tips_dir: Path | None = None  # the public tips' photos and secret; default: "tips" beside the store
    tips: TipPolicy = TipPolicy()
    # () -> an open search index (firewatch.search protocol); default: open_index(search_url, search_path)
    index_opener: Callable[[], Any] | None = None
    # (store, keys, out_path, operator=, case=) -> manifest: writes a signed evidence pack
    pack_exporter: Callable[..., Any] | None = None
    transfer_exporter: Callable[..., Any] | None = None  # services.transfer.export_transfer with the settings
    # the data folder (assistance documents are stored relative to it); default: the store's folder
    data_dir: Path | None = None
    # (store, platform, refs, created_by=, deadline_days=) -> AssistRequest: writes a 协查函 and its template
    assist_requester: Callable[..., Any] | None = None
    store_url: str = ""  # what open_store takes; default: store_path
    sellers: SellersSettings = SellersSettings()  # the seller page's track thresholds (`[sellers]`)
    campaign: CampaignSettings = CampaignSettings()  # the campaign page's name, dates and thresholds
    drift: DriftSettings = DriftSettings()  # the trends page's review precision weeks and drift thresholds
    model_dir: Path | None = None  # the trained model (the trends page says what it learnt from)
    chromium: str = CaptureSettings().chromium  # prints the campaign report's PDF

    @property
    def store(self) -> str | Path:
        return self.store_url or self.store_path

    @property
    def undo_window(self) -> float:
        """Minutes within which a reviewer may undo a decision (undo_minutes, else claim_minutes)."""
        return self.undo_minutes if self.undo_minutes > 0 else self.claim_minutes

    @property
    def data_root(self) -> Path:
        return Path(self.data_dir) if self.data_dir is not None else Path(self.store_path).parent

    @property
    def tips_folder(self) -> Path:
        return self.tips_dir or self.store_path.with_name("tips")

    def open_index(self):
        if self.index_opener is not None:
            return self.index_opener()
        return open_index(self.search_url, self.search_path or self.store_path.with_name("search.db"))

    @classmethod
    def from_settings(cls, settings: Settings) -> "WebConfig":
        web = settings.web
        return cls(
            store_path=settings.store_path, store_url=settings.store_url, evidence_dir=settings.evidence_dir, export_dir=settings.export_dir,
            search_url=settings.search_url, search_path=settings.search_path,
            secure_cookies=web.secure_cookies, session_hours=web.session_hours,
            login_max_failures=web.login_max_failures, login_window_seconds=web.login_window_seconds,
            login_max_failures_per_ip=web.login_max_failures_per_ip, page_size=web.page_size,
            claim_minutes=web.claim_minutes, undo_minutes=web.undo_minutes,
            pack_exports_at_once=web.pack_exports_at_once,
            trusted_proxies=tuple(web.trusted_proxies),
            tips_dir=settings.tips_dir, tips=TipPolicy.from_settings(settings),
            pack_exporter=partial(export_evidence_pack, settings),
            transfer_exporter=partial(export_transfer, settings),
            data_dir=settings.data_dir, assist_requester=partial(request_assistance, settings),
            index_opener=partial(open_index_from_settings, settings),
            sellers=settings.sellers,
            campaign=settings.campaign, chromium=settings.capture.chromium,
            drift=settings.drift, model_dir=settings.model_dir,
        )
