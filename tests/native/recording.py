"""Recording the Python pipeline's model calls for the C++ replay runner.

``RecordingBackend`` wraps a real backend and saves every call's input and output as raw
float32 files plus ``calls.json`` (the format tests/replay_inference.h reads). The C++
pipeline, given these outputs, must make the same calls and produce the same lines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from edgeocr.ocr.backends.base import Backend
from edgeocr.paths import TASKS


class RecordingBackend(Backend):
    name = "recording"

    def __init__(self, inner: Backend, folder: Path, tasks: tuple[str, ...] = TASKS) -> None:
        super().__init__(inner.models, inner.threads)
        self.inner = inner
        self.folder = folder
        self.tasks = tasks  # the models the replayed bundle offers
        self.calls: list[dict] = []
        folder.mkdir(parents=True, exist_ok=True)

    def has(self, task: str) -> bool:
        return task in self.tasks and self.inner.has(task)

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        out = np.ascontiguousarray(self.inner.infer(task, batch), dtype=np.float32)
        stem = f"{len(self.calls):04d}_{task}"
        np.ascontiguousarray(batch, dtype="<f4").tofile(self.folder / f"{stem}_in.f32")
        out.astype("<f4").tofile(self.folder / f"{stem}_out.f32")
        self.calls.append({"model": task, "input_shape": list(batch.shape), "input": f"{stem}_in.f32",
                           "output_shape": list(out.shape), "output": f"{stem}_out.f32"})
        return out

    def save(self, runtime_version: str) -> Path:
        """Write ``calls.json``; returns the recording folder."""
        models = [t for t in TASKS if self.has(t)]
        (self.folder / "calls.json").write_text(json.dumps(
            {"runtime_version": runtime_version, "models": models, "calls": self.calls}), encoding="utf-8")
        return self.folder
