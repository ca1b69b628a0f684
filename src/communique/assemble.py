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

from communique.attendance import (
    Attendee,
    affiliation_hint,
    attendees,
    known,
    sentences,
    titled_names,
)
from communique.candidates import RELATIVE_WORDING, THING_WORDS, candidate_dates
from communique.draft import TOPIC_MAX, DraftEvent, ExtractionDraft
from communique.grounding import FoldedText, align, fold_value
from communique.morphology import nominative_name
from communique.names import fold, name_tokens, same_person
from communique.quotes import find_quotes
from communique.schema import Agreement, Event, Location, Participant, Quote, Side, Span

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
    """Names in another script get their Latin transliteration, in the nominative
    ("Гургеном Мелконяном" -> "Gurgen Melkonyan"); the original form stays in the
    evidence spans. Latin names keep their diacritics (Şentop, Wiśniewski)."""
    if all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name):
        return name
    return " ".join(anyascii(nominative_name(name)).split())


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


_SPOKESPERSON = re.compile(
    r"spokes(?:person|man|woman)|press (?:secretary|officer|service)|porte-parole|portavoz|"
    r"woordvoerder|пресс-секретар|официальный представитель|sözcü|mətbuat katib",
    re.IGNORECASE,
)


def is_spokesperson(role: str | None, name: str, text: str) -> bool:
    """The person the article quotes as its source ("the ministry's press secretary X
    told a briefing"): a spokesperson reports a meeting, and takes part in none."""
    if role and _SPOKESPERSON.search(role):
        return True
    at = text.find(name)
    return at > 0 and bool(_SPOKESPERSON.search(text[max(0, at - 40) : at]))


