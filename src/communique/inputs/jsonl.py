"""JSONL feeds: one JSON object a line, with ``text`` and optional ``id`` and ``date``."""

from __future__ import annotations

import json
from collections.abc import Iterator

from communique.inputs.article import Article, InputProblem, Item, parse_iso_date


def _load(line: str) -> object:
    """``json.loads``; every way it can fail is a ``ValueError`` with a useful message."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    except (ValueError, RecursionError) as exc:  # an integer of 5,000 digits, deep nesting
        raise ValueError(f"not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") from exc


def jsonl_articles(text: str, source: str, encoding: str | None = None) -> Iterator[Item]:
    """One item per non-blank line; a bad line is a problem named ``source:line``."""
    any_line = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        any_line = True
        where = f"{source}:{number}"
        try:
            obj = _load(line)
        except ValueError as exc:
            yield InputProblem(where, str(exc))
            continue
        if not isinstance(obj, dict):
            yield InputProblem(where, "a JSONL line must be an object with a 'text' field")
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            yield InputProblem(where, "the 'text' field is missing or empty")
            continue
        date = obj.get("date")
        if date is not None and not isinstance(date, str):
            yield InputProblem(where, f"date {date!r:.80} is not an ISO date string (YYYY-MM-DD)")
            continue
        published = parse_iso_date(date, where)
        if isinstance(published, InputProblem):
            yield published
            continue
        external = obj.get("id")
        if external is not None and not isinstance(external, str | int):
            yield InputProblem(where, "the 'id' field must be a string or a number")
            continue
        yield Article(
            source=where,
            text=body.strip(),
            published=published,
            external_id=str(external) if external is not None else None,
            encoding=encoding,
        )
    if not any_line:
        yield InputProblem(source, "the file is empty")


def looks_like_jsonl(text: str) -> bool:
    """Every non-blank line is a JSON object (how stdin is told apart from prose)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    for line in lines:
        try:
            if not isinstance(_load(line), dict):
                return False
        except ValueError:
            return False
    return True
