"""A backend whose model inputs carry numerically negligible noise: how far a model's own results
move when its arithmetic is done a little differently.

Two correct implementations of one int8 model (Paddle Inference simulating it in float on the
host, Paddle-Lite's int8 kernels on ARM) differ by float rounding in each layer; where a value
lies that close to a rounding boundary of the next quantizer it lands one step apart, and such
steps add up through the layers. Whether the end result then changes is a property of the model,
not of either implementation: ``verify`` measures it on the host by running the reference again
with every model input scaled by ``1 + relative * N(0, 1)`` (``edgeocr.verify.noise_floor``).
"""

from __future__ import annotations

import numpy as np

from edgeocr.ocr.backends.base import Backend


class PerturbedBackend(Backend):
    """Runs ``inner`` on inputs scaled elementwise by ``1 + relative * N(0, 1)``, drawn from a
    generator seeded with ``seed`` (the same seed, calls and inputs give the same outputs)."""

    name = "perturbed"

    def __init__(self, inner: Backend, relative: float, seed: int) -> None:
        super().__init__(inner.models, inner.threads)
        self.inner, self.relative = inner, relative
        self._rng = np.random.default_rng(seed)

    def has(self, task: str) -> bool:
        return self.inner.has(task)

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        noise = self._rng.standard_normal(batch.shape, dtype=np.float32)
        return self.inner.infer(task, (batch * (1 + np.float32(self.relative) * noise)).astype(np.float32))
