"""A ``ModelSet``: which det / cls / rec models and dictionary a command uses.

By default it is a set pulled into the model home (``edgeocr models pull ppocrv2``);
users can override any model with their own PaddleOCR inference-model folder
(``inference.pdmodel`` + ``inference.pdiparams``) or training checkpoint (``.pdparams``,
exported on first use through edgeocr's architecture definitions).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from edgeocr.config import OCRConfig
from edgeocr.errors import ModelError
from edgeocr.models.families import FAMILIES, family, family_of_height
from edgeocr.paths import CHECKPOINT, DICT_FILE, INFER_MODEL, INFER_PARAMS, ONNX_FILE, model_set_dir

__all__ = ["CHECKPOINT", "DICT_FILE", "INFER_MODEL", "INFER_PARAMS", "ONNX_FILE", "ModelSet", "resolve_model_path"]


@dataclass(frozen=True)
class ModelSet:
    """Folders holding each model (``cls`` may be absent), the rec dictionary, and the
    settings of the family the models belong to (``edgeocr.models.families``)."""

    det: Path
    rec: Path
    dict_path: Path
    cls: Path | None = None
    name: str = "custom"
    family: str = "ppocrv2"
    config: OCRConfig = OCRConfig()

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
        if not files[0].exists() and (d / ONNX_FILE).is_file():
            raise ModelError(f"{d}: the {task} model is ONNX only ({ONNX_FILE}, no Paddle {INFER_MODEL}): run it "
                             "with --backend onnx, convert it with --runtime onnxruntime")
        for f in files:
            if not f.is_file() or f.stat().st_size == 0:
                raise ModelError(f"{f}: missing or empty inference model file for {task}")
        return files

    def has_paddle_model(self, task: str) -> bool:
        """Whether model ``task`` is a Paddle inference model (else ONNX only, e.g. PP-OCRv5 as released on PyPI)."""
        return (self.location(task) / INFER_MODEL).is_file()

    def checked(self) -> "ModelSet":
        """This set, after checking that each model takes the input its family's settings feed
        it (a v3/v4/v5 rec with v2's 32-pixel lines reads nothing; Paddle fails deep inside)."""
        for task, shape in (("rec", self.config.rec_image_shape), ("cls", self.config.cls_image_shape)):
            folder = self.dir(task)
            declared = declared_input(folder) if folder is not None else None
            if declared is None or len(declared) != 4 or declared[2] in (None, shape[1]):
                continue
            height = declared[2]
            others = [f for f in family_of_height(height) if f != self.family] if task == "rec" else []
            hint = (f"use the settings of its family, --models {' or '.join(others)} (with --{task} DIR for your own)"
                    if others else f"its input must be {shape[1]} pixels high")
            raise ModelError(f"{folder}: this {task} model takes {height}-pixel lines, but model set {self.name!r} "
                             f"({family(self.family).title} settings) feeds it {shape[1]}-pixel lines; {hint}")
        return self

    @classmethod
    def from_dir(cls, path: str | os.PathLike) -> "ModelSet":
        """A model-set folder laid out like a pulled set: ``det/ cls/ rec/`` + the dictionary."""
        base = Path(path)
        if not (base / "det").is_dir() or not (base / "rec").is_dir():
            raise ModelError(f"{base}: not a model set folder (needs det/ and rec/ subfolders)")
        dicts = sorted(base.glob("*.txt"))
        if len(dicts) != 1:
            raise ModelError(f"{base}: expected exactly one dictionary .txt file, found {len(dicts)}")
        fam, config = _settings_of(base, _set_manifest(base))
        return cls(det=resolve_model_path("det", base / "det"), rec=resolve_model_path("rec", base / "rec"),
                   cls=resolve_model_path("cls", base / "cls") if (base / "cls").is_dir() else None,
                   dict_path=dicts[0], name=base.name, family=fam, config=config).checked()

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
        """Resolve a pulled set by ``name``, with optional per-model overrides. The set's family
        settings apply to the overrides too; a family's name works unpulled with ``--det``,
        ``--rec`` and ``--dict`` (a user's own PP-OCRv5 models: ``--models ppocrv5``)."""
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
        recorded = _set_manifest(base)
        dict_file = Path(dict_path) if dict_path else base / _dictionary_name(recorded)
        if not dict_file.is_file():
            raise ModelError(f"{dict_file}: dictionary not found (pass --dict)")
        fam, config = _settings_of(base, recorded)
        return cls(det=dirs["det"], rec=dirs["rec"], cls=dirs["cls"], dict_path=dict_file,
                   name=name if base.is_dir() or name in FAMILIES else "custom", family=fam, config=config).checked()


def _set_manifest(base: Path) -> dict:
    """A set folder's ``manifest.json`` (empty where there is none or it is unreadable)."""
    try:
        recorded = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _settings_of(base: Path, recorded: dict) -> tuple[str, OCRConfig]:
    """The family and OCR settings a set's manifest ``recorded`` names; else, by the folder's
    name, that family's defaults; else PP-OCRv2's."""
    name = recorded.get("family")
    fam = family(name) if name else FAMILIES.get(base.name, FAMILIES["ppocrv2"])
    try:
        config = OCRConfig.from_json(recorded["ocr"]) if "ocr" in recorded else fam.ocr
    except (TypeError, ValueError) as e:
        raise ModelError(f"{base / 'manifest.json'}: unreadable OCR settings ({e})") from None
    return fam.name, config


def _dictionary_name(recorded: dict) -> str:
    """The dictionary a set's manifest names, else PP-OCRv2's file name."""
    named = recorded.get("dictionary")
    return named["file"] if isinstance(named, dict) and isinstance(named.get("file"), str) else DICT_FILE


def declared_input(folder: Path) -> tuple[int | None, ...] | None:
    """The NCHW shape model ``folder`` declares for its input (``None``: dynamic dimension),
    from its Paddle program or else its ONNX file; ``None`` when it has neither."""
    if (folder / INFER_MODEL).is_file():
        from edgeocr.models.program import feed_shapes, read_program

        shapes = list(feed_shapes(read_program(folder / INFER_MODEL)).values())
        return shapes[0] if shapes else None
    if (folder / ONNX_FILE).is_file():
        import onnx

        try:
            graph = onnx.load(str(folder / ONNX_FILE), load_external_data=False).graph
        except Exception as e:  # DecodeError and friends
            raise ModelError(f"{folder / ONNX_FILE}: not an ONNX model ({type(e).__name__})") from None
        initialisers = {i.name for i in graph.initializer}
        inputs = [i for i in graph.input if i.name not in initialisers]
        return tuple(d.dim_value or None for d in inputs[0].type.tensor_type.shape.dim) if inputs else None
    return None


def resolve_model_path(task: str, path: str | os.PathLike) -> Path:
    """Turn a user-given model path into a folder holding an inference model.

    Accepts an inference-model folder, or a training checkpoint (``*.pdparams``) of the
    PP-OCRv2 architecture for ``task``, which is exported once to a cache folder.
    """
    p = Path(path)
    if p.is_dir():
        pir = [j for j in sorted(p.glob("*.json")) if j.with_suffix(".pdiparams").is_file()]
        if not (p / INFER_MODEL).is_file() and pir:
            raise ModelError(
                f"{p}: a Paddle 3 inference model (PIR program in {pir[0].name}): Paddle 2.6 and "
                f"Paddle-Lite's converter read only the legacy {INFER_MODEL} program. Export it again with the "
                "legacy format (PaddleOCR: FLAGS_enable_pir_api=0 python tools/export_model.py -c CONFIG -o "
                "Global.pretrained_model=... Global.save_inference_dir=...), or convert it to ONNX and pass "
                f"a folder holding it as {ONNX_FILE} (runs on --backend onnx and --runtime onnxruntime)")
        if not (p / INFER_MODEL).is_file() and not (p / ONNX_FILE).is_file():
            raise ModelError(f"{p}: not an inference model folder (no {INFER_MODEL} or {ONNX_FILE})")
        return p
    if p.is_file() and p.suffix == ".pdparams":
        from edgeocr.models.export import export_checkpoint_cached

        return export_checkpoint_cached(task, p)
    raise ModelError(f"{p}: expected an inference model folder or a .pdparams checkpoint for {task}")
