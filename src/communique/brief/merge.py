"""From records to a briefing: people resolved, events merged, entries composed, filtered.

How people are matched across articles is in :mod:`communique.brief.people`, how
events are matched in :mod:`communique.brief.events`. An entry merged from several
articles takes each field from what its sources agree on (the most common value;
dates given by the text over publication dates) and lists what they report
differently: the date, the kind, the place, who took part and in what role, and
the documents signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from communique import lexicon
from communique.brief.countries import countries_in, country_of, same_country
from communique.brief.events import event_date, group_events
from communique.brief.model import (
    Briefing,
    Difference,
    Entry,
    EntryPerson,
    EventRef,
    SourceArticle,
)
from communique.brief.people import Mention, Person, compatible, parse_name, resolve_people
from communique.schema import ArticleRecord, Event, Participant
from communique.text.names import fold

_KIND_ORDER = {"signing": 0, "meeting": 1, "call": 2, "announcement": 3, "other": 4}


def build_briefing(
    records: Sequence[ArticleRecord],
    articles: dict[str, SourceArticle] | None = None,
    title: str = "Briefing",
) -> Briefing:
    """Merge the records' events into entries in date order (see the module docstring)."""
    articles = dict(articles or {})
    failed: list[ArticleRecord] = []
    kept: dict[str, ArticleRecord] = {}
    for record in records:
        aid = record.article.id
        if record.status != "ok" or aid is None:
            failed.append(record)
            continue
        if aid in kept:  # the same text read twice: one article, several inputs
            known = articles.setdefault(aid, _article_of(kept[aid]))
            if record.article.source not in (known.source, *known.also):
                known.also.append(record.article.source)
            continue
        kept[aid] = record
        articles.setdefault(aid, _article_of(record))
    refs = [
        EventRef(aid, index, event)
        for aid, record in kept.items()
        for index, event in enumerate(record.events)
    ]
    mentions: list[Mention] = []
    where: list[tuple[str, int]] = []
    for ref in refs:
        language = kept[ref.article_id].article.language
        for p_index, participant in enumerate(ref.event.participants):
            spellings = tuple(dict.fromkeys(span.text for span in participant.evidence))
            mentions.append(
                Mention(
                    name=participant.name,
                    role=participant.role,
                    affiliation=participant.affiliation,
                    article_id=ref.article_id,
                    event_key=ref.key,
                    spellings=spellings,
                    language=language,
                )
            )
            where.append((ref.key, p_index))
    people, person_of = resolve_people(mentions)
    person_at = {key: people[person_of[i]].id for i, key in enumerate(where)}
    people_in = {
        ref.key: {person_at[(ref.key, k)] for k in range(len(ref.event.participants))}
        for ref in refs
    }
    published = {aid: articles[aid].published for aid in kept}
    groups = group_events(refs, people_in, published)
    by_id = {p.id: p for p in people}
    entries = [_entry(group, person_at, by_id, articles) for group in groups]
    entries.sort(key=lambda e: (e.date or dt.date.max, e.group, e.summary))
    return Briefing(
        entries=entries,
        people=by_id,
        articles=articles,
        failed=failed,
        title=title,
        person_at=person_at,
    )


def _article_of(record: ArticleRecord) -> SourceArticle:
    return SourceArticle(
        article_id=record.article.id or "",
        source=record.article.source,
        published=record.article.published,
        language=record.article.language,
    )


