"""Score one record against its gold case, and summarise a run.

Every metric is defined in ``evals/METRICS.md``; keep the two in step. Values
are in [0, 1]; ``None`` means "not applicable" (e.g. kind accuracy when no
event was matched) and is left out of averages.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process

from communique.evals.fields import (
    FIELD_METRICS,
    FieldCount,
    add_counts,
    field_counts,
    field_metrics,
)
from communique.evals.gold import GoldCase, GoldEvent, GoldParticipant
from communique.schema import ArticleRecord, Event, Location, Participant, Status
from communique.text import places
from communique.text.language import detect_language, is_english
from communique.text.names import fold, name_tokens, same_person, title_words
from communique.text.summary_check import (
    MAX_SUMMARY_WORDS,
    EventFacts,
    Person,
    summary_language,
    summary_problems,
)

SCORER_VERSION = "3"

METRICS: tuple[str, ...] = (
    "event_count_accuracy",
    "event_precision",
    "event_recall",
    "event_f1",
    "kind_accuracy",
    "happened_accuracy",
    "date_accuracy",
    "location_accuracy",
    "city_accuracy",
    "participant_precision",
    "participant_recall",
    "participant_f1",
    "role_accuracy",
    "role_english",
    "affiliation_accuracy",
    "side_accuracy",
    "sides_f1",
    "agreements_f1",
    "topics_soft",
    "summary_faithfulness",
    "summary_english",
    "summary_short",
    "schema_validity",
    *FIELD_METRICS,
)

HEADLINE_WEIGHTS: dict[str, float] = {
    "participant_f1": 3.0,
    "event_f1": 2.0,
    "kind_accuracy": 1.0,
    "date_accuracy": 1.0,
    "role_accuracy": 1.0,
    "sides_f1": 1.0,
    "agreements_f1": 1.0,
    "summary_faithfulness": 1.0,
    "schema_validity": 1.0,
}

# Pooled over all cases (sums of counts); every other metric is a mean over cases.
MICRO_METRICS = frozenset(
    {
        "event_precision",
        "event_recall",
        "event_f1",
        "participant_precision",
        "participant_recall",
        "participant_f1",
        "role_accuracy",
        "role_english",
        "affiliation_accuracy",
        "side_accuracy",
        *FIELD_METRICS,
    }
)

EVENT_MATCH_THRESHOLD = 0.4
ROLE_THRESHOLD = 70.0
AGREEMENT_THRESHOLD = 75.0
TOKEN_FUZZ_THRESHOLD = 80.0


# --------------------------------------------------------------------------- models


class _Out(BaseModel):
    pass


class FieldCheck(_Out):
    gold: str | None
    predicted: str | None
    ok: bool


class ParticipantMatch(_Out):
    gold: str
    predicted: str
    role: FieldCheck
    affiliation: FieldCheck
    side: FieldCheck


class EventMatch(_Out):
    """A gold event paired with a predicted one (indices into each list)."""

    gold_index: int
    predicted_index: int
    similarity: float
    kind: FieldCheck
    happened: FieldCheck
    date: FieldCheck
    location: FieldCheck
    city: FieldCheck | None = None
    country: FieldCheck | None = None
    participants: list[ParticipantMatch] = Field(default_factory=list)
    missed_participants: list[str] = Field(default_factory=list)
    extra_participants: list[str] = Field(default_factory=list)
    sides_f1: float
    agreements_f1: float
    topics_soft: float


class SummaryCheck(_Out):
    predicted_index: int
    summary: str
    unfaithful: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    language: str | None = None
    words: int = 0


class Counts(_Out):
    """Raw counts behind the micro-averaged metrics."""

    gold_events: int = 0
    predicted_events: int = 0
    matched_events: int = 0
    gold_participants: int = 0
    predicted_participants: int = 0
    matched_participants: int = 0
    role_correct: int = 0
    affiliation_correct: int = 0
    side_correct: int = 0
    roles_checked: int = 0
    roles_english: int = 0


class CaseScore(_Out):
    id: str
    part: str = ""
    language: str = ""
    title: str = ""
    tags: list[str] = Field(default_factory=list)
    status: Status
    error: str | None = None
    metrics: dict[str, float | None]
    headline: float
    counts: Counts
    fields: dict[str, FieldCount] = Field(default_factory=dict)
    events: list[EventMatch] = Field(default_factory=list)
    unmatched_gold_events: list[int] = Field(default_factory=list)
    unmatched_predicted_events: list[int] = Field(default_factory=list)
    missed_participants: list[str] = Field(default_factory=list)
    extra_participants: list[str] = Field(default_factory=list)
    summaries: list[SummaryCheck] = Field(default_factory=list)


class PartScore(_Out):
    """The overall metrics of one part of the eval set (tuned, audited, set-aside; synthetic)."""

    n_cases: int
    headline: float
    overall: dict[str, float | None]


class EvalResult(_Out):
    prompt: str
    model: str
    created: str
    seconds: float
    cached: int
    n_cases: int
    scorer: str = SCORER_VERSION
    weights: dict[str, float] = Field(default_factory=lambda: dict(HEADLINE_WEIGHTS))
    overall: dict[str, float | None]
    headline: float
    headline_parts: list[str] = Field(
        default_factory=list, description="Parts the overall metrics and headline cover."
    )
    parts: dict[str, PartScore] = Field(default_factory=dict)
    cases: list[CaseScore]


# --------------------------------------------------------------------------- assignment


def best_assignment(score: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Row/column pairs maximising the total score (Hungarian algorithm, O(n^3))."""
    n = len(score)
    m = len(score[0]) if n else 0
    if n == 0 or m == 0:
        return []
    if n > m:
        flipped = [[score[i][j] for i in range(n)] for j in range(m)]
        return sorted((i, j) for j, i in best_assignment(flipped))
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: 1-based row assigned to column j
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0] = row
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                cur = -score[i0 - 1][j - 1] - u[i0] - v[j]
                if cur < minv[j]:
                    minv[j], way[j] = cur, j0
                if minv[j] < delta:
                    delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])


