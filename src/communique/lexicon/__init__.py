"""Language knowledge as data: one TOML file per language, loaded by :func:`words`.

Each file (``en.toml``, ``ru.toml``, ...) holds lists of cue words under named
categories. Adding a language means adding a file (and its cases to the tests);
nothing in the code lists words of a language. CLDR (Babel) and pymorphy3 keep what
they already know (country and month names, Russian inflection).

Settings: ``max_ending``, the letters an inflection may add to a cue word.

Categories:

``role_concepts`` (a table)
    The concepts of official titles (offices such as ``office_minister``, portfolios
    such as ``portfolio_foreign``, and ``counterpart``), each with the beginnings of
    the words that name it: "Dışişleri Bakanı" names office_minister and
    portfolio_foreign, as "Minister of Foreign Affairs" does.

``title_joiners``
    Words that end a person's title on its left ("met", "и", "ilə").

``signing_patterns``, ``call_patterns``, ``spokesperson_patterns``, ``deputy_patterns``
    Regular-expression fragments: a document signed, a phone or video call, the
    spokesperson who reports a meeting, a deputy's rank in a title.

``event_cue_patterns``
    Regular-expression fragments matched at a word's beginning: a word that reports a
    meeting, call, signing or visit ("met", "görüştü", "entretien"). A sentence with
    one that names someone in no event of the model's answer gets a recall turn.

``organisation_words``
    Words that make a run of capitalised words an organisation, not a person's name
    ("Fondation Mérieux", "Qoşulmama Hərəkatı"). Matched as a word's beginning, so an
    inflected form counts ("Hərəkatının").

Categories of folded words (ASCII, lower case, as ``names.fold`` gives them), each
read as a set, every language's together:

``thing_words``
    Words that make a capitalised run an organisation, place or thing, so that no
    candidate person's name holds one ("Zaken", "Bakanligi", "Summit").

``not_names``
    Capitalised words that are no part of a name ("The", "During"); CLDR adds the English
    months and weekdays.

``surname_months``
    Months whose names are also surnames ("Theresa May"): after a first name and before
    no day they are a name.

``name_titles``, ``name_titles_leading``
    Titles and positions that belong in a role, never in a name: the first anywhere in
    it ("minister"), the second only when they open it ("general", "bay", "herr",
    "gospodin"), being surnames elsewhere.

``title_stems``
    Beginnings of titles and positions: a word is a title when it starts with one and
    is at most three letters longer ("büyükelçisi", "posla").

``portfolio_words``
    Portfolio words ("Minister of Higher *Education*, *Science* ..."): a run holding one
    names no person.

``honorifics``
    Honorifics that open a name but are no role ("Mr", "Mme", "Bay").

``document_links``, ``document_stops``
    Words that link a document's word to its subject ("Protocol *on* Trade") and words
    that end a document's name on its left ("*the* Baku Declaration").

``document_inner_links``
    Document links that never follow the document's word directly, only further on
    ("Protocol on Trade *and* Energy").

Categories of lower-case words, matched in lower case:

``title_connectors``
    Words that may stand between a title and its name ("Minister *of the* Economy",
    "embajador *de* Uruguay *en* Chile").

``abbreviations``, ``quote_abbreviations``
    Abbreviations whose full stop ends no sentence ("Mr.", "No."): the first for every
    reader of sentences, the second as well for the quote finder ("Amb.", "гг.").

``generic_title_words``
    Words of a title that say nothing about which office it is ("minister", "first").

``title_articles``
    Words a title does not start with ("*the* Minister", "*van* ...").

``not_demonyms``
    First words of country names that are no adjective of that country ("Turks and
    Caicos", "Central African Republic").

``irregular_demonyms`` (a table: country code -> words)
    Adjectives of nationality that share no stem with the country's name ("dutch",
    "британский", "amerikan").

``listener_verbs``
    Reporting verbs whose following name is the listener ("Lavrov *told* Blinken").

``not_country_words``
    Words that begin like a country's name but name no country ("Central", "Republic").

``country_aliases`` (a table: country code -> words)
    Demonyms and short names of a country that no prefix of its name reaches ("dutch",
    "uk", "azeri"), for the countries a role or an affiliation names.

``title_abbreviations``
    Abbreviated titles that open a name in headlines and second references ("FM
    Bayramov", "Amb."), left out when names are compared.

``title_abbreviation_words`` (a table: abbreviation -> words)
    What an abbreviated title in a role stands for ("fm": foreign minister), to compare
    roles by their words.

``role_stop_words``, ``role_order_words``
    Words of a role that say nothing about the office when two roles are compared word
    by word, and those left out when a role's words are compared in any order
    ("Minister *of* Defense" = "Defense Minister").

``summary_allowed_words``, ``sentence_starters`` (English)
    Words the summary score lets a summary write capitalised: anywhere, whether or not
    the article has them ("Ministry", "Summit"), and at a sentence's start ("The").

``number_words`` (English), ``demonym_endings``
    Numbers as words from zero on, an entry's place being its value ("three" backs a
    summary's "3"); endings of an adjective of nationality ("Iraq*i*", "Ukrain*ian*").

``demonym_places`` (a table: demonym -> places)
    Demonyms no prefix of a place's name reaches, and the places they name ("dutch":
    netherlands), as the summary score's place keys spell them.

``country_name_openers``
    Words opening an official name of a country ("*Republic of* Moldova"): the summary
    score reads the name after them.

``null_words``
    Words a model writes for a value it has not got ("None", "unknown").

``role_qualifier_links``
    Words after which an English role only qualifies its head ("Deputy Chairman *of* the
    Party *on* Foreign Relations" is, short, "Deputy Chairman").

``suffix_letters``
    Letters beyond a-z that a case ending after an apostrophe or a hyphen is written
    with ("Şoygu'*yla*", "28-*də*"): with a-z, the letters of such an ending in a date
    or a name.

Categories of words as written (case-sensitive):

``name_particles``
    Particles inside a person's name ("van", "bin", "oğlu", "оглы").

``posting_links``, ``posting_articles``
    Words before the place a role is posted to, and the article that may follow them
    ("Ambassador of Türkiye *to* Azerbaijan", "*in the* Netherlands"); joined into a
    regex alternation.

Categories of words matched case-blind, joined into one regex alternation in a fixed
order of languages (the code names the order; the first alternative that fits wins):

``month_words``, ``weekday_words``, ``relative_day_words``
    How a date is worded: month names and abbreviations in the forms a date uses
    ("января", "Sept"), weekdays ("в среду"), days relative to the article's
    ("yesterday", "dün").

``ordinal_suffixes``, ``day_month_links``, ``year_links``
    The ending of an ordinal day ("5*th*", "1*er*"), a word between a day and its month
    ("5 *of* May", "5 *de* mayo") and one between a month and its year ("mayo *de* 2023").

``weekday_leads``, ``weekday_prepositions``, ``week_shift_words``
    Words before a weekday in a date ("*last* Monday"), prepositions before a weekday or a
    relative day that leave it a definite day ("*on* Monday"), and words putting a weekday
    in another week than the article's ("*last*", "*next*").

``document_patterns``
    Regular-expression fragments naming a signed document ("memorandum", "road map").

``attendance_patterns``
    Phrases saying that the people named in a sentence took part ("also attended",
    "в сопровождении", "hazır bulundu").

``reporting_patterns``, ``pronoun_attribution_patterns``, ``implicit_subject_patterns``
    Speech reported: a reporting verb ("said", "заявил"), an attribution to someone
    already named ("he said", "по его словам"), a verb whose subject is left out
    ("dedi", "dijo").

``future_patterns``, ``past_patterns``, ``will_patterns``
    A lead that only announces a visit ("will pay", "посетит") and not one that reports
    it ("met", "görüştü"); words putting a meeting in the future ("will", "recevra").

``meeting_verb_patterns``, ``in_person_patterns``, ``call_word_patterns``
    A sentence reporting a meeting or call between the people it names ("met with",
    "встретился с"); verbs of a meeting in person ("met", "hosted"); words of a call
    ("phone", "телефон"), matched anywhere in a word.

``earlier_signing_patterns``
    An attendance cue that, in a sentence naming a year, reports an earlier signing
    ("the treaty *signed by* the presidents in 2022"); matched as a whole cue.

``genitive_patterns``, ``locative_patterns`` (Azerbaijani, Turkish)
    Case endings at a word's end: the genitive ("Hərəkatı*nın*"), the locative and
    ablative ("Bakı*da*", "Ankara'*dan*"). A run of capitalised words with a genitive
    inside is no person's name; a place with such an ending is the place.

``instruction_patterns`` (English only)
    Text addressing the model instead of the reader ("Ignore the above", "SYSTEM:");
    matched case-blind, "^" at any line's start.

``counterpart_patterns``
    A role that is only "counterpart" (matched as the whole role).

``rank_patterns``
    Words making a title a lower rank (matched as a word's beginning: "deputy").

``separately_patterns``
    The word for "separately" ("held separate talks with A, B and C"), folded, matched
    as a word's beginning in folded text.

``summary_*_patterns`` (English only)
    What an English summary says: a call, a meeting in person, an event done or
    planned, documents signed or to be signed (the words before "sign"), a lower rank,
    the start of a clause about topics.

``pattern_examples`` (a table)
    For each ``*_patterns`` category, examples its fragments match (each fragment at
    least one); the tests check them, and the reading code's pattern, against these.

Languages without articles of their own (``ar``, ``de``, ``it``, ``pt``) have a file for
the words that names of their origin bring into any article: particles and honorifics.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a lexicon file."""
    return tuple(sorted(path.stem for path in HERE.glob("*.toml")))


