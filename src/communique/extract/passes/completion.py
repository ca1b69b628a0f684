"""Completing the model's events from the article text.

A 1.5B model gets the principals of a meeting right and misses what a press release
states in set phrases. After the draft is grounded, these passes read the text:
people who also attended or accompanied a delegation join their event, a lead
that reports a signing makes the event a signing, a lead that only announces a
visit makes it an announcement, documents are kept only when the text says they
were signed at the event, and quoted statements are attached to their speakers.
"""

from __future__ import annotations

import datetime as dt
import re

from communique import lexicon
from communique.schema import Agreement, Event, EventKind, Location, Participant, Quote, Side, Span
from communique.text.alignment import FoldedText, align, fold_value
from communique.text.attendance import (
    Attendee,
    Titled,
    affiliation_hint,
    attendees,
    known,
    sentences,
    titled_names,
    titled_people,
)
from communique.text.candidates import candidate_dates
from communique.text.dates import YEAR, resolve_date
from communique.text.names import latin_name, name_tokens
from communique.text.personhood import can_be_person
from communique.text.quotes import find_quotes

_SIDE_ORDER = {"host": 0, "visitor": 1, "other": 2}


def sides_of(people: list[Participant]) -> list[str]:
    """The countries and organisations represented, hosts first."""
    sides: list[str] = []
    for person in sorted(people, key=lambda p: _SIDE_ORDER[p.side]):
        if person.affiliation and person.affiliation.casefold() not in {
            s.casefold() for s in sides
        }:
            sides.append(person.affiliation)
    return sides


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
        years = [int(y) for y in YEAR.findall(sentence)]
        if year is not None and years and max(years) < year:
            continue
        return True
    return False


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


def found_in_text(
    name: str, doc: FoldedText, role: str | None, affiliation: str | None, side: Side, *, lead: bool
) -> Participant:
    """A participant found by reading the text, not named by the model, with its spans."""
    alignment = align(doc.text, name, doc=doc, is_name=True)
    return Participant(
        name=latin_name(name),
        role=role,
        affiliation=affiliation,
        side=side,
        head_of_delegation=lead,
        alignment=alignment.status,
        evidence=alignment.spans,
        origin="text",
    )


def named_already(name: str, at: tuple[int, int], people: list[Participant]) -> bool:
    """Whether a person found in the text is one the record has: by name in any
    spelling, by the text's own form of a participant's name (its evidence: "Volodimir
    Zelenski" for Volodymyr Zelensky), or because the mention overlaps one of a
    participant's evidence spans ("Ceyhun Bayramov Avropa" around "Ceyhun Bayramov")."""
    start, end = at
    if any(s.start < end and start < s.end for p in people for s in p.evidence):
        return True
    forms = [p.name for p in people] + [s.text for p in people for s in p.evidence]
    if any(known(n, forms) for n in (name, latin_name(name))):
        return True
    # an inflected form of a participant's whole name ("Erika Olsonu", accusative)
    tokens = name_tokens(latin_name(name))
    return any(
        len(tokens) == len(name_tokens(p.name))
        and _mentions(p, name) is not None
        and all(_mentions_token(t, fold_value(name)) for t in name_tokens(p.name))
        for p in people
    )


def _mentions_token(token: str, folded: str) -> bool:
    """``token`` occurs in ``folded`` as a word, maybe with a case ending of 1-3 letters."""
    pattern = r"(?<![a-z0-9])" + re.escape(token) + r"[a-z]{0,3}(?![a-z0-9])"
    return re.search(pattern, folded) is not None


