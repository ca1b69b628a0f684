"""Separate meetings the model merged into one event.

"Minister A held separate talks with the foreign ministers of B, C and D" comes back
from a small model as one meeting of A, B, C and D. When the article reports the
other parties in different sentences and never together, they met A separately:
each becomes its own event with A (and the people of A's side named with it). A
trilateral meeting or a joint call, where the parties are named together, is left
whole. The decision reads only where each person is mentioned, in any language.
"""

from __future__ import annotations

import re

from communique import lexicon
from communique.extract.passes.completion import sides_of
from communique.schema import Event, Participant
from communique.text.alignment import fold_value
from communique.text.attendance import sentences
from communique.text.names import name_tokens

# "held separate talks with A, B and C": naming them together there does not make
# them one meeting (the word for "separately" in each language communique reads)
_SEPARATELY = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(lexicon.words("separately_patterns", ("en", "ru", "tr", "fr", "es", "nl")))
    + ")"
)


def split_separate_meetings(events: list[Event], text: str) -> None:
    folded = [fold_value(text[a:b]) for a, b in sentences(text)]
    # sentences that say the meetings were separate tell nothing about who was together
    together = ["" if _SEPARATELY.search(sentence) else sentence for sentence in folded]
    result: list[Event] = []
    for event in events:
        result.extend(_split(event, folded, together))
    events[:] = result


def _mentioned_in(person: Participant, folded_sentences: list[str]) -> set[int]:
    """Indices of the sentences naming the person (by a word of their name, any case ending)."""
    tokens = [t for t in name_tokens(person.name) if len(t) >= 4]
    found: set[int] = set()
    for token in tokens:
        pattern = re.compile(r"(?<![a-z0-9])" + re.escape(token[:-1]) + r"[a-z]{0,4}(?![a-z0-9])")
        found |= {i for i, sentence in enumerate(folded_sentences) if pattern.search(sentence)}
    return found


def _split(event: Event, folded: list[str], together: list[str]) -> list[Event]:
    if event.kind not in ("meeting", "call") or len(event.participants) < 3:
        return [event]
    named = {id(p): _mentioned_in(p, folded) for p in event.participants}
    where = {id(p): _mentioned_in(p, together) for p in event.participants}
    anchor = _anchor(event, named)
    if anchor is None:
        return [event]
    own_side = [
        p
        for p in event.participants
        if p is not anchor and anchor.affiliation and p.affiliation == anchor.affiliation
    ]
    others = [p for p in event.participants if p is not anchor and p not in own_side]
    # who can have met the anchor on their own: a head of delegation, or someone of a
    # known other country or organisation
    leads = [p for p in others if p.head_of_delegation or p.affiliation]
    if any(not named[id(p)] for p in leads):
        return [event]  # a lead the article never names: nothing says who was together
    groups = _groups(leads, where)
    if len(groups) < 2:
        return [event]
    # everyone else goes with the lead they are named with (or share a country with),
    # else stays with the anchor in the first meeting
    for person in others:
        if person in leads:
            continue
        home = next(
            (
                g
                for g in groups
                if any(
                    where[id(person)] & where[id(q)]
                    or (person.affiliation and person.affiliation == q.affiliation)
                    for q in g
                )
            ),
            None,
        )
        if home is None:
            own_side.append(person)
        else:
            home.append(person)
    split: list[Event] = []
    ordered = sorted(groups, key=lambda g: min(min(named[id(p)], default=10**6) for p in g))
    for number, group in enumerate(ordered):
        sentences_of_group = set().union(*(where[id(p)] for p in group))
        company = [
            p
            for p in own_side
            if where[id(p)] & sentences_of_group or (number == 0 and not where[id(p)])
        ]
        people = [anchor, *company, *group]
        split.append(
            event.model_copy(
                update={
                    "participants": people,
                    "sides": sides_of(people),
                    "quotes": [q for q in event.quotes if any(q.speaker == p.name for p in people)],
                },
                deep=True,
            )
        )
    return split


def _anchor(event: Event, where: dict[int, set[int]]) -> Participant | None:
    """The person every meeting of the event is with: the host lead, else the one named
    in the most sentences, provided they are named at all."""
    hosts = [p for p in event.participants if p.side == "host" and p.head_of_delegation]
    ranked = hosts or sorted(event.participants, key=lambda p: -len(where[id(p)]))
    anchor = ranked[0] if ranked else None
    return anchor if anchor is not None and where[id(anchor)] else None


def _groups(people: list[Participant], where: dict[int, set[int]]) -> list[list[Participant]]:
    """People who were together: named in one sentence, or of one affiliation."""
    groups: list[list[Participant]] = []
    for person in people:
        joined = [
            g
            for g in groups
            if any(
                where[id(person)] & where[id(q)]
                or (person.affiliation and person.affiliation == q.affiliation)
                for q in g
            )
        ]
        merged = [person, *(q for g in joined for q in g)]
        groups = [g for g in groups if not any(g is j for j in joined)] + [merged]
    return groups
