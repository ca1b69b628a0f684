"""The SQLite stores: migrations applied once, texts kept by id, concurrent writers."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
from pathlib import Path

from communique.store.articles import ArticleStore
from communique.store.sqlite import connect

MIGRATIONS = ("CREATE TABLE t (x INTEGER)", "ALTER TABLE t ADD COLUMN y TEXT")


def test_migrations_apply_in_order_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    conn = connect(path, MIGRATIONS[:1])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    conn = connect(path, MIGRATIONS)  # a newer program opens an older file
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.execute("INSERT INTO t (x, y) VALUES (1, 'a')")
    conn.close()
    conn = connect(path, MIGRATIONS)  # nothing left to apply, data intact
    assert [tuple(row) for row in conn.execute("SELECT x, y FROM t")] == [(1, "a")]


def test_article_store_round_trip(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "articles.db")
    store.put("abc", "Minister X met Y.", "in/a.txt", dt.date(2024, 5, 1), {"url": "http://x"})
    store.put("abc", "another text", "in/b.txt")  # the first text of an id is kept
    got = store.get("abc")
    assert got is not None
    assert got.text == "Minister X met Y."
    assert got.source == "in/a.txt"
    assert got.published == dt.date(2024, 5, 1)
    assert got.meta == {"url": "http://x"}
    assert store.get("missing") is None


def _writer(path: str, prefix: str, n: int) -> None:
    store = ArticleStore(Path(path))
    for i in range(n):
        store.put(f"{prefix}{i}", f"text {i}", "src")
    store.close()


def test_two_processes_writing_at_once_lose_no_row(tmp_path: Path) -> None:
    path = tmp_path / "articles.db"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), p, 200)) for p in ("a", "b")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 400
