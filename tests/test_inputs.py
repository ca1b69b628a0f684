"""Reading articles: .txt, .html, .jsonl, folders, stdin, and every way a file can be bad."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sys
from pathlib import Path

import pytest

from communique.inputs import Article, InputProblem, content_id, read_bytes, read_inputs
from fake_openai import ARTICLE_BODY, ARTICLE_FILE_TEXT


def items(*paths: str | Path) -> list[Article | InputProblem]:
    return list(read_inputs([str(p) for p in paths]))


def only(*paths: str | Path) -> Article | InputProblem:
    [item] = items(*paths)
    return item


def set_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- plain text ------------------------------------------------------------------------


def test_txt_with_leading_space_date_header(write):
    path = write("baku.txt", ARTICLE_FILE_TEXT)
    article = only(path)
    assert isinstance(article, Article)
    assert article.published == dt.date(2023, 12, 5)
    assert article.text == ARTICLE_BODY
    assert article.text.startswith("BAKU, Azerbaijan, December 5.")
    assert "date 2023" not in article.text
    assert article.source == str(path)
    assert article.external_id is None


def test_txt_with_date_header_on_its_own_line(write):
    article = only(write("a.txt", "date 2024-02-29\n\nHello from Baku, where ministers met.\n"))
    assert isinstance(article, Article)
    assert article.published == dt.date(2024, 2, 29)
    assert article.text == "Hello from Baku, where ministers met."


def test_txt_without_header(write):
    article = only(write("a.txt", "\n  Ministers met in Baku on Monday.  \n"))
    assert isinstance(article, Article)
    assert article.published is None
    assert article.text == "Ministers met in Baku on Monday."


def test_txt_with_bom_and_crlf(write):
    data = b"\xef\xbb\xbf date 2023-12-05\r\nMinisters met in Baku.\r\nThey talked.\r\n"
    article = only(write("a.txt", data))
    assert isinstance(article, Article)
    assert article.published == dt.date(2023, 12, 5)
    assert article.text.startswith("Ministers met in Baku.")
    assert "\ufeff" not in article.text


def test_bad_date_header_is_a_problem(write):
    path = write("a.txt", " date 2023-13-45 Ministers met.")
    problem = only(path)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(path)
    assert "2023-13-45" in problem.problem


def test_header_without_text_is_a_problem(write):
    problem = only(write("a.txt", " date 2023-12-05\n\n"))
    assert isinstance(problem, InputProblem)
    assert "no text" in problem.problem


def test_article_id_is_a_content_hash_independent_of_the_path(write):
    a = only(write("one/a.txt", ARTICLE_FILE_TEXT))
    b = only(write("two/renamed.txt", ARTICLE_FILE_TEXT))
    assert isinstance(a, Article) and isinstance(b, Article)
    assert a.id == b.id == content_id(ARTICLE_BODY)
    assert a.id == hashlib.sha256(ARTICLE_BODY.encode()).hexdigest()[:16]
    assert a.source != b.source


# -- HTML --------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
<title>Page title</title>
<meta property="article:published_time" content="2023-12-05T10:30:00+04:00">
<style>body { color: red; } .secret-style {}</style>
<script>var trackingSecret = "do not read me";</script>
</head>
<body>
<nav>Home | News | Contact</nav>
<article>
<h1>Bayramov receives Şentop</h1>
<p>BAKU, Azerbaijan, December 5. Foreign Minister Jeyhun Bayramov received Mustafa Şentop.</p>
<script>document.write("injected")</script>
<p>The sides discussed   regional security.</p>
</article>
<footer>© Ministry</footer>
</body></html>
"""


def test_html_is_reduced_to_visible_text(write):
    article = only(write("page.html", PAGE))
    assert isinstance(article, Article)
    text = article.text
    assert "Foreign Minister Jeyhun Bayramov received Mustafa Şentop." in text
    assert "The sides discussed regional security." in text
    for hidden in ("trackingSecret", "do not read me", "color: red", "injected", "<p>", "<"):
        assert hidden not in text
    assert article.published == dt.date(2023, 12, 5)
    # paragraphs stay apart
    assert "\n" in text


def test_html_line_breaks_inside_a_paragraph_are_spaces(write):
    """A newline in the HTML source is whitespace, not a paragraph break."""
    page = "<html><body><p>The sides discussed   regional\nsecurity.</p></body></html>"
    article = only(write("page.html", page))
    assert isinstance(article, Article)
    assert article.text == "The sides discussed regional security."


