"""Run an OCR system over a labelled data set and score it (what ``edgeocr eval`` does).

The three tasks follow PaddleOCR's evaluation scripts:

- ``rec``: label crops go straight to the recognizer (no detection, no classifier);
- ``det``: detection only, scored ICDAR 2015 style;
- ``e2e``: the full pipeline (det -> cls -> rec, low-score lines dropped), scored on text.
"""

from __future__ import annotations

import os
from time import perf_counter
from typing import Any, Protocol

import numpy as np
from tqdm import tqdm

from edgeocr.data.labels import LabelSet, read_labels
from edgeocr.metrics.det import det_metrics
from edgeocr.metrics.e2e import e2e_metrics
from edgeocr.metrics.rec import rec_metrics
from edgeocr.ocr.image_io import read_image

TASKS = ("det", "rec", "e2e")
REC_CHUNK = 64  # crops handed to the recognizer per call: bounds memory, drives the progress bar


class OCRSystem(Protocol):
    """What evaluation needs from ``edgeocr.ocr.system.TextSystem``."""

    def detect(self, image: np.ndarray) -> list[np.ndarray]: ...

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]: ...

    def __call__(self, image: np.ndarray) -> Any: ...


def evaluate(
    task: str,
    labels: LabelSet | str | os.PathLike,
    system: OCRSystem,
    *,
    allowed_chars: frozenset[str] | None = None,
    image_root: str | os.PathLike | None = None,
    ignore_space: bool = True,
) -> dict[str, Any]:
    """Score ``system`` on ``labels`` (a label file, or one already read by ``load_task_labels``).

    Returns the metrics with their counts, the number of samples and wall-clock timings.
    """
    label_set = labels if isinstance(labels, LabelSet) else load_task_labels(task, labels, allowed_chars, image_root)
    if label_set.kind != _label_kind(task):
        raise ValueError(f"task {task!r} needs {_label_kind(task)} labels, not {label_set.kind}")
    start = perf_counter()
    if task == "rec":
        metrics = _eval_rec(label_set, system, ignore_space)
    elif task == "det":
        metrics = _eval_det(label_set, system)
    else:
        metrics = _eval_e2e(label_set, system, ignore_space)
    seconds = perf_counter() - start
    n = len(label_set.samples)
    return {
        "task": task,
        "labels": str(label_set.path),
        "samples": n,
        "metrics": metrics,
        "timings": {"total_s": seconds, "per_sample_ms": 1e3 * seconds / n},
    }


def load_task_labels(
    task: str,
    labels: str | os.PathLike,
    allowed_chars: frozenset[str] | None = None,
    image_root: str | os.PathLike | None = None,
) -> LabelSet:
    """Read and validate the label file ``task`` needs (rec format for rec, det otherwise).

    ``allowed_chars`` (the recognizer's dictionary) turns rec/e2e labels with characters
    the model can never output into an error instead of a silent miss; det ignores text.
    """
    return read_labels(labels, _label_kind(task), allowed_chars=None if task == "det" else allowed_chars,
                       image_root=image_root)


def _label_kind(task: str) -> str:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r} (expected one of {', '.join(TASKS)})")
    return "rec" if task == "rec" else "det"


def _eval_rec(label_set: LabelSet, system: OCRSystem, ignore_space: bool) -> dict[str, Any]:
    samples = label_set.samples
    preds: list[str] = []
    with tqdm(total=len(samples), desc="eval rec", unit="line") as bar:
        for begin in range(0, len(samples), REC_CHUNK):
            chunk = samples[begin:begin + REC_CHUNK]
            crops = [read_image(label_set.image_path(s)) for s in chunk]
            preds += [text for text, _ in system.recognize(crops)]
            bar.update(len(chunk))
    return rec_metrics(preds, [s.text for s in samples], ignore_space)


def _eval_det(label_set: LabelSet, system: OCRSystem) -> dict[str, Any]:
    per_image = []
    for sample in tqdm(label_set.samples, desc="eval det", unit="img"):
        boxes = system.detect(read_image(label_set.image_path(sample)))
        per_image.append(([r.points for r in sample.regions], [r.dont_care for r in sample.regions], boxes))
    return det_metrics(per_image)


def _eval_e2e(label_set: LabelSet, system: OCRSystem, ignore_space: bool) -> dict[str, Any]:
    per_image = []
    for sample in tqdm(label_set.samples, desc="eval e2e", unit="img"):
        result = system(read_image(label_set.image_path(sample)))
        gt = [(r.points, r.text) for r in sample.regions]
        per_image.append((gt, [(line.box, line.text) for line in result.lines]))
    return e2e_metrics(per_image, ignore_space)
