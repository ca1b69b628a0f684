"""Values copied from the prompt's worked examples.

A small model copies its examples: a Russian article's foreign minister came back as
the example's "Minister of Economy", a Surinamese diplomat as the example's
"Belarus". ``drop_copied_values`` removes a role or a venue country that is exactly
one of the examples' values when the article does not support it: a role whose
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

from communique.schema import Event, Location
from communique.text.names import fold
from communique.text.places import country_code, english_country, place_mentions


@dataclass(frozen=True)
class ExampleValues:
    """The roles and venue countries the prompt's examples give."""

    roles: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@cache
def example_values(prompt_text: str) -> ExampleValues:
    """The values of every ``{"events": [...]}`` answer written out in the prompt."""
    decoder = json.JSONDecoder()
    roles: set[str] = set()
    countries: set[str] = set()
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
    return ExampleValues(frozenset(roles), frozenset(countries))


# Words of a title that say nothing about which office it is.
_GENERIC = frozenset(
    {
        "minister", "deputy", "vice", "first", "foreign", "of", "the", "and", "for",
        "secretary", "ambassador", "to", "state", "president", "prime", "head",
        "general", "affairs", "cabinet", "chief", "acting",
    }
)  # fmt: skip


def drop_copied_values(events: list[Event], text: str, values: ExampleValues | None) -> None:
    if values is None:
        return
    folded = fold(text)
    named = {m.value for m in place_mentions(text)}
    for event in events:
        for person in event.participants:
            if person.role and person.role.casefold() in values.roles:
                words = set(re.findall(r"\w+", fold(person.role))) - _GENERIC
                if any(not re.search(rf"\b{re.escape(w[:5])}", folded) for w in words):
                    person.role = None
        location = event.location
        if location and location.country and location.country in values.countries:
            code = country_code(location.country)
            if code is not None and code not in named and location.city is None:
                event.location = None
            elif code is not None and code not in named:
                event.location = Location(city=location.city, country=None)


def _english(name: str) -> str:
    return english_country(name) or name
