"""Benchmark the embedded model per article, against llama.cpp's raw rates measured in the
same run (prints figures; asserts nothing).

    flock /work/model.lock .venv/bin/python benchmarks/bench_embedded.py \\
        [--prompt ID] [--json FILE] [--no-cached] [PATH ...]

Each article goes through the pipeline in one process, in a fresh result cache (the
first one also pays for the static prompt prefix unless its KV state is on disk).
Right before each article, llama.cpp's own rates on this machine and model are
measured in the same process: prompt evaluation (256 tokens in one batch), free
generation and generation under the draft's JSON grammar (32 tokens each, greedy),
so that the ratio stays meaningful on a machine whose load changes. Per article and
per model call: prompt tokens (and the new ones, past the static prefix or the
conversation already in the context), output tokens, seconds, output tokens a
second, and the ratio of the seconds to what those raw rates give for those tokens
(new prompt tokens at the prompt rate, output at the grammar rate; 1.0 is llama.cpp's
raw speed, the rest is sampling, streaming and Python). Finally, unless
``--no-cached``, the same CLI command twice more, from the cache: the whole
command's wall time.

The model is run in-process: wrap the command in ``flock /work/model.lock`` on a
shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common import ROOT, cli_env, machine, run_cli


@dataclass
class Call:
    prompt_tokens: int
    new_prompt_tokens: int
    completion_tokens: int
    seconds: float


def raw_rates(llama: Any, text: str, grammar_text: str) -> dict[str, float]:
    """llama.cpp's tokens a second: prompt evaluation, free and grammar generation."""
    from llama_cpp.llama_grammar import LlamaGrammar

    tokens = llama.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    batch = (tokens * 8)[:256]
    llama.reset()
    started = time.perf_counter()
    llama.eval(batch)
    prompt_rate = len(batch) / (time.perf_counter() - started)

    def generation(grammar: Any) -> float:
        llama.reset()
        started = 0.0
        stream = llama.generate(batch[:64], temp=0.0, top_k=1, grammar=grammar)
        for produced, _ in enumerate(stream):
            if produced == 0:
                started = time.perf_counter()  # the first token also paid for the prompt
            elif produced == 32:
                break
        return 32 / (time.perf_counter() - started)

    free = generation(None)
    constrained = generation(LlamaGrammar.from_string(grammar_text, verbose=False))
    llama.reset()
    return {
        "prompt_tokens_per_s": round(prompt_rate, 1),
        "free_generation_tokens_per_s": round(free, 2),
        "grammar_generation_tokens_per_s": round(constrained, 2),
    }


def instrument(backend: Any, calls: list[Call]) -> None:
    """Record every model call: tokens, the new prompt tokens, seconds."""
    from communique.extract.backends.local import prompt_tokens

    inner = backend.create

    def create(**kwargs: Any) -> Any:
        messages = kwargs.get("messages", [])
        llama = backend.llama
        before = [int(t) for t in llama.input_ids[: llama.n_tokens]]
        prefix = backend._static_prefix(messages)
        continues = backend._continues(messages)
        ids = prompt_tokens(llama, messages) or []
        if continues:
            reused = next(
                (i for i, (a, b) in enumerate(zip(before, ids, strict=False)) if a != b),
                min(len(before), len(ids)),
            )
        else:
            reused = len(prefix or ())
        started = time.perf_counter()
        completion = inner(**kwargs)
        usage = completion.usage
        calls.append(
            Call(
                prompt_tokens=usage.prompt_tokens if usage else len(ids),
                new_prompt_tokens=max(0, len(ids) - reused),
                completion_tokens=usage.completion_tokens if usage else 0,
                seconds=time.perf_counter() - started,
            )
        )
        return completion

    backend.create = create


