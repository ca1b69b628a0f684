"""The lexicon: every file parses, every category is read by code, and every entry of
every category is treated by the code that reads it as its category says."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable

import pytest

from communique import lexicon


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


# -- what each category's entries do, checked through the code that reads it -------------


def _thing_word(language: str, word: str) -> None:
    from communique.text.candidates import candidate_names

    assert f"Koray Brandt {_cap(word)}" not in candidate_names(f"x Koray Brandt {_cap(word)} y")


def _not_name(language: str, word: str) -> None:
    from communique.text.candidates import candidate_names

    names = candidate_names(f"x {_cap(word)} Koray Brandt y")
    assert "Koray Brandt" in names and f"{_cap(word)} Koray Brandt" not in names


def _name_particle(language: str, word: str) -> None:
    from communique.text.candidates import candidate_names

    assert f"Koray {word} Brandt" in candidate_names(f"x Koray {word} Brandt y")


def _surname_month(language: str, word: str) -> None:
    from communique.text.candidates import candidate_names

    assert f"Theresa {_cap(word)}" in candidate_names(f"x Theresa {_cap(word)} said")


def _document_link(language: str, word: str) -> None:
    from communique.text.candidates import candidate_documents

    found = candidate_documents(f"They signed the Protocol on Trade {word} Energy.")
    assert "Protocol on Trade" in found and f"Protocol on Trade {word}" not in found


def _document_stop(language: str, word: str) -> None:
    from communique.text.candidates import candidate_documents

    found = candidate_documents(f"x {word} Baku Protocol.")
    assert "Baku Protocol" in found and f"{word} Baku Protocol" not in found


def _name_title(language: str, word: str) -> None:
    from communique.text.names import title_in_name

    assert title_in_name(f"Koray {word} Brandt") == word


def _name_title_leading(language: str, word: str) -> None:
    from communique.text.names import title_in_name, title_words

    assert title_in_name(f"{word} Koray Brandt") == word and word in title_words()
    if word not in lexicon.words("name_titles"):
        assert title_in_name(f"Koray {word} Brandt") is None  # a surname there


def _month(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates
    from communique.text.datewords import DATE_WORDING

    assert DATE_WORDING.fullmatch(word)
    assert candidate_dates(f"x 5 {word} 2023 y") == [f"5 {word} 2023"]


def _weekday(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates
    from communique.text.datewords import DATE_WORDING, RELATIVE_WORDING

    assert DATE_WORDING.fullmatch(word) and RELATIVE_WORDING.match(word)
    assert word in candidate_dates(f"x {word} y")


def _relative_day(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates
    from communique.text.datewords import RELATIVE_WORDING

    assert RELATIVE_WORDING.match(word) and candidate_dates(f"x {word} y") == [word]


def _title_stem(language: str, word: str) -> None:
    from communique.text.attendance import is_title_word

    assert is_title_word(_cap(word)) and is_title_word(word + "abc")


def _title_connector(language: str, word: str) -> None:
    from communique.text.attendance import attendees

    text = f"It was also attended by Minister {word} Trade Koray Brandt."
    assert [(a.name, a.role) for a in attendees(text)] == [
        ("Koray Brandt", f"Minister {word} Trade")
    ]


def _abbreviation(language: str, word: str) -> None:
    from communique.text import quotes
    from communique.text.attendance import sentences

    text = f"We met {_cap(word)}. Brandt today."
    assert len(sentences(text)) == 1
    assert not quotes._ends_sentence(text, text.index("."))


def _quote_abbreviation(language: str, word: str) -> None:
    from communique.text import quotes

    text = f"We met {_cap(word)}. Brandt today."
    assert not quotes._ends_sentence(text, text.index("."))


def _portfolio_word(language: str, word: str) -> None:
    from communique.text.attendance import attendees

    assert attendees("It was also attended by Minister Koray Brandt.")
    assert not attendees(f"It was also attended by Minister Koray {_cap(word)}.")


def _honorific(language: str, word: str) -> None:
    from communique.text.attendance import attendees

    text = f"It was also attended by {_cap(word)} Minister Koray Brandt."
    assert [(a.name, a.role) for a in attendees(text)] == [("Koray Brandt", "Minister")]


def _listener_verb(language: str, word: str) -> None:
    from communique.text import quotes

    def beside(verb: str) -> bool:
        text = f"{verb} Blinken"
        mention = quotes._Mention(len(verb) + 1, len(text), 0)
        return quotes._beside(text, [0, len(verb) + 1], mention, (0, len(verb)))

    assert beside("stated") and not beside(word)


def _generic_title_word(language: str, word: str) -> None:
    from communique.extract.passes import examples

    assert examples._distinctive(f"{_cap(word)} Koray") == {"koray"}


def _not_demonym(language: str, word: str) -> None:
    from communique.text.places import demonym_country

    assert demonym_country(word) is None


def _title_article(language: str, word: str) -> None:
    from communique.text.titles import title_phrase

    text = f"Oslo and {word} Minister Ana Brandt"
    start = text.index("Ana Brandt")
    phrase = title_phrase(text, start, start + len("Ana Brandt"))
    assert phrase is not None and phrase.span.text == "Minister"


def _ordinal_suffix(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates

    assert candidate_dates(f"x 5{word} May 2023 y") == [f"5{word} May 2023"]
    if language == "en":  # the month-first form is English
        assert candidate_dates(f"x May 5{word} y") == [f"May 5{word}"]


def _day_month_link(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates

    assert candidate_dates(f"x 5 {word} May 2023 y") == [f"5 {word} May 2023"]


def _year_link(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates

    assert candidate_dates(f"x 5 May {word} 2023 y") == [f"5 May {word} 2023"]


def _weekday_lead(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates
    from communique.text.datewords import RELATIVE_WORDING

    assert RELATIVE_WORDING.match(f"{word} Monday")
    assert candidate_dates(f"x {word} Monday y") == [f"{word} Monday"]


def _weekday_preposition(language: str, word: str) -> None:
    from communique.text.candidates import candidate_dates
    from communique.text.datewords import RELATIVE_WORDING

    assert RELATIVE_WORDING.match(f"{word} Monday") and RELATIVE_WORDING.match(f"{word} today")
    assert candidate_dates(f"x {word} Monday y") == ["Monday"]


def _week_shift_word(language: str, word: str) -> None:
    from communique.text import dates

    assert dates._LAST_OR_NEXT.search(f"{word} Wednesday")
    assert not dates._LAST_OR_NEXT.search("on Wednesday")


def _document_inner_link(language: str, word: str) -> None:
    from communique.text.candidates import candidate_documents

    assert word in lexicon.words("document_links")
    assert "Protocol on Trade" in candidate_documents("They signed the Protocol on Trade.")
    found = candidate_documents(f"They signed the Protocol {word} Trade.")
    assert f"Protocol {word} Trade" not in found


def _suffix_letter(language: str, letter: str) -> None:
    from communique.extract.assemble import without_case_suffix
    from communique.text.candidates import candidate_dates

    assert without_case_suffix(f"Brandt'{letter}") == "Brandt"
    assert candidate_dates(f"x Mart'{letter} 5 y") == [f"Mart'{letter} 5"]


def _role_qualifier_link(language: str, word: str) -> None:
    from communique.extract.compose import short_role

    role = f"Deputy Chairman {word} the Justice and Development Party"
    assert short_role(role) == "Deputy Chairman"


def _not_country_word(language: str, word: str) -> None:
    from communique.brief import countries

    assert countries._word_country(word) is None and countries.country_of(_cap(word)) is None


def _title_abbreviation(language: str, word: str) -> None:
    from communique.brief.people import parse_name

    assert parse_name(f"{_cap(word)} Koray Brandt").words == parse_name("Koray Brandt").words


def _role_stop_word(language: str, word: str) -> None:
    from communique.brief import people

    assert people._role_words(f"Minister {word} Defense") == {"minister", "defense"}


def _role_order_word(language: str, word: str) -> None:
    from communique.brief import merge

    assert merge._role_key(f"Minister {word} Defense") == merge._role_key("Defense Minister")


def _posting_link(language: str, word: str) -> None:
    from communique.brief.countries import country_of
    from communique.brief.people import role_country

    assert role_country(f"Ambassador {word} Azerbaijan of France") == country_of("France")


def _posting_article(language: str, word: str) -> None:
    from communique.brief.countries import country_of
    from communique.brief.people import role_country

    link = lexicon.words("posting_links", language)[0]
    role = f"Ambassador {link} {word} Netherlands of France"
    assert role_country(role) == country_of("France")


def _summary_allowed_word(language: str, word: str) -> None:
    from communique.evals import summaries

    article = summaries._ArticleIndex("Brandt spoke.")
    assert summaries.unfaithful_tokens(f"Brandt and {_cap(word)} spoke.", article) == []


def _sentence_starter(language: str, word: str) -> None:
    from communique.evals import summaries

    article = summaries._ArticleIndex("Brandt spoke.")
    assert summaries.unfaithful_tokens(f"{_cap(word)} Brandt spoke.", article) == []


def _number_word(language: str, word: str) -> None:
    from communique.evals import summaries

    value = lexicon.words("number_words", language).index(word)
    assert summaries._ArticleIndex(f"They met {word} times.").has_number(str(value))


def _demonym_ending(language: str, ending: str) -> None:
    from communique.evals import summaries

    assert summaries._ArticleIndex("Korvan spoke.").has_word(f"korvan{ending}")


def _null_word(language: str, word: str) -> None:
    from communique.extract.passes import places

    assert places._value_or_none(_cap(word)) is None and places._value_or_none("Baku") == "Baku"


def _country_name_opener(language: str, words: str) -> None:
    from communique.evals.place_keys import place_key

    assert place_key(f"{_cap(words)} Turtsiya") == place_key("Turtsiya") == "tr"
    assert place_key("Commonwealth of Turtsiya") != "tr"


#: category -> a check of one entry; a ``*_patterns`` category is checked against its
#: examples in ``[pattern_examples]`` by :data:`PATTERN_USERS` instead
WORD_CHECKS: dict[str, Callable[[str, str], None]] = {
    "thing_words": _thing_word,
    "not_names": _not_name,
    "name_particles": _name_particle,
    "surname_months": _surname_month,
    "document_links": _document_link,
    "document_stops": _document_stop,
    "name_titles": _name_title,
    "name_titles_leading": _name_title_leading,
    "month_words": _month,
    "weekday_words": _weekday,
    "relative_day_words": _relative_day,
    "title_stems": _title_stem,
    "title_connectors": _title_connector,
    "abbreviations": _abbreviation,
    "quote_abbreviations": _quote_abbreviation,
    "portfolio_words": _portfolio_word,
    "honorifics": _honorific,
    "listener_verbs": _listener_verb,
    "generic_title_words": _generic_title_word,
    "not_demonyms": _not_demonym,
    "title_articles": _title_article,
    "ordinal_suffixes": _ordinal_suffix,
    "day_month_links": _day_month_link,
    "year_links": _year_link,
    "weekday_leads": _weekday_lead,
    "weekday_prepositions": _weekday_preposition,
    "week_shift_words": _week_shift_word,
    "document_inner_links": _document_inner_link,
    "suffix_letters": _suffix_letter,
    "role_qualifier_links": _role_qualifier_link,
    "not_country_words": _not_country_word,
    "title_abbreviations": _title_abbreviation,
    "role_stop_words": _role_stop_word,
    "role_order_words": _role_order_word,
    "posting_links": _posting_link,
    "posting_articles": _posting_article,
    "summary_allowed_words": _summary_allowed_word,
    "sentence_starters": _sentence_starter,
    "number_words": _number_word,
    "demonym_endings": _demonym_ending,
    "null_words": _null_word,
    "country_name_openers": _country_name_opener,
}


def _pattern_users() -> dict[str, Callable[[str], object]]:
    """Each ``*_patterns`` category's reader: its compiled pattern as the code holds it,
    applied to an example the way the code applies it."""
    from communique.extract.passes import completion, roles, split
    from communique.text import attendance, candidates, coverage, instructions, places, quotes
    from communique.text import summary_check as summary
    from communique.text.alignment import fold_value

    def search(pattern: re.Pattern[str]) -> Callable[[str], object]:
        return lambda example: pattern.search(f"x {example}.")

    return {
        "document_patterns": search(candidates._DOC),
        "attendance_patterns": search(attendance._CUE),
        "reporting_patterns": search(quotes._REPORTING_VERB),
        "pronoun_attribution_patterns": search(quotes._PRONOUN_ATTRIBUTION),
        "implicit_subject_patterns": search(quotes._IMPLICIT_SUBJECT),
        "future_patterns": search(completion._FUTURE),
        "past_patterns": search(completion._PAST),
        "meeting_verb_patterns": search(completion._MEETING_VERB),
        "event_cue_patterns": search(coverage._cue()),
        "will_patterns": search(completion._WILL),
        "in_person_patterns": search(completion._PAST_MEETING),
        "call_word_patterns": search(completion._CALL),
        "counterpart_patterns": lambda example: completion._COUNTERPART.match(example),
        "rank_patterns": search(roles._RANKED),
        "separately_patterns": lambda example: split._SEPARATELY.search(fold_value(example)),
        "summary_call_patterns": search(summary._CALL),
        "summary_in_person_patterns": search(summary._IN_PERSON),
        "summary_done_patterns": search(summary._DONE),
        "summary_planned_patterns": search(summary._PLANNED),
        "summary_signed_patterns": search(summary._SIGNED),
        "summary_not_signed_patterns": lambda example: summary._NOT_SIGNED.search(
            f"x {example} sign."
        ),
        "summary_rank_patterns": search(summary._RANK),
        "summary_topic_patterns": search(summary._TOPIC_CLAUSE),
        "earlier_signing_patterns": lambda example: attendance._SIGNED_BY.fullmatch(example),
        "instruction_patterns": lambda example: instructions._MARKERS.search(f"x\n{example}"),
        "genitive_patterns": lambda example: (
            candidates._GENITIVE.search(f"Qrupu{example}")
            and places._TURKIC_CASE.match(f"Bakı{example}")
        ),
        "locative_patterns": lambda example: places._TURKIC_CASE.match(f"Bakı{example}"),
    }


#: categories read by code this file does not reach entry by entry (tested elsewhere)
ELSEWHERE = {
    "organisation_words",  # test_verification.py
    "title_joiners",  # test_verification.py
    "role_concepts",  # test_verification.py
    "signing_patterns",
    "call_patterns",
    "spokesperson_patterns",
    "deputy_patterns",
}
SETTINGS = {"max_ending", "pattern_examples"}
TABLES = {"irregular_demonyms", "country_aliases", "title_abbreviation_words", "demonym_places"}


def _entries(kind: str) -> list[tuple[str, str, str]]:
    return [
        (language, category, entry)
        for language in lexicon.languages()
        for category, value in lexicon._load(language).items()
        if (category in WORD_CHECKS) == (kind == "words")
        and category.endswith("_patterns") == (kind == "patterns")
        for entry in value
    ]


@pytest.mark.parametrize(("language", "category", "word"), _entries("words"))
def test_each_cue_word_is_treated_as_its_category_says(
    language: str, category: str, word: str
) -> None:
    WORD_CHECKS[category](language, word)


@pytest.mark.parametrize(("language", "category", "fragment"), _entries("patterns"))
def test_each_pattern_fragment_matches_its_example_and_its_reader_finds_it(
    language: str, category: str, fragment: str
) -> None:
    examples = lexicon.table("pattern_examples", language).get(category, [])
    fitting = [ex for ex in examples if re.match(fragment, ex, re.IGNORECASE)]
    assert fitting, (language, category, fragment)
    reader = _pattern_users().get(category)
    if reader is not None:
        assert all(reader(ex) for ex in fitting), (language, fragment)


# -- structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", lexicon.languages())
def test_each_file_parses_and_holds_only_known_categories(language: str) -> None:
    path = lexicon.HERE / f"{language}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = set(WORD_CHECKS) | set(_pattern_users()) | ELSEWHERE | SETTINGS | TABLES
    assert set(data) <= known, set(data) - known
    for category in lexicon.table("pattern_examples", language):
        assert category in data, (language, category)


@pytest.mark.parametrize("language", lexicon.languages())
def test_no_category_lists_a_word_twice(language: str) -> None:
    for category, entries in lexicon._load(language).items():
        assert len(set(entries)) == len(entries), (language, category)
    for table in ("role_concepts", "pattern_examples", *TABLES):
        for key, entries in lexicon.table(table, language).items():
            assert len(set(entries)) == len(entries), (language, table, key)


#: categories matched against lower-case (folded or casefolded) text
LOWER_CASE = {
    "thing_words", "not_names", "surname_months", "document_links", "document_stops",
    "name_titles", "name_titles_leading", "organisation_words", "title_joiners",
    "title_stems", "title_connectors", "abbreviations", "quote_abbreviations",
    "portfolio_words", "honorifics", "listener_verbs", "generic_title_words",
    "separately_patterns", "not_demonyms", "title_articles", "document_inner_links",
    "suffix_letters", "ordinal_suffixes", "day_month_links", "year_links", "weekday_leads",
    "weekday_prepositions", "week_shift_words", "role_qualifier_links", "not_country_words",
    "title_abbreviations", "role_stop_words", "role_order_words", "summary_allowed_words",
    "sentence_starters", "number_words", "demonym_endings", "null_words",
    "country_name_openers",
}  # fmt: skip


@pytest.mark.parametrize("category", sorted(LOWER_CASE))
def test_categories_matched_case_blind_are_lower_case(category: str) -> None:
    for language in lexicon.languages():
        for word in lexicon.words(category, language):
            assert word == word.casefold(), (language, category, word)


def test_every_category_the_code_reads_exists() -> None:
    present = {c for lang in lexicon.languages() for c in lexicon._load(lang)}
    present |= {c for lang in lexicon.languages() for c in lexicon._data(lang)}
    assert set(WORD_CHECKS) | set(_pattern_users()) | ELSEWHERE | TABLES <= present


@pytest.mark.parametrize(
    ("language", "code", "word"),
    [
        (language, code, word)
        for language in lexicon.languages()
        for code, words in lexicon.table("irregular_demonyms", language).items()
        for word in words
    ],
)
def test_each_irregular_demonym_names_its_country(language: str, code: str, word: str) -> None:
    from communique.text.places import demonym_country

    assert word == word.casefold() and demonym_country(word) == code


@pytest.mark.parametrize(
    ("language", "code", "word"),
    [
        (language, code, word)
        for language in lexicon.languages()
        for code, words in lexicon.table("country_aliases", language).items()
        for word in words
    ],
)
def test_each_country_alias_names_its_country(language: str, code: str, word: str) -> None:
    from communique.brief import countries

    assert word == word.casefold()
    # a code ISO 3166 (pycountry) does not hold, such as XK, names no country yet
    assert countries.country_of(word) == countries._tables()[2].get(code)


@pytest.mark.parametrize(
    ("language", "abbreviation", "meaning"),
    [
        (language, abbreviation, meaning)
        for language in lexicon.languages()
        for abbreviation, meaning in lexicon.table("title_abbreviation_words", language).items()
    ],
)
def test_each_title_abbreviation_stands_for_its_words(
    language: str, abbreviation: str, meaning: tuple[str, ...]
) -> None:
    from communique.brief import people

    assert abbreviation in lexicon.words("title_abbreviations", language)
    assert people._role_words(f"{abbreviation} of Ruritania") == {*meaning, "ruritania"}


@pytest.mark.parametrize(
    ("language", "demonym", "place"),
    [
        (language, demonym, place)
        for language in lexicon.languages()
        for demonym, named in lexicon.table("demonym_places", language).items()
        for place in named
    ],
)
def test_each_demonym_is_backed_by_its_places(language: str, demonym: str, place: str) -> None:
    from communique.evals import summaries

    assert demonym == demonym.casefold() and place == place.casefold()
    assert summaries._ArticleIndex(f"It happened in {place.title()}.").has_word(demonym)
