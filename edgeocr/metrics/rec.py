"""Recognition scores as PaddleOCR's ``RecMetric`` computes them.

- ``acc``: share of lines whose prediction equals the label exactly;
- ``norm_edit_dis``: 1 - mean over lines of Levenshtein distance / max(len(pred), len(label)).

Like ``RecMetric`` (``ignore_space=True``, its default) spaces are removed from both
sides before comparing: the models are not trained to place spaces reliably, and
published PP-OCR accuracies are computed this way.
"""

from __future__ import annotations

from typing import Sequence


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalized_edit_distance(pred: str, label: str) -> float:
    """Edit distance over the longer length; two empty strings are at distance 0."""
    longest = max(len(pred), len(label))
    return edit_distance(pred, label) / longest if longest else 0.0


def normalize(text: str, ignore_space: bool = True) -> str:
    return text.replace(" ", "") if ignore_space else text


def rec_metrics(preds: Sequence[str], labels: Sequence[str], ignore_space: bool = True) -> dict:
    """Scores of predicted line texts against their labels (same order, same length)."""
    if len(preds) != len(labels):
        raise ValueError(f"{len(preds)} predictions for {len(labels)} labels")
    pairs = [(normalize(p, ignore_space), normalize(t, ignore_space)) for p, t in zip(preds, labels)]
    n = len(pairs)
    correct = sum(p == t for p, t in pairs)
    distance = sum(normalized_edit_distance(p, t) for p, t in pairs)
    return {
        "acc": correct / n if n else 0.0,
        "norm_edit_dis": 1.0 - distance / n if n else 0.0,
        "correct": correct,
        "lines": n,
        "ignore_space": ignore_space,
    }
