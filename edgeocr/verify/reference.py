"""The host side of every comparison: the bundle's source models on Paddle Inference.

A bundle's manifest names the inference models it was converted from; running those on this
host with the bundle's own OCR settings and dictionary is what a device's results are held
to — by ``bench`` as figures, by ``verify`` as a gate.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from edgeocr.bundle import Bundle
from edgeocr.errors import EdgeOCRError
from edgeocr.models.modelset import ModelSet


class ReferenceUnavailable(EdgeOCRError):
    """The host reference run cannot be made (the message says why)."""


def source_models(bundle: Bundle) -> ModelSet:
    """The inference models ``bundle`` was converted from, checked to be on this host."""
    sources = {task: Path(m["source"]["dir"]) for task, m in bundle.manifest["models"].items()}
    missing = [f"{task}: {d}" for task, d in sources.items() if not d.is_dir()]
    if missing:
        raise ReferenceUnavailable(f"source models of bundle {bundle.path} not on this host ({'; '.join(missing)})")
    return ModelSet(det=sources["det"], rec=sources["rec"], cls=sources.get("cls"), dict_path=bundle.dict_path,
                    name="bundle sources")


def host_reference(bundle: Bundle, images: Mapping[str, Path], mode: str) -> dict[str, Any]:
    """One run of ``images`` (``name -> file``) through Paddle Inference on the source models,
    in the runner contract's image entries."""
    from edgeocr.runner.measure import make_system, measure
    from edgeocr.runner.python_runner import runtime_version

    models = source_models(bundle)
    system = make_system("paddle", models, bundle.config, threads=os.cpu_count() or 1, mode=mode)
    return {
        "backend": "paddle",
        "runtime_version": runtime_version("paddle"),
        "models": {task: str(models.location(task)) for task in bundle.tasks},
        "mode": mode,
        "images": measure(system, images, warmup=0, repeats=1, mode=mode),
    }
