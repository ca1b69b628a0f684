"""Transient-error retries: which errors are worth another try, and how long to wait.

Rate limits, 5xx answers, timeouts and dropped connections are retried with
exponential backoff and jitter, honouring the server's ``Retry-After`` (capped at
:data:`MAX_RETRY_AFTER_S`). Anything else fails the call at once.

Some failures no retry can fix, for this article or any other: nothing listens at
the address, the host name does not resolve, the key is refused (401, 403), the
model is unknown (404). :func:`unfixable` names the setting to change, so a batch can
stop after a few of them instead of failing every article in turn.
"""

from __future__ import annotations

import errno
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenacity import RetryCallState

MAX_RETRY_AFTER_S = 60.0


@dataclass
class RetryPolicy:
    """Transient-error retries (rate limits, 5xx, timeouts, dropped connections)."""

    attempts: int = 5
    max_total_s: float = 300.0
    initial_s: float = 1.0
    max_wait_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep


def is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError) and _unreachable(exc) is not None:
        return False  # refused or unresolvable: the endpoint is wrong, not busy
    if isinstance(exc, openai.RateLimitError | openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


_UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED: "connection refused",
    errno.EHOSTUNREACH: "no route to host",
    errno.ENETUNREACH: "network unreachable",
}


def _unreachable(exc: BaseException) -> str | None:
    """Why a connection could not be opened at all (refused, no such host), if so.

    A connection dropped mid-answer or a timeout is not this: those are transient.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNOS:
            return _UNREACHABLE_ERRNOS[current.errno]
        current = current.__cause__ or current.__context__
    return None


def unfixable(
    exc: BaseException, *, base_url: str | None = None, model: str | None = None
) -> str | None:
    """For a failure no retry can fix, what is wrong and which setting to change.

    None for anything else (transient errors, a bad answer, a request the server
    rejects for this article alone).
    """
    import openai

    where = base_url or "the default OpenAI endpoint"
    if isinstance(exc, openai.APIConnectionError):
        reason = _unreachable(exc)
        if reason is not None:
            return f"cannot reach the model at {where} ({reason}): check OPENAI_BASE_URL"
        return None
    if isinstance(exc, openai.AuthenticationError):
        return f"{where} refused the API key (HTTP 401): check OPENAI_API_KEY"
    if isinstance(exc, openai.PermissionDeniedError):
        return (
            f"{where} denied access (HTTP 403): check OPENAI_API_KEY and that it may use "
            f"the model {model or ''}".rstrip()
        )
    if isinstance(exc, openai.NotFoundError):
        name = f"openai:{model}" if model else "openai:NAME"
        return (
            f"{where} does not know the model or the path (HTTP 404): check the model name "
            f"(--model {name}) and that OPENAI_BASE_URL ends in /v1"
        )
    return None


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` or ``retry-after-ms``)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (value := headers.get("retry-after-ms")) is not None:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def wait_strategy(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    """tenacity wait: the server's Retry-After when given, else backoff with jitter."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None and asked == asked:  # NaN is no answer
            return float(max(0.0, min(asked, MAX_RETRY_AFTER_S)))
        backoff: float = policy.initial_s * 2.0 ** (state.attempt_number - 1)
        return min(policy.max_wait_s, backoff) * (0.5 + random.random() / 2)

    return wait
