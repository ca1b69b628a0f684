"""The noisy oracle: gold records with one class of error injected, fed as the draft.

    .venv/bin/python benchmarks/bench_noisy_oracle.py              # the real parts
    .venv/bin/python benchmarks/bench_noisy_oracle.py --set tuned

For each error class a weak model makes (an affiliation swapped for the venue's
country or the counterpart's, a call written as a meeting, an announced visit written
as held, a country in the city field, a role or a topic copied from the prompt's
worked examples), every gold draft where the class applies gets that error, and the
draft goes through assembly twice: with every post-model pass, and with none
(``COMMUNIQUE_PASSES_OFF``). Printed per class: the field the error touches, scored
with no passes, with the passes, and on the clean gold draft with the passes (the
oracle). What the passes repair is the rise from the first to the second; what they
break elsewhere shows in the clean column. No model is run. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.evals.gold import GoldCase, case_paths, load_case  # noqa: E402
from communique.evals.oracle import GoldBackend, gold_draft  # noqa: E402
from communique.evals.runner import PARTS, SETS  # noqa: E402
from communique.evals.scoring import score_case, summarise_scores  # noqa: E402
from communique.extract.draft import ExtractionDraft  # noqa: E402
from communique.extract.passes import PASSES  # noqa: E402
from communique.extract.pipeline import Summariser  # noqa: E402
from communique.extract.prompts import load_prompt  # noqa: E402
from communique.inputs import Article, read_inputs  # noqa: E402

Draft = dict[str, Any]


def _swap_affiliation(draft: Draft, case: GoldCase) -> bool:
    """The visitor given the host's country (or the venue's): "a delegation head given
    the host's"."""
    changed = False
    for event in draft["events"]:
        hosts = [p["org"] for p in event["people"] if p["side"] == "host" and p["org"]]
        wrong = event["country"] or (hosts[0] if hosts else None)
        for person in event["people"]:
            if person["side"] == "visitor" and wrong and person["org"] not in (None, wrong):
                person["org"] = wrong
                changed = True
    return changed


def _call_as_meeting(draft: Draft, case: GoldCase) -> bool:
    changed = False
    for event in draft["events"]:
        if event["kind"] == "call":
            event["kind"] = "meeting"
            changed = True
    return changed


def _announced_as_held(draft: Draft, case: GoldCase) -> bool:
    changed = False
    for event in draft["events"]:
        if event["kind"] == "announcement":
            event["kind"], event["happened"] = "meeting", True
            changed = True
    return changed


def _country_as_city(draft: Draft, case: GoldCase) -> bool:
    changed = False
    for event in draft["events"]:
        if event["country"] and event["city"] is None:
            event["city"] = event["country"]
            changed = True
    return changed


def _example_role(draft: Draft, case: GoldCase) -> bool:
    for event in draft["events"]:
        for person in event["people"]:
            person["role"] = "Minister of Economy"
            return True
    return False


def _example_topic(draft: Draft, case: GoldCase) -> bool:
    for event in draft["events"]:
        event["topics"] = [*event["topics"][:3], "agricultural supplies"]
    return bool(draft["events"])


#: error class -> (how it is injected, the metric it touches)
CLASSES: dict[str, tuple[Callable[[Draft, GoldCase], bool], str]] = {
    "affiliation swapped for the host's": (_swap_affiliation, "affiliation_precision"),
    "call written as a meeting": (_call_as_meeting, "kind_precision"),
    "announced visit written as held": (_announced_as_held, "kind_precision"),
    "country in the city field": (_country_as_city, "city_precision"),
    "role copied from the examples": (_example_role, "role_precision"),
    "topic copied from the examples": (_example_topic, "topics_soft"),
}


def run(cases: list[tuple[str, Article, GoldCase]], inject: Callable[..., bool] | None, off: bool):
    summariser = Summariser(GoldBackend(), load_prompt(), use_cache=False, log_calls=False)
    if off:
        os.environ["COMMUNIQUE_PASSES_OFF"] = ",".join(step.name for step in PASSES)
    else:
        os.environ.pop("COMMUNIQUE_PASSES_OFF", None)
    scores = []
    for part, article, case in cases:
        data = gold_draft(case, article.text, article.published).model_dump(mode="json")
        if inject is not None and not inject(data, case):
            continue
        record = summariser.assemble_record(article, ExtractionDraft.model_validate(data))
        score = score_case(case, record, article.text, article.published)
        score.part = part
        scores.append(score)
    return summarise_scores(scores, prompt="-", model="gold", seconds=0, cached=0), len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="real", choices=sorted(SETS))
    args = parser.parse_args()
    cases = []
    for part in SETS[args.set]:
        for article_path, gold_path in case_paths(PARTS[part]):
            item = next(iter(read_inputs([str(article_path)])))
            assert isinstance(item, Article)
            cases.append((part, item, load_case(gold_path)))
    started = time.perf_counter()
    clean, _ = run(cases, None, off=False)
    print(f"{len(cases)} cases ({args.set}); each error class injected where it applies\n")
    print(f"{'error class':<38} {'cases':>5}  {'metric':<22} {'no passes':>9} {'passes':>7}")
    for name, (inject, metric) in CLASSES.items():
        bare, n = run(cases, inject, off=True)
        passed, _ = run(cases, inject, off=False)
        print(
            f"{name:<38} {n:>5}  {metric:<22} {_fmt(bare.overall.get(metric)):>9} "
            f"{_fmt(passed.overall.get(metric)):>7}"
        )
    print("\nclean gold draft with the passes (the oracle): ", end="")
    keys = ("kind_precision", "city_precision", "role_precision", "affiliation_precision")
    print(", ".join(f"{k} {_fmt(clean.overall.get(k))}" for k in keys))
    print(f"({time.perf_counter() - started:.0f} s)")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
