"""An output cut off at max_tokens: salvage, else one more try with a larger allowance."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from communique.extract.backends.openai_compat import OpenAIBackend
from communique.extract.pipeline import Summariser
from communique.extract.prompts import load_prompt
from communique.extract.retry import RetryPolicy
from communique.inputs import Article
from fake_openai import ARTICLE_BODY, FakeOpenAI, completion, draft

CUT = '{"events":[{"kind":"meeting","happened":true,"date":"December 5","city":"Ba'


def article() -> Article:
    return Article(source="a.txt", text=ARTICLE_BODY, published=dt.date(2023, 12, 5))


def max_tokens(request: dict[str, Any]) -> int:
    return int(request["max_tokens"])


def test_a_cut_output_salvage_cannot_save_is_asked_again_with_twice_the_allowance(
    fake_openai: FakeOpenAI, make_summariser: Any
):
    fake_openai.add(
        completion(CUT, prompt_tokens=900, completion_tokens=768, finish_reason="length"),
        completion(draft(), prompt_tokens=900, completion_tokens=250),
    )
    record = make_summariser().summarise(article())
    assert record.status == "ok", record.error
    assert [p.name for p in record.events[0].participants][:2] == [
        "Mustafa Sentop",
        "Jeyhun Bayramov",
    ]
    first, second = fake_openai.requests
    assert max_tokens(second) == 2 * max_tokens(first)
    assert first["messages"] == second["messages"]
    assert record.provenance is not None
    usage = record.provenance.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (1800, 1018)
    assert (usage.attempts, usage.cut_retries) == (2, 1)
    assert record.provenance.truncated is False


def test_a_cut_output_with_complete_events_is_salvaged_without_another_call(
    fake_openai: FakeOpenAI, make_summariser: Any
):
    whole = json.dumps(draft(), separators=(",", ":"))
    cut = whole[:-2] + ',{"kind":"meeting","happ'
    fake_openai.add(completion(cut, finish_reason="length"))
    record = make_summariser().summarise(article())
    assert record.status == "ok"
    assert record.provenance is not None
    assert record.provenance.truncated is True
    assert record.provenance.usage.cut_retries == 0
    assert fake_openai.request_count == 1


class SmallContext(OpenAIBackend):
    """A server whose context leaves no room for a larger allowance."""

    def context_tokens(self) -> int | None:
        return 1_000

    def count_tokens(self, text: str) -> int:
        return 50


def test_no_second_try_when_the_context_has_no_room_for_more(fake_openai: FakeOpenAI):
    """Prompt ~116 tokens + 870 fits 1,000; twice 870 does not, and what is left (868)
    is no larger: the cut-off is final at once."""
    fake_openai.add(completion(CUT, finish_reason="length"))
    prompt = load_prompt()
    summariser = Summariser(
        SmallContext("fake-model"),
        replace(prompt, params={**prompt.params, "max_tokens": 870}),
        retry=RetryPolicy(sleep=lambda _: None),
        use_cache=False,
        log_calls=False,
    )
    record = summariser.summarise(article())
    assert record.status == "error" and record.error is not None
    assert record.error.message == "the model's output was cut off at max_tokens=870"
    assert fake_openai.request_count == 1
