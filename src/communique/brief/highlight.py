"""Evidence spans as highlighted runs of the source text (how the HTML briefing shows them).

Each participant, signed document and quote of an event carries spans into the
article text. :func:`segments` cuts the text at every span boundary, so nested and
overlapping spans (a name inside a quote) both show: each run knows every span that
covers it, and is drawn in the colour of the innermost one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from communique.brief.model import EventRef


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # person | document | quote
    label: str
    css: str  # the colour class


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[Mark, ...] = ()

    @property
    def top(self) -> Mark | None:
        """The innermost mark: the one drawn."""
        return min(self.marks, key=lambda m: m.end - m.start) if self.marks else None

    @property
    def title(self) -> str:
        return " · ".join(dict.fromkeys(m.label for m in self.marks))


def event_marks(
    ref: EventRef,
    text: str,
    person_at: Mapping[tuple[str, int], str],
    colour_of: Mapping[str, int],
    names: Mapping[str, str],
) -> list[Mark]:
    """The marks of one event's evidence spans that still fit ``text``."""
    marks: list[Mark] = []

    def add(start: int, end: int, span_text: str, kind: str, label: str, css: str) -> None:
        if 0 <= start < end <= len(text) and text[start:end] == span_text:
            marks.append(Mark(start, end, kind, label, css))

    for k, participant in enumerate(ref.event.participants):
        pid = person_at.get((ref.key, k), "")
        label = names.get(pid, participant.name)
        if participant.role:
            label += f" · {participant.role}"
        css = f"p{colour_of.get(pid, 0) % 10}"
        for span in participant.evidence:
            add(span.start, span.end, span.text, "person", label, css)
    for agreement in ref.event.agreements:
        for span in agreement.evidence:
            add(span.start, span.end, span.text, "document", f"signed: {agreement.title}", "doc")
    for quote in ref.event.quotes:
        for span in quote.evidence:
            add(span.start, span.end, span.text, "quote", f"quote · {quote.speaker}", "quote")
    return marks


def segments(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """``text`` cut into runs; each run carries the marks that cover it."""
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        if start == end:
            continue
        covering = tuple(m for m in marks if m.start <= start and end <= m.end)
        out.append(Segment(text[start:end], covering))
    return out
