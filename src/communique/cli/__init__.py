"""The ``communique`` command: a thin layer over the library API.

Each command lives in its own module; importing them registers them on :data:`app`.
"""

from __future__ import annotations

from communique.cli import (  # noqa: F401  (registers commands)
    batch,
    brief,
    diff,
    evaluate,
    info,
    logs,
    prompts,
    summarise,
)
from communique.cli.app import app, reflow_help

reflow_help(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
