"""Quoted statements in an article, with exact spans and who said them.

A quote is only worth keeping in a meeting record if it is the article's own words
and its speaker is the one the article names. Both are settled here without the
model: quotes are character spans of the article (``article[q.start:q.end] ==
q.text``), and a quote goes to one of the given people only when the text says so:

1. the sentence around the quote names exactly one of them (several: the nearest
   one beside a reporting verb such as "said", else the nearest);
2. else the sentence attributes it to a pronoun ("he said", «по его словам»,
   "a-t-il déclaré") and the speaker is the last of them named in the 600
   characters before the quote;
3. else nobody.

A person is named where their surname-like token (the longest or the last of the
name, titles skipped) stands as a whole word, across scripts and transliterations
(``Şentop`` = ``Sentop``, ``Громов`` = ``Gromov``, ``Aliev`` = ``Aliyev``) and with
up to three letters of case ending (``Мелконяном`` = ``Мелконян``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from communique import lexicon
from communique.text.names import fold, name_tokens, title_words

MAX_QUOTE_CHARS = 600
MIN_STATEMENT_WORDS = 5
MIN_SINGLE_QUOTE_WORDS = 4
LOOKBACK_CHARS = 600
# A mention "stands next to" a reporting verb when at most this many words separate them
# ("said Russian Foreign Minister Sergey Lavrov").
_VERB_WINDOW_WORDS = 4
# Verbs whose following name is the listener, not the speaker ("Lavrov told Blinken").
_LISTENER_VERBS = frozenset(lexicon.words("listener_verbs"))
# Inflected forms: the folded surname plus at most this many letters, for surnames of at
# least _MIN_STEM folded letters ("Мелконяном", "Bayramovun").
_MAX_SUFFIX = 3
_MIN_STEM = 5


@dataclass(frozen=True)
class FoundQuote:
    """A quoted statement: ``article[start:end] == text``."""

    text: str  # the quoted words, without the quote marks (or a trailing comma)
    start: int  # code-point offsets into the article
    end: int
    speaker: str | None  # one of the given people, exactly as given, or None


class _Regions:
    """Non-overlapping (opening, closing) index pairs, sorted, with a fast membership test."""

    def __init__(self, pairs: list[tuple[int, int]]) -> None:
        self.pairs = pairs
        self._starts = [opening for opening, _ in pairs]

    def contains(self, position: int) -> bool:
        index = bisect_right(self._starts, position) - 1
        return index >= 0 and self.pairs[index][0] <= position <= self.pairs[index][1]


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    person: int


_LETTERS = re.compile(r"[^\W_]+")
# A word as written, keeping apostrophes and hyphens inside it ("Erdoğan’ın", "al-Sisi").
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_CURLY = re.compile(r"[„“”«»]|\n[^\S\n]*\n")
_SINGLE_CLOSE = re.compile(r"(?<=\S)’(?![^\W_])")
# Words whose trailing full stop does not end a sentence ("Mr. Blinken", "No. 2231").
_ABBREVIATIONS = frozenset(lexicon.words("abbreviations")) | frozenset(
    lexicon.words("quote_abbreviations")
)

# The lexicon's ``reporting_patterns``, in this order of languages.
_REPORTING_ORDER = ("en", "ru", "tr", "az", "fr", "es", "nl", "de")
_REPORTING_VERB = re.compile(
    r"\b(?:" + "|".join(lexicon.words("reporting_patterns", _REPORTING_ORDER)) + r")\b",
    re.IGNORECASE,
)

# Attribution to someone already named: "he said", "по его словам", "a-t-il déclaré".
_PRONOUN_ATTRIBUTION = re.compile(
    r"\b(?:"
    + "|".join(lexicon.words("pronoun_attribution_patterns", ("en", "ru", "fr", "es", "nl")))
    + r")\b",
    re.IGNORECASE,
)
# Verbs whose subject is left out ("…” dedi.", "…”, dijo."): they point back to someone
# already named unless a name follows them ("dijo Pérez").
_IMPLICIT_SUBJECT = re.compile(
    r"\b(?:" + "|".join(lexicon.words("implicit_subject_patterns", ("tr", "es"))) + r")\b",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"[^\S\n]+([^\W_])")


def find_quotes(text: str, people: Sequence[str]) -> list[FoundQuote]:
    """Quoted statements in `text`, in order, each attributed to one of `people` when the text
    says who said it."""
    if not text:
        return []
    regions = _Regions(_quote_regions(text))
    breaks = _sentence_breaks(text, regions.pairs)
    word_starts = [m.start() for m in _LETTERS.finditer(text)]
    mentions = [m for m in _mentions(text, people) if not regions.contains(m.start)]
    found: list[FoundQuote] = []
    for opening, closing in regions.pairs:
        span = _statement(text, opening, closing)
        if span is None:
            continue
        start, end = span
        sentence = (
            breaks[bisect_right(breaks, opening) - 1],
            breaks[bisect_left(breaks, closing + 1)],
        )
        person = _speaker(text, (opening, closing + 1), sentence, mentions, regions, word_starts)
        found.append(FoundQuote(text[start:end], start, end, _name(people, person)))
    return found


def _name(people: Sequence[str], person: int | None) -> str | None:
    return None if person is None else people[person]


# -- quote marks -------------------------------------------------------------------------------


def _quote_regions(text: str) -> list[tuple[int, int]]:
    """Outermost quote pairs as (index of opening mark, index of closing mark), in order."""
    regions = _outermost(_curly_pairs(text))
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
    regions = _outermost(regions + _straight_pairs(text, regions, blanks))
    return _outermost(regions + _single_pairs(text, regions, blanks))


def _outermost(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop pairs that start inside an earlier one (nested quotes belong to the outer one)."""
    kept: list[tuple[int, int]] = []
    for pair in sorted(pairs, key=lambda p: (p[0], -p[1])):
        if not kept or pair[0] > kept[-1][1]:
            kept.append(pair)
    return kept


