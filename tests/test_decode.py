"""Bytes to text: byte-order marks, UTF-8, declared and detected legacy encodings, binary."""

from __future__ import annotations

import pytest

from communique.inputs import Decoded, InputProblem, decode_bytes, read_bytes
from communique.inputs.html import declared_charset

TURKISH = "Dışişleri Bakanı Hakan Fidan, Rusya Dışişleri Bakanı Sergey Lavrov ile görüştü."
CZECH = "Ministr zahraničních věcí přijal delegaci vedenou předsedou parlamentu."
GREEK = "Ο υπουργός Εξωτερικών συναντήθηκε με τον πρέσβη της Τουρκίας στην Αθήνα."
RUSSIAN = "Министр иностранных дел принял делегацию во главе с председателем парламента."
GERMAN = "Der Außenminister traf sich mit dem Präsidenten. Gespräche über Zusammenarbeit."


def decoded(data: bytes, **kwargs: str) -> Decoded:
    result = decode_bytes(data, "x.txt", **kwargs)
    assert isinstance(result, Decoded), result
    return result


@pytest.mark.parametrize(
    "text,encoding,expected",
    [
        (TURKISH, "cp1254", "cp1254"),  # not windows-1252's "Dýþiþleri"
        (CZECH, "cp1250", "cp1250"),
        (GREEK, "cp1253", "cp1253"),
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8-r"),
        (GERMAN, "latin-1", "cp1252"),  # the same text: the more common name
    ],
)
def test_legacy_encodings_are_detected(text: str, encoding: str, expected: str):
    result = decoded(text.encode(encoding))
    assert (result.text, result.encoding) == (text, expected)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_when_it_reads_like_text(codec: str):
    text = (RUSSIAN + " " + GERMAN + "\n") * 3
    assert decoded(text.encode(codec)).text == text


def test_utf8_wins_over_a_wrong_declaration():
    result = decoded(RUSSIAN.encode("utf-8"), declared="iso-8859-1")
    assert (result.text, result.encoding) == (RUSSIAN, "utf-8")


def test_a_declaration_decides_between_legacy_encodings():
    data = "Ministers met in Zürich.".encode("cp1252")
    assert decoded(data, declared="windows-1252").encoding == "cp1252"


def test_line_ends_become_newlines_and_stray_controls_spaces():
    result = decoded(b"One.\r\nTwo.\rThree.\x00Four.\x1bFive.\x0cSix.")
    assert result.text == "One.\nTwo.\nThree. Four. Five.\x0cSix."


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"\xff\xfe" + " \n".encode("utf-16-le"), "the file is empty (only whitespace)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "the file is binary (a ZIP archive or an Office document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "the file is binary (a PNG image), not text"),
        (b"\x7fELF\x02\x01\x01", "the file is binary (an executable), not text"),
        (b"\x00\x01\x02\x03", "the file is binary (100% of it is control characters), not text"),
        (b"\xef\xbb\xbfok\xff", "the file starts with a UTF-8 byte-order mark but is not"),
        (bytes(range(128, 256)) * 40 + bytes(range(0, 32)) * 40, "the file is binary"),
    ],
)
def test_what_is_refused(data: bytes, message: str):
    problem = decode_bytes(data, "x.txt")
    assert isinstance(problem, InputProblem)
    assert problem.source == "x.txt"
    assert problem.problem.startswith(message)


def test_text_that_merely_starts_like_bzip2_is_text():
    assert decoded(b"BZh is how the minister signed his notes.").text.startswith("BZh")


def test_html_meta_charset_is_used_for_html_files():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
    page += f"</head><body><p>{RUSSIAN}</p></body></html>"
    data = page.encode("koi8-r")
    assert declared_charset(data) == "koi8-r"
    [article] = read_bytes(data, "page.html", ".html")
    assert not isinstance(article, InputProblem)
    assert article.text == RUSSIAN
    assert article.encoding == "koi8-r"
