"""What a briefing holds: entries (merged events), the people in them, their sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from communique.brief.people import Person
from communique.schema import ArticleRecord, Event

DateBasis = Literal["event", "published", "none"]
Change = Literal["new", "changed"]


@dataclass
class SourceArticle:
    """One article behind a briefing, with the text its evidence spans index."""

    article_id: str
    source: str
    published: dt.date | None = None
    language: str | None = None
    text: str | None = None
    link: str | None = None
    also: list[str] = field(default_factory=list)  # other inputs with the same text

    @property
    def label(self) -> str:
        name = self.source.rsplit("/", 1)[-1]
        return f"{name} ({self.published.isoformat()})" if self.published else name


@dataclass
class EventRef:
    """One event of one article."""

    article_id: str
    index: int
    event: Event

    @property
    def key(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass
class EntryPerson:
    person_id: str
    name: str
    role: str | None
    affiliation: str | None
    side: str
    head: bool
    sources: list[str]  # article ids that name this person in the event
    # The affiliation is the model's knowledge: no mention in the article supports it.
    affiliation_unsourced: bool = False


@dataclass
class Difference:
    """A detail the sources of one entry report differently."""

    field: str
    values: list[tuple[str, str]]  # (article id, what that source says)


@dataclass
class Entry:
    """One meeting, call or signing: an event as one or more articles report it."""

    id: str
    date: dt.date | None
    date_basis: DateBasis
    kind: str
    happened: bool
    location: str | None
    countries: list[str]
    group: str
    participants: list[EntryPerson]
    agreements: list[str]
    topics: list[str]
    summary: str
    quotes: list[tuple[str, str, str]]  # (speaker, words, article id)
    refs: list[EventRef]
    differences: list[Difference] = field(default_factory=list)
    change: Change | None = None
    changed_fields: list[str] = field(default_factory=list)

    @property
    def article_ids(self) -> list[str]:
        seen: list[str] = []
        for ref in self.refs:
            if ref.article_id not in seen:
                seen.append(ref.article_id)
        return seen

    @property
    def person_ids(self) -> list[str]:
        return [p.person_id for p in self.participants]


@dataclass
class RemovedEvent:
    """An event of the previous briefing's records that the new records no longer have."""

    article_id: str
    source: str
    label: str


@dataclass
class Briefing:
    entries: list[Entry]
    people: dict[str, Person]
    articles: dict[str, SourceArticle]
    failed: list[ArticleRecord] = field(default_factory=list)
    removed: list[RemovedEvent] = field(default_factory=list)
    changes_note: str | None = None
    title: str = "Briefing"
    scope: str = ""  # the filters applied, in words
    person_at: dict[tuple[str, int], str] = field(default_factory=dict)  # (event key, n) -> id

    def groups(self) -> dict[str, list[Entry]]:
        """Entries by country pair, the pairs in order of their first entry."""
        out: dict[str, list[Entry]] = {}
        for entry in self.entries:
            out.setdefault(entry.group, []).append(entry)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def by_person(self) -> dict[str, list[Entry]]:
        """Entries by person, people with the most entries first."""
        out: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for pid in entry.person_ids:
                out.setdefault(pid, []).append(entry)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), self.people[kv[0]].name)))

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        dates = [e.date for e in self.entries if e.date is not None]
        return (min(dates), max(dates)) if dates else (None, None)
