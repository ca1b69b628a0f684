"""Shared parts of the benchmarks: the machine's description, real articles with
realistic model answers, the loopback OpenAI-compatible server of the tests, and
running the ``communique`` command as a user does (a separate process, timed, in a
folder of its own).

The model answers for real articles are built from the eval set's hand-labelled gold
records (``evals/cases*/``), shaped as the draft a model writes: the richest records
a model could return for those texts, so assembly and the cache see real work.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Scripted, completion  # noqa: E402

__all__ = [
    "CLI",
    "ROOT",
    "CliRun",
    "FakeOpenAI",
    "RealArticle",
    "Scripted",
    "cli_env",
    "completion",
    "fake_server_env",
    "machine",
    "read_jsonl",
    "real_articles",
    "run_cli",
]

#: the command as a user runs it, with this interpreter (and the code it imports)
CLI = (sys.executable, "-m", "communique")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "cpu": cpu,
        "cores": cores,
        "load_1min": round(load, 2),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


@dataclass(frozen=True)
class RealArticle:
    name: str
    file_text: str  # as saved: the ` date YYYY-MM-DD` header, then the body
    draft: dict[str, Any]  # a model answer for it


def _draft_person(person: dict[str, Any], body: str) -> dict[str, Any] | None:
    for name in [person["name"], *person.get("aliases", [])]:
        if name and name in body:
            return {
                "name": name,
                "role": (person.get("role") or None) and person["role"][:120],
                "org": (person.get("affiliation") or None) and person["affiliation"][:70],
                "side": person.get("side", "other"),
                "lead": bool(person.get("head_of_delegation")),
            }
    return None


def gold_draft(gold: dict[str, Any], body: str) -> dict[str, Any]:
    """The draft a model would write for a gold record (names as the text spells them)."""
    events = []
    for event in gold["events"][:6]:
        location = event.get("location") or {}
        people = [_draft_person(p, body) for p in event.get("participants", [])]
        events.append(
            {
                "kind": event["kind"],
                "happened": event["happened"],
                "date": event.get("date"),
                "city": location.get("city"),
                "country": location.get("country"),
                "people": [p for p in people if p is not None][:12],
                "signed": [a[:120] for a in event.get("agreements", [])][:6],
                "topics": [t[:60] for t in event.get("topics", [])][:4],
                "summary": event["summary"][:400],
            }
        )
    return {"events": events}


def real_articles() -> list[RealArticle]:
    """Every hand-labelled real article of the eval set, with a draft from its gold."""
    articles = []
    for folder in ("cases", "cases-test"):
        for gold_path in sorted((ROOT / "evals" / folder).glob("*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            if gold.get("synthetic"):
                continue
            text_path = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt"))
            file_text = text_path.read_text(encoding="utf-8")
            articles.append(RealArticle(text_path.stem, file_text, gold_draft(gold, file_text)))
    return articles


def cli_env(home: Path | None = None, /, **settings: str) -> dict[str, str]:
    """This process's environment for a run of the command, without ``OPENAI_API_KEY``
    (no benchmark may reach the real API). With `home`, everything the command keeps
    goes there: ``COMMUNIQUE_HOME`` and the result cache (``home/results``). `settings`
    are set last."""
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    if home is not None:
        env.update(COMMUNIQUE_HOME=str(home), COMMUNIQUE_CACHE_DIR=str(home / "results"))
    env.update(settings)
    return env


def fake_server_env(home: Path, base_url: str, /, **settings: str) -> dict[str, str]:
    """:func:`cli_env` for ``-m openai:NAME`` answered by a :class:`FakeOpenAI` at
    `base_url`."""
    # The fake server answers one v5-shaped draft (with a summary) per request; later
    # prompts add a follow-up turn the fake does not script.
    settings.setdefault("COMMUNIQUE_PROMPT", "meeting_summary@v5")
    return cli_env(home, OPENAI_BASE_URL=base_url, **settings)


@dataclass(frozen=True)
class CliRun:
    """One finished run of the command."""

    exit: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float  # the command's own user and system CPU time (it and its children)


def run_cli(args: Sequence[str], env: Mapping[str, str], *, command: Sequence[str] = CLI) -> CliRun:
    """Run ``command args`` to its end, output captured; time it and count its CPU."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [*command, *args], env=dict(env), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return CliRun(done.returncode, done.stdout, done.stderr, wall, cpu)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file the command wrote."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
