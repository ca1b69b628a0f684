"""What each speed lever of the embedded model is worth (prints a table; asserts nothing).

    .venv/bin/python benchmarks/bench_levers.py [--levers NAME,...] [--json FILE] [PATH ...]

Each lever is one configuration of the same command, ``communique summarise`` on the
same articles with a fresh result cache, run one after another in this process's
machine. The first article of each run is a warm-up (it may evaluate the prompt's
static prefix) and is left out of the figures. Per article the record's provenance
gives the seconds, and the prompt and output tokens of every model call.

Levers:
  v5             the previous prompt: the model writes each summary
  v7-one-pass    v7 (summaries composed from the record), without the follow-up turn
  v7-no-roles-turn  v7 without the turn that asks for roles in English
  v7             v7 with its follow-up turn (events the first answer missed)
  v7-lookup-N    v7 with prompt-lookup (speculative) decoding of N draft tokens
  v7-threads-1   v7 on one thread (for scale)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import cli_env, read_jsonl, run_cli

ROOT = Path(__file__).resolve().parents[1]
# Real articles of 220 to 300 words from the tuned part of the eval set (never the
# set-aside part), in English and other languages, meetings, calls and a reported pair.
DEFAULT_ARTICLES = [
    "evals/cases/000_daaaa6ecabdf314d.txt",  # warm-up
    "evals/cases/004_cbaad0d94091b6a1.txt",
    "evals/cases/en03_indianawaaz_jaishankar_g20_sidelines.txt",
    "evals/cases/en08_ukpol_johnson_tillerson_london.txt",
    "evals/cases/p003_newsaz_hasanov_tufekci.txt",
    "evals/cases/fr05_aminata_conde_uae_envoy.txt",
    "evals/cases/es02_andina_rodriguez_mackay_bogota.txt",
    "evals/cases/es05_ntn24_villavicencio_rubio_call.txt",
    "evals/cases/nl06_lpmnews_badrising_noorman_ambassadeur.txt",
]
LEVERS = ("v5", "v7-one-pass", "v7-no-roles-turn", "v7", "v7-lookup-10", "v7-threads-1")


def _prompts_with(tmp: Path, edit: Callable[[str], str]) -> Path:
    """A copy of prompts/ with v7 edited (an unreleased variant, for measuring only)."""
    target = tmp / "prompts"
    shutil.copytree(ROOT / "prompts", target)
    path = target / "meeting_summary" / "v7.md"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def _without_followup(text: str) -> str:
    return re.sub(r"\n=== followup ===\n.*\Z", "\n", text, flags=re.S)


def _without_roles_turn(text: str) -> str:
    return text.replace("english_roles = true", "english_roles = false")


def _configure(lever: str, tmp: Path) -> tuple[list[str], dict[str, str]]:
    env: dict[str, str] = {}
    if lever == "v5":
        return ["--prompt", "meeting_summary@v5"], env
    if lever == "v7-one-pass":
        env["COMMUNIQUE_PROMPTS_DIR"] = str(_prompts_with(tmp, _without_followup))
    elif lever == "v7-no-roles-turn":
        env["COMMUNIQUE_PROMPTS_DIR"] = str(_prompts_with(tmp, _without_roles_turn))
    elif lever.startswith("v7-lookup-"):
        env["COMMUNIQUE_LOOKUP"] = lever.rsplit("-", 1)[1]
    elif lever.startswith("v7-threads-"):
        env["COMMUNIQUE_THREADS"] = lever.rsplit("-", 1)[1]
    elif lever != "v7":
        raise SystemExit(f"unknown lever {lever!r}; levers: {', '.join(LEVERS)}")
    return ["--prompt", "meeting_summary@v7"], env


def run_lever(lever: str, articles: list[str], model_path: str) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix=f"communique-lever-{lever}-"))
    args, extra = _configure(lever, tmp)
    env = cli_env(
        COMMUNIQUE_CACHE_DIR=str(tmp / "results"), COMMUNIQUE_MODEL_PATH=model_path, **extra
    )
    out = tmp / "records.jsonl"
    run_cli(["summarise", *articles, *args, "-q", "--out", str(out)], env)
    rows = []
    for record in read_jsonl(out)[1:]:  # the first is a warm-up
        provenance = record.get("provenance") or {}
        usage = provenance.get("usage") or {}
        rows.append(
            {
                "article": Path(record["article"]["source"]).name,
                "status": record["status"],
                "events": len(record.get("events", [])),
                "seconds": provenance.get("duration_s", 0.0),
                "prompt_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "calls": usage.get("attempts", 0),
            }
        )
    shutil.rmtree(tmp, ignore_errors=True)
    seconds = [r["seconds"] for r in rows]
    output = [r["output_tokens"] for r in rows]
    return {
        "lever": lever,
        "articles": len(rows),
        "failed": sum(r["status"] != "ok" for r in rows),
        "median_s": statistics.median(seconds) if seconds else None,
        "mean_s": statistics.mean(seconds) if seconds else None,
        "median_output_tokens": statistics.median(output) if output else None,
        "output_tokens_per_s": sum(output) / sum(seconds) if sum(seconds) else None,
        "calls": sum(int(r["calls"]) for r in rows),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / p) for p in DEFAULT_ARTICLES])
    parser.add_argument("--levers", default=",".join(LEVERS))
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    from communique.extract.backends.model_assets import resolve_model_file

    model_path = str(resolve_model_file().path)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"articles: {len(args.paths) - 1} (after one warm-up)\n")
    results = []
    header = f"{'lever':<16}{'median s':>10}{'mean s':>10}{'out tok':>9}{'tok/s':>8}{'calls':>7}"
    print(header)
    for lever in args.levers.split(","):
        result = run_lever(lever.strip(), args.paths, model_path)
        results.append(result)

        def fmt(value: object, spec: str) -> str:
            return format(value, spec) if isinstance(value, int | float) else "-"

        print(
            f"{lever:<16}{fmt(result['median_s'], '10.2f')}{fmt(result['mean_s'], '10.2f')}"
            f"{fmt(result['median_output_tokens'], '9.0f')}"
            f"{fmt(result['output_tokens_per_s'], '8.2f')}{result['calls']:>7}"
            + (f"  ({result['failed']} failed)" if result["failed"] else ""),
            flush=True,
        )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
