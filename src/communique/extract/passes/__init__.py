"""Post-model passes: small named steps that complete and correct the grounded draft.

Each pass reads the article (never the model) and edits the events in place; the
runner compares the events before and after each pass and records what changed
(:mod:`communique.extract.changes`), so a record says which step added a person or
turned a meeting into a call. ``COMMUNIQUE_PASSES_OFF=name,name`` switches passes
off, to measure what each is worth on the eval set.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass

from communique.extract.changes import describe_changes, snapshot
from communique.extract.passes import completion, examples, places, roles, split, summaries
from communique.schema import Event, PassReport
from communique.text.alignment import FoldedText
from communique.text.analysis import AnalysedText


@dataclass(frozen=True)
class PassContext:
    """The article the passes read."""

    article: AnalysedText
    published: dt.date | None
    #: the values of the prompt's worked examples (None: not checked)
    examples: examples.ExampleValues | None = None

    @property
    def text(self) -> str:
        return self.article.text

    @property
    def doc(self) -> FoldedText:
        return self.article.folded

    @property
    def language(self) -> str | None:
        return self.article.language

    @property
    def english(self) -> bool:
        return self.language in (None, "en")


@dataclass(frozen=True)
class Pass:
    name: str
    run: Callable[[list[Event], PassContext], None]


PASSES: tuple[Pass, ...] = (
    Pass(
        "missed_events",
        lambda ev, c: completion.add_missed_events(
            ev, c.text, c.doc, c.published, c.language, english=c.english
        ),
    ),
    Pass(
        "attendees",
        lambda ev, c: completion.add_attendees(ev, c.text, c.doc, c.language, english=c.english),
    ),
    Pass("signing_lead", lambda ev, c: completion.mark_signing(ev, c.text)),
    Pass("call_wording", lambda ev, c: completion.mark_calls(ev, c.text)),
    Pass("announced_lead", lambda ev, c: completion.mark_announced(ev, c.text, c.published)),
    Pass("places_english", lambda ev, c: places.english_places(ev, c.text, c.language, c.doc)),
    Pass("affiliations", lambda ev, c: places.ground_affiliations(ev, c.text, c.language)),
    Pass("roles", lambda ev, c: roles.ground_roles(ev, c.text, c.doc, c.language)),
    Pass("example_values", lambda ev, c: examples.drop_copied_values(ev, c.text, c.examples)),
    # after affiliations: who is on the anchor's side is known by then
    Pass("separate_meetings", lambda ev, c: split.split_separate_meetings(ev, c.text)),
    Pass("quotes", lambda ev, c: completion.add_quotes(ev, c.text)),
    Pass("summaries", lambda ev, c: summaries.check_summaries(ev, c.text, c.language)),
)


def disabled_passes() -> frozenset[str]:
    value = os.environ.get("COMMUNIQUE_PASSES_OFF", "")
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def run_passes(events: list[Event], context: PassContext) -> list[PassReport]:
    """Run every enabled pass in order; report those that changed something."""
    reports = []
    off = disabled_passes()
    for step in PASSES:
        if step.name in off:
            continue
        before = snapshot(events)
        step.run(events, context)
        changes = describe_changes(before, events)
        if changes:
            reports.append(PassReport(name=step.name, changes=changes))
    return reports