def _curly_pairs(text: str) -> list[tuple[int, int]]:
    """“…”, „…“, „…”, «…»; nested pairs included; unclosed marks end at a blank line."""
    pairs: list[tuple[int, int]] = []
    double: list[tuple[str, int]] = []
    guillemets: list[int] = []
    for match in _CURLY.finditer(text):
        mark, at = match.group(), match.start()
        if mark.startswith("\n"):
            double.clear()
            guillemets.clear()
        elif mark == "„":
            double.append((mark, at))
        elif mark == "“":
            if double and double[-1][0] == "„":
                pairs.append((double.pop()[1], at))
            else:
                double.append((mark, at))
        elif mark == "”":
            if double:
                pairs.append((double.pop()[1], at))
        elif mark == "«":
            guillemets.append(at)
        elif guillemets:
            pairs.append((guillemets.pop(), at))
    return pairs


def _straight_pairs(
    text: str, taken: list[tuple[int, int]], blanks: list[int]
) -> list[tuple[int, int]]:
    """ "…" paired in order: an opening mark follows no letter, a closing one precedes none."""
    blocked = _Regions(taken)
    pairs: list[tuple[int, int]] = []
    pending: int | None = None
    for match in re.finditer('"', text):
        at = match.start()
        if blocked.contains(at):
            continue
        if pending is not None and _crosses(blanks, pending, at):
            pending = None
        can_open = at == 0 or not _is_letter(text[at - 1])
        can_close = at + 1 == len(text) or not _is_letter(text[at + 1])
        if pending is not None and can_close:
            pairs.append((pending, at))
            pending = None
        elif can_open:
            pending = at
    return pairs


def _single_pairs(
    text: str, taken: list[tuple[int, int]], blanks: list[int]
) -> list[tuple[int, int]]:
    """‘…’ with at least four words (a closing ’ followed by a letter is an apostrophe)."""
    blocked = _Regions(taken)
    closers = [m.start() for m in _SINGLE_CLOSE.finditer(text)]
    pairs: list[tuple[int, int]] = []
    last_end = -1
    for match in re.finditer("‘", text):
        at = match.start()
        if at <= last_end or blocked.contains(at):
            continue
        if at > 0 and _is_letter(text[at - 1]):
            continue
        index = bisect_right(closers, at)
        if index == len(closers):
            break
        closing = closers[index]
        if _crosses(blanks, at, closing) or blocked.contains(closing):
            continue
        if len(_LETTERS.findall(text, at + 1, closing)) >= MIN_SINGLE_QUOTE_WORDS:
            pairs.append((at, closing))
            last_end = closing
    return pairs


def _is_letter(char: str) -> bool:
    return char.isalnum()


