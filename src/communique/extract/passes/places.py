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

import re
import unicodedata
from functools import lru_cache

from communique import lexicon
from communique.extract.passes.completion import sides_of
from communique.schema import Event, Grounded, Location, Participant, Span
from communique.text.alignment import FoldedText
from communique.text.datewords import DATE_WORDING
from communique.text.gazetteer import city_spans, is_city_name, known_city
from communique.text.organisations import is_organisation_name
from communique.text.places import (
    PART_OF,
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
from communique.text.role_concepts import concepts
from communique.text.titles import title_phrase


def english_places(
    events: list[Event], text: str, language: str | None = None, doc: FoldedText | None = None
) -> None:
    named = {m.value.casefold() for m in place_mentions(text, language) if m.kind == "city"}
    folded_text = fold(text)
    doc = doc or FoldedText(text)
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
                not _mentioned(city, folded_text, named, doc)
                or (DATE_WORDING.search(city) and not _city_name(city))
                or (fold(city) in people and english_city(city) is None)
                or not _may_be_city(city, language)
            ):
                city = None  # never named, a date, a person or an office in the wrong field
            else:
                if country is None and (as_country := english_country(city)) is not None:
                    country = as_country  # "city": "Suriname" is the country
                city = _english_city(city, language, text)
        code = country_code(country) if country is not None else None
        if country is not None and code is not None and _key(country) not in _english_names(code):
            country = english_country(country) or country  # "Rusiya" is Russia
        if (
            city is not None
            and (city_code := city_country(city)) is not None
            and (country is None or country_code(country) != city_code)
        ):
            country = english_name_of(city_code) or country  # Kyiv is in Ukraine
        event.location = Location(city=city, country=country) if (city or country) else None


# A null the model wrote as a word (the lexicon's ``null_words``), or nothing.
_NULL_WORDS = frozenset(lexicon.words("null_words")) | {""}


def _value_or_none(value: str | None) -> str | None:
    """None for a null the model wrote as a word ("None", "null", "unknown")."""
    if value is None or fold(value).strip(" .-") in _NULL_WORDS:
        return None
    return unicodedata.normalize("NFC", value)


def _mentioned(city: str, folded_text: str, named: set[str], doc: FoldedText) -> bool:
    """The article names the city: as written (any script or diacritics: "Baki" for
    "Bakı"), or in another language CLDR or GeoNames knows ("Moscou" for Moscow,
    "Genève" or "Cenevrə" for Geneva, "Den Haag" for The Hague)."""
    english = english_city(city)
    return (
        fold(city) in folded_text
        or (english is not None and english.casefold() in named)
        or bool(city_spans(city, doc))
    )


def _may_be_city(name: str, language: str | None) -> bool:
    """A place the gazetteer knows (CLDR, or GeoNames with its names in many languages),
    or a name that says nothing else: a venue no gazetteer lists ("Novo-Ogaryovo")
    stays, but not one naming an office or an institution ("Buitenlandse Zaken" is
    the foreign ministry, "Parliament House" a building)."""
    if _city_name(name) or known_city(name) is not None or venue_city(name, language) != name:
        return True
    words = name.replace("-", " ").split()
    return not concepts(name, language) and not any(is_organisation_name(w) for w in words)


def _city_name(name: str) -> bool:
    """A known city's name ("Santo Domingo" holds a weekday, and is no date)."""
    return english_city(name) is not None or is_city_name(name)


def _english_city(city: str, language: str | None, text: str) -> str | None:
    """The venue in English: CLDR's name; else the name as stated, unless it is the
    article's own word for the city ("Den Haag", "Genève": GeoNames' English name,
    The Hague, Geneva). A name the article does not use is the model's English."""
    english = venue_city(city, language)
    if english is None or english != city or _city_name(city) or city not in text:
        return english
    found = known_city(city)
    return found.name if found is not None else english


def ground_affiliations(events: list[Event], text: str, language: str | None) -> None:
    mentions = list(place_mentions(text, language))
    people = [p for event in events for p in event.participants]
    for event in events:
        for person in event.participants:
            # every mention of everyone else bounds the person's title phrase
            others = [
                (s.start, s.end)
                for p in people
                if p is not person and p.name != person.name
                for s in p.evidence
            ]
            _ground(person, text, mentions, [x for x in others if x not in _own(person)], language)
        event.sides = sides_of(event.participants)


def own_phrase_values(
    person: Participant, text: str, others: list[tuple[int, int]], language: str | None
) -> frozenset[str]:
    """The countries (ISO codes) and organisations the person's own title phrase names,
    its lead-in included; ``others`` are everyone else's mentions, which bound it."""
    phrase, lead_in, whole = _title_mentions(person, text, others, language)
    return frozenset(m.value for m in (*phrase, *lead_in, *whole))


def _own(person: Participant) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in person.evidence[:1]]


