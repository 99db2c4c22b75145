"""The campaign report's files: an XLSX workbook and a Chinese PDF with charts, from `CampaignFigures`.

`write_campaign_report(store, settings, period, out_dir, platform="", tick=None)` computes the figures
(`services.campaign`), draws the charts (matplotlib with a CJK font, PNG), fills
`alerts/templates/campaign_report.html` (autoescaped: titles and shop names are seller text) and prints
it with Chromium (`alerts.pdf`), and writes the workbook (every text cell through `core.cells`).
`charts(figures)` and `report_html(figures, charts)` are the parts the web page reuses; `tables(figures)`
gives the rows both the PDF and the workbook show.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from alerts.pdf import html_to_pdf, template_env
from firewatch.core.cells import set_xlsx_text
from firewatch.core.clock import show_date, show_time
from firewatch.core.files import atomic_write
from firewatch.core.labels import reason_short_name
from firewatch.core.plotting import pyplot
from firewatch.core.settings import Settings
from firewatch.services.campaign import (EVENT_NAMES, STEPS, WEEKLY_NAMES, WEEKLY_SERIES, CampaignFigures, Period,
                                         campaign_figures)
from firewatch.store import Store

TEMPLATE = "campaign_report.html"
COLUMNS = ("monitored", "flagged", "confirmed", "removed", "relisted")
DIMENSION_NAMES = {"platform": "平台", "category": "产品类别", "region": "地区（经营者所在省份）", "reason": "违规原因"}
TOP_ROWS = 15  # rows per breakdown table in the PDF (the workbook has them all)
RENDER_STEPS = STEPS + 4
COLOURS = {"new": "#7f8c8d", "flagged": "#d68910", "confirmed": "#c0392b", "removed": "#229954", "relisted": "#7d3c98"}


@dataclass
class ReportFiles:
    figures: CampaignFigures
    xlsx: Path
    pdf: Path
    html: Path


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 天"


def breakdown_rows(f: CampaignFigures, dimension: str, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per value of `dimension` with each event's count (events the dimension lacks are blank)."""
    codes: dict[str, dict[str, Any]] = {}
    for event in COLUMNS:
        for label, code, n in f.breakdown.get(event, {}).get(dimension, []):
            row = codes.setdefault(code, {"label": label, "code": code})
            row[event] = n
    rows = sorted(codes.values(), key=lambda r: (-r.get("flagged", 0), -r.get("monitored", 0), r["label"]))
    for row in rows:
        for event in COLUMNS:
            if event in f.breakdown and dimension in f.breakdown[event]:
                row.setdefault(event, 0)
            else:
                row.setdefault(event, None)
    if limit is not None and len(rows) > limit:
        rest = rows[limit:]
        other = {"label": f"其他（{len(rest)}项）", "code": ""}
        for event in COLUMNS:
            values = [r[event] for r in rest if r[event] is not None]
            other[event] = sum(values) if values else None
        rows = rows[:limit] + [other]
    return rows


def summary_rows(f: CampaignFigures) -> list[tuple[str, str]]:
    t = f.totals
    return [("监测商品（本期在售）", f"{t['monitored']}"), ("疑似违规（首次标记）", f"{t['flagged']}"),
            ("确认违规", f"{t['confirmed']}（占标记 {_pct(t['confirmed'], t['flagged'])}）"),
            ("平台下架（经复查核实）", f"{t['removed']}（占确认 {_pct(t['removed'], t['confirmed'])}）"),
            ("标记至下架用时 中位数", days_text(f.removal_median)), ("标记至下架用时 90%分位", days_text(f.removal_p90)),
            ("疑似重新上架", f"{t['relisted']}"),
            (f"重复违法店铺（确认违规≥{f.repeat_min}次）", f"{f.repeat_total}")] + ([
            ("发现跨平台经营者网络（本期新出现）", f"{f.networks}"),
            (f"重复违法经营者（多店合计确认违规≥{f.repeat_min}次）", f"{f.repeat_sellers}")] if f.networks is not None else [])


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    return buf.getvalue()


