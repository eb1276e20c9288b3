"""``edgeocr eval`` end to end on synthetic data with the real PP-OCRv2 weights (ONNX
Runtime), and its one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.data.synth import synth_det, synth_rec
from edgeocr.metrics.evaluate import evaluate
from tests.ocr.conftest import build_onnx_model_set

MODEL_SET = "onnx-eval"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``EDGEOCR_HOME`` holding an ONNX-only model set built from the shipped weights."""
    home = tmp_path_factory.mktemp("eval_home")
    build_onnx_model_set(home / "models" / MODEL_SET)
    return home


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eval_data")
    synth_rec(root / "rec", 12, seed=1)
    synth_det(root / "det", 3, seed=1)
    return root


def _eval(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["eval", "--backend", "onnx", "--models", MODEL_SET, *args],
                                env={"EDGEOCR_HOME": str(home)})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_rec(home: Path, data: Path, tmp_path: Path) -> None:
    code, out, err = _eval(home, "--task", "rec", "--labels", str(data / "rec" / "labels.txt"),
                           "--json", str(tmp_path / "rec.json"))
    assert code == 0, err
    assert "| acc " in out and "eval rec" in err
    report = json.loads((tmp_path / "rec.json").read_text())
    assert report["task"] == "rec" and report["samples"] == 12
    assert report["metrics"]["lines"] == 12 and report["metrics"]["acc"] >= 0.6  # clean synthetic lines read well
    assert report["run"]["backend"] == "onnx" and report["run"]["models"] == MODEL_SET
    assert report["timings"]["total_s"] > 0


@pytest.mark.parametrize("task,key", [("det", "matched"), ("e2e", "correct")])
def test_det_and_e2e(home: Path, data: Path, tmp_path: Path, task: str, key: str) -> None:
    code, out, err = _eval(home, "--task", task, "--labels", str(data / "det" / "labels.txt"),
                           "--json", str(tmp_path / "r.json"))
    assert code == 0, err
    assert "| hmean " in out
    metrics = json.loads((tmp_path / "r.json").read_text())["metrics"]
    gt = sum(len(json.loads(line.split("\t")[1])) for line in (data / "det" / "labels.txt").read_text().splitlines())
    assert metrics["gt"] == gt
    assert metrics["hmean"] >= 0.6 and metrics[key] >= 0.6 * gt


def test_evaluate_matches_a_hand_scored_run(data: Path) -> None:
    """The library function with a stub system: rec reads labels straight to the recognizer."""

    class Parrot:
        """Reads every crop as its label except the first."""

        def __init__(self, texts: list[str]) -> None:
            self.texts = texts

        def recognize(self, crops):
            assert all(c.ndim == 3 for c in crops)
            out = [(t, 1.0) for t in self.texts[: len(crops)]]
            self.texts = self.texts[len(crops):]
            return out

    lines = (data / "rec" / "labels.txt").read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t", 1)[1] for line in lines]
    report = evaluate("rec", data / "rec" / "labels.txt", Parrot(["wrong"] + texts[1:]))
    assert report["metrics"]["correct"] == len(texts) - 1


def test_bad_label_file_is_one_line_error(home: Path, tmp_path: Path) -> None:
    labels = tmp_path / "bad.txt"
    labels.write_text('img.jpg\t[{"transcription": "x", "points": [[0, 0], [1, 1]]}]\n', encoding="utf-8")
    (tmp_path / "img.jpg").write_bytes(b"x")
    env = {**os.environ, "EDGEOCR_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-m", "edgeocr.cli.main", "eval", "--task", "det", "--labels", str(labels),
         "--backend", "onnx", "--models", MODEL_SET],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"edgeocr: error: {labels}:1: region 0: 'points' must be a list of at least 4 [x, y] number pairs"
    ]
