"""Candidate person names found in an article, for constraining a small model.

A 1.5B model tends to copy "MP from Istanbul Zafer Sirakaya" or "Colonel General
Zakir Hasanov" into a name field. Restricting the name to strings that occur in the
article, with titles already cut away, means it can neither keep a title nor invent
a name. Candidates are runs of capitalised words (Latin, Cyrillic, Greek, any cased
script), split at titles and punctuation, with the two-to-four word prefixes and
suffixes of each run (a name sits at one end of "Turkish Grand National Assembly
Mustafa Sentop"). Scripts without case give no candidates, and the caller then
leaves the name free.
"""

from __future__ import annotations

import re

from babel import Locale

from communique import lexicon
from communique.text.datewords import (
    ANY_MONTH,
    DATE_ORDER,
    RELATIVE_DAYS,
    WEEKDAY_LEADS,
    WEEKDAYS,
)
from communique.text.morphology import common_phrase, place_word
from communique.text.names import fold, title_words
from communique.text.spans import WORD_PATTERN

MAX_CANDIDATES = 120
_WORD = re.compile(WORD_PATTERN)
# Particles inside a name ("van", "bin", "oğlu"), as written.
_PARTICLES = frozenset(lexicon.words("name_particles"))
_NOT_NAMES = frozenset(lexicon.words("not_names")) | frozenset(
    fold(name)
    for width in (Locale("en").months, Locale("en").days)
    for name in width["format"]["wide"].values()
)  # and the English months and weekdays, from CLDR


_SURNAME_MONTHS = frozenset(lexicon.words("surname_months"))  # also surnames


# Words that make a capitalised run an organisation, place or thing, not a person.
THING_WORDS = frozenset(lexicon.words("thing_words"))


def _is_name_word(word: str) -> bool:
    if not word[0].isupper():
        return False
    if len(word) > 1 and word.isupper():  # acronyms and datelines: TURKPA, BAKU
        return False
    token = fold(word).strip(".")
    return token not in _NOT_NAMES and token not in title_words()


