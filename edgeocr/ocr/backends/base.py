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
from pathlib import Path
from typing import Protocol

import numpy as np

from edgeocr.errors import EdgeOCRError, InputError


class RuntimeMismatch(EdgeOCRError):
    """A bundle was asked to run on a runtime that cannot run it correctly (another runtime,
    target or version)."""


class ModelSource(Protocol):
    """What a backend runs: a ``ModelSet`` (inference models) or a ``Bundle`` (converted models)."""

    name: str
    dict_path: Path

    def has(self, task: str) -> bool: ...

    def location(self, task: str) -> Path: ...


class Backend(ABC):
    """Runs the det/cls/rec models of one model source on one runtime."""

    name: str = "base"
    #: the model sources this runtime runs: inference models (``ModelSet``) and/or a ``Bundle``
    accepts: tuple[type, ...] = (object,)
    #: whether this host runs every bundle of its runtime as the device would (any target, int8
    #: included), so that the bundle's own files can be the host reference of a device run
    runs_device_bundles: bool = False

    def __init__(self, models: ModelSource, threads: int = 2) -> None:
        if not isinstance(models, self.accepts):
            wanted = " or ".join(t.__name__ for t in self.accepts)
            raise InputError(f"the {self.name} backend runs a {wanted}, not a {type(models).__name__} ({models.name})")
        self.models = models
        self.threads = threads

    @abstractmethod
    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        """Run model ``task`` (``det``/``cls``/``rec``) on ``batch`` and return its output."""

    def has(self, task: str) -> bool:
        """Whether the models include ``task`` (the classifier is optional)."""
        return self.models.has(task)
