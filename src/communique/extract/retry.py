"""Transient-error retries: which errors are worth another try, and how long to wait.

Rate limits, 5xx answers, timeouts and dropped connections are retried with
exponential backoff and jitter, honouring the server's ``Retry-After`` (capped at
:data:`MAX_RETRY_AFTER_S`). Anything else fails the call at once.
"""

from __future__ import annotations

import random
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

    if isinstance(exc, openai.RateLimitError | openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


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
