"""Candidate names and dates found in an article (what a constrained model may pick from)."""

from __future__ import annotations

import pytest

from communique.text.candidates import candidate_dates, candidate_names
from communique.text.names import title_in_name
from fake_openai import ARTICLE_BODY


def test_titles_are_cut_away_from_names():
    text = "Minister of Defense of Azerbaijan, Colonel General Zakir Hasanov met the delegation."
    names = candidate_names(text)
    assert "Zakir Hasanov" in names
    assert not any("Colonel" in n or "General" in n for n in names)


@pytest.mark.parametrize(
    "text,name",
    [
        ("He met MP from Istanbul Zafer Sirakaya in Baku.", "Zafer Sirakaya"),
        (
            "Speaker of the Turkish Grand National Assembly Mustafa Şentop arrived.",
            "Mustafa Şentop",
        ),
        ("Mr. John Smith and Dr. Jane Doe met.", "John Smith"),
        ("Mr. John Smith and Dr. Jane Doe met.", "Jane Doe"),
        ("Talks with Ursula von der Leyen went well.", "Ursula von der Leyen"),
        ("Министр иностранных дел Сергей Лавров прибыл в Баку.", "Сергей Лавров"),
        ("President Ilham Aliyev received him.", "Ilham Aliyev"),
    ],
)
def test_names_are_found(text, name):
    assert name in candidate_names(text)


def test_possessive_names_are_found():
    """A participant only named in the possessive must still be pickable."""
    text = "Kazakh Foreign Minister Murat Nurtleu's visit to Baku began on Monday."
    assert "Murat Nurtleu" in candidate_names(text)


def test_candidates_are_verbatim_and_without_titles():
    names = candidate_names(ARTICLE_BODY)
    assert {"Jeyhun Bayramov", "Mustafa Şentop", "Zakir Hasanov"} <= set(names)
    for name in names:
        assert name in ARTICLE_BODY
        assert title_in_name(name) is None, name
    assert len(names) == len(set(names))


def test_organisations_and_places_are_not_names():
    names = candidate_names(
        "The Turkish Grand National Assembly and the New Azerbaijan Party met in Baku."
    )
    assert not any("Assembly" in n or "Party" in n for n in names)


def test_uncased_scripts_give_no_candidates():
    assert candidate_names("习近平会见了普京。") == []
    assert candidate_names("") == []


def test_acronyms_and_single_words_are_not_names():
    assert candidate_names("TURKPA and BAKU said Lavrov.") == []


# -- dates ---------------------------------------------------------------------------------


def test_dates_as_worded():
    text = (
        "BAKU, Azerbaijan, December 5. The talks of 28 April 2023 and of yesterday were "
        "followed on Monday by a visit; see also 2023-12-05, 12.05.2023 and Dec. 5th, 2023."
    )
    dates = candidate_dates(text)
    for expected in (
        "December 5",
        "28 April 2023",
        "yesterday",
        "Monday",
        "2023-12-05",
        "12.05.2023",
        "Dec. 5th, 2023",
    ):
        assert expected in dates, (expected, dates)
    for date in dates:
        assert date in text
    assert len(dates) == len(set(dates))


def test_dateline_date_of_the_article():
    assert candidate_dates(ARTICLE_BODY)[0] == "December 5"


def test_no_dates():
    assert candidate_dates("Ministers met and talked about trade.") == []


def test_month_names_are_not_person_names():
    names = candidate_names("On December Fifth, Jeyhun Bayramov met May Smith.")
    assert "Jeyhun Bayramov" in names
    assert not any(n.startswith("December") for n in names)
