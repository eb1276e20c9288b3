"""Bad input makes the native runner exit non-zero with the contract's error object naming
the problem (an unreadable image, a bundle missing a file, a dictionary that does not fit
the rec model, a runtime of another version, a result file that cannot be written), and
never writes a result."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from edgeocr.runner.contract import EXIT_CODES
from tests.native.conftest import rehash


def run_runner(native_build: Path, bundle: Path, images: Path, recording: Path, out: Path) -> tuple[int, dict]:
    proc = subprocess.run([str(native_build / "tests" / "edgeocr-replay-runner"), "--bundle", str(bundle), "--images",
                           str(images), "--out", str(out), "--warmup", "0", "--repeats", "1", "--replay", str(recording)],
                          capture_output=True, text=True, timeout=300)
    assert not out.exists()
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])["error"]


@pytest.fixture
def bundle_copy(x86_bundle, tmp_path) -> Path:
    return Path(shutil.copytree(x86_bundle, tmp_path / "bundle"))


@pytest.fixture
def case(replay_cases) -> dict:
    return replay_cases["det_cls_rec"]


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_undecodable_image(native_build, x86_bundle, case, tmp_path, damage):
    images = Path(shutil.copytree(case["images"], tmp_path / "images"))
    jpeg = (images / "menu_photo.jpg").read_bytes()
    broken = b"\xff\xd8\xff\xe0 this is not a JPEG" if damage == "garbage" else jpeg[:len(jpeg) // 2]
    (images / "0_broken.jpg").write_bytes(broken)
    status, error = run_runner(native_build, x86_bundle, images, case["recording"], tmp_path / "r.json")
    assert (status, error["code"]) == (EXIT_CODES["bad_input"], "bad_input")
    assert "0_broken.jpg: " in error["message"] and "image" in error["message"]


def test_bundle_missing_a_file(native_build, bundle_copy, case, tmp_path):
    (bundle_copy / "rec.nb").unlink()
    status, error = run_runner(native_build, bundle_copy, case["images"], case["recording"], tmp_path / "r.json")
    assert (status, error["code"]) == (EXIT_CODES["model"], "model")
    assert error["message"].endswith("rec.nb: missing from bundle")


def test_truncated_model_file(native_build, bundle_copy, case, tmp_path):
    det = bundle_copy / "det.nb"
    det.write_bytes(det.read_bytes()[:1000])
    status, error = run_runner(native_build, bundle_copy, case["images"], case["recording"], tmp_path / "r.json")
    assert error["code"] == "model" and "det.nb: does not match the bundle manifest" in error["message"]


def test_dictionary_that_does_not_fit_the_rec_model(native_build, bundle_copy, case, tmp_path):
    config = json.loads((bundle_copy / "config.json").read_text(encoding="utf-8"))
    keys = bundle_copy / config["dictionary"]
    entries = keys.read_text(encoding="utf-8").splitlines()
    keys.write_text("\n".join(entries[:-10]) + "\n", encoding="utf-8")
    rehash(bundle_copy, config["dictionary"])
    status, error = run_runner(native_build, bundle_copy, case["images"], case["recording"], tmp_path / "r.json")
    assert (status, error["code"]) == (EXIT_CODES["model"], "model")
    assert f"{len(entries) - 10} entries give {len(entries) - 8} classes" in error["message"]
    assert f"rec model outputs {len(entries) + 2} classes" in error["message"]


def test_runtime_of_another_version(native_build, x86_bundle, case, tmp_path):
    recording = Path(shutil.copytree(case["recording"], tmp_path / "recording"))
    calls = json.loads((recording / "calls.json").read_text(encoding="utf-8"))
    converter = json.loads((x86_bundle / "manifest.json").read_text(encoding="utf-8"))["converter"]["version"]
    calls["runtime_version"] = converter + ".old"
    (recording / "calls.json").write_text(json.dumps(calls), encoding="utf-8")
    status, error = run_runner(native_build, x86_bundle, case["images"], recording, tmp_path / "r.json")
    assert (status, error["code"]) == (EXIT_CODES["runtime_mismatch"], "runtime_mismatch")
    assert f"converted by opt {converter} but the Paddle-Lite runtime is {converter}.old" in error["message"]


@pytest.mark.parametrize("parent", ["missing folder", "regular file"])
def test_result_file_that_cannot_be_written(native_build, x86_bundle, case, tmp_path, parent):
    """--out in a folder that is gone, or under a regular file (the tests run as root, so
    permissions would not stop the write)."""
    folder = tmp_path / "results"
    if parent == "regular file":
        folder.write_text("")
    out = folder / "r.json"
    status, error = run_runner(native_build, x86_bundle, case["images"], case["recording"], out)
    assert (status, error["code"]) == (EXIT_CODES["output"], "output")
    reason = os.strerror(errno.ENOENT if parent == "missing folder" else errno.ENOTDIR)
    assert error["message"] == f"{out}: cannot write the result file ({reason})"
