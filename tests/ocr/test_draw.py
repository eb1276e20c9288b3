"""Result pictures: boxes on the image, text in a panel beside it, with or without a CJK font."""

from __future__ import annotations

import numpy as np
import pytest

from edgeocr.ocr import draw
from edgeocr.ocr.result import OCRLine, OCRResult

RESULT = OCRResult(lines=[
    OCRLine(box=[[10, 10], [150, 10], [150, 40], [10, 40]], text="Hello 雨果", score=0.99),
    OCRLine(box=[[10, 60], [90, 60], [90, 80], [10, 80]], text="a much longer line than its box", score=0.9),
])


@pytest.mark.parametrize("font", [draw.cjk_font(), None])
def test_drawing_has_boxes_and_a_text_panel(monkeypatch: pytest.MonkeyPatch, font: str | None) -> None:
    monkeypatch.setattr(draw, "cjk_font", lambda: font)
    image = np.full((100, 200, 3), 230, np.uint8)
    out = draw.draw_ocr(image, RESULT)
    assert out.shape == (100, 400, 3)
    left, panel = out[:, :200], out[:, 200:]
    assert (left[10, 10:150] == draw.BOX_COLOR).all()  # top edge of the first box
    assert (panel[15:40, 12:148] < 100).any() and (panel[62:80, 12:88] < 100).any()  # text in both boxes
    assert (panel[:, 160:] == 255).all()  # text is kept inside its box's width
    assert (image == 230).all()  # the input is not drawn on
