"""A ``ModelSet``: which det / cls / rec models and dictionary a command uses.

By default it is a set pulled into the model home (``edgeocr models pull ppocrv2``);
users can override any model with their own PaddleOCR inference-model folder
(``inference.pdmodel`` + ``inference.pdiparams``) or training checkpoint (``.pdparams``,
exported on first use through edgeocr's architecture definitions).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from edgeocr.errors import ModelError
from edgeocr.paths import CHECKPOINT, DICT_FILE, INFER_MODEL, INFER_PARAMS, ONNX_FILE, model_set_dir

__all__ = ["CHECKPOINT", "DICT_FILE", "INFER_MODEL", "INFER_PARAMS", "ONNX_FILE", "ModelSet", "resolve_model_path"]


@dataclass(frozen=True)
class ModelSet:
    """Folders holding each model (``cls`` may be absent) and the rec dictionary."""

    det: Path
    rec: Path
    dict_path: Path
    cls: Path | None = None
    name: str = "custom"

    def dir(self, task: str) -> Path | None:
        """Folder of model ``task`` (``det``/``cls``/``rec``), or None if not in the set."""
        if task not in ("det", "cls", "rec"):
            raise ValueError(f"unknown task {task!r}")
        return getattr(self, task)

    def has(self, task: str) -> bool:
        """Whether the set includes model ``task`` (the classifier is optional)."""
        return self.dir(task) is not None

    def location(self, task: str) -> Path:
        """Where model ``task`` is (its folder), for messages and records."""
        d = self.dir(task)
        if d is None:
            raise ModelError(f"no {task} model in model set {self.name!r}")
        return d

    def inference_files(self, task: str) -> tuple[Path, Path]:
        """``(pdmodel, pdiparams)`` of model ``task``, checked to exist and be non-empty."""
        d = self.location(task)
        files = (d / INFER_MODEL, d / INFER_PARAMS)
        for f in files:
            if not f.is_file() or f.stat().st_size == 0:
                raise ModelError(f"{f}: missing or empty inference model file for {task}")
        return files

    @classmethod
    def from_dir(cls, path: str | os.PathLike) -> "ModelSet":
        """A model-set folder laid out like a pulled set: ``det/ cls/ rec/`` + the dictionary."""
        base = Path(path)
        if not (base / "det").is_dir() or not (base / "rec").is_dir():
            raise ModelError(f"{base}: not a model set folder (needs det/ and rec/ subfolders)")
        dicts = sorted(base.glob("*.txt"))
        if len(dicts) != 1:
            raise ModelError(f"{base}: expected exactly one dictionary .txt file, found {len(dicts)}")
        return cls(det=resolve_model_path("det", base / "det"), rec=resolve_model_path("rec", base / "rec"),
                   cls=resolve_model_path("cls", base / "cls") if (base / "cls").is_dir() else None,
                   dict_path=dicts[0], name=base.name)

    @classmethod
    def load(
        cls,
        name: str = "ppocrv2",
        *,
        det: str | os.PathLike | None = None,
        cls_model: str | os.PathLike | None = None,
        rec: str | os.PathLike | None = None,
        dict_path: str | os.PathLike | None = None,
    ) -> "ModelSet":
        """Resolve a pulled set by ``name``, with optional per-model overrides."""
        base = model_set_dir(name)
        overrides = {"det": det, "cls": cls_model, "rec": rec}
        if not base.is_dir() and not all(overrides[t] for t in ("det", "rec")):
            raise ModelError(
                f"{base}: model set {name!r} is not pulled; run `edgeocr models pull {name}` "
                "or pass --det/--rec (and --cls) paths"
            )
        dirs = {}
        for task, override in overrides.items():
            dirs[task] = resolve_model_path(task, override) if override else (base / task if (base / task).is_dir() else None)
        dict_file = Path(dict_path) if dict_path else base / DICT_FILE
        if not dict_file.is_file():
            raise ModelError(f"{dict_file}: dictionary not found (pass --dict)")
        return cls(det=dirs["det"], rec=dirs["rec"], cls=dirs["cls"], dict_path=dict_file,
                   name=name if base.is_dir() else "custom")


def resolve_model_path(task: str, path: str | os.PathLike) -> Path:
    """Turn a user-given model path into a folder holding an inference model.

    Accepts an inference-model folder, or a training checkpoint (``*.pdparams``) of the
    PP-OCRv2 architecture for ``task``, which is exported once to a cache folder.
    """
    p = Path(path)
    if p.is_dir():
        if not (p / INFER_MODEL).is_file() and not (p / ONNX_FILE).is_file():
            raise ModelError(f"{p}: not an inference model folder (no {INFER_MODEL} or {ONNX_FILE})")
        return p
    if p.is_file() and p.suffix == ".pdparams":
        from edgeocr.models.export import export_checkpoint_cached

        return export_checkpoint_cached(task, p)
    raise ModelError(f"{p}: expected an inference model folder or a .pdparams checkpoint for {task}")
