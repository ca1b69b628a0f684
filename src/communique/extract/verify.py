"""The verification turn: each doubtful value of a record asked again, with options
taken from the text, answered under a grammar.

A value is doubtful when the text offers another option for it and does not settle
it where the event is told:

- **city**: the text names another city, or the event's own sentences (those that
  name its people) do not name this one;
- **affiliation**: the person's own title phrase does not name it, and it is a
  counterpart's affiliation in the same event, or the text names it nowhere;
- **date**: the text words another date, and the event's own sentences do not word
  this one.

All of an article's doubtful values go in one more call, with the article, one
question each, whose answer the schema restricts to the options: the value stated,
the others the text names, and "not stated". The call stands on its own (the
article and the questions, not the first conversation), so a cached reading can be
verified later with the same result. The answer confirms the value, corrects it to
another option, or leaves it out; each outcome is recorded in the provenance
(``checked``). The questions' wording is the prompt's ``=== verify ===`` template.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from communique.errors import CommuniqueError
from communique.extract.assemble import Assembled
from communique.extract.draft import DraftPerson, ExtractionDraft
from communique.extract.modelcall import CallLog, ModelCaller
from communique.extract.passes.places import own_phrase_values
from communique.schema import CheckedValue, Event, Participant
from communique.text.analysis import AnalysedText
from communique.text.attendance import sentences
from communique.text.candidates import candidate_dates
from communique.text.dates import resolve_date
from communique.text.names import name_key
from communique.text.places import (
    country_code,
    english_city,
    english_name_of,
    organisation,
    place_mentions,
)

logger = logging.getLogger("communique")

#: the option that leaves a value out
NOT_STATED = "not stated"
#: at most this many options a question (the value stated and "not stated" included)
MAX_OPTIONS = 8
#: at most this many questions a turn
MAX_QUESTIONS = 10

FieldName = Literal["city", "affiliation", "date"]
#: answers each question (by key) with one of its options
Answerer = Callable[[Sequence["Question"]], dict[str, str]]


@dataclass(frozen=True)
class Question:
    """One doubtful value, and the options the text gives for it."""

    key: str  # the answer's field: "q1", "q2", ...
    field: FieldName
    event: int  # the event's index in the draft
    person: int | None  # the person's index in the draft event (affiliation)
    kind: str
    names: tuple[str, ...]  # the event's people, to say which event is meant
    person_name: str | None
    stated: str
    options: tuple[str, ...] = ()


def doubtful_values(
    assembled: Assembled,
    draft: ExtractionDraft,
    article: AnalysedText,
    published: dt.date | None,
    fields: Sequence[str] = ("city", "date", "affiliation"),
) -> list[Question]:
    """The record's doubtful values of ``fields``, one question each (at most
    :data:`MAX_QUESTIONS`)."""
    text, language = article.text, article.language
    spans = sentences(text)
    mentions = place_mentions(text, language)
    cities = _unique(m.value for m in mentions if m.kind == "city")
    sides = _unique(_english(m.kind, m.value) for m in mentions if m.kind != "city")
    dates = _distinct_dates(text, published)
    everyone = [p for e in assembled.events for p in e.participants]
    found: list[Question] = []
    for event in assembled.events:
        index = assembled.draft_index(event)
        if index is None or event.origin != "model":
            continue
        own = _event_text(event, text, spans)
        names = tuple(p.name for p in event.participants)
        base = {"event": index, "kind": event.kind, "names": names}
        city = event.location.city if event.location else None
        if city is not None and event.kind != "call":
            others = [c for c in cities if c != city]
            if others or not _names_city(own, city, language):
                found.append(_question("city", city, others, person=None, **base))
        wording = event.date_text
        if wording is not None and event.date is not None:
            others = [w for w, day in dates if day != event.date]
            if others and wording.casefold() not in own.casefold():
                found.append(_question("date", wording, others, person=None, **base))
        for person in event.participants:
            question = _affiliation_question(person, event, everyone, text, language)
            if question is None:
                continue
            at = _draft_person(draft.events[index].people, person)
            if at is not None:
                others = [s for s in sides if s != person.affiliation]
                found.append(
                    _question(
                        "affiliation", question, others, person=at, person_name=person.name, **base
                    )
                )
    asked = [q for q in found if q.field in fields][:MAX_QUESTIONS]
    return [Question(**{**q.__dict__, "key": f"q{i + 1}"}) for i, q in enumerate(asked)]


def _question(field_name: FieldName, stated: str, others: Sequence[str], **values: Any) -> Question:
    # in no favoured order (the small model leans to the first option): sorted
    options = (*sorted({stated, *others[: MAX_OPTIONS - 2]}, key=str.casefold), NOT_STATED)
    values.setdefault("person_name", None)
    return Question(key="", field=field_name, stated=stated, options=options, **values)


def _affiliation_question(
    person: Participant,
    event: Event,
    everyone: list[Participant],
    text: str,
    language: str | None,
) -> str | None:
    """The person's affiliation when it is doubtful, else None: their own title phrase
    does not name it, and it is a counterpart's (someone on another side of the event,
    or the other head of delegation) or the text names it nowhere."""
    value = person.affiliation
    if value is None or person.origin != "model":
        return None
    others = [
        (s.start, s.end)
        for p in everyone
        if p is not person and p.name != person.name
        for s in p.evidence
    ]
    key = _value(value)
    if key is not None and key in own_phrase_values(person, text, others, language):
        return None
    copied = any(
        p is not person
        and p.affiliation is not None
        and _value(p.affiliation) == key
        and (p.side != person.side or (p.head_of_delegation and person.head_of_delegation))
        for p in event.participants
    )
    return value if copied or person.affiliation_source is None else None


def _value(name: str) -> str | None:
    return country_code(name) or organisation(name)


def _english(kind: str, value: str) -> str:
    return (english_name_of(value) or value) if kind == "country" else value


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _distinct_dates(text: str, published: dt.date | None) -> list[tuple[str, dt.date]]:
    """The text's date wordings, one per day they resolve to, in order."""
    seen: dict[dt.date, str] = {}
    for wording in candidate_dates(text):
        day = resolve_date(wording, published, happened=True)
        if day is not None:
            seen.setdefault(day, wording)
    return [(wording, day) for day, wording in seen.items()]


