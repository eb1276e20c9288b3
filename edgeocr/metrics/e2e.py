"""End-to-end scores: a text line is found only if it is both located and read right.

Predicted boxes are paired with ground truth exactly as in detection (IoU >= 0.5,
one-to-one, don't-care handling included); a pair is a hit when the predicted text equals
the label (spaces ignored by default, as in rec scoring). Precision, recall and Hmean are
then taken over hits, care ground truth and care predictions summed over the data set.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from edgeocr.data.labels import DONT_CARE
from edgeocr.metrics.det import Counts, PointsLike, match, prf
from edgeocr.metrics.rec import normalize


def e2e_counts(
    gt: Sequence[tuple[PointsLike, str]],
    pred: Sequence[tuple[PointsLike, str]],
    ignore_space: bool = True,
) -> Counts:
    """One image's counts over ``(polygon, text)`` ground truth (``###`` = don't care) and predictions."""
    m = match([g for g, _ in gt], [t in DONT_CARE for _, t in gt], [p for p, _ in pred])
    hits = sum(normalize(gt[i][1], ignore_space) == normalize(pred[j][1], ignore_space) for i, j in m.pairs)
    return Counts(hits=hits, gt=len(m.gt_care), pred=len(m.pred_care))


def e2e_metrics(
    images: Iterable[tuple[Sequence[tuple[PointsLike, str]], Sequence[tuple[PointsLike, str]]]],
    ignore_space: bool = True,
) -> dict:
    """Data-set scores over ``(ground truth, predictions)`` per image."""
    total = sum((e2e_counts(gt, pred, ignore_space) for gt, pred in images), Counts())
    return {**prf(total), "correct": total.hits, "gt": total.gt, "pred": total.pred, "ignore_space": ignore_space}
