"""Box geometry between detection and recognition (PaddleOCR ``predict_det`` / ``predict_system``):
tidying detected boxes, putting them in reading order, and cutting them out upright."""

from __future__ import annotations

import cv2
import numpy as np

VERTICAL_RATIO = 1.5  # a crop this much taller than wide is vertical text: turn it to read left-to-right
SAME_LINE_PX = 10  # boxes whose tops differ by less than this are on one line


def order_points_clockwise(points: np.ndarray) -> np.ndarray:
    """``[4, 2]`` points as float32 top-left, top-right, bottom-right, bottom-left.

    The two left-most points are the left edge (upper one first), the others the right
    edge: the imutils rule that PaddleOCR 2.x uses.
    """
    by_x = points[np.argsort(points[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = left[np.argsort(left[:, 1], kind="stable")]
    top_right, bottom_right = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)


def filter_det_boxes(boxes: np.ndarray, image_shape: tuple[int, ...]) -> list[np.ndarray]:
    """Order each box clockwise, clip it into the image (whole pixels), and drop those
    whose top or left edge is 3 px or shorter (PaddleOCR ``filter_tag_det_res``)."""
    height, width = image_shape[:2]
    kept = []
    for box in boxes:
        box = order_points_clockwise(box)
        box[:, 0] = np.clip(box[:, 0], 0, width - 1).astype(np.int32)
        box[:, 1] = np.clip(box[:, 1], 0, height - 1).astype(np.int32)
        if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
            continue
        kept.append(box)
    return kept


def sorted_boxes(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """Reading order: by top-left corner (y, then x), then one pass swapping neighbours
    whose tops are within ``SAME_LINE_PX`` but stand right-to-left.

    This is PaddleOCR 2.x's single pass, kept as is so line order matches it; it orders
    two boxes per line reliably, more only when y-then-x sorting nearly got them right.
    """
    ordered = sorted(boxes, key=lambda b: (b[0][1], b[0][0]))
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        if abs(b[0][1] - a[0][1]) < SAME_LINE_PX and b[0][0] < a[0][0]:
            ordered[i], ordered[i + 1] = b, a
    return ordered


def get_rotate_crop_image(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Warp quadrilateral ``points`` (clockwise from top-left) to an upright rectangle.

    Crops at least ``VERTICAL_RATIO`` times taller than wide are rotated 90 degrees
    counter-clockwise, since the recognizer reads horizontal lines only.
    """
    points = points.astype(np.float32)
    crop_w = int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3])))
    crop_h = int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2])))
    target = np.float32([[0, 0], [crop_w, 0], [crop_w, crop_h], [0, crop_h]])
    matrix = cv2.getPerspectiveTransform(points, target)
    crop = cv2.warpPerspective(
        image, matrix, (crop_w, crop_h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if crop.shape[0] / crop.shape[1] >= VERTICAL_RATIO:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop
