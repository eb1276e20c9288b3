"""The proof that edgeocr's Paddle models ARE the released PP-OCRv2 models: on real text
images, outputs match ONNX Runtime running the shipped ONNX files (det with floor Resize),
both for the dygraph models and for the exported inference models."""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort
import paddle
import pytest

from edgeocr.models.architectures import PPOCRV2
from edgeocr.models.checkpoint import load_checkpoint
from edgeocr.models.modelset import CHECKPOINT, ONNX_FILE
from edgeocr.models.onnx_import import load_onnx_weights
from edgeocr.models.onnx_source import load_onnx, patch_resize_floor, source_onnx
from tests.conftest import render_line, render_page

TOLERANCE = {"rec": 1e-4, "det": 1e-3, "cls": 1e-4}
LINES = ["雨果咖啡店", "铁艺灯箱", "Hello World 2024", "北京市海淀区中关村大街27号"]


def _line_input(text: str, h: int, w: int) -> np.ndarray:
    img = render_line(text)
    ratio = img.shape[1] / img.shape[0]
    rw = min(w, int(np.ceil(h * ratio)))
    canvas = np.zeros((3, h, w), np.float32)
    resized = cv2.resize(img, (rw, h)).astype(np.float32).transpose(2, 0, 1) / 255.0
    canvas[:, :, :rw] = (resized - 0.5) / 0.5
    return canvas[None]


def _det_input() -> np.ndarray:
    img = render_page([("铁艺灯箱 Hello", (40, 60), 40), ("雨果咖啡店 2024", (60, 300), 36), ("OCR on ARM", (300, 400), 28)])
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    return ((img / 255.0 - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def _inputs(task: str) -> list[np.ndarray]:
    if task == "rec":
        return [_line_input(t, 32, 320) for t in LINES]
    if task == "cls":
        return [_line_input(t, 48, 192) for t in LINES] + [_line_input(t, 48, 192)[:, :, ::-1, ::-1].copy() for t in LINES]
    return [_det_input()]


def _onnx_session(task: str) -> ort.InferenceSession:
    model = load_onnx(source_onnx(task))
    if task == "det":
        assert patch_resize_floor(model) == 6
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def _compare(task: str, ours: np.ndarray, ref: np.ndarray) -> None:
    assert ours.shape == ref.shape
    assert float(np.abs(ours - ref).max()) < TOLERANCE[task]
    if task in ("rec", "cls"):
        assert (ours.argmax(-1) == ref.argmax(-1)).all()  # identical decoded text / labels
    else:
        assert ((ours > 0.3) != (ref > 0.3)).mean() < 1e-4
        assert ref.max() > 0.9  # the page really contains detected text


@pytest.mark.parametrize("task", ["det", "cls", "rec"])
def test_dygraph_matches_onnx(task: str) -> None:
    model = PPOCRV2[task].build()
    load_onnx_weights(task, model, load_onnx(source_onnx(task)))
    model.eval()
    sess = _onnx_session(task)
    for x in _inputs(task):
        _compare(task, model(paddle.to_tensor(x)).numpy(), sess.run(None, {"x": x})[0])


def test_rec_reads_the_text(pulled_models) -> None:
    """Greedy CTC on the model output gives back the rendered strings (not just matching noise)."""
    from edgeocr.models.charset import load_charset

    classes = load_charset(pulled_models.dict_path).classes
    model = load_checkpoint("rec", pulled_models.rec / CHECKPOINT)
    for text in LINES:
        ids = model(paddle.to_tensor(_line_input(text, 32, 320))).numpy()[0].argmax(-1)
        chars = [classes[i] for j, i in enumerate(ids) if i != 0 and (j == 0 or i != ids[j - 1])]
        assert "".join(chars) == text


@pytest.mark.parametrize("task", ["det", "cls", "rec"])
def test_exported_inference_model_matches_onnx(task: str, pulled_models) -> None:
    """The pulled inference model (Paddle Inference) and the pulled reference ONNX agree."""
    from paddle import inference

    pdmodel, pdiparams = pulled_models.inference_files(task)
    config = inference.Config(str(pdmodel), str(pdiparams))
    config.disable_gpu()
    config.disable_glog_info()
    predictor = inference.create_predictor(config)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(pulled_models.dir(task) / ONNX_FILE), opts, providers=["CPUExecutionProvider"])
    for x in _inputs(task):
        handle = predictor.get_input_handle(predictor.get_input_names()[0])
        handle.reshape(x.shape)
        handle.copy_from_cpu(x)
        predictor.run()
        ours = predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()
        _compare(task, ours, sess.run(None, {"x": x})[0])
