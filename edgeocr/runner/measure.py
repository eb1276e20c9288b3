"""Measuring OCR the way the runner contract defines it, in one place.

The Python runner, the host reference run of ``bench`` and the scripts in ``benchmarks/``
all time OCR with these functions, so a stage means the same thing in every table: images
are decoded before their runs (decoding is not OCR), every image gets its warm-up runs
before its timed ones (a runtime may plan per input shape), and stage times are the
pipeline's own wall-clock figures in milliseconds.

Everything beyond the standard library is imported lazily: the Python runner imports this
module before it can report a missing dependency.
"""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, Callable, Mapping

from edgeocr.errors import InputError
from edgeocr.runner.contract import STAGES, RunnerError

if TYPE_CHECKING:
    import numpy as np

    from edgeocr.config import OCRConfig
    from edgeocr.ocr.backends.base import ModelSource
    from edgeocr.ocr.result import OCRLine
    from edgeocr.ocr.system import TextSystem

Timings = dict[str, "float | None"]


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


def make_system(backend: str, models: ModelSource, config: OCRConfig, threads: int, mode: str,
                record: str | os.PathLike | None = None, perturb: tuple[float, int] | None = None) -> TextSystem:
    """The ``TextSystem`` a mode runs: with the classifier only when the mode uses it, and
    with ``drop_score`` 0 so every detected box is reported (consumers apply ``drop_score``).
    Building it loads every model the mode uses and runs each once (``TextSystem``). With
    ``record`` every model call is also saved there (``RecordingBackend``); with ``perturb``
    ``(relative, seed)`` every model input carries that noise (``PerturbedBackend``)."""
    from edgeocr.models.charset import load_charset
    from edgeocr.ocr.backends import create_backend
    from edgeocr.ocr.backends.perturbed import PerturbedBackend
    from edgeocr.ocr.backends.recording import RecordingBackend
    from edgeocr.ocr.system import TextSystem

    classify = mode == "det_cls_rec"
    if classify and not models.has("cls"):
        raise RunnerError("model", f"mode det_cls_rec needs a cls model and {models.name} has none; use --mode det_rec")
    runtime = create_backend(backend, models, threads)
    if perturb is not None:
        runtime = PerturbedBackend(runtime, *perturb)
    if record is not None:
        runtime = RecordingBackend(runtime, Path(record))
    return TextSystem(runtime, load_charset(models.dict_path), replace(config, drop_score=0.0), classify=classify)


def run_once(system: TextSystem, image: np.ndarray, mode: str) -> tuple[list[OCRLine], Timings]:
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


def measure_image(system: TextSystem, name: str, image: np.ndarray, warmup: int, repeats: int,
                  mode: str) -> dict[str, Any]:
    """``warmup`` + ``repeats`` runs of one decoded image: the contract's image entry. Lines
    come from the last run; ``consistent`` says whether every timed run read the same texts."""
    warm = [run_once(system, image, mode)[1]["total"] for _ in range(warmup)]
    runs, texts = [], []
    for _ in range(repeats):
        lines, timings = run_once(system, image, mode)
        runs.append({stage: _ms(ms) for stage, ms in timings.items()})
        texts.append([line.text for line in lines])
    return {
        "image": name,
        "height": int(image.shape[0]),
        "width": int(image.shape[1]),
        "lines": [line.to_json() for line in lines],
        "consistent": all(t == texts[0] for t in texts),
        "warmup_ms": [_ms(ms) for ms in warm],
        "runs_ms": runs,
    }


def _progress(i: int, n: int, entry: Mapping[str, Any]) -> None:
    median = statistics.median(r["total"] for r in entry["runs_ms"])
    print(f"[{i}/{n}] {entry['image']}: {len(entry['lines'])} lines, median {median:.1f} ms", file=sys.stderr)


def measure(system: TextSystem, images: Mapping[str, Path], warmup: int, repeats: int, mode: str,
            progress: Callable[[int, int, Mapping[str, Any]], None] = _progress) -> list[dict[str, Any]]:
    """Every image (``name -> file``) decoded, then measured by ``measure_image``; the
    contract's image entries, in the given order."""
    from edgeocr.ocr.backends.recording import RecordingBackend
    from edgeocr.ocr.image_io import read_image

    entries = []
    for i, (name, path) in enumerate(images.items(), start=1):
        if isinstance(system.backend, RecordingBackend):
            system.backend.image = name  # recorded with each call, so a divergence names its image
        entries.append(measure_image(system, name, read_image(path), warmup, repeats, mode))
        progress(i, len(images), entries[-1])
    return entries
