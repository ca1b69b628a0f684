"""Nominative (dictionary) form of Russian personal names.

Russian press releases inflect names ("переговоры с Гургеном Мелконяном"), but a
record must give the person as "Гурген Мелконян". pymorphy3 knows which parses
are first names, surnames and patronymics, and guesses unknown surnames from
their endings. Where it is unsure, the word is kept as written: a slightly
inflected name is better than a wrong one.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_GENDERS = ("masc", "femn")
_COMMON_GENDER = "ms-f"  # indeclinable or either-gender surnames (Шойгу)


_LOCK = threading.Lock()


def _analyzer() -> Any:
    with _LOCK:  # the threads of a batch build the analyzer once, not once each
        return _load_analyzer()


@functools.cache
def _load_analyzer() -> Any:
    """The Russian MorphAnalyzer, built on first use so importing this module stays cheap."""
    import pymorphy3  # type: ignore[import-untyped]

    return pymorphy3.MorphAnalyzer(lang="ru")


def _name_parses(part: str) -> list[Any]:
    """Singular parses of ``part`` as a first name, surname or patronymic, best first."""
    if not _CYRILLIC.search(part):
        return []
    parses = _analyzer().parse(part)
    return [p for p in parses if p.tag.number == "sing" and _NAME_TAGS & set(p.tag.grammemes)]


def _gender_of(parse: Any) -> str | None:
    """The parse's gender grammeme; compared as a set, since ``tag.gender`` rejects "ms-f"."""
    grammemes = parse.tag.grammemes
    return next((g for g in (*_GENDERS, _COMMON_GENDER) if g in grammemes), None)


def _gender(parts: list[list[Any]]) -> str | None:
    """Gender of the first word that is a first name, else None.

    A dictionary first name wins over a guessed one: pymorphy3 also guesses that
    unknown surnames ("Абгарян") might be first names.
    """
    for known_only in (True, False):
        for parses in parts:
            for parse in parses:
                if (
                    "Name" in parse.tag.grammemes
                    and _gender_of(parse) in _GENDERS
                    and (parse.is_known or not known_only)
                ):
                    return _gender_of(parse)
    return None


def _restyle(new: str, old: str) -> str:
    """``new`` with the capitalisation of ``old``, and е for ё if ``old`` writes no ё."""
    if "ё" not in old.lower():
        new = new.replace("ё", "е")
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _nominative_part(part: str, parses: list[Any], gender: str | None) -> str:
    if gender is not None:
        parses = [p for p in parses if _gender_of(p) in (gender, _COMMON_GENDER)]
    if not parses:
        return part
    if any(p.tag.case == "nomn" for p in parses):
        return part  # already a nominative form: keep the writer's spelling
    best = parses[0]
    target = {"nomn", "sing"}
    word_gender = gender or _gender_of(best)
    if word_gender in _GENDERS:
        target.add(word_gender)
    inflected = best.inflect(target)
    if inflected is None:
        return part
    return _restyle(str(inflected.word), part)


def nominative_name(name: str) -> str:
    """The nominative form of a Russian (Cyrillic) personal name; other names come back unchanged.

    Gender comes from the first name when there is one ("Сергея Лаврова" is a man,
    so "Лавров", not "Лаврова"); words pymorphy3 cannot read as name parts, such as
    initials or "оглы", stay as written. Never raises.
    """
    if not _CYRILLIC.search(name):
        return name
    try:
        words = [word.split("-") for word in name.split(" ")]
        parses = [[_name_parses(part) for part in word] for word in words]
        gender = _gender([p for word in parses for p in word])
        return " ".join(
            "-".join(
                _nominative_part(part, part_parses, gender)
                for part, part_parses in zip(word, word_parses, strict=True)
            )
            for word, word_parses in zip(words, parses, strict=True)
        )
    except Exception:
        return name


_PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})


def common_phrase(words: list[str]) -> bool:
    """Whether every word is a Russian dictionary word that is not a name.

    "Африканского Союза" (of the African Union) is two known common words, so it is
    not a person, whatever its capitals; "Сергей Лавров" and an unknown surname such as
    "Бербок" are names. Words in other scripts never count as common.
    """
    if not words or not all(_CYRILLIC.search(word) for word in words):
        return False
    try:
        for word in words:
            parses = _analyzer().parse(word)
            if not parses or not parses[0].is_known:
                return False
            if any(_PROPER_TAGS & set(p.tag.grammemes) for p in parses[:3]):
                return False
        return True
    except Exception:
        return False


def place_word(word: str) -> bool:
    """A Russian place name in any case ("Белоруссии", "Вьетнама"), by its best parse."""
    if not _CYRILLIC.search(word):
        return False
    try:
        parses = _analyzer().parse(word)
        return bool(parses) and parses[0].is_known and "Geox" in parses[0].tag.grammemes
    except Exception:
        return False


def nominative_place(name: str) -> str:
    """A Russian place name in the nominative ("в Будапеште" -> "Будапешт"); else as given."""
    if not _CYRILLIC.search(name):
        return name
    try:
        words = []
        for word in name.split():
            parses = _analyzer().parse(word)
            geo = [p for p in parses if "Geox" in p.tag.grammemes]
            best = (geo or parses)[0] if parses else None
            words.append(_restyle(best.normal_form, word) if best is not None else word)
        return " ".join(words)
    except Exception:
        return name
