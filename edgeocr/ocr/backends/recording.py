"""Recordings of model calls: every input a runner gave a model and the output it got back.

Both runners write one with ``--record DIR`` (here: ``RecordingBackend``, wrapping any
backend), and the native test replay runner replays the same format. So a device's raw
model outputs can be compared with the host's on *identical* inputs (``edgeocr.verify``):
differences in pre-processing then cannot pass for differences in the kernels.

Layout::

    calls.json  {"runtime_version": str, "models": ["det", "cls"?, "rec"],
                 "calls": [{"model", "image"?, "input_shape", "input", "output_shape", "output"}, ...]}
    *.f32       raw little-endian float32 tensors named by "input" / "output"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from edgeocr.errors import ModelError
from edgeocr.ocr.backends.base import Backend
from edgeocr.paths import TASKS
from edgeocr.utils.atomic import write_json
from edgeocr.utils.jsonfile import read_json_object

CALLS = "calls.json"


class RecordingBackend(Backend):
    """Runs ``inner`` and saves every call; ``image`` (set by whoever runs the images) is
    written with each call, so a divergence can be traced to its image. ``tasks`` limits
    the models the recording offers (a replay of a ``det_rec`` run has no classifier)."""

    name = "recording"

    def __init__(self, inner: Backend, folder: Path, tasks: tuple[str, ...] = TASKS) -> None:
        super().__init__(inner.models, inner.threads)
        self.inner, self.folder, self.tasks = inner, Path(folder), tasks
        self.image: str | None = None
        self.calls: list[dict] = []
        self.folder.mkdir(parents=True, exist_ok=True)

    def has(self, task: str) -> bool:
        return task in self.tasks and self.inner.has(task)

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        out = np.ascontiguousarray(self.inner.infer(task, batch), dtype=np.float32)
        stem = f"{len(self.calls):04d}_{task}"
        np.ascontiguousarray(batch, dtype="<f4").tofile(self.folder / f"{stem}_in.f32")
        out.astype("<f4").tofile(self.folder / f"{stem}_out.f32")
        self.calls.append({"model": task, "image": self.image, "input_shape": list(batch.shape),
                           "input": f"{stem}_in.f32", "output_shape": list(out.shape), "output": f"{stem}_out.f32"})
        return out

    def save(self, runtime_version: str) -> Path:
        """Write ``calls.json`` (last: a recording without it is incomplete); the folder."""
        write_json(self.folder / CALLS, {"runtime_version": runtime_version,
                                         "models": [t for t in TASKS if self.has(t)], "calls": self.calls})
        return self.folder


@dataclass(frozen=True)
class Call:
    """One model call: which model, on which image (when the runner said), input and output."""

    index: int
    model: str
    image: str | None
    input: np.ndarray
    output: np.ndarray


def _tensor(folder: Path, name: str, shape: list[int]) -> np.ndarray:
    path = folder / name
    try:
        data = np.fromfile(path, dtype="<f4")
    except OSError as e:
        raise ModelError(f"{path}: cannot read recorded tensor ({e.strerror or e})") from None
    if data.size != int(np.prod(shape)):
        raise ModelError(f"{path}: holds {data.size} values, the recording says shape {shape}")
    return data.reshape(shape)


@dataclass(frozen=True)
class Recording:
    """A recording read back."""

    folder: Path
    runtime_version: str
    models: tuple[str, ...]
    entries: tuple[dict, ...]

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Recording:
        folder = Path(folder)
        data = read_json_object(folder / CALLS, "recording of model calls", ModelError)
        return cls(folder, str(data["runtime_version"]), tuple(data["models"]), tuple(data["calls"]))

    def __len__(self) -> int:
        return len(self.entries)

    def calls(self) -> Iterator[Call]:
        """Every call in order, its tensors read as they are reached (recordings can be large)."""
        for i, entry in enumerate(self.entries):
            yield Call(i, entry["model"], entry.get("image"), _tensor(self.folder, entry["input"], entry["input_shape"]),
                       _tensor(self.folder, entry["output"], entry["output_shape"]))
