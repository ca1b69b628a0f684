"""``communique summarise``: articles in, JSONL records out."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from communique.cli.app import EXIT_CONFIG, MAX_EXIT, app, err, fail
from communique.cli.options import (
    DEFAULT_MAX_REASKS,
    CacheDirOption,
    ConstrainOption,
    JobsOption,
    MaxArticleCharsOption,
    MaxCharsOption,
    MaxReasksOption,
    ModelOption,
    OutOption,
    PromptOption,
    QuietOption,
    RefreshOption,
)
from communique.errors import CommuniqueError
from communique.extract.chunks import MAX_ARTICLE_CHARS

if TYPE_CHECKING:
    from communique.schema import ArticleRecord

#: failures printed one by one; the rest are counted in the summary line
MAX_FAILURES_SHOWN = 50


class RateColumn(ProgressColumn):
    """Articles per second since the start."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        if not elapsed or not task.completed:
            return Text("- art/s", style="progress.data.speed")
        return Text(f"{task.completed / elapsed:.1f} art/s", style="progress.data.speed")


class FailedColumn(ProgressColumn):
    """Articles that failed so far (red when any)."""

    def render(self, task: Task) -> Text:
        failed = int(task.fields.get("failed", 0))
        return Text(f"{failed} failed", style="red" if failed else "dim")


def batch_progress(disable: bool) -> Progress:
    """One bar for the batch: done/total, throughput, tokens, failures, time."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("{task.fields[tokens]:,} tokens"),
        FailedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=disable,
    )


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
    out: OutOption = None,
    model: ModelOption = "local",
    prompt: PromptOption = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    refresh: RefreshOption = False,
    cache_dir: CacheDirOption = None,
    max_reasks: MaxReasksOption = DEFAULT_MAX_REASKS,
    constrain: ConstrainOption = None,
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
    jobs: JobsOption = None,
    rpm: Annotated[
        float | None,
        typer.Option(
            "--rpm", min=1, help="At most this many requests a minute.", show_default=False
        ),
    ] = None,
    tpm: Annotated[
        float | None,
        typer.Option(
            "--tpm",
            min=1,
            help="At most this many tokens a minute (prompt plus max_tokens, as rate limits "
            "count them).",
            show_default=False,
        ),
    ] = None,
    max_chars: MaxCharsOption = None,
    max_article_chars: MaxArticleCharsOption = MAX_ARTICLE_CHARS,
    quiet: QuietOption = False,
) -> None:
    """Summarise articles into JSONL meeting records, one line per article.

    The exit status is the number of articles that failed (at most 100); each
    failure is still written, as a record with status "error" naming the file and
    the problem. When the model endpoint cannot be used (nothing answers, the key is
    refused, the model is unknown), the batch stops after a few articles with one
    message naming the setting to fix, and exits with 101.
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
            jobs=jobs,
            rpm=rpm,
            tpm=tpm,
            max_chars=max_chars,
            max_article_chars=max_article_chars,
        )
        feeds = FeedStore() if any(is_url(p) for p in paths) else None
        fetcher = Fetcher(FetchPolicy(timeout_s=fetch_timeout))
        urls = UrlReader(fetcher, feeds, new_only=new_only and feeds is not None)
        with fetcher:
            items = list(read_inputs(paths, urls=urls))
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc

    failed = cached = not_attempted = shown = 0
    endpoint_messages: set[str] = set()
    started = time.perf_counter()
    with ExitStack() as stack:
        sink: TextIO = sys.stdout
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            sink = stack.enter_context(out.open("w", encoding="utf-8"))
        progress = stack.enter_context(batch_progress(disable=quiet or len(items) < 2))
        task = progress.add_task("summarising", total=len(items), tokens=0, failed=0)
        counts = {"tokens": 0, "failed": 0}
        lock = threading.Lock()

        def on_record(record: ArticleRecord) -> None:
            with lock:
                if record.provenance is not None and not record.provenance.cached:
                    usage = record.provenance.usage
                    counts["tokens"] += usage.prompt_tokens + usage.completion_tokens
                counts["failed"] += record.status == "error"
                progress.update(task, advance=1, tokens=counts["tokens"], failed=counts["failed"])

        for record in summariser.summarise_many(items, on_record=on_record):
            sink.write(record.model_dump_json(exclude_none=False) + "\n")
            sink.flush()
            if feeds is not None:
                feeds.remember(record)
            if record.status == "error":
                failed += 1
                if record.error is not None and record.error.kind == "not_attempted":
                    not_attempted += 1
                elif (
                    record.error is not None
                    and shown < MAX_FAILURES_SHOWN
                    and record.error.message not in endpoint_messages
                ):
                    if record.error.kind == "endpoint":  # the same setting to fix: once
                        endpoint_messages.add(record.error.message)
                    shown += 1
                    err.print(
                        f"[red]failed[/] {escape(record.article.source)}: "
                        f"{escape(record.error.message)}",
                        highlight=False,
                    )
            elif record.provenance is not None and record.provenance.cached:
                cached += 1
    if not quiet:
        elapsed = time.perf_counter() - started
        more = failed - not_attempted - shown
        err.print(
            f"{len(items)} article(s): {len(items) - failed} ok, {failed} failed"
            + (f" ({more} not shown above)" if more > 0 else "")
            + f", {cached} from cache, {elapsed:.1f} s",
            highlight=False,
        )
    if summariser.stopped is not None:
        raise fail(
            f"stopped: {summariser.stopped}; {not_attempted} article(s) not attempted "
            "(written as error records)",
            EXIT_CONFIG,
        )
    raise typer.Exit(min(failed, MAX_EXIT))
