"""Completing the model's events from the text: people, events, kinds, documents, quotes."""

from __future__ import annotations

import datetime as dt

import pytest

from communique.extract.assemble import build_events, standalone_name
from communique.extract.draft import ExtractionDraft
from communique.text.attendance import attendees, sentences


def _names(text: str) -> list[str]:
    return [a.name for a in attendees(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The meeting was also attended by Azerbaijan's Minister of Economy Elmir "
            "Huseynzade and Vice-President of the State Oil Company of Azerbaijan Elnur Karimov.",
            ["Elmir Huseynzade", "Elnur Karimov"],
        ),
        (
            "The Turkmen delegation included Minister of Trade and Foreign Economic Relations "
            "Serdar Nurmuhammedov, Chairman of the Turkmengaz State Concern Myrat Hojayev and "
            "Ambassador of Turkmenistan to Azerbaijan Gurbanmyrat Yazmyradov.",
            ["Serdar Nurmuhammedov", "Myrat Hojayev", "Gurbanmyrat Yazmyradov"],
        ),
        (
            "On the Azerbaijani side, the expanded meeting was attended by Deputy Prime Minister "
            "Nazim Talibli, Minister of Economy Elmir Huseynzade and Minister of Digital "
            "Development and Transport Ramil Veliyev.",
            ["Nazim Talibli", "Elmir Huseynzade", "Ramil Veliyev"],
        ),
        (
            "The meeting was also attended by Chief of the General Staff Brigadier General "
            "Marko Radonjic.",
            ["Marko Radonjic"],
        ),
        (
            "Deputy Chairman and Head of the Central Office of the New Azerbaijan Party, "
            "Tahir Budagov, also attended the meeting.",
            ["Tahir Budagov"],
        ),
        (
            "С российской стороны во встрече принял участие директор Второго департамента стран "
            "СНГ Олег Тихонравов, с армянской — посол Армении в России Вардан Абгарян.",
            ["Олег Тихонравов", "Вардан Абгарян"],
        ),
        (
            "Törene, Kırgızistan'ın Ankara Büyükelçisi Ulan Dzhusupov ile Ticaret Bakanlığı "
            "Uluslararası Anlaşmalar ve AB Genel Müdürü Esra Karaca da katıldı.",
            ["Ulan Dzhusupov", "Esra Karaca"],
        ),
        (
            "Görüşdə Macarıstanın Azərbaycandakı səfiri Zoltan Beretski də iştirak edib.",
            ["Zoltan Beretski"],
        ),
        (
            "En la reunión participó también el embajador de Uruguay en Chile, Martín Rivero.",
            ["Martín Rivero"],
        ),
        (
            "Bij het gesprek was ook de Poolse ambassadeur in Nederland, Agnieszka Zielińska, "
            "aanwezig.",
            ["Agnieszka Zielińska"],
        ),
    ],
)
def test_titled_people_in_attendance_sentences(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # no attendance cue: mentioned, not present
        "Minister of Economy Elmir Huseynzade praised the agreement.",
        # an earlier signing, not this meeting's
        "The treaty was signed by President Ilham Aliyev and President Recep Erdogan in 2022.",
        # an untitled name in an attendance sentence could be anything
        "The meeting was also attended by Jahit Bagchi.",
        # organisations, not people
        "The session was attended by the Central Office and the State Oil Company.",
    ],
)
def test_no_attendee_without_cue_title_or_person(text: str) -> None:
    assert attendees(text) == []


def test_attendee_offsets_and_role_as_worded() -> None:
    text = (
        "BAKU, May 3. Lithuanian Ambassador to Georgia Ruta Zilinskiene also attended the meeting."
    )
    (found,) = attendees(text)
    assert text[found.start : found.end] == "Ruta Zilinskiene"
    assert found.role == "Ambassador to Georgia"
    assert "Lithuanian" in found.context
    assert text[found.sentence_start : found.sentence_end].startswith("Lithuanian")


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = "Mr. Blinken met Dr. Aliyev. U.S. officials attended.\nNext line"
    parts = [text[a:b] for a, b in sentences(text)]
    assert parts == ["Mr. Blinken met Dr. Aliyev.", "U.S. officials attended.", "Next line"]


def _draft(*events: dict[str, object]) -> ExtractionDraft:
    return ExtractionDraft.model_validate({"events": list(events)})


def _event(people: list[dict[str, object]], **fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "kind": "meeting",
        "happened": True,
        "date": None,
        "city": None,
        "country": None,
        "people": people,
        "signed": [],
        "topics": [],
        "summary": "They met.",
    }
    event.update(fields)
    return event


