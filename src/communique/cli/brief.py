"""``communique brief`` and ``communique diff``: briefings, and what moved between runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from communique.cli.app import (
    ModelOption,
    PromptOption,
    app,
    err,
    fail,
    progress_bar,
    short_source,
)
from communique.errors import CommuniqueError

if TYPE_CHECKING:
    from communique.brief.sources import Gathered
    from communique.extract.pipeline import Summariser

PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Articles (.txt, .html, JSONL feeds, folders) or record files from "
        "`communique summarise` (.jsonl).",
        show_default=False,
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Result cache folder (default: $COMMUNIQUE_CACHE_DIR)."),
]


def _date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{flag} {value!r}: give a date as YYYY-MM-DD") from exc


def make_summariser(
    model: str, prompt: str | None, cache_dir: Path | None, refresh: bool
) -> Summariser:
    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.store.cache import ResultCache

    return Summariser(
        get_backend(model), load_prompt(prompt), cache=ResultCache(cache_dir), refresh=refresh
    )


def gather_records(
    paths: list[str],
    model: str,
    prompt: str | None,
    cache_dir: Path | None,
    refresh: bool,
    quiet: bool = False,
) -> Gathered:
    from communique.brief.sources import gather

    with progress_bar(disable=quiet) as progress:
        task = progress.add_task("reading", total=None)

        def on_item(source: str) -> None:
            progress.update(task, description=f"summarising {escape(short_source(source))}")
            progress.advance(task)

        return gather(
            paths,
            lambda: make_summariser(model, prompt, cache_dir, refresh),
            on_item,
        )


def report_gathered(got: Gathered, label: str = "") -> None:
    parts = []
    if got.read:
        parts.append(f"{got.read} record(s) read")
    summarised = got.reused + got.recomputed
    if summarised or not got.read:
        parts.append(
            f"{summarised} article(s) summarised: {got.reused} reused from the cache, "
            f"{got.recomputed} recomputed"
        )
    if got.failed:
        parts.append(f"{got.failed} failed")
    err.print(f"{label}{'; '.join(parts)}", highlight=False, markup=False)


@app.command()
def brief(
    paths: PathsArg,
    out: Annotated[
        list[Path],
        typer.Option(
            "--out",
            "-o",
            help="Write the briefing here: .md (Markdown) or .html (one self-contained page). "
            "Repeat for both.",
            show_default=False,
        ),
    ],
    since: Annotated[
        str | None, typer.Option("--from", help="Only entries on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Only entries on or before this date.")
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="Only entries involving this country (repeatable)."),
    ] = None,
    person: Annotated[
        list[str] | None,
        typer.Option("--person", help="Only entries with this person, any spelling (repeatable)."),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="The briefing's title.")] = "Briefing",
    model: ModelOption = "local",
    prompt: PromptOption = None,
    cache_dir: CacheDirOption = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Recompute every article and update the cache.")
    ] = False,
    no_sidecar: Annotated[
        bool,
        typer.Option(
            "--no-sidecar",
            help="Neither compare with nor keep the records next to the briefing "
            "(FILE.records.jsonl).",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Make a briefing: meetings in date order, merged across articles, by country pair
    and by person, with the evidence in the source texts.

    Articles go through the result cache: a record whose key is unchanged is reused
    and only the rest are recomputed. The records behind the briefing are kept next to
    it (FILE.records.jsonl); a briefing written over an earlier one marks the entries
    that are new or changed, and the fields that moved.
    """
    from communique.brief.build import check_outputs, write_briefing

    start, end = _date(since, "--from"), _date(until, "--to")
    try:
        check_outputs(out)
        got = gather_records(paths, model, prompt, cache_dir, refresh, quiet)
        written = write_briefing(
            got.records,
            out,
            since=start,
            until=end,
            countries=country or [],
            persons=person or [],
            title=title,
            keep_records=not no_sidecar,
        )
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    report_gathered(got)
    b = written.briefing
    merged = sum(len(e.article_ids) > 1 for e in b.entries)
    err.print(
        f"{len(b.entries)} entr{'y' if len(b.entries) == 1 else 'ies'} "
        f"({merged} merged from several sources), {len(b.people)} people",
        highlight=False,
        markup=False,
    )
    if b.changes_note is not None:
        err.print(b.changes_note, highlight=False, markup=False)
    for path in written.paths:
        err.print(f"wrote {path}", highlight=False, markup=False)
