"""Options shared by the commands that run OCR on this host (``ocr``, ``eval``):
which runtime, which models, how many threads. One definition, so the commands cannot drift."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from edgeocr.bundle import Bundle
from edgeocr.errors import InputError
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import BACKENDS, ModelSource, create_backend
from edgeocr.ocr.system import TextSystem


@dataclass(frozen=True)
class ModelSelection:
    """What the user chose on the command line; turns into a model source (a ``ModelSet``, or
    a ``Bundle`` with ``--bundle``) and a ``TextSystem``."""

    backend: str
    models_name: str
    det: Path | None
    cls_model: Path | None
    rec: Path | None
    dict_path: Path | None
    bundle: Path | None
    threads: int

    def model_set(self) -> ModelSource:
        runs = BACKENDS[self.backend].accepts
        if self.bundle is not None:
            if Bundle not in runs:
                raise InputError(f"--backend {self.backend} runs inference models, not a --bundle (bundles run on: "
                                 f"{', '.join(n for n, b in BACKENDS.items() if Bundle in b.accepts)})")
            return Bundle.load(self.bundle)
        if ModelSet not in runs:
            raise InputError(f"--backend {self.backend} needs --bundle DIR (made by `edgeocr convert`)")
        return ModelSet.load(self.models_name, det=self.det, cls_model=self.cls_model, rec=self.rec,
                             dict_path=self.dict_path)

    def system(self, models: ModelSource) -> TextSystem:
        """The model set's family settings, or for a bundle the settings it was converted with."""
        return TextSystem(create_backend(self.backend, models, self.threads), load_charset(models.dict_path),
                          models.config)

    def run_info(self, models: ModelSource, system: TextSystem) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "models": models.name,
            "model_dirs": {t: str(models.location(t)) if models.has(t) else None for t in ("det", "cls", "rec")},
            "dict": str(models.dict_path),
            "threads": self.threads,
            "config": system.config.to_json(),
        }


_MODEL_OPTIONS = [
    click.option("--backend", type=click.Choice(list(BACKENDS)), default="paddle", show_default=True,
                 help="Inference runtime (paddle: Paddle Inference; onnx: ONNX Runtime, on a model set's reference "
                      "exports or an ONNX Runtime --bundle; lite: a bundle's .nb files on this host's Paddle-Lite)."),
    click.option("--models", "models_name", default="ppocrv2", show_default=True,
                 help="Pulled model set (`edgeocr models pull`)."),
    click.option("--det", type=click.Path(exists=True, path_type=Path), help="Det model folder or .pdparams checkpoint."),
    click.option("--cls", "cls_model", type=click.Path(exists=True, path_type=Path),
                 help="Direction classifier folder or .pdparams checkpoint."),
    click.option("--rec", type=click.Path(exists=True, path_type=Path), help="Rec model folder or .pdparams checkpoint."),
    click.option("--dict", "dict_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Rec dictionary (one character per line)."),
    click.option("--bundle", type=click.Path(exists=True, file_okay=False, path_type=Path),
                 help="Bundle folder for --backend lite / onnx (made by `edgeocr convert`)."),
    click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True, help="CPU threads for inference."),
]


def model_options(func: Callable) -> Callable:
    """Add the model/runtime options; the command receives them as one ``selection`` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, backend, models_name, det, cls_model, rec, dict_path, bundle, threads, **kwargs: Any):
        selection = ModelSelection(backend, models_name, det, cls_model, rec, dict_path, bundle, threads)
        return func(*args, selection=selection, **kwargs)

    for option in reversed(_MODEL_OPTIONS):
        wrapper = option(wrapper)
    return wrapper
