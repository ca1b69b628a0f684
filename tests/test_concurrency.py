"""Batches against a remote model: concurrency, order, duplicates, rate limits, fail fast."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.extract.backends import get_backend
from communique.extract.concurrency import Breaker, RateLimiter, ordered_map
from communique.extract.pipeline import Summariser
from communique.extract.retry import RetryPolicy
from communique.inputs.readers import Article
from communique.schema import ArticleRecord
from fake_openai import (
    ARTICLE_BODY,
    FakeOpenAI,
    Scripted,
    completion,
    draft,
    http_error,
    meeting_event,
)


def numbered(n: int) -> Article:
    """Article ``n``: the canned text with its own closing sentence (its own cache key)."""
    return Article(source=f"a{n:03d}.txt", text=f"{ARTICLE_BODY} Reference {n}.")


def answer_each(body: dict[str, Any]) -> Scripted:
    """A valid answer for any of :func:`numbered`'s articles, whatever the order."""
    user = body["messages"][-1]["content"]
    summary = "Meeting " + user.rsplit("Reference ", 1)[-1].split(".")[0] + "."
    return completion(draft(meeting_event(summary=summary)))


def summariser(**kwargs: Any) -> Summariser:
    kwargs.setdefault("retry", RetryPolicy(sleep=lambda s: None))
    return Summariser(get_backend("openai:fake-model"), **kwargs)


def requests_per_article(server: FakeOpenAI) -> Counter[str]:
    return Counter(
        body["messages"][-1]["content"].rsplit("Reference ", 1)[-1].split(".")[0]
        for body in server.requests
    )


