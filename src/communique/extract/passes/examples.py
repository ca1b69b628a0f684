"""Values copied from the prompt's worked examples.

A small model copies its examples: a Russian article's foreign minister came back as
the example's "Minister of Economy", a Surinamese diplomat as the example's
"Belarus", unrelated records as the example's topic "agricultural supplies".
``drop_copied_values`` removes a role, a topic or a venue country that is exactly one
of the examples' values when the article does not support it: a role or topic whose
distinctive words (not "minister", "deputy", "of" ...) the article does not contain,
a country the article never names. An affiliation no mention grounds is left to the
affiliations pass, which flags it: measured, most such values are right (the
article implies them), so removing those equal to an example's cost more than it saved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from communique import lexicon
from communique.schema import Event, Location
from communique.text.names import fold
from communique.text.places import country_code, english_country, place_mentions


@dataclass(frozen=True)
class ExampleValues:
    """The roles, venue countries and topics the prompt's examples give."""

    roles: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()


@cache
def example_values(prompt_text: str) -> ExampleValues:
    """The values of every ``{"events": [...]}`` answer written out in the prompt."""
    decoder = json.JSONDecoder()
    roles: set[str] = set()
    countries: set[str] = set()
    topics: set[str] = set()
    for match in re.finditer(r'\{"events"', prompt_text):
        try:
            answer, _ = decoder.raw_decode(prompt_text, match.start())
        except ValueError:
            continue
        for event in answer.get("events", []) if isinstance(answer, dict) else []:
            if isinstance(event.get("country"), str):
                countries.add(_english(event["country"]))
            for person in event.get("people", []):
                if isinstance(person.get("role"), str):
                    roles.add(person["role"].casefold())
            topics.update(t.casefold() for t in event.get("topics", []) if isinstance(t, str))
    return ExampleValues(frozenset(roles), frozenset(countries), frozenset(topics))


# Words of a title that say nothing about which office it is.
_GENERIC = frozenset(lexicon.words("generic_title_words"))


def drop_copied_values(events: list[Event], text: str, values: ExampleValues | None) -> None:
    if values is None:
        return
    folded = fold(text)
    named = {m.value for m in place_mentions(text)}
    for event in events:
        for person in event.participants:
            role = person.role
            if role and role.casefold() in values.roles and not _supported(role, folded):
                person.role = None
        event.topics = [
            topic
            for topic in event.topics
            if topic.casefold() not in values.topics
            or _supported(topic, folded)
            or len(_distinctive(topic)) < 2  # "trade" is any article's, in any language
        ]
        location = event.location
        if location and location.country and location.country in values.countries:
            code = country_code(location.country)
            if code is not None and code not in named and location.city is None:
                event.location = None
            elif code is not None and code not in named:
                event.location = Location(city=location.city, country=None)


def _supported(value: str, folded_text: str) -> bool:
    """Every distinctive word of ``value`` (by its first five letters) is in the text."""
    return all(re.search(rf"\b{re.escape(w[:5])}", folded_text) for w in _distinctive(value))


def _distinctive(value: str) -> set[str]:
    return set(re.findall(r"\w+", fold(value))) - _GENERIC


def _english(name: str) -> str:
    return english_country(name) or name
