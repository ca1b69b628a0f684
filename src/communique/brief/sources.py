"""What a briefing is made from: saved records, or articles summarised on the way.

A path may be a JSONL file of records written by ``communique summarise`` (each line
an ``ArticleRecord``), or anything ``summarise`` reads (text and HTML files, JSONL
feeds, folders). Articles go through the :class:`~communique.extract.pipeline.Summariser`
and so through the result cache: a record whose cache key is unchanged is reused,
the others are recomputed, and :class:`Gathered` counts both.

The text each record's evidence spans index comes from the article store the
pipeline fills; when it is not there (records made elsewhere), the source file is
read again, and the text is used only if its content id matches the record's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pydantic import ValidationError

from communique.brief.model import SourceArticle
from communique.extract.pipeline import Summariser
from communique.inputs import SUPPORTED_SUFFIXES, Article, Item, read_inputs
from communique.schema import ArticleInfo, ArticleRecord, ErrorInfo
from communique.store.articles import ArticleStore


@dataclass
class Gathered:
    """Records for a briefing, and how they were had."""

    records: list[ArticleRecord] = field(default_factory=list)
    read: int = 0  # records read from record files
    reused: int = 0  # articles whose cached result was reused (no model call)
    recomputed: int = 0  # articles the model was called for
    failed: int = 0  # records with status "error"


def is_record_file(path: Path) -> bool:
    """A .jsonl file whose first line is an ArticleRecord (not an article feed)."""
    if path.suffix.lower() not in (".jsonl", ".ndjson") or not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(first, dict) and "article" in first and "schema_version" in first
    return False


def read_records(path: Path) -> Iterator[ArticleRecord]:
    """The records of a record file; a bad line becomes an error record naming it."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield ArticleRecord.model_validate_json(line)
            except ValidationError as exc:
                yield ArticleRecord(
                    status="error",
                    article=ArticleInfo(id=None, source=f"{path}:{number}", chars=0),
                    error=ErrorInfo(
                        kind="input",
                        message=f"not a valid record: {exc.error_count()} problem(s), first: "
                        f"{exc.errors()[0]['msg']}",
                    ),
                )


def _expand(paths: Iterable[str]) -> Iterator[str]:
    """Folders become their files, so record files inside them are recognised."""
    for arg in paths:
        path = Path(arg)
        if arg != "-" and path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if files:
                yield from (str(p) for p in files)
                continue
        yield arg


def gather(
    paths: Iterable[str],
    summariser: Summariser | Callable[[], Summariser],
    on_item: Callable[[str], None] | None = None,
) -> Gathered:
    """Records for ``paths``: read from record files, else summarised (cache first).

    ``summariser`` may be a factory, called only when some path holds articles.
    """
    out = Gathered()
    items: list[Item] = []
    for arg in _expand(paths):
        if is_record_file(Path(arg)):
            for record in read_records(Path(arg)):
                out.records.append(record)
                out.read += 1
        else:
            items.extend(read_inputs([arg]))
    if items:
        worker = summariser if isinstance(summariser, Summariser) else summariser()
        for item in items:
            if on_item is not None:
                on_item(item.source)
            record = worker.summarise(item)
            out.records.append(record)
            if record.status != "ok" or record.provenance is None:
                continue
            if record.provenance.cached:
                out.reused += 1
            else:
                out.recomputed += 1
    out.failed = sum(r.status == "error" for r in out.records)
    return out


def attach_texts(
    articles: dict[str, SourceArticle],
    store: ArticleStore | None = None,
    link_base: Path | None = None,
) -> None:
    """Fill each article's text (store, else its file) and a link to its source."""
    store = store if store is not None else ArticleStore()
    for article in articles.values():
        if article.text is None:
            stored = None
            try:
                stored = store.get(article.article_id)
            except Exception:  # an unreadable store only costs the highlighting
                stored = None
            if stored is not None:
                article.text = stored.text
                url = stored.meta.get("url")
                if isinstance(url, str) and article.link is None:
                    article.link = url
            else:
                article.text = _reread(article)
        if article.link is None:
            article.link = source_link(article.source, link_base)


def _reread(article: SourceArticle) -> str | None:
    """The text of ``article`` read again from its file, if it is still the same text."""
    path = article.source.rsplit(":", 1)[0] if _has_line(article.source) else article.source
    if path == "-" or not Path(path).is_file():
        return None
    for item in read_inputs([path]):
        if isinstance(item, Article) and item.id == article.article_id:
            return item.text
    return None


def _has_line(source: str) -> bool:
    head, sep, tail = source.rpartition(":")
    return bool(sep and head and tail.isdigit())


def source_link(source: str, base: Path | None) -> str | None:
    """A link to the source file, relative to the folder the briefing is written to."""
    if source.startswith(("http://", "https://")):
        return source
    path = source.rsplit(":", 1)[0] if _has_line(source) else source
    if path == "-" or not Path(path).exists():
        return None
    target = Path(path).resolve()
    if base is None:
        return target.as_uri()
    return quote(os.path.relpath(target, base.resolve()))
