"""Person-name helpers shared by validation, grounding and scoring.

Matching forgives diacritics, transliteration and word order (Şentop = Sentop,
"Fidan Hakan" = "Hakan Fidan") but not a different person.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from communique import lexicon
from communique.text.morphology import nominative_name

# Titles, honorifics and positions that belong in ``role``, never in ``name`` (the
# lexicon's ``name_titles``). Words that are also common surnames (Major, King, Prince,
# Head, General) only count when they open the name (``name_titles_leading``).
_TITLE_ANYWHERE = frozenset(lexicon.words("name_titles"))
_TITLE_LEADING = _TITLE_ANYWHERE | frozenset(lexicon.words("name_titles_leading"))

_TITLE_WORDS = frozenset(_TITLE_LEADING)

_TOKEN = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=65536)
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


def _collapse(token: str) -> str:
    """Romanisation variants collapsed: Zhoze/Jose, Aliyev/Aliev, Bayramov/Bairamov."""
    token = re.sub(r"['’`.-]", "", token)
    for old, new in (
        ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i"),
        ("ck", "k"), ("ae", "e"), ("c", "k"), ("q", "g"), ("x", "h"), ("z", "s"),
    ):  # fmt: skip
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


def spelling_similarity(a: str, b: str) -> float:
    """0-100: how alike two spellings of a name sound, whatever their scripts.

    "José Manuel Barroso" against "Жозе Мануэл Баррозу" (or its letter-by-letter
    "Zhoze Manuel Barrozu") scores high; a different person scores low.
    """
    from rapidfuzz import fuzz

    ta = " ".join(sorted(_collapse(t) for t in name_tokens(a)))
    tb = " ".join(sorted(_collapse(t) for t in name_tokens(b)))
    if not ta or not tb:
        return 0.0
    return float(fuzz.ratio(ta, tb))


ENGLISH_FORM_THRESHOLD = 70.0


def _letters_dropped(english: str, name: str) -> bool:
    """Whether a word of ``english`` is a word of the text's form with a non-ASCII letter
    left out, the others kept or each written as one plain letter ("Mmmadyarov" for
    "Məmmədyarov", "Zrif" for "Zərif"): a broken spelling, not an English one."""
    for source in name.split():
        if source.isascii() or not all(
            "LATIN" in unicodedata.name(c, "") for c in source if c.isalpha()
        ):  # a word of another script is transliterated, not spelled letter by letter
            continue
        pattern = "".join(re.escape(c) if c.isascii() else "[a-z]?" for c in source)
        for word in english.split():
            if len(word) < len(source) and re.fullmatch(pattern, word, re.IGNORECASE):
                return True
    return False


def english_form(name: str, english: str | None) -> str:
    """The person's name for an English record.

    ``english`` (the usual English spelling a model gave) is taken when it is in Latin
    script and sounds like the text's form, in the nominative; otherwise the text's
    form is transliterated (:func:`latin_name`).
    """
    fallback = latin_name(name)
    if not english:
        return fallback
    english = " ".join(english.split())
    latin = all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in english)
    if not latin or title_in_name(english) is not None:
        return fallback
    if len(name_tokens(english)) > len(name_tokens(name)) + 1 or _letters_dropped(english, name):
        return fallback
    if spelling_similarity(english, fallback) >= ENGLISH_FORM_THRESHOLD:
        return english
    return fallback
