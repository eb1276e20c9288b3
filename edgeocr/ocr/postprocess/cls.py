"""Direction classifier output -> ``(label, score)`` per crop (PaddleOCR ``ClsPostProcess``)."""

from __future__ import annotations

import numpy as np

CLS_LABELS = ("0", "180")


class ClsPostProcess:
    """Arg-max label of each ``[N, 2]`` softmax row and its probability."""

    def __init__(self, labels: tuple[str, ...] = CLS_LABELS) -> None:
        self.labels = labels

    def __call__(self, probs: np.ndarray) -> list[tuple[str, float]]:
        indices = probs.argmax(axis=1)
        return [(self.labels[i], float(probs[row, i])) for row, i in enumerate(indices)]
