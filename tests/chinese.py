"""A checker for text people read: Chinese sentences, with codes, numbers and units inside.

`english_in(text, allowed=())` lists what in `text` is not for a Chinese reader: a Python repr
(`{'`, `[('`, `': `, `None`, `True`/`False`) or an ASCII word of 3+ letters with a lowercase
letter (`means`, `yuan`, `not_fire`, `active`, `normal_price`), outside URLs, e-mail addresses,
hashes and the few units and names written in Latin letters. Model codes (MFZ/ABC8, ZR-YJV,
TZL30, GB 4351) are upper case or hold digits and pass. `allowed` are strings removed first:
seller-written text, which may hold anything.
"""

from __future__ import annotations

import re

# Latin words that are Chinese usage: units and proper names written so
UNITS_AND_NAMES = {"MPa", "kPa", "kV", "mAh", "Chromium", "Ed25519", "SHA", "ZIP", "PDF", "HTML", "MHTML", "WARC",
                   "XLSX", "CSV", "JSON", "API"}
_REPR = re.compile(r"\{'|\[\('|\[\{|'\s*:\s|\bNone\b|\bTrue\b|\bFalse\b")
_SKIP = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\b[0-9a-f]{12,}\b|\S*\d\S*")
_WORD = re.compile(r"[A-Za-z_]{3,}")


def english_in(text: str, allowed=()) -> list[str]:
    """The reprs and English words in `text` (empty when it is all for a Chinese reader)."""
    for piece in sorted({a for a in allowed if a}, key=len, reverse=True):
        text = text.replace(piece, " ")
    found = [m.group() for m in _REPR.finditer(text)]
    rest = _SKIP.sub(" ", text)
    for m in _WORD.finditer(rest):
        word = m.group()
        if word in UNITS_AND_NAMES or (word.isupper() and "_" not in word):
            continue
        found.append(word)
    return found
