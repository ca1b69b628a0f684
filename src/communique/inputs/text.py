"""Plain-text articles: an optional `` date YYYY-MM-DD`` header, then the body."""

from __future__ import annotations

import datetime as dt
import re

from communique.inputs.article import Article, InputProblem, Item, parse_iso_date

_DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?")


def split_date_header(text: str, source: str) -> tuple[str, dt.date | None] | InputProblem:
    """Strip a leading `` date YYYY-MM-DD`` header; return the body and the date."""
    match = _DATE_HEADER.match(text)
    if match is None:
        return text.strip(), None
    parsed = parse_iso_date(match.group(1), source)
    if isinstance(parsed, InputProblem):
        return parsed
    return text[match.end() :].strip(), parsed


def text_article(text: str, source: str, encoding: str | None = None) -> Item:
    """One article from a plain-text file's decoded content."""
    split = split_date_header(text, source)
    if isinstance(split, InputProblem):
        return split
    body, published = split
    if not body:
        if published is None:
            return InputProblem(source, "the file is empty")
        return InputProblem(source, "the article has a date header but no text")
    return Article(source=source, text=body, published=published, encoding=encoding)