def _participants(event: DraftEvent, doc: FoldedText) -> list[Participant]:
    people: list[Participant] = []
    for person in event.people:
        name = standalone_name(person.name, doc.text)
        if any(same_person(name, p.name) for p in people):
            continue
        if not person.lead and is_spokesperson(person.role, name, doc.text):
            continue
        alignment = align(doc.text, name, doc=doc, is_name=True)
        people.append(
            Participant(
                name=latin_name(name),
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


def signed_at_event(agreement: Agreement, text: str, year: int | None) -> bool:
    """Whether the text says this document was signed at the event.

    Small models list every document an article names ("the Shusha Declaration is an
    important ...", "the cooperation protocol signed in 2021"). A document counts
    when a sentence naming it (or the one before) says it was signed, and not in an
    earlier year. One
    that no span supports is kept here for ``--strict`` to judge.
    """
    if not agreement.evidence:
        return True
    bounds = sentences(text)
    for span in agreement.evidence:
        at = next((i for i, (a, b) in enumerate(bounds) if a <= span.start < b), None)
        if at is None:
            continue
        sentence = text[bounds[at][0] : bounds[at][1]]
        if not _SIGNING_WORDS.search(sentence):
            # "... signed a memorandum. The "Memorandum on X" provides for ...": the
            # sentence before says it was signed
            if at == 0 or not _SIGNING_WORDS.search(text[bounds[at - 1][0] : bounds[at - 1][1]]):
                continue
            sentence = text[bounds[at - 1][0] : bounds[at][1]]
        years = [int(y) for y in _YEAR.findall(sentence)]
        if year is not None and years and max(years) < year:
            continue
        return True
    return False


def build_event(event: DraftEvent, text: str, published: dt.date | None, doc: FoldedText) -> Event:
    participants = _participants(event, doc)
    date = resolve_date(event.date, published, happened=event.happened)
    agreements = []
    for title in _unique(event.signed):
        alignment = align(text, title, doc=doc)
        agreement = Agreement(title=title, alignment=alignment.status, evidence=alignment.spans)
        if signed_at_event(agreement, text, date.year if date else None):
            agreements.append(agreement)
    location = None
    city = event.city or None
    if city and event.country and city.casefold() == event.country.casefold():
        city = None  # "city": "Azerbaijan" is a country, not a stated city
    if city or event.country:
        location = Location(city=city, country=event.country or None)
    return Event(
        kind=event.kind,
        happened=event.happened,
        date=date,
        date_text=event.date,
        location=location,
        participants=participants,
        sides=_sides(participants),
        agreements=agreements,
        topics=_unique([tidy_phrase(topic, TOPIC_MAX) for topic in event.topics]),
        summary=tidy_summary(event.summary, _limit("summary")),
    )


def build_events(
    draft: ExtractionDraft, text: str, published: dt.date | None, language: str | None = None
) -> list[Event]:
    """The record's events: the model's draft, grounded, completed from the text."""
    doc = FoldedText(text)
    events: list[Event] = []
    for draft_event in draft.events:
        event = build_event(draft_event, text, published, doc)
        if not any(_same_event(event, seen) for seen in events):
            events.append(event)
    add_attendees(events, text, doc, english=language in (None, "en"))
    mark_signing(events, text)
    mark_announced(events, text, published)
    add_quotes(events, text)
    return events


def add_quotes(events: list[Event], text: str) -> None:
    """Attach each statement the article quotes from a participant to that participant's
    first event. Quotes by anyone else, and quoted document titles, are left out."""
    speakers = {p.name: event for event in reversed(events) for p in event.participants}
    titles = [
        (span.start, span.end) for event in events for a in event.agreements for span in a.evidence
    ]
    for quote in find_quotes(text, list(speakers)):
        if quote.speaker is None or any(s < quote.end and quote.start < e for s, e in titles):
            continue
        speakers[quote.speaker].quotes.append(
            Quote(
                text=quote.text,
                speaker=quote.speaker,
                evidence=[Span(start=quote.start, end=quote.end, text=quote.text)],
            )
        )


def add_attendees(events: list[Event], text: str, doc: FoldedText, *, english: bool) -> None:
    """Add the people a sentence says also attended (see :mod:`communique.attendance`).

    Each joins the event the sentence is about: the event one of whose participants
    the sentence names, else the last event mentioned before it. Their side and
    affiliation follow the country named with their title ("Lithuanian Ambassador"),
    else the participant the sentence names ("X was accompanied by ..."). Roles are
    copied as worded, so only for English text; the model translates the others.
    """
    if not events:
        return
    for attendee in attendees(text):
        everyone = [p.name for event in events for p in event.participants]
        if known(attendee.name, everyone) or known(latin_name(attendee.name), everyone):
            continue
        if _after_unextracted_meeting(attendee, text, everyone):
            continue
        event = _event_for(events, attendee, text)
        alignment = align(text, attendee.name, doc=doc, is_name=True)
        affiliation, side = _side_for(event, attendee, text)
        event.participants.append(
            Participant(
                name=latin_name(attendee.name),
                role=attendee.role if english else None,
                affiliation=affiliation,
                side=side,
                head_of_delegation=False,
                alignment=alignment.status,
                evidence=alignment.spans,
                origin="text",
            )
        )
        event.sides = _sides(event.participants)


def _after_unextracted_meeting(attendee: Attendee, text: str, everyone: list[str]) -> bool:
    """Whether the meeting the attendee's sentence refers to is one the model missed.

    "Later, Gurbanli met with Minister Nenad Stojkovic. Ambassador Elchin Huseynli
    also took part in the meeting.": when the last meeting sentence before the
    attendee names someone in no event, the attendee belongs to that meeting, which
    has no event to join.
    """
    bounds = sentences(text)
    at = next((i for i, (a, b) in enumerate(bounds) if a <= attendee.start < b), 0)
    for start, end in reversed(bounds[max(0, at - 3) : at]):
        sentence = text[start:end]
        if _PAST.search(sentence):
            return any(
                not known(name, everyone) and not known(latin_name(name), everyone)
                for name in titled_names(sentence)
            )
    return False


def _mentions(participant: Participant, text: str) -> int | None:
    """Offset of the participant's first mention in ``text``, by any of their names
    ("Tsiklauri", "Мелконяном" for Gurgen Melkonyan), or None."""
    folded = fold_value(text)
    for token in sorted(name_tokens(participant.name), key=len, reverse=True):
        if len(token) < 3:
            continue
        match = re.search(r"(?<![a-z0-9])" + re.escape(token) + r"[a-z]{0,3}(?![a-z0-9])", folded)
        if match:
            return match.start()
    return None


def _event_for(events: list[Event], attendee: Attendee, text: str) -> Event:
    sentence = text[attendee.sentence_start : attendee.sentence_end]
    for event in events:
        if any(_mentions(p, sentence) is not None for p in event.participants):
            return event
    best, best_at = events[0], -1
    for event in events:
        for person in event.participants:
            before = [s.start for s in person.evidence if s.start < attendee.sentence_start]
            if before and max(before) > best_at:
                best, best_at = event, max(before)
    return best


def _side_for(event: Event, attendee: Attendee, text: str) -> tuple[str | None, Side]:
    affiliations = [p.affiliation for p in event.participants if p.affiliation]
    hint = affiliation_hint(attendee.context, affiliations)
    if hint is None:
        before = text[attendee.sentence_start : attendee.start]
        named = [(at, p) for p in event.participants if (at := _mentions(p, before)) is not None]
        if named:
            leader = min(named, key=lambda pair: pair[0])[1]
            return leader.affiliation, leader.side
        hint = affiliation_hint(text[attendee.sentence_start : attendee.start], affiliations)
    if hint is None:
        return None, "other"
    for person in event.participants:
        if person.affiliation == hint:
            return hint, person.side
    return hint, "other"


_SIGNING_WORDS = re.compile(
    r"(?<!\w)(?:signed|signs|inked|подписал[аи]?|подписан[аы]?|imzala\w*|signé\w*|"
    r"signent|firm(?:ó|aron|an)|ondertek\w+)(?!\w)",
    re.IGNORECASE,
)


def mark_signing(events: list[Event], text: str) -> None:
    """An event whose signing is the article's lead news is a signing, not a meeting.

    The model calls nearly every signing ceremony a meeting; the labelling rule is
    that a signing is the kind when signing is the main news, which news style puts
    in the headline and first sentence.
    """
    if not events or not _SIGNING_WORDS.search(_lead(text)):
        return
    # the event that signed something; failing that, the first one, which the lead is about
    event = next((event for event in events if event.agreements), events[0])
    if event.kind == "meeting":
        event.kind = "signing"


_FUTURE = re.compile(
    r"(?<!\w)(?:(?:will|is to|are to|is due to|are due to|is expected to|are expected to|"
    r"is scheduled to|are scheduled to|plans to|is set to|are set to) (?:\w+ )?"
    r"(?:pay|visit|hold|meet|travel|host|take part|attend|arrive|receive|sign|make|co-chair)|"
    r"посетит|проведёт|проведет|встретится|состоится|"
    r"ziyaret edecek|görüşecek|gerçekleştirecek|səfər edəcək|görüşəcək|"
    r"se rendra|effectuera|rencontrera|recevra|visitará|realizará|recibirá|se reunirá|"
    r"zal \w+ (?:bezoeken|ontvangen|ontmoeten))(?!\w)",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"(?<!\w)(?:met|meets|held|holds|received|receives|hosted|hosts|discussed|signed|visited|"
    r"spoke|talked|conferred|провёл|провел|встретился|принял|обсудили|подписали|görüştü|"
    r"kabul etti|imzaladı|görüşüb|qəbul edib|a reçu|s'est entretenu|a rencontré|recibió|"
    r"se reunió|ontving|ontvangen|sprak)(?!\w)",
    re.IGNORECASE,
)


def mark_announced(events: list[Event], text: str, published: dt.date | None) -> None:
    """An article whose lead only announces a visit reports a planned event.

    "Minister X will pay an official visit to Latvia on September 9-10": when the
    headline and first sentence speak only in the future, the first event is an
    announcement that has not happened, dated by the first date in the lead that
    is not the dateline's (a small model tends to take the dateline's date and call
    the visit a meeting).
    """
    lead = _lead(text)
    if not events or not _FUTURE.search(lead) or _PAST.search(lead):
        return
    event = events[0]
    if not event.happened or event.kind not in ("meeting", "other"):
        return
    event.kind, event.happened = "announcement", False
    if published is None:
        event.date = resolve_date(event.date_text, published, happened=False)
        return
    later = [
        (wording, day)
        for wording in candidate_dates(lead)
        if resolve_date(wording, published, happened=True) != published  # not the dateline
        and (day := resolve_date(wording, published, happened=False)) is not None
        and day > published
    ]
    if later and (event.date is None or event.date <= published):
        event.date_text, event.date = later[0]
    else:
        event.date = resolve_date(event.date_text, published, happened=False)


def _lead(text: str) -> str:
    """The headline (lines without final punctuation) and the first sentence."""
    lead = []
    for start, end in sentences(text):
        sentence = text[start:end].strip()
        if len(re.findall(r"[^\W\d_]{2,}", sentence)) < 6:
            continue  # a dateline or timestamp line
        lead.append(sentence)
        if sentence.endswith((".", "!", "?", "»", "”", '"')):
            break
    return " ".join(lead)


def _same_event(a: Event, b: Event) -> bool:
    """A repeated event (small models sometimes loop): same kind, date and people."""
    return (
        a.kind == b.kind
        and a.date == b.date
        and {p.name for p in a.participants} == {p.name for p in b.participants}
    )
