"""`firewatch score` input: the lines of a JSON-lines file, each checked before anything is scored.

`input_lines(src)` yields (line number, bytes) of an open binary file, a UTF-8 BOM taken off the first
line; a line longer than `MAX_LINE_BYTES` is yielded as None, read past in pieces and never held.
`wrong_encoding(head)` names a UTF-16 or UTF-32 file (its BOM, or NUL bytes) with what to convert it
to. `check_record(line)` gives the record, or why it cannot be scored (Chinese): not UTF-8, not JSON,
nested too deep, not an object, `id` or `title` missing or of the wrong kind (both are required, see
architecture.md), a price that is no non-negative price, attributes that are no object, a
`first_seen` or `last_seen` that is no date.
"""

from __future__ import annotations

import json
from typing import BinaryIO, Iterator

from classifiers.corpus import json_kind as kind
from classifiers.corpus import date_problem, parse_price

MAX_LINE_BYTES = 1_048_576  # one listing is a few kilobytes; a longer line is refused, not parsed
UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32 LE", "UTF-32LE"), (b"\x00\x00\xfe\xff", "UTF-32 BE", "UTF-32BE"),
         (b"\xff\xfe", "UTF-16 LE", "UTF-16LE"), (b"\xfe\xff", "UTF-16 BE", "UTF-16BE"))
def input_lines(src: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of every line of `src`; None for a line over `MAX_LINE_BYTES`."""
    lineno = 0
    while True:
        line = src.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        lineno += 1
        if lineno == 1:
            line = line.removeprefix(UTF8_BOM)
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of it, a piece at a time
                line = src.readline(MAX_LINE_BYTES)
            yield lineno, None
            continue
        yield lineno, line


def too_long() -> str:
    return (f"行过长：超过每行上限 {MAX_LINE_BYTES} 字节（1 MB），未读取；"
            "一行应是一条商品记录，请检查该行是否缺少换行或混入了别的数据")


def wrong_encoding(head: bytes) -> str | None:
    """Why a file starting with `head` is not UTF-8 text (UTF-16/32: a BOM or NUL bytes), and what
    to do; None when it may be UTF-8."""
    for bom, name, iconv in _BOMS:
        if head.startswith(bom):
            return (f"文件编码是 {name}（以 BOM {bom.hex(' ').upper()} 开头），不是 UTF-8；请先转换为 UTF-8 再评分，"
                    f"例如 iconv -f {iconv} -t UTF-8 原文件 > 新文件")
    if b"\x00" in head:
        return ("文件含 NUL 字节，编码像是 UTF-16 或 UTF-32（无 BOM），不是 UTF-8；请先转换为 UTF-8 再评分，"
                "例如 iconv -f UTF-16LE -t UTF-8 原文件 > 新文件（大端文件用 UTF-16BE）")
    return None


def check_record(line: bytes) -> tuple[dict | None, str | None]:
    """One input line as a record, or why it cannot be scored (Chinese)."""
    if b"\x00" in line:
        return None, "含 NUL 字节：该行不是 UTF-8 文本（文件可能是 UTF-16 或 UTF-32），请转换为 UTF-8"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"不是 UTF-8 文本（第 {exc.start + 1} 个字节起）"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"不是 JSON（第 {exc.colno} 列：{exc.msg}）"
    except RecursionError:
        return None, "JSON 嵌套过深（数组或对象层层嵌套，无法读取）；一行应是一个商品的 JSON 对象"
    if not isinstance(record, dict):
        return None, f"应为 JSON 对象（{{\"id\": …, \"title\": …}}），实为{kind(record)}"
    return record, _problem(record)


def _problem(record: dict) -> str | None:
    ident = record.get("id")
    if ident is None or ident == "":
        return "缺少 id（必填：商品编号，文本或整数）"
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        return f"id 应为文本或整数，实为{kind(ident)}"
    title = record.get("title")
    if title is None:
        return "缺少 title（必填：商品标题文本）"
    if not isinstance(title, str):
        return f"title 应为文本，实为{kind(title)}"
    if not title.strip():
        return "title 为空（必填：商品标题文本）"
    price = record.get("price")
    if price is not None and price != "":
        if isinstance(price, (bool, list, dict)):
            return f"price 应为数字或价格文本，实为{kind(price)}"
        if isinstance(price, (int, float)) and price < 0:
            return f"price 为负数（{price}）"
        if isinstance(price, str) and price.strip().startswith("-"):
            return f"price 为负数（「{price.strip()[:40]}」）"
        if parse_price(price) is None:
            return f"price「{str(price)[:40]}」不是价格（应为非负数字，如 58 或 \"¥58.00\"）"
    attributes = record.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        return f"attributes 应为 JSON 对象（{{\"品牌\": \"…\"}}），实为{kind(attributes)}"
    return date_problem(record)
