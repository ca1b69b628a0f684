"""Model turns after the first answer: merging a follow-up pass, re-asking a summary,
asking for roles in English.

``merge_drafts`` adds the events a follow-up turn found to the first answer,
leaving out those it merely repeats. ``reask_summaries`` asks once more, in the
same conversation, for each summary that contradicted its own event's fields.
``english_roles`` asks, in one more turn, for the English form of the roles the
model left in the article's language ("Canciller", "Premier").
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from communique.errors import CommuniqueError
from communique.extract.assemble import Assembled
from communique.extract.draft import DraftEvent, ExtractionDraft
from communique.extract.modelcall import CallLog, ModelCaller
from communique.extract.passes.summaries import problems_of
from communique.text.analysis import AnalysedText
from communique.text.language import is_english
from communique.text.names import name_key
from communique.text.summary_check import MAX_SUMMARY_WORDS


def _people(event: DraftEvent) -> set[str]:
    return {name_key(p.name) for p in event.people}


def repeats(new: DraftEvent, old: DraftEvent) -> bool:
    """A follow-up event that restates one already found: its people are among the
    other's (or the other's among its), of the same kind or a meeting/call confusion."""
    a, b = _people(new), _people(old)
    if not a or not b:
        return False
    same_people = a <= b or b <= a
    kinds = {new.kind, old.kind}
    compatible = len(kinds) == 1 or kinds <= {"meeting", "call", "signing", "other"}
    dates_differ = new.date is not None and old.date is not None and new.date != old.date
    return same_people and compatible and not dates_differ


def merge_drafts(first: ExtractionDraft, more: ExtractionDraft) -> ExtractionDraft:
    """The first answer's events, then the follow-up's events that are new."""
    events = list(first.events)
    for event in more.events:
        if not any(repeats(event, seen) for seen in events):
            events.append(event)
    return ExtractionDraft.model_validate({"events": [e.model_dump(mode="json") for e in events]})


class SummaryFix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=300, description="One English sentence, at most 35 words.")


def reask_summaries(
    caller: ModelCaller,
    draft: ExtractionDraft,
    assembled: Assembled,
    messages: list[dict[str, str]],
    part: AnalysedText,
    params: dict[str, Any],
    calls: CallLog,
) -> ExtractionDraft:
    """The draft with each contradicting summary rewritten once by the model.

    A rewrite that still contradicts its event is left for the summaries pass, which
    composes one from the fields. A failed call keeps the draft as it was.
    """
    fixed = draft.model_copy(deep=True)
    answer = calls.outputs[0] if calls.outputs else ""
    for event in assembled.events:
        index = assembled.draft_index(event)
        if event.origin != "model" or event.summary_origin != "composed" or index is None:
            continue
        written = fixed.events[index].summary
        if not written:
            continue
        event_written = event.model_copy(update={"summary": written})
        problems = problems_of(event_written, part.text, part.language)
        if not problems:
            continue
        names = ", ".join(p.name for p in event.participants) or "no one named"
        request = (
            f"In your answer, event {index + 1} ({event.kind} with {names}) has the summary "
            f"{written!r}, which {'; '.join(problems)}. Write a new summary of that event: one "
            f"English sentence of at most {MAX_SUMMARY_WORDS} words that says only what its "
            "fields say."
        )
        conversation = [
            *messages,
            {"role": "assistant", "content": answer},
            {"role": "user", "content": request},
        ]
        calls.next_turn()
        try:
            reply = caller.call_for(SummaryFix, conversation, params, calls, part.folded)
        except CommuniqueError:
            continue
        fixed.events[index].summary = reply.summary
    return fixed


def untranslated_roles(draft: ExtractionDraft, language: str | None) -> list[str]:
    """The draft's roles that do not read as English, each once, in order."""
    if language in (None, "en"):
        return []
    roles = (p.role for e in draft.events for p in e.people if p.role)
    return list(dict.fromkeys(r for r in roles if not is_english(r, language)))


def english_roles(
    caller: ModelCaller,
    draft: ExtractionDraft,
    conversation: list[dict[str, str]],
    params: dict[str, Any],
    calls: CallLog,
    part: AnalysedText,
) -> ExtractionDraft:
    """The draft with its untranslated roles in English, asked for as the next turn of
    ``conversation`` (which ends with the model's answer); a failed turn keeps them."""
    language = part.language
    roles = untranslated_roles(draft, language)
    if not roles:
        return draft
    # Each title is fixed in the schema (a constant the grammar writes for the model),
    # so the model writes only its English form. Asked for a bare list of English
    # titles, the small embedded model copied the titles back unchanged.
    listed = "\n".join(f"{i + 1}. {role}" for i, role in enumerate(roles))
    request = (
        "Some titles in your answer are not in English. Give each one in English as an "
        "English news agency would write it, a short official title (keep Deputy, Vice "
        f"or Acting):\n{listed}"
    )
    turn = [*conversation, {"role": "user", "content": request}]
    fields: dict[str, Any] = {
        f"t{i + 1}": (
            create_model(
                f"Title{i + 1}",
                __base__=_Strict,
                title=(Literal[role], ...),  # type: ignore[arg-type]
                in_english=(str, Field(max_length=80)),
            ),
            Field(...),
        )
        for i, role in enumerate(roles)
    }
    model = create_model("EnglishTitles", __base__=_Strict, **fields)
    calls.next_turn()
    try:
        reply = caller.call_for(model, turn, params, calls, part.folded)
    except CommuniqueError:
        return draft
    english: dict[str, str] = {}
    for i, role in enumerate(roles):
        title = str(getattr(reply, f"t{i + 1}").in_english).strip()
        if title and title.casefold() != role.casefold() and is_english(title, language):
            english[role] = title
    fixed = draft.model_copy(deep=True)
    for event in fixed.events:
        for person in event.people:
            if person.role in english:
                person.role = english[person.role]
    return fixed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
