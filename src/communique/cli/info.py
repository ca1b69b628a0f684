"""``communique schema`` and ``communique model``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from communique.cli.app import app, fail
from communique.errors import CommuniqueError


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
    from communique.extract.backends.model_assets import resolve_model_file

    try:
        model_file = resolve_model_file()
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{model_file.name}\t{model_file.path}")