def _person(name: str, org: str, side: str, lead: bool = True) -> dict[str, object]:
    return {"name": name, "role": None, "org": org, "side": side, "lead": lead}


def test_attendees_join_the_event_with_side_from_their_country() -> None:
    text = (
        "TBILISI, November 20. Georgian Foreign Minister Nino Kapanadze received Lithuanian "
        "Vice-Minister of Foreign Affairs Tomas Valiukas. Lithuanian Ambassador to Georgia Ruta "
        "Zilinskiene also attended the meeting."
    )
    draft = _draft(
        _event(
            [
                _person("Nino Kapanadze", "Georgia", "host"),
                _person("Tomas Valiukas", "Lithuania", "visitor"),
            ]
        )
    )
    (event,) = build_events(draft, text, dt.date(2024, 11, 20), "en")
    added = event.participants[-1]
    assert added.name == "Ruta Zilinskiene"
    assert added.origin == "text"
    assert (added.affiliation, added.side, added.head_of_delegation) == (
        "Lithuania",
        "visitor",
        False,
    )
    assert added.role == "Ambassador to Georgia"
    assert added.alignment == "exact"
    assert text[added.evidence[0].start : added.evidence[0].end] == "Ruta Zilinskiene"
    assert [p.origin for p in event.participants[:2]] == ["model", "model"]


def test_accompanying_delegation_takes_the_leaders_side_and_the_right_event() -> None:
    text = (
        "Azerbaijani Prime Minister Farhad Mammadzade and Georgian Prime Minister Zurab Tsiklauri "
        "held talks in Baku. "
        "Tsiklauri was accompanied by Minister of Education Nana Chkheidze. "
        "Later, Tsiklauri met with Speaker Leyla Ahmadova. Chairman of the Committee on "
        "International Relations Samir Huseynov also attended the meeting."
    )
    draft = _draft(
        _event(
            [
                _person("Farhad Mammadzade", "Azerbaijan", "host"),
                _person("Zurab Tsiklauri", "Georgia", "visitor"),
            ]
        ),
        _event(
            [
                _person("Leyla Ahmadova", "Azerbaijan", "host"),
                _person("Zurab Tsiklauri", "Georgia", "visitor"),
            ],
            summary="The speaker received the prime minister.",
        ),
    )
    first, second = build_events(draft, text, None, "en")
    assert [p.name for p in first.participants] == [
        "Farhad Mammadzade",
        "Zurab Tsiklauri",
        "Nana Chkheidze",
    ]
    assert (first.participants[-1].affiliation, first.participants[-1].side) == (
        "Georgia",
        "visitor",
    )
    assert [p.name for p in second.participants][-1] == "Samir Huseynov"


def test_a_known_participant_is_not_added_twice_and_no_event_is_invented() -> None:
    text = "The meeting was also attended by Ambassador of Türkiye Jahit Bagchi."
    draft = _draft(_event([_person("Jahit Bagchi", "Türkiye", "visitor")]))
    (event,) = build_events(draft, text, None, "en")
    assert [p.name for p in event.participants] == ["Jahit Bagchi"]
    assert build_events(_draft(), text, None, "en") == []


def test_other_languages_get_latin_nominative_names_and_no_untranslated_role() -> None:
    text = (
        "Заместитель министра Павел Громов провёл переговоры с заместителем министра Гургеном "
        "Мелконяном. Во встрече принял участие посол Армении в России Вардан Абгарян."
    )
    draft = _draft(
        _event(
            [
                _person("Павел Громов", "Russia", "host"),
                _person("Гургеном Мелконяном", "Armenia", "visitor"),
            ]
        )
    )
    (event,) = build_events(draft, text, None, "ru")
    assert [p.name for p in event.participants] == [
        "Pavel Gromov",
        "Gurgen Melkonyan",
        "Vardan Abgaryan",
    ]
    added = event.participants[-1]
    assert added.role is None
    assert (added.affiliation, added.side) == ("Armenia", "visitor")
    assert added.evidence[0].text == "Вардан Абгарян"


def test_lead_news_of_a_signing_makes_the_event_a_signing() -> None:
    text = (
        "BAKU, October 3. Azerbaijan and Uzbekistan have signed an Agreement on Digital "
        "Development, the ministry said. The ministers also discussed tourism."
    )
    draft = _draft(
        _event(
            [_person("Ramil Veliyev", "Azerbaijan", "host")],
            signed=["Agreement on Digital Development"],
        )
    )
    (event,) = build_events(draft, text, None, "en")
    assert event.kind == "signing"


