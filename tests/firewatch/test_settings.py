"""Settings: defaults, the TOML file, FIREWATCH_* overrides, resolved paths."""

from pathlib import Path

import pytest

from firewatch.core.exceptions import SettingsError
from firewatch.core.settings import DEFAULT_FILE, load_settings


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
