"""``edgeocr build-runner`` refuses, before compiling anything, an NDK, Paddle-Lite or ONNX
Runtime library (or AAR) it cannot build a working runner with, and says what to use
instead. The wrong libraries here are real ELF files made by this machine's compilers."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from edgeocr.targets import load_target
from edgeocr.runner.native_build import CROSS_CXX, MIN_NDK_MAJOR, NativeBuildError, build_runner

CROSS = CROSS_CXX.replace("g++", "gcc")


def fake_ndk(root: Path, revision: str) -> Path:
    """An NDK folder layout with the given Pkg.Revision (no compilers: the checks run first)."""
    (root / "build" / "cmake").mkdir(parents=True)
    (root / "build" / "cmake" / "android.toolchain.cmake").write_text("# toolchain\n")
    (root / "source.properties").write_text(f"Pkg.Desc = Android NDK\nPkg.Revision = {revision}\n")
    return root


def release_with_library(root: Path, compiler: str, version: str) -> Path:
    """A Paddle-Lite release layout whose library is a real shared object built by
    ``compiler``, carrying ``version`` as its release tag."""
    cxx = root / "cxx"
    (cxx / "include").mkdir(parents=True)
    (cxx / "include" / "paddle_api.h").write_text("// header\n")
    (cxx / "lib").mkdir()
    source = root / "lib.cpp"
    source.write_text('#include <string>\nextern "C" __attribute__((used)) const char edgeocr_tag[] = "%s";\n'
                      'std::string lite_version() { return edgeocr_tag; }\n' % version)
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(cxx / "lib" / "libpaddle_light_api_shared.so"), str(source)],
                   check=True, timeout=120)
    return root


@pytest.fixture
def ndk(tmp_path) -> Path:
    return fake_ndk(tmp_path / "ndk", "25.2.9519653")


def build_error(tmp_path: Path, target: str, **kwargs) -> str:
    with pytest.raises(NativeBuildError) as e:
        build_runner(target, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()  # refused before anything was built
    return str(e.value)


def test_missing_or_wrong_ndk(tmp_path):
    assert "pass --ndk PATH (Android NDK r21 or newer" in build_error(tmp_path, "arm64-v8a")
    assert "no such folder" in build_error(tmp_path, "arm64-v8a", ndk=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    assert "not an Android NDK" in build_error(tmp_path, "armeabi-v7a", ndk=tmp_path / "empty")
    old = fake_ndk(tmp_path / "old", f"{MIN_NDK_MAJOR - 1}.1.5948944")
    assert f"NDK {MIN_NDK_MAJOR - 1}.1.5948944 is too old" in build_error(tmp_path, "arm64-v8a", ndk=old)
    assert "--ndk is for Android targets" in build_error(tmp_path, "armlinux-aarch64", ndk=old)


def test_missing_library(tmp_path, ndk):
    target = load_target("arm64-v8a")
    message = build_error(tmp_path, "arm64-v8a", ndk=ndk)
    assert "pass --lite-lib PATH" in message and target.runtime.release in message
    assert "no such folder" in build_error(tmp_path, "arm64-v8a", ndk=ndk, lite_lib=tmp_path / "nowhere")
    (tmp_path / "not_a_release").mkdir()
    assert "no cxx/lib/libpaddle_light_api_shared.so inside" in build_error(
        tmp_path, "arm64-v8a", ndk=ndk, lite_lib=tmp_path / "not_a_release")


def test_library_of_the_wrong_cpu(tmp_path, ndk):
    version = load_target("arm64-v8a").runtime.version
    x86 = release_with_library(tmp_path / "x86", "g++", version)
    assert "is built for x86_64 (64-bit), but target arm64-v8a is aarch64" in build_error(
        tmp_path, "arm64-v8a", ndk=ndk, lite_lib=x86)
    arm64 = release_with_library(tmp_path / "arm64", "aarch64-linux-gnu-g++", version)
    assert "is built for aarch64 (64-bit), but target armeabi-v7a is armv7" in build_error(
        tmp_path, "armeabi-v7a", ndk=ndk, lite_lib=arm64 / "cxx")


def test_linux_library_for_android(tmp_path, ndk):
    target = load_target("arm64-v8a")
    linux = release_with_library(tmp_path / "linux", "aarch64-linux-gnu-g++", target.runtime.version)
    message = build_error(tmp_path, "arm64-v8a", ndk=ndk, lite_lib=linux)
    assert "is built for Linux (glibc) (it needs libstdc++.so.6" in message
    assert f"target arm64-v8a is Android: use {target.runtime.release}" in message


def test_library_of_another_version(tmp_path):
    target = load_target("armlinux-aarch64")
    old = release_with_library(tmp_path / "old", "aarch64-linux-gnu-g++", "v2.12")
    message = build_error(tmp_path, "armlinux-aarch64", lite_lib=old)
    assert f"is Paddle-Lite v2.12, but armlinux-aarch64 bundles are converted by opt {target.runtime.version}" in message
    untagged = release_with_library(tmp_path / "untagged", "aarch64-linux-gnu-g++", "develop(abc123)")
    assert "no Paddle-Lite version tag" in build_error(tmp_path, "armlinux-aarch64", lite_lib=untagged)


def test_cli_prints_one_line_and_fails(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "edgeocr.cli.main", "build-runner", "--target", "arm64-v8a",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith("edgeocr: error: target arm64-v8a is Android: pass --ndk PATH")


# -- ONNX Runtime ------------------------------------------------------------------------------


def ort_library(path: Path, compiler: str, version: str) -> Path:
    """A real shared object built by ``compiler`` that carries ``version`` as ONNX Runtime's
    version string; ``-nostdlib`` leaves it needing no library, like no C library in particular."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.with_name(f"{path.name}.c")
    source.write_text(f'__attribute__((used)) const char edgeocr_ort_version[] = "{version}";\n')
    subprocess.run([compiler, "-shared", "-fPIC", "-nostdlib", "-o", str(path), str(source)], check=True, timeout=120)
    return path


