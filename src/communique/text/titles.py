"""The words an article puts around a person's name to say who they are.

"Chilean Foreign Minister Diego Rojas", "министр иностранных дел России Сергей
Лавров", "Jan de Vries, minister van Buitenlandse Zaken,": the title phrase is the
run of words right before the name (back to punctuation, the sentence start or
another person's name), or, when nothing titles the name from the left, the
apposition after a comma. Words before a comma that name no title and follow a
verb or a conjunction are the end of another clause, and an apposition with a
joining word ("with", "ile") is a clause about someone else: neither titles the
name. Its span is the evidence for a role and an affiliation, in the article's own
language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from communique import lexicon
from communique.text.spans import LETTER, Span

MAX_WORDS = 8
_WORD = re.compile(rf"(?:{LETTER}|\d)(?:{LETTER}|[\w'’.-])*")
_STOP = re.compile(r"[,;:()\[\]«»“”\"!?\n–—]|(?<=\w)\.(?=\s)")
# Words that end a title on its left: a verb or a conjunction joining two people (the
# lexicon's ``title_joiners``, every language's).
_JOINERS = frozenset(word.casefold() for word in lexicon.words("title_joiners"))
# Words a title does not start with (the lexicon's ``title_articles``).
_ARTICLES = frozenset(lexicon.words("title_articles"))


def _names_a_title(phrase: str) -> bool:
    """Whether a phrase names an office, a portfolio or a counterpart in any language
    (the lexicon's ``role_concepts``), or holds a title word, inflected or not (the
    feminine "subsecretaria" of "subsecretario")."""
    from communique.text.attendance import is_title_word
    from communique.text.role_concepts import concepts

    words = re.sub(r"['’]", " ", phrase)  # "l'ambassadrice"
    return bool(concepts(words, None)) or any(
        is_title_word(word) or _inflected_title(word) for word in words.split()
    )


def _inflected_title(word: str) -> bool:
    """A long title word with another ending of up to two letters (a gender or a case)."""
    from communique.text.alignment import fold_value

    folded = fold_value(word)
    if len(folded) < 6:
        return False
    return any(
        folded.startswith(title[:-2]) and abs(len(folded) - len(title)) <= 2
        for title in _long_titles().get(folded[:3], ())
    )


@cache
def _long_titles() -> dict[str, tuple[str, ...]]:
    """The title words and stems of six letters or more (the lexicon's), by their first
    three letters."""
    from communique.text.names import title_words

    grouped: dict[str, list[str]] = {}
    for title in {*title_words(), *lexicon.words("title_stems")}:
        if len(title) >= 6:
            grouped.setdefault(title[:3], []).append(title)
    return {key: tuple(values) for key, values in grouped.items()}


@dataclass(frozen=True)
class TitlePhrase:
    span: Span
    side: str  # "before" the name, or "after" it (an apposition)


def title_phrase(
    text: str, start: int, end: int, others: Sequence[tuple[int, int]] = ()
) -> TitlePhrase | None:
    """The title phrase of the name at ``text[start:end]``; ``others`` are other people's
    name spans, which a phrase never crosses."""
    before = _before(text, start, others)
    if before is not None:
        return TitlePhrase(before, "before")
    after = _after(text, end, others)
    return TitlePhrase(after, "after") if after is not None else None


def _before(text: str, start: int, others: Sequence[tuple[int, int]]) -> Span | None:
    floor = max([0, *(e for s, e in others if e <= start)])
    window = text[floor:start]
    # "su homólogo boliviano, Rogelio Mayta": a comma right before the name still
    # belongs to its title
    comma = re.search(r",\s*$", window)
    body = window[: comma.start()] if comma else window
    cut = max((m.end() for m in _STOP.finditer(body)), default=0)
    words = list(_WORD.finditer(body, cut))
    kept: list[re.Match[str]] = []
    cut_short = False  # by a joining word or the length limit, not by punctuation
    for word in reversed(words):
        if len(kept) == MAX_WORDS or word.group().casefold() in _JOINERS:
            cut_short = True
            break
        kept.insert(0, word)
    while kept and kept[0].group().casefold() in _ARTICLES:
        kept.pop(0)
    if not kept:
        return None
    a, b = floor + kept[0].start(), floor + kept[-1].end()
    if comma and cut_short and not _names_a_title(body[cut:]):
        # "Con su llegada a Cuba, Pedro Sánchez": the end of a clause that names no
        # title back to its punctuation (but "Deputy Chairman and Head of the Central
        # Office, X" titles X; and in "homólogos de Francia, X, de España, Y", a list,
        # each item is its own)
        return None
    return Span(start=a, end=b, text=text[a:b])


def _after(text: str, end: int, others: Sequence[tuple[int, int]]) -> Span | None:
    match = re.match(r"\s*,\s*", text[end:])
    if match is None:
        return None
    begin = end + match.end()
    ceiling = min([len(text), *(s for s, e in others if s >= begin)])
    window = text[begin:ceiling]
    stop = _STOP.search(window)
    window = window[: stop.start()] if stop else window
    words = list(_WORD.finditer(window))[:MAX_WORDS]
    if not words or any(w.group().casefold() in _JOINERS for w in words):
        # "Hakan Fidan, İranlı mevkidaşı ile görüştü", "Barack Obama, Readout of the
        # Calls with British Prime Minister ...": a clause about someone else
        return None
    a, b = begin + words[0].start(), begin + words[-1].end()
    return Span(start=a, end=b, text=text[a:b])
