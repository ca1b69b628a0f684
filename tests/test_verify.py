"""The verification turn (prompt v9): each doubtful value is asked again with the
options the text gives, and the answer confirms, corrects or leaves it out.

The model is faked at the HTTP boundary; the articles are written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from communique.extract.assemble import assemble
from communique.extract.draft import ExtractionDraft
from communique.extract.prompts import load_prompt
from communique.extract.verify import NOT_STATED, apply_answers, doubtful_values
from communique.inputs.readers import Article
from communique.text.analysis import analyse
from fake_openai import FakeOpenAI, completion, http_error

V9 = "meeting_summary@v9"
DAY = dt.date(2024, 5, 3)
TEXT = (
    "LONDON, May 3. British Foreign Secretary Ana Brandt met Chilean Foreign Minister Diego "
    "Rojas in Paris on Thursday. They discussed trade."
)
NOTHING: dict[str, Any] = {"events": []}


def _answer(city: str | None, rojas_org: str | None = "Chile") -> dict[str, Any]:
    people = [
        {"name": "Ana Brandt", "role": "Foreign Secretary", "org": "United Kingdom",
         "side": "host", "lead": True},
        {"name": "Diego Rojas", "role": "Foreign Minister", "org": rojas_org,
         "side": "visitor", "lead": True},
    ]  # fmt: skip
    return {
        "events": [
            {"kind": "meeting", "happened": True, "date": "Thursday", "city": city,
             "country": None, "people": people, "signed": [], "topics": ["trade"]}
        ]
    }  # fmt: skip


def _questions(
    draft: dict[str, Any],
    text: str = TEXT,
    fields: tuple[str, ...] = ("city", "date", "affiliation"),
) -> list[Any]:
    analysed = analyse(text, DAY, "a.txt")
    parsed = ExtractionDraft.model_validate(draft)
    assembled = assemble(parsed, analysed.whole, DAY)
    return doubtful_values(assembled, parsed, analysed.whole, DAY, fields)


def test_a_city_is_doubtful_when_the_text_names_another_and_the_options_come_from_it() -> None:
    (question,) = [q for q in _questions(_answer("London")) if q.field == "city"]
    assert question.stated == "London"
    assert question.options == ("London", "Paris", NOT_STATED)
    # the city the event's own sentence names, and the only one: nothing to ask
    alone = "Foreign Secretary Ana Brandt met Chilean Foreign Minister Diego Rojas in Paris."
    assert not [q for q in _questions(_answer("Paris"), alone) if q.field == "city"]


def test_an_affiliation_is_doubtful_when_it_copies_the_counterparts() -> None:
    text = (
        "LONDON, May 3. British Foreign Secretary Ana Brandt received Diego Rojas in "
        "Paris on Thursday. Chile and the United Kingdom discussed trade."
    )
    asked = [q for q in _questions(_answer("Paris", "United Kingdom"), text)
             if q.field == "affiliation"]  # fmt: skip
    assert [(q.person_name, q.stated, q.options) for q in asked] == [
        ("Diego Rojas", "United Kingdom", ("Chile", "United Kingdom", NOT_STATED))
    ]
    # a prompt that asks about cities only asks no affiliation (v9: cities and dates)
    only_cities = _questions(_answer("Paris", "United Kingdom"), text, ("city",))
    assert [q.field for q in only_cities] == ["city"]
    assert load_prompt(V9).verify_fields == ("city", "date")
    # his own country, which the text names: nothing to ask; nor about Brandt's, which
    # her own title phrase names ("British")
    assert not [q for q in _questions(_answer("Paris"), text) if q.field == "affiliation"]


def test_an_answer_confirms_corrects_or_leaves_out_each_value() -> None:
    draft = ExtractionDraft.model_validate(_answer("London"))
    questions = _questions(_answer("London"))
    key = next(q.key for q in questions if q.field == "city")
    for answer, city, outcome in (
        ("London", "London", "confirmed"),
        ("Paris", "Paris", "corrected"),
        (NOT_STATED, None, "left out"),
    ):
        fixed, checked = apply_answers(draft, questions, {key: answer})
        assert fixed.events[0].city == city
        assert [(c.field, c.outcome) for c in checked] == [("city", outcome)]
    # an answer that is no option changes nothing
    fixed, checked = apply_answers(draft, questions, {key: "Rome"})
    assert fixed.events[0].city == "London" and checked == []


def test_the_verification_turn_asks_with_the_options_and_its_answer_reaches_the_record(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    fake_openai.add(completion(_answer("London")), completion(NOTHING), completion({"q1": "Paris"}))
    record = make_summariser(prompt=load_prompt(V9)).summarise(
        Article(source="a.txt", text=TEXT, published=DAY)
    )
    assert record.status == "ok", record.error
    assert record.events[0].location is not None
    assert record.events[0].location.city == "Paris"
    assert record.provenance is not None
    assert [(c.field, c.stated, c.answer, c.outcome) for c in record.provenance.checked] == [
        ("city", "London", "Paris", "corrected")
    ]
    _, _, verify = (r["messages"] for r in fake_openai.requests)
    # one call of its own: the article and the questions, each with its options
    assert [m["role"] for m in verify] == ["system", "user"]
    assert TEXT in verify[-1]["content"]
    assert "London | Paris | not stated" in verify[-1]["content"]
    # the grammar allows only the options
    schema = json.dumps(fake_openai.requests[-1])
    assert '"London"' in schema and '"Paris"' in schema and '"not stated"' in schema


def test_a_failed_verification_turn_keeps_the_values(
    fake_openai: FakeOpenAI, make_summariser: Any
) -> None:
    fake_openai.add(completion(_answer("London")), completion(NOTHING), http_error(400))
    record = make_summariser(prompt=load_prompt(V9)).summarise(
        Article(source="a.txt", text=TEXT, published=DAY)
    )
    assert record.status == "ok", record.error
    assert record.events[0].location is not None
    assert record.events[0].location.city == "London"
    assert record.provenance is not None and record.provenance.checked == []


def test_a_prompt_that_adds_only_the_verification_reuses_its_base_prompts_cached_reading(
    fake_openai: FakeOpenAI, make_summariser: Any, tmp_path: Any
) -> None:
    from communique.store.cache import ResultCache

    cache = ResultCache(tmp_path / "cache")
    article = Article(source="a.txt", text=TEXT, published=DAY)
    fake_openai.add(completion(_answer("London")), completion(NOTHING))
    base = make_summariser(prompt=load_prompt("meeting_summary@v7"), cache=cache)
    assert base.summarise(article).events[0].location.city == "London"
    fake_openai.add(completion({"q1": NOT_STATED}))
    record = make_summariser(prompt=load_prompt(V9), cache=cache).summarise(article)
    # only the verification was asked: v9 reads the article as v7 did, word for word
    assert len(fake_openai.requests) == 3
    assert record.events[0].location is None  # the text does not state it: left out
    assert record.provenance is not None and record.provenance.prompt == V9
    assert [c.outcome for c in record.provenance.checked] == ["left out"]
    # and v9's own record is cached
    again = make_summariser(prompt=load_prompt(V9), cache=cache).summarise(article)
    assert len(fake_openai.requests) == 3 and again.provenance is not None
    assert [c.outcome for c in again.provenance.checked] == ["left out"]


def test_the_oracle_answers_from_gold_so_a_right_value_survives_the_question() -> None:
    from communique.evals.gold import GoldCase
    from communique.evals.oracle import gold_answerer

    case = GoldCase.model_validate(
        {
            "id": "t", "title": "t", "source": "synthetic", "licence": "CC0", "synthetic": True,
            "language": "en", "tags": [], "notes": "",
            "events": [{
                "kind": "meeting", "happened": True, "date": "2024-05-02",
                "location": {"city": "Paris", "country": "France"},
                "participants": [], "sides": [], "agreements": [], "topics": [], "summary": "s",
            }],
        }
    )  # fmt: skip
    questions = _questions(_answer("London"))
    answers = gold_answerer(case, DAY)(questions)
    assert answers[next(q.key for q in questions if q.field == "city")] == "Paris"