def median(values: Any) -> float | None:
    """The median of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "samples")])
    parser.add_argument("--prompt", default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument("--no-cached", action="store_true", help="Skip the cached re-runs.")
    args = parser.parse_args()

    from communique.extract.backends.model_assets import resolve_model_file

    model_path = resolve_model_file().path  # assembled in the real user cache
    home = Path(tempfile.mkdtemp(prefix="communique-bench-"))
    os.environ["COMMUNIQUE_HOME"] = str(home)
    os.environ["COMMUNIQUE_MODEL_PATH"] = str(model_path)
    kv = Path(model_path).parent / "kv"  # the static prefix's saved KV state: reuse it
    if kv.is_dir():
        (home / "models").mkdir(parents=True, exist_ok=True)
        (home / "models" / "kv").symlink_to(kv, target_is_directory=True)

    from communique.extract.backends import get_backend
    from communique.extract.backends.local import schema_grammar
    from communique.extract.draft import ExtractionDraft
    from communique.extract.pipeline import Summariser
    from communique.extract.prompts import load_prompt
    from communique.inputs import Article, read_inputs

    backend: Any = get_backend("local")
    started = time.perf_counter()
    backend.count_tokens("warm up")  # loads the model
    load_s = time.perf_counter() - started
    grammar = schema_grammar(json.dumps(ExtractionDraft.model_json_schema()))
    sample = sorted((ROOT / "samples").glob("*.txt"))[0].read_text(encoding="utf-8")

    summariser = Summariser(backend, load_prompt(args.prompt))
    calls: list[Call] = []
    rows = []
    for item in read_inputs(args.paths):
        if not isinstance(item, Article):
            continue
        backend._conversation = None  # raw rates first, on this machine as it is now
        rates = raw_rates(backend.llama, sample, grammar)
        instrument(backend, calls)
        first_call = len(calls)
        t0 = time.perf_counter()
        record = summariser.summarise(item)
        seconds = time.perf_counter() - t0
        del backend.create  # the instrumentation off
        mine = calls[first_call:]
        ideal = (
            sum(c.new_prompt_tokens for c in mine) / rates["prompt_tokens_per_s"]
            + sum(c.completion_tokens for c in mine) / rates["grammar_generation_tokens_per_s"]
        )
        free = (
            sum(c.new_prompt_tokens for c in mine) / rates["prompt_tokens_per_s"]
            + sum(c.completion_tokens for c in mine) / rates["free_generation_tokens_per_s"]
        )
        model_seconds = sum(c.seconds for c in mine)
        completion_tokens = sum(c.completion_tokens for c in mine)
        rows.append(
            {
                "article": Path(item.source).name,
                "status": record.status,
                "seconds": round(seconds, 2),
                "calls": len(mine),
                "prompt_tokens": sum(c.prompt_tokens for c in mine),
                "new_prompt_tokens": sum(c.new_prompt_tokens for c in mine),
                "completion_tokens": completion_tokens,
                "model_seconds": round(model_seconds, 2),
                "output_tokens_per_s": round(completion_tokens / model_seconds, 2)
                if model_seconds
                else None,
                "raw_rates": rates,
                "raw_llama_cpp_s": round(ideal, 2),
                "ratio_to_raw": round(model_seconds / ideal, 2) if ideal else None,
                "ratio_to_raw_free_generation": round(model_seconds / free, 2) if free else None,
                "events": len(record.events),
                "per_call": [asdict(c) | {"seconds": round(c.seconds, 2)} for c in mine],
            }
        )
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "per_call"}), flush=True)

    cached_runs = []
    if not args.no_cached:
        cli = ["summarise", *args.paths, "-q", "-o", os.devnull]
        if args.prompt:
            cli += ["--prompt", args.prompt]
        for _ in range(2):  # this process's COMMUNIQUE_HOME and model, set above
            cached_runs.append(round(run_cli(cli, cli_env()).wall_s, 2))

    seconds = [r["seconds"] for r in rows]
    figures = {
        "benchmark": "embedded model, per article",
        "machine": machine(),
        "model": backend.model_id,
        "threads": backend.n_threads,
        "prompt": summariser.prompt.id,
        "articles": len(rows),
        "ok": sum(r["status"] == "ok" for r in rows),
        "model_load_s": round(load_s, 2),
        "median_raw_rates (llama.cpp, before each article)": {
            key: statistics.median(r["raw_rates"][key] for r in rows)
            for key in rows[0]["raw_rates"]
        }
        if rows
        else {},
        "median_s_per_article": round(statistics.median(seconds), 2),
        "mean_s_per_article": round(statistics.mean(seconds), 2),
        "first_article_s": seconds[0] if seconds else None,
        "median_prompt_tokens": statistics.median(r["prompt_tokens"] for r in rows),
        "median_new_prompt_tokens": statistics.median(r["new_prompt_tokens"] for r in rows),
        "median_completion_tokens": statistics.median(r["completion_tokens"] for r in rows),
        "median_output_tokens_per_s": median(r["output_tokens_per_s"] for r in rows),
        "median_ratio_to_raw": median(r["ratio_to_raw"] for r in rows),
        "cached_rerun_s (whole CLI command)": cached_runs,
        "per_article": rows,
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "per_article"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
