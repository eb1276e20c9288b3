"""Backend factory, model-file errors, and Paddle Inference agreeing with ONNX Runtime."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from edgeocr.errors import InputError, ModelError
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import INFER_MODEL, INFER_PARAMS, ONNX_FILE, ModelSet
from edgeocr.ocr.backends import BACKENDS, create_backend
from edgeocr.ocr.preprocess import normalize_det, resize_norm_line
from edgeocr.ocr.system import TextSystem
from tests.conftest import render_line, render_page
from tests.ocr.conftest import PAGE_TEXTS


def test_factory_knows_paddle_and_onnx(onnx_models: ModelSet) -> None:
    assert {"paddle", "onnx"} <= set(BACKENDS)
    backend = create_backend("onnx", onnx_models, threads=3)
    assert backend.name == "onnx" and backend.threads == 3 and backend.models is onnx_models


def test_factory_refuses_unknown_names_and_thread_counts(onnx_models: ModelSet) -> None:
    with pytest.raises(InputError, match=r"unknown backend 'tflite' \(valid: paddle, onnx"):
        create_backend("tflite", onnx_models)
    with pytest.raises(InputError, match="threads"):
        create_backend("onnx", onnx_models, threads=0)


def copy_set(models: ModelSet, folder: Path) -> ModelSet:
    """A writable copy of ``models`` (each task folder copied into ``folder``)."""
    dirs = {}
    for task in ("det", "cls", "rec"):
        dirs[task] = folder / task
        dirs[task].mkdir(parents=True)
        for f in models.dir(task).iterdir():
            if f.is_file():
                (dirs[task] / f.name).write_bytes(f.read_bytes())
    return dataclasses.replace(models, **dirs)


def test_onnx_backend_names_missing_and_corrupt_files(onnx_models: ModelSet, tmp_path: Path) -> None:
    models = copy_set(onnx_models, tmp_path)
    (models.det / ONNX_FILE).unlink()
    (models.rec / ONNX_FILE).write_bytes(b"\x08\x07garbage")
    backend = create_backend("onnx", models)
    with pytest.raises(ModelError, match=rf"{models.det / ONNX_FILE}: missing"):
        backend.infer("det", np.zeros((1, 3, 32, 32), np.float32))
    with pytest.raises(ModelError, match=rf"{models.rec / ONNX_FILE}: ONNX Runtime cannot load"):
        backend.infer("rec", np.zeros((1, 3, 32, 320), np.float32))


def test_paddle_backend_names_missing_and_corrupt_files(pulled_models: ModelSet, tmp_path: Path) -> None:
    models = copy_set(pulled_models, tmp_path)
    (models.det / INFER_PARAMS).unlink()
    data = (models.rec / INFER_MODEL).read_bytes()
    (models.rec / INFER_MODEL).write_bytes(data[: len(data) // 3])
    backend = create_backend("paddle", models)
    with pytest.raises(ModelError, match=rf"{models.det / INFER_PARAMS}: missing"):
        backend.infer("det", np.zeros((1, 3, 32, 32), np.float32))
    with pytest.raises(ModelError, match=rf"{models.rec / INFER_MODEL}: Paddle Inference cannot load"):
        backend.infer("rec", np.zeros((1, 3, 32, 320), np.float32))


@pytest.fixture(scope="module")
def paddle_system(pulled_models: ModelSet) -> TextSystem:
    return TextSystem(create_backend("paddle", pulled_models), load_charset(pulled_models.dict_path))


@pytest.fixture(scope="module")
def onnx_system_pulled(pulled_models: ModelSet) -> TextSystem:
    """ONNX Runtime on the pulled set's own ``model.onnx`` files."""
    return TextSystem(create_backend("onnx", pulled_models), load_charset(pulled_models.dict_path))


def parity_pages() -> list[np.ndarray]:
    busy = render_page([("铁艺灯箱", (30, 30), 32), ("营业时间 08:00-22:00", (300, 34), 28),
                        ("Hello World 2024", (30, 120), 40), ("雨果咖啡店", (60, 220), 56),
                        ("A very long line of English text for the recognizer", (20, 330), 22)], size=(760, 400))
    tilted = cv2.warpAffine(busy, cv2.getRotationMatrix2D((380, 200), 7, 1.0), (760, 400),
                            borderMode=cv2.BORDER_REPLICATE)
    flipped_line = cv2.copyMakeBorder(cv2.rotate(render_line("雨果咖啡店"), cv2.ROTATE_180), 30, 30, 30, 30,
                                      cv2.BORDER_REPLICATE)
    return [busy, tilted, flipped_line]


def test_paddle_and_onnx_read_the_same(paddle_system: TextSystem, onnx_system_pulled: TextSystem,
                                       page: np.ndarray) -> None:
    assert paddle_system(page).texts == PAGE_TEXTS
    for image in parity_pages():
        paddle, onnx = paddle_system(image), onnx_system_pulled(image)
        assert paddle.texts == onnx.texts and len(paddle.lines) >= 1
        for a, b in zip(paddle.lines, onnx.lines):
            assert np.abs(np.array(a.box) - np.array(b.box)).max() <= 1, (a, b)
            assert a.score == pytest.approx(b.score, abs=2e-3)


def test_paddle_and_onnx_raw_outputs_agree(paddle_system: TextSystem, onnx_system_pulled: TextSystem) -> None:
    lines = [render_line(t) for t in ("铁艺灯箱", "Hello World 2024", "营业时间 08:00-22:00")]
    batches = {
        "det": normalize_det(paddle_system.detector.resize(parity_pages()[0])[0])[np.newaxis],
        "cls": np.stack([resize_norm_line(c, 48, 192) for c in lines]),
        "rec": np.stack([resize_norm_line(c, 32, 480) for c in lines]),
    }
    for task, batch in batches.items():
        a = paddle_system.backend.infer(task, batch)
        b = onnx_system_pulled.backend.infer(task, batch)
        assert a.shape == b.shape, task
        np.testing.assert_allclose(a, b, atol=1e-3, err_msg=task)
