"""ONNX Runtime from npm (``edgeocr.runner.ort_release``): the profiles' release strings, the
fetch (here with a stand-in ``npm`` on PATH that packs local tarballs: tests never reach the
registry), what is kept of each package, and that fetching again is a no-op."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from edgeocr.runner import ort_release
from edgeocr.runner.ort_release import NpmRef, OrtReleaseError, api_version
from edgeocr.targets import list_targets


def test_every_profile_names_an_npm_release() -> None:
    refs = {t.name: NpmRef.parse(rt.release) for t in list_targets() for rt in t.runtimes if rt.name == "onnxruntime"}
    assert refs["armlinux-aarch64"] == NpmRef("onnxruntime-node", "1.23.2", "bin/napi-v6/linux/arm64")
    assert refs["arm64-v8a"] == NpmRef("com.github.asus4.onnxruntime", "0.4.9", "Plugins/Android/onnxruntime.aar",
                                       "jni/arm64-v8a")
    assert NpmRef.parse(ort_release.HEADERS) in ort_release.references()
    with pytest.raises(OrtReleaseError, match="not an npm release"):
        NpmRef.parse("pip install onnxruntime")


def test_api_version_is_the_minor_version() -> None:
    assert (api_version("1.23.2"), api_version("1.29.0")) == (23, 29)
    with pytest.raises(OrtReleaseError, match="only 1.x versions"):
        api_version("2.0.0")


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _aar() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("jni/arm64-v8a/libonnxruntime.so", b"\x7fELF")
    return buffer.getvalue()


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``npm`` that answers ``npm pack SPEC --json --pack-destination DIR`` from tarballs made
    here, like the registry's packages (trimmed), and logs each call."""
    tarballs = tmp_path / "registry"
    tarballs.mkdir()
    node = {"LICENSE": b"MIT", "package.json": b"{}", "lib/index.js": b"js",
            "bin/napi-v6/linux/arm64/libonnxruntime.so.1": b"arm64", "bin/napi-v6/linux/x64/libonnxruntime.so.1": b"x64",
            "bin/napi-v6/win32/x64/onnxruntime.dll": b"dll"}
    asus4 = {"LICENSE": b"MIT", "Plugins/Android/onnxruntime.aar": _aar(), "Runtime/InferenceSession.cs": b"cs",
             "Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers/onnxruntime_c_api.h": b"//"}
    (tarballs / "onnxruntime-node@1.23.2.tgz").write_bytes(_tarball(node))
    (tarballs / "com.github.asus4.onnxruntime@0.4.9.tgz").write_bytes(_tarball(asus4))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, shutil, sys
        from pathlib import Path
        args = sys.argv[1:]
        with open({str(tmp_path / "npm.log")!r}, "a") as log:
            log.write(" ".join(args) + "\\n")
        spec, dest = args[1], Path(args[args.index("--pack-destination") + 1])
        source = Path({str(tarballs)!r}) / (spec + ".tgz")
        if args[0] != "pack" or not source.is_file():
            sys.exit("npm error 404 Not Found: " + spec)
        name = spec.replace("@", "-") + ".tgz"
        shutil.copy(source, dest / name)
        print(json.dumps([{{"filename": name, "integrity": "sha512-test"}}]))
        """))
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path / "home"))
    return tmp_path / "npm.log"


def test_fetch_keeps_what_the_profiles_name_and_is_idempotent(fake_npm: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    folders = ort_release.fetch(messages.append)
    node = tmp_path / "home" / "runtimes" / "onnxruntime" / "npm" / "onnxruntime-node@1.23.2"
    assert node in folders
    kept = sorted(str(p.relative_to(node)) for p in node.rglob("*") if p.is_file())
    assert kept == ["LICENSE", "bin/napi-v6/linux/arm64/libonnxruntime.so.1", "bin/napi-v6/linux/x64/libonnxruntime.so.1",
                    "fetched.json", "package.json"]  # no Windows DLLs, no JavaScript
    record = json.loads((node / "fetched.json").read_text())
    assert record["integrity"] == "sha512-test" and len(record["tarball_sha256"]) == 64
    aar = NpmRef.parse("npm:com.github.asus4.onnxruntime@0.4.9:Plugins/Android/onnxruntime.aar!jni/arm64-v8a").local()
    assert zipfile.ZipFile(aar).namelist() == ["jni/arm64-v8a/libonnxruntime.so"]
    assert (NpmRef.parse(ort_release.HEADERS).local() / "onnxruntime_c_api.h").is_file()
    assert any("npm pack" in m for m in messages)
    calls = fake_npm.read_text().splitlines()
    assert len(calls) == 2
    again: list[str] = []
    assert ort_release.fetch(again.append) == folders
    assert fake_npm.read_text().splitlines() == calls  # nothing fetched again
    assert all("already in" in m for m in again)


def test_a_package_without_the_named_path_is_refused(fake_npm: Path, tmp_path: Path) -> None:
    registry = tmp_path / "registry" / "onnxruntime-node@1.23.2.tgz"
    registry.write_bytes(_tarball({"bin/napi-v6/linux/x64/libonnxruntime.so.1": b"x64"}))
    with pytest.raises(OrtReleaseError, match="the package has no bin/napi-v6/linux/arm64"):
        ort_release.fetch()
    assert not (tmp_path / "home" / "runtimes" / "onnxruntime" / "npm" / "onnxruntime-node@1.23.2").exists()


def test_cli_fetch_prints_the_package_folders(fake_npm: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "edgeocr.cli.main", "runtimes", "fetch", "onnxruntime"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert [Path(line).name for line in proc.stdout.splitlines()] == ["com.github.asus4.onnxruntime@0.4.9",
                                                                        "onnxruntime-node@1.23.2"]


def test_npm_missing_or_failing_is_a_clear_error(fake_npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "registry" / "onnxruntime-node@1.23.2.tgz").unlink()
    with pytest.raises(OrtReleaseError, match="npm pack onnxruntime-node@1.23.2 failed .*404"):
        ort_release.fetch()
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(OrtReleaseError, match="npm not found on PATH"):
        ort_release.fetch()
