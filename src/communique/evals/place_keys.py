"""Canonical keys of country, city and organisation names, for comparing places."""

from __future__ import annotations

import re
from collections.abc import Iterable

from communique import lexicon
from communique.text import places
from communique.text.names import fold

_COUNTRY_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("turkey", "turkiye", "republic of turkiye", "turkiye cumhuriyeti", "turtsiya"),
    ("russia", "russian federation", "rossiya", "rossiiskaya federatsiya"),
    ("united states", "us", "usa", "united states of america", "america", "ssha"),
    ("united kingdom", "uk", "britain", "great britain"),
    ("united arab emirates", "uae", "emirates"),
    ("european union", "eu"),
    ("united nations", "un"),
    ("china", "prc", "peoples republic of china", "kitai"),
    ("ukraine", "ukraina"),
    ("france", "frantsiya"),
    ("south korea", "republic of korea", "rok"),
    ("north korea", "dprk", "democratic peoples republic of korea"),
    ("iran", "islamic republic of iran"),
    ("czechia", "czech republic"),
    ("holy see", "vatican"),
    ("myanmar", "burma"),
    ("ivory coast", "cote divoire"),
    ("kyrgyzstan", "kyrgyz republic"),
    ("syria", "syrian arab republic"),
    ("azerbaijan", "azerbaycan", "azerbaidzhan", "azerbaydzhan"),
    ("kazakhstan", "qazaqstan"),
    ("uzbekistan", "ozbekiston"),
    ("netherlands", "holland"),
    ("moldova", "republic of moldova"),
    ("belarus", "byelorussia"),
    ("north macedonia", "macedonia"),
    ("germany", "deutschland", "federal republic of germany", "germaniya"),
    ("saudi arabia", "ksa", "kingdom of saudi arabia"),
)
_CITY_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("baku", "baki"),
    ("kyiv", "kiev"),
    ("moscow", "moskva"),
    ("beijing", "peking"),
    ("astana", "nur sultan", "nursultan"),
    ("almaty", "alma ata"),
    ("tashkent", "toshkent"),
    ("tehran", "teheran"),
    ("ashgabat", "ashkhabad"),
    ("chisinau", "kishinev"),
    ("washington", "washington dc"),
    ("belgrade", "beograd"),
    ("warsaw", "warszawa"),
    ("prague", "praha"),
    ("vienna", "wien"),
    ("rome", "roma"),
    ("brussels", "bruxelles", "brussel"),
    ("the hague", "den haag", "hague"),
    ("lisbon", "lisboa"),
    ("athens", "athina"),
    ("bucharest", "bucuresti"),
    ("geneva", "geneve", "genf"),
    ("munich", "munchen"),
    ("cologne", "koln"),
)


def folded_key(text: str) -> str:
    """Folded, punctuation-free, without a leading 'the': 'the U.S.' -> 'us'."""
    key = re.sub(r"['’.]", "", fold(text))
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", key).split())
    return key.removeprefix("the ") if key != "the hague" else key


def _variant_table(groups: Iterable[tuple[str, ...]]) -> dict[str, str]:
    return {folded_key(v): group[0] for group in groups for v in group}


_COUNTRY = _variant_table(_COUNTRY_VARIANTS)
_CITY = _variant_table(_CITY_VARIANTS)
ANY_PLACE = _COUNTRY | _CITY
PLACE_FORMS: dict[str, tuple[str, ...]] = {g[0]: g for g in (*_COUNTRY_VARIANTS, *_CITY_VARIANTS)}


# Words opening an official name of a country (the lexicon's ``country_name_openers``).
_NAME_OPENERS = tuple(f"{opener} " for opener in lexicon.words("country_name_openers"))


def place_key(text: str, *, city: bool = False) -> str:
    """Canonical key of a country, organisation or (with ``city``) a city name.

    CLDR's names in every indexed language first ("Rusiya", "Moscou"), then the
    variant tables above for transliterations CLDR does not list.
    """
    key = folded_key(text)
    table = _CITY if city else _COUNTRY
    if key in table:
        key = table[key]
    else:
        for prefix in _NAME_OPENERS:
            if key.startswith(prefix) and key.removeprefix(prefix) in table:
                key = table[key.removeprefix(prefix)]
                break
    if city:
        english = places.english_city(key) or places.english_city(text)
        return folded_key(english) if english else key
    code = places.country_code(key) or places.country_code(text)
    if code is not None:
        return code.lower()
    org = places.organisation(key) or places.organisation(text)
    return folded_key(org) if org else key


def place_phrases(text: str) -> set[str]:
    """Canonical keys of every run of up to four words of ``text``."""
    words = folded_key(text).split()
    return {
        place_key(" ".join(words[i : i + n]))
        for n in range(1, 5)
        for i in range(len(words) - n + 1)
    }


def same_place(gold: str | None, pred: str | None, *, city: bool = False) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return place_key(gold, city=city) == place_key(pred, city=city)
