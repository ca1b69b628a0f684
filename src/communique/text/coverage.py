"""Which sentences of an article may report an event the model's answer left out.

A small model lists the first meeting of a report and stops. The sentences worth a
second look hold a word that reports a meeting, call, signing or visit (the
``event_cue_patterns`` of each language's lexicon) and name someone who is in no
event of the answer: the recall turn asks the model about each of them, one at a
time (LangExtract's extraction passes, aimed at the sentences that need one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from communique import lexicon
from communique.text.attendance import known, sentences
from communique.text.dates import YEAR
from communique.text.organisations import is_organisation_name
from communique.text.places import is_place


@lru_cache(maxsize=1)
def _cue() -> re.Pattern[str]:
    body = "|".join(lexicon.words("event_cue_patterns", lexicon.languages()))
    return re.compile(rf"(?<!\w)(?:{body})", re.IGNORECASE)


@dataclass(frozen=True)
class CueSentence:
    """A sentence with an event word, and the candidate people it names."""

    text: str
    names: tuple[str, ...]


def cue_sentences(
    text: str, candidates: Sequence[str], published: dt.date | None
) -> list[CueSentence]:
    """The sentences of ``text`` that hold an event word and name a candidate person,
    in text order; a sentence about an earlier year than ``published`` is background."""
    people = [n for n in candidates if not is_organisation_name(n) and not is_place(n)]
    found = []
    for start, end in sentences(text):
        sentence = text[start:end].strip()
        if not _cue().search(sentence):
            continue
        years = [int(y) for y in YEAR.findall(sentence)]
        if published is not None and years and max(years) < published.year:
            continue
        names = tuple(name for name in people if name in sentence)
        if names:
            found.append(CueSentence(sentence, names))
    return found


def uncovered(sentence: CueSentence, named: Sequence[str]) -> list[str]:
    """The people ``sentence`` names who are not among ``named`` (any spelling); of
    two names of one person ("Faysal", "Faysal bin Farhan"), the longer."""
    new = [name for name in sentence.names if not known(name, named)]
    return [name for name in new if not any(name in other and name != other for other in new)]
