"""One person is one person across articles, spellings and scripts.

Every participant of every event is a *mention*. Mentions are grouped into people
in three steps; each step only ever joins names that pass :func:`compatible` and no
*cannot-link* rule:

1. **Names are compared as sounds, not letters.** A name is folded to ASCII
   (:func:`communique.text.names.fold`: "Джейхун Байрамов" -> "dzheykhun bayramov"),
   titles and abbreviations before it are dropped ("FM Bayramov" -> "Bayramov"), and
   each word becomes a *sound key* that merges the spellings transliteration
   produces: dzh/dj/zh/j/c/ch/ç are one sound (Azerbaijani and Turkish "c" is an
   English "j": "Ceyhun" = "Jeyhun", "Bağcı" = "Bagchi"), kh/x = h, sh/ş = s,
   y = i, ə = a, w = v, q = k, and doubled letters count once. "Jeyhun Bayramov",
   "Ceyhun Bayramov" and "Dzheykhun Bayramov" all become "jeihun bairamov".
2. **Full names** (two words or more) join when every word of the shorter name
   matches a different word of the longer (same sound key, rapidfuzz ratio >= 85 on
   the keys, or an initial: "C.S. Tüfekçi" = "Celal Sami Tufekci"), at most one word
   of the longer is left over (a middle name or patronymic), and the matched words
   include the family name (the last word), with the same key or ratio >= 88 and the
   same first and last letters ("Fidan" is not "Fida"). Groups are merged with
   complete linkage: every name of one group must match every name of the other, so
   "C. Tufekci" cannot chain "Celal Tufekci" to "Cem Tufekci".
3. **A surname alone** ("Bayramov", from "FM Bayramov" or "Minister Hasanov") joins
   the one person with that surname the context points to: if several people share
   it, the one named in full in the same article wins, then the one whose role
   shares words with the mention's ("FM" reads "foreign minister"); if that still
   leaves more than one, the mention stays a person of its own.

**Cannot-link** rules keep different people apart: two participants of one event
are never one person; a surname and its female form ("Aliyev" / "Aliyeva",
"Wiśniewski" / "Wiśniewska") are different surnames; and two mentions are different
people when the countries their roles and affiliations name have none in common (a
role's posting does not count: "Ambassador of Türkiye to Azerbaijan" names Türkiye;
a model that files that ambassador under Azerbaijan still leaves Türkiye in common).

A person keeps every spelling the sources used as an alias: the names in the
records and the exact text of their evidence spans (so "Джейхун Байрамов" is kept
even though the record says "Dzheykhun Bayramov").
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz

from communique import lexicon
from communique.brief.countries import country_of
from communique.text.names import fold, title_words

TOKEN_RATIO = 85.0
SURNAME_RATIO = 88.0

# Abbreviated titles that open a name in headlines and second references (the lexicon's
# ``title_abbreviations``).
_ABBREVIATIONS = frozenset(lexicon.words("title_abbreviations"))
# What abbreviations in roles stand for, to compare roles by their words (the lexicon's
# ``title_abbreviation_words``).
_ROLE_WORDS = {
    abbreviation: meaning
    for language in lexicon.languages()
    for abbreviation, meaning in lexicon.table("title_abbreviation_words", language).items()
}
# Words of a role that say nothing about the office (the lexicon's ``role_stop_words``).
_ROLE_STOP_WORDS = frozenset(lexicon.words("role_stop_words"))
# Sound classes, applied in this order to a folded word.
_SOUNDS = (
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("tch", "c"), ("ch", "c"), ("c", "j"),
    ("kh", "h"), ("x", "h"), ("sh", "s"), ("ph", "f"), ("w", "v"), ("q", "k"),
    ("y", "i"), ("'", ""), ("’", ""),
)  # fmt: skip
_FEMININE = (("", "a"), ("i", "a"), ("ii", "aia"), ("i", "aia"))
_WORD = re.compile(r"[a-z0-9']+")


def sound(word: str) -> str:
    """The sound key of one folded word: "dzheykhun" -> "jeihun", "bagchi" -> "bagji"."""
    for before, after in _SOUNDS:
        word = word.replace(before, after)
    return re.sub(r"(.)\1+", r"\1", word)


@dataclass(frozen=True)
class Name:
    """A name split into sound-keyed words, titles removed."""

    text: str
    words: tuple[str, ...]  # sound keys, in order; an initial is one letter
    initials: tuple[bool, ...]

    @property
    def full(self) -> bool:
        """Two words or more, one of them more than an initial."""
        return len(self.words) >= 2 and not all(self.initials)

    @property
    def surname(self) -> str:
        """The last full word (where most sources put the family name)."""
        full = [w for w, i in zip(self.words, self.initials, strict=True) if not i]
        return full[-1] if full else ""

    @property
    def surnames(self) -> set[str]:
        """Words that may be the family name: the last, and the longest (Hungarian, Chinese
        and Turkish-in-Russian orders put it first)."""
        full = [w for w, i in zip(self.words, self.initials, strict=True) if not i]
        return {full[-1], max(full, key=len)} if full else set()


def parse_name(text: str) -> Name:
    """Fold, drop leading titles and abbreviations, split initials ("C.S." -> c, s)."""
    raw = text.replace("ə", "a").replace("Ə", "A")
    tokens = [t for t in _WORD.findall(fold(raw).replace(".", ". ")) if t.strip("'")]
    titles = title_words() | _ABBREVIATIONS
    while len(tokens) > 1 and tokens[0] in titles:
        tokens = tokens[1:]
    words: list[str] = []
    initials: list[bool] = []
    for token in tokens:
        words.append(sound(token))
        initials.append(len(token) == 1)
    return Name(text=text, words=tuple(words), initials=tuple(initials))


def feminine_pair(a: str, b: str) -> bool:
    """ "aliev"/"alieva", "visnievski"/"visnievska": a surname and its female form."""
    if a == b:
        return False
    for short, long in ((a, b), (b, a)):
        for masc, fem in _FEMININE:
            if masc and not short.endswith(masc):
                continue
            stem = short[: len(short) - len(masc)] if masc else short
            if long == stem + fem:
                return True
    return False


def _word_match(a: str, a_initial: bool, b: str, b_initial: bool) -> bool:
    if a_initial or b_initial:
        return a[:1] == b[:1]
    if a == b:
        return True
    if feminine_pair(a, b):
        return False
    return len(a) >= 3 and len(b) >= 3 and fuzz.ratio(a, b) >= TOKEN_RATIO


def compatible(a: Name, b: Name) -> bool:
    """Two full names that may name the same person (see the module docstring)."""
    if not a.words or not b.words:
        return False
    short, long = (a, b) if len(a.words) <= len(b.words) else (b, a)
    if len(long.words) - len(short.words) > 1 and not any(short.initials):
        return False
    used: set[int] = set()
    for word, initial in zip(short.words, short.initials, strict=True):
        best = None
        for j, (other, other_initial) in enumerate(zip(long.words, long.initials, strict=True)):
            if j in used or not _word_match(word, initial, other, other_initial):
                continue
            if best is None or (not other_initial and word == other):
                best = j
        if best is None:
            return False
        used.add(best)
    leftover = [j for j in range(len(long.words)) if j not in used and not long.initials[j]]
    if len(leftover) > 1:
        return False
    return surname_match(short.surname, long.surname) or any(
        surname_match(short.surname, long.words[j]) for j in used if not long.initials[j]
    )


def surname_match(a: str, b: str) -> bool:
    """Same sound key, or a near spelling that keeps the first and last letters."""
    if not a or not b or feminine_pair(a, b):
        return False
    if a == b:
        return True
    return a[0] == b[0] and a[-1] == b[-1] and fuzz.ratio(a, b) >= SURNAME_RATIO


@dataclass
class Mention:
    """One participant of one event in one article."""

    name: str
    role: str | None = None
    affiliation: str | None = None
    article_id: str = ""
    event_key: str = ""  # article id and event index: participants of one event differ
    spellings: tuple[str, ...] = ()  # the source's own text of each evidence span
    language: str | None = None  # the article's language


@dataclass
class Person:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    country: str | None = None
    mentions: list[int] = field(default_factory=list)


def _role_words(role: str | None) -> set[str]:
    words: set[str] = set()
    for word in _WORD.findall(fold(role or "")):
        words.update(_ROLE_WORDS.get(word, (word,)))
    return words - _ROLE_STOP_WORDS


class _Groups:
    """Union-find over mentions that remembers which groups must stay apart."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def members(self) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            groups.setdefault(self.find(i), []).append(i)
        return groups


