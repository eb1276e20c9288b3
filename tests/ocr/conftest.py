"""OCR fixtures: an ONNX-only PP-OCRv2 model set (no Paddle export needed) and rendered pages
whose text is known, so tests check what was read rather than that something ran."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest

from edgeocr.models.charset import default_dict_path, load_charset
from edgeocr.models.modelset import DICT_FILE, ONNX_FILE, ModelSet
from edgeocr.models.onnx_source import patch_resize_floor, source_onnx
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.system import TextSystem
from tests.conftest import render_page

ONNX_SET = "onnx-ppocrv2"

#: A page of three lines and the strings PP-OCRv2 must read from it, top to bottom.
PAGE_LINES = [("雨果咖啡店", (40, 40), 40), ("铁艺灯箱", (40, 130), 40), ("Hello World 2024", (40, 220), 36)]
PAGE_TEXTS = [text for text, _, _ in PAGE_LINES]


def build_onnx_model_set(folder: Path, tasks: tuple[str, ...] = ("det", "cls", "rec")) -> None:
    """``folder/{det,cls,rec}/model.onnx`` from the shipped ONNX files, plus the dictionary."""
    for task in tasks:
        (folder / task).mkdir(parents=True)
        if task == "det":
            model = onnx.load(str(source_onnx(task)))
            patch_resize_floor(model)
            onnx.save(model, str(folder / task / ONNX_FILE))
        else:
            shutil.copyfile(source_onnx(task), folder / task / ONNX_FILE)
    shutil.copyfile(default_dict_path(), folder / DICT_FILE)


@pytest.fixture(scope="session")
def onnx_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model home (for ``EDGEOCR_HOME``) holding the ONNX-only set ``ONNX_SET``."""
    home = tmp_path_factory.mktemp("onnx_home")
    build_onnx_model_set(home / "models" / ONNX_SET)
    return home


@pytest.fixture(scope="session")
def onnx_models(onnx_home: Path) -> ModelSet:
    base = onnx_home / "models" / ONNX_SET
    return ModelSet(det=base / "det", cls=base / "cls", rec=base / "rec", dict_path=base / DICT_FILE, name=ONNX_SET)


@pytest.fixture(scope="session")
def onnx_system(onnx_models: ModelSet) -> TextSystem:
    return TextSystem(create_backend("onnx", onnx_models, threads=2), load_charset(onnx_models.dict_path))


@pytest.fixture(scope="session")
def page() -> np.ndarray:
    """BGR page with ``PAGE_LINES`` drawn on it."""
    return render_page(PAGE_LINES, size=(640, 300))


@pytest.fixture(scope="session")
def page_file(page: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "page.png"
    cv2.imwrite(str(path), page)
    return path
