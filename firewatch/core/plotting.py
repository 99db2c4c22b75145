"""Matplotlib for charts people read: the Agg backend and a CJK font first, so Chinese labels render."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

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


@contextmanager
def png_figure(path: str | Path, *args: Any, dpi: int = 120, **kwargs: Any) -> Iterator[tuple[Any, Any]]:
    """`plt.subplots(*args, **kwargs)` as (figure, axes); on a clean exit the figure is laid out and
    written to `path` as PNG (its folder made); the figure is closed either way."""
    plt = pyplot()
    fig, axes = plt.subplots(*args, **kwargs)
    try:
        yield fig, axes
        fig.tight_layout()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
