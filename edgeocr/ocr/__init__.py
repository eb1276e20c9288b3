"""End-to-end OCR: det -> cls -> rec as PaddleOCR 2.x does it, over a pluggable backend."""

from edgeocr.config import OCRConfig
from edgeocr.ocr.image_io import read_image
from edgeocr.ocr.result import OCRLine, OCRResult
from edgeocr.ocr.system import TextSystem

__all__ = ["OCRConfig", "OCRLine", "OCRResult", "TextSystem", "read_image"]
