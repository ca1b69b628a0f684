"""The batches submitted to the OpenAI Batch API, and the requests in each.

``communique batch submit`` records a batch (its model, prompt and settings, so
``collect`` rebuilds the same cache keys) and one row per request line: its
``custom_id`` (the article's cache key, with ``:n`` for the n-th chunk of a long
article), the fingerprint of the messages it carries, and the article it belongs to
(the text itself is in the article store). ``$COMMUNIQUE_HOME/batches.db``.

A job is answered in rounds: the first batch carries every article's first turn,
and each later batch (``job`` = the first batch's id, ``round`` = 2, 3, ...) the turns
that follow from the answers so far. The answers of every round are kept here once
downloaded, so a collect that is stopped between rounds loses nothing and asks
nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from communique.config import home_dir
from communique.store.sqlite import SqliteStore

MIGRATIONS = (
    """
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        prompt_sha256 TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        input_file TEXT NOT NULL,
        requests INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        status TEXT NOT NULL,
        output_file TEXT,
        error_file TEXT,
        collected TEXT
    );
    CREATE TABLE batch_requests (
        batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        custom_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        article_id TEXT NOT NULL,
        article TEXT NOT NULL,
        PRIMARY KEY (batch_id, custom_id)
    )
    """,
    """
    ALTER TABLE batches ADD COLUMN job TEXT;
    ALTER TABLE batches ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE batches ADD COLUMN downloaded TEXT;
    CREATE TABLE batch_answers (
        job TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        seq INTEGER NOT NULL,
        round INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (job, fingerprint, seq)
    )
    """,
)


def batches_path() -> Path:
    return home_dir() / "batches.db"


@dataclass
class BatchRequest:
    """One line of a batch: which article (``position`` in the submission) it is for."""

    custom_id: str
    position: int
    fingerprint: str
    article_id: str
    article: dict[str, Any]  # the article's fields, its text aside


@dataclass
class BatchInfo:
    id: str
    model: str
    prompt: str
    prompt_sha256: str
    settings: dict[str, Any]
    input_file: str
    requests: int
    articles: int
    status: str
    created: str = ""
    output_file: str | None = None
    error_file: str | None = None
    collected: str | None = None
    lines: list[BatchRequest] = field(default_factory=list)
    #: the first round's id, for a later round (None: this is the first round)
    job: str | None = None
    round: int = 1
    #: when this round's answers were downloaded into the store
    downloaded: str | None = None

    @property
    def job_id(self) -> str:
        return self.job or self.id


class BatchStore(SqliteStore):
    """Submitted batches by id. Thread-safe, shared by processes."""

    migrations = MIGRATIONS

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or batches_path())

    def add(self, batch: BatchInfo) -> None:
        created = batch.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT INTO batches (id, created, model, prompt, prompt_sha256, settings, "
                    "input_file, requests, articles, status, output_file, error_file, job, "
                    "round) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        batch.id,
                        created,
                        batch.model,
                        batch.prompt,
                        batch.prompt_sha256,
                        json.dumps(batch.settings),
                        batch.input_file,
                        batch.requests,
                        batch.articles,
                        batch.status,
                        batch.output_file,
                        batch.error_file,
                        batch.job,
                        batch.round,
                    ),
                )
                conn.executemany(
                    "INSERT INTO batch_requests (batch_id, custom_id, position, fingerprint, "
                    "article_id, article) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            batch.id,
                            line.custom_id,
                            line.position,
                            line.fingerprint,
                            line.article_id,
                            json.dumps(line.article, ensure_ascii=False),
                        )
                        for line in batch.lines
                    ],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def update(
        self,
        batch_id: str,
        *,
        status: str,
        output_file: str | None = None,
        error_file: str | None = None,
        collected: bool = False,
    ) -> None:
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds") if collected else None
        with self._lock:
            self.conn.execute(
                "UPDATE batches SET status = ?, output_file = COALESCE(?, output_file), "
                "error_file = COALESCE(?, error_file), collected = COALESCE(?, collected) "
                "WHERE id = ?",
                (status, output_file, error_file, stamp, batch_id),
            )

    def get(self, batch_id: str, *, lines: bool = False) -> BatchInfo | None:
        with self._lock:
            row = self.conn.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
            if row is None:
                return None
            info = _info(row)
            if lines:
                info.lines = [
                    BatchRequest(
                        custom_id=r["custom_id"],
                        position=r["position"],
                        fingerprint=r["fingerprint"],
                        article_id=r["article_id"],
                        article=json.loads(r["article"]),
                    )
                    for r in self.conn.execute(
                        "SELECT * FROM batch_requests WHERE batch_id = ? "
                        "ORDER BY position, custom_id",
                        (batch_id,),
                    )
                ]
            return info

    def rounds(self, job_id: str) -> list[BatchInfo]:
        """Every batch of a job (its first round and the later ones), with their lines."""
        with self._lock:
            ids = [
                row["id"]
                for row in self.conn.execute(
                    "SELECT id FROM batches WHERE id = ? OR job = ? ORDER BY round, created, id",
                    (job_id, job_id),
                )
            ]
        return [info for batch_id in ids if (info := self.get(batch_id, lines=True)) is not None]

    def add_answers(self, batch_id: str, job_id: str, answers: list[tuple[str, str]]) -> None:
        """Keep a round's answers (fingerprint, response body as JSON) and mark the round
        downloaded, in one transaction: a round is downloaded once, whole or not at all."""
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT downloaded, round FROM batches WHERE id = ?", (batch_id,)
                ).fetchone()
                if row is not None and row["downloaded"] is None:
                    for key, body in answers:
                        (seq,) = conn.execute(
                            "SELECT COUNT(*) FROM batch_answers WHERE job = ? AND fingerprint = ?",
                            (job_id, key),
                        ).fetchone()
                        conn.execute(
                            "INSERT INTO batch_answers (job, fingerprint, seq, round, body) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (job_id, key, seq, row["round"], body),
                        )
                    conn.execute(
                        "UPDATE batches SET downloaded = ? WHERE id = ?", (stamp, batch_id)
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def answers(self, job_id: str) -> dict[str, list[tuple[int, str]]]:
        """Every answer a job's rounds brought (its round, the response body as JSON), by
        the fingerprint of its request."""
        found: dict[str, list[tuple[int, str]]] = {}
        with self._lock:
            for row in self.conn.execute(
                "SELECT fingerprint, round, body FROM batch_answers WHERE job = ? ORDER BY seq",
                (job_id,),
            ):
                found.setdefault(row["fingerprint"], []).append((row["round"], row["body"]))
        return found

    def all(self) -> list[BatchInfo]:
        with self._lock:
            rows = self.conn.execute("SELECT * FROM batches ORDER BY created, id").fetchall()
        return [_info(row) for row in rows]


def _info(row: sqlite3.Row) -> BatchInfo:
    return BatchInfo(
        id=row["id"],
        created=row["created"],
        model=row["model"],
        prompt=row["prompt"],
        prompt_sha256=row["prompt_sha256"],
        settings=json.loads(row["settings"]),
        input_file=row["input_file"],
        requests=row["requests"],
        articles=row["articles"],
        status=row["status"],
        output_file=row["output_file"],
        error_file=row["error_file"],
        collected=row["collected"],
        job=row["job"],
        round=row["round"],
        downloaded=row["downloaded"],
    )
