"""The Batch API round trip on the loopback fake of /v1/files and /v1/batches:
``batch submit``, ``batch collect``, then ``summarise`` from the cache.

    .venv/bin/python benchmarks/bench_batch.py [--n 1000] [--invalid 0.05] [--json FILE]

N distinct articles are made from the eval set's real articles (each copy ends with
its own reference line). The fake answers each batch line with a draft built from the
article's gold record; a share (``--invalid``) of the answers are invalid (a title
left in a name), which ``collect`` re-asks through the normal path: live calls the
fake answers correctly. Each step is the whole CLI command, timed. Figures: requests
and file size, answers used from the batch, live calls, and the model calls
``summarise`` makes afterwards (the point: none). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
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

_REFERENCE = re.compile(r"Reference (\d+)\.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--invalid", type=float, default=0.05, help="Share of invalid answers.")
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
        live = len(messages) > 2  # a re-ask: answer it right
        if number in spoiled and not live and answer["events"][0]["people"]:
            person = answer["events"][0]["people"][0]
            person["name"] = "Minister " + person["name"]
        return completion(answer)

    server = FakeOpenAI(respond).start()
    env = fake_server_env(work / "home", server.base_url)
    model = ["-m", "openai:bench"]

    requests_file = work / "requests.jsonl"
    submitted = run_cli(
        ["batch", "submit", str(folder), *model, "--requests", str(requests_file)], env
    )
    lines = len(server.batch_lines)
    chat_before = server.request_count
    collected = run_cli(["batch", "collect", "-q"], env)
    live = server.request_count - chat_before
    calls_before = server.request_count
    summarised = run_cli(["summarise", str(folder), *model, "-q", "-o", str(work / "o")], env)
    records = read_jsonl(work / "o")
    server.stop()

    figures = {
        "benchmark": "Batch API round trip on the loopback fake",
        "machine": machine(),
        "articles": args.n,
        "submit": {
            "seconds": round(submitted.wall_s, 2),
            "exit_code": submitted.exit,
            "requests": lines,
            "file_mb": round(requests_file.stat().st_size / 1e6, 2),
        },
        "collect": {
            "seconds": round(collected.wall_s, 2),
            "exit_code": collected.exit,
            "invalid_answers_in_batch": len(spoiled),
            "live_calls (re-asks of invalid answers and of summaries)": live,
        },
        "summarise_after": {
            "seconds": round(summarised.wall_s, 2),
            "exit_code": summarised.exit,
            "records": len(records),
            "ok": sum(r["status"] == "ok" for r in records),
            "from_cache": sum(bool(r["provenance"] and r["provenance"]["cached"]) for r in records),
            "model_calls": server.request_count - calls_before,
        },
        "command": f"benchmarks/bench_batch.py --n {args.n} --invalid {args.invalid}",
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