def _crosses(blanks: list[int], start: int, end: int) -> bool:
    index = bisect_right(blanks, start)
    return index < len(blanks) and blanks[index] < end


def _statement(text: str, opening: int, closing: int) -> tuple[int, int] | None:
    """The quoted words' span, capped, when they make a statement (not a name or title)."""
    start, end = opening + 1, closing
    while start < end and text[start].isspace():
        start += 1
    # The comma of '“…,” he said' belongs to the sentence around the quote.
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    if len(_LETTERS.findall(text, start, end)) < MIN_STATEMENT_WORDS:
        return None
    if end - start <= MAX_QUOTE_CHARS:
        return start, end
    limit = start + MAX_QUOTE_CHARS
    cut = limit
    for word in _LETTERS.finditer(text, start, limit):
        if word.end() < limit or not _is_letter(text[limit]):
            cut = word.end()
    return start, cut


# -- sentences ---------------------------------------------------------------------------------


def _sentence_breaks(text: str, regions: list[tuple[int, int]]) -> list[int]:
    """Sorted offsets where sentences begin (0 and len(text) included); quotes are opaque."""
    breaks = [0]
    next_region = 0
    has_words = False
    index = 0
    length = len(text)
    while index < length:
        if next_region < len(regions) and index == regions[next_region][0]:
            opening, closing = regions[next_region]
            next_region += 1
            index = closing + 1
            # «…» or “…” ending a sentence inside its marks closes the sentence too, unless
            # the quote opened it (its attribution then follows: “We will win.” Lavrov said.)
            inner = text[opening + 1 : closing].rstrip()
            if has_words and inner[-1:] in (".", "!", "?") and _capital_follows(text, index):
                breaks.append(index)
                has_words = False
            continue
        char = text[index]
        if char == "\n":
            if not _after_colon(text, index):
                breaks.append(index + 1)
                has_words = False
        elif char in ".!?" and _ends_sentence(text, index):
            breaks.append(index + 1)
            has_words = False
        elif char.isalnum():
            has_words = True
        index += 1
    breaks.append(length)
    return breaks


def _capital_follows(text: str, index: int) -> bool:
    rest = text[index : index + 40].lstrip()
    return bool(rest) and (rest[0].isupper() or rest[0] in '“„«"')


def _after_colon(text: str, index: int) -> bool:
    """A line ending in ':' introduces what follows ("He said:\\n“…”")."""
    before = text[max(0, index - 200) : index].rstrip()
    return before.endswith(":")


def _ends_sentence(text: str, index: int) -> bool:
    if index + 1 < len(text) and not (text[index + 1].isspace() or text[index + 1] in ")]"):
        return False
    if text[index] != ".":
        return True
    word = re.search(r"[^\W_]+$", text[max(0, index - 12) : index])
    if word is None:
        return True
    token = word.group()
    return not (len(token) == 1 or token.casefold() in _ABBREVIATIONS)


# -- people ------------------------------------------------------------------------------------


def _prepare(value: str) -> str:
    # Azerbaijani schwa is written "a" in English (Əliyev = Aliyev); anyascii makes it "e".
    return value.replace("Ə", "A").replace("ə", "a")


def _loose(folded: str) -> str:
    """Forgive the usual transliteration variants: Aliev = Aliyev, Zelenskii = Zelensky."""
    return re.sub(r"(.)\1+", r"\1", folded.replace("'", "").replace("y", "i"))


def _person_keys(name: str) -> tuple[set[str], set[str]]:
    """Loose folds of the name's surname-like tokens (the longest and the last, titles
    skipped: "Vladimir Putin" -> putin, vladimir) and of all its tokens."""
    raw = name_tokens(_prepare(name))
    titles = title_words()
    bare = [_loose(token) for token in ([t for t in raw if t not in titles] or raw)]
    tokens = [token for token in bare if token]
    if not tokens:
        return set(), set()
    longest = max(reversed(tokens), key=len)
    return {longest, tokens[-1]}, set(tokens)


def _word_forms(word: str) -> set[str]:
    """Loose folds of a written word and of its parts ("Blinken’s" -> blinkens, blinken, s)."""
    folded = fold(_prepare(word))
    return {_loose(folded)} | {_loose(part) for part in re.split(r"['\-]", folded) if part}


