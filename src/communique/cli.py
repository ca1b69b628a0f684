"""The ``communique`` command: a thin layer over the library API."""

from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communique import __version__
from communique.errors import CommuniqueError

if TYPE_CHECKING:
    from communique.evals.scoring import EvalResult

app = typer.Typer(
    name="communique",
    help="Turn press releases about official meetings into validated meeting records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
prompts_app = typer.Typer(help="List and lock versioned prompts.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")

err = Console(stderr=True)
MAX_EXIT = 100
EXIT_CONFIG = 101

ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="'local' (embedded model), 'local:/path/model.gguf', or 'openai:<model>' "
        "(OpenAI, or an OpenAI-compatible server via OPENAI_BASE_URL).",
    ),
]
PromptOption = Annotated[
    str | None,
    typer.Option(
        "--prompt", "-p", help="Prompt id, e.g. meeting_summary@v1 (default: newest released)."
    ),
]


def _fail(message: str, code: int = EXIT_CONFIG) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"communique {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Turn press releases about official meetings into validated meeting records."""


@app.command()
def summarise(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt, .html, .jsonl), folders, or '-' for stdin.", show_default=False
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Summarise articles into JSONL meeting records, one line per article.

    The exit status is the number of articles that failed (at most 100); each
    failure is still written, as a record with status "error" naming the file and
    the problem.
    """
    from communique.backends import get_backend
    from communique.cache import ResultCache
    from communique.inputs import read_inputs
    from communique.pipeline import Summariser
    from communique.prompts import load_prompt

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
        items = list(read_inputs(paths))
    except CommuniqueError as exc:
        raise _fail(str(exc)) from exc

    failed = cached = 0
    started = time.perf_counter()
    with ExitStack() as stack:
        sink: TextIO = sys.stdout
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            sink = stack.enter_context(out.open("w", encoding="utf-8"))
        progress = stack.enter_context(_progress(disable=quiet or len(items) < 2))
        task = progress.add_task("summarising", total=len(items))
        for item in items:
            progress.update(task, description=f"summarising {escape(_short(item.source))}")
            record = summariser.summarise(item)
            sink.write(record.model_dump_json(exclude_none=False) + "\n")
            sink.flush()
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


@app.command("eval")
def eval_command(
    model: ModelOption = "local",
    prompt: PromptOption = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--compare",
            help="Compare two prompts (meeting_summary@v1), models (local, openai:NAME) "
            "or saved result files (*.json), side by side.",
            show_default=False,
        ),
    ] = None,
    cases: Annotated[
        Path | None, typer.Option("--cases", help="Folder of cases (default: evals/cases).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Where JSON results and HTML reports go.")
    ] = Path("out/eval"),
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Fail (exit 1) when the headline or a gated metric of this run drops more "
            "than the tolerance below evals/baseline.json.",
        ),
    ] = False,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Record this run as evals/baseline.json."),
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the cache.")] = False,
    details: Annotated[bool, typer.Option("--details", help="Also print per-case rows.")] = False,
) -> None:
    """Score the hand-labelled eval set; write JSON results and an HTML report.

    Model calls go through the result cache, so re-running the same prompt and
    model costs nothing.
    """
    from communique.evals import runner

    out_dir.mkdir(parents=True, exist_ok=True)
    cases_dir = cases or runner.DEFAULT_CASES
    try:
        if compare is not None:
            _eval_compare(compare, model, prompt, cases_dir, out_dir, no_cache)
            return
        baseline = None
        if check:
            baseline = runner.read_baseline(runner.DEFAULT_BASELINE)
        result = _eval_run(model, prompt, cases_dir, out_dir, no_cache)
    except (CommuniqueError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from exc
    from communique.evals.report import cases_table, results_table

    console = Console()
    if details:
        console.print(cases_table(result))
    console.print(results_table(result))
    if update_baseline:
        runner.write_baseline(result, runner.DEFAULT_BASELINE)
        err.print(f"baseline updated: {runner.DEFAULT_BASELINE}", markup=False)
    if baseline is not None:
        if baseline.get("model") != result.model:
            err.print(
                f"[yellow]note:[/] the baseline was recorded with {baseline.get('model')}, "
                f"this run used {result.model}",
                highlight=False,
            )
        gate = runner.check_against_baseline(result, baseline)
        for line in gate.lines:
            err.print(line, highlight=False, markup=False)
        if not gate.passed:
            raise _fail("quality gate failed: a metric dropped below the baseline", 1)
        err.print("quality gate passed")


def _eval_run(
    model: str, prompt: str | None, cases_dir: Path, out_dir: Path, no_cache: bool
) -> EvalResult:
    from communique.backends import get_backend
    from communique.evals import runner
    from communique.evals.report import render_html
    from communique.pipeline import Summariser
    from communique.prompts import load_prompt

    summariser = Summariser(get_backend(model), load_prompt(prompt), use_cache=not no_cache)
    with _progress() as progress:
        result = runner.run_eval(summariser, cases_dir, progress)
    stem = runner.slug(f"{result.prompt}__{result.model}")
    (out_dir / f"{stem}.json").write_text(result.model_dump_json(indent=2) + "\n")
    (out_dir / f"{stem}.html").write_text(render_html(result), encoding="utf-8")
    err.print(
        f"{result.n_cases} cases in {result.seconds:.1f} s ({result.cached} from cache); "
        f"results: {out_dir / (stem + '.json')}, report: {out_dir / (stem + '.html')}",
        highlight=False,
        markup=False,
    )
    return result


def _eval_side(
    spec: str, model: str, prompt: str | None, cases_dir: Path, out_dir: Path, no_cache: bool
) -> EvalResult:
    """A saved result file, a prompt id, or a model name."""
    from communique.backends import REGISTRY
    from communique.evals.scoring import EvalResult

    if spec.endswith(".json") and Path(spec).is_file():
        return EvalResult.model_validate_json(Path(spec).read_text())
    if spec.partition(":")[0] in REGISTRY:
        return _eval_run(spec, prompt, cases_dir, out_dir, no_cache)
    return _eval_run(model, spec, cases_dir, out_dir, no_cache)


def _eval_compare(
    specs: tuple[str, str],
    model: str,
    prompt: str | None,
    cases_dir: Path,
    out_dir: Path,
    no_cache: bool,
) -> None:
    from communique.evals import runner
    from communique.evals.compare import (
        changed_cases_table,
        compare_markdown,
        compare_results,
        compare_table,
        render_compare_html,
    )

    a = _eval_side(specs[0], model, prompt, cases_dir, out_dir, no_cache)
    b = _eval_side(specs[1], model, prompt, cases_dir, out_dir, no_cache)
    comparison = compare_results(a, b)
    console = Console()
    console.print(compare_table(comparison))
    console.print(changed_cases_table(comparison))
    stem = runner.slug(f"compare__{a.prompt}__{a.model}__vs__{b.prompt}__{b.model}")
    (out_dir / f"{stem}.html").write_text(render_compare_html(comparison), encoding="utf-8")
    (out_dir / f"{stem}.md").write_text(compare_markdown(comparison), encoding="utf-8")
    err.print(
        f"comparison: {out_dir / (stem + '.html')} and {out_dir / (stem + '.md')}", markup=False
    )


def _progress(disable: bool = False) -> Progress:
    """The progress bar every long command shows on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable,
    )


