"""The Python runner: the runner contract (``edgeocr.runner.contract``) over ``edgeocr.ocr``.

    python3 -m edgeocr.runner --bundle B --images I --out R.json [--threads N ...]
    python3 edgeocr-runner.pyz --bundle B ...     # the self-contained zipapp deploy pushes

``--backend lite`` (default) runs a bundle's ``.nb`` files on the pip ``paddlelite``
runtime through ``LiteBackend``, which refuses bundles that runtime would run wrongly
(another target, int8 on x86, converter/runtime version mismatch) and keeps one predictor
per input shape: rec batches vary in width, and the x86 runtime returns wrong results when
one predictor is reused across shapes. The host-parity check of ``bench`` compares exactly
these outputs with Paddle Inference, so a shape-handling bug shows up there as figures.

``--backend paddle --models DIR`` runs Paddle Inference on a model-set folder (``det/ rec/
[cls/]`` + dictionary) instead: host-only reference runs, e.g. of quantized inference
models that the x86 Lite runtime cannot run correctly. The result says so in
``runner.backend`` and ``notes``.

The pip binding has no thread or power-mode setting: with ``lite`` both are recorded and
reported as not applied. Paddle Inference applies ``--threads``.

On a device the runner needs Python 3.10 with numpy, opencv-python(-headless), pyclipper,
shapely, Pillow, PyYAML and paddlelite (paddlepaddle for ``--backend paddle``); a missing
one is reported as ``missing_dependency`` naming the module. Everything beyond the standard
library is imported lazily so that report can be made.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import traceback
from dataclasses import asdict, replace
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from edgeocr import __version__
from edgeocr.errors import EdgeOCRError, InputError, ModelError
from edgeocr.runner.contract import (
    EXIT_CODES,
    PROBE_SCHEMA,
    SCHEMA,
    STAGES,
    ContractError,
    RunnerError,
    RunOptions,
    build_parser,
    options_from_args,
)

if TYPE_CHECKING:
    import numpy as np

    from edgeocr.models.modelset import ModelSet
    from edgeocr.ocr.config import OCRConfig
    from edgeocr.ocr.result import OCRLine
    from edgeocr.ocr.system import TextSystem

RUNNER_NAME = "edgeocr-python-runner"
BACKENDS = ("lite", "paddle")
DEPENDENCIES = "numpy, opencv-python-headless, pyclipper, shapely, Pillow, PyYAML and paddlelite"
_NOTES = {
    "lite": ["threads and power mode are recorded, not applied: the paddlelite Python binding has no setting "
             "for either"],
    "paddle": ["host-only reference run: Paddle Inference on an inference-model folder, not a Paddle-Lite "
               "deployment", "power mode is recorded, not applied: Paddle Inference has none"],
}
_APPLIED = {"lite": {"threads": False, "power_mode": False}, "paddle": {"threads": True, "power_mode": False}}


def runtime_version(backend: str) -> str:
    """Version of the runtime ``backend`` runs on (Paddle-Lite's reads like the converter's: ``v2.13-rc``)."""
    if backend == "lite":
        from edgeocr.ocr.backends.lite import runtime_version as lite_version

        return lite_version()
    import paddle

    return f"paddle-inference {paddle.__version__}"


def make_system(backend: str, models: ModelSet, config: OCRConfig, threads: int, mode: str) -> TextSystem:
    """The ``TextSystem`` a mode runs: without the classifier unless the mode uses it, and with
    ``drop_score`` 0 so every detected box is reported (consumers apply ``drop_score``)."""
    from edgeocr.models.charset import load_charset
    from edgeocr.ocr.backends import create_backend
    from edgeocr.ocr.system import TextSystem

    if mode != "det_cls_rec":
        models = replace(models, cls=None)
    elif models.cls is None:
        raise RunnerError("model", f"mode det_cls_rec needs a cls model and {models.name} has none; use --mode det_rec")
    return TextSystem(create_backend(backend, models, threads), load_charset(models.dict_path),
                      replace(config, drop_score=0.0))


def _load(options: RunOptions, backend: str, models_dir: str | None) -> tuple[TextSystem, float]:
    """The system for ``options`` and the drop_score it would have applied."""
    from edgeocr.convert.manifest import bundle_config, bundle_model_set
    from edgeocr.models.modelset import ModelSet
    from edgeocr.ocr.config import OCRConfig

    if backend == "lite":
        if options.bundle is None or models_dir is not None:
            raise ContractError("--backend lite runs a bundle: pass --bundle DIR (and no --models)")
        models, config = bundle_model_set(options.bundle), bundle_config(options.bundle)
    else:
        if models_dir is None or options.bundle is not None:
            raise ContractError("--backend paddle runs an inference-model set: pass --models DIR (and no --bundle)")
        models, config = ModelSet.from_dir(models_dir), OCRConfig()
    return make_system(backend, models, config, options.threads, options.mode), config.drop_score


def image_files(folder: str | os.PathLike) -> list[Path]:
    """The images directly in ``folder``, sorted by name; none is an error naming the folder."""
    from edgeocr.ocr.image_io import IMAGE_EXTENSIONS, collect_images

    p = Path(folder)
    if not p.is_dir():
        raise InputError(f"{p}: not a folder of images")
    found = collect_images(p)
    if not found:
        raise InputError(f"{p}: no images ({', '.join(sorted(IMAGE_EXTENSIONS))})")
    return found


def _once(system: TextSystem, image: np.ndarray, mode: str) -> tuple[list[OCRLine], dict[str, float | None]]:
    """One run of ``mode`` on ``image``: its lines and stage times (ms), in contract order."""
    if mode == "rec":
        from edgeocr.ocr.result import OCRLine

        start = perf_counter()
        [(text, score)] = system.recognize([image])
        ms = (perf_counter() - start) * 1e3
        h, w = image.shape[:2]
        whole = OCRLine(box=[[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]], text=text, score=float(score))
        return [whole], {"rec": ms, "rec_per_line": ms, "total": ms}
    result = system(image)
    t, n = result.timings_ms, len(result.lines)
    per_line = t["rec"] / n if n else None
    return result.lines, {s: per_line if s == "rec_per_line" else t[s] for s in STAGES[mode]}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def measure(system: TextSystem, images: Mapping[str, Path], warmup: int, repeats: int,
            mode: str) -> list[dict[str, Any]]:
    """Run every image (``name -> file``) ``warmup`` + ``repeats`` times; the contract's image entries.

    Images are decoded before their runs (decoding is not OCR); lines come from the last run,
    and ``consistent`` says whether every timed run read the same texts.
    """
    from edgeocr.ocr.image_io import read_image

    entries = []
    for i, (name, path) in enumerate(images.items(), start=1):
        image = read_image(path)
        warm = [_once(system, image, mode)[1]["total"] for _ in range(warmup)]
        runs, texts = [], []
        for _ in range(repeats):
            lines, timings = _once(system, image, mode)
            runs.append({stage: _ms(ms) for stage, ms in timings.items()})
            texts.append([line.text for line in lines])
        entries.append({
            "image": name,
            "height": int(image.shape[0]),
            "width": int(image.shape[1]),
            "lines": [line.to_json() for line in lines],
            "consistent": all(t == texts[0] for t in texts),
            "warmup_ms": [_ms(ms) for ms in warm],
            "runs_ms": runs,
        })
        median = statistics.median(r["total"] for r in runs)
        print(f"[{i}/{len(images)}] {name}: {len(lines)} lines, median {median:.1f} ms", file=sys.stderr)
    return entries


def peak_rss_kb() -> int | None:
    """VmHWM (peak resident set) of this process, from /proc/self/status; None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.M)
    return int(match.group(1)) if match else None


