"""Finding quoted statements, their exact spans and who said them, in any script."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import pytest

from communique.text.quotes import MAX_QUOTE_CHARS, FoundQuote, find_quotes


def quotes(text: str, people: Sequence[str] = ()) -> list[FoundQuote]:
    found = find_quotes(text, people)
    for quote in found:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    return found


# -- quote marks and spans ---------------------------------------------------------------------


def test_curly_quote_after_the_name_with_exact_offsets():
    text = "Secretary Blinken said: “We support a lasting peace in the South Caucasus.” He left."
    [quote] = quotes(text, ["Antony Blinken"])
    assert quote == FoundQuote(
        text="We support a lasting peace in the South Caucasus.",
        start=25,
        end=74,
        speaker="Antony Blinken",
    )


def test_quote_before_the_name_drops_the_attribution_comma():
    text = "“We will keep working with all our partners in the region,” Blinken said."
    [quote] = quotes(text, ["Antony Blinken"])
    assert quote.text == "We will keep working with all our partners in the region"
    assert (quote.start, quote.end) == (1, 57)
    assert quote.speaker == "Antony Blinken"


def test_straight_quotes_pair_up_and_each_goes_to_its_speaker():
    text = (
        'Lavrov met Blinken in Geneva. "Our positions remain far apart on many issues," '
        'Lavrov said. Blinken replied: "We are ready to talk whenever Moscow is ready."'
    )
    first, second = quotes(text, ["Antony Blinken", "Sergey Lavrov"])
    assert first.text == "Our positions remain far apart on many issues"
    assert first.start == text.index("Our positions")
    assert first.speaker == "Sergey Lavrov"
    assert second.text == "We are ready to talk whenever Moscow is ready."
    assert second.start == text.index("We are ready")
    assert second.speaker == "Antony Blinken"


def test_several_names_in_the_sentence_the_one_beside_the_reporting_verb_speaks():
    text = "Lavrov told Blinken: “Our countries must find a way to keep talking.”"
    [quote] = quotes(text, ["Antony Blinken", "Sergey Lavrov"])
    assert quote.speaker == "Sergey Lavrov"


def test_nested_quotes_belong_to_the_outer_quote():
    text = (
        '"I believe that the “Cooperation Protocol” that we signed will make a great '
        'contribution," Sentop tweeted.'
    )
    [quote] = quotes(text, ["Mustafa Şentop"])
    assert quote.text == (
        "I believe that the “Cooperation Protocol” that we signed will make a great contribution"
    )
    assert quote.start == 1
    assert quote.speaker == "Mustafa Şentop"


def test_guillemets_and_german_quotes():
    text = (
        "«Мы договорились продолжить переговоры в Москве», — сказал он. "
        "„Wir haben heute sehr offen gesprochen“, sagte Baerbock."
    )
    first, second = quotes(text, ["Annalena Baerbock"])
    assert first.text == "Мы договорились продолжить переговоры в Москве"
    assert (first.start, first.end) == (1, 47)
    assert second.text == "Wir haben heute sehr offen gesprochen"
    assert second.start == text.index("Wir haben")
    assert second.speaker == "Annalena Baerbock"


def test_single_quotes_need_four_words_and_apostrophes_are_not_quotes():
    text = (
        "The ministers’ talks ended. ‘We have agreed on a common path forward,’ Fidan said. "
        "Turkey’s ‘new chapter’ began."
    )
    [quote] = quotes(text, ["Hakan Fidan"])
    assert quote.text == "We have agreed on a common path forward"
    assert quote.start == text.index("We have")
    assert quote.speaker == "Hakan Fidan"


# -- statements, not titles --------------------------------------------------------------------


def test_quoted_titles_and_names_are_not_statements():
    text = (
        'Aliyev visited the “smart village” in Zangilan and discussed the "Middle Corridor". '
        "“We are rebuilding these lands for our people,” Aliyev said."
    )
    [quote] = quotes(text, ["Ilham Aliyev"])
    assert quote.text == "We are rebuilding these lands for our people"
    assert quote.start == text.index("We are")
    assert quote.speaker == "Ilham Aliyev"


def test_four_word_quote_is_too_short_five_words_is_a_statement():
    assert quotes("He called it “a very good day”.") == []
    [quote] = quotes("He called it “a very good day indeed”.")
    assert quote.text == "a very good day indeed"


def test_long_quote_is_capped_at_a_word_boundary():
    words = " ".join(f"word{n}" for n in range(300))
    text = f"Fidan said: “{words}.” The talks ended."
    [quote] = quotes(text, ["Hakan Fidan"])
    assert quote.start == text.index("word0")
    assert len(quote.text) <= MAX_QUOTE_CHARS
    assert len(quote.text) > MAX_QUOTE_CHARS - len(" word299")
    assert quote.text == words[: len(quote.text)]
    assert words[len(quote.text)] == " "  # ends on a whole word
    assert quote.speaker == "Hakan Fidan"


# -- non-Latin scripts -------------------------------------------------------------------------


def test_azerbaijani_offsets_are_code_points():
    text = (
        "Ceyhun Bayramov Şuşada həmkarı ilə görüşüb. "
        "“Biz sülh prosesinin davam etdirilməsini dəstəkləyirik,” Bayramov bildirib."
    )
    [quote] = quotes(text, ["Jeyhun Bayramov"])
    assert (quote.start, quote.end) == (45, 98)
    assert text[45:98] == "Biz sülh prosesinin davam etdirilməsini dəstəkləyirik"
    assert quote.speaker == "Jeyhun Bayramov"


def test_turkish_quote_with_dedi_and_folded_name():
    text = 'TBMM Başkanı Şentop, "Türkiye ile Azerbaycan arasındaki ilişkiler çok güçlü" dedi.'
    [quote] = quotes(text, ["Mustafa Sentop"])
    assert quote.text == "Türkiye ile Azerbaycan arasındaki ilişkiler çok güçlü"
    assert (quote.start, quote.end) == (22, 75)
    assert quote.speaker == "Mustafa Sentop"


def test_speaker_given_transliterated_matches_cyrillic_text():
    text = (
        "Стороны обсудили двустороннюю повестку. "
        "«Мы договорились продолжить работу над мирным договором», — заявил Павел Громов."
    )
    [quote] = quotes(text, ["Pavel Gromov"])
    assert quote.text == "Мы договорились продолжить работу над мирным договором"
    assert quote.start == text.index("«") + 1
    assert quote.speaker == "Pavel Gromov"


def test_inflected_russian_surname_and_pronoun_attribution():
    text = (
        "Переговоры с Мелконяном прошли в Ереване. "
        "«Мы обсудили все вопросы двусторонней повестки», — отметил он."
    )
    [quote] = quotes(text, ["Арам Мелконян"])
    assert quote.speaker == "Арам Мелконян"


def test_transliteration_variants_match():
    text = "«Мы продолжим сотрудничество во всех сферах», — подчеркнул Алиев."
    [quote] = quotes(text, ["Ilham Aliyev"])
    assert quote.speaker == "Ilham Aliyev"


# -- attribution -------------------------------------------------------------------------------


def test_surname_only_mention_when_the_first_name_is_longer():
    text = "“Relations between our parliaments are at their peak,” Sentop said."
    [quote] = quotes(text, ["Mustafa Şentop"])
    assert quote.speaker == "Mustafa Şentop"


def test_he_said_goes_to_the_last_person_named_before_the_quote():
    text = (
        "Aliyev received Fidan in Baku. Fidan thanked the host. "
        "“Turkey will always stand with Azerbaijan,” he said."
    )
    [quote] = quotes(text, ["Ilham Aliyev", "Hakan Fidan"])
    assert quote.speaker == "Hakan Fidan"


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        ("“We will not give up our principles on this matter,” she noted.", "Annalena Baerbock"),
        (
            "According to her, “talks must continue without any preconditions at all”.",
            "Annalena Baerbock",
        ),
        ("«Nous allons continuer ce travail ensemble», a-t-elle déclaré.", "Annalena Baerbock"),
        ("“Vamos a trabajar juntos siempre y en todo”, dijo.", "Annalena Baerbock"),
        ("“Vamos a trabajar juntos siempre y en todo”, dijo Pérez.", None),
        ("“We discussed the situation in the region in detail.”", None),
    ],
)
def test_pronoun_attribution_in_several_languages(attribution: str, speaker: str | None):
    text = f"Baerbock arrived in Kyiv. {attribution}"
    [quote] = quotes(text, ["Annalena Baerbock"])
    assert quote.speaker == speaker


def test_pronoun_attribution_looks_back_only_600_characters():
    filler = "The delegations then toured the new port facilities. " * 12
    text = f"Baerbock arrived in Kyiv. {filler}“We will stay as long as it takes here,” she said."
    [quote] = quotes(text, ["Annalena Baerbock"])
    assert quote.speaker is None


def test_quote_by_someone_not_in_people_has_no_speaker():
    text = (
        "Blinken met the delegation. "
        "“We will keep working with our partners in the region,” said John Smith."
    )
    [quote] = quotes(text, ["Antony Blinken"])
    assert quote.speaker is None


def test_name_inside_the_quote_does_not_attribute_it():
    text = "“We are grateful to Minister Lavrov for his hospitality today,” the envoy said."
    [quote] = quotes(text, ["Sergey Lavrov"])
    assert quote.speaker is None


def test_speaker_is_returned_exactly_as_given():
    text = "“Our cooperation in energy keeps growing every year,” President Aliyev said."
    [quote] = quotes(text, ["President Ilham ALIYEV"])
    assert quote.speaker == "President Ilham ALIYEV"


# -- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", '"', "“", "”", "«", "»", "‘", "’", '""', "“”", "”a b c d e f“", '"a b c d e f'],
)
def test_degenerate_input_gives_no_quotes(text: str):
    assert quotes(text, ["Lavrov"]) == []
    assert quotes(text, []) == []


def test_unclosed_quote_does_not_swallow_the_next_one():
    text = (
        "Lavrov said: “this opening mark is never closed in the text.\n\n"
        "“We are ready to continue the dialogue in good faith,” Lavrov said."
    )
    [quote] = quotes(text, ["Sergey Lavrov"])
    assert quote.text == "We are ready to continue the dialogue in good faith"
    assert quote.start == text.index("We are")
    assert quote.speaker == "Sergey Lavrov"


def test_no_people_gives_quotes_without_speakers():
    [quote] = quotes("“We are ready to continue the dialogue in good faith,” he said.", [])
    assert quote.speaker is None


def test_random_text_never_raises_and_spans_stay_exact():
    rng = random.Random(7)
    alphabet = '“”„«»"‘’ \n.,:!?abc Жшə'
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        quotes(text, ["Abc", "Жш", ""])
