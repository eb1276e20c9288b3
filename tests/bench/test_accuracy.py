"""Device accuracy against labels and parity with the host, on results made by hand so each
figure can be checked exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeocr.bench.accuracy import accuracy
from edgeocr.bench.dataset import Dataset
from edgeocr.data.labels import DetRegion, DetSample, RecSample
from edgeocr.runner.contract import ContractError
from tests.runner.samples import box, entry, line


def region(text: str, at: tuple[float, float, float, float]) -> DetRegion:
    return DetRegion(text=text, points=tuple(map(tuple, box(*at))))


@pytest.fixture
def det_data() -> Dataset:
    samples = {
        "00000_a.jpg": DetSample("a.jpg", (region("咖啡店", (10, 10, 100, 30)), region("灯箱", (10, 60, 60, 30)),
                                           region("###", (150, 10, 40, 40)))),
        "00001_b.jpg": DetSample("b.jpg", (region("Hello", (20, 20, 80, 30)),)),
    }
    return Dataset("labels.txt", "det", {n: Path(n) for n in samples}, samples)


def test_det_labels_give_det_e2e_and_matched_rec_figures(det_data: Dataset) -> None:
    images = [
        entry("00000_a.jpg", [line("咖啡店", (11, 10, 100, 30)),          # found, read right
                              line("灯相", (10, 61, 60, 30)),             # found, read wrong
                              line("noise", (151, 11, 38, 38), 0.95),     # inside don't-care: not counted
                              line("far", (300, 300, 20, 20), 0.3)]),     # false box, below drop_score
        entry("00001_b.jpg", [line("Hel lo", (20, 20, 80, 30), 0.4)]),  # right (spaces ignored), but dropped
    ]
    m = accuracy(det_data, images, drop_score=0.5, source="run")
    assert m["headline"] == "e2e_hmean"
    m = m["metrics"]
    assert (m["det_matched"], m["det_gt"], m["det_pred"]) == (3, 3, 4)    # det sees every box
    assert (m["e2e_correct"], m["e2e_gt"], m["e2e_pred"]) == (1, 3, 2)   # e2e only lines >= drop_score
    assert m["e2e_hmean"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert (m["rec_acc_matched"], m["rec_matched_lines"]) == (pytest.approx(2 / 3), 3)


def test_rec_labels_give_line_accuracy() -> None:
    samples = {"00000_x.png": RecSample("x.png", "铁艺灯箱"), "00001_y.png": RecSample("y.png", "Hello World")}
    data = Dataset("rec.txt", "rec", {n: Path(n) for n in samples}, samples)
    images = [entry("00000_x.png", [line("铁艺灯箱", (0, 0, 10, 10))], mode="rec"),
              entry("00001_y.png", [line("Hell0 World", (0, 0, 10, 10))], mode="rec")]
    m = accuracy(data, images, drop_score=0.5, source="run")
    assert m["headline"] == "rec_acc"
    assert (m["metrics"]["rec_acc"], m["metrics"]["rec_correct"]) == (0.5, 1)
    assert accuracy(Dataset("imgs", None, data.files, {}), images, 0.5, "run") is None


def test_a_missing_image_is_a_broken_contract(det_data: Dataset) -> None:
    with pytest.raises(ContractError, match="run: no result for 1 image.*00001_b.jpg"):
        accuracy(det_data, [entry("00000_a.jpg", [])], 0.5, "run")