def add_attendees(
    events: list[Event], text: str, doc: FoldedText, language: str | None, *, english: bool
) -> None:
    """Add the people a sentence says also attended (see :mod:`communique.text.attendance`).

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
        people = [p for event in events for p in event.participants]
        if named_already(attendee.name, (attendee.start, attendee.end), people):
            continue
        if not can_be_person(attendee.name, language):
            continue  # "Fondation Mérieux" took part as an organisation, not a person
        if _after_unextracted_meeting(attendee, text, everyone):
            continue
        event = _event_for(events, attendee, text)
        affiliation, side = _side_for(event, attendee, text)
        role = attendee.role if english else None
        event.participants.append(
            found_in_text(attendee.name, doc, role, affiliation, side, lead=False)
        )
        event.sides = sides_of(event.participants)


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
    return _event_before(events, attendee.sentence_start) or events[0]


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


_SIGNING_WORDS = lexicon.pattern("signing_patterns", whole_words=True)


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


# The lexicon's languages in the order their fragments join a pattern (a regex
# alternation takes the first alternative that fits).
_ORDER = ("en", "ru", "tr", "az", "fr", "es", "nl")


def _words(category: str, order: tuple[str, ...] = _ORDER) -> re.Pattern[str]:
    """The lexicon's fragments of ``category`` as one case-blind whole-word pattern."""
    body = "|".join(lexicon.words(category, order))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


_FUTURE = _words("future_patterns")


_PAST = _words("past_patterns")


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


# A sentence reporting a meeting or call between the people it names.
_MEETING_VERB = _words("meeting_verb_patterns")
_CALL = re.compile("|".join(lexicon.words("call_word_patterns", _ORDER)), re.IGNORECASE)
_WILL = _words("will_patterns", ("en", "fr", "es", "tr", "nl"))
_COUNTERPART = re.compile(
    "^(?:" + "|".join(lexicon.words("counterpart_patterns", ("en", "fr", "es", "nl"))) + ")$",
    re.IGNORECASE,
)
_SIDE_OPPOSITE: dict[str, Side] = {"host": "visitor", "visitor": "host", "other": "other"}


def add_missed_events(
    events: list[Event],
    text: str,
    doc: FoldedText,
    published: dt.date | None,
    language: str | None,
    *,
    english: bool,
) -> None:
    """Add the meetings and calls the model missed that a sentence plainly reports.

    "Later, Gurbanli met with Serbian Minister of Mining and Energy Nenad Stojkovic."
    "Earlier in the day, Kapanadze held a phone conversation with Moldovan Foreign
    Minister Ion Ciobanu." A sentence counts when it has a meeting or call verb, names
    two people of whom at least one, titled, is in no event, and is not about an
    earlier year. Its participants are the people it names; the date is the one it
    gives, else that of the event reported just before it; the summary is plain
    English built from the names. Every such event has ``origin="text"``.
    """
    if not events:
        return  # an article the model found no meeting in is not second-guessed
    for start, end in sentences(text):
        sentence = text[start:end]
        verb = _MEETING_VERB.search(sentence)
        if verb is None:
            continue
        years = [int(y) for y in YEAR.findall(sentence)]
        if published is not None and years and max(years) < published.year:
            continue
        everyone = [p for event in events for p in event.participants]
        names = [p.name for p in everyone]
        new = []
        for titled in titled_people(sentence):
            at = (start + titled.start, start + titled.end)
            if (
                not any(known(n, names) for n in (titled.name, latin_name(titled.name)))
                and not named_already(titled.name, at, everyone)
                and can_be_person(titled.name, language)
            ):
                names.append(titled.name)
                new.append(titled)
        if not new:
            continue
        old = [p for p in _unique_people(everyone) if _mentions(p, sentence) is not None]
        if len(old) + len(new) < 2:
            continue
        reported = _reported_in(events, start, end)
        if reported is not None:
            # the sentence that reports an event the model has: the new names are
            # people the model left out of it ("Mme Khady Ndiaye Sarr a reçu ...")
            if len(old) < 2:
                _join(reported, new, text, doc, english=english)
            continue
        before = _event_before(events, start)
        kind: EventKind = "call" if _CALL.search(verb.group()) else "meeting"
        planned = bool(_WILL.search(sentence))
        if planned:
            kind = "announcement"
        people = [
            p.model_copy(update={"origin": "text", "evidence": _in(p, start, end)}) for p in old
        ]
        affiliations = [p.affiliation for p in everyone if p.affiliation]
        for titled in new:
            role = titled.role if english and titled.role else None
            if role and _COUNTERPART.match(role) and people:
                role = people[0].role
            affiliation = affiliation_hint(titled.context, affiliations)
            side: Side = "other"
            if people:
                side = _SIDE_OPPOSITE[people[0].side]
            people.append(found_in_text(titled.name, doc, role, affiliation, side, lead=True))
        wording = next(iter(candidate_dates(sentence)), None)
        date = resolve_date(wording, published, happened=not planned) if wording else None
        if date is None and before is not None:
            wording, date = before.date_text, before.date
        location = None
        if kind == "meeting" and before is not None and before.location is not None:
            location = before.location.model_copy()
        events.append(
            Event(
                kind=kind,
                happened=not planned,
                date=date,
                date_text=wording,
                location=location,
                participants=people,
                sides=sides_of(people),
                summary=_plain_summary(kind, [p.name for p in people], location),
                origin="text",
            )
        )


