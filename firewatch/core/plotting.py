"""Matplotlib for charts people read: the Agg backend and a CJK font first, so Chinese labels render."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "WenQuanYi Zen Hei",
             "Source Han Sans SC")


def pyplot() -> Any:
    """`matplotlib.pyplot`, headless, with the first installed CJK font as the sans-serif default."""
    # matplotlib takes about a second to import: only charts pay for it
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed]
    if not cjk:
        log.warning("no CJK font found (install fonts-noto-cjk): Chinese labels will not render")
    plt.rcParams["font.sans-serif"] = cjk + list(plt.rcParams["font.sans-serif"])
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return plt