def test_htm_and_time_tag_date(write):
    page = '<html><body><p>Ministers met.</p><time datetime="2022-05-01">May 1</time></body></html>'
    article = only(write("page.htm", page))
    assert isinstance(article, Article)
    assert article.published == dt.date(2022, 5, 1)
    assert "Ministers met." in article.text


def test_html_inline_markup_does_not_break_sentences(write):
    """Links and bold names inside a paragraph are part of the sentence."""
    page = (
        "<html><body><p>Foreign Minister <a href='/p/1'>Jeyhun Bayramov</a> met "
        "<b>Mustafa Şentop</b> in <em>Baku</em>.</p></body></html>"
    )
    article = only(write("page.html", page))
    assert isinstance(article, Article)
    assert "Foreign Minister Jeyhun Bayramov met Mustafa Şentop in Baku." in article.text


def test_html_without_visible_text_is_a_problem(write):
    path = write("empty.html", "<html><head><script>x=1</script></head><body> </body></html>")
    problem = only(path)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(path)
    assert "no visible text" in problem.problem


# -- JSONL -------------------------------------------------------------------------------


def test_jsonl_lines_with_id_text_and_date(write):
    lines = [
        {"id": "a-1", "text": "Ministers met in Baku.", "date": "2023-12-05"},
        {"id": 42, "text": "Leaders spoke by phone.", "date": "2023-11-30T08:00:00Z"},
        {"text": "No id and no date here."},
    ]
    path = write("feed.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    got = items(path)
    assert all(isinstance(x, Article) for x in got)
    assert [x.source for x in got] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert [x.external_id for x in got] == ["a-1", "42", None]
    assert [x.published for x in got] == [dt.date(2023, 12, 5), dt.date(2023, 11, 30), None]
    assert got[0].text == "Ministers met in Baku."


def test_bad_jsonl_line_is_a_problem_and_other_lines_still_load(write):
    content = (
        json.dumps({"text": "First article."})
        + "\n{not json\n"
        + json.dumps({"text": "Third article."})
        + "\n"
        + json.dumps(["a", "list"])
        + "\n"
        + json.dumps({"id": "x"})
        + "\n"
        + json.dumps({"text": "Bad date.", "date": "05/12/2023"})
        + "\n"
    )
    path = write("feed.jsonl", content)
    got = items(path)
    assert len(got) == 6
    assert isinstance(got[0], Article) and got[0].text == "First article."
    assert isinstance(got[2], Article) and got[2].text == "Third article."
    bad = got[1]
    assert isinstance(bad, InputProblem)
    assert bad.source == f"{path}:2"
    assert "not valid JSON" in bad.problem
    assert isinstance(got[3], InputProblem) and got[3].source == f"{path}:4"
    assert isinstance(got[4], InputProblem) and "text" in got[4].problem
    assert isinstance(got[5], InputProblem) and "05/12/2023" in got[5].problem


def test_blank_jsonl_is_empty(write):
    problem = only(write("feed.jsonl", "\n  \n"))
    assert isinstance(problem, InputProblem)
    assert "empty" in problem.problem


# -- folders and several paths -------------------------------------------------------------


def test_folder_is_read_recursively_in_order_with_supported_files_only(write, tmp_path):
    write("b.txt", "Second article text.")
    write("a.txt", "First article text.")
    write("sub/c.html", "<p>Third article text.</p>")
    write("sub/d.jsonl", json.dumps({"text": "Fourth article text."}) + "\n")
    write("UPPER.TXT", "Upper-case suffix.")
    write("notes.pdf", b"%PDF-1.4\x00\x00binary")
    write("image.png", b"\x89PNG\x00")
    root = tmp_path / "in"
    got = items(root)
    assert all(isinstance(x, Article) for x in got), got
    assert [x.source for x in got] == [
        str(root / "UPPER.TXT"),
        str(root / "a.txt"),
        str(root / "b.txt"),
        str(root / "sub" / "c.html"),
        f"{root / 'sub' / 'd.jsonl'}:1",
    ]


def test_empty_folder_is_a_problem(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "readme.pdf").write_bytes(b"%PDF")
    problem = only(folder)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(folder)


def test_several_paths_keep_their_order(write):
    a = write("z.txt", "Zeta article.")
    b = write("a.txt", "Alpha article.")
    got = items(a, b)
    assert [x.source for x in got] == [str(a), str(b)]


# -- stdin -------------------------------------------------------------------------------


def test_stdin_plain_text(monkeypatch):
    set_stdin(monkeypatch, ARTICLE_FILE_TEXT.encode("utf-8"))
    article = only("-")
    assert isinstance(article, Article)
    assert article.source == "-"
    assert article.text == ARTICLE_BODY
    assert article.published == dt.date(2023, 12, 5)


def test_stdin_jsonl(monkeypatch):
    data = "\n".join(
        json.dumps({"id": n, "text": f"Article number {n}.", "date": "2023-01-0" + str(n)})
        for n in (1, 2)
    )
    set_stdin(monkeypatch, data.encode())
    got = items("-")
    assert [x.source for x in got] == ["-:1", "-:2"]
    assert all(isinstance(x, Article) for x in got)
    assert [x.external_id for x in got] == ["1", "2"]


def test_stdin_text_that_only_starts_with_json_is_plain_text(monkeypatch):
    set_stdin(monkeypatch, b'{"text": "x"}\nand then prose about a meeting.\n')
    article = only("-")
    assert isinstance(article, Article)
    assert article.source == "-"


def test_empty_stdin_is_a_problem(monkeypatch):
    set_stdin(monkeypatch, b"")
    problem = only("-")
    assert isinstance(problem, InputProblem)
    assert problem.source == "-"
    assert "empty" in problem.problem


# -- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,data",
    [
        ("empty.txt", b""),
        ("blank.txt", b"  \n\n\t "),
        ("bom-only.txt", b"\xef\xbb\xbf"),
    ],
)
def test_empty_files_are_problems(write, name, data):
    path = write(name, data)
    problem = only(path)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(path)
    assert "empty" in problem.problem


