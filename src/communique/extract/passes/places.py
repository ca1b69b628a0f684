"""Places and affiliations: in English, and backed by a mention in the article.

* ``english_places``: a venue in the article's language becomes its English name
  ("Moscou" -> Moscow, "Rusiya" -> Russia); a call has no venue; a city the article
  never mentions is dropped.
* ``ground_affiliations``: a person's affiliation is the country or organisation
  their own title phrase names ("Chilean Foreign Minister ..."), whatever the
  model said; otherwise the model's value, in English, with the mention in the
  article that supports it (names and adjectives, in any language) as
  ``affiliation_source``. A known country or organisation the article never names
  keeps a null source: the record says it is not grounded, and ``--strict`` drops
  it. A value that is no known country or organisation and is not in the text is
  dropped.
"""

from __future__ import annotations

from communique.extract.passes.completion import sides_of
from communique.schema import Event, Grounded, Location, Participant, Span
from communique.text.datewords import DATE_WORDING
from communique.text.places import (
    PlaceMention,
    city_country,
    country_code,
    english_city,
    english_country,
    english_name_of,
    fold,
    organisation,
    place_mentions,
    venue_city,
)
from communique.text.titles import title_phrase


def english_places(events: list[Event], text: str, language: str | None = None) -> None:
    named = {m.value.casefold() for m in place_mentions(text, language) if m.kind == "city"}
    folded_text = fold(text)
    people = {fold(p.name) for e in events for p in e.participants}
    for event in events:
        if event.location is None:
            continue
        if event.kind == "call":
            event.location = None
            continue
        city, country = _value_or_none(event.location.city), _value_or_none(event.location.country)
        if city is not None:
            if (
                not _mentioned(city, folded_text, named)
                or DATE_WORDING.search(city)
                or (fold(city) in people and english_city(city) is None)
            ):
                city = None  # never named, a date or a person in the wrong field
            else:
                if country is None and (as_country := english_country(city)) is not None:
                    country = as_country  # "city": "Suriname" is the country
                city = venue_city(city, language)
        if country is not None:
            country = english_country(country) or country
        if city is not None and (code := city_country(city)) is not None:
            country = english_name_of(code) or country  # Kyiv is in Ukraine, whatever was said
        event.location = Location(city=city, country=country) if (city or country) else None


def _value_or_none(value: str | None) -> str | None:
    """None for a null the model wrote as a word ("None", "null", "unknown")."""
    if value is None or fold(value).strip(" .-") in ("none", "null", "unknown", "n/a", ""):
        return None
    return value


def _mentioned(city: str, folded_text: str, named: set[str]) -> bool:
    """The article names the city: as written (any script or diacritics: "Baki" for
    "Bakı"), or in another language CLDR knows ("Moscou" for Moscow)."""
    english = english_city(city)
    return fold(city) in folded_text or (english is not None and english.casefold() in named)


def ground_affiliations(events: list[Event], text: str, language: str | None) -> None:
    mentions = list(place_mentions(text, language))
    for event in events:
        spans = [(s.start, s.end) for p in event.participants for s in p.evidence[:1]]
        for person in event.participants:
            _ground(person, text, mentions, [x for x in spans if x not in _own(person)], language)
        event.sides = sides_of(event.participants)


def _own(person: Participant) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in person.evidence[:1]]


def _ground(
    person: Participant,
    text: str,
    mentions: list[PlaceMention],
    others: list[tuple[int, int]],
    language: str | None,
) -> None:
    titled = _title_mention(person, text, others, language)
    if titled is not None:
        person.affiliation = _english(titled)
        person.affiliation_source = _grounded(text, titled.start, titled.end)
        return
    if person.affiliation is None:
        return
    wanted = _value(person.affiliation)
    if wanted is None:  # "Turkish Grand National Assembly": the country it names, if any
        inner = [m for m in place_mentions(person.affiliation, "en") if m.kind == "country"]
        wanted = inner[0].value if inner else None
    if wanted is None:
        at = text.casefold().find(person.affiliation.casefold())
        if at < 0 or not _organisation_like(person.affiliation):
            person.affiliation = None  # never named, or a single common word ("République")
        else:
            person.affiliation_source = _grounded(text, at, at + len(person.affiliation))
        return
    support = next((m for m in mentions if m.value == wanted), None)
    if support is None:
        # A known country or organisation the article never names: kept in English and
        # flagged by a null source (the model's knowledge, not the text's; --strict
        # drops it).
        person.affiliation = english_name_of(wanted) or organisation(wanted) or wanted
        person.affiliation_source = None
        return
    person.affiliation = _english(support)
    person.affiliation_source = _grounded(text, support.start, support.end)


def _title_mention(
    person: Participant, text: str, others: list[tuple[int, int]], language: str | None
) -> PlaceMention | None:
    """The first country or organisation the person's title phrase names."""
    for span in person.evidence[:2]:
        phrase = title_phrase(text, span.start, span.end, others)
        if phrase is None:
            continue
        found = [
            m
            for m in place_mentions(phrase.span.text, language)
            if m.kind in ("country", "organisation")
        ]
        if found:
            first = found[0]
            offset = phrase.span.start
            return PlaceMention(first.start + offset, first.end + offset, first.kind, first.value)
    return None


def _organisation_like(name: str) -> bool:
    """An organisation's name has several words or is an acronym (NATO, OSCE)."""
    return len(name.split()) > 1 or (name.isupper() and len(name) > 1)


def _value(affiliation: str) -> str | None:
    """The comparison value of a model's affiliation: an ISO code or an organisation."""
    return country_code(affiliation) or organisation(affiliation)


def _english(mention: PlaceMention) -> str:
    if mention.kind == "country":
        return english_name_of(mention.value) or mention.value
    return mention.value


def _grounded(text: str, start: int, end: int) -> Grounded:
    return Grounded(
        text=text[start:end], evidence=[Span(start=start, end=end, text=text[start:end])]
    )
