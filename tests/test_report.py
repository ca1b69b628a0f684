"""Reports and comparisons of eval results: tables, HTML and Markdown."""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from rich.table import Table

from communique.evals.compare import (
    changed_cases_table,
    compare_markdown,
    compare_results,
    compare_table,
    render_compare_html,
)
from communique.evals.report import cases_table, render_html, results_table
from communique.evals.results import EvalResult
from communique.evals.scoring import score_case
from test_scoring import (
    ARTICLE,
    error_record,
    gold_case,
    meeting_gold,
    record,
    summarise,
    to_event,
)


def baseline() -> EvalResult:
    case = gold_case()
    perfect = score_case(case, record([to_event(e) for e in case.events]), ARTICLE)
    empty = score_case(gold_case([], "no-meeting"), record([]), "Nothing happened.")
    meeting = gold_case([meeting_gold()], "<b>odd&id</b>")
    pred = to_event(meeting.events[0], summary="Sentop met Vladimir Putin in Ankara.")
    pred.participants = pred.participants[:2]
    partial = score_case(meeting, record([pred]), ARTICLE)
    return summarise(perfect, empty, partial)


def candidate() -> EvalResult:
    """The baseline with one case broken: the model failed on 'tr-az'."""
    base = baseline()
    broken = score_case(gold_case(), error_record(), ARTICLE)
    cases = [broken if c.id == "tr-az" else c for c in base.cases]
    return summarise(*cases)


def rendered(table: Table) -> str:
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def external_references(html: str) -> list[str]:
    return re.findall(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", html, re.I)


def test_terminal_tables_show_metrics_and_cases() -> None:
    result = baseline()
    overall = rendered(results_table(result))
    assert f"{result.headline:.3f}" in overall
    assert "participant F1" in overall and "micro" in overall
    cases = rendered(cases_table(result))
    for case in result.cases:
        assert case.id in cases


def test_html_is_self_contained_and_shows_headline_and_every_case() -> None:
    result = baseline()
    html = render_html(result)
    assert html.startswith("<!DOCTYPE html>")
    assert f"{result.headline:.3f}" in html
    for case in result.cases:
        assert f'id="case-{case.id}"' in html or "odd&amp;id" in html
    assert "tr-az" in html and "no-meeting" in html
    assert external_references(html) == []
    assert "<svg" in html and "<details" in html


def test_html_escapes_data_and_shows_why() -> None:
    html = render_html(baseline())
    assert "<b>odd&id</b>" not in html
    assert "&lt;b&gt;odd&amp;id&lt;/b&gt;" in html
    assert "Vladimir" in html  # the unfaithful summary tokens
    assert "Mevlüt Çavuşoğlu" in html  # the missed participant


def test_html_shows_error_cases() -> None:
    html = render_html(candidate())
    assert "gave up after 3 attempts" in html


def test_compare_deltas_and_changed_cases() -> None:
    a, b = baseline(), candidate()
    cmp = compare_results(a, b)
    assert cmp.headline.delta == pytest.approx(b.headline - a.headline)
    assert cmp.headline.delta is not None and cmp.headline.delta < 0
    by_metric = {d.metric: d for d in cmp.metrics}
    assert by_metric["schema_validity"].a == 1.0
    assert by_metric["schema_validity"].b == pytest.approx(2 / 3)
    assert by_metric["schema_validity"].delta == pytest.approx(-1 / 3)
    assert [c.id for c in cmp.changed_cases] == ["tr-az"]
    change = cmp.changed_cases[0]
    assert (change.status_a, change.status_b) == ("ok", "error")
    assert change.headline.delta == pytest.approx(-1.0)
    assert {d.metric for d in change.fields} >= {"participant_f1", "schema_validity"}
    assert cmp.unchanged_cases == 2


def test_compare_identical_runs_has_no_changes() -> None:
    a = baseline()
    cmp = compare_results(a, a)
    assert cmp.changed_cases == []
    assert all(d.delta in (0.0, None) for d in cmp.metrics)


def test_a_metric_an_older_result_lacks_does_not_make_every_case_changed() -> None:
    a = baseline()
    older = a.model_copy(deep=True)
    for case in older.cases:
        del case.metrics["summary_english"]
    cmp = compare_results(older, a)
    assert cmp.changed_cases == []


def test_compare_lists_cases_only_in_one_run() -> None:
    a = baseline()
    b = summarise(*a.cases[:2])
    cmp = compare_results(a, b)
    assert cmp.only_in_a == ["<b>odd&id</b>"]
    assert cmp.only_in_b == []


def test_compare_outputs() -> None:
    cmp = compare_results(baseline(), candidate())
    text = rendered(compare_table(cmp)) + rendered(changed_cases_table(cmp))
    assert "tr-az" in text and "ok → error" in text
    md = compare_markdown(cmp)
    assert "| metric | A | B | Δ |" in md
    assert "`tr-az` (ok → error)" in md
    assert "🔴" in md
    assert "record failed" in md
    html = render_compare_html(cmp)
    assert "tr-az" in html
    assert f"{cmp.headline.delta:+.3f}" in html
    assert external_references(html) == []


def test_compare_warns_when_weights_differ() -> None:
    a = baseline()
    b = a.model_copy(update={"weights": {"participant_f1": 1.0}})
    cmp = compare_results(a, b)
    assert cmp.warnings and "weights" in cmp.warnings[0]
    assert "weights" in compare_markdown(cmp)
    assert compare_results(a, a).warnings == []


def test_comparison_survives_json() -> None:
    a = EvalResult.model_validate_json(baseline().model_dump_json())
    b = EvalResult.model_validate_json(candidate().model_dump_json())
    cmp = compare_results(a, b)
    assert type(cmp).model_validate_json(cmp.model_dump_json()) == cmp