def test_binary_file_is_a_problem(write):
    path = write("blob.txt", b"PK\x03\x04\x00\x00\x00binary")
    problem = only(path)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(path)
    assert "binary" in problem.problem


def test_legacy_encoded_file_is_decoded_and_its_encoding_recorded(write):
    text = "Ministers met in Zürich, where the délégation was received."
    article = only(write("latin1.txt", text.encode("latin-1")))
    assert isinstance(article, Article)
    assert article.text == text
    assert article.encoding in ("iso8859-1", "cp1252", "cp1250")


def test_missing_path_is_a_problem(tmp_path):
    missing = tmp_path / "missing.txt"
    problem = only(missing)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(missing)
    assert "no such file" in problem.problem


def test_bad_inputs_do_not_stop_the_others(write, tmp_path):
    good1 = write("good1.txt", "A good article about a meeting.")
    empty = write("empty.txt", b"")
    binary = write("bin.txt", b"\x00\x01\x02")
    latin = write("latin.txt", "Zürich".encode("latin-1"))
    good2 = write("good2.html", "<p>Another good article.</p>")
    got = items(good1, empty, tmp_path / "missing.txt", binary, latin, good2)
    assert [type(x).__name__ for x in got] == [
        "Article",
        "InputProblem",
        "InputProblem",
        "InputProblem",
        "Article",  # latin-1 is decoded
        "Article",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file_is_a_problem(write):
    import os

    path = write("secret.txt", "text")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # running as root
            pytest.skip("root can read anything")
        problem = only(path)
        assert isinstance(problem, InputProblem)
        assert "cannot be read" in problem.problem
    finally:
        path.chmod(0o644)


def test_a_read_that_fails_is_a_problem(write, monkeypatch):
    """An OSError at the read boundary (what a chmod 000 file gives a non-root user)."""
    path = write("secret.txt", "text")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    problem = only(path)
    assert isinstance(problem, InputProblem)
    assert problem.source == str(path)
    assert problem.problem == "cannot be read: Permission denied"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_fifo_folder_and_broken_link_named_txt_are_problems_not_hangs(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    folder = tmp_path / "folder.txt"
    (folder / "inner.txt").parent.mkdir()
    (folder / "inner.txt").write_text("An article inside a folder named like a file.")

    fifo_problem = only(fifo)
    assert isinstance(fifo_problem, InputProblem)
    assert fifo_problem.problem == "is not a regular file (a named pipe)"
    link_problem = only(link)
    assert isinstance(link_problem, InputProblem)
    assert "broken symbolic link" in link_problem.problem
    [inner] = items(folder)  # a folder is read as a folder, whatever its name
    assert isinstance(inner, Article) and inner.source == str(folder / "inner.txt")


def test_read_bytes_judges_by_suffix():
    [article] = read_bytes(b"<p>Hello <i>there</i></p>", "x.html", ".html")
    assert isinstance(article, Article)
    assert "<p>" not in article.text
    [plain] = read_bytes(b"<p>Hello</p>", "x.txt", ".txt")
    assert isinstance(plain, Article) and plain.text == "<p>Hello</p>"
