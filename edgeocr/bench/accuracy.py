"""How right a device run is: accuracy against the labels, and parity with the host.

Accuracy uses ``edgeocr.metrics`` as ``edgeocr eval`` does. With det labels: detection
P/R/Hmean over every detected box (runners report lines below ``drop_score`` too, because
detection is scored on the detector's boxes), end-to-end P/R/Hmean over the lines scoring at
least ``drop_score``, and ``rec_acc_matched``: of the labelled lines a box found (IoU >=
0.5), the share read right — recognition quality on what was detected. With rec labels:
line accuracy and normalised edit distance. Spaces are ignored, as PaddleOCR's metrics do.

Parity with the host reference run of the same images (Paddle Inference on the bundle's
source models, same settings) is ``edgeocr.verify.parity``; in a benchmark it is a figure,
never a pass/fail gate (``edgeocr verify`` is the gate): a device that disagrees with the
host must be visible in the report, not hidden by a crash.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence


from edgeocr.bench.dataset import Dataset
from edgeocr.data.labels import DetSample, RecSample
from edgeocr.metrics.det import det_metrics, match
from edgeocr.metrics.e2e import e2e_metrics
from edgeocr.metrics.rec import normalize, rec_metrics
from edgeocr.runner.payload import Payload
from edgeocr.verify.parity import by_name
from edgeocr.verify.reference import ReferenceUnavailable
from edgeocr.verify.reference import host_reference as verify_reference

Entry = Mapping[str, Any]


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


def host_reference(payload: Payload, dataset: Dataset, mode: str) -> dict[str, Any]:
    """The host reference run of ``dataset`` (``edgeocr.verify.reference``) with its accuracy."""
    if payload.bundle is None:
        raise ReferenceUnavailable("the run is itself Paddle Inference on the models (no bundle to compare)")
    reference = verify_reference(payload.bundle, dataset.files, mode)
    return {**reference, "accuracy": accuracy(dataset, reference["images"], payload.bundle.config.drop_score,
                                              "host reference")}
