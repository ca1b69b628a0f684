"""Pairing of a record's events and people with its gold case's, one to one."""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz import fuzz

from communique.evals.assignment import best_assignment
from communique.evals.counting import f1
from communique.evals.gold import GoldEvent, GoldParticipant
from communique.evals.person_names import person_match
from communique.schema import Event, Participant
from communique.text.names import fold

EVENT_MATCH_THRESHOLD = 0.4


def _participant_score(pred: str, gold: GoldParticipant) -> float:
    """1 + a small tie-breaker when the names match, else 0."""
    best = 0.0
    for name in (gold.name, *gold.aliases):
        if person_match(pred, name):
            best = max(best, 1.0 + fuzz.token_sort_ratio(fold(pred), fold(name)) / 10_000)
    return best


def _match_participants(
    gold: list[GoldParticipant], pred: list[Participant]
) -> list[tuple[int, int]]:
    grid = [[_participant_score(p.name, g) for p in pred] for g in gold]
    return [(i, j) for i, j in best_assignment(grid) if grid[i][j] >= 1.0]


def _event_similarity(gold: GoldEvent, pred: Event, matched: int) -> float:
    """0.25 kind + 0.5 participant-name F1 + 0.25 date (0.5 credit when one side lacks it)."""
    kind = 1.0 if gold.kind == pred.kind else 0.0
    people = f1(matched, len(pred.participants), len(gold.participants))
    if gold.date == pred.date:
        date = 1.0
    elif gold.date is None or pred.date is None:
        date = 0.5
    else:
        date = 0.0
    return 0.25 * kind + 0.5 * people + 0.25 * date


class EventPair(NamedTuple):
    """A gold event paired with a predicted one, their paired people and similarity."""

    gold: int
    predicted: int
    people: list[tuple[int, int]]
    similarity: float


def pair_events(gold: list[GoldEvent], pred: list[Event]) -> list[EventPair]:
    """The one-to-one pairing of highest total similarity, pairs below the threshold left out."""
    people = [[_match_participants(g.participants, p.participants) for p in pred] for g in gold]
    sim = [
        [_event_similarity(g, p, len(people[i][j])) for j, p in enumerate(pred)]
        for i, g in enumerate(gold)
    ]
    return [
        EventPair(i, j, people[i][j], sim[i][j])
        for i, j in best_assignment(sim)
        if sim[i][j] >= EVENT_MATCH_THRESHOLD
    ]