def resolve_people(mentions: Sequence[Mention]) -> tuple[list[Person], list[int]]:
    """Group mentions into people; return the people and each mention's person index."""
    names = [parse_name(m.name) for m in mentions]
    countries = [mention_countries(m) for m in mentions]

    def cannot_link(i: int, j: int) -> bool:
        if mentions[i].event_key and mentions[i].event_key == mentions[j].event_key:
            return True
        return bool(countries[i] and countries[j] and not countries[i] & countries[j])

    groups = _Groups(len(mentions))
    full = [i for i, n in enumerate(names) if n.full]
    # Complete linkage over full names, best-scoring pairs first.
    pairs = []
    for i, j in combinations(full, 2):
        if not ({w[:2] for w in names[i].words} & {w[:2] for w in names[j].words}):
            continue  # nothing alike: not worth comparing
        if compatible(names[i], names[j]) and not cannot_link(i, j):
            score = fuzz.ratio(" ".join(names[i].words), " ".join(names[j].words))
            pairs.append((score, i, j))
    members = {i: [i] for i in full}
    for _, i, j in sorted(pairs, reverse=True):
        ri, rj = groups.find(i), groups.find(j)
        if ri == rj:
            continue
        if all(
            compatible(names[a], names[b]) and not cannot_link(a, b)
            for a in members[ri]
            for b in members[rj]
        ):
            groups.parent[rj] = ri
            members[ri] += members.pop(rj)
    # Surnames alone: the one person the context points to, or nobody.
    for i, name in enumerate(names):
        if name.full or not name.words:
            continue
        word = name.surname or name.words[-1]
        candidates = [
            root
            for root, group in members.items()
            if any(surname_match(word, other) for k in group for other in names[k].surnames)
            and not any(cannot_link(i, k) for k in group)
        ]
        if len(candidates) > 1:
            same_article = [
                r
                for r in candidates
                if any(mentions[k].article_id == mentions[i].article_id for k in members[r])
            ]
            candidates = same_article or candidates
        if len(candidates) > 1:
            wanted = _role_words(mentions[i].role) | _role_words(mentions[i].name)
            by_role = [
                r
                for r in candidates
                if wanted and any(wanted & _role_words(mentions[k].role) for k in members[r])
            ]
            candidates = by_role or candidates
        if len(candidates) == 1:
            root = candidates[0]
            groups.parent[i] = root
            members[root].append(i)
        else:
            members[i] = [i]
    return _people(mentions, groups, countries)


