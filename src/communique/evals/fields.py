"""Precision and recall of each field of a record, apart.

Accuracy over matched pairs hides the difference between a value left out and a
false value. Here, for each field over the matched events and people: *stated*
counts the predicted values that are not null, *gold* the gold values that are not
null, and *correct* those stated that agree with a non-null gold value. Precision is
correct / stated (a false value lowers it), recall correct / gold (a value left out
lowers it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

#: the fields scored apart, in report order
FIELDS: tuple[str, ...] = ("kind", "date", "city", "country", "role", "affiliation")


class FieldCount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stated: int = 0
    gold: int = 0
    correct: int = 0


@dataclass(frozen=True)
class _Judged:
    gold: str | None
    predicted: str | None
    ok: bool


def _checks(events: Iterable[object]) -> Iterator[tuple[str, _Judged]]:
    """(field, check) for every field of every matched event and person."""
    for event in events:
        for name in ("kind", "date", "city", "country"):
            check = getattr(event, name, None)
            if check is not None:
                yield name, check
        for person in getattr(event, "participants", []):
            yield "role", person.role
            yield "affiliation", person.affiliation


def field_counts(events: Iterable[object]) -> dict[str, FieldCount]:
    """Counts of stated, gold and correct values per field over matched pairs."""
    counts = {name: FieldCount() for name in FIELDS}
    for name, check in _checks(events):
        count = counts[name]
        stated = check.predicted is not None
        gold = check.gold is not None
        count.stated += stated
        count.gold += gold
        count.correct += stated and gold and check.ok
    return counts


def add_counts(many: Iterable[dict[str, FieldCount]]) -> dict[str, FieldCount]:
    total = {name: FieldCount() for name in FIELDS}
    for counts in many:
        for name, count in counts.items():
            if name in total:
                total[name].stated += count.stated
                total[name].gold += count.gold
                total[name].correct += count.correct
    return total


def field_metrics(counts: dict[str, FieldCount]) -> dict[str, float | None]:
    """``<field>_precision`` and ``<field>_recall`` (None where nothing is counted)."""
    metrics: dict[str, float | None] = {}
    for name in FIELDS:
        count = counts.get(name, FieldCount())
        metrics[f"{name}_precision"] = (
            round(count.correct / count.stated, 4) if count.stated else None
        )
        metrics[f"{name}_recall"] = round(count.correct / count.gold, 4) if count.gold else None
    return metrics


#: the metric names :func:`field_metrics` gives
FIELD_METRICS: tuple[str, ...] = tuple(
    f"{name}_{kind}" for name in FIELDS for kind in ("precision", "recall")
)
