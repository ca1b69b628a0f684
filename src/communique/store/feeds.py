"""Feeds fetched and items summarised before, so ``--new-only`` gives only what is new.

One SQLite file (``$COMMUNIQUE_HOME/feeds.db``) with two tables:

* ``feeds``: per feed URL, the ETag and Last-Modified of its last full fetch and the
  body then received, so the next fetch is conditional and a 304 still lists the
  entries (an entry that failed last time is tried again);
* ``items``: per item URL, the id (content hash) of the text summarised from it and
  the feed that listed it. An item is new when neither its URL nor its text was
  summarised before, so a release republished under a second URL is not new.

An item is remembered once its record is final: summarised, or failed for a reason
retrying would not change (its text). A fetch error, a model server that was down
or an internal error leave it new, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from communique.config import home_dir
from communique.schema import ArticleRecord
from communique.store.sqlite import SqliteStore

MIGRATIONS = (
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body BLOB NOT NULL,
        fetched TEXT NOT NULL
    );
    CREATE TABLE items (
        url TEXT PRIMARY KEY,
        article_id TEXT,
        feed TEXT,
        first_seen TEXT NOT NULL
    );
    CREATE INDEX items_by_article ON items (article_id)
    """,
)

#: error kinds that depend on the article itself, so a retry would fail the same way
FINAL_ERROR_KINDS = frozenset({"input", "extraction"})


def feeds_path() -> Path:
    return home_dir() / "feeds.db"


def is_final(record: ArticleRecord) -> bool:
    """Whether the record settles its item (see the module docstring)."""
    if record.status == "ok":
        return True
    return record.error is not None and record.error.kind in FINAL_ERROR_KINDS


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FeedStore(SqliteStore):
    """The memory :class:`~communique.inputs.UrlReader` reads and ``remember`` fills."""

    migrations = MIGRATIONS

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or feeds_path())

    def cached_feed(self, url: str) -> tuple[str | None, str | None, bytes] | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT etag, last_modified, body FROM feeds WHERE url = ?", (url,)
            ).fetchone()
        return None if row is None else (row["etag"], row["last_modified"], bytes(row["body"]))

    def save_feed(self, url: str, etag: str | None, last_modified: str | None, body: bytes) -> None:
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO feeds (url, etag, last_modified, body, fetched) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, etag, last_modified, body, _now()),
            )

    def seen_url(self, url: str) -> bool:
        with self._lock:
            row = self.conn.execute("SELECT 1 FROM items WHERE url = ?", (url,)).fetchone()
        return row is not None

    def seen_content(self, article_id: str) -> bool:
        with self._lock:
            row = self.conn.execute(
                "SELECT 1 FROM items WHERE article_id = ?", (article_id,)
            ).fetchone()
        return row is not None

    def remember(self, record: ArticleRecord) -> bool:
        """Remember the item a record was made from, if it came from the web and is
        final; returns whether it was remembered."""
        article = record.article
        from_web = article.source.lower().startswith(("http://", "https://"))
        if not (from_web or article.feed) or not is_final(record):
            return False
        with self._lock:
            self.conn.execute(
                "INSERT OR IGNORE INTO items (url, article_id, feed, first_seen) "
                "VALUES (?, ?, ?, ?)",
                (article.source, article.id, article.feed, _now()),
            )
        return True
