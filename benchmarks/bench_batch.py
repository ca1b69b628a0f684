"""The Batch API round trip on the loopback fake of /v1/files and /v1/batches:
``batch submit``, ``batch collect`` round by round, then ``summarise`` from the cache.

    .venv/bin/python benchmarks/bench_batch.py [--n 1000] [--invalid 0.05]
        [--prompt meeting_summary@v7] [--kill-after 2.0] [--json FILE]

N distinct articles are made from the eval set's real articles (each copy ends with
its own reference line). The fake answers each batch line with a draft built from the
article's gold record; a share (``--invalid``) of the first answers are invalid (a
title left in a name). ``collect`` sends nothing live: the re-asks (and, with a prompt
that has them, the follow-up turns) go into the next round, a new batch, until every
article has its record. With ``--kill-after S`` the first ``collect --wait`` is killed
(SIGKILL) after S seconds and run again. Each step is the whole CLI command, timed.

Figures: rounds and requests per round; live calls at collect (the point: none);
requests sent in more than one line (asked twice: none); records lost; then
``summarise --no-cache`` of the same articles against the same fake (so the same
answers, every turn live) and how many records differ from the batch's (none); and
the model calls a cached ``summarise`` makes afterwards (none). Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from common import (
    CLI,
    FakeOpenAI,
    Scripted,
    completion,
    fake_server_env,
    machine,
    read_jsonl,
    real_articles,
    run_cli,
)

_REFERENCE = re.compile(r"Reference (\d+)\.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--invalid", type=float, default=0.05, help="Share of invalid answers.")
    parser.add_argument("--prompt", default="meeting_summary@v5", help="The prompt to use.")
    parser.add_argument(
        "--kill-after", type=float, default=None, help="Kill the first collect after S s."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="communique-bench-batch-"))
    folder = work / "articles"
    folder.mkdir()
    base = real_articles()
    drafts: dict[int, dict[str, Any]] = {}
    for i in range(args.n):
        article = base[i % len(base)]
        text = article.file_text.rstrip() + f"\n\nReference {i}.\n"
        (folder / f"{i:05d}_{article.name}.txt").write_text(text, encoding="utf-8")
        drafts[i] = article.draft
    chooser = random.Random(11)
    spoiled = {i for i in drafts if chooser.random() < args.invalid and drafts[i]["events"]}

    def respond(body: dict[str, Any]) -> Scripted:
        messages = body["messages"]
        found = _REFERENCE.findall(messages[1]["content"])
        number = int(found[-1]) if found else -1
        answer = json.loads(json.dumps(drafts.get(number, {"events": []})))
        schema = body.get("response_format", {}).get("json_schema", {}).get("name")
        if schema == "SummaryFix":  # a summary the record-quality checks asked again
            return completion({"summary": answer["events"][0]["summary"]})
        later = len(messages) > 2  # a re-ask or a follow-up turn: answer it right
        if number in spoiled and not later and answer["events"][0]["people"]:
            person = answer["events"][0]["people"][0]
            person["name"] = "Minister " + person["name"]
        return completion(answer)

    server = FakeOpenAI(respond).start()
    env = fake_server_env(work / "home", server.base_url, COMMUNIQUE_PROMPT=args.prompt)
    model = ["-m", "openai:bench"]

    requests_file = work / "requests.jsonl"
    submitted = run_cli(
        ["batch", "submit", str(folder), *model, "--requests", str(requests_file)], env
    )
    chat_before = server.request_count
    collect = ["batch", "collect", "--wait", "--every", "0.05", "-q", "-o", str(work / "b")]
    killed = None
    if args.kill_after is not None:
        killed = _killed_after(collect, env, args.kill_after)
    collected = run_cli(collect, env)
    live = server.request_count - chat_before
    from_batch = {r["article"]["source"]: r for r in read_jsonl(work / "b")}
    rounds = [batch["request_counts"]["total"] for batch in server.batches.values()]
    asked = Counter(_fingerprint(line["body"]["messages"]) for line in server.batch_lines)

    calls_before = server.request_count
    cached = run_cli(["summarise", str(folder), *model, "-q", "-o", str(work / "o")], env)
    records = read_jsonl(work / "o")
    cached_calls = server.request_count - calls_before

    fresh_env = fake_server_env(work / "fresh", server.base_url, COMMUNIQUE_PROMPT=args.prompt)
    live_run = run_cli(
        ["summarise", str(folder), *model, "-q", "--no-cache", "-o", str(work / "l")], fresh_env
    )
    direct = read_jsonl(work / "l")
    differ = sum(
        1
        for r in direct
        if r["status"] != "ok"
        or r["article"]["source"] not in from_batch
        or r["events"] != from_batch[r["article"]["source"]]["events"]
    )
    server.stop()

    figures = {
        "benchmark": "Batch API rounds on the loopback fake",
        "machine": machine(),
        "articles": args.n,
        "prompt": args.prompt,
        "submit": {
            "seconds": round(submitted.wall_s, 2),
            "exit_code": submitted.exit,
            "requests": rounds[0] if rounds else 0,
            "file_mb": round(requests_file.stat().st_size / 1e6, 2),
        },
        "collect": {
            "seconds": round(collected.wall_s, 2),
            "exit_code": collected.exit,
            "killed (SIGKILL after --kill-after s, then run again)": killed,
            "invalid_answers_in_batch": len(spoiled),
            "rounds": len(rounds),
            "requests per round": rounds,
            "live_calls": live,
            "requests asked in more than one line": sum(1 for n in asked.values() if n > 1),
            "records": len(from_batch),
            "lost (articles with no record)": args.n - len(from_batch),
        },
        "same answers, summarise --no-cache": {
            "seconds": round(live_run.wall_s, 2),
            "records": len(direct),
            "records that differ from the batch's": differ,
        },
        "summarise_after": {
            "seconds": round(cached.wall_s, 2),
            "exit_code": cached.exit,
            "records": len(records),
            "ok": sum(r["status"] == "ok" for r in records),
            "from_cache": sum(bool(r["provenance"] and r["provenance"]["cached"]) for r in records),
            "model_calls": cached_calls,
        },
        "command": f"benchmarks/bench_batch.py --n {args.n} --invalid {args.invalid} "
        f"--prompt {args.prompt}"
        + (f" --kill-after {args.kill_after}" if args.kill_after is not None else ""),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def _fingerprint(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, sort_keys=True, ensure_ascii=False)


def _killed_after(command: list[str], env: dict[str, str], seconds: float) -> dict[str, Any]:
    """Start ``command``, kill it with SIGKILL after ``seconds``; how far it had got."""
    process = subprocess.Popen(
        [*CLI, *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        process.wait(timeout=seconds)
        finished = True
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        finished = False
    return {"after_s": seconds, "had_finished": finished, "exit": process.returncode}


if __name__ == "__main__":
    main()
