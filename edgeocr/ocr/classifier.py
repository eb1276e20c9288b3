"""Direction classification stage: turn upside-down crops right way up (PaddleOCR ``TextClassifier``)."""

from __future__ import annotations

import cv2
import numpy as np

from edgeocr.ocr.backends.base import Backend
from edgeocr.config import OCRConfig
from edgeocr.ocr.postprocess import ClsPostProcess
from edgeocr.ocr.preprocess import line_batches


class TextClassifier:
    """Classifies crops as 0 or 180 degrees; confident 180s are rotated."""

    def __init__(self, backend: Backend, config: OCRConfig) -> None:
        self.backend = backend
        self.config = config
        self.postprocess = ClsPostProcess()

    def __call__(self, crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[tuple[str, float]]]:
        """The crops (180-degree ones rotated) and each crop's ``(label, score)``, in input order."""
        crops = list(crops)
        labels: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        _, height, width = self.config.cls_image_shape
        for indices, batch in line_batches(crops, self.config.cls_batch_num, height, lambda _: width):
            for i, (label, score) in zip(indices, self.postprocess(self.backend.infer("cls", batch))):
                labels[i] = (label, score)
                if label == "180" and score > self.config.cls_thresh:
                    crops[i] = cv2.rotate(crops[i], cv2.ROTATE_180)
        return crops, labels
