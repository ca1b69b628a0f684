"""Recall turns: each sentence that reports a meeting and names someone in no event of
the answer is asked about on its own (prompt v8).

The model is faked at the HTTP boundary; the articles are written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from communique.extract.prompts import load_prompt
from communique.inputs.readers import Article
from communique.text.coverage import cue_sentences, uncovered
from fake_openai import FakeOpenAI, completion, http_error

V8 = "meeting_summary@v8"
DAY = dt.date(2024, 9, 24)

SIDELINES = (
    "NEW YORK, September 24. Foreign Minister Ana Brandt met Chilean Foreign Minister "
    "Diego Rojas on the sidelines of the General Assembly. She later held talks with "
    "Kenyan Foreign Minister Musalia Wekesa. Earlier in the day Brandt spoke by phone "
    "with Japanese Foreign Minister Kenji Sato. Brandt thanked President Omar Keller "
    "for his support."
)


def person(name: str, org: str | None = None) -> dict[str, Any]:
    return {"name": name, "role": "Foreign Minister", "org": org, "side": "other", "lead": True}


def event(kind: str, other: str, org: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "happened": True,
        "date": "September 24",
        "city": "New York" if kind == "meeting" else None,
        "country": "United States" if kind == "meeting" else None,
        "people": [person("Ana Brandt"), person(other, org)],
        "signed": [],
        "topics": [],
    }


NOTHING: dict[str, Any] = {"events": []}


def test_the_sentences_asked_about_report_a_meeting_and_name_someone_new() -> None:
    names = ("Ana Brandt", "Diego Rojas", "Musalia Wekesa", "Kenji Sato", "Omar Keller")
    found = cue_sentences(SIDELINES, names, DAY)
    # the thanks names President Keller but reports no meeting: never asked about
    assert [s.names for s in found] == [
        ("Ana Brandt", "Diego Rojas"),
        ("Musalia Wekesa",),
        ("Kenji Sato",),
    ]
    assert uncovered(found[0], ["Ana Brandt", "Diego Rojas"]) == []
    assert uncovered(found[1], ["Ana Brandt", "Diego Rojas"]) == ["Musalia Wekesa"]
    # of two names of one person, the longer; any spelling counts as listed
    faysal = cue_sentences("Fidan met Faysal bin Farhan.", ("Faysal", "Faysal bin Farhan"), DAY)
    assert uncovered(faysal[0], ["Fidan"]) == ["Faysal bin Farhan"]
    # a meeting of an earlier year is background
    assert cue_sentences("In 2019 Brandt met Rojas in Lima.", ("Rojas",), DAY) == []


def test_each_sentence_naming_someone_new_gets_a_recall_turn_of_its_own(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    first = {"events": [event("meeting", "Diego Rojas", "Chile")]}
    wekesa = {"events": [event("meeting", "Musalia Wekesa", "Kenya")]}
    sato = {"events": [event("call", "Kenji Sato", "Japan")]}
    fake_openai.add(completion(first), completion(NOTHING), completion(wekesa), completion(sato))
    record = make_summariser(prompt=load_prompt(V8)).summarise(
        Article(source="a.txt", text=SIDELINES, published=DAY)
    )
    assert record.status == "ok", record.error
    assert [(e.kind, e.participants[1].name, e.origin) for e in record.events] == [
        ("meeting", "Diego Rojas", "model"),
        ("meeting", "Musalia Wekesa", "model"),
        ("call", "Kenji Sato", "model"),
    ]
    assert record.provenance is not None and record.provenance.model_passes == 4
    assert len(fake_openai.requests) == 4
    follow_up, recall_1, recall_2 = (r["messages"] for r in fake_openai.requests[1:])
    # each recall turn branches from the conversation so far (the follow-up answered),
    # quotes its sentence and names the people the answer lacks
    for recall in (recall_1, recall_2):
        assert recall[:-1] == [*follow_up, {"role": "assistant", "content": json.dumps(NOTHING)}]
    assert (
        "She later held talks with Kenyan Foreign Minister Musalia Wekesa"
        in recall_1[-1]["content"]
    )
    assert "does not list Musalia Wekesa." in recall_1[-1]["content"]
    assert "does not list Kenji Sato." in recall_2[-1]["content"]


def test_a_failed_recall_turn_keeps_the_answer_and_the_next_is_still_asked(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    first = {"events": [event("meeting", "Diego Rojas", "Chile")]}
    sato = {"events": [event("call", "Kenji Sato", "Japan")]}
    fake_openai.add(completion(first), completion(NOTHING), http_error(400), completion(sato))
    record = make_summariser(prompt=load_prompt(V8)).summarise(
        Article(source="a.txt", text=SIDELINES, published=DAY)
    )
    assert record.status == "ok", record.error
    by_model = [e.participants[1].name for e in record.events if e.origin == "model"]
    assert by_model == ["Diego Rojas", "Kenji Sato"]


def test_no_recall_turn_when_the_answer_names_everyone_or_the_prompt_has_none(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    text = "BAKU, May 3. Foreign Minister Ana Brandt met Chilean Foreign Minister Diego Rojas."
    answer = {"events": [event("meeting", "Diego Rojas", "Chile")]}
    fake_openai.add(completion(answer), completion(NOTHING))
    record = make_summariser(prompt=load_prompt(V8)).summarise(
        Article(source="a.txt", text=text, published=DAY)
    )
    assert record.status == "ok" and len(fake_openai.requests) == 2
    assert load_prompt("meeting_summary@v7").recall is None


def test_the_embedded_backend_reuses_a_conversation_a_recall_turn_branches_from() -> None:
    from communique.extract.backends.local import LocalBackend

    backend = LocalBackend()  # the model is loaded only when a request is made
    system, article = {"role": "system", "content": "s"}, {"role": "user", "content": "a"}
    answer, recall_1 = {"role": "assistant", "content": "{}"}, {"role": "user", "content": "r1"}
    backend._conversation = [system, article, answer, recall_1, answer]
    recall_2 = {"role": "user", "content": "r2"}
    assert backend._continues([system, article, answer, recall_2])  # a branch: reused
    assert backend._continues([system, article, answer, recall_1, answer, recall_2])
    # another article, or a first turn only shared, starts from the static prefix
    assert not backend._continues([system, {"role": "user", "content": "b"}])
    assert not backend._continues([system, article])
