"""The case-transfer letter (案件移送函) and the subjects' record (当事人情况), in Chinese, HTML and PDF.

`transfer_html(context)` fills `templates/transfer_letter.html` and `subjects_html(context)`
`templates/transfer_subjects.html` (both autoescaped: seller text is hostile) from plain values the
service gathered (`firewatch.services.transfer`): the case, its listings as takedown rows, the
penalties recorded, the subjects with their shops and listings, the evidence pack's hash and signer.
`to_pdf(html, chromium)` prints either with Chromium (`alerts.pdf`).
"""

from __future__ import annotations

from typing import Any

from alerts.pdf import DEFAULT_CHROMIUM, html_to_pdf, template_env

LETTER_TEMPLATE = "transfer_letter.html"
SUBJECTS_TEMPLATE = "transfer_subjects.html"

__all__ = ["subjects_html", "to_pdf", "transfer_html"]


def transfer_html(context: dict[str, Any]) -> str:
    return template_env().get_template(LETTER_TEMPLATE).render(**context)


def subjects_html(context: dict[str, Any]) -> str:
    return template_env().get_template(SUBJECTS_TEMPLATE).render(**context)


def to_pdf(html: str, chromium: str = DEFAULT_CHROMIUM) -> bytes:
    return html_to_pdf(html, chromium=chromium)
