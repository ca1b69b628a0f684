"""Score one record against its gold case, and summarise a run.

Every metric is defined in ``evals/METRICS.md``; keep the two in step. Values
are in [0, 1]; ``None`` means "not applicable" (e.g. kind accuracy when no
event was matched) and is left out of averages. This module combines the parts:
events and people paired (:mod:`.matching`), each pair scored (:mod:`.events`,
:mod:`.participants`), summaries checked (:mod:`.summaries`), then the case's
metrics and, over cases, a run's.
"""

from __future__ import annotations

import datetime as dt

from communique.evals.counting import mean, prf, ratio
from communique.evals.events import score_event_pair
from communique.evals.fields import add_counts, field_counts, field_metrics
from communique.evals.gold import GoldCase
from communique.evals.matching import pair_events
from communique.evals.metrics import HEADLINE_WEIGHTS, METRICS
from communique.evals.results import (
    CaseScore,
    Counts,
    EvalResult,
    EventMatch,
    PartScore,
    SummaryCheck,
)
from communique.evals.summaries import check_summaries
from communique.schema import ArticleRecord
from communique.text.language import detect_language, is_english
from communique.text.summary_check import MAX_SUMMARY_WORDS


def headline_score(metrics: dict[str, float | None], weights: dict[str, float]) -> float:
    """Weighted mean of the headline metrics that apply (weights renormalised)."""
    used = [(w, metrics.get(k)) for k, w in weights.items()]
    total = sum(w for w, v in used if v is not None)
    return sum(w * v for w, v in used if v is not None) / total if total else 0.0


def _error_score(case: GoldCase, record: ArticleRecord) -> CaseScore:
    missed = [p.name for e in case.events for p in e.participants]
    return CaseScore(
        id=case.id,
        title=case.title,
        tags=case.tags,
        status="error",
        error=f"{record.error.kind}: {record.error.message}" if record.error else "error",
        metrics=dict.fromkeys(METRICS, 0.0),
        headline=0.0,
        counts=Counts(gold_events=len(case.events), gold_participants=len(missed)),
        unmatched_gold_events=list(range(len(case.events))),
        missed_participants=missed,
    )


def score_case(
    case: GoldCase,
    record: ArticleRecord,
    article_text: str,
    published: dt.date | None = None,
) -> CaseScore:
    """Score one record against its gold case; an error record scores 0 everywhere."""
    if record.status != "ok":
        return _error_score(case, record)
    gold, pred = case.events, record.events
    pairing = pair_events(gold, pred)
    pairs = [(p.gold, p.predicted) for p in pairing]
    events = [
        score_event_pair(
            p.gold, p.predicted, gold[p.gold], pred[p.predicted], p.people, p.similarity
        )
        for p in pairing
    ]
    lost_gold = [i for i in range(len(gold)) if i not in {i for i, _ in pairs}]
    lost_pred = [j for j in range(len(pred)) if j not in {j for _, j in pairs}]

    article_language = detect_language(article_text) or case.language
    gold_of = {j: gold[i] for i, j in pairs}
    summaries = check_summaries(
        gold,
        pred,
        gold_of,
        article_text,
        published or record.article.published,
        article_language,
    )
    matched_people = [m for e in events for m in e.participants]
    roles = [p.role for e in pred for p in e.participants if p.role]
    english_roles = [r for r in roles if is_english(r, article_language)]
    counts = Counts(
        gold_events=len(gold),
        predicted_events=len(pred),
        matched_events=len(pairs),
        gold_participants=sum(len(e.participants) for e in gold),
        predicted_participants=sum(len(e.participants) for e in pred),
        matched_participants=len(matched_people),
        role_correct=sum(m.role.ok for m in matched_people),
        affiliation_correct=sum(m.affiliation.ok for m in matched_people),
        side_correct=sum(m.side.ok for m in matched_people),
        roles_checked=len(roles) if article_language not in (None, "en") else 0,
        roles_english=len(english_roles) if article_language not in (None, "en") else 0,
    )
    metrics = _case_metrics(counts, events, summaries, article_language)
    fields = field_counts(events)
    metrics |= field_metrics(fields)
    return CaseScore(
        id=case.id,
        language=case.language,
        title=case.title,
        tags=case.tags,
        status="ok",
        metrics=metrics,
        headline=headline_score(metrics, HEADLINE_WEIGHTS),
        counts=counts,
        fields=fields,
        events=events,
        unmatched_gold_events=lost_gold,
        unmatched_predicted_events=lost_pred,
        missed_participants=[n for e in events for n in e.missed_participants]
        + [p.name for i in lost_gold for p in gold[i].participants],
        extra_participants=[n for e in events for n in e.extra_participants]
        + [p.name for j in lost_pred for p in pred[j].participants],
        summaries=summaries,
    )


