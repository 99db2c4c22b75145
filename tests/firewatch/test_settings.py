"""Settings: the schema, defaults, the TOML file, FIREWATCH_* overrides, resolved paths, errors."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from firewatch.core.exceptions import SettingsError
from firewatch.core.settings import DEFAULT_FILE, Settings, load_settings

ROOT = DEFAULT_FILE.parent


def test_project_file_parses_and_keeps_documented_defaults():
    s = load_settings(DEFAULT_FILE, env={})
    assert s.section("scoring")["threshold"] == 0.5
    assert s.data_dir == (DEFAULT_FILE.parent / "var").resolve()
    assert s.store_path == s.data_dir / "firewatch.db"
    assert "灭火器" in s.section("crawl")["keywords"]["default"]


def test_environment_overrides_file(tmp_path: Path):
    cfg = tmp_path / "fw.toml"
    cfg.write_text('[scoring]\nthreshold = 0.7\n[crawl]\nuser_agent = "file"\n', encoding="utf-8")
    env = {"FIREWATCH_SCORING__THRESHOLD": "0.9", "FIREWATCH_CRAWL__USER_AGENT": "env agent/1.0",
           "FIREWATCH_DATA_DIR": str(tmp_path / "d"), "OTHER": "x"}
    s = load_settings(cfg, env=env)
    assert s.section("scoring")["threshold"] == 0.9
    assert s.section("crawl")["user_agent"] == "env agent/1.0"
    assert s.data_dir == (tmp_path / "d").resolve()
    assert s.section("crawl")["max_pages"] == 20  # built-in default kept


def test_broken_file_names_itself(tmp_path: Path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[scoring\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="bad.toml"):
        load_settings(cfg, env={})


def test_only_the_loader_reads_the_environment():
    """Settings come from the loader only (copying the environment for a child process is fine)."""
    root = DEFAULT_FILE.parent
    offenders = []
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or path.parts[-2] == "tests" or "tests" in path.relative_to(root).parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        reads = ("os.getenv(", "os.environ.get(", "os.environ[", "environ.get(")
        if any(r in text for r in reads) and path.name != "settings.py":
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


# -- the schema and its documented copy ----------------------------------------------------
def _schema_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        keys.add(key)
        sub = _model_in(field.annotation)
        if sub is not None:
            keys |= _schema_keys(sub, key + ("[]." if get_origin(field.annotation) is list else "."))
    return keys


def _model_in(annotation) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _file_keys(model: type[BaseModel], table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in table.items():
        key = f"{prefix}{name}"
        keys.add(key)
        field = model.model_fields.get(name)
        sub = _model_in(field.annotation) if field is not None else None
        if sub is not None and isinstance(value, dict):
            keys |= _file_keys(sub, value, key + ".")
        elif sub is not None and isinstance(value, list):
            for item in value:
                keys |= _file_keys(sub, item, key + "[].")
    return keys


def test_the_project_file_is_exactly_the_schema_defaults():
    """firewatch.toml documents every key with its default, and nothing else."""
    table = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert _file_keys(Settings, table) == _schema_keys(Settings)
    from_file = load_settings(DEFAULT_FILE, env={})  # every value validates (else SettingsError)
    defaults = Settings()
    for section in Settings.model_fields:
        assert from_file.section(section) == defaults.section(section), section


def test_every_key_has_help():
    def undocumented(model: type[BaseModel], prefix: str = "") -> list[str]:
        out = []
        for name, field in model.model_fields.items():
            if not (field.description or "").strip():
                out.append(prefix + name)
            sub = _model_in(field.annotation)
            if sub is not None:
                out += undocumented(sub, f"{prefix}{name}.")
        return out

    assert undocumented(Settings) == []


def test_typed_sections_and_plain_dict_sections_agree():
    s = load_settings(env={"FIREWATCH_ALERTS__RISK_THRESHOLD": "0.95"})
    assert s.alerts.risk_threshold == 0.95 == s.section("alerts")["risk_threshold"]
    assert s.crawl.sessions == {} and s.section("crawl")["keywords"]["default"] == s.crawl.keywords["default"]
    assert isinstance(s.section("alerts")["relisting_weights"], dict)
    with pytest.raises(KeyError):
        s.section("nosuchsection")


def test_overrides_make_a_new_validated_object(tmp_path: Path):
    s = load_settings(env={"FIREWATCH_DATA_DIR": str(tmp_path)})
    other = s.with_overrides({"crawl": {"sessions": {"jd": "sessions/jd.json"}}, "paths": {"data_dir": str(tmp_path / "o")}})
    assert other.crawl.sessions == {"jd": "sessions/jd.json"} and other.data_dir == tmp_path / "o"
    assert s.crawl.sessions == {} and s.data_dir == tmp_path
    assert other.file == s.file and other.base_dir == s.base_dir
    assert other.crawl.max_pages == s.crawl.max_pages
    with pytest.raises(SettingsError, match=r"crawl\.max_pages = 'lots': expected a whole number \(override\)"):
        s.with_overrides({"crawl": {"max_pages": "lots"}})
    with pytest.raises(ValidationError, match="frozen"):
        s.alerts = s.alerts  # settings are not changed in place


# -- environment values ------------------------------------------------------------------------
def test_list_keys_take_one_value_or_a_json_list_from_the_environment():
    one = load_settings(env={"FIREWATCH_ALERTS__RULES": "new_flagged", "FIREWATCH_CRAWL__PLATFORMS": "pdd",
                             "FIREWATCH_ALERTS__SMTP_TO": "duty@example.org",
                             "FIREWATCH_CRAWL__PROXIES": "http://127.0.0.1:3128"})
    assert one.alerts.rules == ["new_flagged"] and one.crawl.platforms == ["pdd"]
    assert one.alerts.smtp_to == ["duty@example.org"] and one.crawl.proxies == ["http://127.0.0.1:3128"]
    many = load_settings(env={"FIREWATCH_ALERTS__RULES": '["new_flagged", "relisting"]',
                              "FIREWATCH_CRAWL__PLATFORMS": '["jd", "1688"]',
                              "FIREWATCH_ALERTS__SMTP_TO": '["a@example.org", "b@example.org"]'})
    assert many.alerts.rules == ["new_flagged", "relisting"] and many.crawl.platforms == ["jd", "1688"]
    assert many.alerts.smtp_to == ["a@example.org", "b@example.org"]
    assert load_settings(env={"FIREWATCH_CRAWL__KEYWORDS__DEFAULT": "灭火器"}).crawl.keywords["default"] == ["灭火器"]
    assert load_settings(env={"FIREWATCH_CRAWL__PLATFORMS": "1688"}).crawl.platforms == ["1688"]  # not the number
    assert load_settings(env={"FIREWATCH_CRAWL__PLATFORMS": "['jd', 'pdd']"}).crawl.platforms == ["jd", "pdd"]  # TOML
    with pytest.raises(SettingsError, match=r"alerts\.rules\[1\] = 'astrology': expected one of .*new_flagged.*"
                                            r"\(FIREWATCH_ALERTS__RULES\)"):
        load_settings(env={"FIREWATCH_ALERTS__RULES": '["new_flagged", "astrology"]'})
    with pytest.raises(SettingsError, match=r"crawl\.platforms\[0\] = 'ebay'.*'jd', 'taobao', 'pdd' or '1688'"):
        load_settings(env={"FIREWATCH_CRAWL__PLATFORMS": "ebay"})


def test_scalar_environment_values_are_typed_by_the_schema():
    s = load_settings(env={"FIREWATCH_CRAWL__OBEY_ROBOTS": "false", "FIREWATCH_CRAWL__MAX_PAGES": "3",
                           "FIREWATCH_ALERTS__SMTP_PASSWORD": "12345", "FIREWATCH_ALERTS__RELISTING_WEIGHTS__TITLE": "0.5"})
    assert s.crawl.obey_robots is False and s.crawl.max_pages == 3
    assert s.alerts.smtp_password == "12345"  # a string key stays a string
    assert (s.alerts.relisting_weights.title, s.alerts.relisting_weights.image) == (0.5, 0.4)
    assert "12345" not in repr(s)


def test_a_bad_environment_value_is_one_line_naming_key_value_and_variable():
    with pytest.raises(SettingsError) as info:
        load_settings(env={"FIREWATCH_ALERTS__RISK_THRESHOLD": "high"})
    assert str(info.value) == ("设置错误 settings error: alerts.risk_threshold = 'high': expected a number "
                               "(FIREWATCH_ALERTS__RISK_THRESHOLD)")
    with pytest.raises(SettingsError, match=r"alerts\.risk_treshold = '0\.9': unknown key, did you mean risk_threshold"):
        load_settings(env={"FIREWATCH_ALERTS__RISK_TRESHOLD": "0.9"})
    with pytest.raises(SettingsError, match=r"FIREWATCH_ALERT__RULES: unknown section 'alert', did you mean FIREWATCH_ALERTS"):
        load_settings(env={"FIREWATCH_ALERT__RULES": "new_flagged"})
    with pytest.raises(SettingsError, match=r"web\.port = '99999': expected a number <= 65535 \(FIREWATCH_WEB__PORT\)"):
        load_settings(env={"FIREWATCH_WEB__PORT": "99999"})


def test_data_dir_variable_overrides_paths_data_dir(tmp_path: Path):
    s = load_settings(env={"FIREWATCH_DATA_DIR": str(tmp_path / "a"), "FIREWATCH_PATHS__DATA_DIR": str(tmp_path / "b")})
    assert s.data_dir == tmp_path / "a" and s.paths.data_dir == str(tmp_path / "a")


# -- the settings file -------------------------------------------------------------------------
def test_an_unknown_key_in_the_file_names_the_key_and_the_file(tmp_path: Path):
    cfg = tmp_path / "fw.toml"
    cfg.write_text("[alerts]\nrisk_treshold = 0.9\n", encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(cfg, env={})
    assert str(info.value) == (f"设置错误 settings error: alerts.risk_treshold = 0.9: unknown key, did you mean "
                               f"risk_threshold? ({cfg.resolve()})")
    cfg.write_text("[alert]\nrules = []\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"alert = .*unknown key, did you mean alerts\?"):
        load_settings(cfg, env={})


def test_a_bad_type_in_the_file_names_the_key(tmp_path: Path):
    cfg = tmp_path / "fw.toml"
    cfg.write_text('[crawl]\nmax_pages = "many"\n[search]\nurl = "elastic"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(cfg, env={})
    message = str(info.value)
    assert "\n" not in message
    assert f"crawl.max_pages = 'many': expected a whole number ({cfg.resolve()})" in message
    assert "search.url = 'elastic': expected 'sqlite' or Elasticsearch node URL(s)" in message
    cfg.write_text('[[schedule.jobs]]\nid = "a"\ncron = "0 3 * * *"\nkeywords = "nosuchset"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"schedule\.jobs\[0\]\.keywords = 'nosuchset': expected a keyword set"):
        load_settings(cfg, env={})
    cfg.write_text('[[schedule.jobs]]\nid = "a"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"schedule\.jobs\[0\]\.cron: expected a value"):
        load_settings(cfg, env={})


def test_the_environment_wins_over_the_file_and_names_itself(tmp_path: Path):
    cfg = tmp_path / "fw.toml"
    cfg.write_text("[alerts]\nrules = [\"relisting\"]\nrisk_threshold = 0.7\n", encoding="utf-8")
    s = load_settings(cfg, env={"FIREWATCH_ALERTS__RULES": "new_flagged"})
    assert s.alerts.rules == ["new_flagged"] and s.alerts.risk_threshold == 0.7
    with pytest.raises(SettingsError, match=r"\(FIREWATCH_ALERTS__RISK_THRESHOLD\)"):
        load_settings(cfg, env={"FIREWATCH_ALERTS__RISK_THRESHOLD": "2"})


# -- the command line ---------------------------------------------------------------------------
def _firewatch(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FIREWATCH_")}
    return subprocess.run([sys.executable, "-m", "firewatch", "--data-dir", str(tmp_path / "data"), *args],
                          env={**environ, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def test_a_bad_risk_threshold_stops_the_command_with_exit_code_2(tmp_path: Path):
    result = _firewatch(tmp_path, {"FIREWATCH_ALERTS__RISK_THRESHOLD": "high"}, "alerts", "run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    # Compared without line breaks: rich wraps console output at the terminal width.
    assert ("设置错误 settings error: alerts.risk_threshold = 'high': expected a number "
            "(FIREWATCH_ALERTS__RISK_THRESHOLD)") in " ".join(result.stderr.split())


def test_one_rule_named_in_the_environment_runs_that_rule(tmp_path: Path):
    result = _firewatch(tmp_path, {"FIREWATCH_ALERTS__RULES": "new_flagged"}, "alerts", "run")
    assert result.returncode == 0, result.stderr
    assert "new_flagged" in result.stdout and "relisting" not in result.stdout
