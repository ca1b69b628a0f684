"""Person-name helpers shared by validation, grounding and scoring.

Matching forgives diacritics, transliteration and word order (Şentop = Sentop,
"Fidan Hakan" = "Hakan Fidan") but not a different person.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from communique.text.morphology import nominative_name

# Titles, honorifics and positions that belong in ``role``, never in ``name``.
# Words that are also common surnames (Major, King, Prince, Head, General) only
# count when they open the name.
_TITLE_ANYWHERE = {
    "minister",
    "president",
    "ambassador",
    "chairman",
    "chairwoman",
    "chairperson",
    "speaker",
    "deputy",
    "secretary",
    "excellency",
    "mp",
    "governor",
    "mayor",
    "premier",
    "prime",
    "chancellor",
    "commissioner",
    "spokesperson",
    "spokesman",
    "envoy",
    "director",
}
_TITLE_LEADING = _TITLE_ANYWHERE | {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "madam",
    "madame",
    "mme",
    "m",
    "herr",
    "frau",
    "sr",
    "sra",
    "senor",
    "senora",
    "bay",
    "bayan",
    "sayin",
    "h.e",
    "colonel",
    "general",
    "lieutenant",
    "major",
    "admiral",
    "commander",
    "commander-in-chief",
    "marshal",
    "captain",
    "king",
    "queen",
    "prince",
    "princess",
    "sheikh",
    "emir",
    "sultan",
    "head",
    "vice",
    "foreign",
    "defence",
    "defense",
    "senator",
    "academician",
    "rev",
    "reverend",
    "gospodin",
    "gospozha",
}

_TITLE_WORDS = frozenset(_TITLE_LEADING)

_TOKEN = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Casefold and transliterate to ASCII: 'Şentop' -> 'sentop', 'Лавров' -> 'lavrov'."""
    text = unicodedata.normalize("NFKC", text)
    return anyascii(text).casefold()


def name_tokens(name: str) -> list[str]:
    """The folded word tokens of a name, in order."""
    return [t.strip(".") for t in _TOKEN.findall(fold(name)) if t.strip(".")]


def name_key(name: str) -> str:
    """An order-insensitive key for a person's name (used to spot duplicates)."""
    return " ".join(sorted(name_tokens(name)))


def title_in_name(name: str) -> str | None:
    """Return the title word found in ``name``, or None when the name is bare."""
    words = name.replace(",", " ").split()
    for position, word in enumerate(words):
        token = fold(word).strip(".:;'\"()")
        if position == 0 and token in _TITLE_LEADING:
            return word
        if token in _TITLE_ANYWHERE:
            return word
    return None


def same_person(a: str, b: str) -> bool:
    """True when two name strings very probably name the same person.

    Equal folded token sets match; so does one name's tokens being all of the
    other's with at most one extra token (a middle name or a patronymic), when
    they share the surname-like longest token.
    """
    ta, tb = set(name_tokens(a)), set(name_tokens(b))
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return bool(len(small) >= 2 and small <= large and len(large) - len(small) <= 1)


def title_words() -> frozenset[str]:
    """Folded words that are titles or ranks when they open a name."""
    return _TITLE_WORDS


def latin_name(name: str) -> str:
    """Names in another script get their Latin transliteration, in the nominative
    ("Гургеном Мелконяном" -> "Gurgen Melkonyan"); the original form stays in the
    evidence spans. Latin names keep their diacritics (Şentop, Wiśniewski)."""
    if all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name):
        return name
    return " ".join(anyascii(nominative_name(name)).split())
