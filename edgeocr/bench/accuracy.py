"""How right a device run is: accuracy against the labels, and parity with the host.

Accuracy uses ``edgeocr.metrics`` as ``edgeocr eval`` does. With det labels: detection
P/R/Hmean over every detected box (runners report lines below ``drop_score`` too, because
detection is scored on the detector's boxes), end-to-end P/R/Hmean over the lines scoring at
least ``drop_score``, and ``rec_acc_matched``: of the labelled lines a box found (IoU >=
0.5), the share read right — recognition quality on what was detected. With rec labels:
line accuracy and normalised edit distance. Spaces are ignored, as PaddleOCR's metrics do.

Parity compares a device's lines with the host reference run of the same images (Paddle
Inference on the bundle's source models, same settings). Lines are paired one-to-one by box
IoU >= 0.5, as ground truth is; a pair agrees on text when the texts are equal, on the box
when every corner is within ``BOX_TOLERANCE_PX``. A line without a partner counts against
both shares. These are figures, never a pass/fail gate: a device that disagrees with the
host must be visible in the report, not hidden by a crash.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from edgeocr.bench.dataset import Dataset
from edgeocr.data.labels import DetSample, RecSample
from edgeocr.errors import EdgeOCRError
from edgeocr.metrics.det import det_metrics, match
from edgeocr.metrics.e2e import e2e_metrics
from edgeocr.metrics.rec import normalize, rec_metrics
from edgeocr.models.modelset import ModelSet
from edgeocr.runner.contract import ContractError
from edgeocr.runner.payload import Payload

BOX_TOLERANCE_PX = 1.0
Entry = Mapping[str, Any]


def by_name(images: Sequence[Entry], names: Sequence[str], source: str) -> dict[str, Entry]:
    """Image entries by file name; every one of ``names`` must be there."""
    found = {entry["image"]: entry for entry in images}
    missing = [n for n in names if n not in found]
    if missing:
        raise ContractError(f"{source}: no result for {len(missing)} image(s): {', '.join(missing[:5])}")
    return found


def accuracy(dataset: Dataset, images: Sequence[Entry], drop_score: float, source: str) -> dict[str, Any] | None:
    """``{"headline": metric name, "metrics": {...}}`` against the labels; None without labels."""
    if dataset.kind is None:
        return None
    entries = by_name(images, list(dataset.files), source)
    pairs = [(sample, entries[name]["lines"]) for name, sample in dataset.samples.items()]
    if dataset.kind == "rec":
        return {"headline": "rec_acc", "metrics": _rec(pairs)}
    return {"headline": "e2e_hmean", "metrics": _det(pairs, drop_score)}


def _prefixed(prefix: str, metrics: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in metrics.items() if k != "ignore_space"}


def _rec(pairs: Sequence[tuple[RecSample, Sequence[Entry]]]) -> dict[str, Any]:
    preds = [lines[0]["text"] if lines else "" for _, lines in pairs]
    return _prefixed("rec", rec_metrics(preds, [sample.text for sample, _ in pairs]))


def _det(pairs: Sequence[tuple[DetSample, Sequence[Entry]]], drop_score: float) -> dict[str, Any]:
    det_images, e2e_images = [], []
    matched = read_right = 0
    for sample, lines in pairs:
        points = [r.points for r in sample.regions]
        dont_care = [r.dont_care for r in sample.regions]
        boxes = [line["box"] for line in lines]
        det_images.append((points, dont_care, boxes))
        e2e_images.append(([(r.points, r.text) for r in sample.regions],
                           [(line["box"], line["text"]) for line in lines if line["score"] >= drop_score]))
        found = match(points, dont_care, boxes).pairs
        matched += len(found)
        read_right += sum(normalize(sample.regions[i].text) == normalize(lines[j]["text"]) for i, j in found)
    return {
        **_prefixed("det", det_metrics(det_images)),
        **_prefixed("e2e", e2e_metrics(e2e_images)),
        "rec_acc_matched": read_right / matched if matched else 0.0,
        "rec_matched_lines": matched,
    }


def parity(host: Sequence[Entry], device: Sequence[Entry], source: str) -> dict[str, Any]:
    """Agreement of ``device`` image entries with the ``host`` reference ones (see the module doc)."""
    entries = by_name(device, [h["image"] for h in host], source)
    totals = dict.fromkeys(("host_lines", "device_lines", "paired", "same_text", "box_within_tolerance",
                            "identical_images"), 0)
    worst_box = worst_score = 0.0
    for reference in host:
        ours, theirs = reference["lines"], entries[reference["image"]]["lines"]
        pairs = match([line["box"] for line in ours], [False] * len(ours), [line["box"] for line in theirs]).pairs
        texts = boxes = 0
        for i, j in pairs:
            diff = float(np.abs(np.asarray(ours[i]["box"]) - np.asarray(theirs[j]["box"])).max())
            worst_box = max(worst_box, diff)
            worst_score = max(worst_score, abs(ours[i]["score"] - theirs[j]["score"]))
            texts += ours[i]["text"] == theirs[j]["text"]
            boxes += diff <= BOX_TOLERANCE_PX
        totals["host_lines"] += len(ours)
        totals["device_lines"] += len(theirs)
        totals["paired"] += len(pairs)
        totals["same_text"] += texts
        totals["box_within_tolerance"] += boxes
        totals["identical_images"] += len(ours) == len(theirs) == len(pairs) == texts == boxes
    lines = sum(max(len(h["lines"]), len(entries[h["image"]]["lines"])) for h in host)
    return {
        "images": len(host),
        **totals,
        "text_agreement": totals["same_text"] / lines if lines else 1.0,
        "box_agreement": totals["box_within_tolerance"] / lines if lines else 1.0,
        "box_tolerance_px": BOX_TOLERANCE_PX,
        "max_box_diff_px": worst_box,
        "max_score_diff": worst_score,
    }


class ReferenceUnavailable(EdgeOCRError):
    """The host reference run cannot be made (the message says why; parity is then skipped)."""


def host_reference(payload: Payload, dataset: Dataset, mode: str) -> dict[str, Any]:
    """Run ``dataset`` once on this host with Paddle Inference on the bundle's source models
    and the bundle's OCR settings and dictionary: the reference parity is measured against."""
    from edgeocr.runner.measure import make_system, measure
    from edgeocr.runner.python_runner import runtime_version

    if payload.bundle is None:
        raise ReferenceUnavailable("the run is itself Paddle Inference on the models (no bundle to compare)")
    sources = {task: Path(m["source"]["dir"]) for task, m in payload.manifest["models"].items()}
    missing = [f"{task}: {d}" for task, d in sources.items() if not d.is_dir()]
    if missing:
        raise ReferenceUnavailable(f"source models of bundle {payload.path} not on this host ({'; '.join(missing)})")
    models = ModelSet(det=sources["det"], rec=sources["rec"], cls=sources.get("cls"), dict_path=payload.dict_path,
                      name="bundle sources")
    config = payload.bundle.config
    images = measure(make_system("paddle", models, config, threads=os.cpu_count() or 1, mode=mode), dataset.files,
                     warmup=0, repeats=1, mode=mode)
    return {
        "backend": "paddle",
        "runtime_version": runtime_version("paddle"),
        "models": {task: str(d) for task, d in sources.items()},
        "mode": mode,
        "accuracy": accuracy(dataset, images, config.drop_score, "host reference"),
        "images": images,
    }
