"""The meeting record: one :class:`ArticleRecord` per article, holding its events.

This is communique's output contract. Its JSON Schema is exported to
``schemas/article_record.schema.json`` (``communique schema --write``) and a test
fails when the committed file drifts from these models.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from communique.text.names import name_key, title_in_name
from communique.text.spans import AlignmentStatus as AlignmentStatus
from communique.text.spans import Span as Span

SCHEMA_VERSION = "1.2.0"

EventKind = Literal["meeting", "call", "signing", "announcement", "other"]
Side = Literal["host", "visitor", "other"]
Origin = Literal["model", "text"]
Status = Literal["ok", "error"]


def check_bare_name(name: str) -> str:
    """Reject empty names and names that carry a title or position."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("a participant name is empty; give the person's name as written")
    title = title_in_name(name)
    if title is not None:
        raise ValueError(
            f"participant name {name!r} contains the title {title!r}; "
            "put titles and positions in role and give only the person's name"
        )
    return name


def check_summary(summary: str) -> str:
    """Reject an empty summary."""
    summary = " ".join(summary.split())
    if not summary:
        raise ValueError("summary is empty; write one to three English sentences")
    return summary


def duplicate_names(names: list[str]) -> list[str]:
    """Names that occur more than once (order-insensitive, diacritic-insensitive)."""
    seen: dict[str, str] = {}
    dupes: list[str] = []
    for name in names:
        key = name_key(name)
        if key in seen and name not in dupes:
            dupes.append(name)
        seen.setdefault(key, name)
    return dupes


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Grounded(_Model):
    """A phrase of the article that backs a value given in English (a role, an affiliation)."""

    text: str = Field(description="The phrase as the article words it, in its language.")
    alignment: AlignmentStatus = "exact"
    evidence: list[Span] = Field(default_factory=list)


class Participant(_Model):
    """A person who took part in the event (not one merely mentioned)."""

    name: str = Field(description="The person's name without any title or position.")
    role: str | None = Field(default=None, description="Title or position, in English.")
    role_source: Grounded | None = Field(
        default=None, description="Where the article states the role, in its own words."
    )
    affiliation: str | None = Field(
        default=None,
        description="Country (English short name) or organisation the person represents.",
    )
    affiliation_source: Grounded | None = Field(
        default=None, description="The mention of that country or organisation the person is given."
    )
    side: Side = Field(description="host, visitor (guest), or other.")
    head_of_delegation: bool = False
    alignment: AlignmentStatus = Field(
        default="ungrounded", description="How the name was found in the source text."
    )
    evidence: list[Span] = Field(default_factory=list)
    origin: Origin = Field(
        default="model",
        description="model: named by the language model; text: found in a sentence saying "
        "the person also attended, accompanied the delegation or signed.",
    )

    @field_validator("name")
    @classmethod
    def _bare_name(cls, value: str) -> str:
        return check_bare_name(value)


class Agreement(_Model):
    """A document signed at the event."""

    title: str = Field(min_length=1)
    alignment: AlignmentStatus = "ungrounded"
    evidence: list[Span] = Field(default_factory=list)


class Quote(_Model):
    """A statement the article quotes from one of the event's participants, verbatim."""

    text: str = Field(min_length=1, description="The quoted words as in the article.")
    speaker: str = Field(description="The participant who said it (their name in the record).")
    alignment: AlignmentStatus = "exact"
    evidence: list[Span] = Field(default_factory=list)


class Location(_Model):
    city: str | None = None
    country: str | None = None


class Event(_Model):
    """One meeting, call, signing or announced future event reported by the article."""

    kind: EventKind
    happened: bool = Field(description="False for an event announced for later.")
    date: dt.date | None = Field(
        default=None, description="ISO date of the event; null when the text does not give it."
    )
    date_text: str | None = Field(default=None, description="The date as the text words it.")
    location: Location | None = None
    participants: list[Participant] = Field(default_factory=list)
    sides: list[str] = Field(
        default_factory=list, description="Countries and organisations represented."
    )
    agreements: list[Agreement] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    summary: str = Field(description="One English sentence of at most 35 words.")
    summary_origin: Literal["model", "composed"] = Field(
        default="model",
        description="model: written by the language model and checked against the fields; "
        "composed: built from the validated fields (the prompt asked for none, or the "
        "model's contradicted them).",
    )
    origin: Origin = Field(
        default="model",
        description="model: reported by the language model; text: a meeting or call a "
        "sentence plainly reports that the model missed.",
    )

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return check_summary(value)

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        dupes = duplicate_names([p.name for p in self.participants])
        if dupes:
            raise ValueError(f"participants listed twice in one event: {', '.join(dupes)}")
        if self.kind == "announcement" and self.happened:
            raise ValueError("an announced future event cannot have happened already")
        return self


class ArticleInfo(_Model):
    id: str | None = Field(
        description="Content hash of the article text (sha256, 16 hex digits); "
        "null when the input could not be read."
    )
    source: str = Field(
        description="File path, path:line for JSONL, '-' for stdin, or the URL of a web page "
        "or feed item."
    )
    external_id: str | None = Field(default=None, description="The 'id' given in a JSONL feed.")
    published: dt.date | None = None
    title: str | None = Field(
        default=None, description="The headline of a web page or feed item, when it has one."
    )
    feed: str | None = Field(default=None, description="The URL of the feed that listed the item.")
    encoding: str | None = Field(
        default=None,
        description="The character encoding the input was decoded from (Python codec name: "
        "utf-8, utf-8-sig, utf-16, cp1251 ...), detected when the input did not say.",
    )
    language: str | None = Field(default=None, description="ISO 639-1 code, detected.")
    chars: int = Field(ge=0, description="Length of the article text; spans index into it.")


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = Field(default=0, description="Model calls made, re-asks included.")
    cut_retries: int = Field(
        default=0,
        description="Second tries, with twice the max_tokens, after an output cut off at "
        "max_tokens kept no complete event.",
    )


class PassReport(_Model):
    """What one post-model pass changed in the record."""

    name: str
    changes: list[str] = Field(default_factory=list)


class CheckedValue(_Model):
    """A doubtful value asked again in the verification turn, with options from the text."""

    event: int = Field(description="The event's number in the model's answer (1 = first).")
    field: Literal["city", "affiliation", "date"]
    person: str | None = Field(default=None, description="Whose affiliation was asked.")
    stated: str = Field(description="The value the answer first stated.")
    options: list[str] = Field(default_factory=list)
    answer: str
    outcome: Literal["confirmed", "corrected", "left out"] = Field(
        description="confirmed: the value stays; corrected: another option the text names "
        "replaced it; left out: the model answered that the text does not state it."
    )


class Provenance(_Model):
    prompt: str = Field(description="Prompt id, e.g. meeting_summary@v1.")
    prompt_sha256: str
    model: str
    backend: str
    schema_version: str
    params: dict[str, Any] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = 0.0
    cached: bool = False
    truncated: bool = Field(
        default=False,
        description="The output hit max_tokens; the events completed before the cut were kept.",
    )
    instructions_removed: int = Field(
        default=0,
        description="Paragraphs addressed to the model ('Ignore the above and ...') that "
        "were kept from it.",
    )
    dropped_ungrounded: int = Field(
        default=0, description="Values dropped by --strict because no source span supports them."
    )
    model_passes: int = Field(
        default=1,
        description="Extraction passes over the article (2: a follow-up turn asked "
        "for events the first answer missed; one more for each recall turn, which asked "
        "about one sentence naming someone in no event yet).",
    )
    passes: list[PassReport] = Field(
        default_factory=list, description="What each post-model pass changed."
    )
    checked: list[CheckedValue] = Field(
        default_factory=list,
        description="Values the verification turn asked again, and what became of each.",
    )


class ErrorInfo(_Model):
    kind: str
    message: str
    last_output: str | None = None


class ArticleRecord(_Model):
    """Everything communique says about one article: its events, or why it failed."""

    schema_version: str = SCHEMA_VERSION
    status: Status = "ok"
    article: ArticleInfo
    events: list[Event] = Field(default_factory=list)
    provenance: Provenance | None = None
    error: ErrorInfo | None = None

    @model_validator(mode="after")
    def _status_matches(self) -> ArticleRecord:
        if self.status == "error" and self.error is None:
            raise ValueError("an error record needs an error")
        if self.status == "ok" and self.error is not None:
            raise ValueError("an ok record cannot carry an error")
        return self


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`ArticleRecord`, as committed under ``schemas/``."""
    schema = ArticleRecord.model_json_schema()
    schema["$id"] = f"https://communique.invalid/schemas/article_record/{SCHEMA_VERSION}"
    schema["title"] = "communique ArticleRecord"
    return schema


def dump_json_schema(path: Path) -> None:
    path.write_text(json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n")
