"""The pictures of a briefing, laid out here and drawn as inline SVG by a Jinja template.

- **Timeline**: one lane per country pair, one dot per entry at its date (a ring
  when the date is the publication date, not one the text gives), coloured by kind.
- **Who met whom**: the people on a circle, grouped by country so each country's
  people sit together, and a line between two people for every entry they share
  (thicker for more).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from communique.brief.model import Briefing, Entry

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
)  # fmt: skip
KIND_COLOURS = {
    "meeting": "#1f77b4",
    "signing": "#2ca02c",
    "call": "#ff7f0e",
    "announcement": "#9467bd",
    "other": "#7f7f7f",
}


@dataclass
class Dot:
    x: float
    y: float
    entry_id: str
    title: str
    colour: str
    hollow: bool


@dataclass
class Timeline:
    width: int
    height: int
    left: int
    lanes: list[tuple[float, str]]  # (y, label)
    ticks: list[tuple[float, str]]  # (x, label)
    dots: list[Dot]
    kinds: list[tuple[str, str]]  # (kind, colour) present


def short_label(label: str, limit: int = 34) -> str:
    """A lane label that fits the timeline's margin."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def timeline(entries: list[Entry], width: int = 900) -> Timeline | None:
    dated = [e for e in entries if e.date is not None]
    if not dated:
        return None
    lanes_order: list[str] = []
    for entry in dated:
        if entry.group not in lanes_order:
            lanes_order.append(entry.group)
    left = 20 + 7 * max(len(short_label(lane)) for lane in lanes_order)
    first = min(e.date for e in dated if e.date)
    last = max(e.date for e in dated if e.date)
    span = max((last - first).days, 1)
    pad = max(1, span // 20)
    start = first - dt.timedelta(days=pad)
    days = span + 2 * pad
    plot = width - left - 20

    def x_of(day: dt.date) -> float:
        return round(left + plot * (day - start).days / days, 1)

    lane_h = 30
    lanes = [(34.0 + i * lane_h, label) for i, label in enumerate(lanes_order)]
    lane_y = {label: y for y, label in lanes}
    lanes = [(y, short_label(label)) for y, label in lanes]
    step = max(1, math.ceil(days / 8))
    ticks = []
    day = start
    while day <= start + dt.timedelta(days=days):
        if x_of(day) <= width - 60:  # leave room for the label
            ticks.append((x_of(day), day.isoformat()))
        day += dt.timedelta(days=step)
    dots: list[Dot] = []
    stacked: dict[tuple[str, dt.date], int] = {}
    for entry in dated:
        assert entry.date is not None
        n = stacked.get((entry.group, entry.date), 0)
        stacked[(entry.group, entry.date)] = n + 1
        names = ", ".join(p.name for p in entry.participants[:3])
        dots.append(
            Dot(
                x=x_of(entry.date) + 9 * n,
                y=lane_y[entry.group],
                entry_id=entry.id,
                title=f"{entry.date.isoformat()} · {entry.kind} · {names}",
                colour=KIND_COLOURS.get(entry.kind, "#7f7f7f"),
                hollow=entry.date_basis != "event",
            )
        )
    kinds = sorted({e.kind for e in dated})
    return Timeline(
        width=width,
        height=34 + len(lanes) * lane_h + 24,
        left=left,
        lanes=lanes,
        ticks=ticks,
        dots=dots,
        kinds=[(k, KIND_COLOURS.get(k, "#7f7f7f")) for k in kinds],
    )


@dataclass
class Node:
    person_id: str
    name: str
    x: float
    y: float
    r: float
    colour: str
    label_x: float
    label_y: float
    anchor: str
    title: str


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, country)


def who_met_whom(briefing: Briefing, max_size: int = 640) -> Graph | None:
    by_person = briefing.by_person()
    if len(by_person) < 2:
        return None
    size = max(240, min(max_size, 48 * len(by_person)))
    countries: list[str] = []
    for pid in by_person:
        country = briefing.people[pid].country or "other"
        if country not in countries:
            countries.append(country)
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
    people = sorted(
        by_person,
        key=lambda pid: (
            countries.index(briefing.people[pid].country or "other"),
            briefing.people[pid].name,
        ),
    )
    margin = 170
    width = size + 2 * margin
    cx, cy, radius = width / 2, size / 2 + 20, size / 2 - 30
    nodes: dict[str, Node] = {}
    for i, pid in enumerate(people):
        angle = 2 * math.pi * i / len(people) - math.pi / 2
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        person = briefing.people[pid]
        count = len(by_person[pid])
        right = math.cos(angle) >= 0
        nodes[pid] = Node(
            person_id=pid,
            name=person.name,
            x=round(x, 1),
            y=round(y, 1),
            r=round(5 + 3 * math.sqrt(count), 1),
            colour=colour[person.country or "other"],
            label_x=round(x + (14 if right else -14), 1),
            label_y=round(y + 4, 1),
            anchor="start" if right else "end",
            title=f"{person.name} · {person.country or 'country unknown'} · "
            f"{count} entr{'y' if count == 1 else 'ies'}",
        )
    pairs: dict[tuple[str, str], int] = {}
    for entry in briefing.entries:
        ids = sorted(set(entry.person_ids))
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs[(ids[a], ids[b])] = pairs.get((ids[a], ids[b]), 0) + 1
    edges = [
        Edge(
            x1=nodes[a].x,
            y1=nodes[a].y,
            x2=nodes[b].x,
            y2=nodes[b].y,
            width=round(1 + 1.5 * (n - 1), 1),
            title=f"{nodes[a].name} – {nodes[b].name}: {n} entr{'y' if n == 1 else 'ies'}",
        )
        for (a, b), n in sorted(pairs.items())
    ]
    return Graph(
        width=int(width),
        height=size + 40,
        nodes=list(nodes.values()),
        edges=edges,
        legend=[(colour[c], c) for c in countries],
    )
