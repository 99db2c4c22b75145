"""HTML to PDF with headless Chromium (Playwright's `page.pdf`), for notices and pack reports.

`html_to_pdf(html, chromium=...)` prints a self-contained document (images as `data:` URIs; every
network request is refused) to A4 PDF bytes, from any thread; raises `RenderError`, or
`MissingCJKFontsError` when Chinese does not render. `template_env()`: the autoescaping Jinja2 env.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from alerts.exceptions import RenderError
from firewatch.core.browser import DEFAULT_CHROMIUM, gate, launch
from firewatch.core.clock import show_date, show_time
from firewatch.core.fonts import assert_cjk_rendering
from firewatch.core.labels import PLATFORM_NAMES, VERDICT_NAMES, category_name, reason_name
from jinja2 import Environment, FileSystemLoader

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["DEFAULT_CHROMIUM", "html_to_pdf", "template_env"]


@lru_cache(maxsize=1)
def template_env() -> Any:
    """Jinja2 environment for the notice and report templates (autoescape on)."""

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["beijing"] = show_time
    env.filters["beijing_seconds"] = lambda v: show_time(v, seconds=True)
    env.filters["beijing_date"] = show_date

    env.globals.update(verdict_name=lambda v: VERDICT_NAMES.get(v, v), reason_name=reason_name,
                       category_name=category_name, platform_name=lambda p: PLATFORM_NAMES.get(p, p))
    return env


def _render(html: str, chromium: str, timeout_ms: int, check_fonts: bool) -> bytes:
    # Playwright is slow to import: only when a PDF is made
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = launch(pw.chromium, chromium)
            try:
                context = browser.new_context(service_workers="block", java_script_enabled=True)
                context.set_default_timeout(timeout_ms)
                context.route("**/*", gate())  # local URLs only: the document carries everything
                page = context.new_page()
                if check_fonts:
                    assert_cjk_rendering(page)
                page.set_content(html, wait_until="load", timeout=timeout_ms)
                page.emulate_media(media="print")
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise RenderError(f"Chromium ({chromium}) could not render the PDF: {exc}") from exc


def html_to_pdf(html: str, chromium: str = DEFAULT_CHROMIUM, timeout_ms: int = 30000,
                check_fonts: bool = True) -> bytes:
    """Render `html` (self-contained) to PDF bytes with Chromium."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _render(html, chromium, timeout_ms, check_fonts)
    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API refuses a running loop
        return pool.submit(_render, html, chromium, timeout_ms, check_fonts).result()
