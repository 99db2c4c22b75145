"""Charts drawn on the server as inline SVG: a listing's price history, the weekly
flag counts of the trends page and its weekly review precision per reason (`share_lines`).

No script and no inline style (the CSP forbids both): only SVG presentation attributes.
Numbers are formatted by Python; every label passes through `markupsafe.escape`, so a
seller-written category or shop name cannot become markup.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from markupsafe import Markup, escape

from firewatch.core.money import format_yuan

PALETTE = ("#c0392b", "#2471a3", "#d68910", "#229954", "#7d3c98", "#17a589", "#5d6d7e", "#a04000")


def price_history(points: Sequence[tuple[str, Decimal | None]], width: int = 560, height: int = 180) -> Markup:
    """A step line of price over time; points are (ISO date text, price or None)."""
    values = [(label, float(p)) for label, p in points if p is not None]
    if not values:
        return Markup('<p class="muted">暂无价格记录</p>')
    pad_l, pad_r, pad_t, pad_b = 56, 12, 12, 28
    lo, hi = min(v for _, v in values), max(v for _, v in values)
    if hi == lo:
        lo, hi = lo * 0.9, hi * 1.1 or 1.0
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    n = len(values)

    def x(i: int) -> float:
        return pad_l + (w * i / (n - 1) if n > 1 else w / 2)

    def y(v: float) -> float:
        return pad_t + h - (v - lo) / (hi - lo) * h

    path = []
    for i, (_, v) in enumerate(values):
        if i == 0:
            path.append(f"M{x(i):.1f},{y(v):.1f}")
        else:
            path.append(f"H{x(i):.1f}V{y(v):.1f}")
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="价格历史">']
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{format_yuan(v)}</text>')
    parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    for i, (label, v) in enumerate(values):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#c0392b"><title>{escape(label)} {format_yuan(v)}</title></circle>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="11" fill="#555">{escape(values[0][0])}</text>')
    if n > 1:
        parts.append(f'<text x="{width - pad_r}" y="{height - 8}" text-anchor="end" font-size="11" fill="#555">{escape(values[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(weeks: Sequence[str], series: dict[str, Sequence[int]], title: str,
                 width: int = 720, height: int = 260) -> Markup:
    """Stacked weekly bars, one colour per series (label -> count per week), with a legend."""
    if not weeks:
        return Markup('<p class="muted">暂无数据</p>')
    pad_l, pad_r, pad_t, pad_b = 40, 180, 16, 40
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    totals = [sum(s[i] for s in series.values()) for i in range(len(weeks))]
    top = max(totals) or 1
    slot = w / len(weeks)
    bar = max(4.0, slot * 0.7)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}">']
    for frac in (0, 0.5, 1):
        yy = pad_t + h - frac * h
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{round(top * frac)}</text>')
    for i, week in enumerate(weeks):
        x0 = pad_l + i * slot + (slot - bar) / 2
        base = pad_t + h
        for j, (label, counts) in enumerate(series.items()):
            c = counts[i]
            if not c:
                continue
            bh = c / top * h
            base -= bh
            parts.append(f'<rect x="{x0:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{bh:.1f}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(week)} {escape(label)}: {c}</title></rect>')
        if len(weeks) <= 12 or i % max(1, len(weeks) // 8) == 0:
            parts.append(f'<text x="{x0 + bar / 2:.1f}" y="{pad_t + h + 16}" text-anchor="middle" font-size="10" fill="#555">{escape(week)}</text>')
    for j, label in enumerate(series):
        ly = pad_t + 14 * j
        parts.append(f'<rect x="{pad_l + w + 16}" y="{ly}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{pad_l + w + 30}" y="{ly + 9}" font-size="11" fill="#333">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def share_lines(weeks: Sequence[str], series: dict[str, Sequence[float | None]], title: str,
                width: int = 720, height: int = 260) -> Markup:
    """One line per series of shares (0..1, None: no value that week, a gap) over the weeks, 0-100 % axis."""
    if not weeks or not any(v is not None for values in series.values() for v in values):
        return Markup('<p class="muted">暂无数据</p>')
    pad_l, pad_r, pad_t, pad_b = 44, 180, 16, 40
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    slot = w / len(weeks)

    def x(i: int) -> float:
        return pad_l + slot * (i + 0.5)

    def y(v: float) -> float:
        return pad_t + h - v * h

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}">']
    for frac in (0, 0.5, 1):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(frac):.1f}" y2="{y(frac):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y(frac) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                     f'{round(frac * 100)}%</text>')
    for j, (label, values) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        path, pen = [], "M"
        for i, v in enumerate(values):
            if v is None:
                pen = "M"
                continue
            path.append(f"{pen}{x(i):.1f},{y(v):.1f}")
            pen = "L"
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(weeks[i])} '
                         f'{escape(label)}: {v * 100:.1f}%</title></circle>')
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        ly = pad_t + 14 * j
        parts.append(f'<rect x="{pad_l + w + 16}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{pad_l + w + 30}" y="{ly + 9}" font-size="11" fill="#333">{escape(label)}</text>')
    for i, week in enumerate(weeks):
        if len(weeks) <= 12 or i % max(1, len(weeks) // 8) == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{pad_t + h + 16}" text-anchor="middle" font-size="10" fill="#555">'
                         f'{escape(week)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
