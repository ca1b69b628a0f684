"""The remote path: ``communique summarise --jobs N`` against a loopback OpenAI-compatible
server with a set latency and fault rate.

    .venv/bin/python benchmarks/bench_remote.py                 # the three standard runs
    .venv/bin/python benchmarks/bench_remote.py --n 200 --latency 0.5 --jobs 32 --faults 0.3
    .venv/bin/python benchmarks/bench_remote.py --dead 1000     # a dead endpoint only
    .venv/bin/python benchmarks/bench_remote.py --real ...      # real articles (see below)
    .venv/bin/python benchmarks/bench_remote.py --n 50 --real --against HEAD~1

The server answers every request after ``--latency`` seconds; with ``--faults p`` a
request fails with probability p, evenly as HTTP 500, HTTP 503, HTTP 429 with
``Retry-After: 1`` and a connection dropped without an answer. The whole CLI command
is timed, in a fresh cache. Figures: wall time against the ideal (n x latency / jobs),
the most requests the server held at once, articles lost (no record, or an error
record), and articles the server answered successfully more than once (duplicated
work); with ``--latency 0`` the ideal is 0 and the ratios to it are left out.
Articles are short synthetic meetings (cheap to assemble, so the figure is the
scheduler's); ``--real`` uses the eval set's real articles with drafts from their
gold records, where assembly (about 70 ms of CPU an article) bounds the throughput on
a small machine.

``--against REV`` runs each scenario a second time on the code of git revision REV:
its ``src/`` and ``prompts/`` are exported (``git archive``) to a temporary folder
put first on ``PYTHONPATH``, with the same interpreter and installed packages. Both
runs' figures are printed, then side by side with the ratio of this checkout's (its
working tree, uncommitted changes included) to REV's, and the command's CPU seconds
per article for each. CPU time is the steadier figure on a busy machine; wall time
moves with the load. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    ROOT,
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


@dataclass(frozen=True)
class Code:
    """The code a run imports: this checkout's (``src`` None), or an exported revision's."""

    label: str
    src: Path | None = None

    def env(self, env: dict[str, str]) -> dict[str, str]:
        if self.src is None:
            return env
        rest = env.get("PYTHONPATH")
        return env | {"PYTHONPATH": str(self.src) + (os.pathsep + rest if rest else "")}


THIS = Code("working tree")


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def export(rev: str, into: Path) -> Code:
    """Revision `rev`'s ``src/`` and ``prompts/`` in `into`, checked to be what the
    command imports with that ``PYTHONPATH``."""
    commit = _git("rev-parse", "--verify", "--short", f"{rev}^{{commit}}")
    present = set(_git("ls-tree", "--name-only", commit).split())
    parts = [part for part in ("src", "prompts", "schemas") if part in present]
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, *parts],
        capture_output=True,
        check=True,
    )
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    code = Code(f"{rev} ({commit})" if rev != commit else commit, into / "src")
    probe = subprocess.run(
        [sys.executable, "-c", "import communique; print(communique.__file__)"],
        env=code.env(dict(os.environ)),
        capture_output=True,
        text=True,
        check=False,
    )
    if not probe.stdout.strip().startswith(str(into)):
        raise SystemExit(f"{rev}: the command would not import the exported code: {probe}")
    return code


def summarise(texts: list[str], base_url: str, jobs: int, work: Path, code: Code) -> dict[str, Any]:
    """``summarise`` on `texts` (as a JSONL feed), answered by the server at `base_url`."""
    work.mkdir(parents=True, exist_ok=True)
    feed = work / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    out = work / "out.jsonl"
    env = code.env(fake_server_env(work / "home", base_url))
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


CPU = "cli_cpu_s (the command's own CPU time)"


def scenario(
    n: int, latency: float, jobs: int, faults: float, use_real: bool, work: Path, code: Code = THIS
) -> dict[str, Any]:
    texts, answers = (real if use_real else synthetic)(n)
    server = Server(latency, faults, answers)
    server.fake.start()
    try:
        result = summarise(texts, server.fake.base_url, jobs, work, code)
    finally:
        server.fake.stop()
    records = result["records"]
    per_article = Counter(r["article"]["external_id"] for r in records)
    ok = {r["article"]["external_id"] for r in records if r["status"] == "ok"}
    ideal = n * latency / jobs
    fake = server.fake
    span = (fake.last_answer_at or 0.0) - (fake.first_request_at or 0.0)
    figures: dict[str, Any] = {
        "scenario": f"{n} {'real' if use_real else 'synthetic'} articles, latency {latency} s, "
        f"--jobs {jobs}, {faults:.0%} faults",
        "command": f"benchmarks/bench_remote.py --n {n} --latency {latency} --jobs {jobs} "
        f"--faults {faults}" + (" --real" if use_real else ""),
        "wall_s": round(result["wall_s"], 2),
        "ideal_s": round(ideal, 2),
    }
    if ideal > 0:  # --latency 0: no ideal to compare with
        figures["wall_over_ideal"] = round(result["wall_s"] / ideal, 2)
    figures["batch_s (first request to last answer)"] = round(span, 2)
    if ideal > 0:
        figures["batch_over_ideal"] = round(span / ideal, 2)
    return figures | {
        "max_in_flight": server.fake.max_in_flight,
        CPU: round(result["cpu_s"], 2),
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


def dead(n: int, work: Path, code: Code = THIS) -> dict[str, Any]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    texts, _ = synthetic(n)
    result = summarise(texts, f"http://127.0.0.1:{port}/v1", 8, work, code)
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


def _ratio(value: float, other: float) -> float | None:
    return round(value / other, 2) if other else None


def side_by_side(n: int, mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Every number of both runs, with the ratio of this checkout's to the revision's,
    and the command's CPU seconds per article."""
    rows: dict[str, list[float | None]] = {}
    for key, value in mine.items():
        other = theirs.get(key)
        if key == "exit_code" or isinstance(value, bool) or isinstance(other, bool):
            continue
        if not isinstance(value, int | float) or not isinstance(other, int | float):
            continue
        rows[key] = [value, other, _ratio(value, other)]
        if key == CPU and n:
            rows["cli_cpu_s per article"] = [
                round(value / n, 4),
                round(other / n, 4),
                _ratio(value, other),
            ]
    rows["exit_code"] = [mine.get("exit_code"), theirs.get("exit_code"), None]
    return rows