def dead_url() -> str:
    """A loopback address where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = FakeOpenAI(answer_each, latency=0.2).start()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    yield fake
    fake.stop()


# -- the ordered pool ---------------------------------------------------------------------


def test_ordered_map_keeps_input_order_and_streams_early():
    release_last = threading.Event()
    yielded_before_last_done: list[int] = []

    def task(i: int) -> Any:
        def run() -> int:
            if i == 9:
                release_last.wait(5)
            else:
                time.sleep(0.01 * (9 - i))  # later tasks finish first
            return i

        return run

    out = []
    for value in ordered_map((task(i) for i in range(10)), jobs=4):
        out.append(value)
        if value == 8:
            yielded_before_last_done = list(out)
            release_last.set()
    assert out == list(range(10))
    assert yielded_before_last_done == list(range(9))  # not held back by the slow last one


def test_ordered_map_takes_a_bounded_number_of_tasks_ahead():
    taken = 0
    gate = threading.Event()

    def tasks() -> Any:
        nonlocal taken
        for i in range(1000):
            taken += 1
            yield (lambda i=i: gate.wait(5) and i)

    results = ordered_map(tasks(), jobs=2, ahead=6)
    threading.Timer(0.3, gate.set).start()
    first = next(results)
    assert first == 0
    assert taken <= 8  # not the whole input
    results.close()


def test_ordered_map_with_one_job_runs_in_turn_on_this_thread():
    threads = list(ordered_map([threading.get_ident for _ in range(3)], jobs=1))
    assert threads == [threading.get_ident()] * 3


# -- a batch against a remote model ----------------------------------------------------------


def test_a_batch_runs_articles_at_once_in_input_order(server: FakeOpenAI):
    articles = [numbered(n) for n in range(24)]
    records = list(summariser(jobs=8).summarise_many(articles))

    assert [r.article.source for r in records] == [a.source for a in articles]
    assert all(r.status == "ok" for r in records), [r.error for r in records]
    assert [r.events[0].summary for r in records] == [f"Meeting {n}." for n in range(24)]
    assert 1 < server.max_in_flight <= 8
    assert set(requests_per_article(server).values()) == {1}  # none sent twice


def test_an_article_given_twice_is_sent_once(server: FakeOpenAI):
    articles = [numbered(1), numbered(2), numbered(1), numbered(3), numbered(1)]
    articles[2] = Article(source="copy.txt", text=articles[0].text)
    records = list(summariser(jobs=4).summarise_many(articles))

    assert requests_per_article(server) == {"1": 1, "2": 1, "3": 1}
    assert [r.article.source for r in records] == [a.source for a in articles]
    assert all(r.status == "ok" for r in records)
    assert records[2].events == records[0].events
    assert [r.provenance.cached for r in records if r.provenance] == [
        False,
        False,
        True,
        False,
        True,
    ]


def test_an_article_given_twice_without_a_cache_is_still_sent_once(server: FakeOpenAI):
    articles = [numbered(7)] * 3
    records = list(summariser(jobs=3, use_cache=False).summarise_many(articles))
    assert server.request_count == 1
    assert all(r.status == "ok" for r in records)


def test_on_record_sees_every_record(server: FakeOpenAI):
    seen: list[ArticleRecord] = []
    lock = threading.Lock()

    def on_record(record: ArticleRecord) -> None:
        with lock:
            seen.append(record)

    records = list(summariser(jobs=4).summarise_many([numbered(n) for n in range(6)], on_record))
    assert sorted(r.article.source for r in seen) == [r.article.source for r in records]


def test_jobs_default_to_8_for_a_remote_model_and_1_for_the_embedded_one(
    fake_openai: FakeOpenAI,
):
    from communique.extract.backends.local import LocalBackend

    assert summariser().jobs == 8
    assert summariser(jobs=32).jobs == 32
    backend = LocalBackend.__new__(LocalBackend)  # no model loaded: only its kind matters
    assert Summariser(backend, jobs=8).jobs == 1


# -- rate limits -----------------------------------------------------------------------------


def test_requests_per_minute_are_spread():
    limiter = RateLimiter(max_in_flight=4, rpm=1200)  # 20 a second, bursts of 120
    started = time.perf_counter()
    for _ in range(140):
        limiter.release(limiter.acquire(), used_tokens=0)
    assert time.perf_counter() - started >= 0.9  # the 20 past the burst take a second


def test_tokens_per_minute_are_spread_and_settled_on_usage():
    limiter = RateLimiter(max_in_flight=4, tpm=60_000)  # 1,000 a second, bursts of 6,000
    permit = limiter.acquire(6_000)
    limiter.release(permit, used_tokens=1_000)  # 5,000 given back
    started = time.perf_counter()
    limiter.release(limiter.acquire(5_000), used_tokens=5_000)
    assert time.perf_counter() - started < 0.2
    limiter.release(limiter.acquire(1_000), used_tokens=1_000)
    assert time.perf_counter() - started >= 0.8  # the budget was spent: wait for a refill


def test_a_429_pauses_everyone_and_halves_the_requests_in_flight():
    limiter = RateLimiter(max_in_flight=8)
    permits = [limiter.acquire() for _ in range(4)]
    limiter.release(permits[0], rate_limited=True, retry_after=0.3)
    limiter.release(permits[1], rate_limited=True, retry_after=0.3)  # same window: once
    assert limiter.window == 4
    started = time.perf_counter()
    limiter.release(limiter.acquire(), used_tokens=10)
    assert time.perf_counter() - started >= 0.25  # Retry-After honoured by everyone
    for permit in permits[2:]:
        limiter.release(permit, used_tokens=10)
    assert 4 < limiter.window <= 8  # and grows back as calls succeed


def test_the_window_limits_requests_in_flight():
    limiter = RateLimiter(max_in_flight=2)
    first, _second = limiter.acquire(), limiter.acquire()
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(limiter.acquire().tokens))
    waiter.start()
    time.sleep(0.2)
    assert got == []  # the third waits for one of the two to finish
    limiter.release(first, used_tokens=0)
    waiter.join(2)
    assert got == [0]
    assert limiter.peak_in_flight == 2


def test_a_batch_backs_off_on_429_and_loses_nothing(monkeypatch: pytest.MonkeyPatch):
    limited = {"left": 6}
    lock = threading.Lock()

    def sometimes_busy(body: dict[str, Any]) -> Scripted:
        with lock:
            if limited["left"] > 0:
                limited["left"] -= 1
                return http_error(429, headers={"Retry-After": "0.1"})
        return answer_each(body)

    fake = FakeOpenAI(sometimes_busy, latency=0.05).start()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    try:
        worker = summariser(jobs=6)
        records = list(worker.summarise_many([numbered(n) for n in range(12)]))
    finally:
        fake.stop()
    assert all(r.status == "ok" for r in records)
    assert worker.limiter is not None and worker.limiter.rate_limited == 6
    assert worker.limiter.peak_in_flight <= 6


# -- fail fast -------------------------------------------------------------------------------


def test_a_dead_endpoint_stops_the_batch(monkeypatch: pytest.MonkeyPatch):
    url = dead_url()
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    sleeps: list[float] = []
    worker = summariser(jobs=1, retry=RetryPolicy(sleep=sleeps.append))
    records = list(worker.summarise_many([numbered(n) for n in range(50)]))

    kinds = [r.error.kind for r in records if r.error]
    assert len(records) == 50 and kinds == ["endpoint"] * 3 + ["not_attempted"] * 47
    assert sleeps == []  # a refused connection is not retried
    assert worker.stopped is not None
    assert "connection refused" in worker.stopped and "OPENAI_BASE_URL" in worker.stopped
    assert url in worker.stopped
    assert records[10].error is not None and "OPENAI_BASE_URL" in records[10].error.message
    assert [r.article.source for r in records] == [f"a{n:03d}.txt" for n in range(50)]


def test_a_dead_endpoint_stops_a_concurrent_batch_quickly(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_BASE_URL", dead_url())
    worker = summariser(jobs=8)
    started = time.perf_counter()
    records = list(worker.summarise_many([numbered(n) for n in range(300)]))
    assert time.perf_counter() - started < 10
    kinds = Counter(r.error.kind for r in records if r.error)
    assert kinds["endpoint"] + kinds["not_attempted"] == 300
    assert 3 <= kinds["endpoint"] <= 3 + 8 * 5  # only what was under way when it stopped


def test_an_unresolvable_host_is_named(monkeypatch: pytest.MonkeyPatch):
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "model.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://model.invalid/v1")
    worker = summariser(jobs=1)
    records = list(worker.summarise_many([numbered(n) for n in range(4)]))
    assert [r.error.kind for r in records if r.error] == ["endpoint"] * 3 + ["not_attempted"]
    assert worker.stopped is not None and "does not resolve" in worker.stopped


@pytest.mark.parametrize(
    ("status", "setting"),
    [(401, "OPENAI_API_KEY"), (403, "OPENAI_API_KEY"), (404, "--model openai:fake-model")],
)
def test_a_refused_key_or_unknown_model_stops_the_batch(
    fake_openai: FakeOpenAI, status: int, setting: str
):
    fake_openai.responder = lambda body: http_error(status)
    worker = summariser(jobs=1)
    records = list(worker.summarise_many([numbered(n) for n in range(10)]))
    assert fake_openai.request_count == 3
    assert worker.stopped is not None and setting in worker.stopped
    assert [r.error.kind for r in records if r.error][-1] == "not_attempted"


def test_transient_errors_and_bad_answers_do_not_stop_the_batch(fake_openai: FakeOpenAI):
    fake_openai.responder = lambda body: http_error(503)
    worker = summariser(jobs=1)
    records = list(worker.summarise_many([numbered(n) for n in range(4)]))
    assert worker.stopped is None
    assert [r.error.kind for r in records if r.error] == ["backend"] * 4
    assert fake_openai.request_count == 4 * 5  # each retried, as bounded


def test_a_working_call_between_failures_resets_the_count(fake_openai: FakeOpenAI):
    fake_openai.add(http_error(401), http_error(401), completion(draft()))
    fake_openai.add(http_error(401), http_error(401), completion(draft()))
    worker = summariser(jobs=1)
    records = list(worker.summarise_many([numbered(n) for n in range(6)]))
    assert worker.stopped is None
    assert [r.status for r in records] == ["error", "error", "ok"] * 2


def test_cached_articles_are_still_served_after_the_batch_stops(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    cached = numbered(99)
    assert summariser().summarise(cached).status == "ok"
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    server.responder = lambda body: http_error(401)
    records = list(summariser(jobs=1).summarise_many([numbered(n) for n in range(5)] + [cached]))
    assert [r.error.kind if r.error else "ok" for r in records] == [
        "endpoint",
        "endpoint",
        "endpoint",
        "not_attempted",
        "not_attempted",
        "ok",
    ]


def test_the_cli_stops_with_one_message_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("OPENAI_BASE_URL", dead_url())
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"text": numbered(n).text}) + "\n" for n in range(200)),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["summarise", str(feed), "-m", "openai:fake-model", "-o", str(out)]
    )
    assert result.exit_code == 101
    records = [ArticleRecord.model_validate_json(line) for line in out.read_text().splitlines()]
    assert len(records) == 200 and all(r.status == "error" for r in records)
    stderr = " ".join(result.stderr.split())
    assert stderr.count("stopped:") == 1
    assert "OPENAI_BASE_URL" in stderr and "not attempted" in stderr
    assert stderr.count("failed ") <= 20  # not one line per article


def test_breaker_trips_on_consecutive_failures_only():
    breaker = Breaker(3)
    breaker.failure("a")
    breaker.failure("b")
    breaker.success()
    breaker.failure("c")
    breaker.failure("d")
    assert not breaker.tripped
    breaker.failure("e")
    assert breaker.tripped and breaker.reason == "e"