def _reported_in(events: list[Event], start: int, end: int) -> Event | None:
    """The event whose participants are first named in the sentence ``start:end``."""
    for event in events:
        firsts = [min(s.start for s in p.evidence) for p in event.participants if p.evidence]
        if firsts and start <= min(firsts) < end:
            return event
    return None


def _join(event: Event, new: list[Titled], text: str, doc: FoldedText, *, english: bool) -> None:
    for titled in new:
        side: Side = _SIDE_OPPOSITE[event.participants[0].side] if event.participants else "other"
        affiliations = [p.affiliation for p in event.participants if p.affiliation]
        affiliation = affiliation_hint(titled.context, affiliations)
        role = titled.role if english else None
        event.participants.append(
            found_in_text(titled.name, doc, role, affiliation, side, lead=True)
        )
    event.sides = sides_of(event.participants)


def _unique_people(people: list[Participant]) -> list[Participant]:
    seen: list[str] = []
    out = []
    for person in people:
        if not known(person.name, seen):
            seen.append(person.name)
            out.append(person)
    return out


def _in(person: Participant, start: int, end: int) -> list[Span]:
    return [span for span in person.evidence if start <= span.start < end] or person.evidence


def _event_before(events: list[Event], offset: int) -> Event | None:
    """The event whose participants were last mentioned before ``offset``."""
    best, best_at = None, -1
    for event in events:
        for person in event.participants:
            before = [s.start for s in person.evidence if s.start < offset]
            if before and max(before) > best_at:
                best, best_at = event, max(before)
    return best


def _plain_summary(kind: str, names: list[str], location: Location | None) -> str:
    others = names[1:]
    joined = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
    where = f" in {location.city or location.country}" if location else ""
    if kind == "call":
        return f"{names[0]} spoke by phone with {joined}."
    if kind == "announcement":
        return f"{names[0]} is to meet {joined}{where}."
    return f"{names[0]} met {joined}{where}."


_CALL_PHRASE = lexicon.pattern("call_patterns")


def mark_calls(events: list[Event], text: str) -> None:
    """A "meeting" that the article reports as a phone or video call is a call.

    The sentences that name the event's own people (those in no other event) decide:
    one of them speaks of a call ("Earlier in the day, Kapanadze held a phone
    conversation with ...", "s'est entretenue par téléphone", "telefonla görüştü") and
    none of the others of meeting in person ("met", "received", "hosted", "visited").
    """
    bounds = sentences(text)
    for event in events:
        if event.kind != "meeting":
            continue
        others = [p.name for e in events if e is not event for p in e.participants]
        own = [p for p in event.participants if p.evidence and not known(p.name, others)]
        if not own:
            continue
        about = [
            text[a:b]
            for a, b in bounds
            if any(a <= span.start < b for p in own for span in p.evidence)
        ]
        calls = [s for s in about if _CALL_PHRASE.search(s)]
        # "met" in a sentence that speaks of the call is no meeting in person (and
        # Dutch "gebeld met" is "called with").
        if calls and not any(_PAST_MEETING.search(s) for s in about if s not in calls):
            event.kind = "call"
            event.location = None


_PAST_MEETING = _words("in_person_patterns")
