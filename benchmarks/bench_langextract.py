"""Side by side: communique and LangExtract on the same embedded model and the same real
eval articles: seconds per article and participant accuracy (optional benchmark).

    .venv/bin/pip install -e '.[bench]'      # LangExtract with its OpenAI provider
    flock /work/model.lock .venv/bin/python benchmarks/bench_langextract.py [--n 6] [--json FILE]

LangExtract talks to an OpenAI-compatible endpoint; here that is a loopback server
answering with the embedded GGUF through llama-cpp-python (JSON mode, greedy), one
request at a time, so both tools run the same model on the same CPU. LangExtract runs
with its defaults (1,000-character chunks, one pass), two short examples of the task
written for this benchmark, and no network. The articles are by default from the eval
set's held-out part (``evals/cases-test``), which no prompt was tuned on. Accuracy is
the participants' names against the gold records (a name or one of its aliases,
compared the way communique's eval compares names): precision, recall and F1 over all
articles, the same function for both tools. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import ROOT, FakeOpenAI, Scripted, completion, machine

PROMPT = (
    "Extract every person who took part in an official meeting, phone call or signing the "
    "text reports, as written in the text (the name only, no title), with their role and "
    "the country or organisation they represent. Do not extract people who are only "
    "mentioned."
)


def examples() -> list[Any]:
    import langextract as lx

    def person(name: str, role: str, side: str) -> Any:
        return lx.data.Extraction(
            extraction_class="participant",
            extraction_text=name,
            attributes={"role": role, "represents": side},
        )

    return [
        lx.data.ExampleData(
            text="VIENNA, May 3. Austrian Chancellor Karl Brenner received Chilean Foreign "
            "Minister Ana Soto. Both praised the late President Luis Vega.",
            extractions=[
                person("Karl Brenner", "Chancellor", "Austria"),
                person("Ana Soto", "Foreign Minister", "Chile"),
            ],
        ),
        lx.data.ExampleData(
            text="Kenya's Minister of Energy Paul Otieno held a phone call with his Nordic "
            "counterpart Eva Lund. Deputy Minister Tom Wanjiru also took part.",
            extractions=[
                person("Paul Otieno", "Minister of Energy", "Kenya"),
                person("Eva Lund", "Minister of Energy", "Nordic"),
                person("Tom Wanjiru", "Deputy Minister", "Kenya"),
            ],
        ),
    ]


def gold_people(path: Path) -> list[set[str]]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    people: dict[str, set[str]] = {}
    for event in gold["events"]:
        for p in event["participants"]:
            people.setdefault(p["name"], set()).update([p["name"], *p.get("aliases", [])])
    return list(people.values())


def score(found: list[str], gold: list[set[str]]) -> tuple[int, int, int]:
    """True positives, found, gold: a found name matches an unmatched gold person."""
    from communique.text.names import same_person

    left = list(gold)
    hits = 0
    for name in dict.fromkeys(found):
        for index, aliases in enumerate(left):
            if any(same_person(name, alias) for alias in aliases):
                hits += 1
                del left[index]
                break
    return hits, len(dict.fromkeys(found)), len(gold)


def serve(backend: Any) -> FakeOpenAI:
    """The embedded model behind a loopback OpenAI-compatible chat endpoint."""
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> Scripted:
        with lock:
            llama = backend.llama
            llama.reset()
            answer = llama.create_chat_completion(
                messages=body["messages"],
                temperature=0.0,
                top_k=1,
                max_tokens=int(body.get("max_tokens") or 1024),
                response_format={"type": "json_object"},
            )
        usage = answer.get("usage", {})
        return completion(
            answer["choices"][0]["message"]["content"] or "",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
        )

    return FakeOpenAI(respond).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6, help="Real eval articles (default 6).")
    parser.add_argument(
        "--cases",
        default="cases-test",
        help="evals/ folder: cases-test (held out from all tuning, the default) or cases.",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    try:
        import langextract as lx
    except ImportError:
        print("LangExtract is not installed: .venv/bin/pip install -e '.[bench]'")
        return

    from communique.extract.backends.model_assets import resolve_model_file

    model_path = resolve_model_file().path
    home = Path(tempfile.mkdtemp(prefix="communique-bench-lx-"))
    os.environ["COMMUNIQUE_HOME"] = str(home)
    os.environ["COMMUNIQUE_MODEL_PATH"] = str(model_path)

    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.inputs import Article, read_inputs

    backend: Any = get_backend("local")
    backend.count_tokens("warm up")
    server = serve(backend)
    cases = sorted((ROOT / "evals" / args.cases).glob("*.gold.json"))
    cases = [c for c in cases if not json.loads(c.read_text()).get("synthetic")][: args.n]
    rows = []
    totals = {"communique": [0, 0, 0], "langextract": [0, 0, 0]}
    summariser = Summariser(backend)
    for gold_path in cases:
        text_path = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt"))
        [item] = [i for i in read_inputs([str(text_path)]) if isinstance(i, Article)]
        gold = gold_people(gold_path)

        started = time.perf_counter()
        record = summariser.summarise(item)
        ours_s = time.perf_counter() - started

        backend._conversation = None  # the server's calls share the model's context
        requests_before = server.request_count
        started = time.perf_counter()
        result = lx.extract(
            text_or_documents=item.text,
            prompt_description=PROMPT,
            examples=examples(),
            model_id="gpt-4o-mini",  # routes to the OpenAI provider; the endpoint decides
            api_key="not-needed",
            language_model_params={"base_url": server.base_url},
            use_schema_constraints=False,
            fence_output=False,
            max_workers=1,
            show_progress=False,
        )
        theirs_s = time.perf_counter() - started
        theirs = [
            e.extraction_text
            for e in (result.extractions or [])
            if e.extraction_class == "participant"
        ]
        ours_score = score([p.name for e in record.events for p in e.participants], gold)
        theirs_score = score(theirs, gold)
        for tool, got in (("communique", ours_score), ("langextract", theirs_score)):
            totals[tool] = [a + b for a, b in zip(totals[tool], got, strict=True)]
        rows.append(
            {
                "article": gold_path.name.replace(".gold.json", ""),
                "chars": len(item.text),
                "communique_s": round(ours_s, 1),
                "langextract_s": round(theirs_s, 1),
                "langextract_requests": server.request_count - requests_before,
                "communique (hits, found, gold)": ours_score,
                "langextract (hits, found, gold)": theirs_score,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    server.stop()

    def prf(hits: int, found: int, gold: int) -> dict[str, float]:
        p = hits / found if found else 0.0
        r = hits / gold if gold else 0.0
        return {
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        }

    figures = {
        "benchmark": "communique vs LangExtract, same embedded model, real eval articles",
        "machine": machine(),
        "model": backend.model_id,
        "langextract": lx.__version__ if hasattr(lx, "__version__") else "installed",
        "articles": len(rows),
        "cases": f"evals/{args.cases}",
        "median_s_per_article": {
            "communique": statistics.median(r["communique_s"] for r in rows),
            "langextract": statistics.median(r["langextract_s"] for r in rows),
        },
        "participants": {tool: prf(*totals[tool]) for tool in totals},
        "per_article": rows,
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "per_article"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
