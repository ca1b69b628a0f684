"""The oracle check: gold records fed as the model's draft come out unchanged.

A user with a stronger hosted model relies on this: the post-model passes must not
break a right answer. The check needs no model, so it runs on every real case.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from communique.evals.fields import FIELDS, FieldCount, field_counts, field_metrics
from communique.evals.gold import load_case
from communique.evals.oracle import GoldBackend, gold_draft
from communique.evals.results import FieldCheck
from communique.evals.runner import EVALS, PARTS, REAL_SETS_PARTS, run_eval
from communique.extract.pipeline import Summariser
from communique.extract.prompts import load_prompt
from communique.inputs import Article, read_inputs
from communique.text.alignment import align
from communique.text.dates import resolve_date

#: every field of a right answer must come out right this often; a part below it today
#: must not drop below what it scored when evals/oracle_baseline.json was written
ORACLE_FLOOR = 0.98
BASELINE = json.loads((EVALS / "oracle_baseline.json").read_text())["parts"]


def _article(part: str, case_id: str) -> Article:
    item = next(iter(read_inputs([str(PARTS[part] / f"{case_id}.txt")])))
    assert isinstance(item, Article)
    return item


def test_gold_draft_spells_names_as_the_article_and_words_dates_as_it() -> None:
    case = load_case(PARTS["tuned"] / "ru01_regnum_lavrov_bayramov_call.gold.json")
    article = _article("tuned", case.id)
    draft = gold_draft(case, article.text, article.published)
    for event, gold in zip(draft.events, case.events, strict=True):
        assert resolve_date(event.date, article.published, happened=event.happened) == gold.date
        for person, gold_person in zip(event.people, gold.participants, strict=True):
            assert align(article.text, person.name, is_name=True).grounded
            assert (person.en or person.name) == gold_person.name


def test_a_value_left_out_lowers_recall_and_a_false_one_precision() -> None:
    class Pair:
        def __init__(self, city: FieldCheck) -> None:
            self.kind = FieldCheck(gold="meeting", predicted="meeting", ok=True)
            self.date = None
            self.city = city
            self.country = None
            self.participants: list[object] = []

    left_out = Pair(FieldCheck(gold="Baku", predicted=None, ok=False))
    false = Pair(FieldCheck(gold="Baku", predicted="Ankara", ok=False))
    right = Pair(FieldCheck(gold="Baku", predicted="Baku", ok=True))
    metrics = field_metrics(field_counts([left_out, right]))
    assert metrics["city_precision"] == 1.0 and metrics["city_recall"] == 0.5
    metrics = field_metrics(field_counts([false, right]))
    assert metrics["city_precision"] == 0.5 and metrics["city_recall"] == 0.5
    assert field_counts([])["role"] == FieldCount()
    assert set(FIELDS) >= {"kind", "date", "city", "role", "affiliation"}


def test_the_gold_backend_is_never_asked() -> None:
    with pytest.raises(Exception, match="gold"):
        GoldBackend().create(messages=[])


@pytest.mark.parametrize("part", [*REAL_SETS_PARTS, "synthetic"])
def test_passes_keep_a_right_answer(part: str) -> None:
    """Fed the gold record as its draft, every field comes out right (precision and
    recall of each field, of events and of participants)."""
    summariser = Summariser(GoldBackend(), load_prompt(), use_cache=False, log_calls=False)
    result = run_eval(summariser, {part: PARTS[part]}, oracle=True)
    floors = {name: min(ORACLE_FLOOR, value) - 1e-4 for name, value in BASELINE[part].items()}
    low = {
        name: value
        for name, value in result.overall.items()
        if name in floors and value is not None and value < floors[name]
    }
    assert not low, f"the passes break right answers in {part}: {low}"
    assert set(floors) >= {f"{f}_{k}" for f in FIELDS for k in ("precision", "recall")}


def test_a_right_answer_survives_the_verification_call_on_the_tuned_part() -> None:
    """With the verification call (v9, every field asked about: 62 questions on this
    part), a perfect model's answers to its questions leave every right value as it was."""
    prompt = load_prompt("meeting_summary@v9")
    prompt = dataclasses.replace(prompt, verify_fields=("city", "date", "affiliation"))
    summariser = Summariser(GoldBackend(), prompt, use_cache=False, log_calls=False)
    result = run_eval(summariser, {"tuned": PARTS["tuned"]}, oracle=True)
    low = {
        name: value
        for name, value in result.overall.items()
        if name in BASELINE["tuned"] and value is not None and value < ORACLE_FLOOR
    }
    assert not low, f"a right answer did not survive its question: {low}"
