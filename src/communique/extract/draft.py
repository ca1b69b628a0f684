"""The compact shape the language model fills in.

Output tokens dominate the cost of a local model, so the model writes short keys
and copies the date as worded in the text; :mod:`communique.extract.assemble` turns a
draft into the full :class:`~communique.schema.ArticleRecord` (ISO dates, sides,
evidence spans). Length and count bounds here become grammar limits for the
embedded model, so a run can never ramble until ``max_tokens``.

Validation messages are addressed to the model: instructor feeds them back on a
re-ask, so each says what to change.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from communique.schema import (
    EventKind,
    Side,
    check_bare_name,
    check_summary,
    duplicate_names,
)
from communique.text.alignment import FoldedText, align
from communique.text.names import name_key


def _article(info: ValidationInfo) -> FoldedText | None:
    """The article under extraction, when the caller passed it as validation context."""
    context = info.context
    if isinstance(context, dict):
        doc = context.get("article")
        if isinstance(doc, FoldedText):
            return doc
    return None


TOPIC_MAX = 60


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Built once per model and arguments (instructor asks on every call, and building
        it costs milliseconds); each caller gets its own copy."""
        return copy.deepcopy(_json_schema(_unwrapped(cls), args, tuple(sorted(kwargs.items()))))


def _unwrapped(model: type[_Draft]) -> type[_Draft]:
    """The draft class under instructor's per-call wrapper (a subclass of it and of
    instructor's ResponseSchema, with no fields of its own and the same schema)."""
    bases = model.__bases__
    while (
        len(bases) == 2
        and bases[1].__name__ == "ResponseSchema"
        and issubclass(bases[0], _Draft)
        and model.model_fields.keys() == bases[0].model_fields.keys()
    ):
        model = bases[0]
        bases = model.__bases__
    return model


@lru_cache(maxsize=256)
def _json_schema(
    model: type[_Draft], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]
) -> dict[str, Any]:
    return BaseModel.model_json_schema.__func__(model, *args, **dict(kwargs))  # type: ignore[attr-defined,no-any-return]


def _drop_english(schema: dict[str, Any]) -> None:
    schema.get("properties", {}).pop("en", None)


def _require_english(schema: dict[str, Any]) -> None:
    if "en" not in schema.get("required", []):
        schema.setdefault("required", []).insert(1, "en")


class DraftPerson(_Draft):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_english)

    name: str = Field(max_length=60, description="Name only, no title.")
    en: str | None = Field(
        default=None,
        max_length=60,
        description="The name as usually written in English, in the nominative.",
    )
    role: str | None = Field(max_length=120, description="Title or position.")
    org: str | None = Field(max_length=70, description="Country or organisation represented.")
    side: Side
    lead: bool = Field(description="Heads a delegation or leads their side.")

    @field_validator("name")
    @classmethod
    def _bare_name(cls, value: str, info: ValidationInfo) -> str:
        value = check_bare_name(value)
        doc = _article(info)
        if doc is not None and not align(doc.text, value, doc=doc, is_name=True).grounded:
            raise ValueError(
                f"the name {value!r} does not occur in the article; give only people the "
                "article names, spelled as in the article"
            )
        return value


def _require_summary(schema: dict[str, Any]) -> None:
    if "summary" in schema.get("properties", {}) and "summary" not in schema.get("required", []):
        schema.setdefault("required", []).append("summary")


class DraftEvent(_Draft):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_require_summary)

    kind: EventKind
    happened: bool
    date: str | None = Field(max_length=40, description="Event date as worded in the text.")
    city: str | None = Field(max_length=40)
    country: str | None = Field(max_length=40)
    people: list[DraftPerson] = Field(max_length=12)
    signed: list[Annotated[str, Field(max_length=120)]] = Field(
        max_length=6, description="Titles of documents signed."
    )
    topics: list[Annotated[str, Field(max_length=TOPIC_MAX)]] = Field(max_length=4)
    summary: str | None = Field(default=None, max_length=400)

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str | None) -> str | None:
        return None if value is None else check_summary(value)

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DraftEvent:
        if duplicate_names([p.name for p in self.people]):
            # a small model sometimes lists a person twice; keeping the first costs
            # nothing, while a re-ask costs a whole new answer
            seen: set[str] = set()
            unique = []
            for person in self.people:
                if name_key(person.name) not in seen:
                    seen.add(name_key(person.name))
                    unique.append(person)
            self.people = unique
        if self.kind == "announcement" and self.happened:
            raise ValueError(
                "kind is announcement (a future event) but happened is true; "
                "set happened to false, or use another kind for an event that took place"
            )
        return self


class ExtractionDraft(_Draft):
    # the model writes at most 6 events a turn (draft_model); a follow-up turn adds more
    events: list[DraftEvent] = Field(max_length=12)


def _drop_summary(schema: dict[str, Any]) -> None:
    schema.get("properties", {}).pop("summary", None)
    if "summary" in schema.get("required", []):
        schema["required"].remove("summary")


class _PersonWithEnglish(DraftPerson):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_require_english)


class _EventWithoutSummary(DraftEvent):
    """An event the model writes without a summary (it is composed from the record)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_summary)


@lru_cache(maxsize=64)
@lru_cache(maxsize=64)
def draft_model(
    names: tuple[str, ...] | None = None,
    dates: tuple[str, ...] | None = None,
    documents: tuple[str, ...] | None = None,
    *,
    summary: bool = True,
    english_names: bool = False,
) -> type[ExtractionDraft]:
    """The draft model, with names, dates and signed documents restricted to the article.

    Each argument lists the candidates found in the article; None leaves that field
    free. The restriction shows in the JSON Schema as an ``enum``, which the embedded
    backend turns into grammar, so the model can only pick a wording that occurs in
    the text (no candidates: a date must be null and ``signed`` empty). With
    ``summary=False`` the model is not asked for a summary: the record composes one
    from its validated fields, which costs no output tokens and cannot contradict them.
    With ``english_names`` each person also gets ``en``, their usual English spelling
    (for names in another script or orthography; checked against the text's form).
    """
    if names is None and dates is None and documents is None and summary and not english_names:
        return ExtractionDraft
    person: Any = DraftPerson
    person_fields: dict[str, Any] = {}
    if names:
        person_fields["name"] = (_one_of(names), Field(description="Name only, no title."))
    if english_names:
        person_fields["en"] = (
            str,
            Field(max_length=60, description="The name as usually written in English."),
        )
    if person_fields:
        person_base = _PersonWithEnglish if english_names else DraftPerson
        person = create_model("DraftPerson", __base__=person_base, **person_fields)
    event_fields: dict[str, Any] = {"people": (list[person], Field(max_length=12))}
    if dates is not None:
        date_type: Any = _one_of(dates) | None if dates else None
        event_fields["date"] = (date_type, Field(description="Event date as worded in the text."))
    if documents is not None:
        signed: Any = list[_one_of(documents)] if documents else list[str]  # type: ignore[misc]
        event_fields["signed"] = (signed, Field(max_length=4 if documents else 0))
    if not summary:
        event_fields["summary"] = (None, Field(default=None))
    base = DraftEvent if summary else _EventWithoutSummary
    event: Any = create_model("DraftEvent", __base__=base, **event_fields)
    model: type[ExtractionDraft] = create_model(
        "ExtractionDraft",
        __base__=ExtractionDraft,
        events=(list[event], Field(max_length=6)),
    )
    return model


def _one_of(values: tuple[str, ...]) -> Any:
    return Literal.__getitem__(values)
