"""``communique eval``: score the eval set, compare runs, gate on the baseline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from communique.cli.app import ModelOption, PromptOption, app, err, fail, progress_bar
from communique.errors import CommuniqueError

if TYPE_CHECKING:
    from communique.evals.results import EvalResult


@dataclass(frozen=True)
class Selection:
    """The cases a run covers: {part: folder} (or one folder), limited to ``only`` ids."""

    cases: Mapping[str, Path] | Path
    only: set[str] | None


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
    eval_set: Annotated[
        str | None,
        typer.Option(
            "--set",
            help="real (tuned + audited + audited-fresh + audited-third + set-aside, the "
            "default), tuned, audited, audited-fresh, audited-third, set-aside, "
            "synthetic, all, "
            "or gate (the fixed subset CI runs; the default with --check).",
            show_default=False,
        ),
    ] = None,
    cases: Annotated[
        Path | None, typer.Option("--cases", help="A folder of cases instead of a named set.")
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
    model costs nothing. `--model gold` is the oracle check: each case's own gold
    record is fed as the model's draft through assembly and every post-model pass, so
    its score is what the passes leave of a right answer (no model is run).
    """
    from communique.evals import runner

    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        baseline = runner.read_baseline(runner.DEFAULT_BASELINE) if check else None
        if cases is not None:
            selection = Selection(cases, None)
        else:
            name = eval_set or (str(baseline.get("set", "gate")) if baseline else "real")
            selection = Selection(*runner.set_parts(name))
        if compare is not None:
            _eval_compare(compare, model, prompt, selection, out_dir, no_cache)
            return
        result = _eval_run(model, prompt, selection, out_dir, no_cache)
    except (CommuniqueError, FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from exc
    from communique.evals.report import cases_table, fields_table, parts_table, results_table

    console = Console()
    if details:
        console.print(cases_table(result))
    console.print(results_table(result))
    if len(result.parts) > 1:
        console.print(parts_table(result))
    console.print(fields_table(result))
    if update_baseline:
        runner.write_baseline(result, runner.DEFAULT_BASELINE, eval_set or "gate")
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
            raise fail("quality gate failed: a metric dropped below the baseline", 1)
        err.print("quality gate passed")


def _eval_run(
    model: str, prompt: str | None, selection: Selection, out_dir: Path, no_cache: bool
) -> EvalResult:
    from communique.evals import runner
    from communique.evals.oracle import ORACLE_MODEL, GoldBackend
    from communique.evals.report import render_html
    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt

    oracle = model == ORACLE_MODEL
    backend = GoldBackend() if oracle else get_backend(model)
    summariser = Summariser(
        backend, load_prompt(prompt), use_cache=not no_cache and not oracle, log_calls=not oracle
    )
    with progress_bar() as progress:
        result = runner.run_eval(summariser, selection.cases, progress, selection.only, oracle)
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
    spec: str, model: str, prompt: str | None, selection: Selection, out_dir: Path, no_cache: bool
) -> EvalResult:
    """A saved result file, a prompt id, or a model name."""
    from communique.evals.results import EvalResult
    from communique.extract.backends import REGISTRY

    if spec.endswith(".json") and Path(spec).is_file():
        return EvalResult.model_validate_json(Path(spec).read_text())
    if spec.partition(":")[0] in REGISTRY or spec == "gold":
        return _eval_run(spec, prompt, selection, out_dir, no_cache)
    return _eval_run(model, spec, selection, out_dir, no_cache)


def _eval_compare(
    specs: tuple[str, str],
    model: str,
    prompt: str | None,
    selection: Selection,
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

    a = _eval_side(specs[0], model, prompt, selection, out_dir, no_cache)
    b = _eval_side(specs[1], model, prompt, selection, out_dir, no_cache)
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
