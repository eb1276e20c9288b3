"""The native runner against the Python runner on the same model outputs.

The real PP-OCRv2 bundle (x86 Paddle-Lite, run by the Python pipeline) reads rendered
pages; every model call is recorded. The C++ replay runner then runs the contract on the
same images with those outputs, natively and - cross-built for aarch64 - under qemu. Both
must make the same model calls (checked call by call) and report the same boxes, texts
and scores as the Python runner's own ``measure``, exactly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from edgeocr.runner.contract import validate_result
from tests.native.conftest import qemu_env

def run_replay(runner: list[str], bundle: Path, case: dict, mode: str, out: Path, env=None) -> tuple[dict, dict]:
    report = out.with_suffix(".report.json")
    proc = subprocess.run([*runner, "--bundle", str(bundle), "--images", str(case["images"]), "--out", str(out),
                           "--warmup", "0", "--repeats", "1", "--mode", mode, "--replay", str(case["recording"]),
                           "--replay-report", str(report)], capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return validate_result(json.loads(out.read_text(encoding="utf-8"))), json.loads(report.read_text())


def assert_same_lines(python_entries: list[dict], native: dict) -> int:
    """Every image's lines equal (boxes, texts, scores); returns the number of lines compared."""
    assert [e["image"] for e in native["images"]] == [e["image"] for e in python_entries]
    compared = 0
    for py, cpp in zip(python_entries, native["images"]):
        assert (cpp["height"], cpp["width"]) == (py["height"], py["width"])
        assert [line["text"] for line in cpp["lines"]] == [line["text"] for line in py["lines"]], py["image"]
        assert [line["box"] for line in cpp["lines"]] == [line["box"] for line in py["lines"]], py["image"]
        assert [line["score"] for line in cpp["lines"]] == [line["score"] for line in py["lines"]], py["image"]
        compared += len(py["lines"])
    return compared


@pytest.mark.parametrize("mode", ["det_cls_rec", "det_rec", "rec"])
def test_native_runner_matches_python_runner(native_build, x86_bundle, replay_cases, mode, tmp_path):
    case = replay_cases[mode]
    result, report = run_replay([str(native_build / "tests" / "edgeocr-replay-runner")], x86_bundle, case, mode,
                                tmp_path / "native.json")
    assert report["replayed"] == report["calls"]  # no model call left over
    lines = assert_same_lines(case["python"], result)
    texts = [line["text"] for e in case["python"] for line in e["lines"]]
    assert lines >= (4 if mode == "rec" else 15) and any(texts)  # a real comparison, with text in it
    # Pre-processing: the inputs C++ fed the (replayed) models are the Python ones, up to
    # OpenCV's rounding in resize and warp (and the JPEG decoder for the .jpg page).
    diffs = report["input_diff"]
    assert diffs["rec"]["mean_abs"] < 0.02
    if mode != "rec":
        assert diffs["det"]["mean_abs"] < 0.01
    if mode == "det_cls_rec":
        assert diffs["cls"]["mean_abs"] < 0.02
        upside_down = next(e for e in result["images"] if e["image"] == "upside_down.png")
        assert "上下颠倒的文字" in [line["text"] for line in upside_down["lines"]]
    blank = next((e for e in result["images"] if e["image"] == "blank.png"), None)
    if blank is not None:
        assert blank["lines"] == [] and blank["runs_ms"][0]["rec_per_line"] is None


def test_aarch64_runner_matches_python_runner_under_qemu(cross_build, x86_bundle, replay_cases, tmp_path):
    """The same replay, cross-built for aarch64 and run by qemu: ARM float arithmetic
    (no fused multiply-add, libm) gives the same boxes and texts."""
    runner = ["qemu-aarch64-static", str(cross_build / "tests" / "edgeocr-replay-runner")]
    for mode in ("det_cls_rec", "rec"):
        result, report = run_replay(runner, x86_bundle, replay_cases[mode], mode, tmp_path / f"{mode}.json",
                                    env=qemu_env())
        assert report["replayed"] == report["calls"]
        assert assert_same_lines(replay_cases[mode]["python"], result) > 0
