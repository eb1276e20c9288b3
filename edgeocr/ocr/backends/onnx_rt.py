"""ONNX Runtime on the CPU: a model set's reference exports (each task's ``model.onnx``) or
an ONNX Runtime bundle's ``.onnx`` files.

The reference exports are what edgeocr's Paddle models are checked against, so this
backend is the yardstick the others are compared with; on a bundle it is the host side of
the ONNX Runtime runtime (ONNX files run on any CPU, so an ARM bundle runs here as it is).
A bundle is run only by a runtime at least as new as the one its preflight used.
"""

from __future__ import annotations


import numpy as np

from edgeocr.bundle import Bundle
from edgeocr.errors import ModelError
from edgeocr.models.modelset import ONNX_FILE, ModelSet
from edgeocr.ocr.backends.base import Backend, ModelSource, RuntimeMismatch
from edgeocr.utils.versions import release_key


def check_runtime_version(bundle: Bundle, installed: str) -> None:
    """Refuse a bundle made for a newer ONNX Runtime than ``installed``, or one of another runtime."""
    if bundle.runtime != "onnxruntime":
        raise RuntimeMismatch(f"{bundle.path}: bundle is for the {bundle.runtime} runtime, not ONNX Runtime")
    if release_key(installed) < release_key(bundle.runtime_version):
        raise RuntimeMismatch(f"{bundle.path}: made for ONNX Runtime {bundle.runtime_version}, this runtime is "
                              f"{installed}: install onnxruntime>={bundle.runtime_version}")


class OnnxRuntimeBackend(Backend):
    """One ONNX Runtime session per task, created on first use."""

    name = "onnx"
    accepts = (ModelSet, Bundle)
    runs_device_bundles = True  # ONNX files are CPU-independent; int8 QDQ runs on x86 kernels too

    def __init__(self, models: ModelSource, threads: int = 2) -> None:
        super().__init__(models, threads)
        if isinstance(models, Bundle):
            import onnxruntime

            check_runtime_version(models, onnxruntime.__version__)
        self._sessions: dict[str, object] = {}

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        session = self._session(task)
        feed = {session.get_inputs()[0].name: np.ascontiguousarray(batch, dtype=np.float32)}
        return session.run(None, feed)[0]

    def _session(self, task: str):
        if task not in self._sessions:
            self._sessions[task] = self._create(task)
        return self._sessions[task]

    def _model_file(self, task: str):
        if isinstance(self.models, Bundle):
            return self.models.model_file(task)
        folder = self.models.dir(task)
        if folder is None:
            raise ModelError(f"no {task} model in model set {self.models.name!r}")
        return folder / ONNX_FILE

    def _create(self, task: str):
        import onnxruntime as ort

        path = self._model_file(task)
        if not path.is_file() or path.stat().st_size == 0:
            raise ModelError(f"{path}: missing or empty ONNX model for {task}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no per-node warnings on stderr
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # ORT raises InvalidProtobuf, Fail, ... for damaged files
            raise ModelError(f"{path}: ONNX Runtime cannot load the {task} model ({e})") from None
