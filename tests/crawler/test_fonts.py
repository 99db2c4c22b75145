"""The CJK rendering check passes with fonts installed and fails without them.

"Without them" is a real environment: a temporary fontconfig configuration whose only
font directory holds one Latin font (DejaVu), handed to fc-list and to Chromium through
`FONTCONFIG_FILE` (Playwright's `env=` launch argument).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from crawler.capture import Capturer
from firewatch.core.browser import launch
from firewatch.core.fonts import (
    MissingCJKFontsError,
    assert_cjk_rendering,
    cjk_font_families,
)

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("fc-list") is None,
    reason="Chromium or fontconfig not installed",
)


def _latin_font() -> Path:
    """A font file fontconfig knows that covers no Chinese (DejaVu preferred)."""
    out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    cjk = set(subprocess.run(["fc-list", ":lang=zh", "--format", "%{file}\n"],
                             capture_output=True, text=True, check=True).stdout.splitlines())
    candidates = [Path(f) for f in out if f and f not in cjk and f.endswith((".ttf", ".otf"))]
    candidates.sort(key=lambda p: ("DejaVuSans.ttf" != p.name, "dejavu" not in str(p).lower()))
    if not candidates:
        pytest.skip("no non-CJK font installed to build a CJK-less fontconfig")
    return candidates[0]


@pytest.fixture(scope="module")
def no_cjk_env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("fontconfig")
    fonts = root / "fonts"
    fonts.mkdir()
    shutil.copy(_latin_font(), fonts)
    (root / "cache").mkdir()
    conf = root / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{fonts}</dir>\n  <cachedir>{root / 'cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


def _launch(pw, env=None):
    return launch(pw.chromium, CHROMIUM, env=env)


def test_fc_list_finds_cjk_families():
    families = cjk_font_families()
    assert any("CJK" in f for f in families), families


def test_rendering_check_passes_with_fonts():
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page()
            families = assert_cjk_rendering(page)
        finally:
            browser.close()
    assert families


def test_fc_list_sees_no_cjk_in_stripped_environment(no_cjk_env):
    assert cjk_font_families(no_cjk_env) == []


def test_rendering_check_fails_without_cjk_fonts(no_cjk_env):
    with sync_playwright() as pw:
        browser = _launch(pw, no_cjk_env)
        try:
            page = browser.new_page()
            # The pixel check alone must notice tofu, not only the fc-list check.
            with pytest.raises(MissingCJKFontsError, match="fonts-noto-cjk") as info:
                assert_cjk_rendering(page, env=no_cjk_env, check_fontconfig=False)
            assert "missing-glyph" in str(info.value) or "identical" in str(info.value)
            with pytest.raises(MissingCJKFontsError, match="apt-get install -y fonts-noto-cjk"):
                assert_cjk_rendering(page, env=no_cjk_env)
        finally:
            browser.close()


def test_capturer_refuses_to_start_without_cjk_fonts(no_cjk_env, tmp_path):
    capturer = Capturer(CHROMIUM, tmp_path / "ev", "ua", ["127.0.0.1"],
                        is_blocked=lambda html, url: None, browser_env=no_cjk_env)
    with capturer, pytest.raises(MissingCJKFontsError):
        capturer.capture("jd", "1", "http://127.0.0.1:9/item.html")
    assert not (tmp_path / "ev").exists()
