"""Faithful records: every event of a multi-event report, English fields for every
language, nothing false in a summary, role or affiliation (one group per error class).

The model is faked at the HTTP boundary; the examples are written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from communique.extract.assemble import build_events
from communique.extract.compose import compose_summary
from communique.extract.draft import ExtractionDraft
from communique.extract.prompts import load_prompt
from communique.inputs.readers import Article
from communique.schema import Event, Location, Participant
from communique.text.candidates import candidate_names
from communique.text.dates import resolve_date
from communique.text.names import english_form
from communique.text.places import english_city, english_country, place_mentions
from communique.text.summary_check import EventFacts, Person, summary_problems
from fake_openai import FakeOpenAI, completion

V7 = "meeting_summary@v7"

SIDELINES = (
    "NEW YORK, September 24. Foreign Minister Ana Brandt held separate talks with the "
    "foreign ministers of Chile, Diego Rojas, of Kenya, Musalia Wekesa, and of Norway, "
    "Eva Lund, on the sidelines of the General Assembly. Earlier in the day Brandt "
    "spoke by phone with Japanese Foreign Minister Kenji Sato."
)


def person(name: str, **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "role": kw.get("role", "Foreign Minister"),
        "org": kw.get("org"),
        "side": kw.get("side", "other"),
        "lead": kw.get("lead", True),
    }


def event(kind: str, people: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "happened": kw.get("happened", True),
        "date": kw.get("date", "September 24"),
        "city": kw.get("city"),
        "country": kw.get("country"),
        "people": people,
        "signed": kw.get("signed", []),
        "topics": kw.get("topics", []),
    }


def brandt_meets(name: str, org: str) -> dict[str, Any]:
    return event(
        "meeting",
        [person("Ana Brandt"), person(name, org=org)],
        city="New York",
        country="United States",
    )


# -- class 1: reports of several meetings --------------------------------------------------


def test_a_follow_up_turn_adds_the_events_the_first_answer_missed(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    first = {"events": [brandt_meets("Diego Rojas", "Chile")]}
    more = {
        "events": [
            brandt_meets("Diego Rojas", "Chile"),  # a repeat: left out
            brandt_meets("Musalia Wekesa", "Kenya"),
            brandt_meets("Eva Lund", "Norway"),
            event("call", [person("Ana Brandt"), person("Kenji Sato", org="Japan")]),
        ]
    }
    fake_openai.add(completion(first), completion(more))
    summariser = make_summariser(prompt=load_prompt(V7))
    record = summariser.summarise(
        Article(source="a.txt", text=SIDELINES, published=dt.date(2024, 9, 24))
    )
    assert record.status == "ok", record.error
    assert [e.kind for e in record.events] == ["meeting", "meeting", "meeting", "call"]
    assert [e.participants[1].name for e in record.events] == [
        "Diego Rojas",
        "Musalia Wekesa",
        "Eva Lund",
        "Kenji Sato",
    ]
    assert record.provenance is not None and record.provenance.model_passes == 2
    assert record.provenance.usage.attempts == 2
    # the second turn carries the first answer and asks only for what it missed
    second = fake_openai.requests[1]["messages"]
    assert second[-2] == {"role": "assistant", "content": json.dumps(first)}
    assert "does not list" in second[-1]["content"]
    # a call has no venue, and is never "met"
    assert record.events[3].location is None
    assert "phone" in record.events[3].summary and " met " not in record.events[3].summary


def test_a_failed_follow_up_keeps_the_first_answer(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    from fake_openai import http_error

    fake_openai.add(completion({"events": [brandt_meets("Diego Rojas", "Chile")]}), http_error(400))
    record = make_summariser(prompt=load_prompt(V7)).summarise(
        Article(source="a.txt", text=SIDELINES, published=dt.date(2024, 9, 24))
    )
    assert record.status == "ok"
    assert record.provenance is not None and record.provenance.model_passes == 2
    first = record.events[0]
    assert (first.origin, [p.name for p in first.participants]) == (
        "model",
        ["Ana Brandt", "Diego Rojas"],
    )
    assert all(e.origin == "text" for e in record.events[1:])  # found by reading, not asked


# -- class 2: roles and affiliations -----------------------------------------------------------

CHILE_IN_BUENOS_AIRES = (
    "BUENOS AIRES, 3 de mayo. El canciller argentino Pablo Díaz recibió al canciller "
    "chileno Diego Rojas. Más tarde, Rojas se reunió con el viceministro de Comercio "
    "argentino Tomás Vera."
)


def _one(draft_event: dict[str, Any], text: str, language: str = "es") -> Event:
    """The event built from ``draft_event`` (passes may add others after it)."""
    built = build_events(
        ExtractionDraft.model_validate({"events": [draft_event]}), text, None, language
    )
    return built[0]


def test_an_affiliation_is_the_persons_own_country_not_the_venues() -> None:
    built = _one(
        event(
            "meeting",
            [
                person("Pablo Díaz", org="Argentina", side="host"),
                person("Diego Rojas", org="Argentina", side="visitor"),  # the venue's
            ],
            city="Buenos Aires",
        ),
        CHILE_IN_BUENOS_AIRES,
    )
    rojas = built.participants[1]
    assert rojas.affiliation == "Chile"
    assert rojas.affiliation_source is not None
    assert rojas.affiliation_source.text == "chileno"
    span = rojas.affiliation_source.evidence[0]
    assert CHILE_IN_BUENOS_AIRES[span.start : span.end] == "chileno"
    assert built.sides == ["Argentina", "Chile"]


def test_an_affiliation_no_mention_supports_is_flagged_and_strict_drops_it() -> None:
    from communique.extract.pipeline import drop_ungrounded
    from communique.schema import ArticleInfo, ArticleRecord, Provenance

    text = "Minister Ana Brandt met Minister Diego Rojas in Geneva."
    built = _one(
        event(
            "meeting",
            [person("Ana Brandt", org="Germany"), person("Diego Rojas", org="Narnia Council")],
        ),
        text,
        "en",
    )
    brandt, rojas = built.participants
    # a known country the article never names: kept, with no source (not grounded)
    assert (brandt.affiliation, brandt.affiliation_source) == ("Germany", None)
    # neither a known country or organisation nor anything in the text: dropped
    assert rojas.affiliation is None
    record = ArticleRecord(
        article=ArticleInfo(id="x", source="a.txt", chars=len(text)),
        events=[built],
        provenance=Provenance(
            prompt="p@v1", prompt_sha256="0", model="m", backend="b", schema_version="1"
        ),
    )
    strict = drop_ungrounded(record)
    assert strict.events[0].participants[0].affiliation is None
    assert strict.provenance is not None and strict.provenance.dropped_ungrounded == 1


def test_a_ministers_affiliation_is_not_the_language_of_the_article() -> None:
    text = (
        "RABAT, 2 mai. Le ministre marocain des Affaires étrangères Youssef Alaoui a reçu "
        "son homologue sénégalais Amadou Ndiaye."
    )
    built = _one(
        event(
            "meeting",
            [person("Youssef Alaoui", org="France"), person("Amadou Ndiaye", org="France")],
        ),
        text,
        "fr",
    )
    assert [p.affiliation for p in built.participants] == ["Morocco", "Senegal"]


def test_a_deputy_minister_stays_a_deputy() -> None:
    built = _one(
        event(
            "meeting",
            [person("Diego Rojas", org="Chile"), person("Tomás Vera", role="Minister of Trade")],
        ),
        CHILE_IN_BUENOS_AIRES,
    )
    vera = built.participants[1]
    assert vera.role == "Deputy Minister of Trade"
    assert vera.role_source is not None and "viceministro" in vera.role_source.text


# -- class 3: summaries ---------------------------------------------------------------------


def facts(kind: str = "meeting", happened: bool = True, **kw: Any) -> EventFacts:
    return EventFacts(
        kind=kind,
        happened=happened,
        people=kw.get("people", [Person("Ana Brandt", "Foreign Minister")]),
        places=kw.get("places", ["Berlin", "Germany", "Chile"]),
        signed=kw.get("signed", False),
        outsiders=kw.get("outsiders", []),
    )


@pytest.mark.parametrize(
    "summary,event_facts,language,problem",
    [
        ("Brandt met Rojas in Berlin.", facts("call"), "en", "call as an in-person"),
        (
            "Brandt and Rojas signed a trade accord.",
            facts("announcement", happened=False),
            "en",
            "planned event as having taken place",
        ),
        ("Brandt received Rojas in Vienna.", facts(), "en", "'Vienna'"),
        (
            "Foreign Minister Vera met Brandt in Berlin.",
            facts(people=[Person("Ana Brandt"), Person("Tomás Vera", "Deputy Minister")]),
            "en",
            "drops the rank",
        ),
        (
            "Xarici işlər naziri Ana Brandt Berlində Çili nümayəndə heyətini qəbul edib.",
            facts(),
            "az",
            "not in English",
        ),
        (
            "Foreign Minister Ana Brandt received in Berlin the Chilean foreign minister "
            "Diego Rojas, who is on an official visit to Germany, and the two ministers "
            "discussed trade, energy and the situation in the region in detail.",
            facts(),
            "en",
            "words (at most 35)",
        ),
        (
            "Brandt met Rojas and thanked Olaf Weber.",
            facts(outsiders=["Olaf Weber"]),
            "en",
            "did not take part",
        ),
    ],
)
def test_every_kind_of_false_summary_is_caught(
    summary: str, event_facts: EventFacts, language: str, problem: str
) -> None:
    problems = summary_problems(summary, event_facts, "", language)
    assert any(problem in p for p in problems), problems


def test_a_summary_copied_from_the_article_is_caught() -> None:
    article = (
        "Foreign Minister Ana Brandt received the Chilean Foreign Minister Diego Rojas in "
        "Berlin on Monday to discuss trade and energy."
    )
    copied = "Ana Brandt received the Chilean Foreign Minister Diego Rojas in Berlin on Monday."
    assert any("copies" in p for p in summary_problems(copied, facts(), article, "en"))


def test_a_faithful_summary_passes() -> None:
    summary = "Germany's foreign minister Ana Brandt met Chile's foreign minister in Berlin."
    assert summary_problems(summary, facts(), "", "en") == []


def _event(kind: str, happened: bool = True) -> Event:
    return Event(
        kind=kind,  # type: ignore[arg-type]
        happened=happened,
        date=dt.date(2024, 5, 3),
        location=None if kind == "call" else Location(city="Berlin", country="Germany"),
        participants=[
            Participant(
                name="Ana Brandt",
                role="Minister of Foreign Affairs",
                affiliation="Germany",
                side="host",
                head_of_delegation=True,
            ),
            Participant(
                name="Diego Rojas",
                role="Minister of Foreign Affairs",
                affiliation="Chile",
                side="visitor",
                head_of_delegation=True,
            ),
        ],
        sides=["Germany", "Chile"],
        topics=["trade", "energy cooperation", "regional security"],
        summary="…",
    )


@pytest.mark.parametrize(
    "kind,happened", [("meeting", True), ("call", True), ("announcement", False)]
)
def test_a_composed_summary_agrees_with_its_event(kind: str, happened: bool) -> None:
    built = _event(kind, happened)
    summary = compose_summary(built)
    assert len(summary.split()) <= 35
    assert (
        summary_problems(
            summary, facts(kind, happened, places=["Berlin", "Germany", "Chile"]), "", "en"
        )
        == []
    )
    assert "Ana Brandt" in summary and "Diego Rojas" in summary
    if kind == "call":
        assert "phone" in summary
    if not happened:
        assert "will" in summary


def test_a_contradicting_summary_is_reasked_once_then_composed(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    text = "Foreign Minister Hakan Fidan spoke by phone on Monday with Sergey Lavrov."
    answer = {
        "events": [
            {
                **event("call", [person("Hakan Fidan"), person("Sergey Lavrov")], date="Monday"),
                "summary": "Fidan met Lavrov in Ankara.",
            }
        ]
    }
    fake_openai.add(
        completion(answer),
        completion({"summary": "Fidan met Lavrov in Moscow."}),  # still wrong
    )
    record = make_summariser(prompt=load_prompt("meeting_summary@v5")).summarise(
        Article(source="a.txt", text=text, published=dt.date(2024, 5, 6))
    )
    assert fake_openai.request_count == 2
    assert "met Lavrov in Ankara" in fake_openai.requests[1]["messages"][-1]["content"]
    (call,) = record.events
    assert call.summary_origin == "composed"
    assert "phone" in call.summary and "met" not in call.summary


def test_a_rewritten_summary_that_agrees_is_kept(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    text = "Foreign Minister Hakan Fidan spoke by phone on Monday with Sergey Lavrov."
    answer = {
        "events": [
            {
                **event("call", [person("Hakan Fidan"), person("Sergey Lavrov")], date="Monday"),
                "summary": "Fidan met Lavrov in Ankara.",
            }
        ]
    }
    fixed = "Fidan and Lavrov spoke by phone."
    fake_openai.add(completion(answer), completion({"summary": fixed}))
    record = make_summariser(prompt=load_prompt("meeting_summary@v5")).summarise(
        Article(source="a.txt", text=text, published=dt.date(2024, 5, 6))
    )
    (call,) = record.events
    assert (call.summary, call.summary_origin) == (fixed, "model")


# -- class 4: names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,name,not_names",
    [
        ("Former President George W. Bush visited Kyiv.", "George W. Bush", ["George W"]),
        (
            "Prime Minister Theresa May met Angela Merkel on 5 May 2019.",
            "Theresa May",
            ["Merkel On", "Angela Merkel May"],
        ),
        (
            "El Canciller Álvaro Leyva recibió a su homólogo.",
            "Álvaro Leyva",
            ["Canciller Álvaro Leyva"],
        ),
        ("Bakan Ayşe Demir heyeti kabul etti.", "Ayşe Demir", ["Bakan Ayşe Demir"]),
        (
            "Minister Jan de Vries van Buitenlandse Zaken ontving haar.",
            "Jan de Vries",
            ["Jan de Vries van Buitenlandse", "Buitenlandse Zaken"],
        ),
        (
            "Он встретился с председателем Комиссии Африканского Союза Мусой Факи Махаматом.",
            "Мусой Факи Махаматом",
            ["Африканского Союза", "Комиссии Африканского Союза Мусой"],
        ),
    ],
)
def test_candidate_names_are_whole_names_without_titles_or_organisations(
    text: str, name: str, not_names: list[str]
) -> None:
    names = candidate_names(text)
    assert name in names
    assert not set(not_names) & set(names)


@pytest.mark.parametrize(
    "text_form,english,expected",
    [
        ("Жозе Мануэл Баррозу", "José Manuel Barroso", "José Manuel Barroso"),
        ("Анналеной Бербок", "Annalena Baerbock", "Annalena Baerbock"),
        ("Elmar Məmmədyarov", "Elmar Mammadyarov", "Elmar Mammadyarov"),
        ("Ceyhun Bayramov", "Jeyhun Bayramov", "Jeyhun Bayramov"),
        # an English form that is another person is not taken: the text's, transliterated
        ("Анналеной Бербок", "Vladimir Putin", "Annalena Berbok"),
        ("Сергеем Лавровым", None, "Sergey Lavrov"),
        ("Сергеем Лавровым", "Minister Sergey Lavrov", "Sergey Lavrov"),
    ],
)
def test_names_get_their_usual_english_form_when_it_sounds_like_the_text(
    text_form: str, english: str | None, expected: str
) -> None:
    assert english_form(text_form, english) == expected


def test_an_azerbaijani_construction_names_its_participant() -> None:
    text = (
        "Xarici işlər naziri Ceyhun Bayramov Gürcüstanın xarici işlər naziri "
        "İlia Darçiaşvili ilə görüşüb."
    )
    assert {"Ceyhun Bayramov", "İlia Darçiaşvili"} <= set(candidate_names(text))


# -- class 5: dates ---------------------------------------------------------------------------


def test_a_planned_event_on_the_publication_day_is_that_day() -> None:
    published = dt.date(2019, 3, 14)
    assert resolve_date("March 14", published, happened=False) == published
    assert resolve_date("March 15", published, happened=False) == dt.date(2019, 3, 15)
    assert resolve_date("March 13", published, happened=False) == dt.date(2020, 3, 13)
    assert resolve_date("14 марта", published, happened=False) == published


# -- class 6: places ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "local,english",
    [("Moscou", "Moscow"), ("Varsovia", "Warsaw"), ("Bakı", "Baku"), ("Москва", "Moscow")],
)
def test_city_names_come_out_in_english(local: str, english: str) -> None:
    assert english_city(local) == english


@pytest.mark.parametrize(
    "local,english", [("Rusiya", "Russia"), ("Turquía", "Türkiye"), ("Pays-Bas", "Netherlands")]
)
def test_country_names_come_out_in_english(local: str, english: str) -> None:
    assert english_country(local) == english


@pytest.mark.parametrize(
    "text,language,countries",
    [
        ("la Presidenta de la República, Dina Boluarte", "es", []),
        ("la República Dominicana y Saudi officials", "es", ["DO", "SA"]),
        ("the United States and the United Kingdom", "en", ["US", "GB"]),
    ],
)
def test_a_word_that_opens_several_country_names_names_none(
    text: str, language: str, countries: list[str]
) -> None:
    found = [m.value for m in place_mentions(text, language) if m.kind == "country"]
    assert found == countries


def test_a_venue_in_the_articles_language_becomes_english_and_a_call_has_none() -> None:
    text = "MOSCOU, 3 mai. Sergueï Lavrov a reçu à Moscou son homologue Hakan Fidan."
    meeting = _one(
        event("meeting", [person("Hakan Fidan")], city="Moscou", country="Russie"), text, "fr"
    )
    assert meeting.location == Location(city="Moscow", country="Russia")
    call = _one(event("call", [person("Hakan Fidan")], city="Moscou"), text, "fr")
    assert call.location is None


def test_a_city_the_article_never_names_is_dropped() -> None:
    text = "Foreign Minister Hakan Fidan met Sergey Lavrov in Sochi."
    built = _one(
        event("meeting", [person("Hakan Fidan")], city="Ankara", country="Türkiye"), text, "en"
    )
    assert built.location == Location(city=None, country="Türkiye")


# -- places: a city's own country; a person or a place in the wrong field ----------------


def test_a_known_city_gives_the_venues_country() -> None:
    text = "Elmar Məmmədyarov Kiyevdə Edvard Nalbandyan ilə görüşüb. Berlin, Kyiv."
    built = _one(
        event("meeting", [person("Edvard Nalbandyan")], city="Kyiv", country="Azerbaijan"),
        text,
        "az",
    )
    assert built.location == Location(city="Kyiv", country="Ukraine")


def test_a_persons_name_is_not_a_venue_and_a_city_is_not_a_person() -> None:
    text = (
        "Minister Ceyhun Bayramov met Deputy Assistant Secretary Erika Olson in Baku. "
        "The talks were also attended by the ambassador in Buenos Aires."
    )
    built = _one(
        event("meeting", [person("Ceyhun Bayramov"), person("Erika Olson")], city="Erika Olson"),
        text,
        "en",
    )
    assert built.location is None or built.location.city != "Erika Olson"
    assert [p.name for p in built.participants] == ["Ceyhun Bayramov", "Erika Olson"]


# -- values copied from the prompt's examples ---------------------------------------------


def test_a_role_copied_from_the_prompts_examples_is_dropped_unless_the_text_has_it() -> None:
    from communique.extract.assemble import build_events
    from communique.extract.passes.examples import example_values

    prompt = (
        'Example answer: {"events":[{"kind":"meeting","city":"Minsk","country":"Belarus",'
        '"people":[{"name":"Oleg Kozlov","role":"Minister of Economy","org":"Belarus"}]}]}'
    )
    values = example_values(prompt)
    assert values.roles == {"minister of economy"} and values.countries == {"Belarus"}
    draft = ExtractionDraft.model_validate(
        {
            "events": [
                event(
                    "meeting",
                    [person("Сергей Лавров", role="Minister of Economy", org="Russia")],
                    country="Belarus",
                )
            ]
        }
    )
    text = "Министр иностранных дел России Сергей Лавров провёл переговоры в Москве."
    (copied,) = build_events(draft, text, None, "ru", values)
    assert copied.participants[0].role is None and copied.location is None
    english = "Minister of Economy Jan Novak met Sergey Lavrov in Belarus."
    draft = ExtractionDraft.model_validate(
        {"events": [event("meeting", [person("Jan Novak", role="Minister of Economy")])]}
    )
    (kept,) = build_events(draft, english, None, "en", values)
    assert kept.participants[0].role == "Minister of Economy"


def test_a_null_written_as_a_word_is_no_place() -> None:
    text = "Hakan Fidan telefonda Sergey Lavrov ile görüştü."
    draft = event("meeting", [person("Sergey Lavrov")], city="None", country="None")
    built = _one(draft, text, "tr")
    assert built.location is None
    assert " None" not in built.summary


def test_a_composed_summary_leaves_out_topics_and_roles_not_in_english() -> None:
    text = (
        "Le ministre des Affaires étrangères Nasser Bourita a reçu à Paris son homologue "
        "Jean-Noël Barrot. Les deux ministres ont évoqué les relations bilatérales."
    )
    draft = event(
        "meeting",
        [
            person("Nasser Bourita", role="Ministre des Affaires étrangères", side="host"),
            person("Jean-Noël Barrot", role="Minister of Foreign Affairs", side="visitor"),
        ],
        city="Paris",
        topics=["relations bilatérales", "regional security"],
    )
    summary = compose_summary(_one(draft, text, "fr"), language="fr")
    # no topic at all: nothing ties a topic to its event
    assert "relations bilatérales" not in summary and "regional security" not in summary
    assert "Ministre" not in summary and "Jean-Noël Barrot" in summary


@pytest.mark.parametrize(
    "written,name",
    [
        ("Hakan Fidan'ın", "Hakan Fidan"),
        ("Sergey Şoygu'yla", "Sergey Şoygu"),
        ("O'Brien", "O'Brien"),
    ],
)
def test_a_turkic_case_ending_after_an_apostrophe_is_not_part_of_the_name(
    written: str, name: str
) -> None:
    text = f"Dışişleri Bakanı {written} görüştü. {name} ayrıca konuştu."
    built = _one(event("meeting", [person(written)]), text, "tr")
    assert built.participants[0].name == name


def test_an_apostrophe_inside_a_name_elsewhere_stays() -> None:
    text = "Mohamed Alka’abj a été reçu par le ministre."
    built = _one(event("meeting", [person("Mohamed Alka’abj")]), text, "fr")
    assert built.participants[0].name == "Mohamed Alka’abj"
