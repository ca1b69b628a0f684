"""The provenance log: every call and attempt in SQLite, cache hits, filters, stats, writers."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from communique.cli import app
from communique.inputs import Article
from communique.store.calllog import Attempt, CallEntry, CallLogStore, LogFilter
from communique.store.prices import price_table
from fake_openai import (
    ARTICLE_BODY,
    ARTICLE_FILE_TEXT,
    OTHER_ARTICLE_TEXT,
    FakeOpenAI,
    completion,
    draft,
    http_error,
)

runner = CliRunner()


def article(text: str = ARTICLE_BODY, source: str = "in/a.txt") -> Article:
    import datetime as dt

    return Article(source=source, text=text, published=dt.date(2023, 12, 5))


def test_every_attempt_is_logged_with_its_tokens(
    fake_openai: FakeOpenAI, make_summariser, isolated_home: Path
) -> None:
    fake_openai.add(
        http_error(503),
        completion("not json", prompt_tokens=111, completion_tokens=7),
        completion(draft(), prompt_tokens=150, completion_tokens=60),
    )
    record = make_summariser().summarise(article())
    assert record.status == "ok"
    store = CallLogStore()
    (row,) = store.calls()
    assert row["article_id"] == record.article.id and row["source"] == "in/a.txt"
    assert row["prompt"] == "meeting_summary@v5" and len(row["prompt_sha256"]) == 64
    assert row["schema_version"] == record.schema_version
    assert row["backend"] == "openai" and row["model"] == "openai:fake-model"
    assert row["options"]["temperature"] == 0.0
    assert row["options"]["backend_options"]["base_url"] == fake_openai.base_url
    assert row["attempts"] == 3 and not row["cached"] and row["status"] == "ok"
    assert (row["prompt_tokens"], row["completion_tokens"]) == (261, 67)
    assert row["response"] == json.dumps(draft())
    full = store.call(row["id"])
    assert full is not None
    attempts = full["attempt_log"]
    assert [(a["n"], a["kind"], a["outcome"]) for a in attempts] == [
        (1, "first", "error"),
        (2, "retry", "invalid"),
        (3, "reask", "ok"),
    ]
    assert "503" in attempts[0]["error"] and attempts[0]["prompt_tokens"] is None
    assert [(a["prompt_tokens"], a["completion_tokens"]) for a in attempts[1:]] == [
        (111, 7),
        (150, 60),
    ]
    assert attempts[1]["response"] == "not json"
    assert all(a["latency_s"] >= 0 for a in attempts)


def test_cache_hits_are_rows_without_tokens(fake_openai: FakeOpenAI, make_summariser) -> None:
    fake_openai.add(completion(draft()))
    summariser = make_summariser()
    summariser.summarise(article())
    again = summariser.summarise(article(source="elsewhere/a.txt"))
    assert again.provenance is not None and again.provenance.cached
    assert fake_openai.request_count == 1
    hit, miss = CallLogStore().calls()
    assert hit["cached"] and hit["attempts"] == 0 and hit["status"] == "ok"
    assert (hit["prompt_tokens"], hit["completion_tokens"]) == (0, 0)
    assert hit["source"] == "elsewhere/a.txt" and hit["response"] is None
    assert not miss["cached"] and miss["completion_tokens"] == 20


def test_failed_call_keeps_error_and_last_output(fake_openai: FakeOpenAI, make_summariser) -> None:
    fake_openai.add(completion("broken"), completion("still broken"))
    record = make_summariser(max_reasks=1).summarise(article())
    assert record.status == "error"
    (row,) = CallLogStore().calls(LogFilter(status="error"))
    assert row["error"] and "invalid" in row["error"]
    assert row["response"] == "still broken"
    assert CallLogStore().calls(LogFilter(status="ok")) == []


def _entry(**overrides: object) -> CallEntry:
    values: dict[str, object] = {
        "article_id": "aaaa1111bbbb2222",
        "source": "samples/x.txt",
        "prompt": "meeting_summary@v5",
        "prompt_sha256": "0" * 64,
        "schema_version": "1.1.0",
        "backend": "openai",
        "model": "openai:gpt-4o-mini",
        "options": {"temperature": 0.0},
        "attempts": [Attempt(1, "first", "ok", 1.5, prompt_tokens=1000, completion_tokens=200)],
        "duration_s": 1.5,
    }
    values.update(overrides)
    return CallEntry(**values)  # type: ignore[arg-type]


def test_filters_select_by_article_prompt_model_status_and_date(tmp_path: Path) -> None:
    store = CallLogStore(tmp_path / "logs.db")
    store.record(_entry(time="2024-05-01T10:00:00.000Z"))
    store.record(_entry(time="2024-05-02T10:00:00.000Z", prompt="meeting_summary@v6"))
    store.record(
        _entry(time="2024-05-03T10:00:00.000Z", article_id="cccc", source="feeds/y.jsonl:3")
    )
    store.record(_entry(time="2024-05-03T11:00:00.000Z", model="local-model", backend="local"))
    store.record(_entry(time="2024-05-04T10:00:00.000Z", cached=True, attempts=[]))
    store.record(_entry(time="2024-05-04T11:00:00.000Z", error="boom"))

    def ids(**kw: object) -> list[int]:
        return [row["id"] for row in store.calls(LogFilter(**kw))]  # type: ignore[arg-type]

    assert ids() == [6, 5, 4, 3, 2, 1]
    assert ids(prompt="meeting_summary@v6") == [2]
    assert ids(prompt="meeting_summary") == [6, 5, 4, 3, 2, 1]
    assert ids(article="cccc") == [3] and ids(article="y.jsonl") == [3]
    assert ids(model="local") == [4]
    assert ids(status="cached") == [5] and ids(status="error") == [6]
    assert ids(since="2024-05-03", until="2024-05-03") == [4, 3]
    assert ids(limit=2) == [6, 5]
    with sqlite3.connect(tmp_path / "logs.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_logs_and_stats_commands(isolated_home: Path) -> None:
    store = CallLogStore()
    store.record(_entry())
    store.record(_entry(cached=True, attempts=[]))
    store.record(
        _entry(
            model="qwen-local",
            backend="local",
            duration_s=20.0,
            attempts=[Attempt(1, "first", "ok", 20.0, prompt_tokens=1700, completion_tokens=180)],
        )
    )
    store.record(_entry(model="openai:unlisted-model", error="HTTP 500", attempts=[]))
    store.close()

    listed = runner.invoke(app, ["logs", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [row["id"] for row in json.loads(listed.stdout)] == [4, 3, 2, 1]
    table = runner.invoke(app, ["logs", "--status", "cached"])
    assert table.exit_code == 0 and "cached" in table.stdout and "samples/x.txt" in table.stdout
    shown = runner.invoke(app, ["logs", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "attempt 1 · first · ok · 1000 in / 200 out" in shown.stdout
    assert runner.invoke(app, ["logs", "show", "99"]).exit_code == 1

    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {row["model"]: row for row in data["rows"]}
    mini = rows["openai:gpt-4o-mini"]
    assert (mini["calls"], mini["cache_hits"], mini["cache_hit_rate"]) == (2, 1, 0.5)
    price = price_table().models["gpt-4o-mini"]
    assert mini["cost"] == round((1000 * price.input + 200 * price.output) / 1e6, 6)
    assert rows["qwen-local"]["cost"] == 0.0 and rows["qwen-local"]["seconds"] == 20.0
    assert rows["openai:unlisted-model"]["cost"] is None
    assert rows["openai:unlisted-model"]["failures"] == 1
    assert data["prices"]["source"].startswith("https://")
    shown_table = runner.invoke(app, ["stats"])
    assert "gpt-4o-mini" in shown_table.stdout and "50%" in shown_table.stdout


def test_requests_a_batch_round_answered_are_counted_apart_at_the_batch_price(
    isolated_home: Path,
) -> None:
    store = CallLogStore()
    store.record(
        _entry(
            model="openai:gpt-4o-mini",
            attempts=[
                Attempt(1, "first", "ok", 0.0, prompt_tokens=1000, completion_tokens=200,
                        batch_round=1),
                Attempt(2, "followup", "ok", 0.0, prompt_tokens=1300, completion_tokens=20,
                        batch_round=2),
                Attempt(3, "reask", "ok", 1.0, prompt_tokens=1400, completion_tokens=200),
            ],
        )
    )  # fmt: skip
    store.close()
    result = CliRunner().invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["rows"]
    assert (row["attempts"], row["batch_requests"]) == (3, 2)
    assert (row["batch_prompt_tokens"], row["batch_completion_tokens"]) == (2300, 220)
    table = price_table()
    price = table.models["gpt-4o-mini"]
    live = 1400 * price.input + 200 * price.output
    batch = 2300 * price.input + 220 * price.output
    assert table.batch_share == 0.5
    assert row["cost"] == round((live + table.batch_share * batch) / 1e6, 6)


def test_price_table_is_dated_and_sourced() -> None:
    table = price_table()
    assert table.checked.year >= 2024 and table.source.startswith("https://")
    assert table.models and all(p.input > 0 and p.output > 0 for p in table.models.values())


def test_two_summarise_processes_on_one_log_lose_no_row(
    fake_openai: FakeOpenAI, tmp_path: Path, isolated_home: Path
) -> None:
    per_process = 12
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(per_process):
            (folder / f"{i:02d}.txt").write_text(
                ARTICLE_FILE_TEXT.rstrip() + f" Reference {name}{i}.\n", encoding="utf-8"
            )
        folders.append(folder)
    fake_openai.add(*(completion(draft()) for _ in range(2 * per_process)))
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "communique", "summarise", str(folder), "--no-cache"),
                *(
                    "-q",
                    "--model",
                    "openai:fake-model",
                    "--out",
                    str(tmp_path / f"{folder.name}.jsonl"),
                ),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    store = CallLogStore(isolated_home / "logs.db")
    rows = store.calls()
    assert len(rows) == 2 * per_process
    assert {row["source"] for row in rows} == {
        str(folder / f"{i:02d}.txt") for folder in folders for i in range(per_process)
    }
    with sqlite3.connect(isolated_home / "logs.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 2 * per_process
    assert fake_openai.request_count == 2 * per_process


def test_other_article_is_logged_under_its_own_id(fake_openai: FakeOpenAI, make_summariser) -> None:
    from fake_openai import call_event

    fake_openai.add(completion(draft()), completion(draft(call_event())))
    summariser = make_summariser()
    first = summariser.summarise(article())
    second = summariser.summarise(article(OTHER_ARTICLE_TEXT, "in/b.txt"))
    rows = CallLogStore().calls()
    assert [row["article_id"] for row in rows] == [second.article.id, first.article.id]
