"""DB post-processing on synthetic probability maps whose text regions are known."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edgeocr.ocr.postprocess import DBPostProcess
from edgeocr.ocr.postprocess.db import get_mini_boxes, unclip


def prob_map(shape: tuple[int, int], rects: list[tuple[int, int, int, int]], value: float = 0.9) -> np.ndarray:
    """A map that is ``value`` inside each ``(x0, y0, x1, y1)`` rectangle (inclusive) and 0 elsewhere."""
    m = np.zeros(shape, dtype=np.float32)
    for x0, y0, x1, y1 in rects:
        m[y0:y1 + 1, x0:x1 + 1] = value
    return m


def expected_box(x0: int, y0: int, x1: int, y1: int, ratio: float = 1.5) -> np.ndarray:
    """The rectangle grown by DB's unclip distance (area * ratio / perimeter)."""
    w, h = x1 - x0, y1 - y0
    d = w * h * ratio / (2 * (w + h))
    return np.array([[x0 - d, y0 - d], [x1 + d, y0 - d], [x1 + d, y1 + d], [x0 - d, y1 + d]])


def test_rectangles_become_expanded_boxes() -> None:
    rects = [(20, 20, 119, 39), (30, 70, 89, 89)]
    boxes, scores = DBPostProcess()(prob_map((120, 200), rects), (120, 200))
    assert boxes.shape == (2, 4, 2) and boxes.dtype == np.int16
    found = sorted(boxes.tolist(), key=lambda b: b[0][1])
    for box, rect in zip(found, rects):
        np.testing.assert_allclose(box, expected_box(*rect), atol=1.5)
    assert scores == pytest.approx([0.9, 0.9], abs=0.02)


def test_boxes_are_rescaled_to_the_source_image() -> None:
    m = prob_map((100, 200), [(20, 10, 119, 29)])
    small, _ = DBPostProcess()(m, (100, 200))
    big, _ = DBPostProcess()(m, (300, 400))  # image 3x taller and 2x wider than the map
    np.testing.assert_allclose(big[0], small[0] * [2, 3], atol=3)


def test_boxes_are_clipped_to_the_image() -> None:
    boxes, _ = DBPostProcess()(prob_map((64, 64), [(0, 0, 40, 15)]), (64, 64))
    assert boxes.min() >= 0 and boxes.max() <= 64


def test_weak_tiny_and_empty_regions_give_no_box() -> None:
    post = DBPostProcess()
    weak = prob_map((100, 200), [(20, 10, 119, 29)], value=0.5)  # above thresh 0.3, below box_thresh 0.6
    tiny = prob_map((100, 200), [(50, 50, 51, 51)])  # 2x2 blob: shorter side < min_size
    for m in (weak, tiny, np.zeros((100, 200), np.float32)):
        boxes, scores = post(m, (100, 200))
        assert boxes.shape == (0, 4, 2) and scores == []


def test_box_thresh_is_inclusive_and_configurable() -> None:
    m = prob_map((100, 200), [(20, 10, 119, 29)], value=0.5)
    boxes, _ = DBPostProcess(box_thresh=0.5)(m, (100, 200))
    assert len(boxes) == 1


def test_max_candidates_limits_the_contours_considered() -> None:
    m = prob_map((100, 300), [(10 + 60 * i, 20, 50 + 60 * i, 40) for i in range(4)])
    assert len(DBPostProcess()(m, (100, 300))[0]) == 4
    assert len(DBPostProcess(max_candidates=2)(m, (100, 300))[0]) == 2


def test_rotated_region_gives_a_rotated_box_starting_top_left() -> None:
    m = np.zeros((200, 200), np.float32)
    corners = cv2.boxPoints(((100, 100), (120, 24), 20.0))
    cv2.fillPoly(m, [np.round(corners).astype(np.int32)], 0.95)
    boxes, _ = DBPostProcess()(m, (200, 200))
    (box,) = boxes.astype(np.float32)
    top_edge = box[1] - box[0]
    assert np.degrees(np.arctan2(top_edge[1], top_edge[0])) == pytest.approx(20, abs=2)
    assert box[0][0] < box[1][0] and box[0][1] < box[3][1]  # top-left, top-right, ..., bottom-left


def test_slow_score_mode_and_dilation_also_find_the_box() -> None:
    m = prob_map((100, 200), [(20, 10, 119, 29)])
    for post in (DBPostProcess(score_mode="slow"), DBPostProcess(use_dilation=True)):
        assert len(post(m, (100, 200))[0]) == 1


def test_get_mini_boxes_orders_corners_and_reports_short_side() -> None:
    contour = np.array([[[50, 10]], [[90, 10]], [[90, 30]], [[50, 30]]], dtype=np.int32)
    box, short_side = get_mini_boxes(contour)
    np.testing.assert_allclose(box, [[50, 10], [90, 10], [90, 30], [50, 30]])
    assert short_side == pytest.approx(20)


def test_unclip_grows_by_area_over_perimeter() -> None:
    box = np.array([[0, 0], [100, 0], [100, 20], [0, 20]], dtype=np.float32)
    (polygon,) = unclip(box, 1.5)
    xs, ys = np.array(polygon).T
    d = 100 * 20 * 1.5 / 240
    assert xs.min() == pytest.approx(-d, abs=1) and ys.max() == pytest.approx(20 + d, abs=1)
