"""Many model calls at once: an ordered thread pool, a client-side rate limiter, a breaker.

* :func:`ordered_map` runs tasks on a pool of threads and yields their results in
  input order, each as soon as it and every result before it are done, never taking
  more than a bounded number of tasks ahead of the output.
* :class:`RateLimiter` keeps requests and tokens per minute under the limits the user
  gives (``--rpm``, ``--tpm``), and requests in flight under ``--jobs``. When the
  server answers 429 it backs off for everyone: new requests wait out the
  ``Retry-After`` (or an exponential pause), and the number allowed in flight is
  halved, then grows back by one per window of successful calls (additive increase,
  multiplicative decrease, at most one decrease per window of requests).
  :class:`LimitedBackend` puts a backend behind one.
* :class:`Breaker` counts consecutive failures that retrying cannot fix and trips
  after a few, so a batch against a dead endpoint stops in seconds.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from communique.extract.backends.base import Backend, WrappedBackend
from communique.extract.retry import retry_after_seconds

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

R = TypeVar("R")

#: the longest pause a 429 without Retry-After imposes on everyone
MAX_PAUSE_S = 60.0


def ordered_map(tasks: Iterable[Callable[[], R]], jobs: int, ahead: int = 0) -> Iterator[R]:
    """Run ``tasks`` on ``jobs`` threads; yield their results in input order.

    A result is yielded as soon as it and all results before it are done. At most
    ``ahead`` tasks (default ``4 * jobs``) are submitted beyond the next result due,
    so an endless input is fine. ``jobs <= 1`` runs each task in turn, on this thread.
    """
    if jobs <= 1:
        for task in tasks:
            yield task()
        return
    limit = max(ahead or 4 * jobs, jobs)
    pending: deque[Future[R]] = deque()
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="communique")
    try:
        for task in tasks:
            pending.append(pool.submit(task))
            while pending and (len(pending) >= limit or pending[0].done()):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Permit:
    """One request let through: what it was charged, and the window it started in."""

    tokens: int
    generation: int


class RateLimiter:
    """Requests and tokens per minute, requests in flight, and backing off on 429.

    ``rpm``/``tpm`` of None mean no such limit. Budgets refill continuously and may
    be spent in bursts of at most a tenth of a minute's worth (at least one request).
    A request is charged its estimated tokens up front; :meth:`release` settles the
    difference once the usage is known.
    """

    def __init__(
        self,
        *,
        max_in_flight: int,
        rpm: float | None = None,
        tpm: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_in_flight = max(1, max_in_flight)
        self.rpm = rpm
        self.tpm = tpm
        self.clock = clock
        self.window = float(self.max_in_flight)
        self.in_flight = 0
        self.peak_in_flight = 0
        self.rate_limited = 0
        self.generation = 0
        self.paused_until = 0.0
        self._pauses = 0  # 429s in a row, for the exponential pause without Retry-After
        self._request_cap = max(1.0, rpm / 10) if rpm else 0.0
        self._token_cap = max(1.0, tpm / 10) if tpm else 0.0
        self._requests = self._request_cap
        self._tokens = self._token_cap
        self._updated = clock()
        self._cond = threading.Condition()

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        if self.rpm:
            self._requests = min(self._request_cap, self._requests + elapsed * self.rpm / 60)
        if self.tpm:
            self._tokens = min(self._token_cap, self._tokens + elapsed * self.tpm / 60)

    def _wait_needed(self, tokens: int, now: float) -> float | None:
        """Seconds to wait before a request of ``tokens`` may go; None: go now.
        0 means wait until another request finishes."""
        if self.paused_until > now:
            return self.paused_until - now
        if self.in_flight >= int(self.window):
            return 0.0
        if self.rpm and self._requests < 1:
            return (1 - self._requests) * 60 / self.rpm
        if self.tpm:
            # a request larger than the burst goes when the budget is full, then owes
            need = min(float(tokens), self._token_cap)
            if self._tokens < need:
                return (need - self._tokens) * 60 / self.tpm
        return None

    def acquire(self, tokens: int = 0) -> Permit:
        """Block until a request of about ``tokens`` tokens may be sent."""
        with self._cond:
            while True:
                now = self.clock()
                self._refill(now)
                wait = self._wait_needed(tokens, now)
                if wait is None:
                    break
                self._cond.wait(timeout=wait if wait > 0 else None)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if self.rpm:
                self._requests -= 1
            if self.tpm:
                self._tokens -= tokens
            return Permit(tokens=tokens, generation=self.generation)

    def release(
        self,
        permit: Permit,
        *,
        used_tokens: int | None = None,
        rate_limited: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """The request is over: settle its tokens; on a 429, back off for everyone."""
        with self._cond:
            self.in_flight -= 1
            if self.tpm and used_tokens is not None:
                self._tokens = min(self._token_cap, self._tokens + permit.tokens - used_tokens)
            if rate_limited:
                self.rate_limited += 1
                self._pauses += 1
                if retry_after is None or retry_after != retry_after:  # none given, or NaN
                    pause = 0.5 * 2 ** (self._pauses - 1)
                else:
                    pause = max(0.0, retry_after)
                self.paused_until = max(self.paused_until, self.clock() + min(pause, MAX_PAUSE_S))
                if permit.generation == self.generation:  # one decrease per window
                    self.window = max(1.0, self.window / 2)
                    self.generation += 1
            elif used_tokens is not None:
                self._pauses = 0
                self.window = min(float(self.max_in_flight), self.window + 1 / self.window)
            self._cond.notify_all()


class LimitedBackend(WrappedBackend):
    """A backend whose every request (re-asks and retries included) passes a limiter."""

    def __init__(self, inner: Backend, limiter: RateLimiter) -> None:
        super().__init__(inner)
        self.limiter = limiter

    def _estimate(self, kwargs: dict[str, Any]) -> int:
        """Tokens a request may cost, as rate limits count them: prompt plus max output."""
        if not self.limiter.tpm:
            return 0
        chars = sum(len(str(m.get("content", ""))) for m in kwargs.get("messages", []))
        response_format = kwargs.get("response_format")
        if response_format is not None:
            chars += len(str(response_format))
        return chars // 4 + int(kwargs.get("max_tokens") or 0)

    def create(self, **kwargs: Any) -> ChatCompletion:
        permit = self.limiter.acquire(self._estimate(kwargs))
        try:
            completion = self.inner.create(**kwargs)
        except BaseException as exc:
            status = getattr(exc, "status_code", None)
            self.limiter.release(
                permit,
                rate_limited=status == 429,
                retry_after=retry_after_seconds(exc) if status == 429 else None,
            )
            raise
        usage = completion.usage
        used = usage.total_tokens if usage is not None else permit.tokens
        self.limiter.release(permit, used_tokens=used)
        return completion


class Breaker:
    """Trips after ``threshold`` consecutive failures that retrying cannot fix."""

    def __init__(self, threshold: int = 3) -> None:
        self.threshold = max(1, threshold)
        self.consecutive = 0
        self.reason: str | None = None  # the failure that tripped it
        self._lock = threading.Lock()

    @property
    def tripped(self) -> bool:
        return self.reason is not None

    def failure(self, message: str) -> None:
        with self._lock:
            self.consecutive += 1
            if self.consecutive >= self.threshold and self.reason is None:
                self.reason = message

    def success(self) -> None:
        with self._lock:
            self.consecutive = 0
