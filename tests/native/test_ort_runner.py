"""The ONNX Runtime native runner (``targets/native/onnxruntime`` + ``runner/main_ort.cpp``),
built by ``edgeocr build-runner --runtime onnxruntime`` against the libraries npm's packages
carry, on real ONNX Runtime bundles of the PP-OCRv2 models:

- x86_64 natively: the same texts, boxes and scores as the Python pipeline on the pip
  ``onnxruntime`` (the same version) over the very same ``.onnx`` files;
- armlinux-aarch64, deployed to the emulated arm64 board (``deploy`` pushes
  ``libonnxruntime.so.1`` into ``lib/``) and run there on one small image: equal to the host;
- bad input: a Paddle-Lite bundle, a bundle made for a newer ONNX Runtime, a library older
  than the C API version the runner requests, no library at all.

The libraries come from ``edgeocr runtimes fetch onnxruntime`` (``.ci/setup``; these tests never
reach the network), shared into the tests' edgeocr home by ``model_home``; without them the
tests skip saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import cv2
import onnxruntime
import pytest

from edgeocr.bundle import Bundle
from edgeocr.device.sync import push_folder
from edgeocr.runner import ort_release, python_runner
from edgeocr.runner.contract import EXIT_CODES, RunOptions, validate_probe, validate_result
from edgeocr.runner.deploy import DeployRequest, deploy
from edgeocr.runner.native_build import build_runner
from edgeocr.runner.payload import Payload
from edgeocr.runner.remote import run_remote
from edgeocr.targets import load_target
from tests.conftest import render_page



def ort_runner(target: str, out: Path) -> Path:
    """The ONNX Runtime runner for ``target``, built against the fetched library (the default of build-runner)."""
    fetched = [ort_release.NpmRef.parse(load_target(t, runtime="onnxruntime").runtime.release).local()
               for t in ("x86_64", "armlinux-aarch64")] + [ort_release.NpmRef.parse(ort_release.HEADERS).local()]
    missing = [str(p) for p in fetched if not p.exists()]
    if missing:
        pytest.skip(f"ONNX Runtime not fetched ({', '.join(missing)} missing): run 'edgeocr runtimes fetch onnxruntime' "
                    "with access to npm first (.ci/setup does)")
    return build_runner(target, out, runtime="onnxruntime")


@pytest.fixture(scope="module")
def x86_runner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ort_runner("x86_64", tmp_path_factory.mktemp("ort_runner"))


@pytest.fixture(scope="module")
def aarch64_runner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ort_runner("armlinux-aarch64", tmp_path_factory.mktemp("ort_runner_aarch64"))


def ort_bundle(pulled_models, target: str, out: Path) -> Path:
    from edgeocr.convert.bundle import convert_bundle

    return convert_bundle(pulled_models, load_target(target, runtime="onnxruntime"), out).path


@pytest.fixture(scope="module")
def x86_ort_bundle(pulled_models, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ort_bundle(pulled_models, "x86_64", tmp_path_factory.mktemp("ort_bundle") / "x86")


@pytest.fixture(scope="module")
def armlinux_ort_bundle(pulled_models, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ort_bundle(pulled_models, "armlinux-aarch64", tmp_path_factory.mktemp("ort_bundle") / "armlinux")


def write_pages(folder: Path, pages: dict[str, list]) -> Path:
    """Rendered pages as PNG (lossless: the native and the Python decoder then see the same pixels)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (lines, size) in pages.items():
        cv2.imwrite(str(folder / name), render_page(lines, size=size))
    return folder


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pages(tmp_path_factory.mktemp("ort_pages"), {
        "a_shop.png": ([("欢迎光临 营业时间 9:00-21:00", (30, 40), 30), ("Fresh coffee & tea", (30, 120), 34),
                        ("解放南路521号", (60, 220), 40), ("TOTAL 42.50", (40, 330), 36)], (640, 480)),
        "b_sign.png": ([("人民路", (20, 30), 44), ("Exit 3", (200, 110), 32)], (360, 200)),
    })


