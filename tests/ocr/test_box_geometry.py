"""Box tidying, reading order and crops between detection and recognition."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edgeocr.ocr.geometry import filter_det_boxes, get_rotate_crop_image, order_points_clockwise, sorted_boxes


def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def test_order_points_clockwise_from_any_order() -> None:
    shuffled = np.array([[90, 30], [10, 12], [10, 30], [90, 10]], dtype=np.int16)
    ordered = order_points_clockwise(shuffled)
    assert ordered.dtype == np.float32
    np.testing.assert_array_equal(ordered, [[10, 12], [90, 10], [90, 30], [10, 30]])


def test_filter_clips_into_the_image_and_drops_slivers() -> None:
    boxes = np.array([
        [[-5, -3], [120, -3], [120, 20], [-5, 20]],  # sticks out of a 100x50 image
        [[10, 30], [13, 30], [13, 45], [10, 45]],  # 3 px wide: dropped
        [[20, 30], [60, 30], [60, 33], [20, 33]],  # 3 px tall: dropped
        [[20, 30], [60, 30], [60, 34], [20, 34]],  # 4 px tall: kept
    ], dtype=np.int16)
    kept = filter_det_boxes(boxes, (50, 100, 3))
    assert len(kept) == 2
    np.testing.assert_array_equal(kept[0], [[0, 0], [99, 0], [99, 20], [0, 20]])
    np.testing.assert_array_equal(kept[1], rect(20, 30, 60, 34))


def test_sorted_boxes_reads_top_to_bottom_then_left_to_right() -> None:
    right_low = rect(200, 8, 300, 30)  # 8 px below its neighbour's top: same line
    left = rect(10, 0, 100, 30)
    second_line = rect(10, 50, 100, 80)
    ordered = sorted_boxes([second_line, right_low, left])
    assert [b[0].tolist() for b in ordered] == [[10, 0], [200, 8], [10, 50]]


def test_sorted_boxes_keeps_boxes_10px_apart_on_separate_lines() -> None:
    upper_right, lower_left = rect(200, 0, 300, 30), rect(10, 10, 100, 40)
    ordered = sorted_boxes([lower_left, upper_right])
    assert [b[0].tolist() for b in ordered] == [[200, 0], [10, 10]]


def test_crop_cuts_out_the_box_region() -> None:
    image = np.zeros((100, 200, 3), np.uint8)
    image[20:40, 50:150] = (0, 0, 255)
    crop = get_rotate_crop_image(image, rect(50, 20, 150, 40))
    assert crop.shape == (20, 100, 3)
    assert (crop[2:-2, 2:-2] == (0, 0, 255)).all()


def test_crop_of_a_tilted_box_is_upright() -> None:
    image = np.full((200, 200, 3), 255, np.uint8)
    corners = cv2.boxPoints(((100, 100), (120, 30), 30.0))
    cv2.fillPoly(image, [np.round(corners).astype(np.int32)], (0, 0, 0))
    crop = get_rotate_crop_image(image, order_points_clockwise(corners))
    assert crop.shape[:2] == pytest.approx((30, 120), abs=1)
    assert crop[3:-3, 3:-3].mean() < 10  # all text ink, no background


@pytest.mark.parametrize("width, height, rotated", [(30, 45, True), (30, 44, False), (100, 20, False)])
def test_tall_crops_are_turned_90_degrees(width: int, height: int, rotated: bool) -> None:
    image = np.zeros((100, 200, 3), np.uint8)
    image[10, 10] = 255  # marks the box's top-left pixel
    crop = get_rotate_crop_image(image, rect(10, 10, 10 + width, 10 + height))
    assert crop.shape[:2] == ((width, height) if rotated else (height, width))
    if rotated:  # counter-clockwise: the top-left corner ends up bottom-left
        assert crop[-1, 0].max() > 0 and crop[0, 0].max() == 0
        assert crop.flags["C_CONTIGUOUS"]