# --------------------------------------------------------------------------- names


def _translit(token: str) -> str:
    """Collapse common romanisation variants: Aliyev/Aliev, Il'kham/Ilham, Sergey/Sergei."""
    token = re.sub(r"['’`.-]", "", token)
    for old, new in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i")):
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


def _tokens_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial matches a word it begins
        return len(a) != len(b) and a[0] == b[0]
    ta, tb = _translit(a), _translit(b)
    if ta == tb:
        return True
    return min(len(ta), len(tb)) >= 5 and fuzz.ratio(ta, tb) >= TOKEN_FUZZ_THRESHOLD


@functools.lru_cache(maxsize=65_536)
def person_match(a: str, b: str) -> bool:
    """True when two names very probably name the same person.

    Forgives diacritics, transliteration, word order, initials and one extra
    middle name or patronymic (two when the shorter name has three words), but
    every word of the shorter name must be matched: a shared surname alone is
    not enough, and a one-word name only matches a one-word name.
    """
    if same_person(a, b):
        return True
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(small) == 1:
        return len(large) == 1 and len(small[0]) > 1 and _tokens_match(small[0], large[0])
    if len(large) - len(small) > (1 if len(small) == 2 else 2):
        return False
    grid = [[1.0 if _tokens_match(x, y) else 0.0 for y in large] for x in small]
    pairs = [(i, j) for i, j in best_assignment(grid) if grid[i][j] > 0]
    full_words = sum(1 for i, j in pairs if len(small[i]) > 1 and len(large[j]) > 1)
    return len(pairs) == len(small) and full_words >= 1


def _participant_score(pred: str, gold: GoldParticipant) -> float:
    """1 + a small tie-breaker when the names match, else 0."""
    best = 0.0
    for name in (gold.name, *gold.aliases):
        if person_match(pred, name):
            best = max(best, 1.0 + fuzz.token_sort_ratio(fold(pred), fold(name)) / 10_000)
    return best


# --------------------------------------------------------------------------- places