def charts(f: CampaignFigures) -> dict[str, bytes]:
    """PNG charts: weekly trend, by platform, flag-to-removal distribution, top reasons."""
    plt = pyplot()
    out: dict[str, bytes] = {}
    labels = f.week_labels
    fig, ax = plt.subplots(figsize=(8.2, 3.6))
    bars = [s for s in WEEKLY_SERIES if s != "new"]  # new listings, far more numerous, on their own axis
    width = 0.8 / len(bars)
    for i, series in enumerate(bars):
        xs = [x + (i - (len(bars) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, f.weekly.get(series, []), width, label=WEEKLY_NAMES[series], color=COLOURS[series])
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 6 else 0, fontsize=8)
    ax.set_ylabel("商品数（柱）")
    right = ax.twinx()
    right.plot(range(len(labels)), f.weekly.get("new", []), color=COLOURS["new"], marker="o",
               label=WEEKLY_NAMES["new"] + "（折线，右轴）")
    right.set_ylabel("新发现商品（折线）")
    right.set_ylim(bottom=0)
    ax.set_title("每周趋势（北京时间，按周）")
    handles = ax.get_legend_handles_labels()
    extra = right.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8, ncol=5, loc="upper center",
              bbox_to_anchor=(0.5, -0.22 if len(labels) > 6 else -0.12))
    ax.grid(axis="y", alpha=0.3)
    out["weekly"] = _png(fig)
    plt.close(fig)

    rows = breakdown_rows(f, "platform")
    fig, ax = plt.subplots(figsize=(8.2, 3.2))
    events = ("flagged", "confirmed", "removed", "relisted")
    width = 0.8 / len(events)
    for i, event in enumerate(events):
        xs = [x + (i - (len(events) - 1) / 2) * width for x in range(len(rows))]
        ax.bar(xs, [r[event] or 0 for r in rows], width, label=EVENT_NAMES[event], color=COLOURS[event])
    ax.set_xticks(range(len(rows)), [r["label"] for r in rows])
    ax.set_ylabel("商品数")
    ax.set_title("各平台标记、确认、下架与疑似重新上架")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    out["platform"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8.2, 3.0))
    ax.bar([b for b, _ in f.removal_bins], [n for _, n in f.removal_bins], color=COLOURS["removed"])
    ax.set_ylabel("下架商品数")
    ax.set_ylim(bottom=0, top=max([n for _, n in f.removal_bins] + [1]) * 1.1)
    title = "标记至下架用时分布"
    if f.removal_median is not None:
        title += f"（中位数 {f.removal_median:.1f} 天，90%分位 {f.removal_p90:.1f} 天）"
    ax.set_title(title)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    out["removal"] = _png(fig)
    plt.close(fig)

    reasons = [r for r in breakdown_rows(f, "reason") if r["flagged"]][:10][::-1]
    fig, ax = plt.subplots(figsize=(8.2, 0.35 * max(3, len(reasons)) + 1.0))
    names = [reason_short_name(r["code"]) for r in reasons]
    ax.barh(names, [r["flagged"] for r in reasons], color=COLOURS["flagged"], label="标记")
    ax.barh(names, [r["confirmed"] for r in reasons], color=COLOURS["confirmed"], height=0.45, label="确认违规")
    ax.set_title("主要违规原因（前十）")
    ax.tick_params(axis="y", labelsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    out["reasons"] = _png(fig)
    plt.close(fig)
    return out


def _thumbnail(path: str, width: int = 760) -> str:
    """The top of a full-page screenshot, scaled, as a JPEG data URI ("" when unreadable)."""
    from PIL import Image, UnidentifiedImageError  # Pillow is only needed for the PDF's cases

    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            crop = img.crop((0, 0, img.width, min(img.height, int(img.width * 0.55))))
            if crop.width > width:
                crop = crop.resize((width, int(crop.height * width / crop.width)))
            buf = io.BytesIO()
            crop.save(buf, format="JPEG", quality=72)
    except (OSError, UnidentifiedImageError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_context(f: CampaignFigures, pngs: dict[str, bytes], thumbnails: bool = True) -> dict[str, Any]:
    return {"f": f, "summary": summary_rows(f), "dimension_names": DIMENSION_NAMES, "event_names": EVENT_NAMES,
            "columns": COLUMNS, "tables": {d: breakdown_rows(f, d, TOP_ROWS) for d in DIMENSION_NAMES},
            "weekly_names": WEEKLY_NAMES, "weekly_series": WEEKLY_SERIES, "days_text": days_text,
            "charts": {k: _data_uri(v) for k, v in pngs.items()},
            "shots": {(c.platform, c.listing_id): _thumbnail(c.screenshot) if thumbnails and c.screenshot else ""
                      for c in f.cases},
            "pct": _pct, "show_time": show_time, "show_date": show_date}


def report_html(f: CampaignFigures, pngs: dict[str, bytes]) -> str:
    return template_env().get_template(TEMPLATE).render(**report_context(f, pngs))


def write_xlsx(f: CampaignFigures, path: Path) -> Path:
    """The workbook (`xlsx_bytes`) written to `path`, all at once."""
    atomic_write(path, xlsx_bytes(f))
    return path


def pdf_bytes(f: CampaignFigures, chromium: str) -> bytes:
    """The report as PDF: charts drawn, the template filled and printed by Chromium."""
    return html_to_pdf(report_html(f, charts(f)), chromium=chromium)


def xlsx_bytes(f: CampaignFigures) -> bytes:
    """The workbook: 总览, one sheet per breakdown, 每周趋势, 下架用时, 重复违法店铺, 典型案例."""
    from openpyxl import Workbook  # openpyxl is only needed when a workbook is written
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "总览"

    def put(sheet, rows: list[list[Any]], header: bool = True) -> None:
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=col)
                set_xlsx_text(cell, value)
                if header and r == 1:
                    cell.font = Font(bold=True)
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = 18

    put(ws, [[f.title, ""], ["统计期间（北京时间）", f"{f.period.first} 至 {f.period.last}"], ["范围", f.scope],
             ["报送单位", f.reporting_org], ["生成时间", show_time(f.generated_at)], ["", ""], ["指标", "数值"],
             *[[k, v] for k, v in summary_rows(f)]])
    for dimension, name in DIMENSION_NAMES.items():
        sheet = wb.create_sheet(f"按{name[:2]}")
        rows = breakdown_rows(f, dimension)
        put(sheet, [[name, "代码", *[EVENT_NAMES[e] for e in COLUMNS]],
                    *[[r["label"], r["code"], *["" if r[e] is None else r[e] for e in COLUMNS]] for r in rows]])
    sheet = wb.create_sheet("每周趋势")
    put(sheet, [["周（北京时间）", "周一", *[WEEKLY_NAMES[s] for s in WEEKLY_SERIES]],
                *[[f.week_label(w), w.isoformat(), *[f.weekly[s][i] for s in WEEKLY_SERIES]]
                  for i, w in enumerate(f.weeks)]])
    sheet = wb.create_sheet("下架用时")
    put(sheet, [["标记至下架（天）", "下架商品数"], *[[d, n] for d, n in f.removal_days], [],
                ["区间", "下架商品数"], *[[b, n] for b, n in f.removal_bins], [],
                ["中位数（天）", f.removal_median if f.removal_median is not None else ""],
                ["90%分位（天）", f.removal_p90 if f.removal_p90 is not None else ""]], header=True)
    sheet = wb.create_sheet("重复违法店铺")
    put(sheet, [["平台", "店铺ID", "店铺名称", "确认违规数", "首次确认（北京时间）", "最近确认（北京时间）"],
                *[[r["platform"], r["shop_id"], r["shop_name"], r["confirmed"], show_time(r["first_at"]),
                   show_time(r["last_at"])] for r in f.repeat_shops]])
    sheet = wb.create_sheet("典型案例")
    put(sheet, [["平台", "商品ID", "标题", "店铺", "价格", "类别", "违规原因", "链接", "首次标记（北京时间）",
                 "确认（北京时间）", "取证（北京时间）"],
                *[[c.platform, c.listing_id, c.title, c.shop_name, c.price, c.category,
                   "；".join(name for name, _ in c.reasons), c.url, show_time(c.flagged_at), show_time(c.confirmed_at),
                   show_time(c.captured_at)] for c in f.cases]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_stem(f: CampaignFigures) -> str:
    scope = f"-{f.platform}" if f.platform else ""
    return f"campaign-report-{f.period.first}-{f.period.last}{scope}"


def write_campaign_report(store: Store, settings: Settings, period: Period, out_dir: Path, platform: str = "",
                          tick: Callable[[str], None] | None = None) -> ReportFiles:
    """Compute, draw and write the report: (figures, XLSX, PDF, HTML) under `out_dir`."""
    step = tick or (lambda _name: None)
    f = campaign_figures(store, period, settings.campaign, platform, tick=step)
    step("绘制图表")
    pngs = charts(f)
    step("生成网页版")
    html = report_html(f, pngs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(f)
    html_path, pdf_path, xlsx_path = (out_dir / f"{stem}.{ext}" for ext in ("html", "pdf", "xlsx"))
    atomic_write(html_path, html.encode("utf-8"))
    step("生成PDF")
    atomic_write(pdf_path, html_to_pdf(html, chromium=settings.capture.chromium))
    step("生成XLSX")
    write_xlsx(f, xlsx_path)
    return ReportFiles(f, xlsx_path, pdf_path, html_path)
