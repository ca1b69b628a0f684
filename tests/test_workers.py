"""Assembly in worker processes gives the records assembly in this process gives, and a
worker that dies loses no article."""

from __future__ import annotations

import datetime as dt
import os
import signal
from typing import Any

import pytest

from communique.extract import pipeline
from communique.extract.workers import AssemblyPool, default_workers
from communique.inputs import Article
from fake_openai import ARTICLE_BODY, OTHER_ARTICLE_TEXT, FakeOpenAI, call_event, completion, draft

PUBLISHED = dt.date(2023, 12, 5)


def articles() -> list[Article]:
    texts = [ARTICLE_BODY, OTHER_ARTICLE_TEXT] * 3
    return [
        Article(f"{i}.txt", f"{text}\n\nReference {i}.", published=PUBLISHED)
        for i, text in enumerate(texts)
    ]


def answer(body: dict[str, Any]) -> Any:
    article = body["messages"][1]["content"]
    return completion(draft(call_event()) if "Fidan" in article else draft())


def summarised(make_summariser: Any, workers: int) -> list[Any]:
    summariser = make_summariser(use_cache=False, workers=workers)
    try:
        return [summariser.summarise(article) for article in articles()]
    finally:
        if summariser.pool is not None:
            summariser.pool.close()


def test_records_assembled_in_workers_equal_those_assembled_here(
    fake_openai: FakeOpenAI, make_summariser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "POOL_AFTER", 0)
    fake_openai.responder = answer
    here = summarised(make_summariser, 0)
    there = summarised(make_summariser, 2)
    assert [r.status for r in there] == ["ok"] * len(here)
    assert [r.events for r in there] == [r.events for r in here]
    assert [r.provenance.passes for r in there] == [r.provenance.passes for r in here]


def test_a_worker_that_dies_loses_no_article(
    fake_openai: FakeOpenAI, make_summariser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "POOL_AFTER", 0)
    fake_openai.responder = answer
    here = summarised(make_summariser, 0)
    summariser = make_summariser(use_cache=False, workers=2)
    pool = summariser.pool
    assert isinstance(pool, AssemblyPool)
    records = []
    try:
        for index, article in enumerate(articles()):
            if index == 2:
                for pid in pool.pids():
                    os.kill(pid, signal.SIGKILL)
            records.append(summariser.summarise(article))
    finally:
        pool.close()
    assert [r.events for r in records] == [r.events for r in here]
    assert pool.restarts == 1


def test_workers_are_every_core_for_many_articles_and_none_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COMMUNIQUE_WORKERS", raising=False)
    assert default_workers(1) == 0
    assert default_workers(8) in (0, len(os.sched_getaffinity(0)))
    monkeypatch.setenv("COMMUNIQUE_WORKERS", "3")
    assert default_workers(1) == 3