def print_side_by_side(scenario: str, labels: tuple[str, str], rows: dict[str, Any]) -> None:
    width = max(len(key) for key in rows)
    columns = [labels[0], labels[1], "ratio"]
    widths = [max(12, len(column)) for column in columns]
    print(f"\n{scenario}: {labels[0]} against {labels[1]} (ratio: the first over the second)")
    print(" " * width + "".join(f"  {c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for key, values in rows.items():
        cells = ["-" if v is None else f"{v:g}" for v in values]
        line = "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))
        print(f"{key:<{width}}{line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=32)
    parser.add_argument("--faults", type=float, default=None)
    parser.add_argument("--real", action="store_true", help="Real articles (eval set).")
    parser.add_argument("--dead", type=int, default=None, help="Only the dead endpoint run.")
    parser.add_argument(
        "--against",
        metavar="REV",
        default=None,
        help="Also run each scenario on git revision REV's code; print both side by side.",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="communique-bench-remote-"))
    # (folder, articles, run): each run takes its folder and the code to run
    plan: list[tuple[str, int, Callable[[Path, Code], dict[str, Any]]]] = []
    if args.dead is not None:
        plan.append(("dead", args.dead, lambda w, c: dead(args.dead, w, c)))
    elif args.n is not None or args.faults is not None:
        n, faults = args.n or 200, args.faults or 0.0
        plan.append(
            ("one", n, lambda w, c: scenario(n, args.latency, args.jobs, faults, args.real, w, c))
        )
    else:
        plan.append(("clean", 200, lambda w, c: scenario(200, 0.5, 32, 0.0, args.real, w, c)))
        plan.append(("faults", 200, lambda w, c: scenario(200, 0.5, 32, 0.3, args.real, w, c)))
        plan.append(("dead", 1000, lambda w, c: dead(1000, w, c)))

    figures: dict[str, Any] = {"benchmark": "remote path", "machine": machine(), "runs": []}
    if args.against is None:
        figures["runs"] = [run(work / folder, THIS) for folder, _, run in plan]
        for figure in figures["runs"]:
            print(json.dumps(figure, indent=2, ensure_ascii=False), flush=True)
    else:
        other = export(args.against, work / "against")
        figures["against"] = other.label
        figures["comparisons"] = []
        for folder, n, run in plan:
            mine = {"code": THIS.label} | run(work / folder, THIS)
            theirs = {"code": other.label} | run(work / f"{folder}-against", other)
            for figure in (mine, theirs):
                figures["runs"].append(figure)
                print(json.dumps(figure, indent=2, ensure_ascii=False), flush=True)
            rows = side_by_side(n, mine, theirs)
            print_side_by_side(mine["scenario"], (THIS.label, other.label), rows)
            figures["comparisons"].append(
                {"scenario": mine["scenario"], "columns": [THIS.label, other.label, "ratio"]} | rows
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
