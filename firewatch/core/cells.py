"""The one export neutraliser: what a spreadsheet cell may hold of text someone else wrote.

Every CSV and XLSX the system writes (takedown lists, search, queue and audit exports, evidence-pack
history, assistance reply templates) passes its text cells through here, so seller text can never
run as a formula in Excel, WPS or LibreOffice:

- `looks_like_formula(text)`: after any leading whitespace (every Unicode space, U+3000 included),
  zero-width characters and byte-order marks, the text starts with a formula or DDE sign
  (= + - @ | % or a tab/CR/LF);
- `csv_cell(value)`: such text gets a leading apostrophe (a CSV has no cell types); other values pass;
- `xlsx_text(text)`: text XML can hold (control characters and lone surrogates become U+FFFD);
- `set_xlsx_text(cell, value)`: an openpyxl cell holding `value` as text, never a formula (typed "s",
  with Excel's quote prefix when it looks like one).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
# what a spreadsheet may skip before the formula sign besides whitespace: zero-width characters, BOM
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# XML 1.0 cannot hold these (openpyxl refuses them): C0 controls but tab, CR, LF
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (or a DDE call)."""
    i = 0
    while i < len(text) and (text[i].isspace() or text[i] in _INVISIBLE):
        if text[i] in "\t\r\n":  # a leading tab or line break is itself a trigger
            return True
        i += 1
    return text[i:i + 1] in FORMULA_START


def csv_cell(value: Any) -> Any:
    """A CSV cell's value: formula-like text prefixed with an apostrophe, anything else unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def xlsx_text(value: str) -> str:
    """Text XML can hold: control characters and lone surrogates become U+FFFD (one bad title
    must not stop a whole export)."""
    if any("\ud800" <= c <= "\udfff" for c in value):
        value = value.encode("utf-8", "replace").decode("utf-8")
    return _ILLEGAL.sub("\ufffd", value)


def set_xlsx_text(cell, value: Any) -> None:
    """Put `value` into an openpyxl cell (normal or write-only): text stays text, never a formula."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
