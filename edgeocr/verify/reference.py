"""The host side of every comparison: the same models as the device's, on this host.

Where this host's backend for the bundle's runtime runs every bundle of it as a device would
(ONNX Runtime: ``.onnx`` files run on any CPU, int8 included), the reference is the bundle's
own files on that backend. Otherwise (Paddle-Lite: an ARM ``.nb`` cannot run here, and the x86
int8 kernels are wrong) it is the inference models the bundle was converted from, named in its
manifest, on Paddle Inference. Either way with the bundle's own OCR settings and dictionary:
what a device's results are held to — by ``bench`` as figures, by ``verify`` as a gate.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from edgeocr.bundle import Bundle
from edgeocr.errors import EdgeOCRError
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import BACKENDS, RUNTIME_BACKENDS
from edgeocr.ocr.backends.base import ModelSource


class ReferenceUnavailable(EdgeOCRError):
    """The host reference run cannot be made (the message says why)."""


def source_models(bundle: Bundle) -> ModelSet:
    """The inference models ``bundle`` was converted from, checked to be on this host."""
    sources = {task: Path(m["source"]["dir"]) for task, m in bundle.manifest["models"].items()}
    missing = [f"{task}: {d}" for task, d in sources.items() if not d.is_dir()]
    if missing:
        raise ReferenceUnavailable(f"source models of bundle {bundle.path} not on this host ({'; '.join(missing)})")
    return ModelSet(det=sources["det"], rec=sources["rec"], cls=sources.get("cls"), dict_path=bundle.dict_path,
                    name="bundle sources", family=bundle.manifest.get("family", "ppocrv2"), config=bundle.config)


def reference_models(bundle: Bundle) -> tuple[str, ModelSource]:
    """The host backend and models a device run of ``bundle`` is held to (see the module doc)."""
    own = RUNTIME_BACKENDS[bundle.runtime]
    if BACKENDS[own].runs_device_bundles:
        return own, bundle
    return "paddle", source_models(bundle)


def host_reference(bundle: Bundle, images: Mapping[str, Path], mode: str,
                   perturb: tuple[float, int] | None = None) -> dict[str, Any]:
    """One run of ``images`` (``name -> file``) through the reference (``reference_models``),
    in the runner contract's image entries; ``perturb`` = ``(relative, seed)``: with that noise
    on every model input (``edgeocr.ocr.backends.perturbed``)."""
    from edgeocr.runner.measure import make_system, measure
    from edgeocr.runner.python_runner import runtime_version

    backend, models = reference_models(bundle)
    system = make_system(backend, models, bundle.config, threads=os.cpu_count() or 1, mode=mode,
                         perturb=perturb)
    return {
        "backend": backend,
        "runtime_version": runtime_version(backend),
        "models": {task: str(models.location(task)) for task in bundle.tasks},
        "mode": mode,
        "images": measure(system, images, warmup=0, repeats=1, mode=mode),
    }
