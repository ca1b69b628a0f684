"""Does a summary say only what its event's fields say?

A small model's summary can contradict the record it belongs to: a phone call
"met", an announced signing "signed", the dateline city as the venue, a deputy
minister as "minister", a summary left in Azerbaijani, or 60 words copied from the
article. :func:`summary_problems` lists each such disagreement in words; the
pipeline re-asks or composes a summary when there is one, and the eval counts them
against the gold event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from communique import lexicon
from communique.text.language import detect_language, is_english
from communique.text.names import fold, name_tokens
from communique.text.places import canonical_place, english_name_of, place_mentions

MAX_SUMMARY_WORDS = 35
COPIED_WORDS = 12  # a run this long, word for word from the article, is copying


def _english(category: str) -> re.Pattern[str]:
    """The lexicon's English fragments of ``category`` as one case-blind whole-word pattern."""
    return re.compile(rf"\b(?:{'|'.join(lexicon.words(category, 'en'))})\b", re.I)


_CALL = _english("summary_call_patterns")
_IN_PERSON = _english("summary_in_person_patterns")
_DONE = _english("summary_done_patterns")
_PLANNED = _english("summary_planned_patterns")
_SIGNED = re.compile(rf"\b{'|'.join(lexicon.words('summary_signed_patterns', 'en'))}\b", re.I)
_NOT_SIGNED = re.compile(
    rf"\b(?:{'|'.join(lexicon.words('summary_not_signed_patterns', 'en'))})\s+sign", re.I
)
_RANK = _english("summary_rank_patterns")


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None


@dataclass(frozen=True)
class EventFacts:
    """What a summary may say: the event's validated fields."""

    kind: str
    happened: bool
    people: Sequence[Person] = ()
    places: Sequence[str] = ()  # city, country, sides, affiliations
    signed: bool = False
    outsiders: Sequence[str] = field(default_factory=tuple)  # people in the text, not in it


_BRACKETS = re.compile(r"\([^)]*\)")


def without_names(summary: str) -> str:
    """The summary without its capitalised words and bracketed details: names and
    places are no evidence of a language ("Recep Tayyip Erdoğan (Türkiye) held a phone
    call." reads as Turkish whole, and as English without them)."""
    words = _BRACKETS.sub(" ", summary).split()
    return " ".join(w for w in words if not w[:1].isupper())


def reads_as_english(summary: str, language: str) -> bool:
    """Whether a summary reads as English rather than ``language``, judged on its words
    other than names; two or three common words ("met in") are no evidence either way."""
    rest = without_names(summary)
    if sum(any(c.isalpha() for c in w) for w in rest.split()) <= 3:
        return True
    return is_english(rest, language)


def summary_language(summary: str) -> str | None:
    """The language a summary is written in ("en" when it reads as English once its
    names are set aside), or None when too short to tell."""
    language = detect_language(summary)
    if language not in (None, "en") and reads_as_english(summary, language):
        return "en"
    return language


def summary_problems(
    summary: str, facts: EventFacts | None, article: str, language: str | None
) -> list[str]:
    """Every way ``summary`` disagrees with ``facts`` (or with basic form when None)."""
    problems: list[str] = []
    words = summary.split()
    if len(words) > MAX_SUMMARY_WORDS:
        problems.append(f"has {len(words)} words (at most {MAX_SUMMARY_WORDS})")
    if language not in (None, "en") and not reads_as_english(summary, language):
        problems.append(f"is not in English (reads as {language})")
    if copied := copied_run(summary, article):
        problems.append(f"copies the article word for word: {copied!r}")
    if facts is None:
        return problems
    problems += _kind_problems(summary, facts)
    problems += _place_problems(summary, facts)
    problems += _rank_problems(summary, facts)
    problems += _outsider_problems(summary, facts)
    return problems


