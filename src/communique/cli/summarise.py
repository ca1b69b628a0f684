"""``communique summarise``: articles in, JSONL records out."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.markup import escape

from communique.cli.app import (
    MAX_EXIT,
    ModelOption,
    PromptOption,
    app,
    err,
    fail,
    progress_bar,
    short_source,
)
from communique.errors import CommuniqueError


@app.command()
def summarise(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt, .html, .jsonl), folders, '-' for stdin, or http(s):// URLs of "
            "web pages and RSS/Atom feeds.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write JSONL here instead of stdout.")
    ] = None,
    model: ModelOption = "local",
    prompt: PromptOption = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Recompute every article and update the cache.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Result cache folder (default: $COMMUNIQUE_CACHE_DIR)."),
    ] = None,
    max_reasks: Annotated[
        int, typer.Option("--max-reasks", min=0, max=10, help="Re-asks after invalid output.")
    ] = 2,
    constrain: Annotated[
        bool | None,
        typer.Option(
            "--constrain/--no-constrain",
            help="Restrict names and dates to those found in the article "
            "(default: on for the embedded model).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Drop participants and agreements that no span of the article supports "
            "(counted in provenance.dropped_ungrounded).",
        ),
    ] = False,
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Of URLs and feed items, summarise only those not summarised before "
            "(remembered by URL and text in $COMMUNIQUE_HOME/feeds.db).",
        ),
    ] = False,
    fetch_timeout: Annotated[
        float,
        typer.Option("--fetch-timeout", min=0.1, help="Seconds allowed for fetching one URL."),
    ] = 20.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Summarise articles into JSONL meeting records, one line per article.

    The exit status is the number of articles that failed (at most 100); each
    failure is still written, as a record with status "error" naming the file and
    the problem.
    """
    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.inputs import Fetcher, FetchPolicy, UrlReader, is_url, read_inputs
    from communique.store.cache import ResultCache
    from communique.store.feeds import FeedStore

    try:
        backend = get_backend(model)
        chosen_prompt = load_prompt(prompt)
        cache = None if no_cache else ResultCache(cache_dir)
        summariser = Summariser(
            backend,
            chosen_prompt,
            cache=cache,
            use_cache=not no_cache,
            refresh=refresh,
            max_reasks=max_reasks,
            constrain=constrain,
            strict=strict,
        )
        feeds = FeedStore() if any(is_url(p) for p in paths) else None
        fetcher = Fetcher(FetchPolicy(timeout_s=fetch_timeout))
        urls = UrlReader(fetcher, feeds, new_only=new_only and feeds is not None)
        with fetcher:
            items = list(read_inputs(paths, urls=urls))
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc

    failed = cached = 0
    started = time.perf_counter()
    with ExitStack() as stack:
        sink: TextIO = sys.stdout
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            sink = stack.enter_context(out.open("w", encoding="utf-8"))
        progress = stack.enter_context(progress_bar(disable=quiet or len(items) < 2))
        task = progress.add_task("summarising", total=len(items))
        for item in items:
            progress.update(task, description=f"summarising {escape(short_source(item.source))}")
            record = summariser.summarise(item)
            sink.write(record.model_dump_json(exclude_none=False) + "\n")
            sink.flush()
            if feeds is not None:
                feeds.remember(record)
            if record.status == "error":
                failed += 1
                if record.error is not None:
                    err.print(
                        f"[red]failed[/] {escape(record.article.source)}: "
                        f"{escape(record.error.message)}",
                        highlight=False,
                    )
            elif record.provenance is not None and record.provenance.cached:
                cached += 1
            progress.advance(task)
    if not quiet:
        elapsed = time.perf_counter() - started
        err.print(
            f"{len(items)} article(s): {len(items) - failed} ok, {failed} failed, "
            f"{cached} from cache, {elapsed:.1f} s",
            highlight=False,
        )
    raise typer.Exit(min(failed, MAX_EXIT))
