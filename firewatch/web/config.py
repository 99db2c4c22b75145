"""The plain values the web app runs on, read once from `Settings` (or built directly in tests).

`create_app` accepts either a `Settings` or a `WebConfig`; nothing in the web package
reads settings or the environment itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class WebConfig:
    """Where the data lives and how sessions and logins behave."""

    store_path: Path
    evidence_dir: Path
    export_dir: Path
    search_url: str = "sqlite"
    search_path: Path | None = None
    secure_cookies: bool = False
    session_hours: float = 12
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_max_failures_per_ip: int = 30  # failures from one address for any user names (password spraying)
    page_size: int = 50
    # () -> an open search index (firewatch.search protocol); default: open_index(search_url, search_path)
    index_opener: Callable[[], Any] | None = None
    # (store, keys, out_path, operator=, case=) -> manifest: writes a signed evidence pack
    pack_exporter: Callable[..., Any] | None = None

    def open_index(self):
        if self.index_opener is not None:
            return self.index_opener()
        from firewatch.search import open_index

        return open_index(self.search_url, self.search_path or self.store_path.with_name("search.db"))

    @classmethod
    def from_settings(cls, settings) -> "WebConfig":
        from firewatch.services.evidence import export_evidence_pack
        from firewatch.search import open_index_from_settings

        web = settings.section("web")
        return cls(
            store_path=settings.store_path, evidence_dir=settings.evidence_dir, export_dir=settings.export_dir,
            search_url=settings.search_url, search_path=settings.search_path,
            secure_cookies=bool(web.get("secure_cookies", False)), session_hours=float(web.get("session_hours", 12)),
            login_max_failures=int(web.get("login_max_failures", 5)),
            login_window_seconds=int(web.get("login_window_seconds", 900)),
            login_max_failures_per_ip=int(web.get("login_max_failures_per_ip", 30)), page_size=int(web.get("page_size", 50)),
            pack_exporter=partial(export_evidence_pack, settings),
            index_opener=partial(open_index_from_settings, settings),
        )
