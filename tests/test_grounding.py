"""Aligning names and titles back to character spans of the article, in any script."""

from __future__ import annotations

import unicodedata

import pytest

from communique.text.alignment import FoldedText, align, fold_value


def check(text: str, value: str, *, is_name: bool = True):
    alignment = align(text, value, is_name=is_name)
    for span in alignment.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
    return alignment


# -- exact ---------------------------------------------------------------------------------


def test_exact_match_and_every_occurrence():
    text = "Lavrov met Fidan. Later Lavrov spoke to the press."
    alignment = check(text, "Lavrov")
    assert alignment.status == "exact"
    assert alignment.grounded
    assert [(s.start, s.end) for s in alignment.spans] == [(0, 6), (24, 30)]


def test_exact_offsets_are_code_points_after_non_ascii_text():
    text = "Şuşa, Qarabağ — Ceyhun Bayramov görüşüb."
    alignment = check(text, "Ceyhun Bayramov")
    assert alignment.status == "exact"
    assert [(s.start, s.text) for s in alignment.spans] == [(16, "Ceyhun Bayramov")]


def test_exact_match_respects_word_boundaries():
    """'Ali' is not grounded by the first letters of 'Alibek' or 'Aliyev'."""
    text = "Alibek Aliyev met Ali Karimli."
    alignment = check(text, "Ali")
    assert [(s.start, s.end) for s in alignment.spans] == [(18, 21)]


# -- case, diacritics and script -------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value,expected",
    [
        # Turkish
        (
            "Türkiye Büyük Millet Meclisi (TBMM) Başkanı Mustafa Şentop, Bakü'de temaslarda.",
            "Mustafa Sentop",
            "Mustafa Şentop",
        ),
        ("TBMM Başkanı MUSTAFA ŞENTOP konuştu.", "Mustafa Şentop", "MUSTAFA ŞENTOP"),
        # Azerbaijani
        (
            "Azərbaycan Respublikasının Milli Məclisinin sədri Sahibə Qafarova qəbul edib.",
            "Sahibe Qafarova",
            "Sahibə Qafarova",
        ),
        ("Prezident İlham Əliyev Şuşada çıxış edib.", "ilham eliyev", "İlham Əliyev"),
        # Cyrillic, after letters that transliterate to several ASCII letters
        (
            "Щёлково, 5 декабря. Министр Сергей Лавров встретился с коллегой.",
            "Lavrov",
            "Лавров",
        ),
        # lower case
        ("Speaker Mustafa Şentop arrived.", "mustafa şentop", "Mustafa Şentop"),
    ],
)
def test_case_and_diacritic_insensitive(text, value, expected):
    alignment = check(text, value)
    assert alignment.status == "case_insensitive"
    assert [s.text for s in alignment.spans] == [expected]
    span = alignment.spans[0]
    assert span.start == text.index(expected)


def test_decomposed_text_maps_back_to_whole_characters():
    text = unicodedata.normalize("NFD", "Başkan Mustafa Şentop konuştu.")
    alignment = check(text, "Mustafa Sentop")
    assert alignment.status == "case_insensitive"
    [span] = alignment.spans
    assert unicodedata.normalize("NFC", span.text) == "Mustafa Şentop"


def test_folded_match_needs_whole_words():
    # 'sentop' inside a longer word is not a match
    alignment = check("Sentopoulos was there.", "Sentop", is_name=False)
    assert alignment.status != "case_insensitive"


def test_folded_text_map():
    doc = FoldedText("Щука и Şentop")
    assert doc.folded == fold_value("Щука и Şentop")
    start = doc.folded.index("sentop")
    span = doc.span(start, start + len("sentop"))
    assert span.text == "Şentop"
    assert (span.start, span.end) == (7, 13)


# -- fuzzy ---------------------------------------------------------------------------------


def test_name_words_in_another_order():
    text = "President Vladimir Putin received the guests."
    alignment = check(text, "Putin Vladimir")
    assert alignment.status == "fuzzy"
    assert [s.text for s in alignment.spans] == ["Vladimir Putin"]


def test_transliteration_variant_is_fuzzy():
    text = "Milli Məclisin sədri Sahibə Qafarova görüşdə iştirak edib."
    alignment = check(text, "Sahiba Gafarova")
    assert alignment.status == "fuzzy"
    assert alignment.spans[0].text == "Sahibə Qafarova"


def test_agreement_title_with_a_spelling_difference_is_fuzzy():
    text = "The Memorandum of Understanding on energy cooperation was signed in Baku."
    alignment = check(text, "memorandum of understanding on energy co-operation", is_name=False)
    assert alignment.status == "fuzzy"
    assert "Memorandum of Understanding on energy" in alignment.spans[0].text


def test_fuzzy_span_has_no_stray_whitespace():
    """A span is evidence a reader is shown: it should start and end on the words."""
    text = "The Memorandum of Understanding on energy cooperation was signed in Baku."
    [span] = check(text, "memorandum of understanding on energy co-operation", is_name=False).spans
    assert span.text == span.text.strip(), repr(span.text)


# -- ungrounded ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Vladimir Putin", "Emmanuel Macron", "", "   ", "Xi"], ids=repr)
def test_absent_values_are_ungrounded(value):
    alignment = check("Jeyhun Bayramov met Mustafa Şentop in Baku.", value)
    assert alignment.status == "ungrounded"
    assert alignment.spans == []
    assert not alignment.grounded


def test_a_different_person_with_a_shared_first_name_is_not_grounded():
    alignment = check("Ilham Aliyev received the delegation.", "Ilham Karimov")
    assert alignment.status == "ungrounded"


def test_long_article_spans_are_capped():
    text = " ".join(["Lavrov said."] * 50)
    alignment = check(text, "Lavrov")
    assert 1 <= len(alignment.spans) <= 8