def ort_aar(path: Path, libraries: dict[str, Path]) -> Path:
    """An Android AAR layout: jni/<abi>/libonnxruntime.so per ``libraries`` entry, and the C API header."""
    with zipfile.ZipFile(path, "w") as aar:
        aar.writestr("headers/onnxruntime_c_api.h", "// the C API\n")
        aar.writestr("classes.jar", b"")
        for abi, library in libraries.items():
            aar.write(library, f"jni/{abi}/libonnxruntime.so")
    return path


def test_onnx_runtime_library_of_the_wrong_cpu(tmp_path):
    x86 = ort_library(tmp_path / "x86" / "libonnxruntime.so.1", "gcc", "1.23.2")
    message = build_error(tmp_path, "armlinux-aarch64", runtime="onnxruntime", ort_lib=x86)
    assert message.startswith(f"{x86} is built for x86_64 (64-bit), but target armlinux-aarch64 is aarch64: use "
                              "npm:onnxruntime-node@1.23.2:bin/napi-v6/linux/arm64")


def test_onnx_runtime_library_older_than_the_target(tmp_path):
    old = ort_library(tmp_path / "old" / "lib" / "libonnxruntime.so.1", CROSS, "1.22.0")
    message = build_error(tmp_path, "armlinux-aarch64", runtime="onnxruntime", ort_lib=old.parent.parent)
    assert f"{old} is ONNX Runtime 1.22.0, older than 1.23.2, the version armlinux-aarch64 bundles are made for" in message
    (tmp_path / "nothing").mkdir()
    assert "no libonnxruntime.so.1 or libonnxruntime.so in it" in build_error(
        tmp_path, "armlinux-aarch64", runtime="onnxruntime", ort_lib=tmp_path / "nothing")


def test_aar_without_the_abi(tmp_path):
    aar = ort_aar(tmp_path / "onnxruntime.aar", {"x86_64": ort_library(tmp_path / "x86.so", "gcc", "1.29.0")})
    message = build_error(tmp_path, "arm64-v8a", runtime="onnxruntime", ort_lib=aar)
    assert message == (f"{aar}: no jni/arm64-v8a/libonnxruntime.so inside; the AAR has the ABIs x86_64, not arm64-v8a "
                       "(target arm64-v8a)")


def test_aar_is_unpacked_then_the_ndk_is_asked_for(tmp_path):
    """No NDK here: the AAR's library and headers are checked and staged, then the NDK is the seam."""
    arm64 = ort_library(tmp_path / "arm64.so", CROSS, "1.29.0")
    aar = ort_aar(tmp_path / "onnxruntime.aar", {"arm64-v8a": arm64})
    with pytest.raises(NativeBuildError, match="target arm64-v8a is Android: pass --ndk PATH"):
        build_runner("arm64-v8a", tmp_path / "out", runtime="onnxruntime", ort_lib=aar)
    staged = tmp_path / "out" / "arm64-v8a-onnxruntime" / "build" / "onnxruntime"
    assert (staged / "lib" / "libonnxruntime.so").read_bytes() == arm64.read_bytes()
    assert (staged / "include" / "onnxruntime_c_api.h").is_file()


def test_onnx_runtime_not_fetched(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path / "empty home"))
    message = build_error(tmp_path, "x86_64", runtime="onnxruntime")
    assert "ONNX Runtime 1.23.2 for x86_64 (npm:onnxruntime-node@1.23.2:bin/napi-v6/linux/x64) is not fetched: run " \
           "'edgeocr runtimes fetch onnxruntime'" in message


def test_x86_64_has_no_paddle_lite_library_to_link(tmp_path):
    message = build_error(tmp_path, "x86_64")
    assert "x86_64's paddle-lite runtime is a Python package (pip install paddlelite==2.13rc0)" in message
    assert "--runtime onnxruntime" in message
