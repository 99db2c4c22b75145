"""The settings schema and its one loader: defaults < `firewatch.toml` < `FIREWATCH_*` environment.

The sections (one model per `[table]`) live in `firewatch.core.setting_sections`; import them from here.

`load_settings(path=None, env=None)` returns the validated `Settings`: `FIREWATCH_<SECTION>__<KEY>`
overrides `[section] key`, `FIREWATCH_DATA_DIR` the data dir, `FIREWATCH_CONFIG` names the file; a
bad value or unknown key raises `SettingsError` in one line. Nothing else reads the environment.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict, TomlConfigSettingsSource
from pydantic_settings import SettingsError as SourceError
from pydantic_settings.sources.utils import parse_env_vars

from firewatch.core.exceptions import SettingsError
from firewatch.core.setting_sections import (ALERT_RULES, CRAWL_PLATFORMS, POSTGRES_SCHEMES, AlertRule, AlertsSettings, CampaignSettings,
                                             CaptureSettings, ClockSettings,
                                             CrawlPlatform, CrawlSettings, EvidenceSettings, ExportSettings,
                                             JobSettings, NoticesSettings, OcrSettings, PathsSettings, RelistingWeights,
                                             SellersSettings, TrainingSettings, DriftSettings,
                                             ScheduleSettings, ScoringSettings, SearchSettings, StoreSettings,
                                             TipsSettings, WebSettings)

__all__ = ["ALERT_RULES", "CRAWL_PLATFORMS", "DEFAULT_FILE", "AlertRule", "AlertsSettings", "CampaignSettings", "CaptureSettings", "ClockSettings",
           "CrawlPlatform", "CrawlSettings", "DriftSettings", "TrainingSettings", "EvidenceSettings", "ExportSettings", "JobSettings", "NoticesSettings",
           "OcrSettings", "PathsSettings", "RelistingWeights", "ScheduleSettings", "ScoringSettings", "SearchSettings", "Settings",
           "StoreSettings", "TipsSettings", "WebSettings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = PROJECT_ROOT / "firewatch.toml"
ENV_PREFIX = "FIREWATCH_"
ENV_CONFIG = ENV_PREFIX + "CONFIG"
ENV_DATA_DIR = ENV_PREFIX + "DATA_DIR"

# -- the whole ----------------------------------------------------------------------------
class Settings(BaseSettings):
    """Resolved settings: one typed section per table, plus the resolved paths."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True,
                                      validate_default=True)

    paths: PathsSettings = Field(default_factory=PathsSettings, description="Where data lives.")
    store: StoreSettings = Field(default_factory=StoreSettings, description="The store of record.")
    search: SearchSettings = Field(default_factory=SearchSettings, description="The search index.")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings, description="Crawling.")
    scoring: ScoringSettings = Field(default_factory=ScoringSettings, description="Risk scoring.")
    training: TrainingSettings = Field(default_factory=TrainingSettings, description="What `firewatch train` learns "
                                                                                      "from besides the corpus.")
    drift: DriftSettings = Field(default_factory=DriftSettings, description="Review precision and drift on the trends "
                                                                          "page.")
    capture: CaptureSettings = Field(default_factory=CaptureSettings, description="Evidence screenshots.")
    ocr: OcrSettings = Field(default_factory=OcrSettings, description="Text in listing images (OCR).")
    export: ExportSettings = Field(default_factory=ExportSettings, description="Exports.")
    notices: NoticesSettings = Field(default_factory=NoticesSettings, description="Takedown notices.")
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings, description="Evidence packs.")
    web: WebSettings = Field(default_factory=WebSettings, description="The review web app.")
    tips: TipsSettings = Field(default_factory=TipsSettings, description="The public tips channel.")
    alerts: AlertsSettings = Field(default_factory=AlertsSettings, description="Alert rules and delivery.")
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings, description="Scheduled crawls.")
    sellers: SellersSettings = Field(default_factory=SellersSettings, description="Seller networks and repeat "
                                                                                   "offenders.")
    campaign: CampaignSettings = Field(default_factory=CampaignSettings, description="The campaign and its reports.")
    clock: ClockSettings = Field(default_factory=ClockSettings, description="A simulated clock (demo only).")

    _base_dir: Path = PrivateAttr(default=PROJECT_ROOT)
    _file: Path | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_other):
        # Values arrive as keyword arguments only: `load_settings` reads the file and the
        # environment mapping it is given, so constructing a Settings reads neither.
        return (init_settings,)

    @model_validator(mode="after")
    def _job_keyword_sets(self) -> "Settings":
        for n, job in enumerate(self.schedule.jobs):
            if isinstance(job.keywords, str) and job.keywords not in self.crawl.keywords:
                known = list(self.crawl.keywords)
                shown = ", ".join(known[:6]) + (", ..." if len(known) > 6 else "")
                raise ValueError(f"schedule.jobs[{n}].keywords = {job.keywords!r}: expected a keyword set of "
                                 f"crawl.keywords ({shown}) or a list of keywords")
        return self

    # -- resolved values --------------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        """The settings file's directory: relative data_dir and watchlist paths start here."""
        return self._base_dir

    @property
    def file(self) -> Path | None:
        """The settings file read, if any (child processes get it too)."""
        return self._file

    def section(self, name: str) -> dict[str, Any]:
        """One section as a plain dict (for callers not yet using the typed attributes)."""
        if name not in type(self).model_fields:
            raise KeyError(f"no settings section {name!r}")
        return getattr(self, name).model_dump()

    @property
    def data_dir(self) -> Path:
        return (self.base_dir / self.paths.data_dir).resolve()

    def data_path(self, relative: str) -> Path:
        """A path inside the data directory (absolute paths are kept as given)."""
        return self.data_dir / relative

    @property
    def store_is_postgres(self) -> bool:
        return self.store.url.startswith(POSTGRES_SCHEMES)

    @property
    def store_url(self) -> str:
        """What `open_store` takes: the SQLite file's absolute path, or the PostgreSQL URL."""
        return self.store.url if self.store_is_postgres else str(self.store_path)

    @property
    def store_path(self) -> Path:
        """The SQLite store's file; with a PostgreSQL store, the place files kept beside the store
        (locks, the scheduler's job store stays in PostgreSQL) are named after: `data_dir/firewatch.db`."""
        if self.store_is_postgres:
            return self.data_path("firewatch.db")
        return self.data_path(self.store.url[len("sqlite:///"):])

    @property
    def search_url(self) -> str:
        return self.search.url

    @property
    def search_path(self) -> Path:
        return self.data_path("search.db")

    @property
    def model_dir(self) -> Path:
        return self.data_path(self.scoring.model_dir)

    @property
    def evidence_dir(self) -> Path:
        return self.data_path(self.capture.evidence_dir)

    @property
    def export_dir(self) -> Path:
        return self.data_path(self.export.dir)

    @property
    def tips_dir(self) -> Path:
        return self.data_path(self.tips.dir)

    @property
    def key_dir(self) -> Path:
        return self.data_path(self.evidence.key_dir)

    @property
    def trust_ca_path(self) -> Path | None:
        return self.data_path(self.crawl.trust_ca) if self.crawl.trust_ca else None

    @property
    def watchlist_path(self) -> Path | None:
        name = self.scoring.watchlist
        return (self.base_dir / name).resolve() if name else None

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Settings":
        """A new, validated copy with some sections' keys replaced (used by CLI options)."""
        values = _merge(self.model_dump(), overrides)
        return _validated(values, self.base_dir, self.file, lambda loc: "override")


