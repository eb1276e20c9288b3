"""The Python runner, run as devices run it (a subprocess, and the zipapp deploy pushes):
what it reads, what it times, how it fails, and that it agrees with Paddle Inference across
images whose recognition batches differ in width."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from edgeocr.bundle import Bundle
from edgeocr.verify.parity import parity
from edgeocr.targets import targets_dir
from edgeocr.runner.contract import EXIT_CODES, STAGES, validate_result
from edgeocr.runner.zipapp import TARGETS_DIR, build_runner_zipapp
from edgeocr.utils.hashing import sha256_file
from tests.conftest import render_line, render_page
from tests.ocr.conftest import PAGE_LINES, PAGE_TEXTS

WIDE_LINES = [("Grand Opening Sale 2024 今日特价", (20, 60), 34)]
LINE_TEXTS = ["铁艺灯箱", "Hello World 2024"]


def runner(*args: str, cwd: Path | None = None, env: dict | None = None, program: tuple[str, ...] = ("-m", "edgeocr.runner"),
           ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *program, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=env)


def error_of(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])["error"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    """A page, a page with one long line (a wider rec batch), then the first page again."""
    folder = tmp_path_factory.mktemp("pages")
    page = render_page(PAGE_LINES, size=(640, 300))
    cv2.imwrite(str(folder / "a_page.png"), page)
    cv2.imwrite(str(folder / "b_wide.png"), render_page(WIDE_LINES, size=(640, 160)))
    cv2.imwrite(str(folder / "c_page_again.png"), page)
    return folder


@pytest.fixture(scope="module")
def lines_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lines")
    for i, text in enumerate(LINE_TEXTS):
        cv2.imwrite(str(folder / f"{i}.png"), render_line(text))
    return folder


@pytest.fixture(scope="module")
def lite_run(x86_bundle, pages, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("run") / "nested" / "r.json"
    proc = runner("--bundle", str(x86_bundle), "--images", str(pages), "--out", str(out), "--warmup", "1",
                  "--repeats", "2", "--threads", "3", "--power-mode", "low")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return validate_result(json.loads(out.read_text()))


def test_lite_run_reads_every_page_and_times_every_stage(lite_run: dict, x86_bundle: Path) -> None:
    images = {e["image"]: e for e in lite_run["images"]}
    assert list(images) == ["a_page.png", "b_wide.png", "c_page_again.png"]
    assert [line["text"] for line in images["a_page.png"]["lines"]] == PAGE_TEXTS
    manifest = json.loads((x86_bundle / "manifest.json").read_text())
    assert lite_run["runtime_version"] == manifest["converter"]["version"]
    assert lite_run["runner"]["backend"] == "lite"
    assert lite_run["options"]["threads"] == 3 and lite_run["options"]["power_mode"] == "low"
    assert lite_run["applied"] == {"threads": False, "power_mode": False}
    assert any("not applied" in note for note in lite_run["notes"])
    assert lite_run["peak_rss_kb"] > 50_000 and lite_run["init_ms"] > 0
    for image in lite_run["images"]:
        assert image["consistent"] and len(image["warmup_ms"]) == 1
        for run in image["runs_ms"]:
            assert list(run) == list(STAGES["det_cls_rec"])
            assert run["det_infer"] > 0 and run["rec"] > 0
            assert run["total"] >= run["det_infer"] + run["rec"]
            assert run["rec_per_line"] == pytest.approx(run["rec"] / len(image["lines"]), abs=1e-2)


def test_results_do_not_depend_on_the_shapes_run_before(lite_run: dict) -> None:
    """The wide page's rec batch runs between two identical pages: same lines both times."""
    first, again = lite_run["images"][0], lite_run["images"][2]
    assert first["lines"] == again["lines"]