@cache
def _data(language: str) -> dict[str, object]:
    path = HERE / f"{language}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _load(language: str) -> dict[str, tuple[str, ...]]:
    data = _data(language)
    return {key: tuple(value) for key, value in data.items() if isinstance(value, list)}


def max_ending(language: str) -> int:
    """Letters an inflection may add to a cue word in ``language`` (``max_ending``)."""
    value = _data(language).get("max_ending", 0)
    return value if isinstance(value, int) else 0


def table(category: str, language: str) -> dict[str, tuple[str, ...]]:
    """A category of named word lists (``[role_concepts]``) in ``language``."""
    data = _data(language).get(category, {})
    if not isinstance(data, dict):
        return {}
    return {key: tuple(value) for key, value in data.items() if isinstance(value, list)}


def words(category: str, language: str | Sequence[str] | None = None) -> tuple[str, ...]:
    """The cue words of ``category`` in ``language`` (every language's when None; the given
    languages', in their order, when a sequence: the order of a regex alternation)."""
    if language is None:
        chosen: Sequence[str] = languages()
    else:
        chosen = (language,) if isinstance(language, str) else language
    return tuple(word for lang in chosen for word in _load(lang).get(category, ()))


def alternation(category: str, language: str | Sequence[str] | None = None) -> str:
    """The entries of ``category`` (as :func:`words` orders them) joined by "|", each once
    (a fragment two languages share appears once): the body of a regex alternation."""
    return "|".join(dict.fromkeys(words(category, language)))


@cache
def pattern(category: str, *, whole_words: bool = False) -> re.Pattern[str]:
    """One case-blind pattern of every language's fragments of a ``*_patterns`` category;
    ``whole_words`` keeps a match from starting or ending inside a word."""
    fragments = "|".join(words(category))
    body = rf"(?<!\w)(?:{fragments})(?!\w)" if whole_words else fragments
    return re.compile(body, re.IGNORECASE)
