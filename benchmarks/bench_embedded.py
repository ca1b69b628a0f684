"""Benchmark the embedded model on the sample articles (prints figures; asserts nothing).

    .venv/bin/python benchmarks/bench_embedded.py [--prompt ID] [--json FILE] [PATH ...]

Cold run: a fresh result cache, one process, articles in order (the first one also
pays for evaluating the static prompt prefix). Then the same CLI command twice more:
both served from the cache; the figure reported is the whole command's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "samples")])
    parser.add_argument("--prompt", default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    from communique.extract.backends.model_assets import resolve_model_file

    model_path = resolve_model_file().path  # assembled in the real user cache
    home = Path(tempfile.mkdtemp(prefix="communique-bench-"))
    os.environ["COMMUNIQUE_HOME"] = str(home)
    os.environ["COMMUNIQUE_MODEL_PATH"] = str(model_path)

    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.inputs import Article, read_inputs

    backend = get_backend("local")
    started = time.perf_counter()
    backend.count_tokens("warm up")  # loads the model
    load_s = time.perf_counter() - started
    summariser = Summariser(backend, load_prompt(args.prompt))
    rows = []
    for item in read_inputs(args.paths):
        if not isinstance(item, Article):
            continue
        t0 = time.perf_counter()
        record = summariser.summarise(item)
        seconds = time.perf_counter() - t0
        usage = record.provenance.usage if record.provenance else None
        rows.append(
            {
                "article": Path(item.source).name,
                "status": record.status,
                "seconds": round(seconds, 2),
                "prompt_tokens": usage.prompt_tokens if usage else 0,
                "completion_tokens": usage.completion_tokens if usage else 0,
                "attempts": usage.attempts if usage else 0,
                "events": len(record.events),
            }
        )
        print(json.dumps(rows[-1]), flush=True)

    cli = [sys.executable, "-m", "communique", "summarise", *args.paths, "-q", "-o", os.devnull]
    if args.prompt:
        cli += ["--prompt", args.prompt]
    cached_runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(cli, check=False, env=dict(os.environ))
        cached_runs.append(round(time.perf_counter() - t0, 2))

    seconds = [r["seconds"] for r in rows]
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "model": backend.model_id,
        "prompt": summariser.prompt.id,
        "articles": len(rows),
        "ok": sum(r["status"] == "ok" for r in rows),
        "model_load_s": round(load_s, 2),
        "median_s_per_article": round(statistics.median(seconds), 2),
        "mean_s_per_article": round(statistics.mean(seconds), 2),
        "first_article_s": seconds[0],
        "median_prompt_tokens": statistics.median(r["prompt_tokens"] for r in rows),
        "median_completion_tokens": statistics.median(r["completion_tokens"] for r in rows),
        "total_completion_tokens": sum(r["completion_tokens"] for r in rows),
        "cached_rerun_s (whole CLI command)": cached_runs,
        "per_article": rows,
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "per_article"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
