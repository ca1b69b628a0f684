"""What moved between two sets of records of the same articles (two prompts, two models,
two saved files, or a briefing and its regeneration).

Articles are matched by content id. Within an article, events are paired greedily by
similarity (people in common, same kind, same date), so an event whose summary
changed is *changed*, not removed and added. For each pair the fields that differ
are named: ``kind``, ``happened``, ``date``, ``location``, ``participants`` (people
added or dropped), ``participants.role``, ``participants.affiliation``,
``participants.side``, ``sides``, ``agreements``, ``topics``, ``summary``,
``quotes``. An event on one side only is *added* or *removed*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from communique.schema import ArticleRecord, Event
from communique.text.names import fold, same_person

EventStatus = Literal["added", "removed", "changed", "same"]
ArticleStatus = Literal["same", "changed", "added", "removed", "failed"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class EventDiff:
    status: EventStatus
    before: int | None  # event index in the earlier record
    after: int | None
    label: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(c.field for c in self.changes))


@dataclass
class ArticleDiff:
    article_id: str
    source: str
    status: ArticleStatus
    events: list[EventDiff] = field(default_factory=list)
    note: str = ""  # why an article failed, or which side it is missing from

    @property
    def fields(self) -> list[str]:
        out: list[str] = []
        for event in self.events:
            if event.status in ("added", "removed"):
                name = f"event {event.status}"
                if name not in out:
                    out.append(name)
            for name in event.fields:
                if name not in out:
                    out.append(name)
        return out


@dataclass
class RecordsDiff:
    before_label: str
    after_label: str
    articles: list[ArticleDiff]

    @property
    def changed(self) -> list[ArticleDiff]:
        return [a for a in self.articles if a.status != "same"]

    def field_counts(self) -> dict[str, int]:
        """How many articles each field moved in."""
        counts: dict[str, int] = {}
        for article in self.articles:
            for name in article.fields:
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def event_label(event: Event) -> str:
    names = " and ".join(p.name for p in event.participants[:2]) or "nobody named"
    when = event.date.isoformat() if event.date else "undated"
    return f"{event.kind} {when}: {names}"


def _people(event: Event) -> list[str]:
    return [p.name for p in event.participants]


def similarity(a: Event, b: Event) -> float:
    """0..1: people in common (any spelling), same kind, same date."""
    names_a, names_b = _people(a), _people(b)
    shared = sum(any(same_person(x, y) for y in names_b) for x in names_a)
    union = len(names_a) + len(names_b) - shared
    score = 0.7 * (shared / union if union else 1.0)
    score += 0.15 * (a.kind == b.kind) + 0.15 * (a.date == b.date)
    return score


def pair_events(
    before: Sequence[Event], after: Sequence[Event]
) -> list[tuple[int | None, int | None]]:
    """Greedy best-first pairing; pairs below 0.3 stay unpaired."""
    scored = sorted(
        ((similarity(a, b), i, j) for i, a in enumerate(before) for j, b in enumerate(after)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int | None, int | None]] = []
    for score, i, j in scored:
        if score < 0.3 or i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j))
    pairs += [(i, None) for i in range(len(before)) if i not in used_a]
    pairs += [(None, j) for j in range(len(after)) if j not in used_b]
    return sorted(pairs, key=lambda p: p[1] if p[1] is not None else 1_000 + (p[0] or 0))


def _text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "none"
    return str(value)


def compare_events(a: Event, b: Event) -> list[FieldChange]:
    """The fields of two events of one article that differ, with both values."""
    changes: list[FieldChange] = []

    def check(name: str, x: object, y: object) -> None:
        if x != y:
            changes.append(FieldChange(name, _text(x), _text(y)))

    check("kind", a.kind, b.kind)
    check("happened", a.happened, b.happened)
    check("date", a.date.isoformat() if a.date else None, b.date.isoformat() if b.date else None)
    loc_a = a.location.model_dump() if a.location else None
    loc_b = b.location.model_dump() if b.location else None
    if loc_a != loc_b:
        changes.append(
            FieldChange(
                "location",
                _text(", ".join(v for v in (loc_a or {}).values() if v) or None),
                _text(", ".join(v for v in (loc_b or {}).values() if v) or None),
            )
        )
    names_a, names_b = _people(a), _people(b)
    dropped = [n for n in names_a if not any(same_person(n, m) for m in names_b)]
    added = [n for n in names_b if not any(same_person(n, m) for m in names_a)]
    if dropped or added:
        changes.append(
            FieldChange(
                "participants",
                _text(["-" + n for n in dropped]) if dropped else "–",
                _text(["+" + n for n in added]) if added else "–",
            )
        )
    for p in a.participants:
        q = next((q for q in b.participants if same_person(p.name, q.name)), None)
        if q is None:
            continue
        for name in ("role", "affiliation", "side"):
            x, y = getattr(p, name), getattr(q, name)
            if (fold(x) if isinstance(x, str) else x) != (fold(y) if isinstance(y, str) else y):
                changes.append(
                    FieldChange(f"participants.{name}", f"{p.name}: {_text(x)}", _text(y))
                )
    check("sides", sorted(fold(s) for s in a.sides), sorted(fold(s) for s in b.sides))
    if changes and changes[-1].field == "sides":
        changes[-1] = FieldChange("sides", _text(a.sides), _text(b.sides))
    titles_a = sorted(fold(x.title) for x in a.agreements)
    titles_b = sorted(fold(x.title) for x in b.agreements)
    if titles_a != titles_b:
        changes.append(
            FieldChange(
                "agreements",
                _text([x.title for x in a.agreements]),
                _text([x.title for x in b.agreements]),
            )
        )
    check("topics", a.topics, b.topics)
    check("summary", a.summary, b.summary)
    quotes_a = [q.text for q in a.quotes]
    quotes_b = [q.text for q in b.quotes]
    if quotes_a != quotes_b:
        changes.append(
            FieldChange("quotes", f"{len(quotes_a)} quote(s)", f"{len(quotes_b)} quote(s)")
        )
    return changes


def compare_article(before: ArticleRecord, after: ArticleRecord) -> ArticleDiff:
    aid = after.article.id or before.article.id or ""
    if before.status != "ok" or after.status != "ok":
        failed = after if after.status != "ok" else before
        message = failed.error.message if failed.error else "failed"
        side = "after" if after.status != "ok" else "before"
        both = before.status != "ok" and after.status != "ok"
        return ArticleDiff(
            aid,
            after.article.source,
            "same" if both else "failed",
            note=f"failed {'on both sides' if both else side}: {message}",
        )
    events: list[EventDiff] = []
    for i, j in pair_events(before.events, after.events):
        if i is None and j is not None:
            events.append(EventDiff("added", None, j, event_label(after.events[j])))
        elif j is None and i is not None:
            events.append(EventDiff("removed", i, None, event_label(before.events[i])))
        elif i is not None and j is not None:
            changes = compare_events(before.events[i], after.events[j])
            status: EventStatus = "changed" if changes else "same"
            events.append(EventDiff(status, i, j, event_label(after.events[j]), changes))
    moved = any(e.status != "same" for e in events)
    return ArticleDiff(aid, after.article.source, "changed" if moved else "same", events)


def diff_records(
    before: Sequence[ArticleRecord],
    after: Sequence[ArticleRecord],
    before_label: str = "before",
    after_label: str = "after",
) -> RecordsDiff:
    """Per article (by content id), what moved from ``before`` to ``after``."""
    old = {r.article.id: r for r in before if r.article.id}
    new = {r.article.id: r for r in after if r.article.id}
    articles: list[ArticleDiff] = []
    for aid, record in new.items():
        if aid in old:
            articles.append(compare_article(old[aid], record))
        else:
            events = [
                EventDiff("added", None, j, event_label(e)) for j, e in enumerate(record.events)
            ]
            articles.append(
                ArticleDiff(
                    aid, record.article.source, "added", events, note=f"only in {after_label}"
                )
            )
    for aid, record in old.items():
        if aid not in new:
            events = [
                EventDiff("removed", i, None, event_label(e)) for i, e in enumerate(record.events)
            ]
            articles.append(
                ArticleDiff(
                    aid, record.article.source, "removed", events, note=f"only in {before_label}"
                )
            )
    return RecordsDiff(before_label, after_label, articles)
