"""The one place bounding what the web app accepts: text lengths, request sizes, and the Chinese
messages a refused input gets.

Every text a person or integration sends has a limit here, and the same limit and validation serve
forms and the JSON API: the `Username`, `Password`, `Title`, `Note`, `SearchText` and `Field` types
(pydantic constraints, used as `Annotated[Note, Form()]` in a form route and as a field type in an
API model). A longer (or, for titles, blank) value is refused before the route runs: FastAPI raises
`RequestValidationError`, which `firewatch.web.errors` answers 400 with `invalid_message` (Chinese,
the field named), so nothing of it is stored or audited. `body_limit(path)` is the largest request
body a path accepts and `MAX_QUERY` the longest query string (`firewatch.web.middleware.BodyLimit`
enforces both before any route reads them); public tips and assistance-reply uploads have larger
caps (photos, files).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

USERNAME = 64  # user names (the login form, `firewatch user add`)
PASSWORD = 256  # passwords (Argon2 hashes any length; this bounds the work a request can ask for)
TITLE = 200  # case titles
NOTE = 2000  # decision notes, case notes, removal and acknowledgement notes
SEARCH_TEXT = 200  # search keywords, shop filters
FIELD = 500  # any other single form or query field (a listing key, a `next` path, a paging position)
MAX_BODY = 1 << 20  # bytes of a request body (forms, JSON) unless `LARGE_BODIES` names more
MAX_QUERY = 8192  # bytes of a query string
ASSIST_REPLY_BODY = (20 << 20) + (1 << 20)  # a 20 MB reply file and its form

Username = Annotated[str, StringConstraints(strip_whitespace=True, max_length=USERNAME)]
Password = Annotated[str, StringConstraints(max_length=PASSWORD)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE)]
SearchText = Annotated[str, StringConstraints(max_length=SEARCH_TEXT)]
Field = Annotated[str, StringConstraints(strip_whitespace=True, max_length=FIELD)]

FIELD_NAMES = {"username": "用户名", "password": "密码", "title": "案件名称", "note": "备注", "q": "关键词",
               "shop": "店铺", "listing": "商品", "listing_id": "商品ID", "next": "跳转地址", "verdict": "结论",
               "after": "翻页位置", "before": "翻页位置", "actor": "操作人", "action": "操作", "since": "开始日期",
               "until": "结束日期", "date_from": "开始日期", "date_to": "结束日期", "case": "案件", "platform": "平台",
               "limit": "条数", "page": "页码", "page_size": "每页条数", "csrf_token": "CSRF 令牌",
               "seen": "所见评估"}


def field_name(loc: tuple) -> str:
    """The Chinese name of a validation error's field (`loc` as FastAPI gives it), code beside."""
    parts = [str(p) for p in loc[1:] if not isinstance(p, int)] or [str(p) for p in loc]
    key = parts[-1] if parts else ""
    name = FIELD_NAMES.get(key)
    return f"{name}（{key}）" if name else key or "请求内容"


def invalid_message(error: dict[str, Any]) -> str:
    """One FastAPI/pydantic validation error in Chinese."""
    kind, ctx, field = error.get("type", ""), error.get("ctx") or {}, field_name(tuple(error.get("loc", ())))
    if kind == "string_too_long":
        return f"{field}过长：最多 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return f"{field}不能为空" if ctx.get("min_length") == 1 else f"{field}过短：至少 {ctx.get('min_length')} 个字符"
    if kind == "missing":
        return f"缺少{field}"
    if kind == "json_invalid":
        return "请求内容不是有效的 JSON"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "请求内容应为 JSON 对象"
    if kind.startswith(("int_", "float_")) or kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{field}应为有效的数字"
    if kind.startswith("string_") or kind == "str_type":
        return f"{field}应为文本"
    return f"{field}无效"


def body_limit(path: str, tips_bytes: int) -> int:
    """The largest request body `path` accepts (tips carry photos, an assistance reply a file)."""
    if path == "/tip" or path.startswith("/api/tips"):
        return tips_bytes
    if path == "/assist/import":
        return ASSIST_REPLY_BODY
    return MAX_BODY
RequiredNote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE)]