# A role's posting: "to Azerbaijan", "in the Netherlands" (the lexicon's ``posting_links``
# and ``posting_articles``).
_POSTING = re.compile(
    rf"\b(?:{'|'.join(lexicon.words('posting_links'))})\s+"
    rf"(?:{'|'.join(lexicon.words('posting_articles'))}\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)


def role_country(role: str | None) -> str | None:
    """The country a role says the person serves: "Ambassador of Türkiye to Azerbaijan" ->
    Türkiye ("to Azerbaijan" is the posting, not the person's country)."""
    if not role:
        return None
    return country_of(_POSTING.sub(" ", role))


def mention_countries(mention: Mention) -> set[str]:
    """The countries a mention's role and affiliation name (either may be wrong, so two
    mentions are kept apart only when these sets do not meet)."""
    found = {role_country(mention.role), country_of(mention.affiliation)}
    return {c for c in found if c}


def _people(
    mentions: Sequence[Mention], groups: _Groups, countries: Sequence[set[str]]
) -> tuple[list[Person], list[int]]:
    people: list[Person] = []
    index_of: dict[int, int] = {}
    for _, group in sorted(groups.members().items()):
        names = Counter(mentions[k].name for k in group)
        verbatim = {mentions[k].name for k in group if mentions[k].name in mentions[k].spellings}
        english = {mentions[k].name for k in group if mentions[k].language == "en"}
        full_names = [n for n in names if parse_name(n).full] or list(names)
        # The most used spelling; then one written so in a source, in English, in Latin.
        display = max(
            full_names,
            key=lambda n: (names[n], n in verbatim, n in english, _latin(n), len(n), n),
        )
        aliases: list[str] = []
        for k in group:
            for alias in (mentions[k].name, *mentions[k].spellings):
                alias = " ".join(alias.split())
                if alias and alias != display and alias not in aliases:
                    aliases.append(alias)
        roles = Counter(mentions[k].role for k in group if mentions[k].role)
        country_counts = Counter(
            c
            for k in group
            if (c := role_country(mentions[k].role) or country_of(mentions[k].affiliation))
        )
        digest = hashlib.sha256(" ".join(parse_name(display).words).encode()).hexdigest()[:6]
        slug = re.sub(r"[^a-z0-9]+", "-", fold(display)).strip("-") or "person"
        people.append(
            Person(
                id=f"{slug}-{digest}",
                name=display,
                aliases=aliases,
                roles=[r for r, _ in roles.most_common() if r],
                country=country_counts.most_common(1)[0][0] if country_counts else None,
                mentions=sorted(group),
            )
        )
        for k in group:
            index_of[k] = len(people) - 1
    return people, [index_of[k] for k in range(len(mentions))]


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 for c in name)
