"""RSS and Atom feeds, parsed with feedparser: the entries' links, titles and dates."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from communique.inputs.article import InputProblem

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"}
)
XML_TYPES = frozenset({"application/xml", "text/xml"})
_FEED_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<\?[^>]*>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<(?:rss|feed|rdf:RDF)\b",
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: ``link`` is absolute (resolved against the feed's URL)."""

    link: str | None
    entry_id: str | None
    title: str | None
    published: dt.date | None
    content: str | None
    """The entry's own HTML (full content, else its summary), for items without a link."""


def looks_like_feed(data: bytes) -> bool:
    """The document's root element is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``."""
    return _FEED_ROOT.match(data[:4096]) is not None


def parse_feed(data: bytes, source: str) -> list[FeedEntry] | InputProblem:
    """The entries of an RSS or Atom document, in the feed's order."""
    import feedparser  # slow to import: only when a feed is read

    # A stream, never bytes or a string: feedparser opens a string that names a file
    # or a URL, and tries bytes as a file name.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries and parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        detail = f" ({str(reason)[:200]})" if reason else ""
        return InputProblem(source, f"not a valid RSS or Atom feed{detail}")
    return [_entry(entry, source) for entry in entries if isinstance(entry, dict)]


def _entry(entry: dict[str, Any], feed_url: str) -> FeedEntry:
    link = _text(entry.get("link"))
    if link:
        try:
            link = urljoin(feed_url, link)
            urlsplit(link)  # raises on a malformed address ("http://[")
        except ValueError:
            link = None
        if link is not None and not link.lower().startswith(("http://", "https://")):
            link = None
    content = None
    for part in entry.get("content") or []:
        if isinstance(part, dict) and _text(part.get("value")):
            content = _text(part.get("value"))
            break
    content = content or _text(entry.get("summary"))
    return FeedEntry(
        link=link,
        entry_id=_text(entry.get("id")),
        title=_text(entry.get("title")),
        published=_entry_date(entry),
        content=content,
    )


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _entry_date(entry: dict[str, Any]) -> dt.date | None:
    """The entry's date as the feed writes it (its own time zone's day, not UTC's)."""
    for key in ("published", "updated"):
        raw = _text(dict.get(entry, key))  # not entry.get: it maps one key to the other
        if raw is None:
            continue
        try:
            return email.utils.parsedate_to_datetime(raw).date()  # RSS: RFC 822
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
        try:
            return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).date()  # Atom
        except ValueError:
            pass
        parsed = dict.get(entry, f"{key}_parsed")
        if isinstance(parsed, time.struct_time):  # feedparser's reading of other formats
            try:
                return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except ValueError:
                pass
    return None
