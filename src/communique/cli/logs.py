"""``communique logs`` and ``communique stats``: read the provenance log."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from communique.cli.app import app, fail, short_source

logs_app = typer.Typer(
    help="List, filter and show logged model calls (the provenance log).",
    invoke_without_command=True,
)
app.add_typer(logs_app, name="logs")

Status = Literal["ok", "error", "cached"]


def _store() -> Any:
    from communique.store.calllog import CallLogStore

    return CallLogStore()


def _filter(
    article: str | None,
    prompt: str | None,
    model: str | None,
    status: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
) -> Any:
    from communique.store.calllog import LogFilter

    if status not in (None, "ok", "error", "cached"):
        raise fail(f"--status {status!r}: use ok, error or cached")
    return LogFilter(
        article=article,
        prompt=prompt,
        model=model,
        status=status,  # type: ignore[arg-type]
        since=since,
        until=until,
        limit=limit,
    )


ArticleOpt = Annotated[
    str | None, typer.Option("--article", "-a", help="Article id prefix, or part of its source.")
]
PromptOpt = Annotated[
    str | None, typer.Option("--prompt", "-p", help="Prompt id (name@version) or name.")
]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Model id, or part of it.")]
StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        help="ok (model calls that succeeded), error (that failed) or cached (cache hits).",
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="From this UTC date or time (YYYY-MM-DD[THH:MM]).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Up to this UTC date (inclusive) or time.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of a table.")]


@logs_app.callback()
def logs_list(
    ctx: typer.Context,
    article: ArticleOpt = None,
    prompt: PromptOpt = None,
    model: ModelOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many, newest first.")
    ] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List logged model calls, newest first (``logs show ID`` shows one in full)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _store().calls(_filter(article, prompt, model, status, since, until, limit))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("id", "time (UTC)", "article", "source", "prompt", "model", "status")
    for column in table.columns[:3]:
        column.no_wrap = True
    for header in ("tries", "tokens in", "tokens out", "seconds"):
        table.add_column(header, justify="right")
    for row in rows:
        if row["cached"]:
            state = "[cyan]cached[/]"
        elif row["status"] == "error":
            state = "[bold red]error[/]"
        else:
            state = "[green]ok[/]"
        table.add_row(
            str(row["id"]),
            row["time"][5:19].replace("T", " "),
            (row["article_id"] or "-")[:8],
            escape(short_source(row["source"] or "-", 28)),
            escape(row["prompt"]),
            escape(row["model"].split("@")[0]),
            state,
            str(row["attempts"]),
            str(row["prompt_tokens"]),
            str(row["completion_tokens"]),
            f"{row['duration_s']:.2f}",
        )
    Console().print(table)
    if not rows:
        Console(stderr=True).print("no logged calls match", highlight=False)


@logs_app.command("show")
def logs_show(
    call_id: Annotated[int, typer.Argument(help="The call's id (first column of `logs`).")],
    as_json: JsonOpt = False,
) -> None:
    """One logged call in full: options, every attempt and its raw response."""
    call = _store().call(call_id)
    if call is None:
        raise fail(f"no logged call has id {call_id}", 1)
    if as_json:
        typer.echo(json.dumps(call, ensure_ascii=False, indent=2))
        return
    console = Console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key in (
        "id",
        "time",
        "article_id",
        "source",
        "prompt",
        "prompt_sha256",
        "schema_version",
        "backend",
        "model",
        "cached",
        "status",
        "error",
        "attempts",
        "prompt_tokens",
        "completion_tokens",
        "duration_s",
    ):
        head.add_row(key, escape(str(call[key])))
    head.add_row("options", escape(json.dumps(call["options"], ensure_ascii=False)))
    console.print(head)
    for attempt in call["attempt_log"]:
        console.rule(
            f"attempt {attempt['n']} · {attempt['kind']} · {attempt['outcome']} · "
            f"{attempt['prompt_tokens'] or 0} in / {attempt['completion_tokens'] or 0} out · "
            f"{attempt['latency_s']:.2f} s",
            style="dim",
        )
        if attempt["error"]:
            console.print(f"[red]{escape(attempt['error'])}[/]")
        if attempt["response"] is not None:
            console.print(escape(attempt["response"]), highlight=False)


@app.command()
def stats(
    article: ArticleOpt = None,
    prompt: PromptOpt = None,
    model: ModelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Totals per prompt and model: calls, cache hit rate, tokens, seconds, failures, cost.

    calls: articles summarised (cache hits included); cached: served from the result
    cache; requests: requests sent to the model (re-asks and retries included); batch:
    those of them a Batch API round answered.

    Costs of hosted models are estimated from the price table in
    communique/store/prices.toml (dated, with its source; batch requests at its
    batch share); the embedded model costs 0.
    """
    from communique.store.prices import price_table

    prices = price_table()
    rows = _store().totals(_filter(article, prompt, model, None, since, until, None))
    for row in rows:
        row["cache_hit_rate"] = round(row["cache_hits"] / row["calls"], 3) if row["calls"] else 0
        cost = prices.cost_with_batch(
            row["backend"],
            row["model"],
            (row["prompt_tokens"], row["completion_tokens"]),
            (row["batch_prompt_tokens"], row["batch_completion_tokens"]),
        )
        row["cost"] = None if cost is None else round(cost, 6)
    note = (
        f"costs in {prices.currency} from the price table checked {prices.checked.isoformat()} "
        f"({prices.source}), batch requests at {prices.batch_share:.0%} of the price; local "
        "models cost 0; '-' = model not in the table"
    )
    if as_json:
        payload = {"rows": rows, "prices": {"checked": prices.checked.isoformat(),
                                            "source": prices.source,
                                            "currency": prices.currency}}  # fmt: skip
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(title="model calls per prompt and model")
    table.add_column("prompt", no_wrap=True)
    table.add_column("model", overflow="fold", min_width=24)
    for header in (
        "calls",
        "cached",
        "hit rate",
        "requests",
        "batch",
        "tokens in",
        "tokens out",
        "seconds",
        "failed",
        f"cost {prices.currency}",
    ):
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            escape(row["prompt"]),
            escape(row["model"]),
            str(row["calls"]),
            str(row["cache_hits"]),
            f"{row['cache_hit_rate']:.0%}",
            str(row["attempts"]),
            str(row["batch_requests"]),
            f"{row['prompt_tokens']:,}",
            f"{row['completion_tokens']:,}",
            f"{row['seconds']:.1f}",
            str(row["failures"]),
            "-" if row["cost"] is None else f"{row['cost']:.4f}",
        )
    console = Console()
    console.print(table)
    Console(stderr=True).print(note, highlight=False, markup=False)
