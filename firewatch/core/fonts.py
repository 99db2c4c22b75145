"""Check that Chinese text really renders before a screenshot is kept as evidence.

`assert_cjk_rendering(page, env)` asks fontconfig which families cover Chinese, then draws Chinese
and missing-glyph characters on a canvas in the browser and compares their pixels; it returns the
families, or raises `MissingCJKFontsError` (saying what to install) if Chinese would be tofu boxes.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from firewatch.core.exceptions import MissingCJKFontsError

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install -y fonts-noto-cjk"
PROBE_TEXT = "灭火器年检专用"
TOFU_TEXT = "\ue000\U0010fffd"
_FONT = "32px sans-serif"

# --- fontconfig ----------------------------------------------------------------------


def _merged_env(env: Mapping[str, str] | None) -> dict[str, str] | None:
    """The inherited environment with `env` laid over it (None: inherit unchanged)."""
    if env is None:
        return None
    merged = dict(os.environ)
    merged.update(env)
    return merged


def cjk_font_families(env: Mapping[str, str] | None = None, fc_list: str = "fc-list") -> list[str]:
    """Font families fontconfig says cover Chinese (`fc-list :lang=zh family`), sorted.

    `env` holds variables laid over the inherited environment for fc-list (for example
    `FONTCONFIG_FILE`), so the answer matches what a browser started with the same
    variables sees. Raises `MissingCJKFontsError` if fc-list itself is missing.
    """
    exe = shutil.which(fc_list)
    if exe is None:
        raise MissingCJKFontsError(
            f"fontconfig's {fc_list!r} was not found; install fontconfig and CJK fonts: "
            f"apt-get install -y fontconfig fonts-noto-cjk"
        )
    proc = subprocess.run(
        [exe, ":lang=zh", "family"],
        capture_output=True,
        text=True,
        env=_merged_env(env),
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise MissingCJKFontsError(
            f"fc-list failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}"
        )
    families: set[str] = set()
    for line in proc.stdout.splitlines():
        for name in line.split(","):
            name = name.strip()
            if name:
                families.add(name)
    return sorted(families)


# --- in-browser rendering check ------------------------------------------------------

_GLYPH_SIGNATURES_JS = """
([chars, font]) => {
  const size = 48;
  const canvas = document.createElement('canvas');
  canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const out = [];
  for (const ch of chars) {
    ctx.clearRect(0, 0, size, size);
    ctx.fillStyle = '#000';
    ctx.font = font;
    ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    const data = ctx.getImageData(0, 0, size, size).data;
    let ink = 0, hash = 2166136261;
    for (let i = 3; i < data.length; i += 4) {
      ink += data[i];
      hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
    }
    out.push({ch: ch, ink: ink, hash: hash, width: ctx.measureText(ch).width});
  }
  return out;
}
"""


def glyph_signatures(page: Any, text: str, font: str = _FONT) -> list[dict[str, Any]]:
    """Per character of `text`: ink (sum of alpha), pixel hash and advance width."""
    return page.evaluate(_GLYPH_SIGNATURES_JS, [list(text), font])


def _signature(glyph: dict[str, Any]) -> tuple[int, int, float]:
    return (int(glyph["ink"]), int(glyph["hash"]), round(float(glyph["width"]), 2))


def assert_cjk_rendering(
    page: Any,
    env: Mapping[str, str] | None = None,
    probe: str = PROBE_TEXT,
    check_fontconfig: bool = True,
) -> list[str]:
    """Raise `MissingCJKFontsError` unless Chinese renders as real glyphs in `page`.

    `page` is a Playwright page (any URL; the check draws on a detached canvas and
    leaves the document alone). `env` is passed to fc-list: give it the same variables
    the browser was launched with. Returns the CJK families fontconfig reports.
    """
    families: list[str] = []
    if check_fontconfig:
        families = cjk_font_families(env)
        if not families:
            raise MissingCJKFontsError(
                "fontconfig finds no font covering Chinese (fc-list :lang=zh is empty); "
                f"screenshots would show tofu boxes. Install CJK fonts: {INSTALL_HINT}"
            )
    chinese = [_signature(g) for g in glyph_signatures(page, probe)]
    tofu = {_signature(g) for g in glyph_signatures(page, TOFU_TEXT)}
    problems = []
    if any(sig[0] == 0 for sig in chinese):
        problems.append("some Chinese glyphs draw no pixels")
    if any(sig in tofu for sig in chinese):
        problems.append("Chinese glyphs are pixel-identical to the missing-glyph box")
    if len(set(chinese)) < len(set(probe)):
        problems.append("distinct Chinese characters draw identical glyphs")
    if problems:
        raise MissingCJKFontsError(
            f"the browser cannot render Chinese ({'; '.join(problems)}; probe {probe!r}); "
            f"fontconfig CJK families: {families or 'none'}. Install CJK fonts: {INSTALL_HINT}"
        )
    log.debug("CJK rendering OK; %d CJK families", len(families))
    return families
