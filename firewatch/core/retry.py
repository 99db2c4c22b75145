"""Retry with exponential backoff, written once (on tenacity) for every caller.

`retry_call(fn, attempts=..., retry_on=..., backoff=...)` calls `fn(attempt)` until it returns; an
exception outside `retry_on` passes at once, and after the last attempt (or `give_up(exc)`) the last
error is raised as it was. `on_failure` hears each failure; `retry_call_async` is for coroutines.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, TypeVar

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception_type

__all__ = ["backoff_delay", "retry_call", "retry_call_async"]

T = TypeVar("T")
Errors = type[BaseException] | tuple[type[BaseException], ...]
OnFailure = Callable[[int, BaseException, float | None], None]


def backoff_delay(attempt: int, backoff: float, backoff_max: float | None = None) -> float:
    """The wait after failed attempt `attempt` (1-based): backoff * 2^(attempt-1), capped at backoff_max."""
    delay = backoff * 2 ** (attempt - 1)
    return delay if backoff_max is None else min(backoff_max, delay)


def _options(attempts: int, retry_on: Errors, backoff: float, backoff_max: float | None,
             on_failure: OnFailure | None, give_up: Callable[[BaseException], bool] | None) -> dict[str, Any]:
    attempts = max(1, int(attempts))

    def stop(state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome is not None else None
        return state.attempt_number >= attempts or (give_up is not None and exc is not None and give_up(exc))

    def after(state: RetryCallState) -> None:
        if on_failure is not None and state.outcome is not None:
            n = state.attempt_number
            on_failure(n, state.outcome.exception(), None if stop(state) else backoff_delay(n, backoff, backoff_max))

    return {"stop": stop, "retry": retry_if_exception_type(retry_on), "reraise": True, "after": after,
            "wait": lambda state: backoff_delay(state.attempt_number, backoff, backoff_max)}


def retry_call(fn: Callable[[int], T], *, attempts: int, retry_on: Errors, backoff: float,
               backoff_max: float | None = None, on_failure: OnFailure | None = None,
               give_up: Callable[[BaseException], bool] | None = None,
               sleep: Callable[[float], Any] = time.sleep) -> T:
    """`fn(attempt)`'s result, retried on `retry_on` with exponential backoff; the last error is raised."""
    for attempt in Retrying(sleep=sleep, **_options(attempts, retry_on, backoff, backoff_max, on_failure, give_up)):
        with attempt:
            return fn(attempt.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


async def retry_call_async(fn: Callable[[int], Awaitable[T]], *, attempts: int, retry_on: Errors, backoff: float,
                           backoff_max: float | None = None, on_failure: OnFailure | None = None,
                           give_up: Callable[[BaseException], bool] | None = None,
                           sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> T:
    """The coroutine version of `retry_call`: `await fn(attempt)`, waiting with `sleep`."""
    async for attempt in AsyncRetrying(sleep=sleep, **_options(attempts, retry_on, backoff, backoff_max,
                                                                on_failure, give_up)):
        with attempt:
            return await fn(attempt.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover
