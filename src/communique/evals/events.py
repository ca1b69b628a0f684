"""Scores of a paired event: kind, happened, date, venue, sides, agreements, topics."""

from __future__ import annotations

from rapidfuzz import fuzz

from communique.evals.assignment import best_assignment
from communique.evals.counting import f1
from communique.evals.gold import GoldEvent
from communique.evals.participants import participant_match
from communique.evals.place_keys import place_key, same_place
from communique.evals.results import EventMatch, FieldCheck, field_check
from communique.schema import Event, Location
from communique.text.names import fold

AGREEMENT_THRESHOLD = 75.0


def location_ok(gold: Location | None, pred: Location | None) -> bool:
    g = gold or Location()
    p = pred or Location()
    return same_place(g.city, p.city, city=True) and same_place(g.country, p.country)


def sides_f1(gold: list[str], pred: list[str]) -> float:
    g, p = {place_key(s) for s in gold}, {place_key(s) for s in pred}
    return f1(len(g & p), len(p), len(g))


def agreements_f1(gold: list[str], pred: list[str]) -> float:
    """One-to-one fuzzy matching of agreement titles (token_set_ratio >= 75)."""
    grid = [
        [
            1.0 if fuzz.token_set_ratio(fold(g), fold(p)) >= AGREEMENT_THRESHOLD else 0.0
            for p in pred
        ]
        for g in gold
    ]
    tp = sum(grid[i][j] for i, j in best_assignment(grid))
    return f1(tp, len(pred), len(gold))


def topics_soft(gold: list[str], pred: list[str]) -> float:
    """F1 of soft recall (best match per gold topic) and soft precision (per predicted)."""
    if not gold or not pred:
        return 1.0 if not gold and not pred else 0.0
    sim = [[fuzz.token_set_ratio(fold(g), fold(p)) / 100 for p in pred] for g in gold]
    recall = sum(max(row) for row in sim) / len(gold)
    precision = sum(max(sim[i][j] for i in range(len(gold))) for j in range(len(pred))) / len(pred)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def score_event_pair(
    gi: int, pi: int, gold: GoldEvent, pred: Event, people: list[tuple[int, int]], sim: float
) -> EventMatch:
    matches = [participant_match(gold.participants[i], pred.participants[j]) for i, j in people]
    matched_gold = {i for i, _ in people}
    matched_pred = {j for _, j in people}
    return EventMatch(
        gold_index=gi,
        predicted_index=pi,
        similarity=round(sim, 4),
        kind=field_check(gold.kind, pred.kind, gold.kind == pred.kind),
        happened=field_check(gold.happened, pred.happened, gold.happened == pred.happened),
        date=field_check(gold.date, pred.date, gold.date == pred.date),
        location=field_check(
            gold.location, pred.location, location_ok(gold.location, pred.location)
        ),
        city=_city_check(gold.location, pred.location),
        country=_country_check(gold.location, pred.location),
        participants=matches,
        missed_participants=[
            p.name for i, p in enumerate(gold.participants) if i not in matched_gold
        ],
        extra_participants=[
            p.name for j, p in enumerate(pred.participants) if j not in matched_pred
        ],
        sides_f1=sides_f1(gold.sides, pred.sides),
        agreements_f1=agreements_f1(gold.agreements, [a.title for a in pred.agreements]),
        topics_soft=topics_soft(gold.topics, pred.topics),
    )


def _city_check(gold: Location | None, pred: Location | None) -> FieldCheck | None:
    """The city alone; None when neither side names one (nothing to judge)."""
    g, p = (gold.city if gold else None), (pred.city if pred else None)
    if g is None and p is None:
        return None
    return field_check(g, p, same_place(g, p, city=True))


def _country_check(gold: Location | None, pred: Location | None) -> FieldCheck | None:
    """The country alone; None when neither side names one."""
    g, p = (gold.country if gold else None), (pred.country if pred else None)
    if g is None and p is None:
        return None
    return field_check(g, p, same_place(g, p))
