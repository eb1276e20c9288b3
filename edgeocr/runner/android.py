"""``edgeocr android prepare``: fill the Android demo project (``android_demo/``) with what it
needs and cannot commit - a bundle, a Paddle-Lite release for one ABI, Clipper's source.

Layout written (all ignored by git)::

    android_demo/app/src/main/assets/bundle/        the bundle's files (copied to the phone's files folder)
    android_demo/app/src/main/jniLibs/<abi>/libpaddle_light_api_shared.so   packed into the APK
    android_demo/app/paddle_lite/<abi>/{include,lib}  what the app's CMake compiles and links against
    android_demo/app/third_party/clipper/           Clipper 6.4.2 source for the OCR core

The bundle and the library are checked as ``build-runner`` checks them: an Android target,
a library of that ABI and OS, and the same Paddle-Lite version as the bundle's converter.
Running it again for the other ABI adds that ABI; the app builds every prepared ABI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from edgeocr.bundle import Bundle
from edgeocr.runner.native_build import ANDROID_TARGETS, LITE_LIBRARY, REPO, NativeBuildError, check_lite_release, clipper_source

PROJECT = REPO / "android_demo"
BUNDLE_ASSETS = Path("app/src/main/assets/bundle")


def _replace_dir(src_files: list[Path], dest: Path) -> None:
    """``dest`` holding exactly ``src_files`` (written beside it first, then swapped in)."""
    staging = dest.with_name(dest.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in src_files:
        shutil.copy2(f, staging / f.name)
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)


def prepare(bundle: str | os.PathLike, lite_lib: str | os.PathLike, project: str | os.PathLike = PROJECT,
            log: Callable[[str], None] = lambda _: None) -> str:
    """Fill ``project`` for the bundle's Android ABI; returns that ABI."""
    project, bundle = Path(project), Path(bundle)
    if not (project / "app" / "build.gradle").is_file():
        raise NativeBuildError(f"{project}: not the edgeocr Android demo project (no app/build.gradle)")
    loaded = Bundle.load(bundle)
    target = loaded.target
    if target.name not in ANDROID_TARGETS:
        raise NativeBuildError(f"{bundle}: bundle is for {target.name}, not Android; convert it with --target "
                               f"{' or '.join(ANDROID_TARGETS)}")
    release = check_lite_release(lite_lib, target)
    if release.version != loaded.runtime_version:
        raise NativeBuildError(f"{bundle}: converted by opt {loaded.runtime_version} but {release.library} is "
                               f"Paddle-Lite {release.version}; a .nb only runs on the version that wrote it")
    clipper = clipper_source()

    app = project / "app"
    _replace_dir(list(loaded.files.values()), project / BUNDLE_ASSETS)
    log(f"bundle ({target.name}) -> {project / BUNDLE_ASSETS}")
    _replace_dir([release.library], app / "src" / "main" / "jniLibs" / target.abi)
    lite_dir = app / "paddle_lite" / target.abi
    shutil.rmtree(lite_dir, ignore_errors=True)
    shutil.copytree(release.cxx_dir / "include", lite_dir / "include")
    (lite_dir / "lib").mkdir()
    shutil.copy2(release.library, lite_dir / "lib" / LITE_LIBRARY)
    log(f"Paddle-Lite {release.version} ({target.abi}) -> {lite_dir} and jniLibs/{target.abi}")
    _replace_dir([clipper / "clipper.cpp", clipper / "clipper.hpp"], app / "third_party" / "clipper")
    return target.abi
