"""End to end on the real embedded model (Qwen2.5-Coder-1.5B GGUF via llama-cpp-python).

Slow (about half a minute): it loads the real model and summarises a real sample
article through the CLI, then checks what a user relies on in the record.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from communique.inputs import Article, read_inputs
from communique.schema import ArticleRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "004_cbaad0d94091b6a1.txt"

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def embedded_model() -> Path:
    """Assemble (once) and verify the embedded model in the real user cache."""
    from communique.extract.backends.model_assets import assemble_embedded_model

    return assemble_embedded_model()


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "communique", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_embedded_model_summarises_a_sample_article(embedded_model: Path, tmp_path: Path) -> None:
    import os

    env = dict(os.environ)
    env.update(
        COMMUNIQUE_HOME=str(tmp_path / "home"),
        COMMUNIQUE_MODEL_PATH=str(embedded_model),
    )
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    env.pop("COMMUNIQUE_PROMPT", None)  # the default prompt, as a user gets it
    out = tmp_path / "out.jsonl"

    first = _run(["summarise", str(SAMPLE), "--out", str(out)], env)
    assert first.returncode == 0, first.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    record = ArticleRecord.model_validate_json(lines[0])
    assert record.status == "ok"
    assert record.article.published is not None
    assert record.article.language == "en"
    assert record.provenance is not None and not record.provenance.cached
    assert record.provenance.prompt.startswith("meeting_summary@")
    assert record.provenance.usage.completion_tokens > 0

    article = next(iter(read_inputs([str(SAMPLE)])))
    assert isinstance(article, Article)
    text = article.text
    assert record.events, "the article reports a meeting"
    event = record.events[0]
    assert event.kind == "meeting" and event.happened
    names = {p.name for p in event.participants}
    # The host and the guest the article names, grounded in the text, without titles.
    assert {"Jeyhun Bayramov", "Osman Mesten"} <= names
    for participant in event.participants:
        assert participant.alignment != "ungrounded"
        for span in participant.evidence:
            assert text[span.start : span.end] == span.text
    assert event.summary

    second = _run(["summarise", str(SAMPLE), "--out", str(out)], env)
    assert second.returncode == 0, second.stderr
    again = ArticleRecord.model_validate_json(out.read_text().splitlines()[0])
    assert again.provenance is not None and again.provenance.cached
    assert again.events == record.events
    from communique.store.calllog import CallLogStore

    newest, first = CallLogStore(tmp_path / "home" / "logs.db").calls()
    assert newest["cached"] and newest["completion_tokens"] == 0
    assert first["completion_tokens"] == record.provenance.usage.completion_tokens


def test_embedded_model_record_is_complete_and_grounded(
    embedded_model: Path, tmp_path: Path
) -> None:
    """The people who also attended are there, the protocol signed in 2021 is not, and
    with --strict nothing is dropped because every name is found in the text."""
    import os

    sample = ROOT / "samples" / "000_daaaa6ecabdf314d.txt"
    env = dict(os.environ)
    env.update(COMMUNIQUE_HOME=str(tmp_path / "home"), COMMUNIQUE_MODEL_PATH=str(embedded_model))
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    env.pop("COMMUNIQUE_PROMPT", None)  # the default prompt, as a user gets it
    out = tmp_path / "out.jsonl"
    result = _run(["summarise", str(sample), "--strict", "--out", str(out)], env)
    assert result.returncode == 0, result.stderr
    record = ArticleRecord.model_validate_json(out.read_text().splitlines()[0])
    assert record.status == "ok" and record.provenance is not None
    assert record.provenance.dropped_ungrounded == 0
    (event,) = record.events
    names = {p.name for p in event.participants}
    assert {"Adalat Valiyev", "Zafer Sirakaya", "Tahir Budagov"} <= names
    assert all(p.alignment != "ungrounded" for p in event.participants)
    assert event.agreements == []  # the cooperation protocol was signed in 2021
