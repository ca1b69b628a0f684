"""Roles: backed by the article's own title phrase, and never promoted.

Each participant's ``role_source`` is the title phrase around their name, in the
article's language. When that phrase marks a deputy ("Deputy", "заместитель",
"yardımcısı", "adjoint", "vice", "plaatsvervangend"...) and the English role does
not, the role gets "Deputy": a small model often drops the rank.
"""

from __future__ import annotations

import re

from communique import lexicon
from communique.schema import Event, Grounded, Participant, Span
from communique.text.alignment import FoldedText
from communique.text.role_concepts import contradicts, only_counterpart
from communique.text.titles import title_phrase

_DEPUTY_SOURCE = lexicon.pattern("deputy_patterns", whole_words=True)
_RANKED = re.compile(r"(?<!\w)(?:" + "|".join(lexicon.words("rank_patterns")) + ")", re.I)


def ground_roles(events: list[Event], text: str, doc: FoldedText, language: str | None) -> None:
    for event in events:
        spans = [(s.start, s.end) for p in event.participants for s in p.evidence[:1]]
        for person in event.participants:
            own = [(s.start, s.end) for s in person.evidence[:1]]
            _ground(person, text, [x for x in spans if x not in own], language)


def _ground(
    person: Participant, text: str, others: list[tuple[int, int]], language: str | None
) -> None:
    for span in person.evidence[:2]:
        phrase = title_phrase(text, span.start, span.end, others)
        if phrase is None:
            continue
        source = phrase.span
        person.role_source = Grounded(
            text=source.text,
            evidence=[Span(start=source.start, end=source.end, text=source.text)],
        )
        if person.role and _DEPUTY_SOURCE.search(source.text) and not _RANKED.search(person.role):
            person.role = f"Deputy {person.role}"
        if person.role and contradicts(person.role, source.text, language):
            person.role = None  # the English names another office than its evidence
        break
    if person.role and only_counterpart(person.role):
        person.role = None  # "counterpart" says who they met, not what they are
