"""The OpenAI Batch API against the loopback fake of /v1/files and /v1/batches: submit,
status, collect into the cache, then `summarise` with no model call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.extract.backends import get_backend
from communique.extract.pipeline import Summariser
from communique.inputs import read_inputs
from communique.schema import ArticleRecord
from communique.store.batches import BatchStore
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

MODEL = ["-m", "openai:fake-model"]
THIRD = (
    "MOSCOW, March 9. Russian Foreign Minister Sergey Lavrov received Serbian Foreign "
    "Minister Ivica Dacic. The ministers discussed energy supplies."
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def records(text: str) -> list[ArticleRecord]:
    return [ArticleRecord.model_validate_json(line) for line in text.splitlines()]


def lavrov_draft() -> dict[str, Any]:
    return draft(
        call_event(
            kind="meeting",
            date="March 9",
            people=[
                {"name": "Sergey Lavrov", "role": "Foreign Minister", "org": "Russia",
                 "side": "host", "lead": True},
                {"name": "Ivica Dacic", "role": "Foreign Minister", "org": "Serbia",
                 "side": "visitor", "lead": True},
            ],
            topics=["energy supplies"],
            summary="Russia's foreign minister received his Serbian counterpart.",
        )
    )  # fmt: skip


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_baku.txt").write_text(ARTICLE_FILE_TEXT, encoding="utf-8")
    (folder / "b_ankara.txt").write_text(OTHER_ARTICLE_TEXT, encoding="utf-8")
    (folder / "c_moscow.txt").write_text(THIRD, encoding="utf-8")
    (folder / "d_copy.txt").write_text(OTHER_ARTICLE_TEXT, encoding="utf-8")  # given twice
    (folder / "e_empty.txt").write_text("", encoding="utf-8")  # unreadable
    return folder


def test_a_batch_round_trip_fills_the_cache_and_summarise_makes_no_call(
    fake_openai: FakeOpenAI, inbox: Path, tmp_path: Path
):
    invalid = meeting_event()
    invalid["people"][1]["name"] = "Minister Jeyhun Bayramov"  # a title in a name
    # the batch's answers, in line order: invalid, valid, a failed line
    fake_openai.add(completion(draft(invalid)), completion(draft(call_event())), http_error(500))
    fake_openai.batch_polls = 2  # in progress for `status` and the first `collect`

    submitted = run("batch", "submit", str(inbox), *MODEL)
    assert submitted.exit_code == 0, submitted.output
    batch_id = submitted.stdout.strip()
    assert "3 request(s) for 3 article(s)" in " ".join(submitted.stderr.split())
    assert "1 given twice" in submitted.stderr and "1 unreadable" in submitted.stderr
    assert fake_openai.request_count == 0  # nothing sent but the batch

    # each line is the request the normal path sends, keyed by the article's cache key
    summariser = Summariser(get_backend("openai:fake-model"))
    articles = [i for i in read_inputs([str(inbox)]) if not hasattr(i, "problem")]
    lines = {line["custom_id"]: line for line in fake_openai.batch_lines}
    assert set(lines) == {summariser.key_for(a) for a in articles}
    first = lines[summariser.key_for(articles[0])]
    assert first["url"] == "/v1/chat/completions" and first["method"] == "POST"
    assert first["body"]["model"] == "fake-model"
    assert first["body"]["response_format"]["type"] == "json_schema"
    assert ARTICLE_BODY in first["body"]["messages"][-1]["content"]

    status = run("batch", "status")
    assert status.exit_code == 0 and "in_progress" in status.stderr and batch_id in status.stderr
    early = run("batch", "collect", batch_id)
    assert early.exit_code == 1 and "not ready" in early.stderr

    # the invalid answer's re-ask and the failed line go into a second round: no live call
    def answer(body: dict[str, Any]) -> Any:
        article = body["messages"][1]["content"]
        return completion(lavrov_draft() if "Lavrov" in article else draft())

    fake_openai.responder = answer
    first = run("batch", "collect", batch_id, "-o", str(tmp_path / "first.jsonl"))
    assert first.exit_code == 0, first.output
    said = " ".join(first.stderr.split())
    assert "1 ok, 0 failed; 2 answer(s) from the batch, 0 live call(s)" in said
    assert "round 2 submitted" in said and "2 request(s) for 2 article(s) still waiting" in said
    assert len(records((tmp_path / "first.jsonl").read_text())) == 1
    assert len(fake_openai.batch_lines) == 5 and fake_openai.request_count == 0
    [reask] = [
        line["body"]["messages"]
        for line in fake_openai.batch_lines[3:]
        if len(line["body"]["messages"]) > 2
    ]
    assert "Minister Jeyhun Bayramov" in json.dumps(reask, ensure_ascii=False)  # shown back
    assert BatchStore().get(batch_id).collected is None  # type: ignore[union-attr]
    status = " ".join(run("batch", "status").stderr.split())
    assert "2 waiting" in status

    collected = run(
        "batch", "collect", "--wait", "--every", "0.01", "-o", str(tmp_path / "collected.jsonl")
    )
    assert collected.exit_code == 0, collected.output
    said = " ".join(collected.stderr.split())
    assert "round 2): 3 ok, 0 failed" in said and "submitted" not in said
    assert fake_openai.request_count == 0 and len(fake_openai.batch_lines) == 5
    # every article's record, the one done in the first round too (from the cache)
    assert len(records((tmp_path / "collected.jsonl").read_text())) == 3
    assert BatchStore().get(batch_id).collected is not None  # type: ignore[union-attr]

    # now every article comes from the cache: no model call at all
    again = run("summarise", str(inbox), *MODEL, "--jobs", "1")
    assert fake_openai.request_count == 0
    got = records(again.stdout)
    ok = [r for r in got if r.status == "ok"]
    assert len(ok) == 4  # three articles, one of them given twice
    assert all(r.provenance is not None and r.provenance.cached for r in ok)
    names = {p.name for r in ok for e in r.events for p in e.participants}
    assert {"Jeyhun Bayramov", "Hakan Fidan", "Sergey Lavrov"} <= names

    # a briefing of the same articles needs no model call either
    page = tmp_path / "brief.html"
    briefed = run("brief", str(inbox), *MODEL, "--out", str(page))
    assert briefed.exit_code == 0, briefed.output
    assert fake_openai.request_count == 0 and "Bayramov" in page.read_text()

    # and a second collect has nothing left to do
    assert "no batch to collect" in run("batch", "collect").stderr


def test_a_long_article_goes_in_one_line_per_chunk(fake_openai: FakeOpenAI, tmp_path: Path):
    long = tmp_path / "long.txt"
    long.write_text((ARTICLE_BODY + "\n\n") * 20, encoding="utf-8")
    fake_openai.responder = lambda body: completion(draft())
    submitted = run("batch", "submit", str(long), *MODEL, "--max-chars", "1500")
    assert submitted.exit_code == 0, submitted.output
    ids = [line["custom_id"] for line in fake_openai.batch_lines]
    assert len(ids) > 2 and all(i.rsplit(":", 1)[1].isdigit() for i in ids)
    assert len({i.rsplit(":", 1)[0] for i in ids}) == 1  # one article's key

    collected = run("batch", "collect")
    assert collected.exit_code == 0, collected.output
    assert fake_openai.request_count == 0  # every chunk answered by the batch
    again = run("summarise", str(long), *MODEL, "--max-chars", "1500")
    [record] = records(again.stdout)
    assert record.status == "ok" and record.provenance is not None and record.provenance.cached
    assert len([e for e in record.events if e.origin == "model"]) == 1
    assert fake_openai.request_count == 0


def test_cached_articles_are_not_sent_again(fake_openai: FakeOpenAI, inbox: Path):
    fake_openai.responder = lambda body: completion(draft(call_event()))
    (inbox / "a_baku.txt").unlink()
    (inbox / "c_moscow.txt").unlink()
    assert run("summarise", str(inbox / "b_ankara.txt"), *MODEL).exit_code == 0
    result = run("batch", "submit", str(inbox), *MODEL)
    assert "nothing to send" in result.stderr and "already cached" in result.stderr
    assert fake_openai.batch_lines == []


def test_dry_run_writes_the_requests_and_sends_nothing(
    fake_openai: FakeOpenAI, inbox: Path, tmp_path: Path
):
    out = tmp_path / "requests.jsonl"
    result = run("batch", "submit", str(inbox), *MODEL, "--dry-run", "--requests", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3 and {"custom_id", "method", "url", "body"} == set(lines[0])
    assert fake_openai.files == {} and fake_openai.batches == {}


def test_the_batch_api_needs_a_remote_model(inbox: Path):
    result = run("batch", "submit", str(inbox), "-m", "local")
    assert result.exit_code == 101
    assert "needs a remote model" in " ".join(result.stderr.split())


def test_a_changed_prompt_does_not_reuse_old_answers(fake_openai: FakeOpenAI, inbox: Path):
    fake_openai.responder = lambda body: completion(draft())
    batch_id = run("batch", "submit", str(inbox), *MODEL).stdout.strip()
    store = BatchStore()
    store.conn.execute("UPDATE batches SET prompt_sha256 = 'other' WHERE id = ?", (batch_id,))
    result = run("batch", "collect", batch_id)
    assert result.exit_code == 101 and "changed since" in " ".join(result.stderr.split())
    assert fake_openai.request_count == 0


def test_status_without_batches_says_how_to_start():
    result = run("batch", "status")
    assert result.exit_code == 0 and "batch submit" in result.stderr


def test_with_live_the_turns_after_the_batch_are_sent_live(fake_openai: FakeOpenAI, inbox: Path):
    fake_openai.responder = lambda body: http_error(500)  # every line of the batch fails
    batch_id = run("batch", "submit", str(inbox), *MODEL).stdout.strip()

    fake_openai.responder = answer_by_article
    sent = run("batch", "collect", batch_id, "--live")
    assert sent.exit_code == 0, sent.output
    assert fake_openai.request_count == 3
    assert "0 answer(s) from the batch, 3 live call(s)" in " ".join(sent.stderr.split())


def test_every_turn_of_a_two_turn_prompt_goes_through_rounds(
    fake_openai: FakeOpenAI, inbox: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """meeting_summary@v7 asks for missed events in a second turn: that turn is a round of
    its own, and the records equal what `summarise` makes of the same answers."""
    monkeypatch.setenv("COMMUNIQUE_PROMPT", "meeting_summary@v7")
    (inbox / "d_copy.txt").unlink()  # `summarise --refresh` would send a copy again

    def answer(body: dict[str, Any]) -> Any:
        if len(body["messages"]) > 2:  # the follow-up turn: nothing missed
            return completion({"events": []})
        return answer_by_article(body)

    fake_openai.responder = answer
    batch_id = run("batch", "submit", str(inbox), *MODEL).stdout.strip()
    out = tmp_path / "batch.jsonl"
    collected = run("batch", "collect", batch_id, "--wait", "--every", "0.01", "-o", str(out))
    assert collected.exit_code == 0, collected.output
    assert fake_openai.request_count == 0
    assert len(fake_openai.batch_lines) == 6  # three first turns, three follow-ups
    from_batch = {r.article.source: r for r in records(out.read_text())}
    assert len(from_batch) == 3

    # the call log tells the answers of batch rounds from live ones
    stats = json.loads(run("stats", "--json").stdout)["rows"]
    assert [(r["attempts"], r["batch_requests"]) for r in stats] == [(6, 6)]

    live = run("summarise", str(inbox), *MODEL, "--jobs", "1", "--refresh")
    assert fake_openai.request_count == 6
    for record in records(live.stdout):
        if record.status == "ok":
            batch_record = from_batch[record.article.source]
            assert record.events == batch_record.events


def test_a_collect_stopped_between_rounds_loses_nothing_and_asks_nothing_twice(
    fake_openai: FakeOpenAI, inbox: Path, monkeypatch: pytest.MonkeyPatch
):
    from communique.extract import batch

    invalid = meeting_event()
    invalid["people"][1]["name"] = "Minister Jeyhun Bayramov"
    fake_openai.add(completion(draft(invalid)))
    fake_openai.responder = answer_by_article
    batch_id = run("batch", "submit", str(inbox), *MODEL).stdout.strip()

    real_submit = batch.submit_round

    def killed(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # the process dies after the answers were kept

    monkeypatch.setattr(batch, "submit_round", killed)
    with pytest.raises(KeyboardInterrupt):
        list(_collection(batch_id).records())
    assert len(fake_openai.batch_lines) == 3

    monkeypatch.setattr(batch, "submit_round", real_submit)
    again = run("batch", "collect", batch_id, "--wait", "--every", "0.01")
    assert again.exit_code == 0, again.output
    # the first round's answers came from the store: its lines were never sent again
    assert len(fake_openai.batch_lines) == 4 and fake_openai.request_count == 0
    said = " ".join(again.stderr.split())
    assert "round 2): 3 ok, 0 failed" in said


def answer_by_article(body: dict[str, Any]) -> Any:
    """A valid answer for whichever of the inbox's articles the request carries."""
    article = body["messages"][1]["content"]
    if "Fidan" in article:
        return completion(draft(call_event()))
    return completion(lavrov_draft() if "Dacic" in article else draft())


def _collection(batch_id: str) -> Any:
    from communique.extract import batch

    info = BatchStore().get(batch_id)
    assert info is not None
    return batch.collect(info, lambda backend: Summariser(backend, jobs=1))