def _short(source: str, width: int = 40) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1) :]


@prompts_app.command("list")
def prompts_list() -> None:
    """Show every prompt version, whether it is released, and its hash."""
    from communique.prompts import available_prompts, read_lock

    lock = read_lock()
    table = Table("prompt", "released", "locked", "sha256", "description")
    for p in available_prompts():
        locked = lock.get(p.id)
        state = "yes" if locked == p.sha256 else ("CHANGED" if locked else "no")
        table.add_row(p.id, "yes" if p.released else "no", state, p.sha256[:12], p.description)
    Console().print(table)


@prompts_app.command("lock")
def prompts_lock() -> None:
    """Record the hash of every released prompt; refuses to change a locked one."""
    from communique.prompts import update_lock

    try:
        lock = update_lock()
    except CommuniqueError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{len(lock)} released prompt(s) locked")


@app.command()
def schema(
    write: Annotated[
        Path | None, typer.Option("--write", help="Write the JSON Schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the output record."""
    from communique.schema import dump_json_schema, record_json_schema

    if write is not None:
        dump_json_schema(write)
        typer.echo(f"wrote {write}")
    else:
        typer.echo(json.dumps(record_json_schema(), indent=2, ensure_ascii=False))


@app.command("model")
def model_info() -> None:
    """Assemble and verify the embedded model (once), then print its path."""
    from communique.model_assets import resolve_model_file

    try:
        model_file = resolve_model_file()
    except CommuniqueError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{model_file.name}\t{model_file.path}")


def main() -> None:
    app()