# -- loading --------------------------------------------------------------------------
class _EnvSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of os.environ.

    A list, table or section value is a JSON (else TOML) array or table; anything else
    is kept as text, so one value for a list (`1688`, `new_flagged`) is a one-item list."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]):
        self._env = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._env, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)

    def decode_complex_value(self, field_name: str, field: Any, value: Any) -> Any:
        for parse in (json.loads, lambda text: tomllib.loads(f"v = {text}")["v"]):
            try:
                decoded = parse(value)
            except ValueError:  # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors
                continue
            if isinstance(decoded, (list, dict)):
                return decoded
        return value


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _env_name(parts: tuple[str, ...]) -> str:
    return ENV_PREFIX + "__".join(parts).upper()


def _environment(env: Mapping[str, str]) -> dict[str, str]:
    """The FIREWATCH_* entries, FIREWATCH_DATA_DIR as paths.data_dir; unknown sections refused."""
    out = {k: v for k, v in env.items() if k.upper().startswith(ENV_PREFIX)}
    data_dir = next((v for k, v in out.items() if k.upper() == ENV_DATA_DIR), None)
    if data_dir is not None:
        out = {k: v for k, v in out.items() if k.upper() != _env_name(("paths", "data_dir"))}
        out[_env_name(("paths", "data_dir"))] = data_dir
    sections = Settings.model_fields
    for name in out:
        rest = name[len(ENV_PREFIX):].lower()
        if "__" in rest and rest.split("__", 1)[0] not in sections:
            section = rest.split("__", 1)[0]
            near = difflib.get_close_matches(section, sections, n=1)
            hint = f", did you mean {_env_name((near[0],))}__...?" if near else ""
            raise SettingsError(f"设置错误 settings error: {name.upper()}: unknown section {section!r}{hint} "
                                f"(sections: {', '.join(sections)})")
    return out


