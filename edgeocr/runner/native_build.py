"""Building the native runner (``targets/native``, CMake) for phones and boards, one program
per runtime: Paddle-Lite (the default) or ONNX Runtime (``runtime="onnxruntime"``).

``build_runner`` checks everything it can before compiling - the NDK (present, r21+), the
runtime's library (Paddle-Lite release: layout, CPU and OS flavour of its library, version
equal to the target's converter version; ONNX Runtime: ``edgeocr.runner.ort_release``) - so
a wrong download fails in a second with what to fetch instead of minutes later with a linker
error or, worse, on the phone. Android targets build with the NDK's CMake toolchain file,
``armlinux-aarch64`` with Debian's ``g++-aarch64-linux-gnu``, ``x86_64`` (ONNX Runtime only:
its Paddle-Lite is the pip wheel) with this host's compiler. The output folder holds what
``deploy`` pushes::

    <out>/<target>/edgeocr-runner                  (Paddle-Lite; <out>/<target>-onnxruntime/ for ONNX Runtime)
                   lib/libpaddle_light_api_shared.so   (ONNX Runtime: lib/libonnxruntime.so.1, Android .so)
                   lib/libc++_shared.so            (Android: the NDK's C++ runtime)
                   build.json                      (target, runtime name and version, toolchain)

``host_build`` and ``cross_build_aarch64_linux`` build the same tree without Paddle-Lite:
the core, its tests and the replay runner, for the tests of this repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from edgeocr import __version__
from edgeocr.errors import InputError
from edgeocr.paths import home
from edgeocr.resources import CHECKOUT, resource_dir
from edgeocr.runner import ort_release
from edgeocr.runner.runtime_lib import RuntimeLibraryError, check_built_for, library_version
from edgeocr.targets import Target, load_target
from edgeocr.utils.atomic import write_json

REPO = CHECKOUT  # an editable install's checkout, with android_demo/ and out/ (an installed package has neither)
RUNNER_BINARY = "edgeocr-runner"  # the name deploy pushes the native runner as
LITE_LIBRARY = "libpaddle_light_api_shared.so"
LIBCXX = "libc++_shared.so"
MIN_NDK_MAJOR = 21  # first NDK whose toolchain file and libc++ build C++17 without extra flags
ANDROID_API = 21  # Paddle-Lite's Android releases target API 21
CROSS_CXX = "aarch64-linux-gnu-g++"
BUILD_TIMEOUT_S = 1800
#: target name -> how it is built
ANDROID_TARGETS = {"arm64-v8a": "aarch64-linux-android", "armeabi-v7a": "arm-linux-androideabi"}
LINUX_TARGETS = {"armlinux-aarch64": "cmake/toolchain-aarch64-linux-gnu.cmake", "x86_64": None}  # None: this host's compiler
#: runtime -> the runner program CMake builds for it (targets/native/runner/CMakeLists.txt)
PROGRAMS = {"paddle-lite": RUNNER_BINARY, "onnxruntime": "edgeocr-runner-onnxruntime"}

Log = Callable[[str], None]


class NativeBuildError(InputError):
    """The native runner cannot be built: a missing or wrong toolchain or library."""


@dataclass(frozen=True)
class LiteRelease:
    """A Paddle-Lite release's ``cxx`` folder and what its library is."""

    cxx_dir: Path
    library: Path
    version: str


def native_dir() -> Path:
    """The native runner's CMake project, ``targets/native`` (installed or checkout, see ``edgeocr.resources``)."""
    return resource_dir("targets") / "native"


def clipper_dir() -> Path:
    """Clipper's source: ``$EDGEOCR_CLIPPER_DIR``; else, in a checkout, where ``fetch_clipper.sh`` puts it by default
    (``out/third_party/clipper``, as .ci/setup runs it); else, for an installed package, which has no ``out/``,
    ``<edgeocr home>/third_party/clipper``."""
    env = os.environ.get("EDGEOCR_CLIPPER_DIR")
    if env:
        return Path(env)
    if native_dir() == REPO / "targets" / "native":
        return REPO / "out" / "third_party" / "clipper"
    return home() / "third_party" / "clipper"


def _require_tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if not found:
        raise NativeBuildError(f"{name} not found on PATH: {hint}")
    return found


