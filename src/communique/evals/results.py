"""The scored shapes: a field, a participant, an event, a summary, a case, a part, a run."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from communique.evals.fields import FieldCount
from communique.evals.metrics import HEADLINE_WEIGHTS, SCORER_VERSION
from communique.schema import Location, Status


class _Out(BaseModel):
    pass


class FieldCheck(_Out):
    gold: str | None
    predicted: str | None
    ok: bool


class ParticipantMatch(_Out):
    gold: str
    predicted: str
    role: FieldCheck
    affiliation: FieldCheck
    side: FieldCheck


class EventMatch(_Out):
    """A gold event paired with a predicted one (indices into each list)."""

    gold_index: int
    predicted_index: int
    similarity: float
    kind: FieldCheck
    happened: FieldCheck
    date: FieldCheck
    location: FieldCheck
    city: FieldCheck | None = None
    country: FieldCheck | None = None
    participants: list[ParticipantMatch] = Field(default_factory=list)
    missed_participants: list[str] = Field(default_factory=list)
    extra_participants: list[str] = Field(default_factory=list)
    sides_f1: float
    agreements_f1: float
    topics_soft: float


class SummaryCheck(_Out):
    predicted_index: int
    summary: str
    unfaithful: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    language: str | None = None
    words: int = 0


class Counts(_Out):
    """Raw counts behind the micro-averaged metrics."""

    gold_events: int = 0
    predicted_events: int = 0
    matched_events: int = 0
    gold_participants: int = 0
    predicted_participants: int = 0
    matched_participants: int = 0
    role_correct: int = 0
    affiliation_correct: int = 0
    side_correct: int = 0
    roles_checked: int = 0
    roles_english: int = 0


class CaseScore(_Out):
    id: str
    part: str = ""
    language: str = ""
    title: str = ""
    tags: list[str] = Field(default_factory=list)
    status: Status
    error: str | None = None
    metrics: dict[str, float | None]
    headline: float
    counts: Counts
    fields: dict[str, FieldCount] = Field(default_factory=dict)
    events: list[EventMatch] = Field(default_factory=list)
    unmatched_gold_events: list[int] = Field(default_factory=list)
    unmatched_predicted_events: list[int] = Field(default_factory=list)
    missed_participants: list[str] = Field(default_factory=list)
    extra_participants: list[str] = Field(default_factory=list)
    summaries: list[SummaryCheck] = Field(default_factory=list)


class PartScore(_Out):
    """The overall metrics of one part of the eval set (tuned, audited, audited-fresh,
    audited-third, set-aside; synthetic)."""

    n_cases: int
    headline: float
    overall: dict[str, float | None]


class EvalResult(_Out):
    prompt: str
    model: str
    created: str
    seconds: float
    cached: int
    n_cases: int
    scorer: str = SCORER_VERSION
    weights: dict[str, float] = Field(default_factory=lambda: dict(HEADLINE_WEIGHTS))
    overall: dict[str, float | None]
    headline: float
    headline_parts: list[str] = Field(
        default_factory=list, description="Parts the overall metrics and headline cover."
    )
    parts: dict[str, PartScore] = Field(default_factory=dict)
    cases: list[CaseScore]


def field_check(gold: object, pred: object, ok: bool) -> FieldCheck:
    """The check of one field, both values shown as text."""

    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, Location):
            parts = [p for p in (value.city, value.country) if p]
            return ", ".join(parts) or None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return FieldCheck(gold=text(gold), predicted=text(pred), ok=ok)
