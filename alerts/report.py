"""The evidence pack's report: an electronic-data extraction record (电子数据提取笔录) in Chinese.

`render_report(context, chromium=...)` fills `templates/report_extraction.html` (autoescaped: seller
text is hostile) with what was extracted, when, by whom and how, the key, the files' hashes and the
custody events, and returns the HTML and its PDF (`alerts.pdf`); both go into the pack.
"""

from __future__ import annotations

from typing import Any

from alerts.pdf import DEFAULT_CHROMIUM, html_to_pdf, template_env

TEMPLATE = "report_extraction.html"

__all__ = ["render_report", "report_html"]


def report_html(context: dict[str, Any]) -> str:
    """The report as a self-contained HTML document."""
    return template_env().get_template(TEMPLATE).render(**context)


def render_report(context: dict[str, Any], chromium: str = DEFAULT_CHROMIUM) -> tuple[str, bytes]:
    """(HTML, PDF) of the extraction record for `context` (see `write_pack`)."""
    html = report_html(context)
    return html, html_to_pdf(html, chromium=chromium)
