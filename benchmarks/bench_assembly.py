"""Assembly throughput (grounding and every post-model pass), in articles per second,
in this process and in worker processes on one and on every core, in one run.

    .venv/bin/python benchmarks/bench_assembly.py [--n 400] [--json FILE]

The drafts are the eval set's real articles' gold records shaped as model answers
(:func:`common.real_articles`), N of them (the set repeated, each copy with its own
reference line, so no copy is assembled from another's memo). Each run assembles
all N from 32 threads, as ``summarise --jobs 32`` does once the answers are in;
the workers are started and warmed (tables loaded) before the clock starts. The
records of every run are compared with those made in this process. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import machine, real_articles

from communique.extract.chunks import load_draft
from communique.extract.workers import AssemblyPool, _assemble_here
from communique.inputs.text import split_date_header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    base = real_articles()
    jobs = []
    for i in range(args.n):
        article = base[i % len(base)]
        split = split_date_header(article.file_text, article.name)
        if not isinstance(split, tuple):
            continue
        body, published = split
        jobs.append((load_draft(article.draft), f"{body.rstrip()}\n\nReference {i}.\n", published))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def in_process() -> list[Any]:
        return [_assemble_here(d, text, published, None).events for d, text, published in jobs]

    _assemble_here(*jobs[0][:3], None)  # tables loaded before the clock starts
    started = time.perf_counter()
    reference = in_process()
    runs: list[dict[str, Any]] = [
        {
            "where": "this process, one thread",
            "seconds": round(time.perf_counter() - started, 2),
        }
    ]
    for workers in sorted({1, cores or 1}):
        pool = AssemblyPool(workers)

        def assembled(job: Any, pool: AssemblyPool = pool) -> Any:
            return pool.assemble(job[0], job[1], job[2], None).events

        with ThreadPoolExecutor(max(1, workers) * 4) as warm:
            list(warm.map(assembled, jobs[:8]))
        started = time.perf_counter()
        with ThreadPoolExecutor(32) as threads:
            made = list(threads.map(assembled, jobs))
        runs.append(
            {
                "where": f"{workers} worker process(es)",
                "seconds": round(time.perf_counter() - started, 2),
                "records that differ from this process's": sum(
                    a != b for a, b in zip(made, reference, strict=True)
                ),
            }
        )
        pool.close()
    for run in runs:
        run["articles_per_s"] = round(len(jobs) / run["seconds"], 1) if run["seconds"] else None
    figures = {
        "benchmark": "assembly throughput, in this process and in worker processes",
        "machine": machine(),
        "articles": len(jobs),
        "runs": runs,
        "command": f"benchmarks/bench_assembly.py --n {args.n}",
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
