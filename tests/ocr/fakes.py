"""A scripted backend for testing the pipeline's batching and ordering without a model."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends.base import Backend


class ScriptedBackend(Backend):
    """Answers each task with ``outputs[task](batch)`` and records the batch shapes it saw."""

    name = "scripted"

    def __init__(self, outputs: dict[str, Callable[[np.ndarray], np.ndarray]], with_cls: bool = True) -> None:
        models = ModelSet(det=Path("det"), rec=Path("rec"), cls=Path("cls") if with_cls else None,
                          dict_path=Path("dict.txt"), name="scripted")
        super().__init__(models)
        self.outputs = outputs
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        self.calls.append((task, batch.shape))
        return self.outputs[task](batch)


def pixel_value(batch: np.ndarray, y: int, x: int) -> np.ndarray:
    """Per-item original 0..255 value of channel 0 at ``(y, x)`` of a cls/rec batch normalised to [-1, 1]."""
    return np.round((batch[:, 0, y, x] * 0.5 + 0.5) * 255)
