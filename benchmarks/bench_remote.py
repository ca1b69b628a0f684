"""The remote path: ``communique summarise --jobs N`` against a loopback OpenAI-compatible
server with a set latency and fault rate.

    .venv/bin/python benchmarks/bench_remote.py                 # the three standard runs
    .venv/bin/python benchmarks/bench_remote.py --n 200 --latency 0.5 --jobs 32 --faults 0.3
    .venv/bin/python benchmarks/bench_remote.py --dead 1000     # a dead endpoint only
    .venv/bin/python benchmarks/bench_remote.py --real ...      # real articles (see below)

The server answers every request after ``--latency`` seconds; with ``--faults p`` a
request fails with probability p, evenly as HTTP 500, HTTP 503, HTTP 429 with
``Retry-After: 1`` and a connection dropped without an answer. The whole CLI command
is timed, in a fresh cache. Figures: wall time against the ideal (n x latency / jobs),
the most requests the server held at once, articles lost (no record, or an error
record), and articles the server answered successfully more than once (duplicated
work). Articles are short synthetic meetings (cheap to assemble, so the figure is the
scheduler's); ``--real`` uses the eval set's real articles with drafts from their
gold records, where assembly (about 70 ms of CPU an article) bounds the throughput on
a small machine. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import tempfile
import threading
from collections import Counter
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

from fake_openai import ARTICLE_BODY, draft, drop, http_error, meeting_event

_REFERENCE = re.compile(r"Reference (\d+)\.")


class Server:
    """The loopback server: latency, injected faults, and per-article bookkeeping."""

    def __init__(self, latency: float, faults: float, answers: dict[int, dict[str, Any]]) -> None:
        self.faults = faults
        self.answers = answers
        self.successes: Counter[int] = Counter()
        self.injected: Counter[str] = Counter()
        self.random = random.Random(7)
        self.lock = threading.Lock()
        self.fake = FakeOpenAI(self.respond, latency=latency)

    def respond(self, body: dict[str, Any]) -> Scripted:
        user = body["messages"][-1]["content"]
        found = _REFERENCE.findall(user)
        number = int(found[-1]) if found else -1
        with self.lock:
            roll = self.random.random()
            if roll < self.faults:
                fault = ("500", "503", "429", "drop")[int(roll / self.faults * 4) % 4]
                self.injected[fault] += 1
            else:
                fault = ""
                self.successes[number] += 1
        if fault == "drop":
            return drop()
        if fault == "429":
            return http_error(429, headers={"Retry-After": "1"})
        if fault:
            return http_error(int(fault))
        return completion(self.answers.get(number, {"events": []}))


def synthetic(n: int) -> tuple[list[str], dict[int, dict[str, Any]]]:
    texts, answers = [], {}
    for i in range(n):
        texts.append(f"{ARTICLE_BODY} Reference {i}.")
        answers[i] = draft(meeting_event(summary=f"Meeting number {i} in Baku."))
    return texts, answers


def real(n: int) -> tuple[list[str], dict[int, dict[str, Any]]]:
    base = real_articles()
    texts, answers = [], {}
    for i in range(n):
        article = base[i % len(base)]
        body = article.file_text
        if body.startswith(" date"):
            body = body.split(" ", 3)[3]
        texts.append(body.strip() + f"\n\nReference {i}.")
        answers[i] = article.draft
    return texts, answers


def summarise(texts: list[str], base_url: str, jobs: int, work: Path) -> dict[str, Any]:
    """``summarise`` on `texts` (as a JSONL feed), answered by the server at `base_url`."""
    work.mkdir(parents=True, exist_ok=True)
    feed = work / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    out = work / "out.jsonl"
    env = fake_server_env(work / "home", base_url)
    args = ["summarise", str(feed), "-m", "openai:bench"]
    args += ["--jobs", str(jobs), "--max-reasks", "0", "-o", str(out)]
    run = run_cli(args, env)
    return {
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "exit": run.exit,
        "stderr": run.stderr,
        "records": read_jsonl(out) if out.exists() else [],
    }


def scenario(
    n: int, latency: float, jobs: int, faults: float, use_real: bool, work: Path
) -> dict[str, Any]:
    texts, answers = (real if use_real else synthetic)(n)
    server = Server(latency, faults, answers)
    server.fake.start()
    try:
        result = summarise(texts, server.fake.base_url, jobs, work)
    finally:
        server.fake.stop()
    records = result["records"]
    per_article = Counter(r["article"]["external_id"] for r in records)
    ok = {r["article"]["external_id"] for r in records if r["status"] == "ok"}
    ideal = n * latency / jobs
    fake = server.fake
    span = (fake.last_answer_at or 0.0) - (fake.first_request_at or 0.0)
    return {
        "scenario": f"{n} {'real' if use_real else 'synthetic'} articles, latency {latency} s, "
        f"--jobs {jobs}, {faults:.0%} faults",
        "command": f"benchmarks/bench_remote.py --n {n} --latency {latency} --jobs {jobs} "
        f"--faults {faults}" + (" --real" if use_real else ""),
        "wall_s": round(result["wall_s"], 2),
        "ideal_s": round(ideal, 2),
        "wall_over_ideal": round(result["wall_s"] / ideal, 2),
        "batch_s (first request to last answer)": round(span, 2),
        "batch_over_ideal": round(span / ideal, 2),
        "max_in_flight": server.fake.max_in_flight,
        "cli_cpu_s (the command's own CPU time)": round(result["cpu_s"], 2),
        "requests": server.fake.request_count,
        "faults_injected": dict(server.injected),
        "records": len(records),
        "ok": len(ok),
        "lost (no record)": sum(per_article[str(i)] == 0 for i in range(n)),
        "repeated (more than one record)": sum(per_article[str(i)] > 1 for i in range(n)),
        "failed after bounded retries (error record)": n - len(ok),
        "duplicated (answered ok more than once)": sum(
            1 for count in server.successes.values() if count > 1
        ),
        "exit_code": result["exit"],
        "summary_line": result["stderr"].strip().splitlines()[-1:],
    }


def dead(n: int, work: Path) -> dict[str, Any]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    texts, _ = synthetic(n)
    result = summarise(texts, f"http://127.0.0.1:{port}/v1", 8, work)
    kinds = Counter((r["error"] or {}).get("kind") for r in result["records"])
    lines = [line for line in result["stderr"].splitlines() if line.strip()]
    return {
        "scenario": f"{n} articles, dead endpoint (connection refused), default --jobs",
        "command": f"benchmarks/bench_remote.py --dead {n}",
        "wall_s": round(result["wall_s"], 2),
        "exit_code": result["exit"],
        "records": len(result["records"]),
        "error_kinds": dict(kinds),
        "stderr_lines": len(lines),
        "message": [line for line in lines if "stopped" in line],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=32)
    parser.add_argument("--faults", type=float, default=None)
    parser.add_argument("--real", action="store_true", help="Real articles (eval set).")
    parser.add_argument("--dead", type=int, default=None, help="Only the dead endpoint run.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="communique-bench-remote-"))
    figures: dict[str, Any] = {"benchmark": "remote path", "machine": machine(), "runs": []}
    if args.dead is not None:
        figures["runs"].append(dead(args.dead, work / "dead"))
    elif args.n is not None or args.faults is not None:
        figures["runs"].append(
            scenario(
                args.n or 200, args.latency, args.jobs, args.faults or 0.0, args.real, work / "one"
            )
        )
    else:
        figures["runs"].append(scenario(200, 0.5, 32, 0.0, args.real, work / "clean"))
        figures["runs"].append(scenario(200, 0.5, 32, 0.3, args.real, work / "faults"))
        figures["runs"].append(dead(1000, work / "dead"))
    for run in figures["runs"]:
        print(json.dumps(run, indent=2, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
