"""Pictures of an OCR result for people: the image with green boxes, and beside it a
white panel where each line's text is written in its box, the layout PaddleOCR's
``draw_ocr_box_txt`` uses so a misread is easy to pair with its box."""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from edgeocr.ocr.result import OCRResult

#: Fonts that cover Chinese, tried in order; without one, text is drawn by OpenCV (ASCII only).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
BOX_COLOR = (0, 200, 0)  # BGR green
PANEL_BOX_COLOR = (200, 200, 200)
TEXT_COLOR = (0, 0, 0)


def draw_ocr(image: np.ndarray, result: OCRResult) -> np.ndarray:
    """``image`` (BGR) with the result's boxes, side by side with the text panel."""
    thickness = max(1, round(max(image.shape[:2]) / 500))
    boxed = image.copy()
    panel = np.full_like(image, 255)
    for line in result.lines:
        polygon = [np.round(np.array(line.box)).astype(np.int32)]
        cv2.polylines(boxed, polygon, True, BOX_COLOR, thickness)
        cv2.polylines(panel, polygon, True, PANEL_BOX_COLOR, 1)
    font_path = cjk_font()
    panel = _write_texts_pil(panel, result, font_path) if font_path else _write_texts_cv2(panel, result)
    return np.hstack([boxed, panel])


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font, if any."""
    return next((f for f in CJK_FONTS if Path(f).is_file()), None)


def _box_size(box: list[list[float]]) -> tuple[float, float]:
    """Width and height of a 4-point box (top edge, left edge)."""
    pts = np.array(box, dtype=np.float32)
    return float(np.linalg.norm(pts[1] - pts[0])), float(np.linalg.norm(pts[3] - pts[0]))


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _write_texts_pil(panel: np.ndarray, result: OCRResult, font_path: str) -> np.ndarray:
    canvas = Image.fromarray(panel[:, :, ::-1])
    draw = ImageDraw.Draw(canvas)
    for line in result.lines:
        width, height = _box_size(line.box)
        size = max(8, int(height * 0.8))
        text_len = _font(font_path, size).getlength(line.text)
        if text_len > width > 0:  # shrink to fit the box width, even below legible
            size = max(1, int(size * width / text_len))
        x, y = line.box[0]
        draw.text((x, y), line.text, font=_font(font_path, size), fill=TEXT_COLOR[::-1])
    return np.ascontiguousarray(np.asarray(canvas)[:, :, ::-1])


def _write_texts_cv2(panel: np.ndarray, result: OCRResult) -> np.ndarray:
    for line in result.lines:
        width, height = _box_size(line.box)
        text = line.text.encode("ascii", "replace").decode("ascii")  # Hershey fonts are ASCII only
        scale = max(0.3, height / 40)
        text_w = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0]
        if text_w > width > 0:
            scale *= width / text_w
        x, y = line.box[3]  # cv2 anchors text at its baseline: the box's bottom-left
        cv2.putText(panel, text, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_COLOR, 1, cv2.LINE_AA)
    return panel
