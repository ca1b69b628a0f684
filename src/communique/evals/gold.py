"""The gold label format of the eval set: a documented subset of the record schema.

Each case is two files in ``evals/cases/``: ``<case>.txt`` (the article, in the
same format ``communique summarise`` reads, optionally with a `` date YYYY-MM-DD``
header) and ``<case>.gold.json`` (a :class:`GoldCase`). Evidence spans, alignment
status and provenance are not labelled: they are derived, not judged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from communique.schema import EventKind, Location, Side, check_bare_name, check_summary


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldParticipant(_Gold):
    name: str = Field(description="Usual Latin spelling, no title.")
    aliases: list[str] = Field(
        default_factory=list, description="Other spellings that name the same person."
    )
    role: str | None = None
    affiliation: str | None = None
    side: Side
    head_of_delegation: bool = False

    @field_validator("name")
    @classmethod
    def _bare(cls, value: str) -> str:
        return check_bare_name(value)


class GoldEvent(_Gold):
    kind: EventKind
    happened: bool
    date: dt.date | None = None
    location: Location | None = None
    participants: list[GoldParticipant] = Field(default_factory=list)
    sides: list[str] = Field(default_factory=list)
    agreements: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    summary: str = Field(description="A reference summary (one to three sentences).")

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return check_summary(value)


class GoldCase(_Gold):
    id: str
    title: str = ""
    source: str = Field(description="Where the text comes from (publisher, URL or 'synthetic').")
    licence: str = Field(description="Licence that allows redistribution, or 'synthetic'.")
    synthetic: bool
    language: str = Field(description="ISO 639-1 code of the article's main language.")
    tags: list[str] = Field(default_factory=list, description="What the case covers.")
    notes: str = Field(default="", description="The hard calls and why they were made.")
    events: list[GoldEvent] = Field(default_factory=list)


def load_case(gold_path: Path) -> GoldCase:
    return GoldCase.model_validate_json(gold_path.read_text(encoding="utf-8"))


def case_paths(folder: Path) -> list[tuple[Path, Path]]:
    """(article, gold) file pairs in ``folder``, sorted by case id."""
    pairs = []
    for gold in sorted(folder.glob("*.gold.json")):
        article = gold.with_name(gold.name.removesuffix(".gold.json") + ".txt")
        pairs.append((article, gold))
    return pairs
