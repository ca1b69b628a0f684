"""Which country an affiliation, a side or a role names: "Azerbaijani Parliament" -> Azerbaijan.

Country names come from ISO 3166 (pycountry). A word names a country when it is the
country's one-word name, or shares a long enough prefix with it: a demonym
("Azerbaijani", "Turkish" for Türkiye, "Kazakh" for Kazakhstan, "Norwegian" for
Norway). Demonyms that look nothing like the name ("Dutch", "French") are listed.
Countries whose name has several words count only when the whole name appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pycountry

from communique import lexicon
from communique.text.names import fold

# Display names where ISO's name is not the one newsrooms use.
_DISPLAY = {"RU": "Russia", "CZ": "Czech Republic", "US": "United States", "PS": "Palestine"}

# Demonyms and short forms a prefix does not reach, folded (the lexicon's
# ``country_aliases``).
_ALIASES = {
    word: code
    for language in lexicon.languages()
    for code, words in lexicon.table("country_aliases", language).items()
    for word in words
}
# Words that begin like a country but name something else: common words (the lexicon's
# ``not_country_words``) and names of places that begin like another country's.
_NOT_COUNTRIES = frozenset(lexicon.words("not_country_words")) | {
    "guinea", "niger", "dominican", "chad", "georgetown", "jersey", "mali", "oman", "peru",
    "cuba", "togo", "iran", "iraq", "fiji",
}  # fmt: skip
_WORD = re.compile(r"[a-z][a-z.'-]*")


def _display(country: object) -> str:
    code = str(getattr(country, "alpha_2", ""))
    if code in _DISPLAY:
        return _DISPLAY[code]
    return str(getattr(country, "common_name", None) or getattr(country, "name", code))


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(one-word name -> display, several-word name -> display, code -> display)."""
    single: dict[str, str] = {}
    multi: dict[str, str] = {}
    by_code: dict[str, str] = {}
    for country in pycountry.countries:
        display = _display(country)
        by_code[country.alpha_2] = display
        names = {country.name, display}
        for attr in ("common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value)
        for name in names:
            key = fold(name).replace(",", "")
            if "," in name or "(" in name:
                continue
            (single if " " not in key else multi)[key] = display
    for alias, code in _ALIASES.items():
        if code in by_code:
            (single if " " not in alias else multi)[alias] = by_code[code]
    return single, multi, by_code


def _word_country(word: str) -> str | None:
    single, _, _ = _tables()
    if word in single:
        return single[word]
    if word in _NOT_COUNTRIES or len(word) < 4:
        return None
    best: tuple[int, str] | None = None
    for name, display in single.items():
        if len(name) < 4 or name in _ALIASES:
            continue
        common = 0
        for a, b in zip(word, name, strict=False):
            if a != b:
                break
            common += 1
        # "Norwegian"/"Norway" share 4 letters of 6; "Austrian"/"Australia" only 5 of 9.
        if common >= 4 and common >= len(name) - 2 and (best is None or common > best[0]):
            best = (common, display)
    return best[1] if best else None


def countries_in(text: str | None) -> list[str]:
    """The countries ``text`` names, in order of appearance, each once."""
    if not text:
        return []
    folded = fold(text).replace("’", "'")
    _, multi, _ = _tables()
    found: list[tuple[int, str]] = []
    taken = [False] * len(folded)
    for name, display in multi.items():
        for match in re.finditer(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", folded):
            found.append((match.start(), display))
            for i in range(match.start(), match.end()):
                taken[i] = True
    for match in _WORD.finditer(folded):
        if taken[match.start()]:
            continue
        word = match.group().strip(".'-")
        if word.endswith("'s"):
            word = word[:-2]
        country = _word_country(word)
        if country:
            found.append((match.start(), country))
    seen: list[str] = []
    for _, country in sorted(found):
        if country not in seen:
            seen.append(country)
    return seen


def country_of(text: str | None) -> str | None:
    """The first country ``text`` names, or None."""
    found = countries_in(text)
    return found[0] if found else None


def same_country(query: str, countries: Iterable[str]) -> bool:
    """``--country`` matching: the country the query names, or a part of a country's name."""
    wanted = country_of(query)
    folded = fold(query)
    return any((wanted is not None and c == wanted) or folded in fold(c) for c in countries)
