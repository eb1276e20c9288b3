"""Recognition stage: line crops -> text (PaddleOCR ``TextRecognizer``, CRNN + CTC)."""

from __future__ import annotations

import numpy as np

from edgeocr.models.charset import Charset
from edgeocr.ocr.backends.base import Backend
from edgeocr.config import OCRConfig
from edgeocr.ocr.postprocess import CTCLabelDecode
from edgeocr.ocr.preprocess import line_batches


class TextRecognizer:
    """Recognises crops in batches of similar aspect ratio; results come back in input order."""

    def __init__(self, backend: Backend, charset: Charset, config: OCRConfig) -> None:
        self.backend = backend
        self.charset = charset
        self.config = config
        self.decode = CTCLabelDecode(charset)

    def batch_width(self, crops: list[np.ndarray]) -> int:
        """Input width of a batch: the widest crop's aspect ratio at the model height, but
        never less than ``rec_image_shape``'s width, so long lines are padded, not squashed."""
        _, height, width = self.config.rec_image_shape
        max_ratio = max([width / height] + [c.shape[1] / float(c.shape[0]) for c in crops])
        return int(height * max_ratio)

    def check_charset(self) -> None:
        """Fail early, naming the dictionary, if it does not fit the model's output classes."""
        _, height, width = self.config.rec_image_shape
        probs = self.backend.infer("rec", np.zeros((1, 3, height, width), dtype=np.float32))
        self.charset.check_matches(probs.shape[-1], f"the rec model in {self.backend.models.location('rec')}")

    def __call__(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        _, height, _ = self.config.rec_image_shape
        for indices, batch in line_batches(crops, self.config.rec_batch_num, height, self.batch_width):
            for i, result in zip(indices, self.decode(self.backend.infer("rec", batch))):
                results[i] = result
        return results
