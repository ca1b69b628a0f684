"""Turning the model's compact draft into full, grounded events.

Deterministic work the model should not spend tokens on happens here: the date as
worded is resolved to an ISO date against the publication date, sides are derived
from the participants, and names and agreements are aligned to source spans; then
:mod:`communique.extract.passes.completion` completes the events from the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from annotated_types import MaxLen

from communique import lexicon
from communique.extract.draft import TOPIC_MAX, DraftEvent, ExtractionDraft
from communique.extract.passes import PassContext, run_passes
from communique.extract.passes.completion import sides_of, signed_at_event
from communique.extract.passes.examples import ExampleValues
from communique.schema import Agreement, Event, Location, Participant, PassReport
from communique.text.alignment import FoldedText, align
from communique.text.analysis import AnalysedText
from communique.text.candidates import SUFFIX_LETTERS, THING_WORDS
from communique.text.dates import resolve_date
from communique.text.names import english_form, fold, same_person
from communique.text.organisations import is_organisation_name
from communique.text.places import CITY_STATES, country_code, is_place


def standalone_name(name: str, text: str) -> str:
    """The part of an over-long name that the text also uses on its own.

    Candidate names are runs of capitalised words, so "Vüsal Həsənli Macarıstanın
    Kənd" (the minister, then "Hungary's Agriculture ...") is one; when the text
    elsewhere writes "Vüsal Həsənli" alone, that is the name. Only four-word names,
    or three-word ones ending or starting in an organisation word, are cut, so
    "Recep Tayyip Erdoğan" stays whole.
    """
    words = name.split()
    if len(words) < 3:
        return name
    whole = [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text)]
    for size in range(len(words) - 1, 1, -1):
        for piece, rest in ((words[:size], words[size:]), (words[-size:], words[:-size])):
            if len(words) < 4 and not any(fold(w) in THING_WORDS for w in rest):
                continue
            sub = " ".join(piece)
            for match in re.finditer(r"(?<!\w)" + re.escape(sub) + r"(?!\w)", text):
                if not any(at <= match.start() < at + len(name) for at in whole):
                    return sub
    return name


# A case ending after an apostrophe (a-z and the lexicon's ``suffix_letters``), not "'s".
_CASE_SUFFIX = re.compile(rf"(?<=\w\w)['’](?!s$)[a-z{SUFFIX_LETTERS}]{{1,5}}$")


def without_case_suffix(name: str) -> str:
    """A proper name without the case ending Turkish and Azerbaijani put after an
    apostrophe: "Hakan Fidan'ın" is Hakan Fidan, "Şoygu'yla" is Şoygu."""
    return _CASE_SUFFIX.sub("", name)


_SPOKESPERSON = lexicon.pattern("spokesperson_patterns")


def is_spokesperson(role: str | None, name: str, text: str) -> bool:
    """The person the article quotes as its source ("the ministry's press secretary X
    told a briefing"): a spokesperson reports a meeting, and takes part in none."""
    if role and _SPOKESPERSON.search(role):
        return True
    at = text.find(name)
    return at > 0 and bool(_SPOKESPERSON.search(text[max(0, at - 40) : at]))


def _participants(event: DraftEvent, doc: FoldedText, language: str | None) -> list[Participant]:
    people: list[Participant] = []
    for person in event.people:
        written = without_case_suffix(person.name) if language in ("tr", "az") else person.name
        name = standalone_name(written, doc.text)
        if any(same_person(name, p.name) for p in people):
            continue
        if not person.lead and is_spokesperson(person.role, name, doc.text):
            continue
        if is_place(name) or is_organisation_name(name):
            continue  # "Buenos Aires" is where they met, not who; a foundation is no person

        alignment = align(doc.text, name, doc=doc, is_name=True)
        people.append(
            Participant(
                name=english_form(name, person.en),
                role=person.role or None,
                affiliation=person.org or None,
                side=person.side,
                head_of_delegation=person.lead,
                alignment=alignment.status,
                evidence=alignment.spans,
            )
        )
    return people


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


def build_event(
    event: DraftEvent,
    text: str,
    published: dt.date | None,
    doc: FoldedText,
    language: str | None = None,
) -> Event:
    participants = _participants(event, doc, language)
    date = resolve_date(event.date, published, happened=event.happened)
    agreements = []
    for title in _unique(event.signed):
        alignment = align(text, title, doc=doc)
        agreement = Agreement(title=title, alignment=alignment.status, evidence=alignment.spans)
        if signed_at_event(agreement, text, date.year if date else None):
            agreements.append(agreement)
    location = None
    city = event.city or None
    if (
        city
        and event.country
        and city.casefold() == event.country.casefold()
        and country_code(city) not in CITY_STATES
    ):
        city = None  # "city": "Azerbaijan" is a country, not a stated city (Singapore is both)
    if city or event.country:
        location = Location(city=city, country=event.country or None)
    return Event(
        kind=event.kind,
        happened=event.happened,
        date=date,
        date_text=event.date,
        location=location,
        participants=participants,
        sides=sides_of(participants),
        agreements=agreements,
        topics=_unique([tidy_phrase(topic, TOPIC_MAX) for topic in event.topics]),
        # no summary from the model: one is composed once the passes have run
        summary=tidy_summary(event.summary, _limit("summary")) if event.summary else "…",
        summary_origin="model" if event.summary else "composed",
    )


@dataclass(frozen=True)
class Assembled:
    events: list[Event]
    passes: list[PassReport]
    #: id() of each event built from the model's draft -> its index in the draft
    from_draft: dict[int, int] = field(default_factory=dict)

    def draft_index(self, event: Event) -> int | None:
        return self.from_draft.get(id(event))


def assemble(
    draft: ExtractionDraft,
    article: AnalysedText,
    published: dt.date | None,
    examples: ExampleValues | None = None,
) -> Assembled:
    """The record's events: the model's draft, grounded in the analysed article, then
    completed and corrected by the post-model passes (:mod:`communique.extract.passes`),
    with what each changed."""
    events: list[Event] = []
    from_draft: dict[int, int] = {}
    for index, draft_event in enumerate(draft.events):
        event = build_event(draft_event, article.text, published, article.folded, article.language)
        if not any(_same_event(event, seen) for seen in events):
            events.append(event)
            from_draft[id(event)] = index
    reports = run_passes(events, PassContext(article, published, examples))
    return Assembled(events, reports, from_draft)


def build_events(
    draft: ExtractionDraft,
    text: str,
    published: dt.date | None,
    language: str | None = None,
    examples: ExampleValues | None = None,
) -> list[Event]:
    """:func:`assemble`'s events for a bare text in ``language``."""
    return assemble(draft, AnalysedText(text, language), published, examples).events


def _same_event(a: Event, b: Event) -> bool:
    """A repeated event (small models sometimes loop): same kind, date and people."""
    return (
        a.kind == b.kind
        and a.date == b.date
        and {p.name for p in a.participants} == {p.name for p in b.participants}
    )
