"""Model inputs, built exactly as PaddleOCR 2.x builds them (``ppocr/data/imaug`` and the
``resize_norm_img`` methods of ``tools/infer/predict_cls.py`` / ``predict_rec.py``).

Small differences here (rounding of a resize target, the order of the channels) move
boxes and change characters, so each step mirrors its PaddleOCR counterpart.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sequence

import cv2
import numpy as np

# ImageNet statistics, applied by PaddleOCR to the BGR image as read (not to RGB).
DET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
DET_STRIDE = 32  # DB's backbone downsamples by 32: input sides must be multiples of it


class DetResizeForTest:
    """Scale so the long side is at most ``limit_side_len`` (``max``) or the short side at
    least ``limit_side_len`` (``min``), then round both sides to multiples of 32."""

    def __init__(self, limit_side_len: int = 960, limit_type: str = "max") -> None:
        self.limit_side_len = limit_side_len
        self.limit_type = limit_type

    def target_size(self, height: int, width: int) -> tuple[int, int]:
        """``(resize_h, resize_w)`` for an image of ``height`` x ``width``."""
        if self.limit_type == "max":
            long_side = max(height, width)
            ratio = self.limit_side_len / long_side if long_side > self.limit_side_len else 1.0
        else:
            short_side = min(height, width)
            ratio = self.limit_side_len / short_side if short_side < self.limit_side_len else 1.0
        # truncate first, then round to the stride: PaddleOCR's order of operations
        resize_h = max(int(round(int(height * ratio) / DET_STRIDE) * DET_STRIDE), DET_STRIDE)
        resize_w = max(int(round(int(width * ratio) / DET_STRIDE) * DET_STRIDE), DET_STRIDE)
        return resize_h, resize_w

    def __call__(self, image: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
        """Resized image and ``(ratio_h, ratio_w)`` = resized / original size."""
        height, width = image.shape[:2]
        resize_h, resize_w = self.target_size(height, width)
        resized = cv2.resize(image, (resize_w, resize_h))
        return resized, (resize_h / height, resize_w / width)


def normalize_det(image: np.ndarray) -> np.ndarray:
    """``NormalizeImage`` + ``ToCHWImage``: HxWx3 uint8 -> 3xHxW float32."""
    normalized = (image.astype(np.float32) * (1.0 / 255.0) - DET_MEAN) / DET_STD
    return np.ascontiguousarray(normalized.transpose(2, 0, 1))


def resize_norm_line(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    """A text-line crop as a 3 x ``height`` x ``width`` input for cls or rec.

    The crop is scaled to ``height`` keeping its aspect ratio (never wider than
    ``width``), mapped to [-1, 1], and zero-padded on the right.
    """
    h, w = crop.shape[:2]
    ratio = w / float(h)  # kept as a separate factor: ceil() of the product must match PaddleOCR's
    resized_w = min(width, int(math.ceil(height * ratio)))
    resized = cv2.resize(crop, (resized_w, height)).astype(np.float32)
    resized = resized.transpose(2, 0, 1) / 255.0
    resized = (resized - 0.5) / 0.5
    padded = np.zeros((3, height, width), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded


def line_batches(
    crops: Sequence[np.ndarray],
    batch_size: int,
    height: int,
    width_for: Callable[[list[np.ndarray]], int],
) -> Iterator[tuple[list[int], np.ndarray]]:
    """``(indices, NCHW batch)`` pairs covering ``crops`` in order of width/height ratio.

    Grouping similar shapes keeps per-batch padding small, as PaddleOCR does for cls and
    rec; ``width_for`` picks each batch's input width from its crops. A stable sort makes
    ties (common for equal-size crops) deterministic.
    """
    ratios = np.array([c.shape[1] / float(c.shape[0]) for c in crops])
    order = np.argsort(ratios, kind="stable").tolist()
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        members = [crops[i] for i in indices]
        width = width_for(members)
        yield indices, np.stack([resize_norm_line(c, height, width) for c in members])
