"""People the text says also took part, found without the model.

Press releases name the lesser members of a meeting in a fixed way: "The meeting
was also attended by Ambassador X", "The Turkmen delegation included Minister Y",
"Bij het gesprek was ook ambassadeur Z aanwezig". A 1.5B model reliably gets the
two principals and often drops these people, so after the model has drafted the
events, sentences with an attendance cue are read here and every titled person
named in them joins the event the sentence belongs to, with an evidence span and
``origin="text"``.

A person counts only when a title or position stands just before the name
("Minister of Economy Elmir Huseynzade", "посол Армении в России Вардан Абгарян"),
which keeps organisations ("Ticaret Bakanlığı Uluslararası Anlaşmalar") out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from communique import lexicon
from communique.text.alignment import fold_value
from communique.text.candidates import THING_WORDS
from communique.text.names import fold, same_person, title_words
from communique.text.places import is_place
from communique.text.spans import WORD_PATTERN

# Phrases saying that the people named in the same sentence took part (the lexicon's
# ``attendance_patterns``, in this order of languages).
_CUES = lexicon.words("attendance_patterns", ("en", "ru", "az", "tr", "fr", "es", "nl"))
_CUE = re.compile(r"(?<!\w)(?:" + "|".join(_CUES) + r")(?!\w)", re.IGNORECASE)
# A cue reporting an earlier signing when a year is near (``earlier_signing_patterns``),
# matched against a whole cue.
_SIGNED_BY = re.compile(
    r"(?<!\w)" + "|".join(lexicon.words("earlier_signing_patterns")) + r"(?!\w)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

# Folded stems of titles and positions in the languages the tool reads (the lexicon's
# ``title_stems``); a word is a title when it starts with one of these and is at most
# three letters longer (Turkish "büyükelçisi", Russian "посла", Azerbaijani "səfiri").
_TITLE_STEMS = frozenset(lexicon.words("title_stems"))
# Lower-case words that may stand between a title and the name it belongs to:
# "Minister *of the* Economy", "embajador *de* Uruguay *en* Chile".
_CONNECTORS = frozenset(lexicon.words("title_connectors"))
_WORD = re.compile(WORD_PATTERN)
_BREAK = re.compile(r"[.;:!?()\[\]\"“”«»]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”»']?\s+|\n+")
_ABBREVIATIONS = frozenset(lexicon.words("abbreviations"))
_MAX_WALK = 12
# Portfolio words: "Minister of Higher Education, Science ..." names no person.
_PORTFOLIO_WORDS = frozenset(lexicon.words("portfolio_words"))
# Honorifics open a name but are not a role.
_HONORIFICS = frozenset(lexicon.words("honorifics"))


@dataclass(frozen=True)
class Attendee:
    """A titled person named in an attendance sentence."""

    name: str
    start: int
    end: int
    role: str | None  # the title before the name, as worded
    context: str  # the words before the name that describe it ("Lithuanian Ambassador to")
    sentence_start: int
    sentence_end: int


@lru_cache(maxsize=16)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of the sentences of ``text``; abbreviations do not end one.

    Memoised: every completion pass reads the same article's sentences.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].rstrip("\"”»'")
        last_word = before.rsplit(maxsplit=1)[-1].rstrip(".").casefold() if before.split() else ""
        if "\n" not in match.group() and (
            last_word in _ABBREVIATIONS
            or (len(last_word) == 1 and last_word.isalpha())
            or "." in last_word
        ):  # "Mr.", "J. Smith", "U.S."
            continue
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return tuple(spans)


def is_title_word(word: str) -> bool:
    """A title or position in any of the languages the tool reads ("Büyükelçisi")."""
    token = fold_value(word).strip(".'’")
    if not token:
        return False
    parts = [token, *token.split("-")] if "-" in token else [token]  # "Vice-Minister"
    return any(
        part in title_words()
        or any(part.startswith(stem) and len(part) - len(stem) <= 3 for stem in _TITLE_STEMS)
        for part in parts
        if part
    )


def _name_word(word: str) -> bool:
    if not word[0].isupper() or (len(word) > 1 and word.isupper()):
        return False
    return not is_title_word(word)


def attendees(text: str) -> list[Attendee]:
    """Titled people named in sentences that say they took part."""
    found: list[Attendee] = []
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        cue = _CUE.search(sentence)
        if cue is None:
            continue
        if _SIGNED_BY.fullmatch(cue.group()) and _YEAR.search(sentence):
            continue  # "the treaty signed by the presidents in 2022": an earlier signing
        for name, start, end, role, context in _titled_names(sentence):
            found.append(
                Attendee(name, s_start + start, s_start + end, role, context, s_start, s_end)
            )
    return found


@dataclass(frozen=True)
class Titled:
    """A person named with a title in a sentence; offsets are within the sentence."""

    name: str
    start: int
    end: int
    role: str | None
    context: str


def titled_people(sentence: str) -> list[Titled]:
    """The people named with a title in ``sentence``, whatever it says about them."""
    return [Titled(*found) for found in _titled_names(sentence)]


def titled_names(sentence: str) -> list[str]:
    """The names of :func:`titled_people`."""
    return [name for name, *_ in _titled_names(sentence)]


def _titled_names(sentence: str) -> list[tuple[str, int, int, str | None, str]]:
    words = list(_WORD.finditer(sentence))
    out: list[tuple[str, int, int, str | None, str]] = []
    floor = 0  # word index after the last name found: a title never reaches past it
    index = 0
    while index < len(words):
        if not _name_word(words[index].group()):
            index += 1
            continue
        run_start = index  # a run of capitalised name words joined by single spaces
        while (
            index + 1 < len(words)
            and _name_word(words[index + 1].group())
            and sentence[words[index].end() : words[index + 1].start()] == " "
        ):
            index += 1
        run_end = index
        index += 1
        if run_end == run_start or _continues(sentence, words, run_end):
            continue
        first = run_end - 1
        if run_end - run_start == 2 and _after_title(sentence, words, run_start):
            first = run_start  # "Mme Khady Ndiaye Sarr"
        title_at = _title_before(sentence, words, run_start, floor)
        if title_at is None:
            continue
        start, end = words[first].start(), words[run_end].end()
        name = sentence[start:end]
        if name.endswith(("'s", "’s")) or any(
            fold(w.group()) in THING_WORDS or fold(w.group()) in _PORTFOLIO_WORDS
            for w in words[first : run_end + 1]
        ):
            continue  # "Tsiklauri's visit", "the Central Office": not a person
        if is_place(name):
            continue  # "the ambassador in Buenos Aires": a place
        context = sentence[words[max(title_at - 2, floor)].start() : start]
        floor = run_end + 1
        role_words = sentence[words[title_at].start() : start].replace(",", " ").split()
        while role_words and fold(role_words[0]).strip(".") in _HONORIFICS:
            role_words.pop(0)
        out.append((name, start, end, " ".join(role_words) or None, context))
    return out


def _continues(sentence: str, words: Sequence[re.Match[str]], run_end: int) -> bool:
    """The run is part of a longer title: "Digital Development *and Transport* Ramil Veliyev"."""
    if run_end + 2 >= len(words):
        return False
    link, following = words[run_end + 1], words[run_end + 2]
    if following.group().endswith(("'s", "’s")):
        return False  # "Ramil Veliyev and Uzbekistan's Minister ..."
    return (
        sentence[words[run_end].end() : link.start()] == " "
        and link.group() in _CONNECTORS
        and following.group()[0].isupper()
        and not is_title_word(following.group())
    )


def _after_title(sentence: str, words: Sequence[re.Match[str]], run_start: int) -> bool:
    """A three-word run is a three-word name only right after a title word."""
    if run_start == 0:
        return False
    previous = words[run_start - 1]
    gap = sentence[previous.end() : words[run_start].start()]
    return gap.strip() in {"", ","} and is_title_word(previous.group())


def _title_before(
    sentence: str, words: Sequence[re.Match[str]], run_start: int, floor: int
) -> int | None:
    """Index of the first word of the title governing the name in the run, if any.

    Walks back over capitalised words and connectors ("Minister of Trade and Foreign
    Economic Relations"), at most one comma ("embajador de Uruguay en Chile, Martín
    Rivero"), never past the previous name.
    """
    title_at: int | None = None
    commas = lowercase = 0
    index = run_start - 1
    while index >= floor and run_start - index <= _MAX_WALK:
        gap = sentence[words[index].end() : words[index + 1].start()]
        if _BREAK.search(gap):
            break
        commas += gap.count(",")
        if commas > 1:
            break
        word = words[index].group()
        if is_title_word(word):
            title_at = index
        elif not (word[0].isupper() or word.casefold() in _CONNECTORS):
            lowercase += 1  # Russian writes "директор Второго департамента"
            if lowercase > 1:
                break
        index -= 1
    return title_at


def affiliation_hint(phrase: str, affiliations: Sequence[str]) -> str | None:
    """The first of ``affiliations`` named in ``phrase`` (Lithuanian -> Lithuania)."""
    keys = [(fold(a)[:4], a) for a in affiliations if len(fold(a)) >= 4]
    for match in _WORD.finditer(phrase):
        word = fold(match.group())
        for key, affiliation in keys:
            if word.startswith(key):
                return affiliation
    return None


def known(name: str, names: Sequence[str]) -> bool:
    """``name`` is already among ``names`` (same person, any spelling or script)."""
    return any(same_person(name, other) for other in names)
