"""DB (Differentiable Binarization) boxes from the shrink-map probabilities.

PaddleOCR's ``DBPostProcess``: binarise the map, take each contour's minimum-area
rectangle, score it on the probability map, expand it back to the full text extent
(the model predicts *shrunk* text regions) and rescale it to the original image.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyclipper
from shapely.geometry import Polygon


class DBPostProcess:
    """Boxes (4 points, clockwise from top-left) and scores from one ``[H, W]`` map."""

    min_size = 3  # shortest side, in map pixels, of a rectangle worth keeping

    def __init__(
        self,
        thresh: float = 0.3,
        box_thresh: float = 0.6,
        max_candidates: int = 1000,
        unclip_ratio: float = 1.5,
        use_dilation: bool = False,
        score_mode: str = "fast",
    ) -> None:
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.max_candidates = max_candidates
        self.unclip_ratio = unclip_ratio
        self.dilation_kernel = np.ones((2, 2), dtype=np.uint8) if use_dilation else None
        self.score_mode = score_mode

    def __call__(self, prob_map: np.ndarray, src_size: tuple[int, int]) -> tuple[np.ndarray, list[float]]:
        """Boxes as int16 ``[K, 4, 2]`` in the ``(height, width)`` = ``src_size`` image, and their scores."""
        bitmap = (prob_map > self.thresh).astype(np.uint8)
        if self.dilation_kernel is not None:
            bitmap = cv2.dilate(bitmap, self.dilation_kernel)
        return self.boxes_from_bitmap(prob_map, bitmap, src_size)

    def boxes_from_bitmap(
        self, prob_map: np.ndarray, bitmap: np.ndarray, src_size: tuple[int, int]
    ) -> tuple[np.ndarray, list[float]]:
        height, width = bitmap.shape
        dest_height, dest_width = src_size
        contours, _ = cv2.findContours(bitmap * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        boxes, scores = [], []
        for contour in contours[: self.max_candidates]:
            points, short_side = get_mini_boxes(contour)
            if short_side < self.min_size:
                continue
            if self.score_mode == "fast":
                score = box_score_fast(prob_map, points)
            else:
                score = box_score_slow(prob_map, contour.reshape(-1, 2))
            if score < self.box_thresh:
                continue
            expanded = unclip(points, self.unclip_ratio)
            if len(expanded) != 1:  # the offset split or vanished: no single text region
                continue
            box, short_side = get_mini_boxes(np.asarray(expanded[0]).reshape(-1, 1, 2))
            if short_side < self.min_size + 2:
                continue
            box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_width), 0, dest_width)
            box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_height), 0, dest_height)
            boxes.append(box.astype(np.int16))
            scores.append(float(score))
        return np.array(boxes, dtype=np.int16).reshape(-1, 4, 2), scores


def get_mini_boxes(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimum-area rectangle of ``contour`` as float32 ``[4, 2]`` (top-left, top-right,
    bottom-right, bottom-left) and its shorter side length."""
    rect = cv2.minAreaRect(contour)
    points = sorted(cv2.boxPoints(rect).tolist(), key=lambda p: p[0])
    # of the two left-most points the upper one is top-left; likewise on the right
    top_left, bottom_left = (points[0], points[1]) if points[1][1] > points[0][1] else (points[1], points[0])
    top_right, bottom_right = (points[2], points[3]) if points[3][1] > points[2][1] else (points[3], points[2])
    box = np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)
    return box, float(min(rect[1]))


def box_score_fast(prob_map: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside polygon ``box`` (``[N, 2]``, map coordinates)."""
    h, w = prob_map.shape[:2]
    xmin = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    xmax = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    ymin = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    ymax = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    shifted = box - np.array([xmin, ymin], dtype=box.dtype)
    cv2.fillPoly(mask, shifted.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(prob_map[ymin:ymax + 1, xmin:xmax + 1], mask)[0]


def box_score_slow(prob_map: np.ndarray, contour: np.ndarray) -> float:
    """Mean probability inside the contour itself (slower, tighter for curved text)."""
    return box_score_fast(prob_map, contour.astype(np.float32))


def unclip(box: np.ndarray, unclip_ratio: float) -> list[list[list[int]]]:
    """Grow polygon ``box`` by ``area * unclip_ratio / perimeter`` (the inverse of DB's shrink)."""
    poly = Polygon(box)
    distance = poly.area * unclip_ratio / poly.length
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box.tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return offset.Execute(distance)
