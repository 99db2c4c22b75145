"""Money, written once: yuan are `Decimal` (never binary floats), stored as integer fen.

`to_fen(yuan)` rounds half up to fen and `from_fen(fen)` gives the two-place Decimal back;
`parse_yuan(text)` reads "¥58.00", "1,299", "58元" (None without a non-negative number);
`yuan_text` ("19.90") and `format_yuan` ("¥19.90") are for people. None stays None throughout.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = ["CENT", "NUMBER_RE", "fen_to_float", "format_yuan", "from_fen", "parse_yuan", "to_decimal", "to_fen", "yuan_text"]

CENT = Decimal("0.01")
NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")  # an amount as pages write it: 1,299.00


def to_decimal(value: Decimal | str | int | float) -> Decimal:
    """An exact Decimal of a number or numeric text (a float through its repr); raises InvalidOperation."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def to_fen(value: Decimal | str | int | float | None) -> int | None:
    """Yuan to integer fen, half up; None stays None. Raises InvalidOperation on text that is no number."""
    if value is None:
        return None
    return int((to_decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_fen(fen: int | None) -> Decimal | None:
    """Integer fen to two-place Decimal yuan (1990 -> Decimal('19.90')); None stays None."""
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(CENT)


def fen_to_float(fen: int | None) -> float | None:
    """Integer fen as a float of yuan, for a search index's numeric field only."""
    return None if fen is None else fen / 100


def parse_yuan(value: Any) -> Decimal | None:
    """A Decimal from "¥58.00", "1,299", "58元", 58 or "58"; None when there is no non-negative number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):  # never keep binary floats: go through their repr
        value = repr(value)
    text = str(value)
    match = NUMBER_RE.search(text)
    if not match or text[: match.start()].rstrip().endswith("-"):
        return None
    try:
        number = Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        return None
    return number if number >= 0 else None


def yuan_text(value: Decimal | str | int | float | None) -> str:
    """An amount of yuan as people read it, to the fen: "19.90"; "" for None or ""."""
    if value is None or value == "":
        return ""
    return str(to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def format_yuan(value: Decimal | str | int | float | None, empty: str = "—") -> str:
    """An amount with the yuan sign: "¥19.90"; `empty` for None or ""."""
    text = yuan_text(value)
    return f"¥{text}" if text else empty
