"""Shared parts of the benchmarks: the machine's description, real articles with
realistic model answers, and the loopback OpenAI-compatible server of the tests.

The model answers for real articles are built from the eval set's hand-labelled gold
records (``evals/cases*/``), shaped as the draft a model writes: the richest records
a model could return for those texts, so assembly and the cache see real work.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Scripted, completion  # noqa: E402

__all__ = [
    "ROOT",
    "FakeOpenAI",
    "RealArticle",
    "Scripted",
    "completion",
    "machine",
    "real_articles",
]


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
