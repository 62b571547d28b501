"""The Zyte Article Extraction Benchmark's body metric, shared by the benchmark and the tests.

Tokens are ``\\w+`` runs; shingles are runs of 4 tokens counted with multiplicity; each page's
true/false positives and false negatives are normalised so every page weighs the same, and a
page with no false positive and no false negative scores 1 (../shared/corpus/README.md).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def page_scores(truth: str, prediction: str) -> tuple[float, float]:
    """Per-page precision and recall over 4-token shingles."""
    true, pred = shingles(truth), shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def summary(scores: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall, and the F1 of those means."""
    precision = statistics.fmean(p for p, _ in scores)
    recall = statistics.fmean(r for _, r in scores)
    return precision, recall, 2 * precision * recall / (precision + recall)
