"""``communique prompts``: list and lock versioned prompts."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from communique.cli.app import fail, prompts_app
from communique.errors import CommuniqueError


@prompts_app.command("list")
def prompts_list() -> None:
    """Show every prompt version, whether it is released, and its hash."""
    from communique.extract.prompts import available_prompts, read_lock

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
    from communique.extract.prompts import update_lock

    try:
        lock = update_lock()
    except CommuniqueError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{len(lock)} released prompt(s) locked")
