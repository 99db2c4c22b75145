"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet (digits and capitals without I, O, S, V, Z), the last a check character.

`normalize_code(text)` gives the comparable form (half-width, upper case, no spaces);
`credit_code_problem(code)` is None for a well-formed code, else what is wrong with it in Chinese.
"""

from __future__ import annotations

import re

from firewatch.core.text import normalize

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_code(text: str) -> str:
    return re.sub(r"\s", "", normalize(text or "")).upper()


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (all in ALPHABET)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` (normalized) is a well-formed credit code; else the problem, in Chinese."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实为 {len(code)} 位"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"统一社会信用代码含有不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）"
    if check_character(code[:17]) != code[17]:
        return f"统一社会信用代码校验位不符（应为 {check_character(code[:17])}）"
    return None
