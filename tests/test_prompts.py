"""Versioned prompts: released files are immutable, the default is the newest released one."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.errors import PromptError
from communique.extract.prompts import (
    LOCK_FILE,
    available_prompts,
    load_prompt,
    parse_prompt,
    prompts_dir,
    read_lock,
    update_lock,
)

REPO_PROMPTS = Path(__file__).resolve().parents[1] / "prompts"

TEMPLATE = """+++
version = "{version}"
description = "test prompt {version}"
released = {released}

[params]
temperature = {temperature}
max_tokens = 100
+++
=== system ===
System text of {version}.
=== user ===
Article:
{{{{ text }}}}
"""


def make_prompt(
    root: Path, name: str, version: str, *, released: bool = True, temperature: float = 0.0
) -> Path:
    path = root / name / f"{version}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        TEMPLATE.format(version=version, released=str(released).lower(), temperature=temperature),
        encoding="utf-8",
    )
    return path


# -- the repository's prompts -----------------------------------------------------------


def test_checkout_prompts_folder_is_used():
    assert prompts_dir().resolve() == REPO_PROMPTS.resolve()


def test_released_prompts_match_the_lock_file():
    lock_path = REPO_PROMPTS / LOCK_FILE
    if not lock_path.is_file():
        pytest.fail(
            f"{lock_path} does not exist: run `communique prompts lock` to record the "
            "sha256 of every released prompt, and commit the file"
        )
    lock = json.loads(lock_path.read_text())
    released = [p for p in available_prompts(REPO_PROMPTS) if p.released]
    assert released, "no released prompt in prompts/"
    for prompt in released:
        assert prompt.id in lock, (
            f"{prompt.id} is released but not locked: run `communique prompts lock`"
        )
        assert lock[prompt.id] == prompt.sha256, (
            f"{prompt.id} is released and locked, but its file changed "
            f"(locked {lock[prompt.id][:12]}, now {prompt.sha256[:12]}): released prompts "
            "are immutable, copy the file to a new version instead"
        )
    for prompt_id in lock:
        name, _, version = prompt_id.partition("@")
        assert (REPO_PROMPTS / name / f"{version}.md").is_file(), (
            f"{prompt_id} is in {LOCK_FILE} but its file is gone: released prompts stay"
        )


def test_default_prompt_is_the_newest_released_version(monkeypatch):
    monkeypatch.delenv("COMMUNIQUE_PROMPT")
    released = [p for p in available_prompts() if p.name == "meeting_summary" and p.released]
    assert released
    newest = max(released, key=lambda p: int(p.version[1:]))
    assert load_prompt().id == newest.id
    assert load_prompt("meeting_summary").id == newest.id
    assert load_prompt(None).id == newest.id


def test_v1_front_matter_params_are_loaded():
    path = REPO_PROMPTS / "meeting_summary" / "v1.md"
    prompt = load_prompt("meeting_summary@v1")
    meta = tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])
    assert prompt.params == meta["params"]
    assert prompt.released is meta["released"]
    assert prompt.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prompt.id == "meeting_summary@v1"


def test_messages_render_the_article():
    prompt = load_prompt("meeting_summary@v1")
    messages = prompt.messages(text="Ministers met in Baku.", published=None)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == prompt.system
    assert "{{" not in messages[1]["content"]
    assert "Ministers met in Baku." in messages[1]["content"]
    # the system part does not depend on the article (so a model's KV cache is reused)
    other = prompt.messages(text="Another article.", published=None)
    assert other[0] == messages[0]


# -- resolving ids ----------------------------------------------------------------------


def test_newest_released_version_is_numeric_and_skips_unreleased(tmp_path):
    make_prompt(tmp_path, "talks", "v1")
    make_prompt(tmp_path, "talks", "v2")
    make_prompt(tmp_path, "talks", "v10")
    make_prompt(tmp_path, "talks", "v11", released=False)
    assert load_prompt("talks", root=tmp_path).version == "v10"
    # an unreleased version can still be asked for by its id
    assert load_prompt("talks@v11", root=tmp_path).released is False
    assert [p.version for p in available_prompts(tmp_path)] == ["v1", "v2", "v10", "v11"]


def test_unknown_prompt_name(tmp_path):
    make_prompt(tmp_path, "talks", "v1")
    with pytest.raises(PromptError, match="unknown prompt 'nope'") as info:
        load_prompt("nope", root=tmp_path)
    assert "talks" in str(info.value)


def test_unknown_version(tmp_path):
    make_prompt(tmp_path, "talks", "v1")
    with pytest.raises(PromptError, match="no version 'v9'") as info:
        load_prompt("talks@v9", root=tmp_path)
    assert "v1" in str(info.value)


def test_unknown_prompt_in_the_repository():
    with pytest.raises(PromptError):
        load_prompt("no_such_prompt")
    with pytest.raises(PromptError):
        load_prompt("meeting_summary@v999")


def test_prompt_without_released_version(tmp_path):
    make_prompt(tmp_path, "draft_only", "v1", released=False)
    with pytest.raises(PromptError, match="no released version"):
        load_prompt("draft_only", root=tmp_path)


@pytest.mark.parametrize(
    "content,message",
    [
        ("=== system ===\nx\n=== user ===\n{{ text }}\n", "front matter"),
        ('+++\nversion = "v1\n+++\n=== system ===\nx\n=== user ===\ny\n', "bad front matter"),
        ('+++\nversion = "v1"\n+++\n=== system ===\nonly a system part\n', "section"),
        ('+++\nversion = "v2"\n+++\n=== system ===\nx\n=== user ===\ny\n', "does not match"),
    ],
    ids=["no-front-matter", "bad-toml", "no-user-section", "version-mismatch"],
)
def test_malformed_prompt_files(tmp_path, content, message):
    path = tmp_path / "broken" / "v1.md"
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(PromptError, match=message):
        parse_prompt(path, "broken")


def test_prompts_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("COMMUNIQUE_PROMPT")
    make_prompt(tmp_path, "meeting_summary", "v7")
    monkeypatch.setenv("COMMUNIQUE_PROMPTS_DIR", str(tmp_path))
    assert prompts_dir() == tmp_path
    assert load_prompt().id == "meeting_summary@v7"


# -- the lock -----------------------------------------------------------------------------


def test_update_lock_records_released_prompts_only(tmp_path):
    released = make_prompt(tmp_path, "talks", "v1")
    make_prompt(tmp_path, "talks", "v2", released=False)
    assert read_lock(tmp_path) == {}
    lock = update_lock(tmp_path)
    assert lock == {"talks@v1": hashlib.sha256(released.read_bytes()).hexdigest()}
    assert read_lock(tmp_path) == lock
    assert json.loads((tmp_path / LOCK_FILE).read_text()) == lock
    # idempotent
    assert update_lock(tmp_path) == lock


def test_update_lock_refuses_a_changed_released_prompt(tmp_path):
    path = make_prompt(tmp_path, "talks", "v1")
    update_lock(tmp_path)
    before = (tmp_path / LOCK_FILE).read_text()
    path.write_text(path.read_text().replace("System text", "Edited system text"))
    with pytest.raises(PromptError, match="immutable"):
        update_lock(tmp_path)
    assert (tmp_path / LOCK_FILE).read_text() == before


def test_cli_prompts_lock_and_list(tmp_path, monkeypatch):
    shutil.copytree(REPO_PROMPTS / "meeting_summary", tmp_path / "meeting_summary")
    path = make_prompt(tmp_path, "talks", "v1")
    monkeypatch.setenv("COMMUNIQUE_PROMPTS_DIR", str(tmp_path))
    runner = CliRunner()

    locked = runner.invoke(app, ["prompts", "lock"])
    assert locked.exit_code == 0, locked.output
    assert "4 released prompt(s) locked" in locked.stdout
    assert set(read_lock(tmp_path)) == {
        "meeting_summary@v1",
        "meeting_summary@v5",
        "meeting_summary@v7",
        "talks@v1",
    }

    listed = runner.invoke(app, ["prompts", "list"])
    assert listed.exit_code == 0, listed.output
    assert "meeting_summary@v1" in listed.stdout and "talks@v1" in listed.stdout

    path.write_text(path.read_text().replace("System text", "Changed"))
    changed = runner.invoke(app, ["prompts", "list"])
    assert "CHANGED" in changed.stdout
    refused = runner.invoke(app, ["prompts", "lock"])
    assert refused.exit_code == 101
    assert "immutable" in " ".join(refused.stderr.split())


def test_communique_prompt_pins_the_default(monkeypatch):
    monkeypatch.setenv("COMMUNIQUE_PROMPT", "meeting_summary@v1")
    assert load_prompt().id == "meeting_summary@v1"
    assert load_prompt("meeting_summary@v5").id == "meeting_summary@v5"  # named wins