_COUNTRY_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("turkey", "turkiye", "republic of turkiye", "turkiye cumhuriyeti", "turtsiya"),
    ("russia", "russian federation", "rossiya", "rossiiskaya federatsiya"),
    ("united states", "us", "usa", "united states of america", "america", "ssha"),
    ("united kingdom", "uk", "britain", "great britain"),
    ("united arab emirates", "uae", "emirates"),
    ("european union", "eu"),
    ("united nations", "un"),
    ("china", "prc", "peoples republic of china", "kitai"),
    ("ukraine", "ukraina"),
    ("france", "frantsiya"),
    ("south korea", "republic of korea", "rok"),
    ("north korea", "dprk", "democratic peoples republic of korea"),
    ("iran", "islamic republic of iran"),
    ("czechia", "czech republic"),
    ("holy see", "vatican"),
    ("myanmar", "burma"),
    ("ivory coast", "cote divoire"),
    ("kyrgyzstan", "kyrgyz republic"),
    ("syria", "syrian arab republic"),
    ("azerbaijan", "azerbaycan", "azerbaidzhan", "azerbaydzhan"),
    ("kazakhstan", "qazaqstan"),
    ("uzbekistan", "ozbekiston"),
    ("netherlands", "holland"),
    ("moldova", "republic of moldova"),
    ("belarus", "byelorussia"),
    ("north macedonia", "macedonia"),
    ("germany", "deutschland", "federal republic of germany", "germaniya"),
    ("saudi arabia", "ksa", "kingdom of saudi arabia"),
)
_CITY_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("baku", "baki"),
    ("kyiv", "kiev"),
    ("moscow", "moskva"),
    ("beijing", "peking"),
    ("astana", "nur sultan", "nursultan"),
    ("almaty", "alma ata"),
    ("tashkent", "toshkent"),
    ("tehran", "teheran"),
    ("ashgabat", "ashkhabad"),
    ("chisinau", "kishinev"),
    ("washington", "washington dc"),
    ("belgrade", "beograd"),
    ("warsaw", "warszawa"),
    ("prague", "praha"),
    ("vienna", "wien"),
    ("rome", "roma"),
    ("brussels", "bruxelles", "brussel"),
    ("the hague", "den haag", "hague"),
    ("lisbon", "lisboa"),
    ("athens", "athina"),
    ("bucharest", "bucuresti"),
    ("geneva", "geneve", "genf"),
    ("munich", "munchen"),
    ("cologne", "koln"),
)
# Demonyms that no prefix rule reaches (Azerbaijani, Ukrainian... are handled by prefix).
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "turkish": ("turkey",),
    "chinese": ("china",),
    "french": ("france",),
    "british": ("united kingdom",),
    "english": ("united kingdom", "england"),
    "greek": ("greece",),
    "dutch": ("netherlands",),
    "swiss": ("switzerland",),
    "spanish": ("spain",),
    "polish": ("poland",),
    "swedish": ("sweden",),
    "danish": ("denmark",),
    "finnish": ("finland",),
    "norwegian": ("norway",),
    "irish": ("ireland",),
    "italian": ("italy",),
    "lebanese": ("lebanon",),
    "mexican": ("mexico",),
    "canadian": ("canada",),
    "american": ("united states",),
    "emirati": ("united arab emirates",),
    "cypriot": ("cyprus",),
    "maltese": ("malta",),
    "filipino": ("philippines",),
    "philippine": ("philippines",),
    "hungarian": ("hungary",),
    "belgian": ("belgium",),
    "kazakh": ("kazakhstan",),
    "uzbek": ("uzbekistan",),
    "kyrgyz": ("kyrgyzstan",),
    "tajik": ("tajikistan",),
    "turkmen": ("turkmenistan",),
    "afghan": ("afghanistan",),
    "thai": ("thailand",),
    "korean": ("south korea", "north korea", "korea"),
    "european": ("european union", "europe"),
    "soviet": ("russia",),
    "russian": ("russia",),
    "ukrainian": ("ukraine",),
}


def _place_key(text: str) -> str:
    """Folded, punctuation-free, without a leading 'the': 'the U.S.' -> 'us'."""
    key = re.sub(r"['’.]", "", fold(text))
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", key).split())
    return key.removeprefix("the ") if key != "the hague" else key


def _variant_table(groups: Iterable[tuple[str, ...]]) -> dict[str, str]:
    return {_place_key(v): group[0] for group in groups for v in group}


_COUNTRY = _variant_table(_COUNTRY_VARIANTS)
_CITY = _variant_table(_CITY_VARIANTS)
_ANY_PLACE = _COUNTRY | _CITY
_PLACE_FORMS: dict[str, tuple[str, ...]] = {g[0]: g for g in (*_COUNTRY_VARIANTS, *_CITY_VARIANTS)}


