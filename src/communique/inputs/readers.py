"""Reading articles from files, folders, stdin and JSONL feeds.

Every input yields either an :class:`Article` or an :class:`InputProblem` naming the
source and what is wrong with it, so one bad file never stops a batch.

Accepted: ``.txt`` (optionally opening with a `` date YYYY-MM-DD`` header, the
publication date), ``.html``/``.htm`` (reduced to text), ``.jsonl`` (one JSON object a
line with ``text`` and optional ``id`` and ``date``), and ``-`` for stdin (JSONL when
every line is a JSON object, else one plain-text article).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

_BLOCK_TAGS = [
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "td", "th", "tr", "table", "section", "article", "figure", "figcaption", "pre", "dd", "dt",
]  # fmt: skip
_DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?")


@dataclass(frozen=True)
class Article:
    source: str
    text: str
    published: dt.date | None = None
    external_id: str | None = None

    @property
    def id(self) -> str:
        return content_id(self.text)


@dataclass(frozen=True)
class InputProblem:
    source: str
    problem: str


Item = Article | InputProblem


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _parse_date(value: object, source: str) -> dt.date | InputProblem | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return InputProblem(source, f"date {value!r} is not an ISO date (YYYY-MM-DD)")


def split_date_header(text: str, source: str) -> tuple[str, dt.date | None] | InputProblem:
    """Strip a leading `` date YYYY-MM-DD`` header; return the body and the date."""
    match = _DATE_HEADER.match(text)
    if match is None:
        return text.strip(), None
    parsed = _parse_date(match.group(1), source)
    if isinstance(parsed, InputProblem):
        return parsed
    return text[match.end() :].strip(), parsed


def html_to_text(html: str) -> tuple[str, dt.date | None]:
    """Visible text of an HTML page, paragraphs kept apart; plus its published date if tagged."""
    from bs4 import BeautifulSoup  # slow to import; only HTML inputs need it

    soup = BeautifulSoup(html, "html.parser")
    published = None
    meta_tags: tuple[dict[str, Any], ...] = (
        {"property": "article:published_time"},
        {"name": "date"},
        {"itemprop": "datePublished"},
    )
    for attrs in meta_tags:
        tag = soup.find("meta", attrs=attrs)
        content = tag.get("content") if tag is not None else None
        if isinstance(content, str):
            try:
                published = dt.date.fromisoformat(content[:10])
                break
            except ValueError:
                pass
    if published is None:
        time_tag = soup.find("time", attrs={"datetime": True})
        value = time_tag.get("datetime") if time_tag is not None else None
        if isinstance(value, str):
            try:
                published = dt.date.fromisoformat(value[:10])
            except ValueError:
                published = None
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer"]):
        tag.decompose()
    body = soup.find("article") or soup.body or soup
    for br in body.find_all("br"):
        br.replace_with("\n")
    for block in body.find_all(_BLOCK_TAGS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    text = body.get_text()
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p), published


def _decode(data: bytes, source: str) -> str | InputProblem:
    if not data.strip():
        return InputProblem(source, "the file is empty")
    if b"\x00" in data[:8192]:
        return InputProblem(source, "the file is binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return InputProblem(
            source,
            f"the file is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "convert it to UTF-8",
        )


def _text_article(text: str, source: str) -> Item:
    split = split_date_header(text, source)
    if isinstance(split, InputProblem):
        return split
    body, published = split
    if not body:
        if published is None:
            return InputProblem(source, "the file is empty")
        return InputProblem(source, "the article has a date header but no text")
    return Article(source=source, text=body, published=published)


def _jsonl_articles(text: str, source: str) -> Iterator[Item]:
    any_line = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        any_line = True
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputProblem(where, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield InputProblem(where, "a JSONL line must be an object with a 'text' field")
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            yield InputProblem(where, "the 'text' field is missing or empty")
            continue
        published = _parse_date(obj.get("date"), where)
        if isinstance(published, InputProblem):
            yield published
            continue
        external = obj.get("id")
        yield Article(
            source=where,
            text=body.strip(),
            published=published,
            external_id=str(external) if external is not None else None,
        )
    if not any_line:
        yield InputProblem(source, "the file is empty")


def _looks_like_jsonl(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                return False
        except json.JSONDecodeError:
            return False
    return True


def read_bytes(data: bytes, source: str, suffix: str) -> Iterator[Item]:
    """Articles from the raw bytes of one input, judged by its suffix."""
    decoded = _decode(data, source)
    if isinstance(decoded, InputProblem):
        yield decoded
        return
    if suffix in JSONL_SUFFIXES or (suffix == "-" and _looks_like_jsonl(decoded)):
        yield from _jsonl_articles(decoded, source)
    elif suffix in HTML_SUFFIXES:
        body, published = html_to_text(decoded)
        if not body:
            yield InputProblem(source, "the HTML page has no visible text")
        else:
            yield Article(source=source, text=body, published=published)
    else:
        yield _text_article(decoded, source)


def _expand(path_arg: str) -> Iterator[Path | InputProblem]:
    path = Path(path_arg)
    if not path.exists():
        yield InputProblem(path_arg, "no such file or folder")
    elif path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
        )
        if not files:
            yield InputProblem(
                path_arg, f"the folder holds no {', '.join(sorted(SUPPORTED_SUFFIXES))} files"
            )
        yield from files
    else:
        yield path


def read_inputs(paths: Iterable[str]) -> Iterator[Item]:
    """Expand paths (files, folders, ``-``) into articles and problems, in order."""
    for path_arg in paths:
        if path_arg == "-":
            yield from read_bytes(sys.stdin.buffer.read(), "-", "-")
            continue
        for entry in _expand(path_arg):
            if isinstance(entry, InputProblem):
                yield entry
                continue
            try:
                data = entry.read_bytes()
            except OSError as exc:
                yield InputProblem(str(entry), f"cannot be read: {exc.strerror or exc}")
                continue
            yield from read_bytes(data, str(entry), entry.suffix.lower())
