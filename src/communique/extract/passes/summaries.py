"""Summaries that say only what the record says.

A summary the model wrote is checked against its event's validated fields
(:func:`communique.text.summary_check.summary_problems`); one that disagrees, or a
missing one (the prompt asked for none), is replaced by a summary composed from the
fields (:func:`communique.extract.compose.compose_summary`), marked
``summary_origin: "composed"``. The pipeline may first re-ask the model once.
"""

from __future__ import annotations

from communique.extract.compose import compose_summary
from communique.schema import Event
from communique.text.names import same_person
from communique.text.summary_check import EventFacts, Person, summary_problems


def event_facts(event: Event, others: list[Event]) -> EventFacts:
    """What a summary of ``event`` may say, from its own fields; ``others`` are the
    record's other events, whose people it must not name as taking part."""
    location = [event.location.city, event.location.country] if event.location else []
    affiliations = [p.affiliation for p in event.participants]
    return EventFacts(
        kind=event.kind,
        happened=event.happened,
        people=[Person(p.name, p.role) for p in event.participants],
        places=[x for x in (*location, *event.sides, *affiliations) if x],
        signed=bool(event.agreements),
        outsiders=[
            p.name
            for other in others
            for p in other.participants
            if not any(same_person(p.name, q.name) for q in event.participants)
        ],
    )


def problems_of(
    event: Event, text: str, language: str | None, others: list[Event] | None = None
) -> list[str]:
    facts = event_facts(event, others or [])
    return summary_problems(event.summary, facts, text, language)


def check_summaries(events: list[Event], text: str, language: str | None) -> None:
    for event in events:
        others = [e for e in events if e is not event]
        written = event.summary_origin == "model" and event.origin == "model"
        if written and not problems_of(event, text, language, others):
            continue
        event.summary = compose_summary(event, language=language)
        event.summary_origin = "composed"
