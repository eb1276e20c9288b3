"""The backend interface the OCR pipeline runs on.

A backend turns one pre-processed NCHW float32 batch into the model's raw output:

- ``det``: ``[N, 1, H, W]`` DB shrink-map probabilities
- ``cls``: ``[N, 2]`` softmax over (0 deg, 180 deg)
- ``rec``: ``[N, T, C]`` per-timestep softmax over the CTC classes

Everything before (resizing, normalising) and after (DB boxes, CTC decoding) belongs to
the pipeline, so every runtime (Paddle Inference, ONNX Runtime, Paddle-Lite) is held to
the same contract and can be compared output for output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from edgeocr.models.modelset import ModelSet

TASKS = ("det", "cls", "rec")


class Backend(ABC):
    """Runs the det/cls/rec models of one ``ModelSet`` on one runtime."""

    name: str = "base"

    def __init__(self, models: ModelSet, threads: int = 2) -> None:
        self.models = models
        self.threads = threads

    @abstractmethod
    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        """Run model ``task`` (``det``/``cls``/``rec``) on ``batch`` and return its output."""

    def has(self, task: str) -> bool:
        """Whether this model set includes ``task`` (the classifier is optional)."""
        return self.models.dir(task) is not None
