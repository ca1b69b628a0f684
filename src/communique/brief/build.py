"""Write a briefing: merge, attach texts, mark changes against the sidecar, filter, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from communique.brief.diff import RecordsDiff
from communique.brief.merge import build_briefing, select
from communique.brief.model import Briefing
from communique.brief.regen import load_sidecar, mark_changes, sidecar_path, write_sidecar
from communique.brief.render_html import render_html
from communique.brief.render_md import render_markdown
from communique.brief.sources import attach_texts
from communique.errors import CommuniqueError
from communique.schema import ArticleRecord
from communique.store.articles import ArticleStore

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


@dataclass
class Written:
    briefing: Briefing
    paths: list[Path]
    sidecars: list[Path]
    diff: RecordsDiff | None  # against the previous briefing's records, when there was one


def check_outputs(outs: Sequence[Path]) -> None:
    for out in outs:
        if out.suffix.lower() not in FORMATS:
            raise CommuniqueError(
                f"--out {out}: write a .md (Markdown) or .html (one self-contained page) file"
            )


def write_briefing(
    records: Sequence[ArticleRecord],
    outs: Sequence[Path],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    countries: Sequence[str] = (),
    persons: Sequence[str] = (),
    title: str = "Briefing",
    store: ArticleStore | None = None,
    keep_records: bool = True,
) -> Written:
    """Render ``records`` to every file in ``outs`` (by suffix) and keep them in a sidecar."""
    check_outputs(outs)
    briefing = build_briefing(records, title=title)
    attach_texts(briefing.articles, store, link_base=outs[0].parent if outs else None)
    diff = None
    sidecars = list(dict.fromkeys(sidecar_path(out) for out in outs)) if keep_records else []
    if sidecars:
        previous = load_sidecar(sidecars[0])
        if previous is not None:
            diff = mark_changes(briefing, previous, records, str(sidecars[0]))
    shown = select(briefing, since, until, countries, persons)
    paths = []
    for out in outs:
        out.parent.mkdir(parents=True, exist_ok=True)
        kind = FORMATS[out.suffix.lower()]
        page = render_markdown(shown) if kind == "markdown" else render_html(shown)
        out.write_text(page, encoding="utf-8")
        paths.append(out)
    for sidecar in sidecars:
        write_sidecar(sidecar, records)
    return Written(shown, paths, sidecars, diff)
