"""Keeping finished events from a cut-off output, and stopping a repeating one."""

from __future__ import annotations

import json

from communique.extract.draft import ExtractionDraft
from communique.extract.jsonscan import RepeatGuard, event_ends
from communique.extract.modelcall import salvage_events
from communique.text.alignment import FoldedText

TEXT = "Foreign Minister Jeyhun Bayramov received Osman Mesten in Baku on February 6."


def _event(name: str, summary: str = 'They met; "quotes" {and braces} stay inside strings.') -> str:
    return json.dumps(
        {
            "kind": "meeting",
            "happened": True,
            "date": "February 6",
            "city": "Baku",
            "country": "Azerbaijan",
            "people": [{"name": name, "role": None, "org": None, "side": "host", "lead": True}],
            "signed": [],
            "topics": [],
            "summary": summary,
        },
        separators=(",", ":"),  # compact, as the grammar makes the model write
    )


def test_event_ends_ignore_braces_inside_strings() -> None:
    first, second = _event("Jeyhun Bayramov"), _event("Osman Mesten")
    output = '{"events":[' + first + "," + second
    ends = event_ends(output)
    assert ends == [len('{"events":[') + len(first), len(output)]


def test_salvage_keeps_the_events_finished_before_the_cut() -> None:
    output = '{"events":[' + _event("Jeyhun Bayramov") + "," + _event("Osman Mesten")[:40]
    draft = salvage_events(output, ExtractionDraft, FoldedText(TEXT))
    assert draft is not None
    assert [p.name for e in draft.events for p in e.people] == ["Jeyhun Bayramov"]


def test_salvage_gives_none_when_nothing_finished() -> None:
    assert salvage_events('{"events":[{"kind":"meet', ExtractionDraft, FoldedText(TEXT)) is None
    assert salvage_events(None, ExtractionDraft, FoldedText(TEXT)) is None


def test_repeat_guard_cuts_at_the_end_of_the_last_distinct_event() -> None:
    first, again = _event("Jeyhun Bayramov"), _event("Jeyhun Bayramov", summary="Other words.")
    output = '{"events":[' + first + "," + again + ","
    guard = RepeatGuard()
    cut = None
    for i in range(0, len(output), 5):  # fed token-sized pieces, as a stream
        cut = guard.feed(output[i : i + 5])
        if cut is not None:
            break
    assert cut == len('{"events":[') + len(first)
    assert json.loads(output[:cut] + "]}")["events"][0]["people"][0]["name"] == "Jeyhun Bayramov"


def test_repeat_guard_lets_distinct_events_through() -> None:
    output = '{"events":[' + _event("Jeyhun Bayramov") + "," + _event("Osman Mesten") + "]}"
    guard = RepeatGuard()
    assert guard.feed(output) is None


def test_repeat_guard_stops_a_repeat_once_its_people_match() -> None:
    first = _event("Jeyhun Bayramov")
    again = _event("Jeyhun Bayramov", summary="Other words.")
    head = again[: again.index('],"signed":') + len('],"signed":') + 2]
    guard = RepeatGuard()
    assert guard.feed('{"events":[' + first + ",") is None
    cut = guard.feed(head)  # the repeat is not finished, but its people are the same
    assert cut == len('{"events":[') + len(first)


def test_repeat_guard_allows_same_host_with_another_guest() -> None:
    first = _event("Jeyhun Bayramov")
    other = first.replace('"lead":true}]', '"lead":true},{"name":"Osman Mesten"}]')
    assert other != first
    guard = RepeatGuard()
    assert guard.feed('{"events":[' + first + "," + other) is None
