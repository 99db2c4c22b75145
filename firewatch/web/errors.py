"""The one place that maps errors to HTTP responses.

`install(app)` answers a `WebError` (it carries its status) with `{"error": msg, "code": word}` for
`/api/` paths and JSON requests, else with the error page (a missing login redirects to the login
page); a refused public tip answers by the limit it broke (`TIP_STATUS`); validation errors answer
400 in Chinese naming the field (`limits.invalid_message`), FastAPI's and Starlette's own HTTP errors
too (`HTTP_MESSAGES`, `HTTP_CODES`); anything unexpected is logged and answers 500 without details.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from alerts.exceptions import AssistError
from firewatch.core.exceptions import CaseClosed, DuplicateDocument, ImportFileError, InvalidRecord, NotFoundError, TipRefused
from firewatch.web.exceptions import BadRequest, Conflict, LoginRequired, NotFound, WebError
from firewatch.web.limits import invalid_message
from firewatch.web.render import render
from firewatch.web.security import add_security_headers

log = logging.getLogger(__name__)
# a refused public tip, by the limit it broke (firewatch.services.tips)
TIP_STATUS = {"invalid": 400, "challenge": 400, "too_large": 413, "bad_photo": 415, "rate_limited": 429}
HTTP_MESSAGES = {400: "请求内容无法解析：请检查格式（JSON 或表单）", 404: "页面不存在", 405: "不支持此请求方法",
                 413: "请求内容过大", 414: "请求地址过长", 415: "不支持的请求内容类型"}
HTTP_CODES = {400: "bad_body", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 414: "uri_too_long",
              415: "unsupported_media_type"}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, exc: WebError) -> Response:
    if wants_json(request):
        return JSONResponse({"error": exc.message, "code": exc.code}, status_code=exc.status, headers=exc.headers)
    if isinstance(exc, LoginRequired) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    response = render(request, "error.html", status_code=exc.status, status=exc.status, message=exc.message)
    response.headers.update(exc.headers)
    return response


def tip_error(exc: TipRefused) -> WebError:
    """The web error a refused tip answers with (429 says when to retry)."""
    error = WebError(str(exc), headers={"Retry-After": "3600"} if exc.reason == "rate_limited" else None,
                     code=exc.reason)
    error.status = TIP_STATUS.get(exc.reason, 400)
    return error


def install(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, NotFound(str(exc)))

    @app.exception_handler(AssistError)
    @app.exception_handler(ImportFileError)
    async def _bad_input(request: Request, exc: Exception) -> Response:  # a request or reply file the user can fix
        return error_response(request, BadRequest(str(exc)))

    @app.exception_handler(InvalidRecord)
    async def _invalid_record(request: Request, exc: InvalidRecord) -> Response:  # a form the user can correct
        return error_response(request, BadRequest(str(exc)))

    @app.exception_handler(DuplicateDocument)
    async def _duplicate(request: Request, exc: DuplicateDocument) -> Response:
        return error_response(request, Conflict(str(exc)))

    @app.exception_handler(CaseClosed)
    async def _case_closed(request: Request, exc: CaseClosed) -> Response:
        error = WebError("案件已结案，内容不能再修改：如需修改请管理员重新打开", code="case_closed")
        error.status = 409
        return error_response(request, error)

    @app.exception_handler(TipRefused)
    async def _tip_refused(request: Request, exc: TipRefused) -> Response:
        return error_response(request, tip_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        messages = list(dict.fromkeys(invalid_message(e) for e in exc.errors())) or ["请求参数无效"]
        kinds = {e.get("type", "") for e in exc.errors()}
        code = "too_long" if "string_too_long" in kinds else "json_invalid" if "json_invalid" in kinds else "invalid"
        return error_response(request, BadRequest("；".join(messages), code=code))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, http_error(exc.status_code, str(exc.detail), exc.headers))

    # The `security_headers` middleware (firewatch.web.app) answers an unexpected exception
    # before Starlette's outermost handler; this one gives any other the same headers.
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return add_security_headers(request, unexpected(request))


def http_error(status: int, detail: str = "", headers: dict[str, str] | None = None) -> WebError:
    """A WebError for an HTTP status raised by FastAPI, Starlette or the middleware (Chinese text:
    a detail already in Chinese is kept, FastAPI's English ones are replaced)."""
    chinese = any("\u4e00" <= c <= "\u9fff" for c in detail)
    error = WebError(detail if chinese else HTTP_MESSAGES.get(status, detail or "请求无法处理"),
                     headers=dict(headers or {}), code=HTTP_CODES.get(status, f"http_{status}"))
    error.status = status
    return error


def reject(scope, status: int, message: str) -> Response:
    """The answer middleware gives before any route ran (BodyLimit): the app's own error response."""
    return error_response(Request(scope), http_error(status, message))


def unexpected(request: Request) -> Response:
    """The 500 answer to an unhandled exception (called inside its `except`): logged, no details."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, WebError())
