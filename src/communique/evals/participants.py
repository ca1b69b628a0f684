"""Scores of a paired participant: role, affiliation and side."""

from __future__ import annotations

from rapidfuzz import fuzz

from communique.evals.gold import GoldParticipant
from communique.evals.place_keys import place_key, place_phrases
from communique.evals.results import ParticipantMatch, field_check
from communique.schema import Participant
from communique.text.names import fold

ROLE_THRESHOLD = 70.0


def affiliation_ok(gold: str | None, pred: str | None) -> bool:
    """Equal after folding and synonyms, or one names the other's country ('Azerbaijan'
    vs 'Ministry of Foreign Affairs of Azerbaijan')."""
    if gold is None or pred is None:
        return gold is None and pred is None
    kg, kp = place_key(gold), place_key(pred)
    return kg == kp or kg in place_phrases(pred) or kp in place_phrases(gold)


def role_ok(gold: str | None, pred: str | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    fg, fp = fold(gold).strip(), fold(pred).strip()
    return fg in fp or fp in fg or fuzz.token_set_ratio(fg, fp) >= ROLE_THRESHOLD


def participant_match(gold: GoldParticipant, pred: Participant) -> ParticipantMatch:
    return ParticipantMatch(
        gold=gold.name,
        predicted=pred.name,
        role=field_check(gold.role, pred.role, role_ok(gold.role, pred.role)),
        affiliation=field_check(
            gold.affiliation, pred.affiliation, affiliation_ok(gold.affiliation, pred.affiliation)
        ),
        side=field_check(gold.side, pred.side, gold.side == pred.side),
    )
