"""One event is one entry when several articles report the same meeting.

Two events from different articles are the same event when all of these hold:

- **the same people**: at least two people in common (people as resolved by
  :mod:`communique.brief.people`, so spellings and scripts do not matter), or one
  when either event names only that one person;
- **the same or an adjacent day**: with both dates given, at most
  :data:`DAY_TOLERANCE` day apart; when an event has no date, the article's
  publication date stands in for it, and then the two may be
  :data:`PUBLISHED_TOLERANCE` days apart (an outlet may report a day or two late);
  an event with neither is never merged;
- **compatible kinds**: a call is only ever the same as a call, an announced visit
  only as an announced visit; meetings, signings and "other" events may be the same
  (a signing is often reported as a meeting by another outlet).

Two events from one article are never merged, and neither is a group that would
hold two events of one article. Groups form by joining the closest pairs first
(most people in common, then nearest dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from communique.brief.model import DateBasis, EventRef

DAY_TOLERANCE = 1
PUBLISHED_TOLERANCE = 2


@dataclass(frozen=True)
class Dated:
    date: dt.date | None
    basis: DateBasis


def event_date(ref: EventRef, published: dt.date | None) -> Dated:
    if ref.event.date is not None:
        return Dated(ref.event.date, "event")
    if published is not None:
        return Dated(published, "published")
    return Dated(None, "none")


def _kind_class(ref: EventRef) -> str:
    if not ref.event.happened or ref.event.kind == "announcement":
        return "announcement"
    return "call" if ref.event.kind == "call" else "meeting"


def same_event(
    a: EventRef,
    b: EventRef,
    people_a: set[str],
    people_b: set[str],
    date_a: Dated,
    date_b: Dated,
) -> int | None:
    """None when ``a`` and ``b`` are different events; else a closeness score."""
    if a.article_id == b.article_id or _kind_class(a) != _kind_class(b):
        return None
    if date_a.date is None or date_b.date is None:
        return None
    gap = abs((date_a.date - date_b.date).days)
    both_dated = date_a.basis == "event" and date_b.basis == "event"
    if gap > (DAY_TOLERANCE if both_dated else PUBLISHED_TOLERANCE):
        return None
    shared = len(people_a & people_b)
    needed = 1 if min(len(people_a), len(people_b)) == 1 else 2
    if shared < needed:
        return None
    return shared * 10 - gap


def group_events(
    refs: Sequence[EventRef],
    people: Mapping[str, set[str]],
    published: Mapping[str, dt.date | None],
) -> list[list[EventRef]]:
    """Group the events that report one meeting; each group in source order."""
    dates = [event_date(r, published.get(r.article_id)) for r in refs]
    pairs = []
    for i in range(len(refs)):
        for j in range(i + 1, len(refs)):
            score = same_event(
                refs[i], refs[j], people[refs[i].key], people[refs[j].key], dates[i], dates[j]
            )
            if score is not None:
                pairs.append((score, i, j))
    parent = list(range(len(refs)))
    articles: dict[int, set[str]] = {i: {r.article_id} for i, r in enumerate(refs)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        ri, rj = find(i), find(j)
        if ri == rj or articles[ri] & articles[rj]:
            continue
        parent[rj] = ri
        articles[ri] |= articles.pop(rj)
    groups: dict[int, list[EventRef]] = {}
    for i, ref in enumerate(refs):
        groups.setdefault(find(i), []).append(ref)
    return list(groups.values())