def _case_metrics(
    c: Counts,
    events: list[EventMatch],
    summaries: list[SummaryCheck],
    article_language: str | None,
) -> dict[str, float | None]:
    ep, er, ef = prf(c.matched_events, c.predicted_events, c.gold_events)
    pp, pr, pf = prf(c.matched_participants, c.predicted_participants, c.gold_participants)
    return {
        "event_count_accuracy": float(c.predicted_events == c.gold_events),
        "event_precision": ep,
        "event_recall": er,
        "event_f1": ef,
        "kind_accuracy": mean(float(e.kind.ok) for e in events),
        "happened_accuracy": mean(float(e.happened.ok) for e in events),
        "date_accuracy": mean(float(e.date.ok) for e in events),
        "location_accuracy": mean(float(e.location.ok) for e in events),
        "city_accuracy": mean(float(e.city.ok) for e in events if e.city is not None),
        "participant_precision": pp,
        "participant_recall": pr,
        "participant_f1": pf,
        "role_accuracy": ratio(c.role_correct, c.matched_participants),
        "role_english": ratio(c.roles_english, c.roles_checked),
        "affiliation_accuracy": ratio(c.affiliation_correct, c.matched_participants),
        "side_accuracy": ratio(c.side_correct, c.matched_participants),
        "sides_f1": mean(e.sides_f1 for e in events),
        "agreements_f1": mean(e.agreements_f1 for e in events),
        "topics_soft": mean(e.topics_soft for e in events),
        "summary_faithfulness": mean(float(not s.unfaithful and not s.problems) for s in summaries),
        "summary_english": mean(
            float(article_language in (None, "en") or s.language != article_language)
            for s in summaries
        ),
        "summary_short": mean(float(s.words <= MAX_SUMMARY_WORDS) for s in summaries),
        "schema_validity": 1.0,
    }


#: parts of the eval set whose cases make the headline (synthetic cases are scored apart)
REAL_PARTS = ("tuned", "audited", "audited-fresh", "audited-third", "set-aside")


def overall_metrics(cases: list[CaseScore]) -> dict[str, float | None]:
    """Pooled counts for MICRO_METRICS, a mean over cases otherwise."""
    total = Counts.model_validate(
        {name: sum(getattr(c.counts, name) for c in cases) for name in Counts.model_fields}
    )
    overall: dict[str, float | None] = {
        name: mean(case.metrics.get(name) for case in cases) for name in METRICS
    }
    if cases:
        ep, er, ef = prf(total.matched_events, total.predicted_events, total.gold_events)
        pp, pr, pf = prf(
            total.matched_participants, total.predicted_participants, total.gold_participants
        )
        n = total.matched_participants
        overall |= {
            "event_precision": ep,
            "event_recall": er,
            "event_f1": ef,
            "participant_precision": pp,
            "participant_recall": pr,
            "participant_f1": pf,
            "role_accuracy": ratio(total.role_correct, n),
            "role_english": ratio(total.roles_english, total.roles_checked),
            "affiliation_accuracy": ratio(total.affiliation_correct, n),
            "side_accuracy": ratio(total.side_correct, n),
        }
        overall |= field_metrics(add_counts(c.fields for c in cases))
    return overall


def summarise_scores(
    cases: list[CaseScore], *, prompt: str, model: str, seconds: float, cached: int
) -> EvalResult:
    """Overall metrics per part and for the headline parts.

    The overall metrics and the headline cover the real cases (:data:`REAL_PARTS`)
    when the run has any, else every case; each part is also summarised on its own.
    """
    parts: dict[str, PartScore] = {}
    for name in dict.fromkeys(c.part for c in cases):
        members = [c for c in cases if c.part == name]
        metrics = overall_metrics(members)
        parts[name or "all"] = PartScore(
            n_cases=len(members),
            headline=headline_score(metrics, HEADLINE_WEIGHTS),
            overall=metrics,
        )
    real = [c for c in cases if c.part in REAL_PARTS]
    covered = real or cases
    overall = overall_metrics(covered)
    return EvalResult(
        prompt=prompt,
        model=model,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seconds=seconds,
        cached=cached,
        n_cases=len(cases),
        overall=overall,
        headline=headline_score(overall, HEADLINE_WEIGHTS),
        headline_parts=sorted({c.part or "all" for c in covered}),
        parts=parts,
        cases=cases,
    )
