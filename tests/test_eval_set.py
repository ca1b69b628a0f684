"""The eval set itself: every case loads, the parts are disjoint, the gate is tuned cases."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from communique.evals.gold import case_paths, load_case
from communique.evals.runner import GATE_FILE, PARTS, REAL_SETS_PARTS, gate_ids, set_parts
from communique.inputs import Article, read_inputs

_URL = re.compile(r"https?://[^\s,;)]+[^\s,;).]")


def _ids(part: str) -> set[str]:
    return {gold.name.removesuffix(".gold.json") for _, gold in case_paths(PARTS[part])}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_every_case_has_an_article_and_a_gold_record_that_load(part: str) -> None:
    pairs = case_paths(PARTS[part])
    assert pairs
    for article_path, gold_path in pairs:
        case = load_case(gold_path)
        (item,) = read_inputs([str(article_path)])
        assert isinstance(item, Article), article_path
        for event in case.events:
            assert event.participants, f"{gold_path.name}: an event with no participant"


def test_real_cases_cover_seven_languages_and_the_parts_are_disjoint() -> None:
    parts = [_ids(part) for part in REAL_SETS_PARTS]
    assert sum(map(len, parts)) == len(set().union(*parts))
    languages = Counter(load_case(g).language for _, g in case_paths(PARTS["tuned"]))
    languages.update(load_case(g).language for _, g in case_paths(PARTS["audited"]))
    assert {lang for lang, n in languages.items() if n >= 5} >= {
        "en",
        "ru",
        "az",
        "tr",
        "fr",
        "es",
        "nl",
    }


@pytest.mark.parametrize("part", ["audited-fresh", "audited-third", "set-aside"])
def test_each_fresh_tranche_is_real_varied_and_new(part: str) -> None:
    """Each tranche set aside before a round of tuning: 30 or more real articles, 20 or
    more not in English, all seven languages, 12 or more reports of several events,
    none from a page an earlier part holds."""
    cases = [load_case(g) for _, g in case_paths(PARTS[part])]
    assert len(cases) >= 30 and not any(c.synthetic for c in cases)
    assert sum(c.language != "en" for c in cases) >= 20
    assert {c.language for c in cases} >= {"en", "ru", "az", "tr", "fr", "es", "nl"}
    assert sum(len(c.events) >= 2 for c in cases) >= 12
    sources = {url for c in cases for url in _URL.findall(c.source)}
    before = {
        "audited-fresh": ("tuned", "audited"),
        "audited-third": ("tuned", "audited", "audited-fresh"),
        "set-aside": ("tuned", "audited", "audited-fresh", "audited-third"),
    }
    earlier = {
        url
        for older in before[part]
        for _, g in case_paths(PARTS[older])
        for url in _URL.findall(load_case(g).source)
    }
    assert len(sources) >= len(cases) and not sources & earlier


def test_the_gate_lists_only_tuned_cases_and_none_set_aside() -> None:
    gate = gate_ids(GATE_FILE)
    assert len(gate) >= 25
    assert gate <= _ids("tuned"), sorted(gate - _ids("tuned"))
    folders, only = set_parts("gate")
    assert set(folders) == {"tuned"} and only == gate