def _location(event: Event) -> str | None:
    if event.location is None:
        return None
    parts = [p for p in (event.location.city, event.location.country) if p]
    return ", ".join(parts) or None


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _entry(
    group: list[EventRef],
    person_at: dict[tuple[str, int], str],
    people: dict[str, Person],
    articles: dict[str, SourceArticle],
) -> Entry:
    refs = sorted(
        group,
        key=lambda r: (
            articles[r.article_id].published or dt.date.max,
            articles[r.article_id].source,
        ),
    )
    differences: list[Difference] = []

    def differ(field: str, values: list[tuple[str, str]]) -> None:
        if len(refs) > 1 and len({v for _, v in values}) > 1:
            differences.append(Difference(field, values))

    given = [r.event.date for r in refs if r.event.date is not None]
    if given:
        counts = Counter(given)
        date: dt.date | None = max(counts, key=lambda d: (counts[d], -d.toordinal()))
        basis = "event"
        differ("date", [(r.article_id, r.event.date_text or str(r.event.date)) for r in refs
                        if r.event.date is not None])  # fmt: skip
    else:
        dated = [event_date(r, articles[r.article_id].published) for r in refs]
        known = [d.date for d in dated if d.date is not None]
        date = min(known) if known else None
        basis = "published" if known else "none"
    kinds = Counter(r.event.kind for r in refs)
    kind = min(kinds, key=lambda k: (-kinds[k], _KIND_ORDER.get(k, 9)))
    differ("kind", [(r.article_id, r.event.kind) for r in refs])
    locations = [(r.article_id, loc) for r in refs if (loc := _location(r.event))]
    differ("place", locations)

    participants: dict[str, EntryPerson] = {}
    roles: dict[str, list[tuple[str, str]]] = {}
    for ref in refs:
        for k, p in enumerate(ref.event.participants):
            pid = person_at[(ref.key, k)]
            if p.role:
                roles.setdefault(pid, []).append((ref.article_id, p.role))
            found = participants.get(pid)
            if found is None:
                participants[pid] = EntryPerson(
                    person_id=pid,
                    name=people[pid].name,
                    role=p.role,
                    affiliation=p.affiliation,
                    side=p.side,
                    head=p.head_of_delegation,
                    sources=[ref.article_id],
                    affiliation_unsourced=_unsourced(p),
                )
                continue
            found.role = found.role or p.role
            better = found.affiliation is None or (
                found.affiliation_unsourced and not _unsourced(p)
            )
            if better and p.affiliation is not None:
                found.affiliation = p.affiliation
                found.affiliation_unsourced = _unsourced(p)
            found.head = found.head or p.head_of_delegation
            if ref.article_id not in found.sources:
                found.sources.append(ref.article_id)
    if len(refs) > 1:
        partial = [p for p in participants.values() if len(p.sources) < len(refs)]
        if partial:
            differences.append(
                Difference(
                    "who took part",
                    [
                        (
                            r.article_id,
                            ", ".join(p.name for p in partial if r.article_id in p.sources)
                            or "none of them",
                        )
                        for r in refs
                    ],
                )
            )
        for pid, worded in roles.items():
            if len({_role_key(role) for _, role in worded}) > 1:
                differences.append(Difference(f"role of {people[pid].name}", worded))
    ordered = sorted(
        participants.values(), key=lambda p: (not p.head, {"host": 0, "visitor": 1}.get(p.side, 2))
    )

    agreements: list[str] = []
    seen_titles: set[str] = set()
    for ref in refs:
        for agreement in ref.event.agreements:
            key = fold(agreement.title)
            if key not in seen_titles:
                seen_titles.add(key)
                agreements.append(agreement.title)
    if len({frozenset(fold(a.title) for a in r.event.agreements) for r in refs}) > 1:
        differences.append(
            Difference(
                "documents signed",
                [(r.article_id, "; ".join(a.title for a in r.event.agreements) or "none")
                 for r in refs],
            )
        )  # fmt: skip
    topics: list[str] = []
    for ref in refs:
        for topic in ref.event.topics:
            if fold(topic) not in {fold(t) for t in topics}:
                topics.append(topic)
    quotes: list[tuple[str, str, str]] = []
    for ref in refs:
        for quote in ref.event.quotes:
            if fold(quote.text) not in {fold(q[1]) for q in quotes}:
                quotes.append((quote.speaker, quote.text, ref.article_id))

    countries = _countries(refs, ordered, people)
    label = _group_label(countries, refs, ordered)
    digest = hashlib.sha256(
        "|".join([*sorted(participants), kind, str(date)]).encode("utf-8")
    ).hexdigest()[:8]
    return Entry(
        id=f"e-{date.isoformat() if date else 'undated'}-{digest}",
        date=date,
        date_basis=basis,  # type: ignore[arg-type]
        kind=kind,
        happened=any(r.event.happened for r in refs),
        location=_most_common(loc for _, loc in locations),
        countries=countries,
        group=label,
        participants=ordered,
        agreements=agreements,
        topics=topics,
        summary=refs[0].event.summary,
        quotes=quotes,
        refs=refs,
        differences=differences,
    )


