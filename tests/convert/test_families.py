"""Newer families through conversion: their settings travel in the bundle; PP-OCRv5's released
ONNX files ship as they are; what a runtime cannot take is refused before anything is written."""

from __future__ import annotations

import json

import pytest

from edgeocr.bundle import Bundle
from edgeocr.convert.bundle import convert_bundle
from edgeocr.errors import ModelError
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ONNX_FILE
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.system import TextSystem
from edgeocr.targets import load_target
from tests.conftest import render_line

TEXT = "新华街742号"


def _read(source, backend: str) -> list[tuple[str, float]]:
    system = TextSystem(create_backend(backend, source, 2), load_charset(source.dict_path), source.config)
    return system.recognize([render_line(TEXT)])


def test_v4_bundle_carries_its_settings_and_reads_as_paddle_inference(family_set, tmp_path) -> None:
    models = family_set("ppocrv4")
    bundle = convert_bundle(models, load_target("x86_64"), tmp_path / "v4")
    config = json.loads((bundle.path / "config.json").read_text())
    assert config["ocr"]["rec_image_shape"] == [3, 48, 320] and bundle.manifest["family"] == "ppocrv4"
    (text, score), = _read(Bundle.load(bundle.path), "lite")
    (host_text, host_score), = _read(models, "paddle")
    assert text == host_text == TEXT and abs(score - host_score) < 1e-4


def test_v5_onnx_ships_as_released(family_set, tmp_path) -> None:
    models = family_set("ppocrv5")
    bundle = convert_bundle(models, load_target("armlinux-aarch64", runtime="onnxruntime"), tmp_path / "v5")
    for task in ("det", "cls", "rec"):
        assert bundle.model_file(task).read_bytes() == (models.location(task) / ONNX_FILE).read_bytes()
        assert bundle.manifest["models"][task]["exporter"] == "none (the source model is ONNX)"
    assert bundle.dict_path.name == "ppocrv5_dict.txt" and bundle.config.det_limit_type == "min"
    (text, _), = _read(bundle, "onnx")
    assert text == TEXT


def test_v5_is_refused_by_paddle_lite_naming_the_other_runtime(family_set, tmp_path) -> None:
    with pytest.raises(ModelError, match="ONNX only .*--runtime onnxruntime"):
        convert_bundle(family_set("ppocrv5"), load_target("armlinux-aarch64"), tmp_path / "lite")
    assert not (tmp_path / "lite").exists()
