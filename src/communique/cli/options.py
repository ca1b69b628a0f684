"""Options that more than one command takes, each declared once.

A command uses one as ``name: SomeOption = default``. Where two commands share an
option's name, type and limits but describe it in their own words (``batch submit``
reads ``--refresh`` as "include cached articles", ``summarise`` as "recompute them"),
both aliases are made by the same function and only the help text differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

#: re-asks after an invalid answer, unless --max-reasks says otherwise
DEFAULT_MAX_REASKS = 2


def _model(help: str) -> Any:
    return typer.Option("--model", "-m", help=help)


def _refresh(help: str) -> Any:
    return typer.Option("--refresh", help=help)


def _constrain(help: str) -> Any:
    return typer.Option("--constrain/--no-constrain", help=help, show_default=False)


def _max_chars(help: str) -> Any:
    return typer.Option("--max-chars", min=200, help=help, show_default=False)


def _max_article_chars(help: str) -> Any:
    return typer.Option("--max-article-chars", min=1, help=help)


def _jobs(help: str) -> Any:
    return typer.Option("--jobs", "-j", min=1, max=256, help=help, show_default=False)


def _out(help: str) -> Any:
    return typer.Option("--out", "-o", help=help)


def _quiet(help: str) -> Any:
    return typer.Option("--quiet", "-q", help=help)


ModelOption = Annotated[
    str,
    _model(
        "'local' (embedded model), 'local:/path/model.gguf', or 'openai:<model>' "
        "(OpenAI, or an OpenAI-compatible server via OPENAI_BASE_URL)."
    ),
]
BatchModelOption = Annotated[
    str,
    _model(
        "openai:<model> (OpenAI, or a server with OPENAI_BASE_URL that has the "
        "Batch API). Use the same model and settings with `summarise` later."
    ),
]
PromptOption = Annotated[
    str | None,
    typer.Option(
        "--prompt", "-p", help="Prompt id, e.g. meeting_summary@v1 (default: newest released)."
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Result cache folder (default: $COMMUNIQUE_CACHE_DIR)."),
]
RefreshOption = Annotated[bool, _refresh("Recompute every article and update the cache.")]
BatchRefreshOption = Annotated[bool, _refresh("Include articles already in the cache.")]
MaxReasksOption = Annotated[
    int, typer.Option("--max-reasks", min=0, max=10, help="Re-asks after invalid output.")
]
ConstrainOption = Annotated[
    bool | None,
    _constrain(
        "Restrict names and dates to those found in the article "
        "(default: on for the embedded model)."
    ),
]
BatchConstrainOption = Annotated[
    bool | None, _constrain("Restrict names and dates to those found in the article.")
]
MaxCharsOption = Annotated[
    int | None,
    _max_chars(
        "Read longer articles in overlapping chunks of at most this many characters "
        "(default: 12,000 for the embedded model, 24,000 for a remote one; an article the "
        "model's context cannot hold is always chunked)."
    ),
]
BatchMaxCharsOption = Annotated[int | None, _max_chars("Chunk size for long articles.")]
MaxArticleCharsOption = Annotated[
    int, _max_article_chars("A longer article gets an error record and is never sent.")
]
BatchMaxArticleCharsOption = Annotated[int, _max_article_chars("Longer articles are left out.")]
JobsOption = Annotated[
    int | None,
    _jobs(
        "Articles summarised at once (default: 8 for a remote model; the embedded "
        "model runs one at a time)."
    ),
]
BatchJobsOption = Annotated[int | None, _jobs("Live calls at once (re-asks).")]
OutOption = Annotated[Path | None, _out("Write JSONL here instead of stdout.")]
BatchOutOption = Annotated[Path | None, _out("Also write the records here (JSONL).")]
QuietOption = Annotated[bool, _quiet("No progress or summary.")]
BatchQuietOption = Annotated[bool, _quiet("No summary.")]
