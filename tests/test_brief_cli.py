"""``communique brief`` and ``communique diff`` end to end on the fake OpenAI server:
the regeneration loop a user runs after a prompt change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from brief_data import PAIR
from communique.cli import app
from communique.store.calllog import CallLogStore, LogFilter
from fake_openai import FakeOpenAI, completion, person

MODEL = ["--model", "openai:fake-model"]


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def pair_event(tufekci: str, bagci: str, topics: list[str]) -> dict[str, Any]:
    return {
        "kind": "meeting",
        "happened": True,
        "date": None,
        "city": "Baku",
        "country": "Azerbaijan",
        "people": [
            person("Zakir Hasanov", role="Minister of Defense", org="Azerbaijan", lead=True),
            person(
                tufekci,
                role="Deputy Minister of National Defense",
                org="Türkiye",
                side="visitor",
                lead=True,
            ),
            person(
                bagci, role="Ambassador of Türkiye to Azerbaijan", org="Türkiye", side="visitor"
            ),
        ],
        "signed": [],
        "topics": topics,
        "summary": f"Azerbaijan's defence minister met Türkiye's deputy minister {tufekci}.",
    }


def script_pair(fake: FakeOpenAI, topics: list[str]) -> None:
    """Answers for the two samples, in folder order: 003 (Trend), then 005 (News.az)."""
    fake.add(
        completion({"events": [pair_event("Celal Sami Tufekci", "Jahit Bagchi", topics)]}),
        completion({"events": [pair_event("Celal Sami Tüfekçi", "Cahit Bağcı", topics)]}),
    )


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in PAIR:
        shutil.copy(path, folder / path.name)
    return folder


V4 = ["military cooperation", "regional security", "defense industry", "martyrs"]
V2 = ["military cooperation", "regional security"]


def test_regeneration_loop(fake_openai: FakeOpenAI, articles: Path, tmp_path: Path) -> None:
    out_md, out_html = tmp_path / "out" / "brief.md", tmp_path / "out" / "brief.html"
    outs = ["--out", str(out_md), "--out", str(out_html)]

    # 1. The briefing with the released prompt: both articles need the model.
    script_pair(fake_openai, V4)
    first = run("brief", str(articles), *outs, *MODEL)
    assert first.exit_code == 0, first.output
    assert "2 article(s) summarised: 0 reused from the cache, 2 recomputed" in flat(first.stderr)
    assert "1 entry (1 merged from several sources)" in flat(first.stderr)
    md = out_md.read_text()
    assert md.count("### ") == 1  # the two reports are one entry
    assert "003\\_bb68c450438cbac4.txt (2024-01-18)" in md
    assert "005\\_newsaz\\_hasanov\\_tufekci.txt (2024-01-17)" in md
    assert "What changed" not in md
    sidecar = tmp_path / "out" / "brief.records.jsonl"
    assert len(sidecar.read_text().splitlines()) == 2
    v5_records = tmp_path / "v5.jsonl"
    shutil.copy(sidecar, v5_records)

    # 2. Regenerate with v6 (one instruction changed): new keys, so both recomputed.
    script_pair(fake_openai, V2)
    second = run("brief", str(articles), *outs, *MODEL, "--prompt", "meeting_summary@v6")
    assert second.exit_code == 0, second.output
    assert "0 reused from the cache, 2 recomputed" in flat(second.stderr)
    assert "1 entry changed, 0 new, 0 events removed" in flat(second.stderr)
    assert "topics (2)" in flat(second.stderr)
    md = out_md.read_text()
    assert "## What changed" in md and "**changed** (topics)" in md
    assert "**changed: topics**" in md
    html = out_html.read_text()
    assert re.search(r'<details class="entry changed" id="e-2024-01-17-', html)
    assert "changed: topics" in html
    assert fake_openai.request_count == 4
    v6_records = tmp_path / "v6.jsonl"
    shutil.copy(sidecar, v6_records)

    # 3. Back to v5: every record is in the cache; no model call at all.
    third = run("brief", str(articles), *outs, *MODEL, "--prompt", "meeting_summary@v5")
    assert third.exit_code == 0, third.output
    assert "2 reused from the cache, 0 recomputed" in flat(third.stderr)
    assert fake_openai.request_count == 4
    assert "**changed** (topics)" in out_md.read_text()

    # 4. communique diff names the field that moved, in the terminal and as HTML.
    diff_html = tmp_path / "diff.html"
    result = run(
        "diff", str(articles), "--from", "meeting_summary@v5", "--to", "meeting_summary@v6",
        *MODEL, "--html", str(diff_html),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_openai.request_count == 4  # both sides from the cache
    text = flat(result.stdout)
    assert "2 of 2 articles changed" in text
    assert "topics" in text and "defense industry" in text
    page = diff_html.read_text()
    assert "<del>" in page and "topics" in page and "meeting_summary@v6" in page

    # Two saved record files compare the same way, with no articles given.
    files = run("diff", "--from", str(v5_records), "--to", str(v6_records))
    assert files.exit_code == 0, files.output
    assert "2 of 2 articles changed" in flat(files.stdout) and "topics" in files.stdout

    # The provenance log saw four model calls and every cache hit.
    log = CallLogStore()
    assert len(log.calls(LogFilter(status="ok"))) == 4
    assert len(log.calls(LogFilter(status="cached"))) == 2 + 4


def test_brief_from_saved_records_needs_no_model(
    fake_openai: FakeOpenAI, articles: Path, tmp_path: Path, isolated_home: Path
) -> None:
    script_pair(fake_openai, V2)
    records = tmp_path / "records.jsonl"
    made = run("summarise", str(articles), "--out", str(records), *MODEL, "-q", "--jobs", "1")
    assert made.exit_code == 0, made.output
    out = tmp_path / "brief.html"
    result = run("brief", str(records), "--out", str(out), "--country", "Türkiye")
    assert result.exit_code == 0, result.output
    assert "2 record(s) read" in flat(result.stderr)
    html = out.read_text()
    assert html.count('<details class="entry') == 1
    marks = re.findall(r'<mark class="hl (p\d)" data-kind="person"[^>]*>([^<]+)</mark>', html)
    assert {"Zakir Hasanov", "Celal Sami Tüfekçi", "Celal Sami Tufekci"} <= {t for _, t in marks}
    assert fake_openai.request_count == 2

    # Without the article store the texts are read again from the source files.
    (isolated_home / "articles.db").unlink()
    again = run("brief", str(records), "--out", str(out), "--no-sidecar")
    assert again.exit_code == 0, again.output
    assert re.findall(r'data-kind="person"', out.read_text())

    # Filters that match nothing give an empty briefing, not an error.
    none = run("brief", str(records), "--out", str(out), "--person", "Sergey Lavrov")
    assert none.exit_code == 0 and "0 entries" in flat(none.stderr)


def test_brief_rejects_an_unknown_output_format(tmp_path: Path, articles: Path) -> None:
    result = run("brief", str(articles), "--out", str(tmp_path / "brief.pdf"), *MODEL)
    assert result.exit_code == 101
    assert ".md" in flat(result.stderr) and ".html" in flat(result.stderr)


def test_diff_needs_both_sides(articles: Path) -> None:
    result = run("diff", str(articles), "--from", "meeting_summary@v5")
    assert result.exit_code == 101 and "--to" in result.stderr
