"""The end-to-end OCR system: detect -> crop -> classify direction -> recognise -> filter
(PaddleOCR 2.x ``tools/infer/predict_system.py``), over any ``Backend``."""

from __future__ import annotations

from time import perf_counter

import cv2
import numpy as np

from edgeocr.errors import InputError, ModelError
from edgeocr.models.charset import Charset
from edgeocr.ocr.backends.base import Backend
from edgeocr.ocr.classifier import TextClassifier
from edgeocr.config import OCRConfig
from edgeocr.ocr.detector import TextDetector
from edgeocr.ocr.geometry import get_rotate_crop_image
from edgeocr.ocr.preprocess import DET_STRIDE
from edgeocr.ocr.recognizer import TextRecognizer
from edgeocr.ocr.result import OCRLine, OCRResult


class TextSystem:
    """PP-OCR on one backend. The classifier runs only if the models include one and
    ``classify`` is left on (``det_rec`` runs leave it off, and never load it).

    Construction runs every model once on a blank input, so loading never lands in a
    timed stage, a broken model fails before any image is read, and the dictionary is
    checked against the recognizer's output classes.
    """

    def __init__(self, backend: Backend, charset: Charset, config: OCRConfig | None = None,
                 classify: bool = True) -> None:
        self.backend = backend
        self.config = config or OCRConfig()
        self.detector = TextDetector(backend, self.config)
        self.classifier = TextClassifier(backend, self.config) if classify and backend.has("cls") else None
        self.recognizer = TextRecognizer(backend, charset, self.config)
        self._load_models()

    def _load_models(self) -> None:
        self.backend.infer("det", np.zeros((1, 3, DET_STRIDE, DET_STRIDE), dtype=np.float32))
        if self.classifier is not None:
            self.backend.infer("cls", np.zeros((1, *self.config.cls_image_shape), dtype=np.float32))
        self.recognizer.check_charset()

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text boxes (float32 ``[4, 2]``, clockwise from top-left) in reading order."""
        boxes, _ = self.detector(_as_bgr(image))
        return boxes

    def classify(self, crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[tuple[str, float]]]:
        """Crops with upside-down ones turned, and each crop's ``(label, score)``."""
        if self.classifier is None:
            raise ModelError(f"no cls model in {self.backend.models.name!r}")
        return self.classifier(crops)

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """``(text, score)`` per crop, in input order."""
        return self.recognizer(crops)

    def __call__(self, image: np.ndarray) -> OCRResult:
        """OCR ``image`` (BGR): lines scoring at least ``drop_score``, in reading order."""
        start = perf_counter()
        image = _as_bgr(image)
        boxes, timings = self.detector(image)
        t = perf_counter()
        crops = [get_rotate_crop_image(image, box) for box in boxes]
        timings["det_post"] += (perf_counter() - t) * 1e3  # cutting out the crops ends detection

        t = perf_counter()
        if self.classifier is not None and crops:
            crops, _ = self.classifier(crops)
        timings["cls"] = (perf_counter() - t) * 1e3

        t = perf_counter()
        texts = self.recognizer(crops) if crops else []
        timings["rec"] = (perf_counter() - t) * 1e3

        lines = [
            OCRLine.from_box(box, text, score)
            for box, (text, score) in zip(boxes, texts)
            if score >= self.config.drop_score
        ]
        timings["total"] = (perf_counter() - start) * 1e3
        return OCRResult(lines=lines, timings_ms=timings)


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """Accept grey and BGRA images as well as BGR; refuse anything else with a clear error."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise InputError(f"expected a uint8 image array, got {getattr(image, 'dtype', type(image).__name__)}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise InputError(f"expected an HxWx3 BGR image, got shape {image.shape}")
    return image
