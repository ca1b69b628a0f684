"""Long articles in overlapping chunks, and the chunks' drafts merged back into one.

:func:`split` cuts a text into chunks of at most ``max_chars`` characters on sentence
boundaries, ending a chunk at a paragraph break when one falls in its second half,
and starting each chunk with the last sentences of the one before (up to ``overlap``
characters), so an event told across a boundary is whole in at least one chunk. A
sentence longer than a chunk is cut at a line break or a space (never inside a
word when there is one), as LangExtract does with its character buffer.

:func:`merge` joins the chunks' drafts: an event that restates one already found
(see :func:`same_event`: the same people, kind and date as far as each chunk tells
them) is merged into it rather than repeated. Offsets are no concern
here: the merged draft is assembled against the whole article, so every evidence
span indexes the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from communique.extract.draft import DraftEvent, ExtractionDraft

#: what the embedded model reads in one call (its 8,192-token context holds the prompt,
#: about 12,000 characters of article and the output allowance)
LOCAL_MAX_CHARS = 12_000
#: what a remote model reads in one call
REMOTE_MAX_CHARS = 24_000
#: above this an article gets an error record, never a huge request (--max-article-chars)
MAX_ARTICLE_CHARS = 500_000

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# a sentence ends at . ! ? or … (and any closing quotes or brackets), before a space
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")


@dataclass(frozen=True)
class Chunk:
    """``text[start:end]`` of the article the chunk was cut from."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    ends_paragraph: bool


def default_overlap(max_chars: int) -> int:
    return max_chars // 10


def _units(text: str, max_chars: int) -> list[_Unit]:
    """Sentences (and pieces of over-long ones), each with its trailing whitespace."""
    units: list[_Unit] = []
    start = 0
    for paragraph_end in [m.end() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        if paragraph_end <= start:
            continue
        cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, paragraph_end)]
        bounds = [c for c in cuts if start < c < paragraph_end] + [paragraph_end]
        for index, end in enumerate(bounds):
            for piece_start, piece_end in _pieces(text, start, end, max_chars):
                last = index == len(bounds) - 1 and piece_end == end
                units.append(_Unit(piece_start, piece_end, last))
            start = end
    return units


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``max_chars``, cut at a line break or a
    space in the piece's second half when there is one."""
    pieces = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < max_chars // 2:
            cut = max_chars - 1
        pieces.append((start, start + cut + 1))
        start += cut + 1
    pieces.append((start, end))
    return pieces


def split(text: str, max_chars: int, overlap: int | None = None) -> list[Chunk]:
    """``text`` in chunks of at most ``max_chars`` characters (one chunk if it fits)."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if len(text) <= max_chars:
        return [Chunk(0, len(text), text)]
    overlap = default_overlap(max_chars) if overlap is None else max(0, overlap)
    units = _units(text, max_chars)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1].end - units[first].start <= max_chars:
            last += 1
        if last + 1 < len(units):  # more follows: prefer to end at a paragraph
            half = units[first].start + max_chars // 2
            for candidate in range(last, first, -1):
                if units[candidate].ends_paragraph and units[candidate].end >= half:
                    last = candidate
                    break
        start, end = units[first].start, units[last].end
        chunks.append(Chunk(start, end, text[start:end]))
        if last + 1 >= len(units):
            break
        # the next chunk opens with the last sentences of this one
        following = last + 1
        while following - 1 > first and units[last].end - units[following - 1].start <= overlap:
            following -= 1
        first = following
    return chunks


def _unique(values: list[str], limit: int) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out[:limit]


def _union(kept: DraftEvent, other: DraftEvent) -> DraftEvent:
    """One event told in two chunks: the first telling, completed by the second."""
    from communique.text.names import name_key

    names = {name_key(p.name) for p in kept.people}
    people = list(kept.people) + [p for p in other.people if name_key(p.name) not in names]
    update: dict[str, Any] = {
        "people": people[:12],
        "signed": _unique([*kept.signed, *other.signed], 6),
        "topics": _unique([*kept.topics, *other.topics], 4),
    }
    for field in ("date", "city", "country", "summary"):
        if getattr(kept, field) is None and getattr(other, field) is not None:
            update[field] = getattr(other, field)
    return kept.model_copy(update=update)


def same_event(a: DraftEvent, b: DraftEvent) -> bool:
    """Two chunks' views of one event: one's people among the other's, or two people in
    common; kinds that agree (or a meeting/call/signing confusion); no different date.

    One person in common is not enough: a minister may meet two delegations in a day.
    """
    from communique.text.names import name_key

    people_a = {name_key(p.name) for p in a.people}
    people_b = {name_key(p.name) for p in b.people}
    if not people_a or not people_b:
        return False
    together = people_a <= people_b or people_b <= people_a or len(people_a & people_b) >= 2
    kinds = {a.kind, b.kind}
    agree = len(kinds) == 1 or kinds <= {"meeting", "call", "signing", "other"}
    dated_apart = a.date is not None and b.date is not None and a.date != b.date
    return together and agree and not dated_apart


def merge(drafts: list[ExtractionDraft]) -> ExtractionDraft:
    """The chunks' drafts as one, in reading order, each event once."""
    from communique.extract.draft import ExtractionDraft

    events: list[DraftEvent] = []
    for draft in drafts:
        for event in draft.events:
            for index, seen in enumerate(events):
                if same_event(event, seen):
                    events[index] = _union(seen, event)
                    break
            else:
                events.append(event)
    # a long article may report more events than one answer may hold
    return ExtractionDraft.model_construct(events=events)


def load_draft(data: dict[str, Any]) -> ExtractionDraft:
    """A cached draft, one answer's or several chunks' merged (which may hold more
    events than one answer may)."""
    from communique.extract.draft import DraftEvent, ExtractionDraft

    return ExtractionDraft.model_construct(
        events=[DraftEvent.model_validate(event) for event in data["events"]]
    )
