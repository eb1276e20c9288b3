"""Inference backends: one small interface, one module per runtime.

``create_backend`` picks one by name from ``BACKENDS``; a new runtime is one module with a
``Backend`` subclass and one entry in that dict.
"""

from __future__ import annotations

from edgeocr.errors import InputError
from edgeocr.ocr.backends.base import Backend, ModelSource
from edgeocr.ocr.backends.lite import LiteBackend
from edgeocr.ocr.backends.onnx_rt import OnnxRuntimeBackend
from edgeocr.ocr.backends.paddle_infer import PaddleInferenceBackend

BACKENDS: dict[str, type[Backend]] = {
    "paddle": PaddleInferenceBackend,
    "onnx": OnnxRuntimeBackend,
    "lite": LiteBackend,
}


def create_backend(name: str, models: ModelSource, threads: int = 2) -> Backend:
    """The backend called ``name`` for ``models``, running on ``threads`` CPU threads."""
    try:
        backend_cls = BACKENDS[name]
    except KeyError:
        raise InputError(f"unknown backend {name!r} (valid: {', '.join(BACKENDS)})") from None
    if threads < 1:
        raise InputError(f"threads must be at least 1, not {threads}")
    return backend_cls(models, threads)


#: The Python backend that runs each bundle runtime's models.
RUNTIME_BACKENDS = {"paddle-lite": "lite", "onnxruntime": "onnx"}

__all__ = ["BACKENDS", "RUNTIME_BACKENDS", "Backend", "ModelSource", "create_backend"]
