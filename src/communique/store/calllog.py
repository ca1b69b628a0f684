"""The provenance log: every model call in SQLite, with its attempts, as ``llm`` keeps logs.

One row in ``calls`` per article summarised (or served from the result cache), with
the prompt id and hash, schema version, backend, model and options, the totals, the
error if any and the final raw response. One row in ``attempts`` per request sent for
it: the first, each instructor re-ask after invalid output and each transient retry,
with its own tokens, latency, outcome and raw response. A cache hit is a ``calls``
row with ``cached = 1``, no attempts and no tokens.

It never holds a secret: entries are built from the prompt, the backend's
``describe()`` and the responses, never from a client or its headers. The file lives
at ``$COMMUNIQUE_HOME/logs.db`` (:func:`communique.config.log_path`); WAL mode, a busy
timeout and one transaction per call (:mod:`communique.store.sqlite`) let several
processes write to it at once without losing a row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from communique.config import log_path
from communique.store.sqlite import SqliteStore

logger = logging.getLogger("communique")

#: first: an article's first request; reask: after invalid output; retry: after a
#: transient error; followup: a further turn of the conversation (events the first
#: answer missed, a summary rewritten)
AttemptKind = Literal["first", "reask", "retry", "followup"]
AttemptOutcome = Literal["ok", "invalid", "truncated", "error"]

MIGRATIONS = (
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        article_id TEXT,
        source TEXT,
        prompt TEXT NOT NULL,
        prompt_sha256 TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        backend TEXT NOT NULL,
        model TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        cached INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        duration_s REAL NOT NULL DEFAULT 0,
        response TEXT
    );
    CREATE TABLE attempts (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        time TEXT NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        latency_s REAL NOT NULL,
        finish_reason TEXT,
        error TEXT,
        response TEXT,
        PRIMARY KEY (call_id, n)
    );
    CREATE INDEX calls_time ON calls(time);
    CREATE INDEX calls_article ON calls(article_id);
    CREATE INDEX calls_prompt_model ON calls(prompt, model)
    """,
    """
    ALTER TABLE attempts ADD COLUMN batch_round INTEGER
    """,
)


def now_iso() -> str:
    """UTC time as ISO 8601 with milliseconds: sorts and filters as text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Attempt:
    """One request sent to the model for an article."""

    n: int
    kind: AttemptKind
    outcome: AttemptOutcome
    latency_s: float
    time: str = field(default_factory=now_iso)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    error: str | None = None
    response: str | None = None
    #: the Batch API round whose answer this was (None: sent live)
    batch_round: int | None = None


@dataclass
class CallEntry:
    """What is logged for one article: the call's identity, totals and attempts."""

    article_id: str | None
    source: str | None
    prompt: str
    prompt_sha256: str
    schema_version: str
    backend: str
    model: str
    options: dict[str, Any]
    cached: bool = False
    error: str | None = None
    duration_s: float = 0.0
    attempts: list[Attempt] = field(default_factory=list)
    time: str = field(default_factory=now_iso)

    @property
    def status(self) -> str:
        return "error" if self.error else "ok"

    @property
    def response(self) -> str | None:
        answered = [a.response for a in self.attempts if a.response is not None]
        return answered[-1] if answered else None


@dataclass(frozen=True)
class LogFilter:
    """Which calls :meth:`CallLogStore.calls` returns; None means any."""

    article: str | None = None  # article id prefix or a part of the source
    prompt: str | None = None  # prompt id, or its name for every version
    model: str | None = None  # model id or a part of it
    status: Literal["ok", "error", "cached"] | None = None
    since: str | None = None  # ISO date or time, inclusive
    until: str | None = None  # ISO date or time; a date includes that whole day
    limit: int | None = None


