"""The one settings loader: `firewatch.toml` plus `FIREWATCH_*` environment overrides.

Nothing else in the project reads the environment. Components receive plain values from
a `Settings` object (or from tests directly). Precedence: built-in defaults, then the
TOML file, then the environment. An environment key `FIREWATCH_<SECTION>__<KEY>`
overrides `[section] key`; values are parsed as TOML literals when they parse
(numbers, booleans, arrays) and taken as strings otherwise.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from firewatch.core.exceptions import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = PROJECT_ROOT / "firewatch.toml"
ENV_PREFIX = "FIREWATCH_"


def _defaults() -> dict[str, Any]:
    # The documented copy of these defaults is firewatch.toml; keep both in step.
    return {
        "paths": {"data_dir": "var"},
        "store": {"url": "sqlite:///firewatch.db"},
        "search": {"url": "sqlite", "index_prefix": "firewatch", "timeout": 30, "retries": 3, "backoff": 0.5,
                   "shards": 1, "replicas": 0},
        "crawl": {
            "base_url": "http://127.0.0.1:8800",
            "platforms": ["jd", "taobao", "pdd", "1688"],
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) firewatch/0.1",
            "obey_robots": True,
            "concurrency_per_domain": 8,
            "download_delay": 0.0,
            "autothrottle": True,
            "retry_times": 6,
            "max_pages": 20,
            "recrawl_after": 21600,
            "max_blocks": 30,
            "block_backoff": 0.5,
            "max_retry_after": 30,
            "proxies": [],
            "proxy_max_failures": 3,
            "proxy_cooldown": 300,
            "sessions": {},
            "keywords": {"default": ["灭火器"]},
            "platform_keywords": {},
            "redis_url": "",
            "redis_key_prefix": "firewatch",
            "redis_worker_timeout": 60,
        },
        "scoring": {"threshold": 0.5, "model_dir": "models", "watchlist": "", "price_min_listings": 200},
        "capture": {
            "chromium": "/usr/bin/chromium",
            "max_height": 10000,
            "timeout_ms": 30000,
            "concurrency": 4,
            "settle_ms": 300,
            "evidence_dir": "evidence",
        },
        "export": {"dir": "exports"},
        "notices": {
            "sender_org": "消防产品网络市场监测组",
            "sender_contact": "",
            "recipient": "{platform_name}平台 商品合规/治理团队",
            "legal_basis": ("依据《中华人民共和国消防法》第二十四条（禁止销售不合格的消防产品；实行强制性产品认证的消防产品须经认证合格方可销售）"
                            "和《中华人民共和国电子商务法》第三十八条（平台经营者知道或者应当知道平台内经营者销售的商品不符合保障人身、财产安全的要求，应当采取必要措施）"),
            "reply_deadline_days": 7,
            "channel": "平台投诉/举报通道",
        },
        "evidence": {"key_dir": "keys", "tsa_url": "", "tsa_timeout": 15,
                     "time_source": "本机系统时钟 (UTC) / host system clock"},
        "web": {"host": "127.0.0.1", "port": 8000, "secure_cookies": False, "session_hours": 12,
                "login_max_failures": 5, "login_window_seconds": 900, "page_size": 50},
        "alerts": {
            "run_on_process": True,
            "rules": ["new_flagged", "notice_overdue", "relisting", "price_floor", "crawler_blocked"],
            "risk_threshold": 0.8,
            "flagged_max_age_days": 7,
            "notice_overdue_days": 14,
            "price_floor_fraction": 0.3,
            "blocked_min_blocks": 10,
            "relisting_min_score": 0.6,
            "relisting_title_min_similarity": 0.6,
            "relisting_shop_min_similarity": 0.6,
            "relisting_image_max_distance": 6,
            "relisting_weights": {"title": 0.4, "image": 0.4, "shop": 0.2},
            "image_timeout": 10.0,
            "image_max_bytes": 5000000,
            "image_retry_hours": 24,
            "max_attempts": 4,
            "backoff_seconds": 1.0,
            "backoff_max_seconds": 30.0,
            "timezone": "Asia/Shanghai",
            "smtp_host": "",
            "smtp_port": 25,
            "smtp_from": "firewatch@localhost",
            "smtp_to": [],
            "smtp_starttls": False,
            "smtp_ssl": False,
            "smtp_username": "",
            "smtp_password": "",
            "smtp_timeout": 30.0,
            "webhook_url": "",
            "webhook_secret": "",
            "webhook_timeout": 10.0,
        },
        "schedule": {
            "timezone": "",
            "misfire_grace_seconds": 600,
            "stop_timeout_seconds": 20,
            "capture": True,
            "max_captures": 0,
            "jobs": [
                {"id": "all-daily", "platforms": ["jd", "taobao", "pdd", "1688"], "keywords": "default", "cron": "0 3 * * *"},
            ],
        },
    }


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        rest = name[len(ENV_PREFIX):].lower()
        if rest == "data_dir":
            out.setdefault("paths", {})["data_dir"] = raw
            continue
        if "__" not in rest:
            continue
        section, key = rest.split("__", 1)
        out.setdefault(section, {})[key] = _parse_env_value(raw)
    return out


@dataclass(frozen=True)
class Settings:
    """Resolved settings: the raw sections plus resolved paths."""

    raw: dict[str, Any]
    base_dir: Path
    file: Path | None = None  # the settings file read, if any (child processes get it too)

    def section(self, name: str) -> dict[str, Any]:
        return self.raw.get(name, {})

    @property
    def data_dir(self) -> Path:
        return (self.base_dir / self.raw["paths"]["data_dir"]).resolve()

    def data_path(self, relative: str) -> Path:
        """A path inside the data directory (absolute paths are kept as given)."""
        return self.data_dir / relative

    @property
    def store_path(self) -> Path:
        url = self.raw["store"]["url"]
        if not url.startswith("sqlite:///"):
            raise SettingsError(f"store.url {url!r}: only sqlite:///PATH is supported")
        return self.data_path(url[len("sqlite:///"):])

    @property
    def search_url(self) -> str:
        return self.raw["search"]["url"]

    @property
    def search_path(self) -> Path:
        return self.data_path("search.db")

    @property
    def model_dir(self) -> Path:
        return self.data_path(self.raw["scoring"]["model_dir"])

    @property
    def evidence_dir(self) -> Path:
        return self.data_path(self.raw["capture"]["evidence_dir"])

    @property
    def export_dir(self) -> Path:
        return self.data_path(self.raw["export"]["dir"])

    @property
    def watchlist_path(self) -> Path | None:
        name = self.raw["scoring"].get("watchlist") or ""
        return (self.base_dir / name).resolve() if name else None

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Settings":
        """A copy with some sections' keys replaced (used by the CLI options)."""
        return Settings(_merge(copy.deepcopy(self.raw), overrides), self.base_dir, self.file)


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read defaults, the TOML file and the environment into one `Settings`."""
    env = os.environ if env is None else env
    file = Path(path or env.get(ENV_PREFIX + "CONFIG") or DEFAULT_FILE)
    raw = _defaults()
    if file.exists():
        try:
            _merge(raw, tomllib.loads(file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{file}: not valid TOML ({exc}); fix the file or point FIREWATCH_CONFIG elsewhere") from exc
    elif path is not None:
        raise SettingsError(f"settings file {file} not found")
    _merge(raw, _env_overrides(env))
    return Settings(raw, file.resolve().parent, file.resolve() if file.exists() else None)
