"""``edgeocr ocr`` on rendered images with the ONNX-only model set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from edgeocr.cli.ocr_cmd import ocr
from edgeocr.errors import ModelError
from tests.conftest import render_line
from tests.ocr.conftest import ONNX_SET, PAGE_TEXTS

ONNX_ARGS = ["--backend", "onnx", "--models", ONNX_SET]


@pytest.fixture()
def image_dir(tmp_path: Path, page: np.ndarray) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    cv2.imwrite(str(folder / "page.png"), page)
    cv2.imwrite(str(folder / "line.jpg"), cv2.copyMakeBorder(render_line("铁艺灯箱"), 20, 20, 20, 20,
                                                             cv2.BORDER_REPLICATE))
    (folder / "readme.txt").write_text("not an image, not picked up")
    return folder


def invoke(onnx_home: Path, *args: str):
    return CliRunner().invoke(ocr, [*map(str, args)], env={"EDGEOCR_HOME": str(onnx_home)})


def test_reads_a_folder_writes_json_and_drawings(onnx_home: Path, image_dir: Path, tmp_path: Path) -> None:
    out, drawn = tmp_path / "result.json", tmp_path / "drawn"
    result = invoke(onnx_home, image_dir, *ONNX_ARGS, "--threads", "1", "--out", out, "--draw", drawn)
    assert result.exit_code == 0, result.output
    assert all(text in result.stdout for text in PAGE_TEXTS)
    assert "| image" in result.stdout  # timing table for several images

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["run"]["backend"] == "onnx" and report["run"]["models"] == ONNX_SET
    assert report["run"]["threads"] == 1
    by_name = {Path(e["image"]).name: e for e in report["images"]}
    assert list(by_name) == ["line.jpg", "page.png"]
    assert [line["text"] for line in by_name["page.png"]["lines"]] == PAGE_TEXTS
    assert [line["text"] for line in by_name["line.jpg"]["lines"]] == ["铁艺灯箱"]
    assert set(by_name["page.png"]["timings_ms"]) >= {"det_infer", "rec", "total"}
    assert len(by_name["page.png"]["lines"][0]["box"]) == 4

    assert sorted(p.name for p in drawn.iterdir()) == ["line.jpg", "page.jpg"]
    drawing, page = cv2.imread(str(drawn / "page.jpg")), cv2.imread(str(image_dir / "page.png"))
    assert drawing.shape == (page.shape[0], 2 * page.shape[1], 3)  # image + text panel
    green = (drawing[:, :, 1] > 150) & (drawing[:, :, 0] < 100) & (drawing[:, :, 2] < 100)
    assert green[:, : page.shape[1]].sum() > 100  # boxes drawn on the image half
    panel = drawing[:, page.shape[1]:]
    assert (panel < 100).any() and np.median(panel) > 240  # dark text on white


def test_unpulled_model_set_is_a_clear_error(tmp_path: Path, image_dir: Path) -> None:
    result = CliRunner().invoke(ocr, [str(image_dir), "--models", "nope"], env={"EDGEOCR_HOME": str(tmp_path)})
    assert isinstance(result.exception, ModelError) and "not pulled" in str(result.exception)


def test_bad_images_are_reported_and_do_not_stop_the_batch(onnx_home: Path, image_dir: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.jpg"
    data = (image_dir / "line.jpg").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    out = tmp_path / "result.json"
    args = [truncated, image_dir / "page.png", tmp_path / "missing.png", empty_dir]
    env = {**os.environ, "EDGEOCR_HOME": str(onnx_home)}
    proc = subprocess.run([sys.executable, "-m", "edgeocr.cli.main", "ocr", *map(str, args), *ONNX_ARGS,
                           "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert f"skipped {truncated}: truncated or corrupt image" in proc.stderr
    assert f"skipped {tmp_path / 'missing.png'}: no such file" in proc.stderr
    assert "edgeocr: error: 3 of 4 images could not be read" in proc.stderr
    assert all(text in proc.stdout for text in PAGE_TEXTS)
    entries = json.loads(out.read_text(encoding="utf-8"))["images"]
    assert [("error" in e) for e in entries] == [True, False, True, True]
    assert "no images" in entries[-1]["error"]
