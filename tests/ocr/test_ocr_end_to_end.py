"""The whole system on the real PP-OCRv2 weights (ONNX Runtime) reading rendered text."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from edgeocr.errors import InputError, ModelError
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.config import OCRConfig
from edgeocr.ocr.result import STAGES
from edgeocr.ocr.system import TextSystem
from tests.conftest import render_line, render_page
from tests.ocr.conftest import PAGE_LINES, PAGE_TEXTS


def test_reads_the_page_in_reading_order(onnx_system: TextSystem, page: np.ndarray) -> None:
    result = onnx_system(page)
    assert result.texts == PAGE_TEXTS
    assert all(0.9 < line.score <= 1 for line in result.lines)


def test_boxes_frame_the_rendered_lines(onnx_system: TextSystem, page: np.ndarray) -> None:
    for line, (_, (x, y), px) in zip(onnx_system(page).lines, PAGE_LINES):
        box = np.array(line.box)
        assert box.shape == (4, 2)
        (x0, y0), (_, y1) = box.min(axis=0), box.max(axis=0)
        assert abs(x0 - x) <= 6 and y0 <= y + px * 0.3 and y1 >= y + px * 0.9 and y1 - y0 < 1.6 * px


def test_timings_cover_every_stage(onnx_system: TextSystem, page: np.ndarray) -> None:
    result = onnx_system(page)
    timings = result.timings_ms
    assert list(timings) == list(STAGES) and all(v > 0 for v in timings.values())
    assert timings["total"] >= sum(v for k, v in timings.items() if k != "total")
    assert result.to_json()["lines"][0]["text"] == PAGE_TEXTS[0]


def test_stage_api(onnx_system: TextSystem, page: np.ndarray) -> None:
    boxes = onnx_system.detect(page)
    assert len(boxes) == 3 and all(b.shape == (4, 2) and b.dtype == np.float32 for b in boxes)
    crops = [render_line("Hello World 2024"), render_line("铁艺灯箱")]
    turned, labels = onnx_system.classify([cv2.rotate(crops[0], cv2.ROTATE_180), crops[1]])
    assert [label for label, _ in labels] == ["180", "0"]
    assert [text for text, _ in onnx_system.recognize(turned)] == ["Hello World 2024", "铁艺灯箱"]


def test_upside_down_line_is_turned_and_read(onnx_system: TextSystem) -> None:
    page = render_page([("雨果咖啡店", (60, 40), 44)], size=(400, 140))
    assert onnx_system(cv2.rotate(page, cv2.ROTATE_180)).texts == ["雨果咖啡店"]


def test_vertical_text_is_read_after_turning_the_crop(onnx_system: TextSystem) -> None:
    line = render_line("Hello World 2024", height=40)
    page = cv2.copyMakeBorder(cv2.rotate(line, cv2.ROTATE_90_CLOCKWISE), 30, 30, 40, 40,
                              cv2.BORDER_CONSTANT, value=(235, 230, 220))
    # the tall crop is turned counter-clockwise (upright), the rest is the classifier's job
    assert onnx_system(page).texts == ["Hello World 2024"]


def test_drop_score_filters_lines(onnx_system: TextSystem, page: np.ndarray) -> None:
    scores = sorted(line.score for line in onnx_system(page).lines)
    strict = TextSystem(onnx_system.backend, load_charset(), OCRConfig(drop_score=(scores[0] + scores[1]) / 2))
    assert len(strict(page).lines) == 2


def test_blank_image_gives_no_lines(onnx_system: TextSystem) -> None:
    result = onnx_system(np.full((200, 300, 3), 240, np.uint8))
    assert result.lines == [] and result.timings_ms["rec"] < 1


def test_grey_image_is_accepted_and_wrong_arrays_are_refused(onnx_system: TextSystem, page: np.ndarray) -> None:
    assert onnx_system(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)).texts == PAGE_TEXTS
    with pytest.raises(InputError, match="uint8"):
        onnx_system(page.astype(np.float32))
    with pytest.raises(InputError, match="shape"):
        onnx_system(page[:, :, :2])


def test_model_set_without_cls_skips_the_classifier(onnx_models: ModelSet, page: np.ndarray) -> None:
    no_cls = dataclasses.replace(onnx_models, cls=None)
    system = TextSystem(create_backend("onnx", no_cls), load_charset(no_cls.dict_path))
    result = system(page)
    assert result.texts == PAGE_TEXTS and result.timings_ms["cls"] < 1
    with pytest.raises(ModelError, match="no cls model"):
        system.classify([page])


def test_dictionary_not_matching_the_rec_model_is_refused(onnx_system: TextSystem) -> None:
    en_dict = load_charset().path.replace("ppocr_keys_v1.txt", "en_dict.txt")
    with pytest.raises(InputError, match=rf"{en_dict}: 95 entries give 97 classes .* outputs 6625 classes"):
        TextSystem(onnx_system.backend, load_charset(en_dict))
