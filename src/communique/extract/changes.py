"""What a step changed in a list of events, in words.

Every post-model pass runs through :func:`describe_changes`, which compares the
events before and after it, so a record says which pass added a person, turned a
meeting into a call or replaced a summary, without each pass keeping its own log.
"""

from __future__ import annotations

from typing import Any

from communique.schema import Event

_FIELDS = ("kind", "happened", "date", "location", "summary")
_PERSON_FIELDS = ("role", "affiliation", "side", "head_of_delegation")


def snapshot(events: list[Event]) -> list[dict[str, Any]]:
    return [event.model_dump(mode="json", exclude={"quotes"}) for event in events]


def describe_changes(before: list[dict[str, Any]], after: list[Event]) -> list[str]:
    """One line per change, e.g. ``event 2: kind meeting -> call``."""
    now = snapshot(after)
    lines: list[str] = []
    for index, event in enumerate(now):
        label = f"event {index + 1}"
        old = before[index] if index < len(before) else None
        if old is None:
            people = ", ".join(p["name"] for p in event["participants"]) or "no one"
            lines.append(f"{label}: added ({event['kind']} with {people})")
            continue
        for field in _FIELDS:
            if old.get(field) != event.get(field):
                lines.append(
                    f"{label}: {field} {_short(old.get(field))} -> {_short(event.get(field))}"
                )
        lines += _people_changes(label, old["participants"], event["participants"])
        old_titles = {a["title"] for a in old["agreements"]}
        new_titles = {a["title"] for a in event["agreements"]}
        lines += [f"{label}: agreement added {t!r}" for t in sorted(new_titles - old_titles)]
        lines += [f"{label}: agreement dropped {t!r}" for t in sorted(old_titles - new_titles)]
    lines += [f"event {i + 1}: removed" for i in range(len(now), len(before))]
    return lines


def _people_changes(label: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines = []
    old_by_name = {p["name"]: p for p in old}
    new_names = {p["name"] for p in new}
    for person in new:
        previous = old_by_name.get(person["name"])
        if previous is None:
            lines.append(f"{label}: participant added {person['name']!r}")
            continue
        for field in _PERSON_FIELDS:
            if previous.get(field) != person.get(field):
                lines.append(
                    f"{label}: {person['name']} {field} "
                    f"{_short(previous.get(field))} -> {_short(person.get(field))}"
                )
    lines += [
        f"{label}: participant dropped {name!r}" for name in old_by_name if name not in new_names
    ]
    return lines


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
