"""``edgeocr build-runner`` refuses, before compiling anything, an NDK or Paddle-Lite
library it cannot build a working runner with, and says what to use instead. The wrong
libraries here are real ELF files made by this machine's compilers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edgeocr.targets import load_target
from edgeocr.runner.native_build import MIN_NDK_MAJOR, NativeBuildError, build_runner


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
