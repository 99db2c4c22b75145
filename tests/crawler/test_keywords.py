"""Keyword sets per category and platform, from the settings file."""

import pytest

from crawler.keywords import keyword_plan
from firewatch.core.exceptions import SettingsError
from firewatch.core.settings import DEFAULT_FILE, load_settings


@pytest.fixture
def settings(tmp_path):
    cfg = tmp_path / "fw.toml"
    cfg.write_text(
        '[crawl.keywords]\ndefault = ["灭火器", "消防"]\nsmoke_alarm = ["烟感", "烟雾报警器"]\n'
        '[crawl.platform_keywords.1688]\ndefault = ["灭火器 批发", "消防"]\n', encoding="utf-8")
    return load_settings(cfg, env={})


def test_default_set_with_platform_extras(settings):
    plan = keyword_plan(settings, ["jd", "1688"])
    assert plan == {"jd": ["灭火器", "消防"], "1688": ["灭火器", "消防", "灭火器 批发"]}


def test_category_sets_and_queries(settings):
    assert keyword_plan(settings, ["pdd"], ["smoke_alarm"]) == {"pdd": ["烟感", "烟雾报警器"]}
    assert keyword_plan(settings, ["pdd", "jd"], ["smoke_alarm"], ["呼吸器"]) == {"pdd": ["呼吸器"], "jd": ["呼吸器"]}


def test_unknown_set_names_the_known_ones(settings):
    with pytest.raises(SettingsError, match="smoke_alarm"):
        keyword_plan(settings, ["jd"], ["fire_hose"])


def test_project_file_has_a_set_for_every_fire_category():
    sets = load_settings(DEFAULT_FILE, env={}).section("crawl")["keywords"]
    from classifiers.corpus import CORPUS_PATH, load_records

    categories = {r["category"] for r in load_records(CORPUS_PATH)} - {"not_fire", "other_fire"}
    assert categories <= set(sets), categories - set(sets)