def place_key(text: str, *, city: bool = False) -> str:
    """Canonical key of a country, organisation or (with ``city``) a city name.

    CLDR's names in every indexed language first ("Rusiya", "Moscou"), then the
    variant tables above for transliterations CLDR does not list.
    """
    key = _place_key(text)
    table = _CITY if city else _COUNTRY
    if key in table:
        key = table[key]
    else:
        for prefix in ("republic of ", "kingdom of ", "state of "):
            if key.startswith(prefix) and key.removeprefix(prefix) in table:
                key = table[key.removeprefix(prefix)]
                break
    if city:
        english = places.english_city(key) or places.english_city(text)
        return _place_key(english) if english else key
    code = places.country_code(key) or places.country_code(text)
    if code is not None:
        return code.lower()
    org = places.organisation(key) or places.organisation(text)
    return _place_key(org) if org else key


def _place_phrases(text: str) -> set[str]:
    """Canonical keys of every run of up to four words of ``text``."""
    words = _place_key(text).split()
    return {
        place_key(" ".join(words[i : i + n]))
        for n in range(1, 5)
        for i in range(len(words) - n + 1)
    }


def _optional_equal(gold: str | None, pred: str | None, *, city: bool = False) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return place_key(gold, city=city) == place_key(pred, city=city)


def location_ok(gold: Location | None, pred: Location | None) -> bool:
    g = gold or Location()
    p = pred or Location()
    return _optional_equal(g.city, p.city, city=True) and _optional_equal(g.country, p.country)


def affiliation_ok(gold: str | None, pred: str | None) -> bool:
    """Equal after folding and synonyms, or one names the other's country ('Azerbaijan'
    vs 'Ministry of Foreign Affairs of Azerbaijan')."""
    if gold is None or pred is None:
        return gold is None and pred is None
    kg, kp = place_key(gold), place_key(pred)
    return kg == kp or kg in _place_phrases(pred) or kp in _place_phrases(gold)