def _has(data: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        if isinstance(data, Mapping) and part in data or isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


_EXPECTED = {
    "float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number",
    "int_type": "a whole number", "int_from_float": "a whole number", "bool_parsing": "true or false",
    "bool_type": "true or false", "string_type": "a string", "dict_type": "a table", "model_type": "a table",
    "model_attributes_type": "a table", "missing": "a value (the key is required)",
    "list_type": "a list (from the environment: one value or a JSON list)",
}


def _expected(err: Mapping[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "no such key"
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"a number {op} {bound}"
    if kind == "too_short":
        return "a non-empty value"
    return _EXPECTED.get(kind, err["msg"][:1].lower() + err["msg"][1:])


def _show(value: Any, key: str) -> str:
    if ("password" in key or "secret" in key) and value:
        return "'***'"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(err: Mapping[str, Any], source: Any) -> str:
    loc = tuple(err["loc"])
    if not loc and err["type"] == "value_error":
        return str((err.get("ctx") or {}).get("error", err["msg"]))
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    where = source(loc)
    text = f"{key}: " if err["type"] == "missing" else f"{key} = {_show(err.get('input'), key)}: "
    if err["type"] == "extra_forbidden":
        *parent, name = loc
        model = _model_at(tuple(parent))
        known = list(model.model_fields) if model is not None else []
        near = difflib.get_close_matches(str(name), known, n=1)
        text += "unknown key" + (f", did you mean {near[0]}?" if near else "")
    elif err["type"] == "value_error":
        text += str((err.get("ctx") or {}).get("error", err["msg"]))
    else:
        text += f"expected {_expected(err)}"
    return text + (f" ({where})" if where else "")


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: Any = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        ann = field.annotation
        inner = [a for a in get_args(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else (inner[0] if inner else None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _validated(values: Mapping[str, Any], base_dir: Path, file: Path | None, source: Any) -> Settings:
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        messages = [_message(err, source) for err in exc.errors()]
        raise SettingsError("设置错误 settings error: " + "; ".join(messages)) from None
    settings._base_dir = base_dir
    settings._file = file
    return settings


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then the environment (default: os.environ), validated."""
    env = os.environ if env is None else env
    file = Path(path or env.get(ENV_CONFIG) or DEFAULT_FILE)
    if path is not None and not file.exists():
        raise SettingsError(f"设置错误 settings error: settings file {file} not found")
    try:
        from_file = TomlConfigSettingsSource(Settings, toml_file=file)() if file.exists() else {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"设置错误 settings error: {file}: not valid TOML ({exc}); fix the file or point "
                            f"{ENV_CONFIG} elsewhere") from None
    environment = _environment(env)
    try:
        from_env = _EnvSource(Settings, environment)()
    except SourceError as exc:  # pragma: no cover - decode_complex_value keeps undecodable text
        raise SettingsError(f"设置错误 settings error: {exc}") from None
    given = {k.upper() for k in env}

    def source(loc: tuple[Any, ...]) -> str:
        """Where the value at `loc` came from: an environment variable or the file."""
        names = tuple(p for p in loc if isinstance(p, str))
        for n in range(len(names), 0, -1):
            name = ENV_DATA_DIR if names[:n] == ("paths", "data_dir") and ENV_DATA_DIR in given else _env_name(names[:n])
            if name in given:
                return name
        return str(file.resolve()) if _has(from_file, loc) else ""

    resolved = file.resolve()
    return _validated(_merge(from_file, from_env), resolved.parent, resolved if file.exists() else None, source)
