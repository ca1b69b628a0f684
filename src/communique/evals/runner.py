"""Running the eval set: summarise every case (through the cache) and score it.

The set has six parts, each a folder of cases: ``evals/cases`` (real articles,
``tuned``: prompts and rules may be developed looking at them), ``evals/cases-test``
(real articles, ``audited``: set aside once, then read in a hand audit, so counted
as tuned since), ``evals/cases-fresh`` (real articles, ``audited-fresh``: the second
tranche set aside, read in the same way since), ``evals/cases-unseen`` (real
articles, ``audited-third``: the third tranche, read in the same way since),
``evals/cases-fourth`` (real articles, ``set-aside``: labelled and set aside before
the verification turn; scored, never tuned on) and ``evals/synthetic`` (texts
written to test one behaviour each, scored apart from the headline). Named sets
select parts (``real`` = every part of real articles) or, for ``gate``, the fixed
list of real cases in ``evals/gate.txt`` that CI can afford to run.

The committed baseline (``evals/baseline.json``) holds the gate's scores for the
default prompt on the embedded model; :func:`check_against_baseline` is the CI gate.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

from communique.evals.gold import case_paths, load_case
from communique.evals.oracle import gold_answerer, gold_draft
from communique.evals.results import CaseScore, EvalResult
from communique.evals.scoring import score_case, summarise_scores
from communique.extract.pipeline import Summariser
from communique.inputs import Article, read_inputs

ROOT = Path(__file__).resolve().parents[3]
EVALS = ROOT / "evals"
PARTS: dict[str, Path] = {
    "tuned": EVALS / "cases",
    "audited": EVALS / "cases-test",
    "audited-fresh": EVALS / "cases-fresh",
    "audited-third": EVALS / "cases-unseen",
    "set-aside": EVALS / "cases-fourth",
    "synthetic": EVALS / "synthetic",
}
#: the parts of real published articles (the headline's)
REAL_SETS_PARTS: tuple[str, ...] = (
    "tuned",
    "audited",
    "audited-fresh",
    "audited-third",
    "set-aside",
)
SETS: dict[str, tuple[str, ...]] = {
    "real": REAL_SETS_PARTS,
    "tuned": ("tuned",),
    "audited": ("audited",),
    "audited-fresh": ("audited-fresh",),
    "audited-third": ("audited-third",),
    "set-aside": ("set-aside",),
    "synthetic": ("synthetic",),
    "all": (*REAL_SETS_PARTS, "synthetic"),
    "gate": ("tuned",),
}
GATE_FILE = EVALS / "gate.txt"
DEFAULT_CASES = PARTS["tuned"]
DEFAULT_BASELINE = EVALS / "baseline.json"
DEFAULT_TOLERANCE = 0.05
#: metrics the gate watches; a drop of more than the tolerance in any fails CI
GATED_METRICS = (
    "participant_f1",
    "kind_accuracy",
    "date_accuracy",
    "event_f1",
    "city_accuracy",
    "affiliation_accuracy",
    "role_english",
    "summary_faithfulness",
    "summary_english",
    "summary_short",
    "schema_validity",
)


def gate_ids(path: Path = GATE_FILE) -> set[str]:
    """The case ids listed in the gate file (one a line; '#' starts a comment)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def set_parts(name: str) -> tuple[dict[str, Path], set[str] | None]:
    """The folders of a named set, and the case ids it is limited to (gate only)."""
    if name not in SETS:
        raise ValueError(f"unknown eval set {name!r}; sets: {', '.join(SETS)}")
    only = gate_ids() if name == "gate" else None
    return {part: PARTS[part] for part in SETS[name]}, only


def run_eval(
    summariser: Summariser,
    cases: Mapping[str, Path] | Path = DEFAULT_CASES,
    progress: Progress | None = None,
    only: set[str] | None = None,
    oracle: bool = False,
) -> EvalResult:
    """Score every case of the given parts ({part: folder}, or one folder).

    ``oracle``: answer each case with its own gold record as the model's draft
    (:mod:`communique.evals.oracle`), so the score is what assembly and the passes
    leave of a right answer.
    """
    folders = {"": cases} if isinstance(cases, Path) else dict(cases)
    pairs = [
        (part, article, gold)
        for part, folder in folders.items()
        for article, gold in case_paths(folder)
        if only is None or gold.name.removesuffix(".gold.json") in only
    ]
    if not pairs:
        raise FileNotFoundError(f"no *.gold.json cases in {', '.join(map(str, folders.values()))}")
    task = progress.add_task("evaluating", total=len(pairs)) if progress else None
    scores: list[CaseScore] = []
    cached = 0
    started = time.perf_counter()
    for part, article_path, gold_path in pairs:
        case = load_case(gold_path)
        items = list(read_inputs([str(article_path)]))
        item = items[0]
        if oracle and isinstance(item, Article):
            summaries = "summary" not in summariser.prompt.omit
            draft = gold_draft(case, item.text, item.published, summaries=summaries)
            answerer = gold_answerer(case, item.published)
            record = summariser.assemble_record(item, draft, answerer)
        else:
            record = summariser.summarise(item)
        if record.provenance is not None and record.provenance.cached:
            cached += 1
        text = item.text if isinstance(item, Article) else ""
        published = item.published if isinstance(item, Article) else None
        score = score_case(case, record, text, published)
        score.part = part
        scores.append(score)
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=f"evaluating {case.id[:30]}")
    return summarise_scores(
        scores,
        prompt=summariser.prompt.id,
        model=summariser.backend.model_id,
        seconds=round(time.perf_counter() - started, 2),
        cached=cached,
    )


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80]


@dataclass
class GateResult:
    passed: bool
    lines: list[str]


def write_baseline(
    result: EvalResult, path: Path, eval_set: str = "gate", tolerance: float = DEFAULT_TOLERANCE
) -> None:
    baseline = {
        "set": eval_set,
        "prompt": result.prompt,
        "model": result.model,
        "tolerance": tolerance,
        "gated_metrics": ["headline", *GATED_METRICS],
        "headline": result.headline,
        "overall": result.overall,
        "parts": {name: part.headline for name, part in result.parts.items()},
        "n_cases": result.n_cases,
        "created": result.created,
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n")


def read_baseline(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text())
    return data


def check_against_baseline(result: EvalResult, baseline: dict[str, object]) -> GateResult:
    """Fail when the headline or a gated metric drops more than the tolerance."""
    tolerance = float(baseline.get("tolerance", DEFAULT_TOLERANCE))  # type: ignore[arg-type]
    overall = baseline.get("overall", {})
    assert isinstance(overall, dict)
    expected: dict[str, float | None] = {"headline": float(baseline["headline"])}  # type: ignore[arg-type]
    for name in GATED_METRICS:
        expected[name] = overall.get(name)
    actual: dict[str, float | None] = {"headline": result.headline}
    actual.update({name: result.overall.get(name) for name in GATED_METRICS})
    passed = True
    lines = []
    for name, base in expected.items():
        now = actual.get(name)
        if base is None or now is None:
            lines.append(f"  {name:<18} baseline {base}  now {now}  (not compared)")
            continue
        drop = base - now
        ok = drop <= tolerance + 1e-9
        passed &= ok
        mark = "ok " if ok else "FAIL"
        lines.append(f"{mark} {name:<18} baseline {base:.3f}  now {now:.3f}  change {-drop:+.3f}")
    lines.append(f"tolerance: a drop of at most {tolerance:.3f} per metric")
    return GateResult(passed, lines)
