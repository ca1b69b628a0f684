"""The all-cached path: ``communique summarise`` on N real articles already in the cache.

    .venv/bin/python benchmarks/bench_cached.py [--n 1000] [--runs 3] [--json FILE]

N distinct articles are made from the eval set's real articles (each copy ends with
its own reference line, so each is its own article and cache entry). A loopback
OpenAI-compatible server answers each with a draft built from the article's gold
record, and one ``summarise`` run fills a fresh cache. The server is then stopped
and the same command is timed (the whole process, as a user runs it): every record
must come from the cache, since no model is left to answer. Also timed: the first
run after an assembly change (the assembled records deleted, so every record is
assembled again from the cached model output), and the modules the cached run
imports. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from common import (
    FakeOpenAI,
    Scripted,
    completion,
    fake_server_env,
    machine,
    read_jsonl,
    real_articles,
    run_cli,
)

HEAVY = (
    "openai",
    "instructor",
    "llama_cpp",
    "tenacity",
    "dateparser",
    "rapidfuzz",
    "bs4",
    "jinja2",
    "py3langid",
    "pymorphy3",
    "communique.extract.assemble",
    "communique.extract.modelcall",
)


def check(out: Path, n: int) -> dict[str, int]:
    records = read_jsonl(out)
    return {
        "records": len(records),
        "ok": sum(r["status"] == "ok" for r in records),
        "cached": sum(bool(r["provenance"] and r["provenance"]["cached"]) for r in records),
        "events": sum(len(r["events"]) for r in records),
        "expected": n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="Articles (default 1000).")
    parser.add_argument("--runs", type=int, default=3, help="Timed cached runs (default 3).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument("--keep", action="store_true", help="Keep the articles and cache.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="communique-bench-cached-"))
    folder = work / "articles"
    folder.mkdir()
    real = real_articles()
    answers: dict[str, dict[str, Any]] = {}
    for article in real:
        body = article.file_text.split(" ", 3)[3] if article.file_text.startswith(" date") else ""
        answers[(body or article.file_text).strip()[:120]] = article.draft
    for i in range(args.n):
        article = real[i % len(real)]
        text = article.file_text.rstrip() + f"\n\nReference {i:05d}.\n"
        (folder / f"{i:05d}_{article.name}.txt").write_text(text, encoding="utf-8")

    def responder(body: dict[str, Any]) -> Scripted:
        user = body["messages"][-1]["content"]
        for snippet, draft in answers.items():
            if snippet in user:
                return completion(draft)
        return completion({"events": []})

    server = FakeOpenAI(responder).start()
    env = fake_server_env(work / "home", server.base_url, COLUMNS="120")
    cli = ["summarise", str(folder), "-m", "openai:bench"]
    cli += ["--max-reasks", "0"]  # a gold answer is valid or not: asking again changes nothing
    fill_s = run_cli([*cli, "-q", "-o", str(work / "fill.jsonl")], env).wall_s
    server.stop()  # from here on, any model call fails: records must come from the cache
    filled = check(work / "fill.jsonl", args.n)
    print(f"fill: {fill_s:.1f} s, {server.request_count} model calls, {filled}", flush=True)

    out = work / "out.jsonl"
    timings = []
    for _ in range(args.runs):
        done = run_cli([*cli, "-o", str(out)], env)
        timings.append(round(done.wall_s, 3))
        print(f"cached run: {done.wall_s:.2f} s  ({done.stderr.strip().splitlines()[-1]})")
    cached = check(out, args.n)
    quiet_s = run_cli([*cli, "-q", "-o", str(out)], env).wall_s

    shutil.rmtree(work / "home" / "results" / "assembled")
    reassembly_s = run_cli([*cli, "-q", "-o", str(out)], env).wall_s
    after_s = run_cli([*cli, "-q", "-o", str(out)], env).wall_s
    reassembled = check(out, args.n)

    imports_env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    done = run_cli([*cli, "-q", "-o", os.devnull], imports_env)
    imported = set(re.findall(r"\|\s+([\w.]+)\s*$", done.stderr, re.M))
    heavy = sorted(name for name in HEAVY if name in imported)

    figures = {
        "benchmark": "cached path, whole `communique summarise` command",
        "machine": machine(),
        "articles": args.n,
        "distinct real texts": len(real),
        "fill": {"seconds": round(fill_s, 1), **filled},
        "cached_run_s": timings,
        "cached_run_median_s": round(statistics.median(timings), 3),
        "cached_run_quiet_s": round(quiet_s, 3),
        "per_article_ms": round(1000 * statistics.median(timings) / args.n, 3),
        "cached_records": cached,
        "after_assembly_change_s": round(reassembly_s, 2),
        "next_run_s": round(after_s, 3),
        "reassembled_records": reassembled,
        "heavy_modules_imported_when_cached": heavy,
        "command": " ".join(["communique summarise", "FOLDER", *cli[2:]]),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.keep:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
