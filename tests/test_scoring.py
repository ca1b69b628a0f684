"""The eval scorer: what each metric rewards and punishes, without a model."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from communique.evals.assignment import best_assignment
from communique.evals.events import location_ok
from communique.evals.gold import GoldCase, GoldEvent, GoldParticipant
from communique.evals.metrics import HEADLINE_WEIGHTS, METRICS
from communique.evals.participants import affiliation_ok
from communique.evals.person_names import person_match
from communique.evals.results import CaseScore, EvalResult
from communique.evals.scoring import score_case, summarise_scores
from communique.schema import (
    Agreement,
    ArticleInfo,
    ArticleRecord,
    ErrorInfo,
    Event,
    Location,
    Participant,
)

ARTICLE = (
    "Ankara, 14 March 2023. Speaker of the Grand National Assembly of Türkiye Mustafa Şentop "
    "received the Speaker of the Milli Majlis of Azerbaijan Sahiba Gafarova. Foreign Minister "
    "Mevlüt Çavuşoğlu also attended. The sides discussed energy and transport. "
    "Later that day the delegations signed a memorandum of understanding on parliamentary "
    "cooperation."
)
DAY = dt.date(2023, 3, 14)


def gold_case(events: list[GoldEvent] | None = None, case_id: str = "tr-az") -> GoldCase:
    return GoldCase(
        id=case_id,
        source="synthetic",
        licence="synthetic",
        synthetic=True,
        language="en",
        tags=["parliament", "diacritics"],
        events=[meeting_gold(), signing_gold()] if events is None else events,
    )


def gp(name: str, role: str, affiliation: str, side: str, **kw: object) -> GoldParticipant:
    return GoldParticipant.model_validate(
        {"name": name, "role": role, "affiliation": affiliation, "side": side, **kw}
    )


def meeting_gold() -> GoldEvent:
    return GoldEvent(
        kind="meeting",
        happened=True,
        date=DAY,
        location=Location(city="Ankara", country="Türkiye"),
        participants=[
            gp("Mustafa Şentop", "Speaker of the Grand National Assembly", "Türkiye", "host"),
            gp("Sahiba Gafarova", "Speaker of the Milli Majlis", "Azerbaijan", "visitor"),
            gp("Mevlüt Çavuşoğlu", "Foreign Minister", "Türkiye", "host"),
        ],
        sides=["Türkiye", "Azerbaijan"],
        topics=["energy", "transport"],
        summary="Şentop received Gafarova in Ankara.",
    )


def signing_gold() -> GoldEvent:
    return GoldEvent(
        kind="signing",
        happened=True,
        date=DAY,
        location=Location(city="Ankara", country="Türkiye"),
        participants=[
            gp("Mustafa Şentop", "Speaker", "Türkiye", "host"),
            gp("Sahiba Gafarova", "Speaker", "Azerbaijan", "visitor"),
        ],
        sides=["Türkiye", "Azerbaijan"],
        agreements=["Memorandum of understanding on parliamentary cooperation"],
        topics=["parliamentary cooperation"],
        summary="The delegations signed a memorandum.",
    )


def to_event(gold: GoldEvent, summary: str | None = None) -> Event:
    """The prediction a perfect model would make for ``gold``."""
    return Event(
        kind=gold.kind,
        happened=gold.happened,
        date=gold.date,
        location=gold.location,
        participants=[
            Participant(name=p.name, role=p.role, affiliation=p.affiliation, side=p.side)
            for p in gold.participants
        ],
        sides=gold.sides,
        agreements=[Agreement(title=a) for a in gold.agreements],
        topics=gold.topics,
        summary=summary or gold.summary,
    )


def record(events: list[Event]) -> ArticleRecord:
    return ArticleRecord(
        article=ArticleInfo(id="0" * 16, source="test.txt", chars=len(ARTICLE)), events=events
    )


def error_record() -> ArticleRecord:
    return ArticleRecord(
        status="error",
        article=ArticleInfo(id="0" * 16, source="test.txt", chars=len(ARTICLE)),
        error=ErrorInfo(kind="validation", message="gave up after 3 attempts"),
    )


def summarise(*scores: CaseScore) -> EvalResult:
    return summarise_scores(list(scores), prompt="p@v1", model="m", seconds=1.0, cached=0)


def test_perfect_prediction_scores_one_everywhere() -> None:
    case = gold_case()
    score = score_case(case, record([to_event(e) for e in case.events]), ARTICLE)
    perfect = dict.fromkeys(METRICS, 1.0) | {"role_english": None}  # an English article
    assert score.metrics == perfect
    assert score.headline == 1.0
    assert score.missed_participants == [] and score.extra_participants == []
    result = summarise(score)
    assert result.overall == perfect
    assert result.headline == 1.0


def test_missing_participant_lowers_recall_exactly() -> None:
    case = gold_case()
    meeting = to_event(case.events[0])
    meeting.participants = meeting.participants[:2]  # drop Çavuşoğlu
    score = score_case(case, record([meeting, to_event(case.events[1])]), ARTICLE)
    assert score.metrics["participant_recall"] == pytest.approx(4 / 5)
    assert score.metrics["participant_precision"] == 1.0
    assert score.metrics["participant_f1"] == pytest.approx(2 * 4 / (4 + 5))
    assert score.missed_participants == ["Mevlüt Çavuşoğlu"]
    assert score.metrics["event_f1"] == 1.0
    assert score.headline < 1.0


def test_names_forgive_diacritics_order_and_script() -> None:
    assert person_match("Şentop", "Sentop")
    assert person_match("Mevlut Cavusoglu", "Mevlüt Çavuşoğlu")
    assert person_match("Fidan Hakan", "Hakan Fidan")
    assert person_match("Лавров", "Lavrov")
    assert person_match("Сергей Лавров", "Sergei Lavrov")
    assert person_match("Ильхам Алиев", "Ilham Aliyev")
    assert person_match("Sergey Viktorovich Lavrov", "Sergey Lavrov")


def test_names_do_not_match_a_different_person() -> None:
    assert not person_match("Heydar Aliyev", "Ilham Aliyev")
    assert not person_match("Aliyev", "Ilham Aliyev")  # a surname alone is not enough
    assert not person_match("Hakan Fidan", "Mustafa Şentop")


def test_participant_matching_uses_transliteration_and_aliases() -> None:
    gold = meeting_gold()
    gold.participants[1].aliases = ["Sahibə Qafarova"]
    case = gold_case([gold])
    pred = to_event(gold)
    pred.participants[0].name = "Sentop Mustafa"
    pred.participants[1].name = "Sahibə Qafarova"
    pred.participants[2].name = "Mevlut Cavusoglu"
    score = score_case(case, record([pred]), ARTICLE)
    assert score.metrics["participant_f1"] == 1.0


def test_wrong_person_is_missed_and_extra() -> None:
    gold = GoldEvent(
        kind="call",
        happened=True,
        participants=[gp("Ilham Aliyev", "President", "Azerbaijan", "host")],
        summary="A call.",
    )
    pred = to_event(gold)
    pred.participants[0].name = "Heydar Aliyev"
    score = score_case(gold_case([gold]), record([pred]), "Heydar Aliyev Ilham Aliyev")
    assert score.metrics["participant_f1"] == 0.0
    assert score.missed_participants == ["Ilham Aliyev"]
    assert score.extra_participants == ["Heydar Aliyev"]


def test_events_in_swapped_order_still_pair_up() -> None:
    case = gold_case()
    pred = [to_event(case.events[1]), to_event(case.events[0])]
    score = score_case(case, record(pred), ARTICLE)
    assert {(e.gold_index, e.predicted_index) for e in score.events} == {(0, 1), (1, 0)}
    assert score.metrics == dict.fromkeys(METRICS, 1.0) | {"role_english": None}


def test_extra_event_lowers_event_precision_only() -> None:
    case = gold_case([meeting_gold()])
    extra = to_event(signing_gold())
    score = score_case(case, record([to_event(case.events[0]), extra]), ARTICLE)
    assert score.metrics["event_precision"] == 0.5
    assert score.metrics["event_recall"] == 1.0
    assert score.metrics["event_count_accuracy"] == 0.0
    assert score.unmatched_predicted_events == [1]
    assert score.metrics["participant_precision"] == pytest.approx(3 / 5)


def test_field_errors_on_a_matched_event() -> None:
    case = gold_case([meeting_gold()])
    pred = to_event(case.events[0])
    pred.date = dt.date(2023, 3, 15)
    pred.location = Location(city="Istanbul", country="Turkey")
    pred.participants[2].role = "Minister of Foreign Affairs"  # still the same role
    pred.participants[2].side = "visitor"
    score = score_case(case, record([pred]), ARTICLE)
    assert score.metrics["event_f1"] == 1.0
    assert score.metrics["date_accuracy"] == 0.0
    assert score.metrics["location_accuracy"] == 0.0
    assert score.metrics["kind_accuracy"] == 1.0
    assert score.metrics["role_accuracy"] == 1.0
    assert score.metrics["side_accuracy"] == pytest.approx(2 / 3)
    assert score.events[0].date.gold == "2023-03-14"
    assert score.events[0].date.predicted == "2023-03-15"


def test_places_use_synonyms() -> None:
    assert location_ok(
        Location(city="Baku", country="Azerbaijan"), Location(city="Bakı", country="AZERBAIJAN")
    )
    assert location_ok(Location(country="Turkey"), Location(country="Türkiye"))
    assert location_ok(None, Location())
    assert not location_ok(None, Location(city="Ankara"))
    assert affiliation_ok("Turkey", "Republic of Türkiye")
    assert affiliation_ok("Azerbaijan", "Ministry of Foreign Affairs of Azerbaijan")
    assert not affiliation_ok("Turkey", "Azerbaijan")


def test_invented_name_in_summary_is_flagged() -> None:
    case = gold_case([meeting_gold()])
    pred = to_event(
        case.events[0],
        summary="Turkish Speaker Mustafa Sentop met Azerbaijani Speaker Sahiba Gafarova and "
        "Vladimir Putin in Ankara on 14 March 2023.",
    )
    score = score_case(case, record([pred]), ARTICLE)
    assert score.summaries[0].unfaithful == ["Vladimir", "Putin"]
    assert score.metrics["summary_faithfulness"] == 0.0


def test_faithful_summary_allows_demonyms_months_and_sentence_starts() -> None:
    case = gold_case([meeting_gold()])
    summary = (
        "On 14 March 2023, Turkish Speaker Mustafa Şentop hosted his Azerbaijani counterpart "
        "Sahiba Gafarova in Ankara, Turkey. Foreign Minister Cavusoglu attended."
    )
    score = score_case(case, record([to_event(case.events[0], summary)]), ARTICLE)
    assert score.summaries[0].unfaithful == []


def test_english_summary_of_a_russian_article() -> None:
    article = (
        "Министр иностранных дел России Сергей Лавров провёл переговоры с министром "
        "иностранных дел Турции Хаканом Фиданом в Москве 5 апреля."
    )
    gold = GoldEvent(kind="meeting", happened=True, summary="Lavrov met Fidan.")
    faithful = (
        "Russian Foreign Minister Sergei Lavrov met Turkish Foreign Minister Hakan Fidan "
        "in Moscow on 5 April."
    )
    invented = "Lavrov met Vladimir Putin in Moscow on 7 April."
    score = score_case(
        gold_case([gold, gold]),
        record([to_event(gold, faithful), to_event(gold, invented)]),
        article,
    )
    assert [s.unfaithful for s in score.summaries] == [[], ["Vladimir", "Putin", "7"]]


def test_a_summary_left_in_the_articles_language_is_not_english() -> None:
    article = (
        "Министр иностранных дел России Сергей Лавров провёл переговоры с министром "
        "иностранных дел Турции Хаканом Фиданом в Москве 5 апреля. Стороны обсудили "
        "двустороннее сотрудничество и ситуацию в регионе."
    )
    gold = GoldEvent(kind="meeting", happened=True, summary="Lavrov met Fidan.")
    english = "Lavrov and Fidan held talks in Moscow on bilateral cooperation."
    copied = "Сергей Лавров провёл переговоры с Хаканом Фиданом в Москве."
    both = score_case(
        gold_case([gold, gold]), record([to_event(gold, english), to_event(gold, copied)]), article
    )
    assert both.metrics["summary_english"] == 0.5
    assert [s.language for s in both.summaries][1] == "ru"


def test_invented_number_in_summary_is_flagged() -> None:
    case = gold_case([meeting_gold()])
    pred = to_event(case.events[0], summary="They signed 12 agreements in Ankara.")
    score = score_case(case, record([pred]), ARTICLE)
    assert score.summaries[0].unfaithful == ["12"]


def test_error_record_scores_zero_and_lowers_schema_validity() -> None:
    case = gold_case()
    bad = score_case(case, error_record(), ARTICLE)
    assert bad.status == "error"
    assert bad.metrics == dict.fromkeys(METRICS, 0.0)
    assert bad.headline == 0.0
    assert "gave up" in (bad.error or "")
    good = score_case(case, record([to_event(e) for e in case.events]), ARTICLE)
    result = summarise(good, bad)
    assert result.overall["schema_validity"] == 0.5
    # the error case's gold participants count as missed in the pooled recall
    assert result.overall["participant_recall"] == pytest.approx(5 / 10)
    assert result.overall["participant_precision"] == 1.0
    assert result.overall["kind_accuracy"] == 0.5  # macro: mean of 1.0 and 0.0
    assert result.headline < 1.0


def test_no_meeting_case() -> None:
    case = gold_case([])
    score = score_case(case, record([]), "The ministry published its annual report.")
    for name in ("event_count_accuracy", "event_precision", "event_recall", "event_f1"):
        assert score.metrics[name] == 1.0
    assert score.metrics["participant_f1"] == 1.0
    assert score.metrics["kind_accuracy"] is None  # no event to judge
    assert score.headline == 1.0

    invented = score_case(case, record([to_event(meeting_gold())]), ARTICLE)
    assert invented.metrics["event_f1"] == 0.0
    assert invented.metrics["event_count_accuracy"] == 0.0


def test_sides_agreements_topics() -> None:
    case = gold_case([signing_gold()])
    pred = to_event(case.events[0])
    pred.sides = ["Turkey", "Azerbaijan", "Russia"]
    pred.agreements = [Agreement(title="MoU on parliamentary cooperation")]
    pred.topics = ["parliamentary cooperation", "tourism"]
    match = score_case(case, record([pred]), ARTICLE).events[0]
    assert match.sides_f1 == pytest.approx(2 * 2 / 5)
    assert match.agreements_f1 == 1.0
    assert 0.5 < match.topics_soft < 1.0


def test_result_round_trips_through_json() -> None:
    case = gold_case()
    result = summarise(
        score_case(case, record([to_event(e) for e in case.events]), ARTICLE),
        score_case(gold_case([], "empty"), record([]), "Nothing happened."),
        score_case(gold_case(case_id="broken"), error_record(), ARTICLE),
    )
    again = EvalResult.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.n_cases == 3
    assert set(again.overall) == set(METRICS)


def test_headline_weights_make_participants_heaviest() -> None:
    assert max(HEADLINE_WEIGHTS, key=lambda k: HEADLINE_WEIGHTS[k]) == "participant_f1"
    assert set(HEADLINE_WEIGHTS) <= set(METRICS)


def test_best_assignment_is_optimal() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        grid = [[rng.choice([0.0, 0.5, 1.0, rng.random()]) for _ in range(m)] for _ in range(n)]
        pairs = best_assignment(grid)
        assert len({i for i, _ in pairs}) == len(pairs) == min(n, m)
        got = sum(grid[i][j] for i, j in pairs)
        if n <= m:
            best = max(
                sum(grid[i][p[i]] for i in range(n)) for p in itertools.permutations(range(m), n)
            )
        else:
            best = max(
                sum(grid[p[j]][j] for j in range(m)) for p in itertools.permutations(range(n), m)
            )
        assert got == pytest.approx(best)
