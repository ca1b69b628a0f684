"""Evaluation: hand-labelled gold cases, per-field scores, reports and comparisons."""
