"""Raw model outputs -> boxes, labels and strings, mirroring PaddleOCR's ``ppocr/postprocess``."""

from edgeocr.ocr.postprocess.cls import ClsPostProcess
from edgeocr.ocr.postprocess.ctc import CTCLabelDecode
from edgeocr.ocr.postprocess.db import DBPostProcess

__all__ = ["ClsPostProcess", "CTCLabelDecode", "DBPostProcess"]