class CallLogStore(SqliteStore):
    """Write call entries and read them back; thread-safe, shared by processes."""

    migrations = MIGRATIONS

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or log_path())

    def record(self, entry: CallEntry) -> int:
        """Insert one call and its attempts in one transaction; return the call's id."""
        prompt_tokens = sum(a.prompt_tokens or 0 for a in entry.attempts)
        completion_tokens = sum(a.completion_tokens or 0 for a in entry.attempts)
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = conn.execute(
                    "INSERT INTO calls (time, article_id, source, prompt, prompt_sha256, "
                    "schema_version, backend, model, options, cached, status, error, attempts, "
                    "prompt_tokens, completion_tokens, duration_s, response) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry.time,
                        entry.article_id,
                        entry.source,
                        entry.prompt,
                        entry.prompt_sha256,
                        entry.schema_version,
                        entry.backend,
                        entry.model,
                        json.dumps(entry.options, ensure_ascii=False, sort_keys=True, default=str),
                        int(entry.cached),
                        entry.status,
                        entry.error,
                        len(entry.attempts),
                        prompt_tokens,
                        completion_tokens,
                        round(entry.duration_s, 3),
                        entry.response,
                    ),
                )
                call_id = int(cursor.lastrowid or 0)
                conn.executemany(
                    "INSERT INTO attempts (call_id, n, time, kind, outcome, prompt_tokens, "
                    "completion_tokens, latency_s, finish_reason, error, response, batch_round) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            call_id,
                            a.n,
                            a.time,
                            a.kind,
                            a.outcome,
                            a.prompt_tokens,
                            a.completion_tokens,
                            round(a.latency_s, 3),
                            a.finish_reason,
                            a.error,
                            a.response,
                            a.batch_round,
                        )
                        for a in entry.attempts
                    ],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return call_id

    def calls(self, where: LogFilter | None = None) -> list[dict[str, Any]]:
        """Calls matching ``where``, newest first, without their attempts."""
        sql, params = _select(where or LogFilter())
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [_call_row(row) for row in rows]

    def call(self, call_id: int) -> dict[str, Any] | None:
        """One call in full, with its attempts in order."""
        with self._lock:
            row = self.conn.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
            if row is None:
                return None
            attempts = self.conn.execute(
                "SELECT * FROM attempts WHERE call_id = ? ORDER BY n", (call_id,)
            ).fetchall()
        call = _call_row(row)
        call["attempt_log"] = [
            {k: a[k] for k in a.keys() if k != "call_id"}  # noqa: SIM118 (sqlite3.Row)
            for a in attempts
        ]
        return call

    def totals(self, where: LogFilter | None = None) -> list[dict[str, Any]]:
        """Per prompt and model: calls, cache hits, failures, attempts, tokens, seconds;
        and of those, the requests and tokens a Batch API round answered."""
        inner, params = _select(where or LogFilter(), columns="*", order=False)
        sql = (
            "SELECT prompt, model, backend, COUNT(*) AS calls, SUM(cached) AS cache_hits, "
            "SUM(status = 'error') AS failures, SUM(attempts) AS attempts, "
            "SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens, "
            "ROUND(SUM(duration_s), 3) AS seconds, MIN(time) AS first, MAX(time) AS last "
            f"FROM ({inner}) GROUP BY prompt, model, backend ORDER BY prompt, model"
        )
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
            batch_sql = (
                "SELECT c.prompt, c.model, c.backend, COUNT(*) AS requests, "
                "COALESCE(SUM(a.prompt_tokens), 0) AS prompt_tokens, "
                "COALESCE(SUM(a.completion_tokens), 0) AS completion_tokens "
                f"FROM ({inner}) AS c JOIN attempts AS a ON a.call_id = c.id "
                "WHERE a.batch_round IS NOT NULL GROUP BY c.prompt, c.model, c.backend"
            )
            batched = {
                (r["prompt"], r["model"], r["backend"]): r
                for r in self.conn.execute(batch_sql, params).fetchall()
            }
        totals = []
        for row in rows:
            found = batched.get((row["prompt"], row["model"], row["backend"]))
            totals.append(
                {
                    **dict(row),
                    "batch_requests": found["requests"] if found else 0,
                    "batch_prompt_tokens": found["prompt_tokens"] if found else 0,
                    "batch_completion_tokens": found["completion_tokens"] if found else 0,
                }
            )
        return totals

    def count(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])


def _select(where: LogFilter, columns: str = "*", order: bool = True) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.article:
        clauses.append("(article_id LIKE ? OR source LIKE ?)")
        params += [f"{where.article}%", f"%{where.article}%"]
    if where.prompt:
        if "@" in where.prompt:
            clauses.append("prompt = ?")
            params.append(where.prompt)
        else:
            clauses.append("prompt LIKE ?")
            params.append(f"{where.prompt}@%")
    if where.model:
        clauses.append("model LIKE ?")
        params.append(f"%{where.model}%")
    if where.status == "cached":
        clauses.append("cached = 1")
    elif where.status is not None:
        clauses.append("status = ? AND cached = 0")
        params.append(where.status)
    if where.since:
        clauses.append("time >= ?")
        params.append(where.since)
    if where.until:
        clauses.append("time <= ?")
        params.append(where.until + ("T99" if len(where.until) == 10 else ""))
    sql = f"SELECT {columns} FROM calls"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    if order:
        sql += " ORDER BY id DESC"
    if where.limit is not None:
        sql += " LIMIT ?"
        params.append(where.limit)
    return sql, params


def _call_row(row: sqlite3.Row) -> dict[str, Any]:
    call = dict(row)
    call["options"] = json.loads(call["options"])
    call["cached"] = bool(call["cached"])
    return call


def log_call(store: CallLogStore, entry: CallEntry) -> None:
    """Record ``entry``; a full disk or a read-only home must not fail the article."""
    try:
        store.record(entry)
    except (OSError, sqlite3.Error) as exc:
        logger.warning("could not write the call log %s: %s", store.path, exc)