def _ground(
    person: Participant,
    text: str,
    mentions: list[PlaceMention],
    others: list[tuple[int, int]],
    language: str | None,
) -> None:
    """One affiliation against its evidence.

    The person's own title phrase decides when it names one country or organisation
    next to the name, and names the value nowhere (not even further off, as in
    "Australian High Commissioner to Pakistan"): the text contradicts the value, and
    the phrase corrects it. A phrase naming several decides nothing. Otherwise a value
    the text names anywhere is kept (in English), with that mention as its source; a
    known country or an organisation's name the text never names stays, flagged by a
    null source; anything else is dropped. An affiliation the model left out is taken
    from the title phrase.
    """
    phrase, lead_in, whole = _title_mentions(person, text, others, language)
    titled = phrase[0] if phrase else None
    if person.affiliation is None:
        if titled is not None:
            person.affiliation = _english(titled)
            person.affiliation_source = _grounded(text, titled.start, titled.end)
        return
    wanted = _value(person.affiliation)
    if wanted is None:  # "Turkish Grand National Assembly": the country it names, if any
        inner = [m for m in place_mentions(person.affiliation, "en") if m.kind == "country"]
        wanted = inner[0].value if inner else None
    if (
        titled is not None
        and len({m.value for m in phrase}) == 1
        and all(m.value not in (wanted, PART_OF.get(wanted or "")) for m in (*whole, *lead_in))
    ):
        # the person's own title phrase names another ("el canciller chileno Diego Rojas"
        # with "Argentina"): the text contradicts the value, and corrects it
        person.affiliation = _english(titled)
        person.affiliation_source = _grounded(text, titled.start, titled.end)
        return
    support = next((m for m in mentions if wanted is not None and m.value == wanted), None)
    if support is not None:
        person.affiliation = _stated_in_english(person.affiliation, support)
        person.affiliation_source = _grounded(text, support.start, support.end)
        return
    at = text.casefold().find(person.affiliation.casefold())
    if at >= 0 and _organisation_like(person.affiliation):
        person.affiliation_source = _grounded(text, at, at + len(person.affiliation))
        return
    if wanted is not None:
        # A known country or organisation the article never names: kept in English and
        # flagged by a null source (the model's knowledge, not the text's; --strict
        # drops it).
        if _key(person.affiliation) not in _english_names(wanted):
            person.affiliation = english_name_of(wanted) or organisation(wanted) or wanted
        person.affiliation = unicodedata.normalize("NFC", person.affiliation)
        person.affiliation_source = None
    elif (named := _named_word(person.affiliation, text)) is not None:
        # "Mérieux Foundation" for "Fondation Mérieux": its own name is in the text
        person.affiliation_source = _grounded(text, *named)
    else:
        person.affiliation = None  # nothing in the text names it ("Narnia Council")


def _stated_in_english(value: str, support: PlaceMention) -> str:
    """The record's value when it already is an English name of what the text names
    ("Côte d'Ivoire", "Türkiye"), else the English name."""
    value = unicodedata.normalize("NFC", value)  # "Türkiye", never "Tu" + a combining mark
    if support.kind == "organisation":
        return value if organisation(value) == support.value and value.isascii() else support.value
    if _key(value) in _english_names(support.value):
        return value
    if country_code(value) is None and _organisation_like(value) and value.isascii():
        return value  # an institution in English ("Turkic Council"), not its country
    return _english(support)


@lru_cache(maxsize=512)
def _english_names(code: str) -> frozenset[str]:
    """The English names of a country: CLDR's and ISO 3166's (name, official, common)."""
    import pycountry

    names = {english_name_of(code) or ""}
    entry = pycountry.countries.get(alpha_2=code)
    if entry is not None:
        fields = ("name", "official_name", "common_name")
        names.update(getattr(entry, field, "") for field in fields)
    return frozenset(_key(name) for name in names if name)


def _key(name: str) -> str:
    return " ".join(fold(name).replace("'", " ").replace("’", " ").split())


def _title_mentions(
    person: Participant, text: str, others: list[tuple[int, int]], language: str | None
) -> tuple[list[PlaceMention], list[PlaceMention], list[PlaceMention]]:
    """The countries and organisations the person's title phrase names next to the
    name, in order; those of the few words that lead into it; and all the phrase
    names. A phrase ends at words like "and" or "in", so "the ambassador of Uruguay
    in Chile, Martín Rivero" and "his Azerbaijani and Georgian counterparts" leave
    part of the title in the lead-in."""
    for span in person.evidence[:2]:
        phrase = title_phrase(text, span.start, span.end, others)
        if phrase is None:
            continue
        offset = phrase.span.start
        whole = [
            PlaceMention(m.start + offset, m.end + offset, m.kind, m.value)
            for m in place_mentions(phrase.span.text, language)
            if m.kind in ("country", "organisation")
        ]
        found = [
            m
            for m in whole
            if phrase.side == "after" or _words_between(text, m.end, span.start) < 4
        ]
        if found:
            lead = _lead_in(text, offset, others) if phrase.side == "before" else ""
            lead_in = [m for m in place_mentions(lead, language) if m.kind != "city"]
            return found, lead_in, whole
    return [], [], []


_SENTENCE_END = re.compile(r"[.!?\n]\s")
LEAD_IN_WORDS = 4


def _lead_in(text: str, start: int, others: list[tuple[int, int]]) -> str:
    """Up to four words before ``start``, within its sentence and after anyone else's
    name."""
    floor = max([0, *(e for _, e in others if e <= start)])
    window = text[floor:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    window = window[ends[-1] :] if ends else window
    return " ".join(window.split()[-LEAD_IN_WORDS:])


def _words_between(text: str, start: int, end: int) -> int:
    """Words between a mention and the name it titles: a country named far to the left
    of a name, with no punctuation between, is often another clause's ("the BRICS+
    session held in ... his counterpart Sergey Lavrov")."""
    return len(text[start:end].split())


def _named_word(organisation_name: str, text: str) -> tuple[int, int] | None:
    """The span of a distinctive word of an organisation's name in the text: a
    capitalised word of four letters or more that is no organisation word ("Mérieux"
    of "Mérieux Foundation"), or None."""
    if not _organisation_like(organisation_name):
        return None
    for word in organisation_name.split():
        word = word.strip(".,()'’")
        if len(word) < 4 or not word[:1].isupper() or is_organisation_name(word):
            continue
        at = text.find(word)
        if at >= 0:
            return at, at + len(word)
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