def _event_text(event: Event, text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The sentences that name the event's people."""
    starts = [s.start for p in event.participants for s in p.evidence]
    return " ".join(text[a:b] for a, b in spans if any(a <= s < b for s in starts))


def _names_city(own: str, city: str, language: str | None) -> bool:
    return any(m.kind == "city" and m.value == city for m in place_mentions(own, language)) or (
        english_city(city) is None and city.casefold() in own.casefold()
    )


def _draft_person(people: list[DraftPerson], person: Participant) -> int | None:
    key = name_key(person.name)
    for i, drafted in enumerate(people):
        if key in {name_key(drafted.name), name_key(drafted.en or "")}:
            return i
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def answer_model(questions: Sequence[Question]) -> type[BaseModel]:
    """The answer's schema: one field a question, its value one of the options."""
    fields: dict[str, Any] = {q.key: (Literal[q.options], Field(...)) for q in questions}
    return create_model("Checks", __base__=_Strict, **fields)


def apply_answers(
    draft: ExtractionDraft, questions: Sequence[Question], answers: dict[str, str]
) -> tuple[ExtractionDraft, list[CheckedValue]]:
    """The draft with each answered value confirmed, corrected or left out."""
    fixed = draft.model_copy(deep=True)
    checked: list[CheckedValue] = []
    for q in questions:
        answer = answers.get(q.key)
        if answer is None or answer not in q.options:
            continue
        outcome: Literal["confirmed", "corrected", "left out"] = "corrected"
        if answer == q.stated:
            outcome = "confirmed"
        elif answer == NOT_STATED:
            outcome = "left out"
        value = None if answer == NOT_STATED else answer
        event = fixed.events[q.event]
        if outcome != "confirmed":
            if q.field == "city":
                event.city = value
            elif q.field == "date":
                event.date = value
            elif q.person is not None:
                event.people[q.person].org = value
        checked.append(
            CheckedValue(
                event=q.event + 1,
                field=q.field,
                person=q.person_name,
                stated=q.stated,
                options=list(q.options),
                answer=answer,
                outcome=outcome,
            )
        )
    return fixed, checked


def ask(
    caller: ModelCaller,
    messages: list[dict[str, str]],
    questions: Sequence[Question],
    part: AnalysedText,
    params: dict[str, Any],
    calls: CallLog,
) -> dict[str, str]:
    """The model's answer to each question (``messages`` ask them all, with the article);
    a failed call answers nothing, so every value stays."""
    calls.next_turn()
    try:
        reply = caller.call_for(answer_model(questions), messages, params, calls, part.folded)
    except CommuniqueError as exc:
        logger.warning("the verification turn failed, keeping the values: %s", exc)
        return {}
    return {key: str(value) for key, value in reply.model_dump().items()}
