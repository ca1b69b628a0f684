"""A briefing as one self-contained HTML page: inline CSS, JS and SVG, nothing fetched.

Each entry is a ``<details>`` that opens to its sources' texts, with the evidence
spans of its people, signed documents and quotes highlighted in place, one colour
per person (the same colour in every source), as LangExtract shows extractions.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from communique.brief.highlight import Segment, event_marks, segments
from communique.brief.model import Briefing, Entry
from communique.brief.render_md import entry_date
from communique.brief.svg import KIND_COLOURS, PALETTE, timeline, who_met_whom

TEMPLATES = Path(__file__).with_name("templates")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["entry_date"] = entry_date
    return env


def source_texts(briefing: Briefing, entry: Entry) -> list[tuple[str, list[Segment] | None]]:
    """(article id, highlighted runs of its text or None when the text is unavailable)."""
    colour_of = {pid: i for i, pid in enumerate(briefing.by_person())}
    names = {pid: p.name for pid, p in briefing.people.items()}
    out: list[tuple[str, list[Segment] | None]] = []
    for aid in entry.article_ids:
        text = briefing.articles[aid].text
        if text is None:
            out.append((aid, None))
            continue
        marks = [
            mark
            for ref in entry.refs
            if ref.article_id == aid
            for mark in event_marks(ref, text, briefing.person_at, colour_of, names)
        ]
        out.append((aid, segments(text, marks)))
    return out


def render_html(briefing: Briefing) -> str:
    colour_of = {pid: i % len(PALETTE) for i, pid in enumerate(briefing.by_person())}
    return (
        environment()
        .get_template("briefing.html.j2")
        .render(
            b=briefing,
            timeline=timeline(briefing.entries),
            graph=who_met_whom(briefing),
            texts={e.id: source_texts(briefing, e) for e in briefing.entries},
            colour_of=colour_of,
            palette=PALETTE,
            kind_colours=KIND_COLOURS,
            sources={aid for e in briefing.entries for aid in e.article_ids},
            merged=sum(len(e.article_ids) > 1 for e in briefing.entries),
        )
    )
