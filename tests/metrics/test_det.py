"""ICDAR 2015 detection scores on hand-computed cases."""

from __future__ import annotations

import pytest

from edgeocr.metrics.det import Counts, det_counts, det_metrics, iou, match, prf, to_polygon


def box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_iou_by_hand() -> None:
    # 10x10 squares shifted by 5: intersection 50, union 150
    assert iou(to_polygon(box(0, 0, 10, 10)), to_polygon(box(5, 0, 15, 10))) == pytest.approx(1 / 3)
    assert iou(to_polygon(box(0, 0, 10, 10)), to_polygon(box(20, 20, 30, 30))) == 0.0


def test_self_crossing_polygon_is_repaired_not_dropped() -> None:
    bow_tie = [[0, 0], [10, 10], [10, 0], [0, 10]]  # corners out of order
    assert to_polygon(bow_tie).area == pytest.approx(50)


def test_perfect_and_missed() -> None:
    gt = [box(0, 0, 100, 20), box(0, 50, 100, 70)]
    assert det_counts(gt, [False, False], [box(1, 1, 99, 19)]) == Counts(hits=1, gt=2, pred=1)


def test_iou_threshold_is_inclusive_at_half() -> None:
    # prediction covering exactly half the gt: IoU = 50 / 100 = 0.5
    assert det_counts([box(0, 0, 10, 10)], [False], [box(0, 0, 5, 10)]).hits == 1
    assert det_counts([box(0, 0, 10, 10)], [False], [box(0, 0, 4.9, 10)]).hits == 0


def test_one_to_one_greedy_by_iou() -> None:
    gt = [box(0, 0, 10, 10), box(8, 0, 18, 10)]
    # pred 0 overlaps gt 0 (IoU 0.9) and gt 1 (IoU ~0.12); pred 1 matches gt 1 best
    pred = [box(0, 0, 9, 10), box(8, 0, 17, 10), box(0, 0, 10, 10)]
    m = match(gt, [False, False], pred)
    assert m.pairs == ((0, 2), (1, 1))  # the duplicate (pred 0) stays unmatched: a false positive
    assert det_counts(gt, [False, False], pred) == Counts(hits=2, gt=2, pred=3)


def test_dont_care_gt_and_predictions_inside_it() -> None:
    gt = [box(0, 0, 100, 20), box(0, 50, 100, 70)]
    dont_care = [False, True]
    pred = [
        box(0, 0, 100, 20),  # matches the care region
        box(0, 50, 60, 70),  # fully inside the don't-care region: ignored
        box(0, 60, 100, 90),  # 1/3 of its area inside the don't-care region: a false positive
    ]
    m = match(gt, dont_care, pred)
    assert m.gt_care == (0,) and m.pred_care == (0, 2)
    assert det_counts(gt, dont_care, pred) == Counts(hits=1, gt=1, pred=2)


def test_all_dont_care() -> None:
    counts = det_counts([box(0, 0, 10, 10)], [True], [box(0, 0, 10, 10)])
    assert counts == Counts(hits=0, gt=0, pred=0)
    assert prf(counts) == {"precision": 1.0, "recall": 1.0, "hmean": 1.0}


@pytest.mark.parametrize(
    "counts,expected",
    [
        (Counts(hits=0, gt=3, pred=0), (0.0, 0.0, 0.0)),  # no predictions
        (Counts(hits=0, gt=0, pred=2), (0.0, 1.0, 0.0)),  # no ground truth
        (Counts(hits=0, gt=0, pred=0), (1.0, 1.0, 1.0)),  # nothing at all
        (Counts(hits=3, gt=4, pred=6), (0.5, 0.75, 0.6)),  # 2PR/(P+R) = 0.75/1.25
    ],
)
def test_prf_edge_cases(counts: Counts, expected: tuple[float, float, float]) -> None:
    got = prf(counts)
    assert (got["precision"], got["recall"], got["hmean"]) == pytest.approx(expected)


def test_counts_are_summed_over_images_before_ratios() -> None:
    images = [
        ([box(0, 0, 10, 10)], [False], [box(0, 0, 10, 10)]),  # 1/1
        ([box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)], [False] * 3, []),  # 0/3
        ([], [], [box(0, 0, 10, 10)]),  # a false positive on an image without text
    ]
    result = det_metrics(images)
    assert (result["matched"], result["gt"], result["pred"]) == (1, 4, 2)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(0.25)
    assert result["hmean"] == pytest.approx(1 / 3)


def test_accepts_numpy_boxes_and_long_polygons() -> None:
    import numpy as np

    gt = [[[0, 0], [5, -1], [10, 0], [10, 10], [5, 11], [0, 10]]]
    assert det_counts(gt, [False], [np.array(box(0, 0, 10, 10), np.float32)]).hits == 1
