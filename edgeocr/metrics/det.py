"""ICDAR 2015 style detection scores (the protocol of PaddleOCR's ``DetMetric``).

Per image: don't-care ground truth (``###``) is left out, and so is any prediction lying
more than half inside a don't-care region (text nobody labelled must not count as a false
positive). Remaining predictions and ground truth are paired one-to-one, greedily by
polygon IoU (highest first), where IoU >= 0.5. Counts are summed over the data set before
precision, recall and Hmean are taken, as ICDAR's script does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon

IOU_THRESHOLD = 0.5
DONT_CARE_OVERLAP = 0.5

PointsLike = Sequence[Sequence[float]] | np.ndarray


def to_polygon(points: PointsLike) -> shapely.Geometry:
    """A shapely polygon for ``points``; self-crossing ones (mis-ordered corners) are repaired."""
    poly = Polygon(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    return poly if poly.is_valid else shapely.make_valid(poly)


def iou(a: shapely.Geometry, b: shapely.Geometry) -> float:
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class Matching:
    """Outcome of pairing one image's predictions with its ground truth."""

    pairs: tuple[tuple[int, int], ...]  # (gt index, prediction index), IoU >= threshold
    gt_care: tuple[int, ...]  # gt indices that count (not don't-care)
    pred_care: tuple[int, ...]  # prediction indices that count (not inside a don't-care region)


def match(
    gt: Sequence[PointsLike],
    gt_dont_care: Sequence[bool],
    pred: Sequence[PointsLike],
    iou_threshold: float = IOU_THRESHOLD,
) -> Matching:
    """Pair predictions with ground truth of one image (see the module docstring)."""
    if len(gt) != len(gt_dont_care):
        raise ValueError("gt and gt_dont_care differ in length")
    gt_polys = [to_polygon(p) for p in gt]
    pred_polys = [to_polygon(p) for p in pred]
    ignored = [g for g, dc in zip(gt_polys, gt_dont_care) if dc]
    gt_care = tuple(i for i, dc in enumerate(gt_dont_care) if not dc)
    pred_care = tuple(j for j, p in enumerate(pred_polys) if not _mostly_inside_any(p, ignored))
    candidates = sorted(
        ((iou(gt_polys[i], pred_polys[j]), i, j) for i in gt_care for j in pred_care),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_gt: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for score, i, j in candidates:
        if score < iou_threshold:
            break
        if i not in used_gt and j not in used_pred:
            used_gt.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return Matching(pairs=tuple(sorted(pairs)), gt_care=gt_care, pred_care=pred_care)


def _mostly_inside_any(pred: shapely.Geometry, regions: list[shapely.Geometry]) -> bool:
    area = pred.area
    return area > 0 and any(pred.intersection(r).area / area > DONT_CARE_OVERLAP for r in regions)


@dataclass(frozen=True)
class Counts:
    """Summable totals: true positives, ground truth that counts, predictions that count."""

    hits: int = 0
    gt: int = 0
    pred: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.hits + other.hits, self.gt + other.gt, self.pred + other.pred)


def prf(counts: Counts) -> dict[str, float]:
    """Precision, recall and Hmean, with ICDAR's conventions for empty denominators:
    nothing to find gives recall 1; no predictions give precision 1 only if there was
    nothing to find."""
    recall = counts.hits / counts.gt if counts.gt else 1.0
    if counts.pred:
        precision = counts.hits / counts.pred
    else:
        precision = 0.0 if counts.gt else 1.0
    hmean = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "hmean": hmean}


def det_counts(gt: Sequence[PointsLike], gt_dont_care: Sequence[bool], pred: Sequence[PointsLike]) -> Counts:
    """One image's detection counts."""
    m = match(gt, gt_dont_care, pred)
    return Counts(hits=len(m.pairs), gt=len(m.gt_care), pred=len(m.pred_care))


def det_metrics(images: Iterable[tuple[Sequence[PointsLike], Sequence[bool], Sequence[PointsLike]]]) -> dict:
    """Data-set scores over ``(gt polygons, gt don't-care flags, predicted polygons)`` per image."""
    total = sum((det_counts(*image) for image in images), Counts())
    return {**prf(total), "matched": total.hits, "gt": total.gt, "pred": total.pred}