def test_a_signing_later_in_a_meeting_story_stays_a_meeting() -> None:
    text = (
        "BELGRADE, June 11. Minister Samir Gurbanli met with Minister Jelena Markovic to discuss "
        "trade and investment. Following the talks, the ministers signed a Memorandum on SMEs."
    )
    draft = _draft(
        _event(
            [_person("Samir Gurbanli", "Azerbaijan", "visitor")],
            signed=["Memorandum on SMEs"],
        )
    )
    (event,) = build_events(draft, text, None, "en")
    assert event.kind == "meeting"


def test_quotes_of_participants_attach_to_their_event_with_exact_spans() -> None:
    text = (
        "Prime Minister Farhad Mammadzade received Prime Minister Zurab Tsiklauri in Baku. "
        "“Today we have opened a new chapter in our partnership,” Tsiklauri said. "
        "“Peace in the region needs all of us to work together,” said a local expert. "
        "The sides signed the “Memorandum on the Modernisation of the Red Bridge Crossing”."
    )
    draft = _draft(
        _event(
            [
                _person("Farhad Mammadzade", "Azerbaijan", "host"),
                _person("Zurab Tsiklauri", "Georgia", "visitor"),
            ],
            signed=["Memorandum on the Modernisation of the Red Bridge Crossing"],
        )
    )
    (event,) = build_events(draft, text, None, "en")
    assert [(q.speaker, q.text) for q in event.quotes] == [
        ("Zurab Tsiklauri", "Today we have opened a new chapter in our partnership")
    ]
    span = event.quotes[0].evidence[0]
    assert text[span.start : span.end] == span.text == event.quotes[0].text


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        (
            "Following the talks, the ministers signed a Memorandum on SMEs.",
            "Memorandum on SMEs",
            True,
        ),
        # named, never said to be signed
        ("They said the Shusha Declaration is an important document.", "Shusha Declaration", False),
        # signed, but in an earlier year
        (
            "They praised the cooperation protocol signed in 2021 by both parties.",
            "cooperation protocol",
            False,
        ),
        # the sentence before says it was signed
        (
            "Bakan Aydoğan ile Bakan Toktogulov mutabakat zaptını dün imzaladı. "
            '"E-Ticaret Mutabakat Zaptı", ortak çalışmaları kapsıyor.',
            "E-Ticaret Mutabakat Zaptı",
            True,
        ),
    ],
)
def test_only_documents_signed_at_the_event_are_kept(text: str, title: str, expected: bool) -> None:
    draft = _draft(
        _event([_person("Samir Gurbanli", "Azerbaijan", "host")], signed=[title], date="May 1")
    )
    (event,) = build_events(
        draft, "Minister Samir Gurbanli met his counterpart. " + text, dt.date(2023, 5, 1), "en"
    )
    assert [a.title for a in event.agreements] == ([title] if expected else [])


def test_over_long_candidate_name_is_cut_to_the_name_used_alone() -> None:
    text = (
        "Azərbaycanın kənd təsərrüfatı naziri Vüsal Həsənli Macarıstanın Kənd Təsərrüfatı "
        "Nazirliyinin dövlət katibi ilə görüşüb. Nazir Vüsal Həsənli bildirib ki, ticarət artıb. "
        "Prezident Recep Tayyip Erdoğan. Tayyip Erdoğan."
    )
    assert standalone_name("Vüsal Həsənli Macarıstanın Kənd", text) == "Vüsal Həsənli"
    assert standalone_name("Recep Tayyip Erdoğan", text) == "Recep Tayyip Erdoğan"
    assert standalone_name("Vüsal Həsənli", text) == "Vüsal Həsənli"


def test_a_lead_that_only_announces_makes_a_dated_announcement() -> None:
    text = (
        "TASHKENT, Uzbekistan, September 2. Uzbek Foreign Minister Dilshod Rakhimov will pay "
        "an official visit to Latvia on September 9-10 at the invitation of his Latvian "
        "counterpart Ilze Vanaga, the ministry said.\n\nThe ministers will discuss trade."
    )
    draft = _draft(
        _event(
            [_person("Dilshod Rakhimov", "Uzbekistan", "visitor")],
            date="September 2",
        )
    )
    (event,) = build_events(draft, text, dt.date(2024, 9, 2), "en")
    assert (event.kind, event.happened) == ("announcement", False)
    assert event.date == dt.date(2024, 9, 9)
    assert event.date_text == "September 9"


