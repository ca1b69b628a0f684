"""The texts of summarised articles, by article id, so evidence spans can be shown.

A record's spans index the text the model saw (the file's body, a web page's
extracted main text). Briefings and reports open that text later, when the file
may have moved or the input was stdin, a feed or a URL; this store keeps it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from communique.config import home_dir
from communique.store.sqlite import SqliteStore

MIGRATIONS = (
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        published TEXT,
        text TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        first_seen TEXT NOT NULL
    )
    """,
)


@dataclass(frozen=True)
class StoredArticle:
    id: str
    source: str
    text: str
    published: dt.date | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def articles_path() -> Path:
    return home_dir() / "articles.db"


class ArticleStore(SqliteStore):
    """``put`` an article's text once; ``get`` it back by id. Thread-safe."""

    migrations = MIGRATIONS

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or articles_path())

    def put(
        self,
        article_id: str,
        text: str,
        source: str,
        published: dt.date | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            self.conn.execute(
                "INSERT OR IGNORE INTO articles (id, source, published, text, meta, first_seen) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    source,
                    published.isoformat() if published else None,
                    text,
                    json.dumps(meta or {}, ensure_ascii=False),
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )

    def get(self, article_id: str) -> StoredArticle | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT id, source, published, text, meta FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredArticle(
            id=row["id"],
            source=row["source"],
            text=row["text"],
            published=dt.date.fromisoformat(row["published"]) if row["published"] else None,
            meta=json.loads(row["meta"]),
        )
