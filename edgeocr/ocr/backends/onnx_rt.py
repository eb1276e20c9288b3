"""ONNX Runtime on the CPU, running each task's ``model.onnx``.

The reference ONNX exports are what edgeocr's Paddle models are checked against, so this
backend is the yardstick the others are compared with.
"""

from __future__ import annotations

import numpy as np

from edgeocr.errors import ModelError
from edgeocr.models.modelset import ONNX_FILE, ModelSet
from edgeocr.ocr.backends.base import Backend


class OnnxRuntimeBackend(Backend):
    """One ONNX Runtime session per task, created on first use."""

    name = "onnx"
    accepts = ModelSet

    def __init__(self, models: ModelSet, threads: int = 2) -> None:
        super().__init__(models, threads)
        self._sessions: dict[str, object] = {}

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        session = self._session(task)
        feed = {session.get_inputs()[0].name: np.ascontiguousarray(batch, dtype=np.float32)}
        return session.run(None, feed)[0]

    def _session(self, task: str):
        if task not in self._sessions:
            self._sessions[task] = self._create(task)
        return self._sessions[task]

    def _create(self, task: str):
        import onnxruntime as ort

        folder = self.models.dir(task)
        if folder is None:
            raise ModelError(f"no {task} model in model set {self.models.name!r}")
        path = folder / ONNX_FILE
        if not path.is_file() or path.stat().st_size == 0:
            raise ModelError(f"{path}: missing or empty ONNX model for {task}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no per-node warnings on stderr
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # ORT raises InvalidProtobuf, Fail, ... for damaged files
            raise ModelError(f"{path}: ONNX Runtime cannot load the {task} model ({e})") from e
