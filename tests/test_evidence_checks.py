"""The general checks against evidence keep a right value: what a place mention is, when
a person's own phrase contradicts an affiliation, a city-state's city, and whether a
name read from the text can be a person's.

The articles are written for these tests, of the kinds that broke a right answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from communique.extract.assemble import build_events
from communique.extract.draft import ExtractionDraft
from communique.schema import Event
from communique.text.personhood import can_be_person
from communique.text.places import place_mentions


def _mentions(text: str, language: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.value) for m in place_mentions(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # a word the Russian dictionary knows only as a common noun is no place
        ("спикер Палаты общин парламента Великобритании", "ru", [("Великобритании", "GB")]),
        ("посол Омана и министр Перу", "ru", [("Омана", "OM"), ("Перу", "PE")]),
        # a Turkish suffix on a name follows an apostrophe; a title word is no country
        ("Maliye Bakanı Ali Kaya Mali'ye gitti", "tr", [("Mali'ye", "ML")]),
        # a region named like a country names none
        ("viceministro para América del Sur", "es", []),
        ("una visita a América", "es", [("América", "US")]),
        ("l'envoyé des Nations unies", "fr", [("Nations unies", "UN")]),
    ],
)
def test_place_mentions_are_places(text: str, language: str, expected: list[Any]) -> None:
    assert _mentions(text, language) == expected


def _person(name: str, org: str | None) -> dict[str, Any]:
    return {"name": name, "role": None, "org": org, "side": "other", "lead": True}


def _built(people: list[dict[str, Any]], text: str, language: str, **where: Any) -> Event:
    draft = {
        "kind": "meeting",
        "happened": True,
        "date": None,
        "city": where.get("city"),
        "country": where.get("country"),
        "people": people,
        "signed": [],
        "topics": [],
    }
    events = build_events(ExtractionDraft.model_validate({"events": [draft]}), text, None, language)
    return events[0]


def test_an_affiliation_the_persons_phrase_names_is_kept_even_beside_a_posting() -> None:
    text = (
        "Foreign Minister Jalil Ahmed met Australian High Commissioner to Pakistan "
        "Neil Hawkins in Islamabad."
    )
    built = _built([_person("Jalil Ahmed", "Pakistan"), _person("Neil Hawkins", "Australia")],
                   text, "en")  # fmt: skip
    assert [p.affiliation for p in built.participants] == ["Pakistan", "Australia"]


def test_a_phrase_naming_one_other_country_still_corrects_the_affiliation() -> None:
    text = "El canciller argentino Pablo Díaz recibió al canciller chileno Diego Rojas."
    built = _built([_person("Pablo Díaz", "Argentina"), _person("Diego Rojas", "Argentina")],
                   text, "es")  # fmt: skip
    assert built.participants[1].affiliation == "Chile"


def test_an_agency_is_not_contradicted_by_naming_its_organisation() -> None:
    text = (
        "Ann Veneman, directora ejecutiva del Fondo de las Naciones Unidas para la "
        "Infancia (UNICEF), se reunió con el canciller Diego Rojas."
    )
    built = _built([_person("Ann Veneman", "UNICEF"), _person("Diego Rojas", "Chile")], text, "es")
    assert built.participants[0].affiliation == "UNICEF"


def test_a_city_state_keeps_its_city_and_a_country_gives_none() -> None:
    singapore = _built(
        [_person("Ana Brandt", None), _person("Diego Rojas", None)],
        "Ana Brandt a rencontré Diego Rojas à Singapour.",
        "fr",
        city="Singapore",
        country="Singapore",
    )
    assert singapore.location is not None and singapore.location.city == "Singapore"
    georgia = _built(
        [_person("Ana Brandt", None), _person("Diego Rojas", None)],
        "Ana Brandt met Diego Rojas during her visit to Georgia.",
        "en",
        city="Georgia",
        country="Georgia",
    )
    assert georgia.location is not None and georgia.location.city is None


@pytest.mark.parametrize(
    ("text", "language", "people", "expected"),
    [
        # the words before a comma end another clause: they title no one
        (
            "Con su llegada a Cuba, Pedro Sánchez cumple la invitación de Miguel Díaz-Canel.",
            "es",
            [("Pedro Sánchez", "Spain"), ("Miguel Díaz-Canel", "Cuba")],
            ["Spain", "Cuba"],
        ),
        # ... but in a list, each item's country is its own, never the next item's
        (
            "Il a eu des entretiens avec ses homologues de la France, Jean Morel, de "
            "l'Espagne, Josep Borrell, de Malte, Carmelo Abela.",
            "fr",
            [("Jean Morel", "France"), ("Josep Borrell", "Spain"), ("Carmelo Abela", "Malta")],
            ["France", "Spain", "Malta"],
        ),
        # an apposition that joins someone else is a clause about them
        (
            "Hakan Fidan, İranlı mevkidaşı ile telefonda görüştü.",
            "tr",
            [("Hakan Fidan", "Türkiye")],
            ["Türkiye"],
        ),
        (
            "Barack Obama, Readout of the President's Calls with British Prime Minister "
            "David Cameron.",
            "en",
            [("Barack Obama", "United States"), ("David Cameron", "United Kingdom")],
            ["United States", "United Kingdom"],
        ),
    ],
)
def test_only_a_phrase_that_titles_the_person_corrects_an_affiliation(
    text: str, language: str, people: list[tuple[str, str]], expected: list[str]
) -> None:
    built = _built([_person(name, org) for name, org in people], text, language)
    assert [p.affiliation for p in built.participants] == expected


@pytest.mark.parametrize(
    ("city", "text", "language", "kept"),
    [
        ("Buitenlandse Zaken", "De minister van Buitenlandse Zaken ontving hem.", "nl", None),
        ("Parliament House", "They met at Parliament House on Monday.", "en", None),
        ("Novo-Ogaryovo", "Они встретились в Novo-Ogaryovo.", "ru", "Novo-Ogaryovo"),
        ("Den Haag", "Zij ontmoetten elkaar in Den Haag.", "nl", "The Hague"),
    ],
)
def test_a_venue_city_is_a_place_or_a_name_that_names_no_office(
    city: str, text: str, language: str, kept: str | None
) -> None:
    built = _built([_person("Ana Brandt", None)], text, language, city=city)
    assert (built.location.city if built.location else None) == kept


@pytest.mark.parametrize(
    ("name", "language", "person"),
    [
        ("Roger Rodas", "es", True),
        ("Energía Eléctrica", "es", False),  # names a portfolio
        ("Erdoğan İran", "tr", False),  # a name, then the next words' country
        ("Fondation Mérieux", "fr", False),
        ("Chad Wolf", "en", True),  # a country's name opening a name is a first name
        ("George W", "en", False),  # cut at an initial
        ("Mohammed bin Salman Al", "en", False),  # cut at a particle
        ("Mohammed bin Salman Al Saud", "en", True),
    ],
)
def test_a_name_read_from_the_text_is_a_persons_only_when_it_can_be(
    name: str, language: str, person: bool
) -> None:
    assert can_be_person(name, language) is person


@pytest.mark.parametrize(
    ("name", "english", "kept"),
    [
        ("Elmar Məmmədyarov", "Elmar Mmmadyarov", "Elmar Məmmədyarov"),  # a letter dropped
        ("Məhəmməd Cavad Zərif", "Mehmed Cavad Zrif", "Məhəmməd Cavad Zərif"),
        ("Elmar Məmmədyarov", "Elmar Mammadyarov", "Elmar Mammadyarov"),  # each written
        ("Mövlud Çavuşoğlu", "Mövlud Cavusoglu", "Mövlud Cavusoglu"),
    ],
)
def test_an_english_form_that_drops_a_letter_of_the_text_is_not_taken(
    name: str, english: str, kept: str
) -> None:
    from communique.text.names import english_form

    assert english_form(name, english) == kept
