"""Running the eval set: summarise every case (through the cache) and score it.

The committed baseline (``evals/baseline.json``) holds the scores of the default
prompt on the embedded model; :func:`check_against_baseline` is the CI gate.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

from communique.evals.gold import case_paths, load_case
from communique.evals.scoring import CaseScore, EvalResult, score_case, summarise_scores
from communique.extract.pipeline import Summariser
from communique.inputs import Article, read_inputs

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CASES = ROOT / "evals" / "cases"
DEFAULT_BASELINE = ROOT / "evals" / "baseline.json"
DEFAULT_TOLERANCE = 0.05
#: metrics the gate watches; a drop of more than the tolerance in any fails CI
GATED_METRICS = (
    "participant_f1",
    "kind_accuracy",
    "date_accuracy",
    "event_f1",
    "schema_validity",
)


def run_eval(
    summariser: Summariser, cases_dir: Path = DEFAULT_CASES, progress: Progress | None = None
) -> EvalResult:
    pairs = case_paths(cases_dir)
    if not pairs:
        raise FileNotFoundError(f"no *.gold.json cases in {cases_dir}")
    task = progress.add_task("evaluating", total=len(pairs)) if progress else None
    scores: list[CaseScore] = []
    cached = 0
    started = time.perf_counter()
    for article_path, gold_path in pairs:
        case = load_case(gold_path)
        items = list(read_inputs([str(article_path)]))
        item = items[0]
        record = summariser.summarise(item)
        if record.provenance is not None and record.provenance.cached:
            cached += 1
        text = item.text if isinstance(item, Article) else ""
        scores.append(score_case(case, record, text))
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


def write_baseline(result: EvalResult, path: Path, tolerance: float = DEFAULT_TOLERANCE) -> None:
    baseline = {
        "prompt": result.prompt,
        "model": result.model,
        "tolerance": tolerance,
        "gated_metrics": ["headline", *GATED_METRICS],
        "headline": result.headline,
        "overall": result.overall,
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