def _runner_info(backend: str) -> dict[str, str]:
    return {"name": RUNNER_NAME, "version": __version__, "backend": backend,
            "python_version": platform.python_version(), "machine": platform.machine()}


def run(options: RunOptions, backend: str = "lite", models_dir: str | None = None) -> dict[str, Any]:
    """Run ``options`` and return the contract's result object (not yet written)."""
    paths = image_files(options.images)
    start = perf_counter()
    system, drop_score = _load(options, backend, models_dir)
    init_ms = (perf_counter() - start) * 1e3
    images = measure(system, {p.name: p for p in paths}, options.warmup, options.repeats, options.mode)
    return {
        "schema": SCHEMA,
        "runner": _runner_info(backend),
        "runtime_version": runtime_version(backend),
        "options": asdict(options),
        "applied": _APPLIED[backend],
        "notes": _NOTES[backend] + ["peak_rss_kb includes the Python interpreter and its libraries"],
        "init_ms": round(init_ms, 3),
        "peak_rss_kb": peak_rss_kb(),
        "drop_score": drop_score,
        "images": images,
        **({"models": models_dir} if models_dir else {}),
    }


def probe(backend: str) -> dict[str, Any]:
    """The ``--probe`` answer; importing the pipeline first surfaces missing modules."""
    import edgeocr.ocr.system  # noqa: F401

    return {"schema": PROBE_SCHEMA, "runner": _runner_info(backend), "runtime_version": runtime_version(backend)}


def as_runner_error(error: Exception) -> RunnerError:
    """The contract's error for anything raised while running."""
    if isinstance(error, RunnerError):
        return error
    if isinstance(error, ContractError):
        return RunnerError("bad_args", str(error))
    if isinstance(error, ModuleNotFoundError):
        return RunnerError("missing_dependency", f"Python module {error.name!r} is not installed for {sys.executable} "
                                                 f"(the Python runner needs {DEPENDENCIES})")
    lite = sys.modules.get("edgeocr.ocr.backends.lite")  # only imported once a bundle was opened
    if lite is not None and isinstance(error, lite.RuntimeMismatch):
        return RunnerError("runtime_mismatch", str(error))
    if isinstance(error, ModelError):
        return RunnerError("model", str(error))
    if isinstance(error, EdgeOCRError):
        return RunnerError("bad_input", str(error))
    return RunnerError("internal", f"{type(error).__name__}: {error}")


def _parser():
    p = build_parser(RUNNER_NAME, "Run PP-OCR on a folder of images and write timings and results as JSON "
                                  "(the edgeocr runner contract).")
    p.add_argument("--backend", choices=BACKENDS, default="lite",
                   help="lite: a bundle on the paddlelite runtime; paddle: host-only Paddle Inference on --models")
    p.add_argument("--models", help="model-set folder for --backend paddle (det/ rec/ [cls/] + dictionary)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the runner; returns the exit status (0, or ``EXIT_CODES`` of the error printed)."""
    from edgeocr.utils.atomic import write_json

    try:
        args = _parser().parse_args(argv)
        if args.probe:
            print(json.dumps(probe(args.backend)))
            return 0
        options = options_from_args(args)
        write_json(options.out, run(options, args.backend, args.models))
        return 0
    except Exception as e:  # every failure becomes the contract's error object
        error = as_runner_error(e)
        if error.code == "internal":
            traceback.print_exc(file=sys.stderr)
        print(json.dumps(error.to_json(), ensure_ascii=False))
        return EXIT_CODES[error.code]
