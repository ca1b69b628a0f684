"""One general check per field: a value the text does not contradict is kept; one the
text contradicts is corrected from it; one without evidence is left out.

Each test is one behaviour, on a text written for it (the real cases are scored by the
oracle check in test_oracle.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from communique import lexicon
from communique.extract.assemble import build_events
from communique.extract.draft import ExtractionDraft
from communique.extract.lenient import conform
from communique.extract.passes.examples import ExampleValues
from communique.schema import Event
from communique.text.alignment import FoldedText
from communique.text.gazetteer import city_spans, known_city
from communique.text.organisations import is_organisation_name


def person(name: str, **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "role": kw.get("role", "Minister of Foreign Affairs"),
        "org": kw.get("org"),
        "side": kw.get("side", "other"),
        "lead": kw.get("lead", True),
    }


def event(people: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {
        "kind": kw.get("kind", "meeting"),
        "happened": kw.get("happened", True),
        "date": kw.get("date"),
        "city": kw.get("city"),
        "country": kw.get("country"),
        "people": people,
        "signed": [],
        "topics": kw.get("topics", []),
    }


def built(
    draft_event: dict[str, Any], text: str, language: str, examples: ExampleValues | None = None
) -> Event:
    draft = ExtractionDraft.model_validate({"events": [draft_event]})
    return build_events(draft, text, dt.date(2024, 5, 3), language, examples)[0]


# -- venue city: named in the text under any of its names ---------------------------------


@pytest.mark.parametrize(
    ("text", "language", "city", "english"),
    [
        ("Les entretiens se sont tenus à Genève mardi.", "fr", "Geneva", "Geneva"),
        ("De ministers spraken in Den Haag.", "nl", "The Hague", "The Hague"),
        ("De ministers spraken in Den Haag.", "nl", "Den Haag", "The Hague"),
        ("Переговоры прошли в Москве.", "ru", "Moscow", "Moscow"),
        ("Görüşme Nijniy Novgorod kentinde yapıldı.", "tr", "Nizhny Novgorod", "Nizhny Novgorod"),
        ("La reunión se celebró en Santo Domingo.", "es", "Santo Domingo", "Santo Domingo"),
    ],
)
def test_a_city_the_text_names_in_its_own_language_is_kept_in_english(
    text: str, language: str, city: str, english: str
) -> None:
    names = text.split()[-3:]
    draft = event([person("Ana Brandt"), person("Diego Rojas")], city=city)
    draft_text = f"{text} Ana Brandt y Diego Rojas. {' '.join(names)}"
    location = built(draft, draft_text, language).location
    assert location is not None and location.city == english


def test_a_city_the_text_never_names_is_left_out() -> None:
    draft = event([person("Ana Brandt"), person("Diego Rojas")], city="Geneva")
    location = built(draft, "Ana Brandt met Diego Rojas in Paris.", "en").location
    assert location is None or location.city != "Geneva"


def test_the_gazetteer_knows_a_city_by_its_other_names_but_never_renames_one() -> None:
    geneva = known_city("Cenevrə")
    assert geneva is not None and geneva.name == "Geneva" and geneva.country == "CH"
    doc = FoldedText("Nazir Cenevrədə görüşüb.")
    assert city_spans("Geneva", doc) and not city_spans("Baku", doc)
    islamabad = built(
        event([person("Ana Brandt"), person("Diego Rojas")], city="Islamabad"),
        "Ana Brandt met Diego Rojas in Islamabad.",
        "en",
    ).location
    assert islamabad is not None and islamabad.city == "Islamabad"


# -- affiliation: the person's own phrase contradicts, the text elsewhere supports -------


def test_an_affiliation_the_text_supports_is_kept_when_the_own_phrase_names_none() -> None:
    text = "États-Unis – Entretien de Mme Catherine Colonna avec M. Antony Blinken. La France."
    draft = event(
        [person("Catherine Colonna", org="France"), person("Antony Blinken", org="United States")]
    )
    colonna, blinken = built(draft, text, "fr").participants
    assert colonna.affiliation == "France" and blinken.affiliation == "United States"


def test_the_own_phrase_corrects_an_affiliation_it_contradicts() -> None:
    text = "El canciller argentino Pablo Díaz recibió al canciller chileno Diego Rojas."
    draft = event([person("Pablo Díaz", org="Argentina"), person("Diego Rojas", org="Argentina")])
    _, rojas = built(draft, text, "es").participants
    assert rojas.affiliation == "Chile"
    assert rojas.affiliation_source is not None and rojas.affiliation_source.text == "chileno"


def test_a_title_that_names_two_countries_does_not_contradict_either() -> None:
    text = "En la reunión participó también el embajador de Uruguay en Chile, Martín Rivero."
    draft = event([person("Martín Rivero", org="Uruguay", role="Ambassador")])
    assert built(draft, text, "es").participants[0].affiliation == "Uruguay"


def test_a_country_name_in_lower_case_is_a_common_word() -> None:
    text = "Alberto Fernández habló de la reunión con Joe Biden."
    draft = event([person("Alberto Fernández", org="Argentina"), person("Joe Biden", org="US")])
    fernandez, _ = built(draft, text, "es").participants
    assert fernandez.affiliation == "Argentina"  # not Réunion


def test_an_english_name_of_the_country_is_not_rewritten() -> None:
    text = "Le président ivoirien Alassane Ouattara a reçu João Lourenço à Abidjan."
    draft = event(
        [person("Alassane Ouattara", org="Côte d'Ivoire"), person("João Lourenço", org="Angola")],
        city="Abidjan",
        country="Côte d'Ivoire",
    )
    result = built(draft, text, "fr")
    assert result.participants[0].affiliation == "Côte d'Ivoire"
    assert result.location is not None and result.location.country == "Côte d'Ivoire"


# -- people: no organisation, no second copy of someone already there --------------------


@pytest.mark.parametrize(
    "name", ["Fondation Mérieux", "Qoşulmama Hərəkatının", "Министерство обороны", "Stichting"]
)
def test_an_organisations_name_is_no_person(name: str) -> None:
    assert is_organisation_name(name)


@pytest.mark.parametrize("name", ["Charles Mérieux", "Jeyhun Bayramov", "Sergey Lavrov"])
def test_a_persons_name_is_no_organisation(name: str) -> None:
    assert not is_organisation_name(name)


def test_an_inflected_form_of_a_participant_is_not_added_again() -> None:
    text = (
        "Ceyhun Bayramov Erika Olson ilə görüşüb. Dünən Ceyhun Bayramov ABŞ-ın nümayəndəsi "
        "Erika Olsonu qəbul edib."
    )
    draft = event(
        [person("Ceyhun Bayramov", org="Azerbaijan"), person("Erika Olson", org="United States")]
    )
    draft_model = ExtractionDraft.model_validate({"events": [draft]})
    events = build_events(draft_model, text, dt.date(2024, 5, 3), "az")
    assert len(events) == 1 and len(events[0].participants) == 2


# -- worked examples: a topic copied from the prompt needs the text's support -------------


def test_a_topic_copied_from_the_prompts_examples_is_dropped_unless_the_text_has_it() -> None:
    examples = ExampleValues(topics=frozenset({"agricultural supplies", "trade"}))
    text = "Ana Brandt met Diego Rojas in Paris to discuss energy."
    draft = event(
        [person("Ana Brandt"), person("Diego Rojas")],
        topics=["agricultural supplies", "trade", "energy"],
    )
    assert built(draft, text, "en", examples).topics == ["trade", "energy"]
    text = "Ana Brandt met Diego Rojas to discuss agricultural supplies."
    assert "agricultural supplies" in built(draft, text, "en", examples).topics


# -- lenient answers ----------------------------------------------------------------------


def test_an_answer_is_fitted_to_the_schema_where_the_code_can() -> None:
    from communique.extract.draft import draft_model

    model = draft_model(summary=False, english_names=True)
    answer = {"events": [event([person("Ceyhun Bayramov")]) | {"summary": "S.", "x": 1}]}
    fitted = conform(model, answer)
    assert "summary" not in fitted["events"][0] and "x" not in fitted["events"][0]
    assert fitted["events"][0]["people"][0]["en"] == "Ceyhun Bayramov"
    model.model_validate(fitted)


# -- the lexicon: one file a language, every entry used by a check ------------------------


@pytest.mark.parametrize("language", ["en", "ru", "az", "tr", "fr", "es", "nl"])
def test_every_language_has_its_lexicon_file_and_each_cue_word_is_recognised(
    language: str,
) -> None:
    assert language in lexicon.languages()
    cues = lexicon.words("organisation_words", language)
    assert cues
    for cue in cues:
        word = cue + ("ın" if lexicon.max_ending(language) >= 2 else "")
        assert is_organisation_name(f"{word.capitalize()} Aliyev"), (language, cue)


@pytest.mark.parametrize(
    ("language", "word"),
    [(lang, word) for lang in lexicon.languages() for word in lexicon.words("title_joiners", lang)],
)
def test_each_title_joiner_ends_the_title_on_its_left(language: str, word: str) -> None:
    from communique.text.titles import title_phrase

    text = f"Oslo {word} Minister Ana Brandt"
    start = text.index("Ana Brandt")
    phrase = title_phrase(text, start, start + len("Ana Brandt"))
    assert phrase is not None and phrase.span.text == "Minister", (language, word)


# -- roles: the English names the portfolio its source names ------------------------------


@pytest.mark.parametrize(
    ("language", "concept", "entry"),
    [
        (lang, concept, entry)
        for lang in lexicon.languages()
        for concept, entries in lexicon.table("role_concepts", lang).items()
        for entry in entries
    ],
)
def test_each_role_concept_entry_names_its_concept(language: str, concept: str, entry: str) -> None:
    from communique.text.role_concepts import concepts

    assert concept in concepts(f"la {entry} x", language), (language, entry)


@pytest.mark.parametrize(
    ("role", "source", "language", "contradicts"),
    [
        (
            "Minister of Economic Affairs",
            "новоназначенный министр иностранных дел Молдовы",
            "ru",
            True,
        ),
        (
            "Minister of Foreign Affairs",
            "Prezidentin mədəniyyət üzrə xüsusi nümayəndəsi",
            "az",
            True,
        ),
        ("Minister of Foreign Affairs", "Dışişleri Bakanı", "tr", False),
        ("Deputy Minister of Defence", "замминистра обороны", "ru", False),
        ("Minister of Foreign Affairs", "su homólogo", "es", False),  # the source is silent
        ("Vice-Chancellor and Minister of Economy", "minister van Economische Zaken", "nl", False),
    ],
)
def test_a_role_that_names_another_portfolio_than_its_source_contradicts_it(
    role: str, source: str, language: str, contradicts: bool
) -> None:
    from communique.text.role_concepts import contradicts as check

    assert check(role, source, language) is contradicts


def test_a_contradicted_role_is_left_out_and_counterpart_is_no_role() -> None:
    text = "Министр иностранных дел Молдовы Михай Попшой встретился с Сергеем Лавровым."
    draft = event(
        [
            person("Михай Попшой", role="Minister of Economic Affairs", org="Moldova"),
            person("Сергеем Лавровым", role="Counterpart", org="Russia"),
        ]
    )
    popsoi, lavrov = built(draft, text, "ru").participants
    assert popsoi.role is None and popsoi.role_source is not None
    assert lavrov.role is None


@pytest.mark.parametrize(
    ("language", "category", "fragment"),
    [
        (lang, category, fragment)
        for lang in lexicon.languages()
        for category in lexicon.table("pattern_examples", lang)
        for fragment in lexicon.words(category, lang)
    ],
)
def test_each_pattern_fragment_matches_an_example_of_its_language(
    language: str, category: str, fragment: str
) -> None:
    import re

    examples = lexicon.table("pattern_examples", language)[category]
    assert any(re.match(fragment, ex, re.IGNORECASE) for ex in examples), (language, fragment)
    assert all(lexicon.pattern(category).search(ex) for ex in examples)


def test_a_required_null_stays_when_an_answer_is_fitted() -> None:
    """With no date in the article the schema allows only a null date, and requires it."""
    from communique.extract.draft import draft_model

    model = draft_model(("Ceyhun Bayramov",), (), (), summary=False, english_names=True)
    answer = {"events": [event([person("Ceyhun Bayramov") | {"en": "Jeyhun Bayramov"}])]}
    fitted = conform(model, answer)
    assert fitted["events"][0]["date"] is None
    model.model_validate(fitted)
