"""The `communique` command, through typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from communique import __version__
from communique.cli import app
from communique.schema import ArticleRecord
from communique.store.cache import ResultCache
from fake_openai import (
    ARTICLE_BODY,
    ARTICLE_FILE_TEXT,
    OTHER_ARTICLE_TEXT,
    FakeOpenAI,
    call_event,
    completion,
    draft,
    http_error,
    meeting_event,
)

# one article at a time: the fake server answers from a queue, in order
MODEL = ["-m", "openai:fake-model", "--jobs", "1"]
EMPTY = {"events": []}


def run(*args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=input)


def records(result: Any) -> list[ArticleRecord]:
    return [ArticleRecord.model_validate_json(line) for line in result.stdout.splitlines()]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"communique {__version__}"


def test_no_arguments_shows_help():
    result = run()
    assert "summarise" in result.output


# -- summarise ---------------------------------------------------------------------------


def test_summarise_one_file(fake_openai: FakeOpenAI, write):
    fake_openai.add(completion(draft()))
    path = write("baku.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), *MODEL)
    assert result.exit_code == 0, result.output
    [record] = records(result)
    assert record.status == "ok"
    assert record.article.source == str(path)
    assert record.events[0].date is not None and record.events[0].date.isoformat() == "2023-12-05"
    for participant in record.events[0].participants:
        for span in participant.evidence:
            assert ARTICLE_BODY[span.start : span.end] == span.text
    assert record.provenance is not None
    assert record.provenance.model == "openai:fake-model"
    assert "1 article(s): 1 ok, 0 failed, 0 from cache" in flat(result.stderr)


def test_summarise_to_an_out_file(fake_openai: FakeOpenAI, write, tmp_path):
    fake_openai.add(completion(draft()), completion(draft(call_event())))
    a = write("a.txt", ARTICLE_FILE_TEXT)
    b = write("b.txt", OTHER_ARTICLE_TEXT)
    out = tmp_path / "out" / "records.jsonl"
    result = run("summarise", str(a), str(b), *MODEL, "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["article"]["source"] for line in lines] == [str(a), str(b)]


def test_bad_inputs_become_error_records_and_the_exit_code_counts_them(
    fake_openai: FakeOpenAI, write, tmp_path
):
    fake_openai.add(*[completion(EMPTY)] * 4)
    good = write("good.txt", ARTICLE_FILE_TEXT)
    empty = write("empty.txt", b"")
    binary = write("blob.txt", b"\x00\x01\x02\x03")
    latin = write("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    missing = tmp_path / "missing.txt"
    feed = write(
        "feed.jsonl",
        json.dumps({"id": "1", "text": "Ministers met.", "date": "2023-12-05"})
        + "\n{broken\n"
        + json.dumps({"id": "3", "text": "Leaders spoke."})
        + "\n",
    )
    page = write("page.html", "<html><body><p>Ministers met in Baku.</p></body></html>")

    result = run(
        "summarise",
        str(good),
        str(empty),
        str(binary),
        str(latin),
        str(missing),
        str(feed),
        str(page),
        *MODEL,
    )

    got = records(result)
    assert [r.article.source for r in got] == [
        str(good),
        str(empty),
        str(binary),
        str(latin),
        str(missing),
        f"{feed}:1",
        f"{feed}:2",
        f"{feed}:3",
        str(page),
    ]
    status = {r.article.source: r for r in got}
    failures = {
        str(empty): "empty",
        str(binary): "binary",
        str(latin): "binary (a PDF document)",
        str(missing): "no such file",
        f"{feed}:2": "not valid JSON",
    }
    for source, problem in failures.items():
        record = status[source]
        assert record.status == "error", source
        assert record.error is not None and record.error.kind == "input"
        assert problem in record.error.message
        assert f"failed {source}: " in flat(result.stderr)
    assert sum(r.status == "ok" for r in got) == 4
    assert status[f"{feed}:1"].article.external_id == "1"
    assert result.exit_code == len(failures) == 5
    assert fake_openai.request_count == 4
    assert "9 article(s): 4 ok, 5 failed" in flat(result.stderr)


def test_exit_code_is_capped_at_100(fake_openai: FakeOpenAI, tmp_path):
    missing = [str(tmp_path / f"missing-{n}.txt") for n in range(103)]
    result = run("summarise", *missing, *MODEL, "--quiet")
    assert len(records(result)) == 103
    assert result.exit_code == 100


def test_stdin_plain_text(fake_openai: FakeOpenAI):
    fake_openai.add(completion(draft()))
    result = run("summarise", "-", *MODEL, input=ARTICLE_FILE_TEXT)
    assert result.exit_code == 0, result.output
    [record] = records(result)
    assert record.article.source == "-"
    assert record.article.published is not None
    assert record.events[0].date is not None


def test_stdin_jsonl(fake_openai: FakeOpenAI):
    fake_openai.add(completion(draft()), completion(draft(call_event())))
    feed = "\n".join(
        [
            json.dumps({"id": "a", "text": ARTICLE_BODY, "date": "2023-12-05"}),
            json.dumps({"id": "b", "text": OTHER_ARTICLE_TEXT, "date": "2024-03-03"}),
        ]
    )
    result = run("summarise", "-", *MODEL, input=feed)
    assert result.exit_code == 0, result.output
    got = records(result)
    assert [r.article.source for r in got] == ["-:1", "-:2"]
    assert [r.article.external_id for r in got] == ["a", "b"]
    assert got[1].events[0].date is not None and got[1].events[0].date.isoformat() == "2024-03-03"


def test_extraction_failure_is_counted_and_the_batch_goes_on(fake_openai: FakeOpenAI, write):
    fake_openai.add(completion("nonsense 1"), completion("nonsense 2"), completion("nonsense 3"))
    fake_openai.add(completion(draft(call_event())))
    a = write("a.txt", ARTICLE_FILE_TEXT)
    b = write("b.txt", OTHER_ARTICLE_TEXT)
    result = run("summarise", str(a), str(b), *MODEL)
    assert result.exit_code == 1
    failed, ok = records(result)
    assert failed.status == "error"
    assert failed.error is not None
    assert failed.error.kind == "extraction"
    assert failed.error.last_output == "nonsense 3"
    assert ok.status == "ok"
    assert f"failed {a}: " in flat(result.stderr)


def test_max_reasks_option(fake_openai: FakeOpenAI, write):
    fake_openai.add(completion("nonsense"), completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), *MODEL, "--max-reasks", "0")
    assert result.exit_code == 1
    assert fake_openai.request_count == 1


def test_constrain_option_puts_candidates_in_the_schema(fake_openai: FakeOpenAI, write):
    fake_openai.add(completion(EMPTY))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), *MODEL, "--constrain")
    assert result.exit_code == 0, result.output
    schema = json.dumps(fake_openai.requests[0]["response_format"], ensure_ascii=False)
    assert '"Zakir Hasanov"' in schema


def test_backend_errors_are_counted(fake_openai: FakeOpenAI, write):
    fake_openai.add(http_error(400), http_error(400))
    a = write("a.txt", ARTICLE_FILE_TEXT)
    b = write("b.txt", OTHER_ARTICLE_TEXT)
    result = run("summarise", str(a), str(b), *MODEL)
    assert result.exit_code == 2
    assert [r.error.kind for r in records(result) if r.error] == ["backend", "backend"]


def test_rate_limit_retry_after_is_honoured(fake_openai: FakeOpenAI, write, no_real_sleep):
    fake_openai.add(http_error(429, headers={"Retry-After": "7"}), completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), *MODEL)
    assert result.exit_code == 0, result.output
    assert no_real_sleep == [7.0]


def test_source_paths_are_printed_verbatim(fake_openai: FakeOpenAI, write):
    """File names are data, not console markup: '[/draft]' must neither crash nor vanish."""
    odd = write("notes [/draft].txt", b"")
    other = write("report [final].txt", b"")
    result = run("summarise", str(odd), str(other), *MODEL)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2
    assert [r.article.source for r in records(result)] == [str(odd), str(other)]
    assert f"failed {odd}: the file is empty" in flat(result.stderr)
    assert f"failed {other}: the file is empty" in flat(result.stderr)


# -- configuration errors ------------------------------------------------------------------


def test_openai_backend_without_key_or_base_url(write):
    path = write("a.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), "-m", "openai:gpt-4o-mini")
    assert result.exit_code == 101
    assert result.stdout == ""
    message = flat(result.stderr)
    assert "OPENAI_API_KEY" in message
    assert "OPENAI_BASE_URL" in message


@pytest.mark.parametrize(
    "args,needle",
    [
        (["-m", "nonsense"], "unknown model"),
        (["-m", "openai:fake-model", "--prompt", "no_such_prompt"], "unknown prompt"),
        (["-m", "openai:fake-model", "--prompt", "meeting_summary@v999"], "no version"),
    ],
    ids=["unknown-backend", "unknown-prompt", "unknown-version"],
)
def test_configuration_errors_exit_101(fake_openai: FakeOpenAI, write, args, needle):
    path = write("a.txt", ARTICLE_FILE_TEXT)
    result = run("summarise", str(path), *args)
    assert result.exit_code == 101
    assert needle in flat(result.stderr)
    assert fake_openai.request_count == 0


# -- the cache from the command line ---------------------------------------------------------


def test_second_run_is_served_from_the_cache(fake_openai: FakeOpenAI, write, tmp_path):
    fake_openai.add(completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    first = run("summarise", str(path), *MODEL)
    assert first.exit_code == 0

    moved = tmp_path / "elsewhere" / "renamed.txt"
    moved.parent.mkdir()
    moved.write_text(ARTICLE_FILE_TEXT, encoding="utf-8")
    second = run("summarise", str(moved), *MODEL)
    assert second.exit_code == 0, second.output
    assert fake_openai.request_count == 1
    [record] = records(second)
    assert record.provenance is not None and record.provenance.cached is True
    assert record.article.source == str(moved)
    assert record.events == records(first)[0].events
    assert "1 from cache" in flat(second.stderr)


def test_no_cache_neither_reads_nor_writes(fake_openai: FakeOpenAI, write, isolated_home):
    cache_folder = isolated_home / "results"
    fake_openai.add(completion(draft()), completion(draft()), completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)

    result = run("summarise", str(path), *MODEL, "--no-cache")
    assert result.exit_code == 0
    assert not cache_folder.exists() or len(ResultCache(cache_folder)) == 0

    assert run("summarise", str(path), *MODEL).exit_code == 0  # fills the cache
    assert len(ResultCache(cache_folder)) == 1
    result = run("summarise", str(path), *MODEL, "--no-cache")
    assert fake_openai.request_count == 3  # the cached result was not read
    [record] = records(result)
    assert record.provenance is not None and record.provenance.cached is False


def test_refresh_recomputes_and_stores(fake_openai: FakeOpenAI, write):
    fake_openai.add(
        completion(draft(meeting_event(summary="Old summary."))),
        completion(draft(meeting_event(summary="New summary."))),
    )
    path = write("a.txt", ARTICLE_FILE_TEXT)
    run("summarise", str(path), *MODEL)
    refreshed = run("summarise", str(path), *MODEL, "--refresh")
    assert fake_openai.request_count == 2
    [record] = records(refreshed)
    assert record.provenance is not None and not record.provenance.cached
    assert record.events[0].summary == "New summary."

    again = run("summarise", str(path), *MODEL)
    assert fake_openai.request_count == 2
    [cached] = records(again)
    assert cached.provenance is not None and cached.provenance.cached
    assert cached.events[0].summary == "New summary."


def test_cache_dir_option(fake_openai: FakeOpenAI, write, tmp_path, isolated_home):
    fake_openai.add(completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    folder = tmp_path / "my-cache"
    assert run("summarise", str(path), *MODEL, "--cache-dir", str(folder)).exit_code == 0
    assert len(ResultCache(folder)) == 1
    assert not (isolated_home / "results").exists()


def test_errors_are_not_cached(fake_openai: FakeOpenAI, write):
    fake_openai.add(http_error(401), completion(draft()))
    path = write("a.txt", ARTICLE_FILE_TEXT)
    assert run("summarise", str(path), *MODEL).exit_code == 1
    retry = run("summarise", str(path), *MODEL)
    assert retry.exit_code == 0
    assert fake_openai.request_count == 2


# -- as a real process -------------------------------------------------------------------------


def _python_m(args: list[str], env: dict[str, str], input: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "communique", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_subprocess_summarises_stdin(fake_openai: FakeOpenAI):
    fake_openai.add(completion(draft()))
    env = dict(os.environ)
    result = _python_m(["summarise", "-", *MODEL], env, input=ARTICLE_FILE_TEXT)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    record = ArticleRecord.model_validate_json(line)
    assert record.status == "ok"
    assert record.article.source == "-"
    assert fake_openai.request_count == 1
    home = Path(os.environ["COMMUNIQUE_HOME"])
    assert (home / "logs.db").is_file()


def test_subprocess_config_error_exit_code(write):
    path = write("a.txt", ARTICLE_FILE_TEXT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    result = _python_m(["summarise", str(path), "-m", "openai:gpt-4o-mini"], env)
    assert result.returncode == 101
    assert result.stdout == ""
    assert "OPENAI_API_KEY" in flat(result.stderr)
    assert "OPENAI_BASE_URL" in flat(result.stderr)
    assert "Traceback" not in result.stderr


def test_subprocess_exit_code_counts_failures(fake_openai: FakeOpenAI, write, tmp_path):
    fake_openai.add(completion(draft()))
    good = write("a.txt", ARTICLE_FILE_TEXT)
    result = _python_m(
        ["summarise", str(good), str(tmp_path / "gone.txt"), str(write("e.txt", b"")), *MODEL],
        dict(os.environ),
    )
    assert result.returncode == 2, result.stderr
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == [
        "ok",
        "error",
        "error",
    ]