@pytest.fixture(scope="module")
def small_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small image: emulated ARM runs about 100x slower than this host."""
    return write_pages(tmp_path_factory.mktemp("ort_small"), {"sign.png": ([("新华街742号", (16, 20), 32)], (240, 80))})


def run_native(runner_dir: Path, bundle: Path, images: Path, out: Path, lib_dir: Path | None = None,
               extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "LD_LIBRARY_PATH": str(lib_dir or runner_dir / "lib")}
    return subprocess.run([str(runner_dir / "edgeocr-runner"), "--bundle", str(bundle), "--images", str(images), "--out",
                           str(out), "--warmup", "0", "--repeats", "1", *extra], capture_output=True, text=True,
                          env=env, timeout=600)


def native_result(runner_dir: Path, bundle: Path, images: Path, out: Path) -> dict:
    proc = run_native(runner_dir, bundle, images, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return validate_result(json.loads(out.read_text(encoding="utf-8")))


def error_of(proc: subprocess.CompletedProcess) -> tuple[int, str, str]:
    error = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
    return proc.returncode, error["code"], error["message"]


def lines_of(result: dict) -> list[tuple[str, list, str, float]]:
    return [(e["image"], line["box"], line["text"], line["score"]) for e in result["images"] for line in e["lines"]]


def assert_same(native: dict, reference: dict, score_tolerance: float) -> int:
    """Every image's lines equal: texts and boxes exactly, scores within ``score_tolerance``."""
    got, want = lines_of(native), lines_of(reference)
    assert [g[:3] for g in got] == [w[:3] for w in want]
    assert max(abs(g[3] - w[3]) for g, w in zip(got, want)) <= score_tolerance
    return len(want)


def test_x86_runner_equals_the_python_pipeline_on_onnx_runtime(x86_runner, x86_ort_bundle, pages, tmp_path):
    build = json.loads((x86_runner / "build.json").read_text(encoding="utf-8"))
    assert build["runtime"] == {"name": "onnxruntime", "version": "1.23.2"}
    assert (x86_runner / "lib" / "libonnxruntime.so.1").is_file()
    native = native_result(x86_runner, x86_ort_bundle, pages, tmp_path / "native.json")
    assert native["runner"]["backend"] == "onnxruntime" and native["runtime_version"] == "1.23.2"
    assert native["applied"] == {"threads": True, "power_mode": False} and native["notes"]
    python = python_runner.run(RunOptions(bundle=str(x86_ort_bundle), images=str(pages), out=str(tmp_path / "py.json"),
                                          warmup=0, repeats=1), backend="onnx")
    assert onnxruntime.__version__ == native["runtime_version"]  # the same runtime on both sides
    compared = assert_same(native, python, score_tolerance=1e-6)
    texts = [line[2] for line in lines_of(native)]
    assert compared >= 5 and "解放南路521号" in texts and "人民路" in texts


