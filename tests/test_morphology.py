"""Russian names in the nominative: the dictionary form a record must carry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from communique.text.morphology import nominative_name


@pytest.mark.parametrize(
    "inflected,nominative",
    [
        ("Гургеном Мелконяном", "Гурген Мелконян"),  # unknown surname, instrumental
        ("Павлом Громовым", "Павел Громов"),
        ("Сергея Лаврова", "Сергей Лавров"),  # not the feminine nominative "Лаврова"
        ("Марии Захаровой", "Мария Захарова"),
        ("Ольге Ивановой", "Ольга Иванова"),  # feminine, dative
        ("Олегом Тихонравовым", "Олег Тихонравов"),  # unknown surname
        ("Вардану Абгаряну", "Вардан Абгарян"),  # unknown surname, dative
        ("Сергеем Викторовичем Лавровым", "Сергей Викторович Лавров"),  # patronymic
        ("Николаем Римским-Корсаковым", "Николай Римский-Корсаков"),  # per hyphen part
    ],
)
def test_inflected_names_become_nominative(inflected: str, nominative: str) -> None:
    assert nominative_name(inflected) == nominative


@pytest.mark.parametrize(
    "word,nominative",
    [("Мелконяном", "Мелконян"), ("Тихонравовым", "Тихонравов"), ("Абгаряну", "Абгарян")],
)
def test_unknown_surnames_alone_are_guessed(word: str, nominative: str) -> None:
    assert nominative_name(word) == nominative


@pytest.mark.parametrize(
    "name",
    [
        "Вардан Абгарян",
        "Олег Тихонравов",
        "Ильхам Алиев",
        "Гурген Мелконян",
        "Мария Захарова",
        "Сергей Викторович Лавров",
        "Сергей Шойгу",  # indeclinable
        "Лаврова",  # a woman's surname, nominative as written
    ],
)
def test_nominative_names_are_kept(name: str) -> None:
    assert nominative_name(name) == name


@pytest.mark.parametrize("name", ["Sergey Lavrov", "Şentop", "Mustafa Şentop", "", "  "])
def test_non_cyrillic_names_are_untouched(name: str) -> None:
    assert nominative_name(name) == name


def test_capitalisation_and_e_spelling_follow_the_input() -> None:
    assert nominative_name("СЕРГЕЯ ЛАВРОВА") == "СЕРГЕЙ ЛАВРОВ"
    assert nominative_name("Федором Ивановым") == "Федор Иванов"  # the text writes е for ё
    assert nominative_name("Фёдором Ивановым") == "Фёдор Иванов"


def test_words_that_are_no_name_part_stay_as_written() -> None:
    assert nominative_name("С. Лавровым") == "С. Лавров"
    assert nominative_name("Ильхамом Гейдар оглы Алиевым").split()[-1] == "Алиев"
    assert "оглы" in nominative_name("Ильхамом Гейдар оглы Алиевым")


def test_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import communique.text.morphology as morphology

    def broken(part: str) -> list[object]:
        raise RuntimeError("dictionary unreadable")

    monkeypatch.setattr(morphology, "_name_parses", broken)
    assert nominative_name("Сергея Лаврова") == "Сергея Лаврова"


def test_import_does_not_load_pymorphy3() -> None:
    code = (
        "import sys, communique.text.morphology\n"
        "assert 'pymorphy3' not in sys.modules, 'pymorphy3 imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