def test_lite_agrees_with_paddle_inference_on_the_source_models(lite_run, pulled_models, pages, tmp_path) -> None:
    out = tmp_path / "paddle.json"
    proc = runner("--backend", "paddle", "--models", str(pulled_models.det.parent), "--images", str(pages),
                  "--out", str(out), "--warmup", "0", "--repeats", "1", "--threads", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reference = validate_result(json.loads(out.read_text()))
    assert reference["runner"]["backend"] == "paddle" and reference["applied"]["threads"] is True
    assert any("host-only" in note for note in reference["notes"])
    figures = parity(reference["images"], lite_run["images"], "lite run")
    assert figures["text_agreement"] == 1.0 and figures["box_agreement"] == 1.0, figures
    assert figures["paired"] == figures["host_lines"] == figures["device_lines"] >= 4


@pytest.mark.parametrize("mode", ["rec", "det_rec"])
def test_modes(mode: str, x86_bundle: Path, pages: Path, lines_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    images = lines_dir if mode == "rec" else pages
    proc = runner("--bundle", str(x86_bundle), "--images", str(images), "--out", str(out), "--warmup", "0",
                  "--repeats", "1", "--mode", mode)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    obj = validate_result(json.loads(out.read_text()))
    assert all(list(run) == list(STAGES[mode]) for image in obj["images"] for run in image["runs_ms"])
    texts = [[line["text"] for line in image["lines"]] for image in obj["images"]]
    if mode == "rec":
        assert texts == [[t] for t in LINE_TEXTS]
    else:
        assert texts[0] == PAGE_TEXTS


def test_errors_are_objects_with_their_exit_codes(x86_bundle, arm_bundle, pages, tmp_path) -> None:
    out = tmp_path / "r.json"
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    cases = [
        (["--bundle", str(x86_bundle), "--images", str(tmp_path / "empty")], "bad_input", "no images"),
        (["--bundle", str(x86_bundle), "--images", str(tmp_path / "bad")], "bad_input", "broken.jpg"),
        (["--bundle", str(arm_bundle), "--images", str(pages)], "runtime_mismatch", "bundle is for arm64-v8a"),
        (["--bundle", str(tmp_path), "--images", str(pages)], "model", "not an edgeocr bundle"),
        (["--bundle", str(x86_bundle), "--images", str(pages), "--threads", "0"], "bad_args", "threads >= 1"),
        (["--images", str(pages)], "bad_args", "--backend lite runs a bundle"),
    ]
    for args, code, message in cases:
        proc = runner(*args, "--out", str(out))
        assert proc.returncode == EXIT_CODES[code], (args, proc.stdout, proc.stderr)
        error = error_of(proc)
        assert error["code"] == code and message in error["message"], error
        assert not out.exists()


def test_a_result_that_cannot_be_written_is_an_output_error(x86_bundle, pages, tmp_path) -> None:
    (tmp_path / "file").write_text("a regular file, not a folder")
    out = tmp_path / "file" / "r.json"
    proc = runner("--bundle", str(x86_bundle), "--images", str(pages), "--out", str(out), "--repeats", "1",
                  "--warmup", "0")
    assert proc.returncode == EXIT_CODES["output"] == 7, proc.stdout + proc.stderr
    error = error_of(proc)
    assert error["code"] == "output" and f"{out}: cannot write the result file" in error["message"]


def test_init_ms_is_loading_the_models_not_reading_the_bundle(x86_bundle, pages, tmp_path, monkeypatch) -> None:
    """init_ms is what the contract says: every model loaded and run once. Hashing the bundle's
    files (slowed here to 0.6 s a file) must not be in it; model loading (slowed by 0.3 s a
    blank inference, three of them) must."""
    import time

    from edgeocr import bundle
    from edgeocr.ocr.backends.lite import LiteBackend
    from edgeocr.runner import python_runner
    from edgeocr.runner.contract import RunOptions

    real_hash, real_infer = bundle.sha256_file, LiteBackend.infer
    monkeypatch.setattr(bundle, "sha256_file", lambda path: (time.sleep(0.6), real_hash(path))[1])
    loading = {"blank runs": 0}

    def slow_blank_infer(self, task, batch):
        if not batch.any():  # the blank inputs TextSystem loads the models with
            loading["blank runs"] += 1
            time.sleep(0.3)
        return real_infer(self, task, batch)

    monkeypatch.setattr(LiteBackend, "infer", slow_blank_infer)
    result = python_runner.run(RunOptions(bundle=str(x86_bundle), images=str(pages), out=str(tmp_path / "r.json"),
                                          warmup=0, repeats=1))
    hashing_ms = 600 * len(json.loads((x86_bundle / "manifest.json").read_text())["files"])
    assert loading["blank runs"] == 3  # det, cls, rec
    assert 900 <= result["init_ms"] < hashing_ms


def test_a_missing_module_is_named(tmp_path: Path) -> None:
    hidden = tmp_path / "hide"
    hidden.mkdir()
    (hidden / "pyclipper.py").write_text("raise ModuleNotFoundError(\"No module named 'pyclipper'\", name='pyclipper')\n")
    proc = runner("--probe", env={"PYTHONPATH": str(hidden), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == EXIT_CODES["missing_dependency"], proc.stdout + proc.stderr
    assert "'pyclipper' is not installed" in error_of(proc)["message"]


def test_zipapp_is_reproducible_and_runs_anywhere(x86_bundle, pages, tmp_path) -> None:
    first = build_runner_zipapp(tmp_path / "one" / "runner.pyz")
    second = build_runner_zipapp(tmp_path / "two" / "runner.pyz")
    assert sha256_file(first) == sha256_file(second)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    probe = runner("--probe", program=(str(first),), cwd=elsewhere)
    assert probe.returncode == 0 and json.loads(probe.stdout)["runtime_version"] == "v2.13-rc", probe.stderr
    # target profiles are read from targets/ beside the archive, where deploy puts them
    out = tmp_path / "r.json"
    args = ("--bundle", str(x86_bundle), "--images", str(pages), "--out", str(out), "--warmup", "0", "--repeats", "1")
    proc = runner(*args, program=(str(first),), cwd=elsewhere)
    assert proc.returncode == EXIT_CODES["bad_input"] and "unknown target 'x86_64'" in error_of(proc)["message"]
    (first.parent / TARGETS_DIR).mkdir()
    (first.parent / TARGETS_DIR / "x86_64.yml").write_bytes((targets_dir() / "x86_64.yml").read_bytes())
    proc = runner(*args, program=(str(first),), cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [line["text"] for line in json.loads(out.read_text())["images"][0]["lines"]] == PAGE_TEXTS


def test_record_writes_every_model_call(x86_bundle, pages, tmp_path) -> None:
    from edgeocr.ocr.backends.recording import Recording

    out, record = tmp_path / "r.json", tmp_path / "calls"
    record.mkdir()
    proc = runner("--bundle", str(x86_bundle), "--images", str(pages), "--out", str(out), "--repeats", "1",
                  "--warmup", "0", "--record", str(record))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recording = Recording.load(record)
    calls = list(recording.calls())
    assert recording.runtime_version == "v2.13-rc" and recording.models == ("det", "cls", "rec")
    assert [c.image for c in calls[:3]] == [None, None, None]  # loading: one blank run of each model
    assert {c.image for c in calls[3:]} == {p.name for p in pages.iterdir()}
    assert [c.model for c in calls if c.image == "a_page.png"][0] == "det"
    validate_result(json.loads(out.read_text()))


def test_onnx_backend_runs_an_onnxruntime_bundle_like_paddle_inference(ort_armlinux_bundle, lite_run, pages,
                                                                       x86_bundle, tmp_path) -> None:
    """An ARM Linux board with Python runs ONNX Runtime bundles: same texts and boxes as the host reference."""
    out = tmp_path / "ort.json"
    proc = runner("--backend", "onnx", "--bundle", str(ort_armlinux_bundle), "--images", str(pages), "--out", str(out),
                  "--warmup", "0", "--repeats", "1", "--threads", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = validate_result(json.loads(out.read_text()))
    assert result["runner"]["backend"] == "onnx" and result["applied"]["threads"] is True
    assert result["runtime_version"] == Bundle.load(ort_armlinux_bundle).runtime_version
    figures = parity(lite_run["images"], result["images"], "onnx run")
    assert figures["text_agreement"] == 1.0 and figures["box_agreement"] == 1.0, figures
    wrong = runner("--backend", "onnx", "--bundle", str(x86_bundle), "--images", str(pages), "--out", str(out))
    assert wrong.returncode == EXIT_CODES["runtime_mismatch"]
    assert "bundle is for the paddle-lite runtime, not ONNX Runtime" in error_of(wrong)["message"]