def role_ok(gold: str | None, pred: str | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    fg, fp = fold(gold).strip(), fold(pred).strip()
    return fg in fp or fp in fg or fuzz.token_set_ratio(fg, fp) >= ROLE_THRESHOLD


# --------------------------------------------------------------------------- set metrics


def _f1(tp: float, n_pred: int, n_gold: int) -> float:
    """F1 from counts; two empty sets agree perfectly."""
    if n_pred == 0 and n_gold == 0:
        return 1.0
    return 2 * tp / (n_pred + n_gold)


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1; empty vs empty is perfect, empty vs non-empty is 0."""
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return precision, recall, _f1(tp, n_pred, n_gold)


def sides_f1(gold: list[str], pred: list[str]) -> float:
    g, p = {place_key(s) for s in gold}, {place_key(s) for s in pred}
    return _f1(len(g & p), len(p), len(g))


def agreements_f1(gold: list[str], pred: list[str]) -> float:
    """One-to-one fuzzy matching of agreement titles (token_set_ratio >= 75)."""
    grid = [
        [
            1.0 if fuzz.token_set_ratio(fold(g), fold(p)) >= AGREEMENT_THRESHOLD else 0.0
            for p in pred
        ]
        for g in gold
    ]
    tp = sum(grid[i][j] for i, j in best_assignment(grid))
    return _f1(tp, len(pred), len(gold))


def topics_soft(gold: list[str], pred: list[str]) -> float:
    """F1 of soft recall (best match per gold topic) and soft precision (per predicted)."""
    if not gold or not pred:
        return 1.0 if not gold and not pred else 0.0
    sim = [[fuzz.token_set_ratio(fold(g), fold(p)) / 100 for p in pred] for g in gold]
    recall = sum(max(row) for row in sim) / len(gold)
    precision = sum(max(sim[i][j] for i in range(len(gold))) for j in range(len(pred))) / len(pred)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------- summaries

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_INSTITUTION_WORDS = (
    "ministry ministries ministers foreign affairs prime presidents presidential parliament "
    "parliamentary national assembly government state republic federation kingdom union "
    "council committee commission office department cabinet delegation delegations embassy "
    "consulate summit memorandum understanding agreement agreements treaty declaration joint "
    "statement cooperation strategic partnership bilateral forum international"
)
_ALLOWED_ANYWHERE = (
    frozenset(_MONTHS.split()) | frozenset(_INSTITUTION_WORDS.split()) | (title_words())
)
_STARTERS = """a an the this that these those it its they their there he she his her we our i
    in on at of for from to by with without within about after before during while when where as
    since until following ahead amid according under over between among both each all several
    some many most other another also then later earlier meanwhile however additionally
    furthermore moreover further despite upon through officials leaders delegations talks
    discussions meeting meetings parties sides ministers no one two three today yesterday
    tomorrow separately together finally first second next besides"""
_SENTENCE_STARTERS = frozenset(_STARTERS.split())
_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = _NUMBERS.split()
_DEMONYM_SUFFIXES = ("i", "an", "ian", "ean", "ese", "ish", "ic")
_SUMMARY_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:['’.][^\W\d_]+)*", re.UNICODE)


def _words(text: str) -> list[str]:
    return _place_key(text).split()


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
        self.translit = sorted({_translit(w) for w in self.words if len(w) >= 4})
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
        t = _translit(word)
        return len(t) >= min_len and self.has_prefix(t[:-1], translit=True)

    def has_place(self, canonical: str) -> bool:
        """Any known form of a country or city (Turkey: Türkiye, Turtsiya...) is in the text."""
        for form in _PLACE_FORMS.get(canonical, (canonical,)):
            key = _place_key(form)
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
        if word in _ANY_PLACE and self.has_place(_ANY_PLACE[word]):
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
        t = _translit(word)
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
            or article.has_place(_ANY_PLACE.get(phrase, phrase))
            or article.has_cldr_place(" ".join(surfaces))
        ):
            continue
        for m, surface, key in zip(run, surfaces, keys, strict=True):
            if key and not all(w in known or article.has_word(w) for w in key.split()):
                flagged.append((m.start(), surface))
    return [token for _, token in sorted(flagged)]


# --------------------------------------------------------------------------- scoring


def _check(gold: object, pred: object, ok: bool) -> FieldCheck:
    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, Location):
            parts = [p for p in (value.city, value.country) if p]
            return ", ".join(parts) or None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return FieldCheck(gold=text(gold), predicted=text(pred), ok=ok)


def _match_participants(
    gold: list[GoldParticipant], pred: list[Participant]
) -> list[tuple[int, int]]:
    grid = [[_participant_score(p.name, g) for p in pred] for g in gold]
    return [(i, j) for i, j in best_assignment(grid) if grid[i][j] >= 1.0]


def _event_similarity(gold: GoldEvent, pred: Event, matched: int) -> float:
    """0.25 kind + 0.5 participant-name F1 + 0.25 date (0.5 credit when one side lacks it)."""
    kind = 1.0 if gold.kind == pred.kind else 0.0
    people = _f1(matched, len(pred.participants), len(gold.participants))
    if gold.date == pred.date:
        date = 1.0
    elif gold.date is None or pred.date is None:
        date = 0.5
    else:
        date = 0.0
    return 0.25 * kind + 0.5 * people + 0.25 * date


def _participant_match(gold: GoldParticipant, pred: Participant) -> ParticipantMatch:
    return ParticipantMatch(
        gold=gold.name,
        predicted=pred.name,
        role=_check(gold.role, pred.role, role_ok(gold.role, pred.role)),
        affiliation=_check(
            gold.affiliation, pred.affiliation, affiliation_ok(gold.affiliation, pred.affiliation)
        ),
        side=_check(gold.side, pred.side, gold.side == pred.side),
    )


def _score_pair(
    gi: int, pi: int, gold: GoldEvent, pred: Event, people: list[tuple[int, int]], sim: float
) -> EventMatch:
    matches = [_participant_match(gold.participants[i], pred.participants[j]) for i, j in people]
    matched_gold = {i for i, _ in people}
    matched_pred = {j for _, j in people}
    return EventMatch(
        gold_index=gi,
        predicted_index=pi,
        similarity=round(sim, 4),
        kind=_check(gold.kind, pred.kind, gold.kind == pred.kind),
        happened=_check(gold.happened, pred.happened, gold.happened == pred.happened),
        date=_check(gold.date, pred.date, gold.date == pred.date),
        location=_check(gold.location, pred.location, location_ok(gold.location, pred.location)),
        city=_city_check(gold.location, pred.location),
        country=_country_check(gold.location, pred.location),
        participants=matches,
        missed_participants=[
            p.name for i, p in enumerate(gold.participants) if i not in matched_gold
        ],
        extra_participants=[
            p.name for j, p in enumerate(pred.participants) if j not in matched_pred
        ],
        sides_f1=sides_f1(gold.sides, pred.sides),
        agreements_f1=agreements_f1(gold.agreements, [a.title for a in pred.agreements]),
        topics_soft=topics_soft(gold.topics, pred.topics),
    )


def _city_check(gold: Location | None, pred: Location | None) -> FieldCheck | None:
    """The city alone; None when neither side names one (nothing to judge)."""
    g, p = (gold.city if gold else None), (pred.city if pred else None)
    if g is None and p is None:
        return None
    return _check(g, p, _optional_equal(g, p, city=True))


def _country_check(gold: Location | None, pred: Location | None) -> FieldCheck | None:
    """The country alone; None when neither side names one."""
    g, p = (gold.country if gold else None), (pred.country if pred else None)
    if g is None and p is None:
        return None
    return _check(g, p, _optional_equal(g, p))


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


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def headline_score(metrics: dict[str, float | None], weights: dict[str, float]) -> float:
    """Weighted mean of the headline metrics that apply (weights renormalised)."""
    used = [(w, metrics.get(k)) for k, w in weights.items()]
    total = sum(w for w, v in used if v is not None)
    return sum(w * v for w, v in used if v is not None) / total if total else 0.0


def _error_score(case: GoldCase, record: ArticleRecord) -> CaseScore:
    missed = [p.name for e in case.events for p in e.participants]
    return CaseScore(
        id=case.id,
        title=case.title,
        tags=case.tags,
        status="error",
        error=f"{record.error.kind}: {record.error.message}" if record.error else "error",
        metrics=dict.fromkeys(METRICS, 0.0),
        headline=0.0,
        counts=Counts(gold_events=len(case.events), gold_participants=len(missed)),
        unmatched_gold_events=list(range(len(case.events))),
        missed_participants=missed,
    )


def score_case(
    case: GoldCase,
    record: ArticleRecord,
    article_text: str,
    published: dt.date | None = None,
) -> CaseScore:
    """Score one record against its gold case; an error record scores 0 everywhere."""
    if record.status != "ok":
        return _error_score(case, record)
    gold, pred = case.events, record.events
    people = [[_match_participants(g.participants, p.participants) for p in pred] for g in gold]
    sim = [
        [_event_similarity(g, p, len(people[i][j])) for j, p in enumerate(pred)]
        for i, g in enumerate(gold)
    ]
    pairs = [(i, j) for i, j in best_assignment(sim) if sim[i][j] >= EVENT_MATCH_THRESHOLD]
    events = [_score_pair(i, j, gold[i], pred[j], people[i][j], sim[i][j]) for i, j in pairs]
    lost_gold = [i for i in range(len(gold)) if i not in {i for i, _ in pairs}]
    lost_pred = [j for j in range(len(pred)) if j not in {j for _, j in pairs}]

    article = _ArticleIndex(article_text, published or record.article.published)
    article_language = detect_language(article_text) or case.language
    gold_of = {j: gold[i] for i, j in pairs}
    summaries = [
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
    matched_people = [m for e in events for m in e.participants]
    roles = [p.role for e in pred for p in e.participants if p.role]
    english_roles = [r for r in roles if is_english(r, article_language)]
    counts = Counts(
        gold_events=len(gold),
        predicted_events=len(pred),
        matched_events=len(pairs),
        gold_participants=sum(len(e.participants) for e in gold),
        predicted_participants=sum(len(e.participants) for e in pred),
        matched_participants=len(matched_people),
        role_correct=sum(m.role.ok for m in matched_people),
        affiliation_correct=sum(m.affiliation.ok for m in matched_people),
        side_correct=sum(m.side.ok for m in matched_people),
        roles_checked=len(roles) if article_language not in (None, "en") else 0,
        roles_english=len(english_roles) if article_language not in (None, "en") else 0,
    )
    metrics = _case_metrics(counts, events, summaries, article_language)
    fields = field_counts(events)
    metrics |= field_metrics(fields)
    return CaseScore(
        id=case.id,
        language=case.language,
        title=case.title,
        tags=case.tags,
        status="ok",
        metrics=metrics,
        headline=headline_score(metrics, HEADLINE_WEIGHTS),
        counts=counts,
        fields=fields,
        events=events,
        unmatched_gold_events=lost_gold,
        unmatched_predicted_events=lost_pred,
        missed_participants=[n for e in events for n in e.missed_participants]
        + [p.name for i in lost_gold for p in gold[i].participants],
        extra_participants=[n for e in events for n in e.extra_participants]
        + [p.name for j in lost_pred for p in pred[j].participants],
        summaries=summaries,
    )


def _case_metrics(
    c: Counts,
    events: list[EventMatch],
    summaries: list[SummaryCheck],
    article_language: str | None,
) -> dict[str, float | None]:
    ep, er, ef = _prf(c.matched_events, c.predicted_events, c.gold_events)
    pp, pr, pf = _prf(c.matched_participants, c.predicted_participants, c.gold_participants)
    return {
        "event_count_accuracy": float(c.predicted_events == c.gold_events),
        "event_precision": ep,
        "event_recall": er,
        "event_f1": ef,
        "kind_accuracy": _mean(float(e.kind.ok) for e in events),
        "happened_accuracy": _mean(float(e.happened.ok) for e in events),
        "date_accuracy": _mean(float(e.date.ok) for e in events),
        "location_accuracy": _mean(float(e.location.ok) for e in events),
        "city_accuracy": _mean(float(e.city.ok) for e in events if e.city is not None),
        "participant_precision": pp,
        "participant_recall": pr,
        "participant_f1": pf,
        "role_accuracy": _ratio(c.role_correct, c.matched_participants),
        "role_english": _ratio(c.roles_english, c.roles_checked),
        "affiliation_accuracy": _ratio(c.affiliation_correct, c.matched_participants),
        "side_accuracy": _ratio(c.side_correct, c.matched_participants),
        "sides_f1": _mean(e.sides_f1 for e in events),
        "agreements_f1": _mean(e.agreements_f1 for e in events),
        "topics_soft": _mean(e.topics_soft for e in events),
        "summary_faithfulness": _mean(
            float(not s.unfaithful and not s.problems) for s in summaries
        ),
        "summary_english": _mean(
            float(article_language in (None, "en") or s.language != article_language)
            for s in summaries
        ),
        "summary_short": _mean(float(s.words <= MAX_SUMMARY_WORDS) for s in summaries),
        "schema_validity": 1.0,
    }


#: parts of the eval set whose cases make the headline (synthetic cases are scored apart)
REAL_PARTS = ("tuned", "audited", "set-aside")


def overall_metrics(cases: list[CaseScore]) -> dict[str, float | None]:
    """Pooled counts for MICRO_METRICS, a mean over cases otherwise."""
    total = Counts.model_validate(
        {name: sum(getattr(c.counts, name) for c in cases) for name in Counts.model_fields}
    )
    overall: dict[str, float | None] = {
        name: _mean(case.metrics.get(name) for case in cases) for name in METRICS
    }
    if cases:
        ep, er, ef = _prf(total.matched_events, total.predicted_events, total.gold_events)
        pp, pr, pf = _prf(
            total.matched_participants, total.predicted_participants, total.gold_participants
        )
        n = total.matched_participants
        overall |= {
            "event_precision": ep,
            "event_recall": er,
            "event_f1": ef,
            "participant_precision": pp,
            "participant_recall": pr,
            "participant_f1": pf,
            "role_accuracy": _ratio(total.role_correct, n),
            "role_english": _ratio(total.roles_english, total.roles_checked),
            "affiliation_accuracy": _ratio(total.affiliation_correct, n),
            "side_accuracy": _ratio(total.side_correct, n),
        }
        overall |= field_metrics(add_counts(c.fields for c in cases))
    return overall


def summarise_scores(
    cases: list[CaseScore], *, prompt: str, model: str, seconds: float, cached: int
) -> EvalResult:
    """Overall metrics per part and for the headline parts.

    The overall metrics and the headline cover the real cases (:data:`REAL_PARTS`)
    when the run has any, else every case; each part is also summarised on its own.
    """
    parts: dict[str, PartScore] = {}
    for name in dict.fromkeys(c.part for c in cases):
        members = [c for c in cases if c.part == name]
        metrics = overall_metrics(members)
        parts[name or "all"] = PartScore(
            n_cases=len(members),
            headline=headline_score(metrics, HEADLINE_WEIGHTS),
            overall=metrics,
        )
    real = [c for c in cases if c.part in REAL_PARTS]
    covered = real or cases
    overall = overall_metrics(covered)
    return EvalResult(
        prompt=prompt,
        model=model,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seconds=seconds,
        cached=cached,
        n_cases=len(cases),
        overall=overall,
        headline=headline_score(overall, HEADLINE_WEIGHTS),
        headline_parts=sorted({c.part or "all" for c in covered}),
        parts=parts,
        cases=cases,
    )