def _is_initial(word: str, text: str, end: int) -> bool:
    """A middle initial such as the "W." of "George W. Bush"."""
    return len(word) == 1 and word.isupper() and text[end : end + 2] == ". "


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘«(")
    return not before or before[-1] in ".!?:\n"


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of name words (with particles and middle initials inside), as matches.

    A capitalised word opening a sentence whose lower-case form the article also uses
    ("Met Malcorra" in Dutch, where "met" means "with") is a common word, not a name.
    """
    lower = {m.group() for m in _WORD.finditer(text) if m.group()[:1].islower()}
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    pending: list[re.Match[str]] = []  # particles waiting for a following name word
    last_end = -1
    after_initial = False
    for match in _WORD.finditer(text):
        word = match.group()
        gap = text[last_end : match.start()] if last_end >= 0 else ""
        contiguous = last_end >= 0 and (gap == " " or (after_initial and gap == ". "))
        last_end = match.end()
        after_initial = bool(current) and _is_initial(word, text, match.end())
        if current and contiguous and word in _PARTICLES:
            pending.append(match)
            continue
        common = word.lower() in lower and _sentence_start(text, match.start())
        # A month's name after a first name and before no day is a surname: "Theresa May".
        surname_month = (
            bool(current)
            and contiguous
            and fold(word) in _SURNAME_MONTHS
            and not re.match(r"\s*\d", text[match.end() :])
        )
        if (_is_name_word(word) and not common) or (after_initial and contiguous) or surname_month:
            if current and contiguous:
                current.extend(pending)
                current.append(match)
            else:
                if len(current) >= 2:
                    runs.append(current)
                current = [match]
        else:
            if len(current) >= 2:
                runs.append(current)
            current = []
        pending = []
    if len(current) >= 2:
        runs.append(current)
    return runs


def _titled_surnames(text: str) -> list[tuple[int, str]]:
    """Single names right after a title: "President Biden", "Chancellor Merkel"."""
    words = list(_WORD.finditer(text))
    found = []
    for index, word in enumerate(words):
        before = words[index - 1] if index else None
        after = words[index + 1] if index + 1 < len(words) else None
        if before is None or fold(before.group()).strip(".") not in title_words():
            continue
        if text[before.end() : word.start()].strip(" .") or not _is_name_word(word.group()):
            continue
        if fold(word.group()) in THING_WORDS or _place_like(word.group()):
            continue
        followed = after is not None and text[word.end() : after.start()] == " "
        if followed and after is not None and _is_name_word(after.group()):
            continue  # a longer name: the runs have it
        found.append((word.start(), word.group()))
    return found


# Turkic genitive endings at a word's end: "Hərəkatının Təmas Qrupunun" (the lexicon's
# ``genitive_patterns``).
_TURKIC = ("az", "tr")
_GENITIVE = re.compile(
    "|".join(f"{ending}$" for ending in dict.fromkeys(lexicon.words("genitive_patterns", _TURKIC)))
)


def candidate_names(text: str) -> list[str]:
    """Possible person names in ``text``, each a verbatim substring, in order of appearance."""
    seen: dict[tuple[int, str], None] = {}
    for run in _runs(text):
        pieces = [run] if len(run) <= 4 else []
        for size in range(2, min(4, len(run)) + 1):
            pieces.append(run[:size])
            pieces.append(run[-size:])
        for piece in pieces:
            words = [m.group() for m in piece]
            if words[0] in _PARTICLES or words[-1] in _PARTICLES or len(words[-1]) == 1:
                continue
            if len(words[0]) == 1 and piece[0] is not run[0]:
                continue  # "W. Bush" out of "George W. Bush"; "S Jaishankar" stays
            if any(fold(word) in THING_WORDS for word in words):
                continue
            if any(_GENITIVE.search(word) for word in words[:-1]):
                continue  # a Turkic organisation name, "X Hərəkatının Təmas Qrupunun"
            if common_phrase(words) or common_phrase(words[:1]) or place_word(words[0]):
                continue  # "(Комиссии) Африканского Союза": Russian common words, not a name
            if _place_like(words[-1]):
                continue  # "Baş naziri Azərbaycan": a place, not a person
            name = text[piece[0].start() : piece[-1].end()]
            if name.endswith(("'s", "’s")):
                name = name[:-2]
            seen.setdefault((piece[0].start(), name), None)
    for start, name in _titled_surnames(text):
        seen.setdefault((start, name), None)
    ordered = dict.fromkeys(name for _, name in sorted(seen))
    return list(ordered)[:MAX_CANDIDATES]


def _place_like(word: str) -> bool:
    """A country, city or organisation by a name CLDR knows, in any language."""
    from communique.text.places import is_place

    return is_place(word)


# Azerbaijani and Turkish put case endings on the month and the day: "Avqustun 28-də"
# (on August 28), "28 Ağustos'ta" (letters: a-z and the lexicon's ``suffix_letters``).
#: letters beyond a-z of a Turkic case ending, for a character class
SUFFIX_LETTERS = "".join(
    re.escape(letter) for letter in dict.fromkeys(lexicon.words("suffix_letters", _TURKIC))
)
_TURKIC_ENDING = rf"(?:['’]?-?[a-z{SUFFIX_LETTERS}]{{1,4}})?"
# The lexicon's ``ordinal_suffixes`` ("5th", "1er"; after the month only in English: "May
# 5th"), ``day_month_links`` ("5 of May", "5 de mayo") and ``year_links`` ("de 2023").
_ORDINALS = "|".join(lexicon.words("ordinal_suffixes", DATE_ORDER))
_MONTH_FIRST_ORDINALS = "|".join(lexicon.words("ordinal_suffixes", "en"))
_DAY_LINKS = "|".join(rf"{word}\s+" for word in lexicon.words("day_month_links", DATE_ORDER))
_YEAR_LINKS = "|".join(rf"{word}\s+" for word in lexicon.words("year_links", DATE_ORDER))
_DATE_PATTERNS = [
    rf"\b\d{{1,2}}(?:{_ORDINALS})?\s+(?:{_DAY_LINKS})?(?:{ANY_MONTH})(?!\w)"
    rf"(?:,?\s+(?:{_YEAR_LINKS})?\d{{4}})?",
    rf"\b(?:{ANY_MONTH})\.?\s+\d{{1,2}}(?!\d)(?:{_MONTH_FIRST_ORDINALS})?(?:,?\s+\d{{4}})?",
    r"\b\d{4}-\d{2}-\d{2}\b",
    r"\b\d{1,2}[./]\d{1,2}[./]\d{4}\b",
    rf"\b(?:(?:{WEEKDAY_LEADS})\s+)?(?:{WEEKDAYS})\b",
    rf"\b(?:{RELATIVE_DAYS})\b",
]
_DATE_PATTERNS += [  # after the plain forms, so "28 April 2023" is matched whole
    rf"\b(?:{ANY_MONTH}){_TURKIC_ENDING}\s+\d{{1,2}}{_TURKIC_ENDING}(?!\w)",
    rf"\b\d{{1,2}}\s+(?:{ANY_MONTH}){_TURKIC_ENDING}(?!\w)",
]
_DATE = re.compile("|".join(f"(?:{p})" for p in _DATE_PATTERNS), re.IGNORECASE)


def candidate_dates(text: str) -> list[str]:
    """Date expressions worded in ``text`` ("December 5", "28 April 2023", "yesterday")."""
    seen: dict[str, None] = {}
    for match in _DATE.finditer(text):
        seen.setdefault(" ".join(match.group().split()), None)
    return [d for d in seen if d in text][:MAX_CANDIDATES]


_DOC_WORDS = "|".join(lexicon.words("document_patterns"))
_DOC = re.compile(rf"\b(?:{_DOC_WORDS})\b", re.IGNORECASE)
_LINKS = frozenset(lexicon.words("document_links"))
# Links that may open the words after a document's word (not ``document_inner_links``).
_OPENING_LINKS = _LINKS - frozenset(lexicon.words("document_inner_links"))
_PRE_STOP = frozenset(lexicon.words("document_stops"))
_DOC_TAIL_WORDS = 12


def _words_before(text: str, start: int, limit: int) -> list[str]:
    sentence_start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    words = re.findall(r"[^\W_][\w'’-]*", text[sentence_start:start])
    out: list[str] = []
    for word in reversed(words):
        if len(out) == limit or word.lower() in _PRE_STOP:
            break
        out.insert(0, word)
    return out


def _tail_after(text: str, end: int) -> list[str]:
    """Up to a few words after a document word when a link word ('on', 'of') follows it."""
    tail = re.match(r"[^.,;:!?\"“”()\n]*", text[end:])
    words = tail.group().split() if tail else []
    if not words or words[0].lower() not in _OPENING_LINKS:
        return []
    return words[: _DOC_TAIL_WORDS + 1]


def candidate_documents(text: str) -> list[str]:
    """Phrases naming documents ("Protocol on Cooperation", "Shusha Declaration")."""
    seen: dict[str, None] = {}
    for match in _DOC.finditer(text):
        head = match.group()
        before = _words_before(text, match.start(), 3)
        after = _tail_after(text, match.end())
        prefixes = [before[i:] for i in range(len(before))] + [[]]
        suffixes: list[list[str]] = [[]]
        for size in range(2, len(after) + 1):
            if after[size - 1].lower() not in _LINKS:
                suffixes.append(after[:size])
        for pre in prefixes:
            for post in suffixes:
                if not pre and not post:
                    continue
                phrase = " ".join([*pre, head, *post])
                if phrase in text:
                    seen.setdefault(phrase, None)
    return list(seen)[:MAX_CANDIDATES]
