"""Turning the model's compact draft into full, grounded events.

Deterministic work the model should not spend tokens on happens here: the date as
worded is resolved to an ISO date against the publication date, sides are derived
from the participants, and names and agreements are aligned to source spans.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings

from annotated_types import MaxLen
from anyascii import anyascii

from communique.candidates import RELATIVE_WORDING
from communique.draft import TOPIC_MAX, DraftEvent, ExtractionDraft
from communique.grounding import FoldedText, align
from communique.schema import Agreement, Event, Location, Participant

_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_SIDE_ORDER = {"host": 0, "visitor": 1, "other": 2}


def resolve_date(
    date_text: str | None, published: dt.date | None, *, happened: bool
) -> dt.date | None:
    """ISO date for a date as worded ("December 5", "yesterday", "5 декабря 2023").

    Without a year in the wording the publication date supplies it; with neither,
    the date is unknown (None) rather than guessed.
    """
    if not date_text or not date_text.strip():
        return None
    wording = date_text.strip()
    try:
        return dt.date.fromisoformat(wording)
    except ValueError:
        pass
    if published is None and not _YEAR.search(wording):
        return None
    import dateparser  # slow to import: only when a date needs parsing

    base = dt.datetime.combine(published or dt.date.today(), dt.time(12, 0))
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past" if happened else "future",
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(wording, settings=settings)
        if parsed is None and RELATIVE_WORDING.search(wording):
            # "Wednesday", "yesterday": no day-and-month parts, but a definite day.
            del settings["REQUIRE_PARTS"]
            parsed = dateparser.parse(wording, settings=settings)
    return parsed.date() if parsed is not None else None


def latin_name(name: str) -> str:
    """Names in another script get their Latin transliteration ("Павел Громов" ->
    "Pavel Gromov"); the original form stays in the evidence spans. Latin names keep
    their diacritics (Şentop, Wiśniewski)."""
    if all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name):
        return name
    return " ".join(anyascii(name).split())


def _participants(event: DraftEvent, doc: FoldedText) -> list[Participant]:
    people = []
    for person in event.people:
        alignment = align(doc.text, person.name, doc=doc, is_name=True)
        people.append(
            Participant(
                name=latin_name(person.name),
                role=person.role or None,
                affiliation=person.org or None,
                side=person.side,
                head_of_delegation=person.lead,
                alignment=alignment.status,
                evidence=alignment.spans,
            )
        )
    return people


def _sides(people: list[Participant]) -> list[str]:
    sides: list[str] = []
    for person in sorted(people, key=lambda p: _SIDE_ORDER[p.side]):
        if person.affiliation and person.affiliation.casefold() not in {
            s.casefold() for s in sides
        }:
            sides.append(person.affiliation)
    return sides


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def tidy_summary(summary: str, limit: int) -> str:
    """A summary cut by the grammar's length limit ends at its last whole sentence."""
    summary = " ".join(summary.split())
    if len(summary) < limit - 1 or summary.endswith((".", "!", "?")):
        return summary
    cut = max(summary.rfind(". "), summary.rfind("; "))
    if cut > limit // 3:
        return summary[:cut].rstrip(";") + "."
    return summary[: summary.rfind(" ")].rstrip(",;: ") + "…"


def tidy_phrase(phrase: str, limit: int) -> str:
    """Drop a word left half-written by a length limit."""
    phrase = " ".join(phrase.split())
    if len(phrase) >= limit - 1 and " " in phrase:
        phrase = phrase[: phrase.rfind(" ")]
    return phrase.rstrip(",;: ")


def _limit(model_field: str) -> int:
    for meta in DraftEvent.model_fields[model_field].metadata:
        if isinstance(meta, MaxLen):
            return int(meta.max_length)
    return 10_000


def build_event(event: DraftEvent, text: str, published: dt.date | None, doc: FoldedText) -> Event:
    participants = _participants(event, doc)
    agreements = []
    for title in _unique(event.signed):
        alignment = align(text, title, doc=doc)
        agreements.append(
            Agreement(title=title, alignment=alignment.status, evidence=alignment.spans)
        )
    location = None
    city = event.city or None
    if city and event.country and city.casefold() == event.country.casefold():
        city = None  # "city": "Azerbaijan" is a country, not a stated city
    if city or event.country:
        location = Location(city=city, country=event.country or None)
    return Event(
        kind=event.kind,
        happened=event.happened,
        date=resolve_date(event.date, published, happened=event.happened),
        date_text=event.date,
        location=location,
        participants=participants,
        sides=_sides(participants),
        agreements=agreements,
        topics=_unique([tidy_phrase(topic, TOPIC_MAX) for topic in event.topics]),
        summary=tidy_summary(event.summary, _limit("summary")),
    )


def build_events(draft: ExtractionDraft, text: str, published: dt.date | None) -> list[Event]:
    doc = FoldedText(text)
    events: list[Event] = []
    for draft_event in draft.events:
        event = build_event(draft_event, text, published, doc)
        if not any(_same_event(event, seen) for seen in events):
            events.append(event)
    return events


def _same_event(a: Event, b: Event) -> bool:
    """A repeated event (small models sometimes loop): same kind, date and people."""
    return (
        a.kind == b.kind
        and a.date == b.date
        and {p.name for p in a.participants} == {p.name for p in b.participants}
    )
