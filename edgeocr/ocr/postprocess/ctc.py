"""Greedy CTC decoding of the recognizer output (PaddleOCR ``CTCLabelDecode``)."""

from __future__ import annotations

import numpy as np

from edgeocr.models.charset import Charset


class CTCLabelDecode:
    """Best path: arg-max per time step, merge repeats, drop blanks.

    The score of a line is the mean of the kept characters' probabilities; a line with no
    characters scores 0 (PaddleOCR 2.x yields NaN there, which its ``drop_score`` filter
    also discards).
    """

    blank = 0

    def __init__(self, charset: Charset) -> None:
        self.classes = charset.classes

    def __call__(self, probs: np.ndarray) -> list[tuple[str, float]]:
        """``[N, T, C]`` softmax -> one ``(text, score)`` per row."""
        indices = probs.argmax(axis=2)
        max_probs = probs.max(axis=2)
        return [self.decode(idx, prob) for idx, prob in zip(indices, max_probs)]

    def decode(self, indices: np.ndarray, probs: np.ndarray) -> tuple[str, float]:
        """One sequence of class ``indices`` (``[T]``) with their probabilities."""
        keep = indices != self.blank
        keep[1:] &= indices[1:] != indices[:-1]
        text = "".join(self.classes[i] for i in indices[keep])
        score = float(np.mean(probs[keep])) if keep.any() else 0.0
        return text, score