def test_a_lead_reporting_a_meeting_is_not_an_announcement() -> None:
    text = (
        "RIGA, September 9. Foreign Minister Dilshod Rakhimov met Latvian Foreign Minister "
        "Ilze Vanaga, and the two will hold consultations again next year."
    )
    draft = _draft(
        _event([_person("Dilshod Rakhimov", "Uzbekistan", "visitor")], date="September 9")
    )
    (event,) = build_events(draft, text, dt.date(2024, 9, 9), "en")
    assert (event.kind, event.happened, event.date) == ("meeting", True, dt.date(2024, 9, 9))


def test_the_spokesperson_who_reports_the_meeting_is_not_a_participant() -> None:
    text = (
        "TASHKENT, September 2. Foreign Minister Dilshod Rakhimov met his Latvian counterpart "
        "Ilze Vanaga, the ministry's press secretary Nilufar Sodiqova told a briefing."
    )
    draft = _draft(
        _event(
            [
                _person("Dilshod Rakhimov", "Uzbekistan", "host"),
                _person("Ilze Vanaga", "Latvia", "visitor"),
                _person("Nilufar Sodiqova", "Uzbekistan", "host", lead=False),
            ]
        )
    )
    (event,) = build_events(draft, text, None, "en")
    assert [p.name for p in event.participants] == ["Dilshod Rakhimov", "Ilze Vanaga"]


def test_an_attendee_joins_the_meeting_the_sentence_follows_not_an_earlier_one() -> None:
    text = (
        "BELGRADE, June 11. Minister of Economy Samir Gurbanli met with Serbian Minister of "
        "Economy Jelena Markovic. Later, Gurbanli met with Serbian Minister of Mining and "
        "Energy Nenad Stojkovic. Azerbaijani Ambassador to Serbia Elchin Huseynli also took "
        "part in the meeting."
    )
    draft = _draft(
        _event(
            [
                _person("Samir Gurbanli", "Azerbaijan", "visitor"),
                _person("Jelena Markovic", "Serbia", "host"),
            ]
        )
    )
    event, missed = build_events(draft, text, None, "en")
    assert [p.name for p in event.participants] == ["Samir Gurbanli", "Jelena Markovic"]
    assert missed.origin == "text"
    assert [p.name for p in missed.participants] == [
        "Samir Gurbanli",
        "Nenad Stojkovic",
        "Elchin Huseynli",
    ]
    # when the model has the second meeting, the ambassador joins that
    second = _event(
        [
            _person("Samir Gurbanli", "Azerbaijan", "visitor"),
            _person("Nenad Stojkovic", "Serbia", "host"),
        ],
        summary="The minister met the energy minister.",
    )
    first, later = build_events(_draft(draft.events[0].model_dump(), second), text, None, "en")
    assert "Elchin Huseynli" not in [p.name for p in first.participants]
    assert [p.name for p in later.participants][-1] == "Elchin Huseynli"
    assert (later.participants[-1].affiliation, later.participants[-1].side) == (
        "Azerbaijan",
        "visitor",
    )


def test_a_later_meeting_and_a_call_the_model_missed_become_their_own_events() -> None:
    text = (
        "BELGRADE, June 11. Azerbaijan's Minister of Economy Samir Gurbanli met with Serbian "
        "Minister of Economy Jelena Markovic. Later, Gurbanli met with Serbian Minister of "
        "Mining and Energy Nenad Stojkovic. Azerbaijani Ambassador to Serbia Elchin Huseynli "
        "also took part in the meeting. On June 10, Serbian Foreign Minister Marko Djuric "
        "held a phone conversation with his Azerbaijani counterpart Jeyhun Bayramov."
    )
    draft = _draft(
        _event(
            [
                _person("Samir Gurbanli", "Azerbaijan", "visitor"),
                _person("Jelena Markovic", "Serbia", "host"),
            ],
            date="June 11",
            city="Belgrade",
            country="Serbia",
        )
    )
    first, later, call = build_events(draft, text, dt.date(2024, 6, 11), "en")
    assert first.origin == "model" and later.origin == call.origin == "text"
    assert [p.name for p in later.participants] == [
        "Samir Gurbanli",
        "Nenad Stojkovic",
        "Elchin Huseynli",
    ]
    stojkovic = later.participants[1]
    assert (stojkovic.role, stojkovic.affiliation, stojkovic.side) == (
        "Minister of Mining and Energy",
        "Serbia",
        "host",
    )
    assert (later.kind, later.date, later.location) == (
        "meeting",
        dt.date(2024, 6, 11),
        first.location,
    )
    assert later.summary_origin == "composed"
    assert later.summary == (
        "Nenad Stojkovic (Minister of Mining and Energy, Serbia) met Samir Gurbanli "
        "(Azerbaijan) in Belgrade, Serbia on 11 June 2024."
    )
    assert (call.kind, call.date, call.location) == ("call", dt.date(2024, 6, 10), None)
    assert [p.name for p in call.participants] == ["Marko Djuric", "Jeyhun Bayramov"]
    assert call.participants[1].role == "Foreign Minister"  # "his counterpart"
    for event in (later, call):
        for person in event.participants:
            assert all(text[s.start : s.end] == s.text for s in person.evidence)


