"""How long ``pip install`` takes in a fresh venv, and whether it compiles anything.

    .venv/bin/python benchmarks/bench_install.py [--local] [--no-cache] [--keep DIR]

Makes a new virtual environment in a temporary folder and times
``pip install .`` (or ``pip install '.[local]'`` with ``--local``) into it, from
this source tree. pip's output is kept (``pip.log`` beside the venv, with
``--keep``); every package pip had to build from source is listed (``Building wheel
for ...``): communique itself is pure Python, anything else was compiled.
``--no-cache`` passes ``--no-cache-dir``, so nothing comes from pip's wheel or HTTP
cache (llama-cpp-python then compiles, about 8.5 minutes on 2 cores).

Without ``--local`` it then checks the light install works: ``communique summarise``
with ``--model openai:fake-model`` against the loopback OpenAI-compatible server of
the tests gives an ok record, llama-cpp-python is not importable, and
``--model local`` says in one line what to install. Prints figures; exits non-zero
when a check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, FakeOpenAI, cli_env, completion, machine, run_cli

ARTICLE = ROOT / "samples" / "002_f1a5cb159b39dd80.txt"


def install(venv: Path, extra: str, no_cache: bool) -> tuple[float, list[str]]:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    if no_cache:
        pip.append("--no-cache-dir")
    started = time.perf_counter()
    result = subprocess.run(
        [*pip, f"{ROOT}{extra}"], capture_output=True, text=True, cwd=tempfile.gettempdir()
    )
    seconds = time.perf_counter() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        print(log[-4000:], file=sys.stderr)
        raise SystemExit(f"pip install failed ({result.returncode})")
    built = sorted(set(re.findall(r"Building wheel for (\S+)", log)))
    (venv.parent / "pip.log").write_text(log)
    return seconds, built


def check_light(venv: Path) -> dict[str, object]:
    python = str(venv / "bin" / "python")
    communique = str(venv / "bin" / "communique")
    llama = subprocess.run([python, "-c", "import llama_cpp"], capture_output=True, text=True)
    home = Path(tempfile.mkdtemp(prefix="communique-home-"))
    env = cli_env(home, NO_PROXY="127.0.0.1")
    command = [communique]  # the new environment's own command
    local = run_cli(
        ["summarise", str(ARTICLE), "--model", "local"], env | {"COLUMNS": "200"}, command=command
    )
    server = FakeOpenAI().start()
    try:
        server.add(completion({"events": []}))
        hosted = run_cli(
            ["summarise", str(ARTICLE), "--model", "openai:fake-model", "-q"],
            env | {"OPENAI_BASE_URL": server.base_url},
            command=command,
        )
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    records = [json.loads(line) for line in hosted.stdout.splitlines() if line.strip()]
    return {
        "llama_cpp_importable": llama.returncode == 0,
        "model_local_exit": local.exit,
        "model_local_message": local.stderr.strip(),
        "openai_exit": hosted.exit,
        "openai_record_status": [r["status"] for r in records],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--local", action="store_true", help="install '.[local]'")
    parser.add_argument("--no-cache", action="store_true", help="pip --no-cache-dir")
    parser.add_argument("--keep", type=Path, help="make the venv here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="communique-install-"))
    venv = folder / "venv"
    try:
        extra = "[local]" if args.local else ""
        seconds, built = install(venv, extra, args.no_cache)
        packages = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
            capture_output=True,
            text=True,
        ).stdout.split()
        compiled = [name for name in built if name.lower() != "communique"]
        figures: dict[str, object] = {
            "command": f"pip install{' --no-cache-dir' if args.no_cache else ''} .{extra}",
            "seconds": round(seconds, 1),
            "packages_installed": len(packages),
            "built_from_source": built,
            "compiled": compiled,
            "machine": machine(),
        }
        ok = True
        if not args.local:
            checks = check_light(venv)
            figures.update(checks)
            ok = (
                not compiled
                and not checks["llama_cpp_importable"]
                and checks["model_local_exit"] == 101
                and "communique[local]" in str(checks["model_local_message"])
                and checks["openai_exit"] == 0
                and checks["openai_record_status"] == ["ok"]
            )
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
