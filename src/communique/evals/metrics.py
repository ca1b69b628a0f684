"""Names of the eval metrics, the headline's weights and which metrics are pooled."""

from __future__ import annotations

from communique.evals.fields import FIELD_METRICS

SCORER_VERSION = "3"

METRICS: tuple[str, ...] = (
    "event_count_accuracy",
    "event_precision",
    "event_recall",
    "event_f1",
    "kind_accuracy",
    "happened_accuracy",
    "date_accuracy",
    "location_accuracy",
    "city_accuracy",
    "participant_precision",
    "participant_recall",
    "participant_f1",
    "role_accuracy",
    "role_english",
    "affiliation_accuracy",
    "side_accuracy",
    "sides_f1",
    "agreements_f1",
    "topics_soft",
    "summary_faithfulness",
    "summary_english",
    "summary_short",
    "schema_validity",
    *FIELD_METRICS,
)

HEADLINE_WEIGHTS: dict[str, float] = {
    "participant_f1": 3.0,
    "event_f1": 2.0,
    "kind_accuracy": 1.0,
    "date_accuracy": 1.0,
    "role_accuracy": 1.0,
    "sides_f1": 1.0,
    "agreements_f1": 1.0,
    "summary_faithfulness": 1.0,
    "schema_validity": 1.0,
}

# Pooled over all cases (sums of counts); every other metric is a mean over cases.
MICRO_METRICS = frozenset(
    {
        "event_precision",
        "event_recall",
        "event_f1",
        "participant_precision",
        "participant_recall",
        "participant_f1",
        "role_accuracy",
        "role_english",
        "affiliation_accuracy",
        "side_accuracy",
        *FIELD_METRICS,
    }
)
