"""Text detection stage: image -> text boxes in reading order (PaddleOCR ``TextDetector``)."""

from __future__ import annotations

from time import perf_counter

import numpy as np

from edgeocr.ocr.backends.base import Backend
from edgeocr.config import OCRConfig
from edgeocr.ocr.geometry import filter_det_boxes, sorted_boxes
from edgeocr.ocr.postprocess import DBPostProcess
from edgeocr.ocr.preprocess import DetResizeForTest, normalize_det


class TextDetector:
    """DB detection on one backend, timing its three steps separately.

    Pre- and post-processing run on the host CPU whatever the backend, so their share of
    the time is what a faster runtime cannot win back.
    """

    def __init__(self, backend: Backend, config: OCRConfig) -> None:
        self.backend = backend
        self.resize = DetResizeForTest(config.det_limit_side_len, config.det_limit_type)
        self.postprocess = DBPostProcess(
            thresh=config.det_db_thresh,
            box_thresh=config.det_db_box_thresh,
            max_candidates=config.det_db_max_candidates,
            unclip_ratio=config.det_db_unclip_ratio,
            use_dilation=config.use_dilation,
            score_mode=config.det_db_score_mode,
        )

    def __call__(self, image: np.ndarray) -> tuple[list[np.ndarray], dict[str, float]]:
        """Sorted float32 ``[4, 2]`` boxes and ``det_pre``/``det_infer``/``det_post`` times (ms)."""
        t0 = perf_counter()
        resized, _ = self.resize(image)
        batch = normalize_det(resized)[np.newaxis]
        t1 = perf_counter()
        probs = self.backend.infer("det", batch)
        t2 = perf_counter()
        boxes, _ = self.postprocess(probs[0, 0], image.shape[:2])
        boxes = sorted_boxes(filter_det_boxes(boxes, image.shape))
        t3 = perf_counter()
        return boxes, {"det_pre": (t1 - t0) * 1e3, "det_infer": (t2 - t1) * 1e3, "det_post": (t3 - t2) * 1e3}
