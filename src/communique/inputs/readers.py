"""Reading inputs: files, folders, stdin and URLs, each into articles and problems.

Accepted: ``.txt`` (optionally opening with a `` date YYYY-MM-DD`` header, the
publication date), ``.html``/``.htm`` (main text extracted), ``.jsonl`` (one JSON
object a line with ``text`` and optional ``id`` and ``date``), ``-`` for stdin (JSONL
when every line is a JSON object, else one plain-text article), and ``http(s)://``
URLs of web pages and RSS/Atom feeds. Files in any common encoding are read (see
:mod:`communique.inputs.decode`).

Every input yields articles or :class:`InputProblem` s naming the source and what
is wrong with it, so one bad input never stops a batch.
"""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from communique.inputs.article import Article, InputProblem, Item
from communique.inputs.decode import decode_bytes
from communique.inputs.html import declared_charset, html_article
from communique.inputs.jsonl import jsonl_articles, looks_like_jsonl
from communique.inputs.text import text_article
from communique.inputs.urls import UrlReader
from communique.inputs.web import is_url

logger = logging.getLogger("communique")

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
#: a single article file larger than this is surely not one article (JSONL may be larger)
MAX_ARTICLE_FILE_BYTES = 20_000_000

__all__ = ["Article", "InputProblem", "Item", "read_bytes", "read_inputs"]


def read_bytes(data: bytes, source: str, suffix: str) -> Iterator[Item]:
    """Articles from the raw bytes of one input, judged by its suffix (``-``: stdin)."""
    html = suffix in HTML_SUFFIXES
    decoded = decode_bytes(data, source, declared=declared_charset(data) if html else None)
    if isinstance(decoded, InputProblem):
        yield decoded
        return
    text, encoding = decoded.text, decoded.encoding
    if suffix in JSONL_SUFFIXES or (suffix == "-" and looks_like_jsonl(text)):
        yield from jsonl_articles(text, source, encoding)
    elif html:
        yield html_article(text, source, encoding=encoding)
    else:
        yield text_article(text, source, encoding)


def read_inputs(paths: Iterable[str], *, urls: UrlReader | None = None) -> Iterator[Item]:
    """Expand paths (files, folders, ``-``, URLs) into articles and problems, in order.

    ``urls`` reads the URLs (default: a plain :class:`UrlReader`, made when the
    first URL comes up).
    """
    own: UrlReader | None = None  # made here, so closed here
    try:
        for path_arg in paths:
            if is_url(path_arg):
                if urls is None:
                    urls = own = UrlReader()
                yield from _guarded(path_arg, urls.read(path_arg))
            elif path_arg == "-":
                yield from _guarded("-", read_bytes(sys.stdin.buffer.read(), "-", "-"))
            else:
                for entry in _expand(path_arg):
                    if isinstance(entry, InputProblem):
                        yield entry
                    else:
                        yield from _guarded(str(entry), _read_file(entry))
    finally:
        if own is not None:
            own.fetcher.close()


def _guarded(source: str, items: Iterator[Item]) -> Iterator[Item]:
    """``items``, with an unexpected exception turned into a problem naming ``source``."""
    try:
        yield from items
    except Exception as exc:
        logger.exception("unexpected failure reading %s", source)
        yield InputProblem(source, f"internal error while reading it: {type(exc).__name__}: {exc}")


def _read_file(path: Path) -> Iterator[Item]:
    source = str(path)
    suffix = path.suffix.lower()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            yield InputProblem(source, f"is not a regular file ({_file_kind(info.st_mode)})")
            return
        if suffix not in JSONL_SUFFIXES and info.st_size > MAX_ARTICLE_FILE_BYTES:
            yield InputProblem(
                source,
                f"the file is {info.st_size:,} bytes, over the {MAX_ARTICLE_FILE_BYTES:,}-byte "
                "limit for one article",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputProblem(source, f"cannot be read: {exc.strerror or exc}")
        return
    yield from read_bytes(data, source, suffix)


def _expand(path_arg: str) -> Iterator[Path | InputProblem]:
    path = Path(path_arg)
    if path.is_symlink() and not path.exists():
        yield InputProblem(path_arg, "is a broken symbolic link (its target does not exist)")
    elif not path.exists():
        yield InputProblem(path_arg, "no such file or folder")
    elif path.is_dir():
        found = False
        for entry in sorted(path.rglob("*")):
            if entry.suffix.lower() not in SUPPORTED_SUFFIXES or entry.is_dir():
                continue
            found = True
            if entry.is_symlink() and not entry.exists():
                yield InputProblem(
                    str(entry), "is a broken symbolic link (its target does not exist)"
                )
            else:
                yield entry
        if not found:
            yield InputProblem(
                path_arg, f"the folder holds no {', '.join(sorted(SUPPORTED_SUFFIXES))} files"
            )
    else:
        yield path


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"
