"""The ``communique`` command's shared parts: the Typer app, exit codes, output.

The options several commands take are declared in :mod:`communique.cli.options`;
``ModelOption`` and ``PromptOption`` are also importable from here."""

from __future__ import annotations

import inspect
import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from communique import __version__
from communique.cli.options import ModelOption as ModelOption
from communique.cli.options import PromptOption as PromptOption

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


def prose(text: str) -> str:
    """A docstring as help text: paragraphs joined into lines the terminal wraps, not
    broken where the source happened to break them."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def reflow_help(typer_app: typer.Typer) -> None:
    """Every command's help (its docstring, unless given) as :func:`prose`."""
    for command in typer_app.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else None)
        if text:
            command.help = prose(text)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            reflow_help(group.typer_instance)


MAX_EXIT = 100
EXIT_CONFIG = 101


def fail(message: str, code: int = EXIT_CONFIG) -> typer.Exit:
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
    # instructor logs every failed request at ERROR, and Python prints that on stderr:
    # the records, the failure lines and the summary already say it, once.
    logging.getLogger("instructor").setLevel(logging.CRITICAL + 1)


def progress_bar(disable: bool = False) -> Progress:
    """The progress bar every long command shows on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable,
    )


def short_source(source: str, width: int = 40) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1) :]
