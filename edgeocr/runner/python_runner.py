"""The Python runner: the runner contract (``edgeocr.runner.contract``) over ``edgeocr.ocr``.

    python3 -m edgeocr.runner --bundle B --images I --out R.json [--threads N ...]
    python3 edgeocr-runner.pyz --bundle B ...     # the self-contained zipapp deploy pushes

``--backend lite`` (default) runs a bundle's ``.nb`` files on the pip ``paddlelite``
runtime through ``LiteBackend``, which refuses bundles that runtime would run wrongly
(another target, int8 on x86, converter/runtime version mismatch) and keeps one predictor
per input shape: rec batches vary in width, and the x86 runtime returns wrong results when
one predictor is reused across shapes. The host-parity check of ``bench`` compares exactly
these outputs with Paddle Inference, so a shape-handling bug shows up there as figures.

``--backend onnx`` runs an ONNX Runtime bundle's ``.onnx`` files on the pip ``onnxruntime``
(on an ARM Linux board: its aarch64 wheel), which applies ``--threads``.

``--backend paddle --models DIR`` runs Paddle Inference on a model-set folder (``det/ rec/
[cls/]`` + dictionary) instead: host-only reference runs, e.g. of quantized inference
models that the x86 Lite runtime cannot run correctly. The result says so in
``runner.backend`` and ``notes``.

The pip binding has no thread or power-mode setting: with ``lite`` both are recorded and
reported as not applied. Paddle Inference applies ``--threads``.

On a device the runner needs Python 3.10 with numpy, opencv-python(-headless), pyclipper,
shapely, Pillow, PyYAML and paddlelite (onnxruntime for ``--backend onnx``, paddlepaddle for
``--backend paddle``); a missing
one is reported as ``missing_dependency`` naming the module. Everything beyond the standard
library is imported lazily so that report can be made.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, Sequence

from edgeocr import __version__
from edgeocr.errors import EdgeOCRError, ModelError
from edgeocr.runner.contract import (
    EXIT_CODES,
    PROBE_SCHEMA,
    SCHEMA,
    ContractError,
    RunnerError,
    RunOptions,
    build_parser,
    options_from_args,
)
from edgeocr.runner.measure import image_files, make_system, measure

if TYPE_CHECKING:
    from edgeocr.config import OCRConfig
    from edgeocr.ocr.backends.base import ModelSource

RUNNER_NAME = "edgeocr-python-runner"
BACKENDS = ("lite", "onnx", "paddle")
DEPENDENCIES = "numpy, opencv-python-headless, pyclipper, shapely, Pillow, PyYAML and paddlelite"
_NOTES = {
    "lite": ["threads and power mode are recorded, not applied: the paddlelite Python binding has no setting "
             "for either"],
    "paddle": ["host-only reference run: Paddle Inference on an inference-model folder, not a Paddle-Lite "
               "deployment", "power mode is recorded, not applied: Paddle Inference has none"],
    "onnx": ["power mode is recorded, not applied: ONNX Runtime has none"],
}
_APPLIED = {"lite": {"threads": False, "power_mode": False}, "onnx": {"threads": True, "power_mode": False},
            "paddle": {"threads": True, "power_mode": False}}


def runtime_version(backend: str) -> str:
    """Version of the runtime ``backend`` runs on, as deploy compares it with a bundle's (Paddle-Lite's
    reads like the converter's, ``v2.13-rc``; ONNX Runtime's is its release, ``1.23.2``)."""
    if backend == "lite":
        from edgeocr.ocr.backends.lite import runtime_version as lite_version

        return lite_version()
    if backend == "onnx":
        import onnxruntime

        return onnxruntime.__version__
    import paddle

    return f"paddle-inference {paddle.__version__}"


def _load(options: RunOptions, backend: str, models_dir: str | None) -> tuple[ModelSource, OCRConfig]:
    """The models ``options`` name (a bundle is read and every file checked against its hash)
    and the OCR settings to run them with."""
    from edgeocr.bundle import Bundle
    from edgeocr.models.modelset import ModelSet

    if backend in ("lite", "onnx"):
        if options.bundle is None or models_dir is not None:
            raise ContractError(f"--backend {backend} runs a bundle: pass --bundle DIR (and no --models)")
        bundle = Bundle.load(options.bundle)
        return bundle, bundle.config
    if models_dir is None or options.bundle is not None:
        raise ContractError("--backend paddle runs an inference-model set: pass --models DIR (and no --bundle)")
    models = ModelSet.from_dir(models_dir)
    return models, models.config


def default_backend(bundle: str | None, models_dir: str | None) -> str:
    """The backend that runs what was named: a bundle's runtime's (read from its manifest), else Paddle Inference."""
    if bundle is None:
        return "paddle" if models_dir is not None else "lite"
    from edgeocr.bundle import MANIFEST
    from edgeocr.ocr.backends import RUNTIME_BACKENDS

    try:
        runtime = json.loads((Path(bundle) / MANIFEST).read_text(encoding="utf-8"))["target"]["runtime"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return "lite"  # loading the bundle reports what is wrong with it
    return RUNTIME_BACKENDS.get(runtime, "lite")


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
    """Run ``options`` and return the contract's result object (not yet written).

    ``init_ms`` is what the contract says: loading every model the mode uses and one blank
    inference each. Reading and hashing the bundle and importing the runtime come before it.
    """
    import edgeocr.ocr.system  # noqa: F401  (imports are not initialisation)

    paths = image_files(options.images)
    models, config = _load(options, backend, models_dir)
    version = runtime_version(backend)
    start = perf_counter()
    system = make_system(backend, models, config, options.threads, options.mode, options.record)
    init_ms = (perf_counter() - start) * 1e3
    images = measure(system, {p.name: p for p in paths}, options.warmup, options.repeats, options.mode)
    if options.record is not None:
        system.backend.save(version)
    return {
        "schema": SCHEMA,
        "runner": _runner_info(backend),
        "runtime_version": version,
        "options": asdict(options),
        "applied": _APPLIED[backend],
        "notes": _NOTES[backend] + ["peak_rss_kb includes the Python interpreter and its libraries"],
        "init_ms": round(init_ms, 3),
        "peak_rss_kb": peak_rss_kb(),
        "drop_score": config.drop_score,
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
    backends = sys.modules.get("edgeocr.ocr.backends.base")  # only imported once models were opened
    if backends is not None and isinstance(error, backends.RuntimeMismatch):
        return RunnerError("runtime_mismatch", str(error))
    if isinstance(error, ModelError):
        return RunnerError("model", str(error))
    if isinstance(error, EdgeOCRError):
        return RunnerError("bad_input", str(error))
    return RunnerError("internal", f"{type(error).__name__}: {error}")


def _parser():
    p = build_parser(RUNNER_NAME, "Run PP-OCR on a folder of images and write timings and results as JSON "
                                  "(the edgeocr runner contract).")
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help="lite: a Paddle-Lite bundle on the paddlelite runtime; onnx: an ONNX Runtime bundle; paddle: "
                        "host-only Paddle Inference on --models [default: the bundle's runtime's; paddle with --models]")
    p.add_argument("--models", help="model-set folder for --backend paddle (det/ rec/ [cls/] + dictionary)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the runner; returns the exit status (0, or ``EXIT_CODES`` of the error printed)."""
    from edgeocr.utils.atomic import write_json

    try:
        args = _parser().parse_args(argv)
        args.backend = args.backend or default_backend(args.bundle, args.models)
        if args.probe:
            print(json.dumps(probe(args.backend)))
            return 0
        options = options_from_args(args)
        result = run(options, args.backend, args.models)
        try:
            write_json(options.out, result)
        except OSError as e:
            raise RunnerError("output", f"{options.out}: cannot write the result file ({e.strerror or e})") from None
        return 0
    except Exception as e:  # every failure becomes the contract's error object
        error = as_runner_error(e)
        if error.code == "internal":
            traceback.print_exc(file=sys.stderr)
        print(json.dumps(error.to_json(), ensure_ascii=False))
        return EXIT_CODES[error.code]
