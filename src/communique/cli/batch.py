"""``communique batch submit|status|collect``: the OpenAI Batch API, into the result cache."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from communique.cli.app import MAX_EXIT, app, err, fail
from communique.cli.options import (
    DEFAULT_MAX_REASKS,
    BatchConstrainOption,
    BatchJobsOption,
    BatchMaxArticleCharsOption,
    BatchMaxCharsOption,
    BatchModelOption,
    BatchOutOption,
    BatchQuietOption,
    BatchRefreshOption,
    CacheDirOption,
    MaxReasksOption,
    PromptOption,
)
from communique.errors import CommuniqueError
from communique.extract.chunks import MAX_ARTICLE_CHARS

if TYPE_CHECKING:
    from communique.extract.backends.base import Backend
    from communique.extract.batch import Collection
    from communique.extract.pipeline import Summariser
    from communique.store.batches import BatchInfo

batch_app = typer.Typer(
    help="The OpenAI Batch API: submit articles, follow the batches, collect the answers "
    "into the result cache (then `summarise` and `brief` make no model call).",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")


@batch_app.command("submit")
def submit_command(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files (.txt, .html, .jsonl), folders, URLs.", show_default=False),
    ],
    model: BatchModelOption,
    prompt: PromptOption = None,
    max_reasks: MaxReasksOption = DEFAULT_MAX_REASKS,
    constrain: BatchConstrainOption = None,
    max_chars: BatchMaxCharsOption = None,
    max_article_chars: BatchMaxArticleCharsOption = MAX_ARTICLE_CHARS,
    refresh: BatchRefreshOption = False,
    cache_dir: CacheDirOption = None,
    requests_out: Annotated[
        Path | None,
        typer.Option(
            "--requests",
            help="Also write the Batch JSONL here (with --dry-run: only write it).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Upload nothing; say what would be sent.")
    ] = False,
) -> None:
    """Send the articles not yet cached as one batch (several past 50,000 requests)."""
    import json

    from communique.extract import batch
    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.inputs import read_inputs
    from communique.store.cache import ResultCache

    try:
        summariser = Summariser(
            get_backend(model),
            load_prompt(prompt),
            cache=ResultCache(cache_dir),
            refresh=refresh,
            max_reasks=max_reasks,
            constrain=constrain,
            max_chars=max_chars,
            max_article_chars=max_article_chars,
        )
        batch.openai_backend(summariser.backend)
        plan = batch.plan(summariser, read_inputs(paths))
        if requests_out is not None:
            requests_out.parent.mkdir(parents=True, exist_ok=True)
            requests_out.write_text(
                "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in plan.lines),
                encoding="utf-8",
            )
        left_out = ", ".join(f"{n} {why}" for why, n in sorted(plan.skipped.items()))
        summary = f"{len(plan.lines)} request(s) for {len(plan.articles)} article(s)" + (
            f"; left out: {left_out}" if left_out else ""
        )
        if dry_run or not plan.lines:
            err.print(("dry run: " if dry_run else "nothing to send: ") + summary, highlight=False)
            return
        created = batch.submit(summariser, plan)
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    for info in created:
        typer.echo(info.id)
    err.print(
        f"submitted {len(created)} batch(es): {summary}. Follow with `communique batch "
        "status`, then `communique batch collect` (answers within 24 hours).",
        highlight=False,
    )


def _known(batch_ids: list[str] | None) -> list[BatchInfo]:
    from communique.store.batches import BatchStore

    store = BatchStore()
    if not batch_ids:
        return [info for info in store.all() if info.job is None]
    found: list[BatchInfo] = []
    for batch_id in batch_ids:
        info = store.get(batch_id)
        if info is None:
            raise fail(f"no batch {batch_id} was submitted from here ({store.path})")
        job = store.get(info.job_id) if info.job is not None else info
        if job is not None and all(job.id != seen.id for seen in found):
            found.append(job)
    return found


@batch_app.command("status")
def status_command(
    batch_ids: Annotated[
        list[str] | None, typer.Argument(help="Batch ids (default: every batch submitted).")
    ] = None,
) -> None:
    """How far each batch is, as the API reports it now: each round of a job on its own
    line (a later round carries the turns that followed from the answers before it)."""
    from communique.extract import batch
    from communique.store.batches import BatchStore

    store = BatchStore()
    table = Table(
        "batch",
        "round",
        "status",
        "answered",
        "failed",
        "articles",
        "model",
        "prompt",
        "collected",
    )
    try:
        for job in _known(batch_ids):
            for info in store.rounds(job.id) or [job]:
                state: dict[str, Any] = (
                    batch.refresh(info)
                    if info.downloaded is None
                    else {"status": info.status, "completed": "-", "total": info.requests,
                          "failed": "-"}
                )  # fmt: skip
                table.add_row(
                    info.id,
                    str(info.round),
                    str(state["status"]),
                    f"{state['completed']}/{state['total']}",
                    str(state["failed"]),
                    f"{info.articles} waiting" if info.round > 1 else str(info.articles),
                    info.model,
                    info.prompt,
                    job.collected or "no",
                )
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    if not table.rows:
        err.print("no batch submitted yet: `communique batch submit PATH... -m openai:NAME`")
        return
    err.print(table)


@batch_app.command("collect")
def collect_command(
    batch_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Batch ids (default: every batch not yet collected)."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for unfinished batches instead of stopping.")
    ] = False,
    every: Annotated[
        float, typer.Option("--every", min=0.01, help="Seconds between checks with --wait.")
    ] = 30.0,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Send the turns that follow from the answers (re-asks, follow-up turns) and "
            "the lines a batch left unanswered live, instead of as the next round.",
        ),
    ] = False,
    jobs: BatchJobsOption = None,
    out: BatchOutOption = None,
    cache_dir: CacheDirOption = None,
    quiet: BatchQuietOption = False,
) -> None:
    """Turn finished batches into records in the result cache.

    Each answer is validated as in `summarise`. The turns that follow from the answers
    (an invalid answer's re-ask, the follow-up turn, the roles turn, a line the batch
    did not answer) go into the next round, a new batch submitted here: collect again
    when it is done, or use --wait to go round by round until every article has its
    record. With --live they are sent live instead. The exit status is the number of
    articles that failed (at most 100).
    """
    from communique.extract import batch
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.store.batches import BatchStore
    from communique.store.cache import ResultCache

    failed = 0
    with ExitStack() as stack:
        sink: TextIO | None = None
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            sink = stack.enter_context(out.open("w", encoding="utf-8"))
        try:
            chosen = [b for b in _known(batch_ids) if batch_ids or b.collected is None]
            if not chosen:
                err.print("no batch to collect", highlight=False)
                return
            for info in chosen:

                def make(backend: Backend, info: BatchInfo = info) -> Summariser:
                    settings = info.settings
                    return Summariser(
                        backend,
                        load_prompt(info.prompt),
                        cache=ResultCache(cache_dir),
                        refresh=bool(settings.get("refresh")),
                        max_reasks=int(settings.get("max_reasks", DEFAULT_MAX_REASKS)),
                        constrain=settings.get("constrain"),
                        max_chars=settings.get("max_chars"),
                        max_article_chars=int(settings.get("max_article_chars", MAX_ARTICLE_CHARS)),
                        jobs=jobs,
                    )

                while True:
                    if wait:
                        for waiting in BatchStore().rounds(info.id) or [info]:
                            if waiting.downloaded is None:
                                batch.wait(waiting, every)
                    try:
                        collection = batch.collect(info, make, live=live)
                    except batch.BatchNotReady as exc:
                        err.print(f"[yellow]not ready[/] {escape(str(exc))}", highlight=False)
                        failed += 1
                        break
                    counts = {"ok": 0, "error": 0}
                    started = time.perf_counter()
                    for record in collection.records():
                        counts[record.status] += 1
                        if sink is not None:
                            sink.write(record.model_dump_json() + "\n")
                        if record.status == "error" and record.error is not None:
                            err.print(
                                f"[red]failed[/] {escape(record.article.source)}: "
                                f"{escape(record.error.message)}",
                                highlight=False,
                            )
                    failed += counts["error"]
                    if not quiet:
                        err.print(_collected(info.id, collection, counts, started), highlight=False)
                    if not (wait and collection.next_round):
                        break
        except CommuniqueError as exc:
            raise fail(str(exc)) from exc
    raise typer.Exit(min(failed, MAX_EXIT))


def _collected(
    batch_id: str, collection: Collection, counts: dict[str, int], started: float
) -> str:
    """What one collect did: records made, answers replayed, calls sent or deferred."""
    seconds = f"{time.perf_counter() - started:.1f} s"
    rounds = len(collection.rounds) or 1
    said = (
        f"batch {batch_id} ({collection.info.status}, round {rounds}): {counts['ok']} ok, "
        f"{counts['error']} failed; {collection.backend.replayed} answer(s) from the batch, "
        f"{collection.backend.live} live call(s)"
    )
    if not collection.backend.defer:
        said += f" (re-asks, and {collection.failed_lines} line(s) the batch did not answer)"
    if collection.next_round:
        requests = sum(b.requests for b in collection.next_round)
        ids = ", ".join(b.id for b in collection.next_round)
        said += (
            f"; round {rounds + 1} submitted ({ids}): {requests} request(s) for "
            f"{collection.waiting} article(s) still waiting (re-asks, follow-up turns, lines "
            "not answered); collect again when it is done"
        )
    return f"{said}; {seconds}. The records are in the cache."