# Words a role's key leaves out (the lexicon's ``role_order_words``).
_ROLE_ORDER_WORDS = frozenset(lexicon.words("role_order_words"))


def _role_key(role: str) -> frozenset[str]:
    """ "Defense Minister" = "Minister of Defense": the same words in any order."""
    words = frozenset(fold(role).replace(",", " ").split()) - _ROLE_ORDER_WORDS
    return frozenset(w for w in words if country_of(w) is None)  # "Turkish" adds nothing


def _countries(
    refs: list[EventRef], participants: list[EntryPerson], people: dict[str, Person]
) -> list[str]:
    found: list[str] = []
    for p in participants:
        country = people[p.person_id].country or country_of(p.affiliation)
        if country and country not in found:
            found.append(country)
    for ref in refs:
        for side in ref.event.sides:
            for country in countries_in(side):
                if country not in found:
                    found.append(country)
    return found


def _group_label(countries: list[str], refs: list[EventRef], people: list[EntryPerson]) -> str:
    if len(countries) >= 2:
        if len(countries) > 3:
            return "multilateral"
        return " – ".join(sorted(countries))
    others: list[str] = []
    for value in [p.affiliation for p in people] + [s for r in refs for s in r.event.sides]:
        if value and not countries_in(value) and value not in others:
            others.append(value)
    if countries:
        return " – ".join([countries[0], *others[:1]]) if others else countries[0]
    return others[0] if others else "unplaced"


def select(
    briefing: Briefing,
    since: dt.date | None = None,
    until: dt.date | None = None,
    countries: Sequence[str] = (),
    persons: Sequence[str] = (),
) -> Briefing:
    """Keep the entries in the date range that involve every country and person asked for."""
    entries = []
    for entry in briefing.entries:
        if since is not None and (entry.date is None or entry.date < since):
            continue
        if until is not None and (entry.date is None or entry.date > until):
            continue
        if any(not same_country(c, entry.countries) for c in countries):
            continue
        people = [briefing.people[pid] for pid in entry.person_ids]
        if any(not any(person_matches(q, p) for p in people) for q in persons):
            continue
        entries.append(entry)
    scope = []
    if since or until:
        scope.append(f"from {since or '…'} to {until or '…'}")
    scope += [f"country {c}" for c in countries] + [f"person {p}" for p in persons]
    kept_people = {pid for e in entries for pid in e.person_ids}
    return replace(
        briefing,
        entries=entries,
        people={pid: p for pid, p in briefing.people.items() if pid in kept_people},
        scope=", ".join(scope),
    )


def person_matches(query: str, person: Person) -> bool:
    """``--person``: a part of any spelling of the name, or the same name spelled otherwise."""
    wanted = fold(query).strip()
    if not wanted:
        return False
    names = [person.name, *person.aliases]
    if any(wanted in fold(n) for n in names):
        return True
    parsed = parse_name(query)
    return parsed.full and any(compatible(parsed, parse_name(n)) for n in names)


def _unsourced(participant: Participant) -> bool:
    """An affiliation no mention in the article supports (flagged by a null source)."""
    return participant.affiliation is not None and participant.affiliation_source is None