def copied_run(summary: str, article: str, size: int = COPIED_WORDS) -> str | None:
    """The first run of ``size`` words the summary takes verbatim from the article."""
    words = re.findall(r"\w+", fold(summary))
    if len(words) < size:
        return None
    body = " " + " ".join(re.findall(r"\w+", fold(article))) + " "
    for i in range(len(words) - size + 1):
        run = " ".join(words[i : i + size])
        if f" {run} " in body:
            return run
    return None


def _kind_problems(summary: str, facts: EventFacts) -> list[str]:
    problems = []
    call, in_person = bool(_CALL.search(summary)), bool(_IN_PERSON.search(summary))
    if facts.kind == "call" and in_person and not call:
        problems.append("describes a call as an in-person meeting")
    if facts.kind in ("meeting", "signing") and call and not in_person:
        problems.append("describes an in-person meeting as a call")
    planned, done = bool(_PLANNED.search(summary)), bool(_DONE.search(summary))
    if not facts.happened and done and not planned:
        problems.append("states a planned event as having taken place")
    if facts.happened and planned and not done:
        problems.append("states an event that took place as planned")
    signed = _SIGNED.search(summary) is not None and _NOT_SIGNED.search(summary) is None
    if signed and not facts.happened:
        problems.append("says documents were signed at an event still to come")
    elif signed and not facts.signed and facts.kind != "signing":
        problems.append("says documents were signed, and the record has none")
    return problems


_TOPIC_CLAUSE = _english("summary_topic_patterns")


def _place_problems(summary: str, facts: EventFacts) -> list[str]:
    """Places named as where the event was (before any clause about what was discussed,
    where "the war in Ukraine" is a topic, not a venue) that are not the event's."""
    allowed = {canonical_place(p) for p in facts.places if p}
    people = {t for p in facts.people for t in name_tokens(p.name)}
    problems = []
    for mention in place_mentions(_who_and_where(summary), "en"):
        name = summary[mention.start : mention.end]
        if set(name_tokens(name)) <= people:
            continue  # a person's name that is also a place (Diego, Jordan)
        if mention.kind == "country":
            key = (english_name_of(mention.value) or name).casefold()
        else:
            key = mention.value.casefold()
        if key not in allowed and canonical_place(name) not in allowed:
            problems.append(f"names {name!r}, which is not this event's place or a side")
    return problems


def _who_and_where(summary: str) -> str:
    """The summary up to what was discussed, with people's descriptions in parentheses
    blanked (same length, so offsets still index the summary): "the war in Ukraine" is a
    topic and "MP from Istanbul" a role, neither a venue nor a participant."""
    clause = _TOPIC_CLAUSE.search(summary)
    head = summary[: clause.start()] if clause else summary
    return re.sub(r"\([^)]*\)", lambda m: " " * len(m.group()), head)


def _rank_problems(summary: str, facts: EventFacts) -> list[str]:
    problems = []
    summary_ranked = bool(_RANK.search(summary))
    for person in facts.people:
        if not _names(summary, person.name):
            continue
        ranked = bool(person.role and _RANK.search(person.role))
        if ranked and not summary_ranked:
            problems.append(f"drops the rank of {person.name} ({person.role})")
    if summary_ranked and not any(p.role and _RANK.search(p.role) for p in facts.people):
        problems.append("gives a deputy or vice rank that no participant holds")
    return problems


def _outsider_problems(summary: str, facts: EventFacts) -> list[str]:
    inside = {t for p in facts.people for t in name_tokens(p.name)}
    head = _who_and_where(summary)
    return [
        f"names {name!r}, who did not take part"
        for name in facts.outsiders
        if _names(head, name, exclude=inside)
    ]


def _names(summary: str, name: str, exclude: set[str] | None = None) -> bool:
    """Whether the summary mentions the person (their surname, in any case ending)."""
    tokens = [t for t in name_tokens(name) if len(t) >= 4 and t not in (exclude or set())]
    if not tokens:
        return False
    stem = re.escape(tokens[-1][:-1])  # "Lavrov" in "Lavrov's", "Lavrova"
    return re.search(rf"\b{stem}\w{{0,3}}\b", fold(summary)) is not None
