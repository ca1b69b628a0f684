"""F1, precision, recall, ratios and means from counts, the empty cases defined."""

from __future__ import annotations

from collections.abc import Iterable


def f1(tp: float, n_pred: int, n_gold: int) -> float:
    """F1 from counts; two empty sets agree perfectly."""
    if n_pred == 0 and n_gold == 0:
        return 1.0
    return 2 * tp / (n_pred + n_gold)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1; empty vs empty is perfect, empty vs non-empty is 0."""
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return precision, recall, f1(tp, n_pred, n_gold)


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