def test_no_event_from_a_sentence_about_an_earlier_year_or_an_event_the_model_has() -> None:
    text = (
        "Minister of Economy Samir Gurbanli met with Minister of Economy Jelena Markovic. "
        "In 2019, Gurbanli met with President of Serbia Aleksandar Vucic."
    )
    draft = _draft(
        _event(
            [
                _person("Samir Gurbanli", "Azerbaijan", "visitor"),
                _person("Jelena Markovic", "Serbia", "host"),
            ]
        )
    )
    assert len(build_events(draft, text, dt.date(2024, 6, 11), "en")) == 1


def test_a_principal_the_model_left_out_of_its_event_joins_it() -> None:
    text = (
        "DAKAR. La ministre des Affaires étrangères, Mme Khady Ndiaye Sarr, a reçu mercredi le "
        "Représentant spécial Pedro Albuquerque Nunes."
    )
    draft = _draft(_event([_person("Pedro Albuquerque Nunes", "UN", "visitor")]))
    (event,) = build_events(draft, text, None, "fr")
    assert [p.name for p in event.participants] == ["Pedro Albuquerque Nunes", "Khady Ndiaye Sarr"]
    assert (event.participants[1].side, event.participants[1].role) == ("host", None)


def test_a_meeting_first_reported_as_a_phone_conversation_is_a_call() -> None:
    text = (
        "Foreign Minister Nino Kapanadze received Vice-Minister Tomas Valiukas. Earlier in the "
        "day, Kapanadze held a phone conversation with Foreign Minister Ion Ciobanu."
    )
    draft = _draft(
        _event(
            [
                _person("Nino Kapanadze", "Georgia", "host"),
                _person("Tomas Valiukas", "Lithuania", "visitor"),
            ]
        ),
        _event(
            [
                _person("Nino Kapanadze", "Georgia", "host"),
                _person("Ion Ciobanu", "Moldova", "visitor"),
            ],
            city="Tbilisi",
            summary="Kapanadze spoke with Ciobanu.",
        ),
    )
    first, second = build_events(draft, text, None, "en")
    assert (first.kind, second.kind, second.location) == ("meeting", "call", None)


def test_a_dutch_call_with_met_is_still_a_call() -> None:
    # Dutch "met" is "with": "heeft gebeld met" is "called with", not "met".
    text = (
        "Premier Mark Rutte heeft gebeld met de Oekraïense president Volodimir Zelenski. "
        "De twee spraken volgens Zelenski over militaire steun."
    )
    draft = _draft(
        _event(
            [
                _person("Mark Rutte", "Netherlands", "host"),
                _person("Volodimir Zelenski", "Ukraine", "visitor"),
            ],
            city="Den Haag",
        )
    )
    (event,) = build_events(draft, text, None, "nl")
    assert (event.kind, event.location) == ("call", None)


def test_a_meeting_in_person_beside_a_call_sentence_stays_a_meeting() -> None:
    text = (
        "Minister Anna Berg met Minister Jonas Falk in Oslo. "
        "Berg and Falk had spoken by phone last week."
    )
    draft = _draft(
        _event(
            [
                _person("Anna Berg", "Norway", "host"),
                _person("Jonas Falk", "Sweden", "visitor"),
            ],
            city="Oslo",
        )
    )
    (event,) = build_events(draft, text, None, "en")
    assert event.kind == "meeting"


def test_an_azerbaijani_call_is_a_call() -> None:
    text = (
        "Avqustun 28-də Prezident Vladimir Putin Prezident İlham Əliyevə zəng edib. "
        "Telefon söhbəti əsnasında regionda vəziyyət müzakirə olunub."
    )
    draft = _draft(
        _event(
            [
                _person("Vladimir Putin", "Russia", "host"),
                _person("İlham Əliyevə", "Azerbaijan", "visitor"),
            ],
            city="Bakı",
        )
    )
    (event,) = build_events(draft, text, None, "az")
    assert (event.kind, event.location) == ("call", None)