def _run(cmd: list[str], what: str, log: Log) -> None:
    log(" ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=BUILD_TIMEOUT_S)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-25:])
        raise NativeBuildError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def clipper_source() -> Path:
    """``clipper_dir()``, checked to hold Clipper's source; else an error saying how to get it."""
    clipper = clipper_dir()
    if not (clipper / "clipper.cpp").is_file():
        fetch = native_dir() / "third_party" / "fetch_clipper.sh"
        raise NativeBuildError(f"Clipper source not found in {clipper}: run 'bash {fetch} {clipper}' (needs apt-get and "
                               "the Debian archive), or set EDGEOCR_CLIPPER_DIR to a folder with Clipper 6.4.2's "
                               "clipper.cpp/.hpp")
    return clipper


def _configure_and_build(build_dir: Path, cmake_args: list[str], log: Log, jobs: int) -> Path:
    cmake = _require_tool("cmake", "install CMake 3.18+ (Debian: apt-get install cmake)")
    clipper = clipper_source()
    build_dir.mkdir(parents=True, exist_ok=True)
    _run([cmake, "-S", str(native_dir()), "-B", str(build_dir), f"-DEDGEOCR_CLIPPER_DIR={clipper}",
          f"-DEDGEOCR_VERSION={__version__}", *cmake_args],
         "CMake configure", log)
    _run([cmake, "--build", str(build_dir), "--parallel", str(jobs)], "build", log)
    return build_dir


def host_build(build_dir: str | os.PathLike, optimize: bool = True, jobs: int = 2, log: Log = lambda _: None) -> Path:
    """The core, its tests, the replay runner and the Android JNI glue (against the JDK's jni.h),
    built for this machine (no Paddle-Lite).
    ``optimize=False`` compiles at -O0, three times faster: results are the same, since the
    build never contracts or reorders float operations (targets/native/CMakeLists.txt)."""
    build_type = ["-DCMAKE_BUILD_TYPE=Release"] if optimize else ["-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0"]
    return _configure_and_build(Path(build_dir), ["-DEDGEOCR_BUILD_TESTS=ON", "-DEDGEOCR_BUILD_JNI=ON", *build_type], log, jobs)


def cross_build_aarch64_linux(build_dir: str | os.PathLike, jobs: int = 2, log: Log = lambda _: None) -> Path:
    """The same as ``host_build`` for aarch64 Linux; ctest then runs the tests under qemu."""
    _require_tool(CROSS_CXX, "apt-get install g++-aarch64-linux-gnu")
    toolchain = native_dir() / LINUX_TARGETS["armlinux-aarch64"]
    return _configure_and_build(Path(build_dir), [f"-DCMAKE_TOOLCHAIN_FILE={toolchain}", "-DEDGEOCR_BUILD_TESTS=ON"], log,
                                jobs)


def check_ndk(ndk: str | os.PathLike | None, target: Target) -> Path:
    """The NDK folder for an Android ``target``, or an error saying what is wrong with it."""
    if ndk is None:
        raise NativeBuildError(f"target {target.name} is Android: pass --ndk PATH (Android NDK r{MIN_NDK_MAJOR} or newer, "
                               "e.g. $ANDROID_HOME/ndk/<version>)")
    root = Path(ndk).expanduser()
    if not root.is_dir():
        raise NativeBuildError(f"--ndk {root}: no such folder")
    props = root / "source.properties"
    toolchain = root / "build" / "cmake" / "android.toolchain.cmake"
    if not props.is_file() or not toolchain.is_file():
        raise NativeBuildError(f"--ndk {root}: not an Android NDK (no source.properties or build/cmake/android.toolchain.cmake)")
    match = re.search(r"^Pkg\.Revision\s*=\s*(\d+)(\.[\d.]+)?", props.read_text(encoding="utf-8", errors="replace"), re.M)
    if not match:
        raise NativeBuildError(f"{props}: no Pkg.Revision line; cannot tell the NDK version")
    if int(match.group(1)) < MIN_NDK_MAJOR:
        raise NativeBuildError(f"--ndk {root}: NDK {match.group(1)}{match.group(2) or ''} is too old; the runner needs "
                               f"r{MIN_NDK_MAJOR} or newer")
    return root


def check_lite_release(lite_lib: str | os.PathLike | None, target: Target) -> LiteRelease:
    """The Paddle-Lite release at ``lite_lib`` (its root or its ``cxx`` folder), checked for
    ``target``: headers and library present, library built for the target's CPU and OS, and
    of the version the target's bundles are converted with."""
    if lite_lib is None:
        raise NativeBuildError(f"pass --lite-lib PATH: the runner links Paddle-Lite's light API; for {target.name} use the "
                               f"{target.runtime.version} release {target.runtime.release}")
    root = Path(lite_lib).expanduser()
    if not root.exists():
        raise NativeBuildError(f"--lite-lib {root}: no such folder")
    cxx = next((c for c in (root / "cxx", root) if (c / "lib" / LITE_LIBRARY).is_file()), None)
    if cxx is None:
        raise NativeBuildError(f"--lite-lib {root}: no cxx/lib/{LITE_LIBRARY} inside; expected a Paddle-Lite release folder "
                               f"such as {target.runtime.release}")
    if not (cxx / "include" / "paddle_api.h").is_file():
        raise NativeBuildError(f"--lite-lib {root}: no {cxx.name}/include/paddle_api.h (an incomplete release folder)")
    library = cxx / "lib" / LITE_LIBRARY
    try:
        check_built_for(library, target)
        version = library_version(library)
    except RuntimeLibraryError as e:
        raise NativeBuildError(str(e)) from None
    if version != target.runtime.version:
        raise NativeBuildError(f"{library} is Paddle-Lite {version}, but {target.name} bundles are converted by opt "
                               f"{target.runtime.version} and a .nb only runs on the same version: use the "
                               f"{target.runtime.version} release {target.runtime.release}")
    return LiteRelease(cxx_dir=cxx, library=library, version=version)


def find_libcxx_shared(ndk: Path, target: Target) -> Path:
    """The NDK's ``libc++_shared.so`` for an Android target's ABI."""
    triple = ANDROID_TARGETS[target.name]
    candidates = sorted(ndk.glob(f"toolchains/llvm/prebuilt/*/sysroot/usr/lib/{triple}/{LIBCXX}")) + \
        sorted(ndk.glob(f"sources/cxx-stl/llvm-libc++/libs/{target.abi}/{LIBCXX}"))
    if not candidates:
        raise NativeBuildError(f"--ndk {ndk}: no {LIBCXX} for {target.abi} inside (a damaged NDK?)")
    return candidates[0]


@dataclass(frozen=True)
class Toolchain:
    """How ``target`` is compiled: CMake arguments, the NDK (Android) and the compiler's name."""

    cmake_args: list[str]
    ndk: Path | None
    compiler: str


def _toolchain(target: Target, ndk: str | os.PathLike | None) -> Toolchain:
    """The checked toolchain for ``target`` (Android: the NDK at ``ndk``)."""
    if target.name in ANDROID_TARGETS:
        root = check_ndk(ndk, target)
        return Toolchain([f"-DCMAKE_TOOLCHAIN_FILE={root / 'build' / 'cmake' / 'android.toolchain.cmake'}",
                          f"-DANDROID_ABI={target.abi}", f"-DANDROID_PLATFORM=android-{ANDROID_API}",
                          "-DANDROID_STL=c++_shared"], root, "android-ndk")
    toolchain = LINUX_TARGETS[target.name]
    compiler = CROSS_CXX if toolchain else "g++"
    if ndk is not None:
        raise NativeBuildError(f"--ndk is for Android targets; {target.name} builds with {compiler}")
    _require_tool(compiler, f"apt-get install {'g++-aarch64-linux-gnu' if toolchain else 'g++'}")
    return Toolchain([f"-DCMAKE_TOOLCHAIN_FILE={native_dir() / toolchain}"] if toolchain else [], None, compiler)


def build_runner(target_name: str, out: str | os.PathLike, ndk: str | os.PathLike | None = None,
                 lite_lib: str | os.PathLike | None = None, jobs: int = 2, log: Log = lambda _: None,
                 runtime: str | None = None, ort_lib: str | os.PathLike | None = None) -> Path:
    """Build ``edgeocr-runner`` for ``target_name`` on ``runtime`` (default: the target's first)
    into ``<out>/<target>/`` (ONNX Runtime: ``<out>/<target>-onnxruntime/``; see the module doc)."""
    target = load_target(target_name, runtime)
    if target.name not in ANDROID_TARGETS and target.name not in LINUX_TARGETS:
        raise NativeBuildError(f"the native runner builds for {', '.join([*ANDROID_TARGETS, *LINUX_TARGETS])}, "
                               f"not {target.name}")
    if target.runtime.library.startswith("python:"):
        raise NativeBuildError(f"target {target.name}'s {target.runtime.name} runtime is a Python package "
                               f"({target.runtime.release}) with no library to link: build the ONNX Runtime runner "
                               "(--runtime onnxruntime)")
    onnx = target.runtime.name == ort_release.RUNTIME
    dest = Path(out) / (f"{target.name}-{target.runtime.name}" if onnx else target.name)
    build_dir = dest / "build"
    if onnx:  # the library and an AAR's ABI are checked (and staged) before the NDK: no NDK here, see README
        try:
            release = ort_release.prepare(ort_lib, target, build_dir / "onnxruntime")
        except ort_release.OrtReleaseError as e:
            raise NativeBuildError(str(e)) from None
        toolchain = _toolchain(target, ndk)
        runtime_args = [f"-DONNXRUNTIME_DIR={release.dir}",
                        f"-DONNXRUNTIME_API_VERSION={ort_release.api_version(target.runtime.version)}"]
        library, version, source = release.library, release.version, release.source
    else:
        toolchain = _toolchain(target, ndk)
        lite = check_lite_release(lite_lib, target)
        runtime_args = [f"-DPADDLE_LITE_DIR={lite.cxx_dir}"]
        library, version, source = lite.library, lite.version, str(lite.library)
    _configure_and_build(build_dir, [*toolchain.cmake_args, *runtime_args, "-DEDGEOCR_BUILD_TESTS=OFF"], log, jobs)
    (dest / "lib").mkdir(parents=True, exist_ok=True)
    shutil.copy2(build_dir / "runner" / PROGRAMS[target.runtime.name], dest / RUNNER_BINARY)
    shutil.copy2(library, dest / "lib" / target.runtime.library)
    if toolchain.ndk is not None:
        shutil.copy2(find_libcxx_shared(toolchain.ndk, target), dest / "lib" / LIBCXX)
    write_json(dest / "build.json", {"target": target.name, "runtime": {"name": target.runtime.name, "version": version},
                                     "runtime_version": version, "runtime_library": source,
                                     "ndk": str(toolchain.ndk) if toolchain.ndk else None, "compiler": toolchain.compiler})
    return dest
