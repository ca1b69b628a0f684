"""``communique diff``: per article, the fields that moved between two runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from communique.cli.app import ModelOption, PromptOption, app, err, fail
from communique.cli.brief import CacheDirOption, gather_records, make_summariser, report_gathered
from communique.errors import CommuniqueError

if TYPE_CHECKING:
    from communique.brief.sources import Gathered


def _side(
    spec: str, paths: list[str], model: str, prompt: str | None, cache_dir: Path | None
) -> tuple[str, Gathered]:
    """A saved record file, a model (local, openai:NAME), or a prompt (name@version)."""
    from communique.brief.sources import gather, is_record_file
    from communique.extract.backends import REGISTRY

    if is_record_file(Path(spec)):
        return spec, gather([spec], lambda: make_summariser(model, prompt, cache_dir, False))
    if not paths:
        raise CommuniqueError(f"{spec!r} is not a record file: give the articles to summarise")
    if spec.partition(":")[0] in REGISTRY:
        got = gather_records(paths, spec, prompt, cache_dir, False, quiet=True)
        return spec, got
    got = gather_records(paths, model, spec, cache_dir, False, quiet=True)
    return spec, got


@app.command("diff")
def diff_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="The articles to compare on (not needed for two record files)."),
    ] = None,
    before: Annotated[
        str,
        typer.Option(
            "--from",
            help="A prompt (meeting_summary@v5), a model (local, openai:NAME) or a record file.",
            show_default=False,
        ),
    ] = "",
    after: Annotated[
        str,
        typer.Option("--to", help="The other side, given the same way.", show_default=False),
    ] = "",
    model: ModelOption = "local",
    prompt: PromptOption = None,
    cache_dir: CacheDirOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the comparison as an HTML page.")
    ] = None,
    brief_only: Annotated[
        bool, typer.Option("--summary", help="Only the per-article table, not every change.")
    ] = False,
) -> None:
    """Per article, the fields that changed between two prompts, two models or two saved
    record files. Both sides go through the result cache."""
    from communique.brief.diff import diff_records
    from communique.brief.render_diff import diff_tables, render_diff_html

    if not before or not after:
        raise fail("give both sides: --from A --to B")
    try:
        label_a, side_a = _side(before, paths or [], model, prompt, cache_dir)
        report_gathered(side_a, f"{label_a}: ")
        label_b, side_b = _side(after, paths or [], model, prompt, cache_dir)
        report_gathered(side_b, f"{label_b}: ")
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    diff = diff_records(side_a.records, side_b.records, label_a, label_b)
    Console().print(diff_tables(diff, details=not brief_only))
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_diff_html(diff), encoding="utf-8")
        err.print(f"wrote {html}", highlight=False, markup=False)
