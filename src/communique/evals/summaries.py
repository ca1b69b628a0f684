"""Summary scores: words and numbers the article does not back, and false statements."""

from __future__ import annotations

import bisect
import datetime as dt
import re

from rapidfuzz import fuzz, process

from communique import lexicon
from communique.evals.gold import GoldEvent
from communique.evals.person_names import TOKEN_FUZZ_THRESHOLD, person_match, translit
from communique.evals.place_keys import ANY_PLACE, PLACE_FORMS, folded_key
from communique.evals.results import SummaryCheck
from communique.schema import Event
from communique.text import places
from communique.text.names import fold, name_tokens, title_words
from communique.text.summary_check import (
    EventFacts,
    Person,
    summary_language,
    summary_problems,
)

# Demonyms that no prefix rule reaches (Azerbaijani, Ukrainian... are handled by prefix):
# the lexicon's ``demonym_places``.
_DEMONYMS: dict[str, tuple[str, ...]] = {
    demonym: places_named
    for language in lexicon.languages()
    for demonym, places_named in lexicon.table("demonym_places", language).items()
}
# Words a summary may write capitalised anywhere: English month names, the lexicon's
# ``summary_allowed_words``, and titles.
_MONTHS = frozenset(month.casefold() for month in lexicon.words("month_words", "en"))
_ALLOWED_ANYWHERE = _MONTHS | frozenset(lexicon.words("summary_allowed_words")) | (title_words())
# Common words that may open a sentence capitalised (the lexicon's ``sentence_starters``).
_SENTENCE_STARTERS = frozenset(lexicon.words("sentence_starters"))
# Numbers as words, each at its value's place (the lexicon's English ``number_words``).
_NUMBER_WORDS = lexicon.words("number_words", "en")
# Endings of an adjective of nationality (the lexicon's ``demonym_endings``).
_DEMONYM_SUFFIXES = lexicon.words("demonym_endings")
_SUMMARY_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:['’.][^\W\d_]+)*", re.UNICODE)


def _words(text: str) -> list[str]:
    return folded_key(text).split()


class _ArticleIndex:
    """What the article says, folded, for checking summary tokens against it."""

    def __init__(self, text: str, published: dt.date | None = None) -> None:
        # CLDR places the article names in any language ("Rusiya", "Moscou", "türk")
        self.places = {m.value.casefold() for m in places.place_mentions(text)}
        # the publication date is part of the article: "on 5 December 2023" in a summary
        # of an article dated 2023-12-05 that says "December 5" invents nothing
        if published is not None:
            text = f"{text} {published.day} {published.year}"
        words = _words(text)
        self.words = frozenset(words)
        self.sorted_words = sorted(self.words)
        self.translit = sorted({translit(w) for w in self.words if len(w) >= 4})
        self.norm = f" {' '.join(words)} "
        self.numbers = {d.lstrip("0") or "0" for d in re.findall(r"\d+", fold(text))}

    def has_phrase(self, key: str) -> bool:
        return f" {key} " in self.norm

    def has_prefix(self, prefix: str, *, translit: bool = False) -> bool:
        words = self.translit if translit else self.sorted_words
        i = bisect.bisect_left(words, prefix)
        return i < len(words) and words[i].startswith(prefix)

    def has_stem(self, word: str, min_len: int = 6) -> bool:
        """An inflected form: 'Moskva' in 'Moskve', 'Rossiya' in 'Rossii' (one letter dropped)."""
        t = translit(word)
        return len(t) >= min_len and self.has_prefix(t[:-1], translit=True)

    def has_place(self, canonical: str) -> bool:
        """Any known form of a country or city (Turkey: Türkiye, Turtsiya...) is in the text."""
        for form in PLACE_FORMS.get(canonical, (canonical,)):
            key = folded_key(form)
            if self.has_phrase(key) or (" " not in key and self.has_stem(key, 5)):
                return True
        return False

    def has_number(self, digits: str) -> bool:
        value = digits.lstrip("0") or "0"
        if value in self.numbers:
            return True
        n = int(value) if len(value) <= 3 else -1
        return 0 <= n < len(_NUMBER_WORDS) and _NUMBER_WORDS[n] in self.words

    def has_cldr_place(self, phrase: str) -> bool:
        """A country, organisation or city named in English that the article names in
        its own language ("Spain" for "España", "Dhaka" for "Dakka")."""
        value = (
            places.country_code(phrase)
            or places.organisation(phrase)
            or places.english_city(phrase)
            or places.demonym_country(phrase, "en")
        )
        return value is not None and value.casefold() in self.places

    def has_word(self, word: str) -> bool:
        """True when ``word`` (folded), or an inflected, demonym or transliterated form of
        it, is in the text."""
        if word in _ALLOWED_ANYWHERE or word in self.words or self.has_cldr_place(word):
            return True
        if word in ANY_PLACE and self.has_place(ANY_PLACE[word]):
            return True
        if any(self.has_place(c) for c in _DEMONYMS.get(word, ())):
            return True
        if len(word) >= 4 and self.has_prefix(word):  # Lavrov in "Lavrova"
            return True
        if word.endswith(_DEMONYM_SUFFIXES):  # Iraqi/Iraq, Azerbaijani/Azerbaijan, Ukrainian
            if any(word[:k] in self.words for k in range(max(4, len(word) - 3), len(word))):
                return True
            if len(word) >= 7 and self.has_prefix(word[:6]):
                return True
        if self.has_stem(word):
            return True
        t = translit(word)
        return len(t) >= 5 and (
            process.extractOne(
                t, self.translit, scorer=fuzz.ratio, score_cutoff=TOKEN_FUZZ_THRESHOLD
            )
            is not None
        )


def unfaithful_tokens(
    summary: str, article: _ArticleIndex, known: frozenset[str] = frozenset()
) -> list[str]:
    """Capitalised words and numbers of ``summary`` that the article does not support.

    Runs of capitalised words are first checked as a phrase ('United Nations'),
    then word by word. Common words opening a sentence, month names and titles
    are allowed, and so are the folded words and numbers in ``known`` (the paired
    gold event's date and its participants' names: "Alexander" Lukashenko is not
    invented where the article writes "Александр").
    """
    flagged: list[tuple[int, str]] = []  # (position, token), reported in text order
    runs: list[list[re.Match[str]]] = []
    last_end = -1
    for m in _SUMMARY_TOKEN.finditer(summary):
        token = m.group()
        if token.isdigit():
            if not article.has_number(token) and token.lstrip("0") not in known:
                flagged.append((m.start(), token))
            last_end = -1
            continue
        if not token[0].isupper() or len(token) == 1:
            last_end = -1
            continue
        before = summary[: m.start()].rstrip(" \"'“‘(")
        if (not before or before[-1] in ".!?:") and fold(token) in _SENTENCE_STARTERS:
            last_end = -1
            continue
        if runs and last_end >= 0 and summary[last_end : m.start()].strip(" -") == "":
            runs[-1].append(m)
        else:
            runs.append([m])
        last_end = m.end()
    for run in runs:
        surfaces = [re.sub(r"['’]s$", "", m.group()) for m in run]
        keys = [" ".join(_words(s)) for s in surfaces]
        phrase = " ".join(k for k in keys if k)
        if len(run) > 1 and (
            article.has_phrase(phrase)
            or article.has_place(ANY_PLACE.get(phrase, phrase))
            or article.has_cldr_place(" ".join(surfaces))
        ):
            continue
        for m, surface, key in zip(run, surfaces, keys, strict=True):
            if key and not all(w in known or article.has_word(w) for w in key.split()):
                flagged.append((m.start(), surface))
    return [token for _, token in sorted(flagged)]


def _facts(gold: GoldEvent, every: list[GoldEvent]) -> EventFacts:
    """What a summary of this gold event may say, and the people it must not name: the
    participants of the article's other events who are not in this one."""
    others = [other for other in every if other is not gold]
    names = [n for p in gold.participants for n in (p.name, *p.aliases)]
    outsiders = [
        p.name
        for other in others
        for p in other.participants
        if not any(person_match(n, p.name) for n in names)
    ]
    location = [gold.location.city, gold.location.country] if gold.location else []
    affiliations = [p.affiliation for p in gold.participants]
    return EventFacts(
        kind=gold.kind,
        happened=gold.happened,
        people=[Person(p.name, p.role) for p in gold.participants],
        places=[x for x in (*location, *gold.sides, *affiliations) if x],
        signed=bool(gold.agreements),
        outsiders=outsiders,
    )


def _known(gold: GoldEvent) -> frozenset[str]:
    """Words and numbers a summary of ``gold`` may use that its article may not spell out."""
    words = {t for p in gold.participants for n in (p.name, *p.aliases) for t in name_tokens(n)}
    if gold.date is not None:
        words |= {str(gold.date.day), str(gold.date.year)}
    return frozenset(words)


def check_summaries(
    gold: list[GoldEvent],
    pred: list[Event],
    gold_of: dict[int, GoldEvent],
    article_text: str,
    published: dt.date | None,
    article_language: str | None,
) -> list[SummaryCheck]:
    """Each predicted event's summary checked against the article and, when the event is
    paired (``gold_of``: predicted index -> gold event), against its gold event."""
    article = _ArticleIndex(article_text, published)
    return [
        SummaryCheck(
            predicted_index=j,
            summary=e.summary,
            unfaithful=unfaithful_tokens(
                e.summary, article, _known(gold_of[j]) if j in gold_of else frozenset()
            ),
            problems=summary_problems(
                e.summary,
                _facts(gold_of[j], [g for g in gold if g is not gold_of[j]])
                if j in gold_of
                else None,
                article_text,
                article_language,
            ),
            language=summary_language(e.summary),
            words=len(e.summary.split()),
        )
        for j, e in enumerate(pred)
    ]
