"""The oracle check: each case's gold record, fed as the model's draft.

A perfect model would answer with the gold record, worded as the prompt asks: each
name as the article spells it (with its usual English form), the date as the
article words it, roles, affiliations and places in English. That draft goes
through the same assembly and post-model passes as a real answer, so the score of
``communique eval --model gold`` is what the passes leave of a right answer: every
field should come out unchanged. A pass that lowers it overrides the model where
the text does not contradict it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from communique.errors import ConfigError
from communique.evals.gold import GoldCase, GoldEvent, GoldParticipant
from communique.extract.backends.base import Backend
from communique.extract.draft import ExtractionDraft
from communique.extract.verify import NOT_STATED, Answerer, Question
from communique.text.alignment import FoldedText, align
from communique.text.candidates import candidate_dates
from communique.text.dates import resolve_date
from communique.text.places import country_code, english_city, organisation

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

#: the model id an oracle run is reported under
ORACLE_MODEL = "gold"

# the draft's own bounds (a perfect model fills the draft it is given)
_MAX_PEOPLE = 12
_MAX_TOPICS = 4
_MAX_EVENTS = 12


def gold_draft(
    case: GoldCase, text: str, published: dt.date | None, *, summaries: bool = False
) -> ExtractionDraft:
    """The draft a perfect model would write for ``case``'s article."""
    doc = FoldedText(text)
    dates = candidate_dates(text)
    events = [
        _draft_event(event, text, doc, published, dates, summaries)
        for event in case.events[:_MAX_EVENTS]
    ]
    return ExtractionDraft.model_validate({"events": events})


def _draft_event(
    event: GoldEvent,
    text: str,
    doc: FoldedText,
    published: dt.date | None,
    dates: list[str],
    summaries: bool,
) -> dict[str, object]:
    location = event.location
    return {
        "kind": event.kind,
        "happened": event.happened,
        "date": _date_wording(event, published, dates),
        "city": location.city if location else None,
        "country": location.country if location else None,
        "people": [_draft_person(p, text, doc) for p in event.participants[:_MAX_PEOPLE]],
        "signed": list(event.agreements),
        "topics": list(event.topics[:_MAX_TOPICS]),
        "summary": event.summary if summaries else None,
    }


def _date_wording(event: GoldEvent, published: dt.date | None, dates: list[str]) -> str | None:
    """The article's own wording of the gold date (as the prompt asks the model to copy
    it), or the ISO date when no wording in the text resolves to it."""
    if event.date is None:
        return None
    for wording in dates:
        if resolve_date(wording, published, happened=event.happened) == event.date:
            return wording
    return event.date.isoformat()


def _draft_person(person: GoldParticipant, text: str, doc: FoldedText) -> dict[str, object]:
    """The person as the article spells them, with the usual English form beside."""
    written = next(
        (
            form
            for form in (person.name, *person.aliases)
            if align(text, form, doc=doc, is_name=True).status == "exact"
        ),
        None,
    ) or next(
        (
            form
            for form in (person.name, *person.aliases)
            if align(text, form, doc=doc, is_name=True).grounded
        ),
        person.name,
    )
    return {
        "name": written,
        "en": person.name if written != person.name else None,
        "role": person.role,
        "org": person.affiliation,
        "side": person.side,
        "lead": person.head_of_delegation,
    }


def gold_answerer(case: GoldCase, published: dt.date | None) -> Answerer:
    """Answers verification questions as a perfect model would: with the option that is
    the gold value of the event (or person) asked about, "not stated" when gold has
    none, and the value stated when gold's is no option (the question cannot say it)."""

    def answer(questions: Sequence[Question]) -> dict[str, str]:
        return {q.key: _gold_option(case, q, published) for q in questions}

    return answer


def _gold_option(case: GoldCase, question: Question, published: dt.date | None) -> str:
    if question.event >= len(case.events):
        return question.stated
    event = case.events[question.event]
    gold = _gold_value(event, question)
    if gold is None:
        return NOT_STATED
    for option in question.options:
        if option == NOT_STATED:
            continue
        if question.field == "city":
            same = _place_key(option) == _place_key(gold)
        elif question.field == "date":
            same = _day(option, published, event.happened) == gold
        else:
            same = _side_key(option) == _side_key(gold)
        if same:
            return option
    return question.stated


def _gold_value(event: GoldEvent, question: Question) -> str | None:
    """The gold value of what ``question`` asks about (None: gold states none)."""
    if question.field == "city":
        return event.location.city if event.location else None
    if question.field == "date":
        return event.date.isoformat() if event.date else None
    people = event.participants
    if question.person is None or question.person >= len(people):
        return None
    return people[question.person].affiliation


def _place_key(name: str) -> str:
    return (english_city(name) or name).casefold()


def _side_key(name: str) -> str:
    return country_code(name) or organisation(name) or name.casefold()


def _day(wording: str, published: dt.date | None, happened: bool) -> str | None:
    day = resolve_date(wording, published, happened=happened)
    return day.isoformat() if day else None


class GoldBackend(Backend):
    """The backend of an oracle run: it names the run ("gold") and is never asked, since
    each draft comes from the case's gold record."""

    kind = ORACLE_MODEL

    @property
    def model_id(self) -> str:
        return ORACLE_MODEL

    def create(self, **kwargs: Any) -> ChatCompletion:
        raise ConfigError("the gold oracle answers from gold records only: use `communique eval`")
