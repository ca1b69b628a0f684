"""Language identification of article text (ISO 639-1), offline and deterministic."""

from __future__ import annotations

import copy
import threading
from functools import lru_cache
from typing import Any

_LOCK = threading.Lock()


def _identifier() -> Any:
    with _LOCK:  # the threads of a batch load the model once, not once each
        return _load_identifier()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_confidence: float = 0.5) -> str | None:
    """The article's main language, or None when the text is too short to tell."""
    sample = text[:4000]
    if len(sample.strip()) < 20:
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= min_confidence else None


def language_confidence(text: str) -> tuple[str, float]:
    """The most likely language of ``text`` and its probability (how much it reads
    like any language at all: decoders use it to tell a right encoding from a wrong one)."""
    language, confidence = _identifier().classify(text[:4000])
    return str(language), float(confidence)


def is_english(phrase: str, other_language: str | None) -> bool:
    """Whether a short phrase (a role, a summary) reads as English rather than ``other_language``.

    A whole-text classifier is unreliable on three words; deciding between just two
    candidates is not: "minister van Buitenlandse Zaken" is Dutch, "Minister of
    Foreign Affairs" English. A tie counts as English ("Minister" is both).
    """
    if not phrase.strip():
        return True
    if other_language in (None, "en"):
        return True
    identifier = _pair_identifier(other_language)
    if identifier is None:
        return phrase.isascii()
    language, confidence = identifier.classify(phrase)
    return bool(language == "en" or confidence <= 0.5)


@lru_cache(maxsize=16)
def _pair_identifier(other_language: str) -> Any:
    # a shallow copy restricted to two languages: the model is read from disk once
    identifier = copy.copy(_identifier())
    try:
        identifier.set_languages(["en", other_language])
    except ValueError:  # a language the model does not know
        return None
    return identifier


#: languages whose press writes foreign and native names in a spelling an English
#: record does not use (another script, or Azerbaijani orthography: Ceyhun, Məmmədyarov)
_OWN_SPELLING = frozenset({"az", "ru", "uk", "be", "bg", "kk", "ky", "mn", "sr", "mk", "ka", "hy"})


def needs_english_forms(language: str | None, names: tuple[str, ...] = ()) -> bool:
    """Whether the names of an article in ``language`` need their usual English
    spelling asked for."""
    if any(not c.isascii() and c.isalpha() and not _latin(c) for name in names for c in name):
        return True
    return language in _OWN_SPELLING


def _latin(char: str) -> bool:
    import unicodedata

    return "LATIN" in unicodedata.name(char, "")
