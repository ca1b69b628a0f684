"""URLs in: a web page gives one article, a feed gives one per entry.

A feed's entries are followed to their pages (the entry's own content is used only
when it has no link). With a :class:`FeedMemory` (the feed store), feeds are
fetched conditionally: the ETag and Last-Modified of the last fetch go along, and a
304 reuses the body kept from then. With ``new_only``, entries and pages already
summarised (the same URL, or the same text under another URL) are skipped; the
caller tells the memory what it summarised.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterator
from typing import Protocol

from communique.errors import FetchError
from communique.inputs.article import Article, InputProblem, Item
from communique.inputs.decode import decode_bytes
from communique.inputs.feeds import FEED_TYPES, XML_TYPES, FeedEntry, looks_like_feed, parse_feed
from communique.inputs.html import declared_charset, html_article
from communique.inputs.text import text_article
from communique.inputs.web import Fetched, Fetcher

logger = logging.getLogger("communique")

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class FeedMemory(Protocol):
    """Feeds fetched and items summarised before (store/feeds.py keeps them)."""

    def cached_feed(self, url: str) -> tuple[str | None, str | None, bytes] | None:
        """ETag, Last-Modified and body of the feed's last full fetch."""

    def save_feed(self, url: str, etag: str | None, last_modified: str | None, body: bytes) -> None:
        """Keep a feed's validators and body for the next conditional fetch."""

    def seen_url(self, url: str) -> bool:
        """An item with this URL was summarised before."""

    def seen_content(self, article_id: str) -> bool:
        """An item with this text (its article id, a content hash) was summarised before."""


class UrlReader:
    """Turns ``http(s)://`` URLs into articles and problems, never raising."""

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        memory: FeedMemory | None = None,
        *,
        new_only: bool = False,
    ) -> None:
        if new_only and memory is None:
            raise ValueError("new_only needs a memory of the items seen before")
        self.fetcher = fetcher or Fetcher()
        self.memory = memory
        self.new_only = new_only

    def read(self, url: str) -> Iterator[Item]:
        """A page's article, or a feed's new (or all) entries, in the feed's order."""
        if self._seen_url(url):
            return
        cached = self.memory.cached_feed(url) if self.memory is not None else None
        try:
            if cached is not None:
                fetched = self.fetcher.get(url, etag=cached[0], last_modified=cached[1])
            else:
                fetched = self.fetcher.get(url)
        except FetchError as exc:
            yield InputProblem(url, exc.problem, "fetch")
            return
        if fetched.status == 304 and cached is not None:
            body = cached[2]
        elif _is_feed(fetched):
            body = fetched.body
            if self.memory is not None and (fetched.etag or fetched.last_modified):
                self.memory.save_feed(url, fetched.etag, fetched.last_modified, body)
        else:
            item = self._document(fetched)
            if item is not None:
                yield item
            return
        entries = parse_feed(body, url)
        if isinstance(entries, InputProblem):
            yield entries
            return
        links: set[str] = set()
        for index, entry in enumerate(entries, start=1):
            if entry.link is not None:
                if entry.link in links:
                    continue  # listed twice in one feed: one article
                links.add(entry.link)
            try:
                item = self._entry(url, entry, index)
            except Exception as exc:  # one odd entry must not lose the rest of the feed
                logger.exception("unexpected failure on entry %d of %s", index, url)
                item = InputProblem(
                    entry.link or f"{url}#{index}",
                    f"internal error reading this feed entry: {type(exc).__name__}: {exc}",
                )
            if item is not None:
                yield item

    # -- internals --------------------------------------------------------------------

    def _seen_url(self, url: str) -> bool:
        return self.new_only and self.memory is not None and self.memory.seen_url(url)

    def _new(self, item: Item) -> Item | None:
        """``item``, unless ``new_only`` and its text was summarised before."""
        if (
            self.new_only
            and self.memory is not None
            and isinstance(item, Article)
            and self.memory.seen_content(item.id)
        ):
            return None
        return item

    def _entry(self, feed_url: str, entry: FeedEntry, index: int) -> Item | None:
        if entry.link is None:
            key = entry.entry_id or f"{feed_url}#{_entry_hash(entry, index)}"
            if self._seen_url(key):
                return None
            if not entry.content:
                return InputProblem(key, f"the entry of {feed_url} has neither a link nor text")
            item = html_article(
                entry.content,
                key,
                feed=feed_url,
                title=entry.title,
                published=entry.published,
            )
            return self._new(item)
        if self._seen_url(entry.link):
            return None
        try:
            fetched = self.fetcher.get(entry.link)
        except FetchError as exc:
            return InputProblem(entry.link, f"{exc.problem} (an item of {feed_url})", "fetch")
        if _is_feed(fetched):
            return InputProblem(entry.link, f"the item of {feed_url} links to a feed, not a page")
        return self._document(fetched, feed=feed_url, entry=entry)

    def _document(
        self, fetched: Fetched, *, feed: str | None = None, entry: FeedEntry | None = None
    ) -> Item | None:
        """The article of a fetched page (HTML or plain text)."""
        source = fetched.url
        kind = fetched.content_type
        is_html = kind in HTML_TYPES or (not kind and b"<" in fetched.body[:1024])
        if not is_html and kind not in ("text/plain", ""):
            return InputProblem(source, f"the URL serves {kind}, not a web page or a feed")
        declared = fetched.charset or (declared_charset(fetched.body) if is_html else None)
        decoded = decode_bytes(fetched.body, source, declared=declared, noun="page")
        if isinstance(decoded, InputProblem):
            return decoded
        if is_html:
            item = html_article(
                decoded.text,
                source,
                encoding=decoded.encoding,
                url=fetched.final_url,
                feed=feed,
                title=entry.title if entry else None,
                published=entry.published if entry else None,
            )
        else:
            item = text_article(decoded.text, source, decoded.encoding)
            if isinstance(item, Article):
                item = dataclasses.replace(
                    item,
                    url=fetched.final_url,
                    feed=feed,
                    title=entry.title if entry else None,
                    published=item.published or (entry.published if entry else None),
                )
        return self._new(item)


def _is_feed(fetched: Fetched) -> bool:
    kind = fetched.content_type
    if kind in FEED_TYPES:
        return True
    if kind in XML_TYPES or kind in HTML_TYPES or kind in ("text/plain", ""):
        return looks_like_feed(fetched.body)
    return False


def _entry_hash(entry: FeedEntry, index: int) -> str:
    seed = f"{entry.title}\n{entry.content}" if entry.title or entry.content else str(index)
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:12]