def test_probe_reports_the_library_version(x86_runner):
    proc = subprocess.run([str(x86_runner / "edgeocr-runner"), "--probe"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LD_LIBRARY_PATH": str(x86_runner / "lib")})
    assert proc.returncode == 0, proc.stderr
    probe = validate_probe(json.loads(proc.stdout))
    assert probe["runtime_version"] == "1.23.2" and probe["runner"]["backend"] == "onnxruntime"


def test_aarch64_runner_on_the_emulated_board_equals_the_host(emulated, aarch64_runner, x86_runner, armlinux_ort_bundle,
                                                              small_page, tmp_path):
    request = DeployRequest(Payload.of_bundle(Bundle.load(armlinux_ort_bundle)), aarch64_runner / "edgeocr-runner",
                            (aarch64_runner / "lib",))
    deployment = deploy(emulated, request)
    assert deployment.runner["backend"] == "onnxruntime" and deployment.runtime_version == "1.23.2"
    pushed = Path(f"{emulated.root}{deployment.path('lib', 'libonnxruntime.so.1')}")
    assert pushed.read_bytes() == (aarch64_runner / "lib" / "libonnxruntime.so.1").read_bytes()
    push_folder(emulated, deployment.workdir, "images", {p.name: p for p in small_page.iterdir()}, lambda _: None)
    options = deployment.run_options(images=deployment.path("images"), out=deployment.path("result.json"), warmup=0,
                                     repeats=1)
    arm = run_remote(deployment, options, tmp_path / "arm.json", timeout=900)
    host = native_result(x86_runner, armlinux_ort_bundle, small_page, tmp_path / "host.json")
    # ARM kernels (NEON) sum in another order than x86's (AVX): scores may differ in the last digits
    assert assert_same(arm, host, score_tolerance=1e-4) >= 1
    assert "新华街742号" in [line[2] for line in lines_of(arm)]


def test_a_paddle_lite_bundle_is_refused(x86_runner, x86_bundle, small_page, tmp_path):
    proc = run_native(x86_runner, x86_bundle, small_page, tmp_path / "r.json")
    status, code, message = error_of(proc)
    assert (status, code) == (EXIT_CODES["runtime_mismatch"], "runtime_mismatch")
    assert message.startswith(f"{x86_bundle}/manifest.json: the bundle is for the paddle-lite runtime (target x86_64), "
                              "but this runner runs onnxruntime")
    assert not (tmp_path / "r.json").exists()


def test_a_bundle_for_a_newer_onnx_runtime_is_refused(x86_runner, x86_ort_bundle, small_page, tmp_path):
    bundle = Path(shutil.copytree(x86_ort_bundle, tmp_path / "bundle"))
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["converter"]["version"] = "1.24.0"
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status, code, message = error_of(run_native(x86_runner, bundle, small_page, tmp_path / "r.json"))
    assert (status, code) == (EXIT_CODES["runtime_mismatch"], "runtime_mismatch")
    assert "converted for ONNX Runtime 1.24.0 but the library is 1.23.2; use ONNX Runtime 1.24.0 or newer" in message


def test_a_library_older_than_the_requested_api_is_refused(x86_runner, x86_ort_bundle, small_page, tmp_path):
    """A stand-in libonnxruntime.so.1 that is 1.20.0 and, like a real 1.20, has no C API 23 table."""
    source = tmp_path / "old_ort.c"
    source.write_text("#include <stddef.h>\n"
                      "typedef struct { const void* (*GetApi)(unsigned); const char* (*GetVersionString)(void); } Base;\n"
                      "static const void* get_api(unsigned v) { (void)v; return NULL; }\n"
                      "static const char* version(void) { return \"1.20.0\"; }\n"
                      "static const Base base = {get_api, version};\n"
                      "const Base* OrtGetApiBase(void) { return &base; }\n")
    (tmp_path / "lib").mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / "lib" / "libonnxruntime.so.1"), str(source)],
                   check=True, timeout=120)
    proc = run_native(x86_runner, x86_ort_bundle, small_page, tmp_path / "r.json", lib_dir=tmp_path / "lib")
    status, code, message = error_of(proc)
    assert (status, code) == (EXIT_CODES["runtime_mismatch"], "runtime_mismatch")
    assert message.startswith("libonnxruntime.so.1 is ONNX Runtime 1.20.0, older than 1.23 (C API version 23)")


def test_no_library_is_a_missing_dependency(x86_runner, x86_ort_bundle, small_page, tmp_path):
    (tmp_path / "empty").mkdir()
    status, code, message = error_of(run_native(x86_runner, x86_ort_bundle, small_page, tmp_path / "r.json",
                                                lib_dir=tmp_path / "empty"))
    assert (status, code) == (EXIT_CODES["missing_dependency"], "missing_dependency")
    assert message.startswith("libonnxruntime.so.1: cannot load ONNX Runtime")