def _mentions(text: str, people: Sequence[str]) -> list[_Mention]:
    """Every whole-word occurrence of a person's surname, in original-text offsets."""
    keys: dict[str, list[int]] = {}
    tokens: list[set[str]] = []
    for index, name in enumerate(people):
        surnames, all_tokens = _person_keys(name) if isinstance(name, str) else (set(), set())
        tokens.append(all_tokens)
        for key in surnames:
            keys.setdefault(key, []).append(index)
    if not keys:
        return []
    words = list(_WORD.finditer(text))
    forms = [_word_forms(word.group()) for word in words]
    mentions: list[_Mention] = []
    for index, word in enumerate(words):
        matched = {p for form in forms[index] for p in keys.get(form, [])}
        if not matched:
            matched = {p for form in forms[index] for p in _inflected(form, keys)}
        if len(matched) > 1:
            # Two people share this word: keep those whose full name continues around it.
            context = set().union(*forms[max(0, index - 1) : index], *forms[index + 1 : index + 2])
            matched = {p for p in matched if tokens[p] & context} or matched
        mentions.extend(_Mention(word.start(), word.end(), p) for p in sorted(matched))
    return mentions


def _inflected(form: str, keys: dict[str, list[int]]) -> list[int]:
    people: list[int] = []
    for extra in range(1, _MAX_SUFFIX + 1):
        stem, suffix = form[:-extra], form[-extra:]
        if len(stem) >= _MIN_STEM and suffix.isalpha():
            people.extend(keys.get(stem, []))
    return people


# -- attribution -------------------------------------------------------------------------------


def _speaker(
    text: str,
    quote: tuple[int, int],
    sentence: tuple[int, int],
    mentions: list[_Mention],
    regions: _Regions,
    word_starts: list[int],
) -> int | None:
    opening, closing = quote
    first, last = sentence
    around = [m for m in _from(mentions, first, last) if m.end <= last]
    if len({m.person for m in around}) == 1:
        return around[0].person
    if around:
        verbs = _outside(_REPORTING_VERB, text, sentence, regions)

        def distance(mention: _Mention) -> int:
            return opening - mention.end if mention.end <= opening else mention.start - closing

        beside = [m for m in around if any(_beside(text, word_starts, m, verb) for verb in verbs)]
        return min(beside or around, key=lambda m: (distance(m), m.person)).person
    if _refers_back(text, sentence, regions):
        earlier = [
            m for m in _from(mentions, opening - LOOKBACK_CHARS, opening) if m.end <= opening
        ]
        if earlier:
            return max(earlier, key=lambda m: (m.start, -m.person)).person
    return None


def _from(mentions: list[_Mention], low: int, high: int) -> list[_Mention]:
    """Mentions starting in [low, high) (mentions are sorted by start)."""
    first = bisect_left(mentions, low, key=lambda m: m.start)
    last = bisect_left(mentions, high, key=lambda m: m.start)
    return mentions[first:last]


def _outside(
    pattern: re.Pattern[str],
    text: str,
    sentence: tuple[int, int],
    regions: _Regions,
) -> list[tuple[int, int]]:
    """Matches of `pattern` in the sentence that are not inside any quote."""
    return [
        (match.start(), match.end())
        for match in pattern.finditer(text, sentence[0], sentence[1])
        if not (regions.contains(match.start()) or regions.contains(match.end() - 1))
    ]


def _beside(text: str, word_starts: list[int], mention: _Mention, verb: tuple[int, int]) -> bool:
    """The mention is the subject of a reporting verb a few words away."""
    if verb[0] >= mention.end:
        low, high = mention.end, verb[0]
    elif verb[1] <= mention.start:
        if text[verb[0] : verb[1]].casefold() in _LISTENER_VERBS:
            return False
        low, high = verb[1], mention.start
    else:
        return True
    return bisect_left(word_starts, high) - bisect_left(word_starts, low) <= _VERB_WINDOW_WORDS


def _refers_back(text: str, sentence: tuple[int, int], regions: _Regions) -> bool:
    """The sentence attributes its quote to a pronoun or to a verb without a named subject."""
    if _outside(_PRONOUN_ATTRIBUTION, text, sentence, regions):
        return True
    for _, end in _outside(_IMPLICIT_SUBJECT, text, sentence, regions):
        following = _NEXT_WORD.match(text, end, sentence[1])
        if following is None or not following.group(1).isupper():
            return True
    return False
