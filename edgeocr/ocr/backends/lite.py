"""Paddle-Lite backend: runs a bundle's ``.nb`` files through the pip ``paddlelite`` runtime.

The guards are the point. The x86 runtime *loads* an ARM ``.nb`` and returns garbage
without an error, its int8 kernels give wrong results (quantized Linear -> NaN), and a
converter/runtime version mismatch crashes or silently misbehaves. So a bundle is run only
when its target is this host's, its converter version is the runtime's, and it is float.

On the x86 runtime one predictor reused across input shapes returns wrong results, so each
input shape gets its own predictor (kept in a small LRU cache). The Python binding of the
runtime exposes no thread or power-mode setting: ``threads`` is recorded, not applied.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from edgeocr.bundle import Bundle
from edgeocr.ocr.backends.base import Backend, RuntimeMismatch
from edgeocr.targets import host_arch

MAX_PREDICTORS = 12


def runtime_version() -> str:
    """Version of the installed Paddle-Lite runtime (the pip wheel ships opt and runtime together)."""
    from paddlelite.lite import Opt

    return Opt().version()


def check_runnable_here(bundle: Bundle) -> None:
    """Refuse, with what to do instead, any bundle this host's runtime would run wrongly."""
    target = bundle.target
    if bundle.runtime != "paddle-lite":
        raise RuntimeMismatch(f"{bundle.path}: bundle is for the {bundle.runtime} runtime, not Paddle-Lite")
    if not target.runs_on_host:
        raise RuntimeMismatch(
            f"{bundle.path}: bundle is for {target.name} ({target.arch}); this host's Paddle-Lite runtime is "
            f"{host_arch()} and would return garbage without an error. Run it on a {target.name} device "
            f"(edgeocr deploy/bench), or convert for a {host_arch()} target for host runs.")
    built, here = bundle.runtime_version, runtime_version()
    if built != here:
        raise RuntimeMismatch(f"{bundle.path}: converted by opt {built} but the runtime is {here}; "
                              "re-convert with the matching paddlelite version")
    quantized = bundle.quantized_tasks()
    if quantized:
        raise RuntimeMismatch(
            f"{bundle.path}: {', '.join(quantized)} model(s) are quantized; Paddle-Lite's x86 int8 kernels give wrong "
            "results (NaN from quantized Linear), so they are not run here. Validate quantized models with "
            "--backend paddle on their inference model, and run the bundle on an ARM device.")


class LiteBackend(Backend):
    name = "lite"
    accepts = (Bundle,)

    def __init__(self, bundle: Bundle, threads: int = 2) -> None:
        super().__init__(bundle, threads)
        check_runnable_here(bundle)
        self.bundle = bundle
        self._predictors: OrderedDict[tuple, object] = OrderedDict()

    def _predictor(self, task: str, shape: tuple[int, ...]):
        key = (task, shape)
        if key in self._predictors:
            self._predictors.move_to_end(key)
            return self._predictors[key]
        from paddlelite.lite import MobileConfig, create_paddle_predictor

        config = MobileConfig()
        config.set_model_from_file(str(self.bundle.model_file(task)))
        predictor = create_paddle_predictor(config)
        self._predictors[key] = predictor
        if len(self._predictors) > MAX_PREDICTORS:
            self._predictors.popitem(last=False)
        return predictor

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        predictor = self._predictor(task, tuple(batch.shape))
        predictor.get_input(0).from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
        predictor.run()
        return predictor.get_output(0).numpy()
