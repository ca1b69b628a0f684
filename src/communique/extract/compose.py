"""An English summary composed from an event's validated fields.

It says only values that passed a check against the article: who (leads first,
with role and affiliation), the kind of encounter in the right tense, where, when
and what was signed, in at most :data:`MAX_SUMMARY_WORDS` words. Topics stay in the
record but not in the sentence: no check ties a topic to its event, and a hand audit
of the set-aside summaries found most false ones stating a topic of another event of
the article, or the event itself ("an official visit") as what was discussed. Details
are dropped in a fixed order until it fits: the second party's description, then the
date.
"""

from __future__ import annotations

import re

from communique import lexicon
from communique.schema import Event, Participant
from communique.text.language import is_english
from communique.text.summary_check import MAX_SUMMARY_WORDS


def compose_summary(
    event: Event, limit: int = MAX_SUMMARY_WORDS, language: str | None = None
) -> str:
    """The event in one English sentence of at most ``limit`` words. Roles still in the
    article's ``language`` ("Canciller") are left out: the sentence is English."""
    for describe_second, date in ((True, True), (False, True), (False, False)):
        sentence = _sentence(event, describe_second=describe_second, date=date, language=language)
        if len(sentence.split()) <= limit:
            return sentence
    words = sentence.split()
    return " ".join(words[: limit - 1]) + " …" if len(words) > limit else sentence


def _sentence(event: Event, *, describe_second: bool, date: bool, language: str | None) -> str:
    first, others = _parties(event)
    a = _person(first[0], describe=True, language=language) if first else "Officials"
    if len(first) > 1:
        a = f"{a} and {_person(first[1], describe=False, language=language)}"
    b = _join([_person(p, describe=describe_second, language=language) for p in others[:2]])
    if len(others) > 2:
        b += f" and {len(others) - 2} other{'s' if len(others) > 3 else ''}"
    where = _where(event)
    when = f" on {event.date.day} {event.date:%B %Y}" if date and event.date else ""
    signed = _join([_title(agreement.title) for agreement in event.agreements[:2]])
    if event.kind == "call":
        core = f"{a} spoke by phone with {b}" if b else f"{a} held a phone call"
        return f"{core}{when}{_and_signed(signed, event)}."
    if event.kind == "announcement" or not event.happened:
        verb = f"will meet {b}" if b else "will hold talks"
        return f"{a} {verb}{where}{when}."
    if event.kind == "signing" and signed:
        who = f"{a} and {b}" if b else a
        return f"{who} signed {signed}{where}{when}."
    verb = f"met {b}" if b else "held talks"
    return f"{a} {verb}{where}{when}{_and_signed(signed, event)}."


def _title(title: str) -> str:
    """'Protocol on Cooperation' as it is; 'memorandum on trade' as 'the memorandum on trade'."""
    return title if title[:1].isupper() else f"the {title}"


def _and_signed(signed: str, event: Event) -> str:
    return f", and they signed {signed}" if signed and event.happened else ""


def _parties(event: Event) -> tuple[list[Participant], list[Participant]]:
    """The people the sentence puts first (hosts, or the first side) and the others."""
    leads = [p for p in event.participants if p.head_of_delegation] or event.participants[:2]
    hosts = [p for p in leads if p.side == "host"]
    if hosts:
        return hosts[:1], [p for p in leads if p is not hosts[0]]
    return leads[:1], leads[1:]


ROLE_WORDS = 6
# Where a role's head ends ("Deputy Chairman *of* ..."; the lexicon's ``role_qualifier_links``).
_QUALIFIER_LINK = rf"\s+(?:{'|'.join(lexicon.words('role_qualifier_links', 'en'))})\s+"


def short_role(role: str | None) -> str | None:
    """A role short enough for one sentence: "Deputy Chairman of the Justice and
    Development Party on Foreign Relations, MP from Istanbul" is "Deputy Chairman"."""
    if not role:
        return None
    role = role.split(",")[0].strip()
    if len(role.split()) <= ROLE_WORDS:
        return role
    head = re.split(_QUALIFIER_LINK, role, maxsplit=1)[0]
    return head if len(head.split()) <= ROLE_WORDS else None


def _person(person: Participant, *, describe: bool, language: str | None = None) -> str:
    if not describe:
        return person.name
    # an affiliation the article never names (no source) is the model's, not the text's
    affiliation = person.affiliation if person.affiliation_source is not None else None
    role = short_role(person.role)
    if role and not is_english(role, language):
        role = None
    details = ", ".join(x for x in (role, affiliation) if x)
    return f"{person.name} ({details})" if details else person.name


def _where(event: Event) -> str:
    if event.kind == "call" or event.location is None:
        return ""
    city, country = event.location.city, event.location.country
    if city and country:
        return f" in {city}, {country}"
    return f" in {city or country}" if (city or country) else ""


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
