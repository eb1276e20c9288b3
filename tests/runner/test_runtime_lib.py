"""Runtime libraries of the native runner (Paddle-Lite, ONNX Runtime): the version is read
from the library file itself (fabricated files, and the real libraries of the pip wheels),
missing libraries are named together with where to get them, and each runtime's rule says
which library versions run a bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeocr.runner.runtime_lib import RuntimeLibraryError, find_libraries, library_version, runs_bundle

ELF = b"\x7fELF\x02\x01\x01" + bytes(64)


def lib(path: Path, *strings: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ELF + b"".join(b"\x00" + s for s in strings) + b"\x00" + bytes(32))
    return path


def test_version_is_the_one_tag_inside(tmp_path: Path) -> None:
    f = lib(tmp_path / "libpaddle_light_api_shared.so", b"GLIBC_2.17", b"v2.13-rc", b"lite/core/version.h",
            b"xv9.9", b"v1.2.3x")  # tags glued to other text are not tags
    assert library_version(f) == "v2.13-rc"
    assert library_version(lib(tmp_path / "b.so", b"v2.12", b"v2.12")) == "v2.12"


@pytest.mark.parametrize("strings, message", [
    ((b"develop(1a2b3c4)",), "no Paddle-Lite version tag"),
    ((b"v2.12", b"v2.13-rc"), r"several version tags inside \(v2.12, v2.13-rc\)"),
])
def test_unknown_versions_are_refused(tmp_path: Path, strings, message: str) -> None:
    with pytest.raises(RuntimeLibraryError, match=message):
        library_version(lib(tmp_path / "x.so", *strings))


def test_the_real_library_reports_the_runtime_version() -> None:
    from paddlelite.lite import Opt
    import paddlelite

    assert library_version(Path(paddlelite.__file__).parent / "lite.so") == Opt().version()


def test_libraries_are_found_in_files_and_folders(tmp_path: Path) -> None:
    main = lib(tmp_path / "release" / "cxx" / "lib" / "libpaddle_light_api_shared.so", b"v2.13-rc")
    cxx = lib(tmp_path / "ndk" / "libc++_shared.so")
    names = ["libpaddle_light_api_shared.so", "libc++_shared.so"]
    assert find_libraries(names, [tmp_path / "release", cxx]) == {names[0]: main, names[1]: cxx}
    with pytest.raises(RuntimeLibraryError, match=r"(?s)missing runtime library libc\+\+_shared.so .*NDK"):
        find_libraries(names, [tmp_path / "release"])
    with pytest.raises(RuntimeLibraryError, match="looked in nowhere"):
        find_libraries(names, [])


def test_onnx_runtime_version_is_the_newest_inside(tmp_path: Path) -> None:
    """Android builds also carry their telemetry SDK's version (1.3.2): the runtime's is the newest."""
    f = lib(tmp_path / "libonnxruntime.so", b"DeviceInfo.Class", b"1.3.2", b"'node_id' argument is NULL", b"1.29.0",
            b"3.53.1", b"x1.30.0")
    assert library_version(f, "onnxruntime") == "1.29.0"
    with pytest.raises(RuntimeLibraryError, match="no ONNX Runtime version string"):
        library_version(lib(tmp_path / "other.so", b"v2.13-rc"), "onnxruntime")


def test_the_real_onnx_runtime_library_reports_its_version() -> None:
    import onnxruntime

    capi = Path(onnxruntime.__file__).parent / "capi"
    [library] = capi.glob("libonnxruntime.so.*")
    assert library_version(library, "onnxruntime") == onnxruntime.__version__


def test_which_library_versions_run_a_bundle() -> None:
    assert runs_bundle("paddle-lite", "v2.13-rc", "v2.13-rc") and not runs_bundle("paddle-lite", "v2.13", "v2.13-rc")
    assert runs_bundle("onnxruntime", "1.23.2", "1.23.2") and runs_bundle("onnxruntime", "1.29.0", "1.23.2")
    assert runs_bundle("onnxruntime", "1.23.10", "1.23.2") and not runs_bundle("onnxruntime", "1.22.9", "1.23.2")
    with pytest.raises(RuntimeLibraryError, match="'onnxruntime 1.23.2' is not an ONNX Runtime version"):
        runs_bundle("onnxruntime", "onnxruntime 1.23.2", "1.23.2")
