"""ONNX Runtime for the native runner: the libraries and C API headers, fetched from npm at
set-up time (never committed) and checked before anything is compiled.

Each target profile says where its library comes from (``runtimes.onnxruntime.release``)::

    npm:<package>@<version>:<path in the package>[!<path inside that archive>]

- ``npm:onnxruntime-node@1.23.2:bin/napi-v6/linux/arm64`` - the C API library
  ``libonnxruntime.so.1`` for ARM Linux (glibc); ``linux/x64`` for this host;
- ``npm:com.github.asus4.onnxruntime@0.4.9:Plugins/Android/onnxruntime.aar!jni/arm64-v8a`` -
  the official Android AAR (ORT 1.29.0), one ``libonnxruntime.so`` per ABI, and its headers.

Both packages are MIT-licensed; their licence files are kept beside the files taken. The
headers (API 29) serve every library: the runner requests the older library's API version
(``targets/native/onnxruntime``). ``fetch`` keeps only what the profiles and the headers
need, under ``<edgeocr home>/runtimes/onnxruntime/npm/<package>@<version>/`` with the
package's own paths, written atomically; a package already there is not fetched again.
Tests never fetch: they use this cache, or skip saying how to fill it.

``prepare`` turns a target's library (the cached one, or ``--ort-lib``: a library file, a
folder holding one, or an AAR) into the ``ONNXRUNTIME_DIR`` CMake builds against
(``include/`` + ``lib/<library>``), after checking it: an AAR must hold the target's ABI, the
library must be built for the target's CPU and OS, and be at least the target's version.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from edgeocr.errors import InputError
from edgeocr.paths import home
from edgeocr.runner.runtime_lib import RuntimeLibraryError, check_built_for, library_version, version_key
from edgeocr.targets import Target, list_targets
from edgeocr.utils.atomic import atomic_dir, write_json
from edgeocr.utils.hashing import sha256_file

RUNTIME = "onnxruntime"
#: the C/C++ API headers (ORT 1.29, C API version 29): the iOS framework's copy, the same files as the AAR's headers/
HEADERS = "npm:com.github.asus4.onnxruntime@0.4.9:Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
C_API_HEADER = "onnxruntime_c_api.h"
#: package files kept beside the ones taken: licences and what the package is
KEPT = ("LICENSE", "LICENSE.txt", "ThirdPartyNotices.txt", "package.json", "README.md")
RECORD = "fetched.json"
NPM_TIMEOUT_S = 900

Log = Callable[[str], None]


class OrtReleaseError(InputError):
    """An ONNX Runtime library or package is missing, unreadable or wrong for the target."""


@dataclass(frozen=True)
class NpmRef:
    """A path inside an npm package (``release`` strings of the target profiles)."""

    package: str
    version: str
    path: str                 # inside the package, without npm's leading ``package/``
    member: str | None = None  # inside the archive at ``path`` (an AAR's ``jni/<abi>``)

    @classmethod
    def parse(cls, release: str) -> NpmRef:
        match = re.fullmatch(r"npm:(@?[^@:]+)@([^:]+):([^!]+)(?:!(.+))?", release)
        if not match:
            raise OrtReleaseError(f"{release!r}: not an npm release (npm:<package>@<version>:<path>[!<member>])")
        return cls(*match.groups())

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    def local(self) -> Path:
        """Where ``path`` lies once fetched."""
        return cache_root() / "npm" / self.spec / self.path


@dataclass(frozen=True)
class OrtRelease:
    """A checked ONNX Runtime library, staged as ``ONNXRUNTIME_DIR`` (``dir``/include, ``dir``/lib)."""

    dir: Path
    library: Path    # dir/lib/<the target's library name>
    version: str
    source: str      # where it came from (file, folder or AAR member), for build.json


def cache_root() -> Path:
    """``<edgeocr home>/runtimes/onnxruntime``."""
    return home() / "runtimes" / RUNTIME


def references() -> list[NpmRef]:
    """Every npm path the target profiles' ONNX Runtime releases and the headers need."""
    refs = [NpmRef.parse(rt.release) for t in list_targets() for rt in t.runtimes if rt.name == RUNTIME]
    return [*refs, NpmRef.parse(HEADERS)]


def api_version(version: str) -> int:
    """The C API version (``OrtGetApiBase()->GetApi(N)``) of ONNX Runtime ``version``: its minor."""
    key = version_key(version)
    if len(key) < 2 or key[0] != 1:
        raise OrtReleaseError(f"ONNX Runtime {version}: only 1.x versions have a known C API version (1.N -> N)")
    return key[1]


# -- fetching ---------------------------------------------------------------------------------


def fetch(log: Log = lambda _: None) -> list[Path]:
    """Fetch every package the profiles name (see the module doc); returns the package folders."""
    wanted: dict[str, list[NpmRef]] = {}
    for ref in references():
        wanted.setdefault(ref.spec, []).append(ref)
    return [_fetch_package(refs, log) for refs in wanted.values()]


def _fetch_package(refs: list[NpmRef], log: Log) -> Path:
    spec, paths = refs[0].spec, sorted({r.path for r in refs})
    dest = cache_root() / "npm" / spec
    record = dest / RECORD
    if record.is_file() and set(paths) <= set(json.loads(record.read_text(encoding="utf-8"))["paths"]):
        log(f"{spec}: already in {dest}")
        return dest
    npm = shutil.which("npm")
    if npm is None:
        raise OrtReleaseError(f"npm not found on PATH: it fetches {spec} (Debian: apt-get install nodejs npm)")
    with tempfile.TemporaryDirectory(prefix="edgeocr-npm-") as tmp:
        log(f"{spec}: npm pack (downloads the package once)")
        proc = subprocess.run([npm, "pack", spec, "--json", "--pack-destination", tmp], capture_output=True, text=True,
                              timeout=NPM_TIMEOUT_S, cwd=tmp)
        if proc.returncode:
            raise OrtReleaseError(f"npm pack {spec} failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
        [packed] = json.loads(proc.stdout)
        tarball = Path(tmp) / packed["filename"]
        log(f"{spec}: taking {', '.join(paths)} from {tarball.name}")
        with atomic_dir(dest, replace=True) as staging:
            taken = _extract(tarball, paths, staging)
            write_json(staging / RECORD, {"package": spec, "integrity": packed.get("integrity"),
                                          "tarball_sha256": sha256_file(tarball), "paths": paths, "files": taken})
    log(f"{spec}: {len(taken)} files in {dest}")
    return dest


def _extract(tarball: Path, paths: Iterable[str], dest: Path) -> list[str]:
    """The package's files under ``paths`` (files or folders) and its licence files, into ``dest``."""
    prefixes = [PurePosixPath(p) for p in paths]
    taken = []
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            name = PurePosixPath(member.name)
            if not member.isfile() or name.parts[:1] != ("package",) or ".." in name.parts:
                continue
            rel = PurePosixPath(*name.parts[1:])
            if str(rel) not in KEPT and not any(rel == p or p in rel.parents for p in prefixes):
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            taken.append(str(rel))
    missing = [str(p) for p in prefixes if not any(t == str(p) or t.startswith(f"{p}/") for t in taken)]
    if missing:
        raise OrtReleaseError(f"{tarball}: the package has no {', '.join(missing)}")
    return sorted(taken)


# -- checking and staging ---------------------------------------------------------------------


def check_library(library: Path, target: Target, label: str | None = None) -> str:
    """The version of ONNX Runtime library ``library`` (named ``label`` in errors, e.g. an AAR
    member), checked to be built for ``target``'s CPU and OS and at least its runtime version."""
    label = label or str(library)
    try:
        check_built_for(library, target, label)
        version = library_version(library, RUNTIME)
    except RuntimeLibraryError as e:
        raise OrtReleaseError(str(e).replace(str(library), label)) from None
    if version_key(version) < version_key(target.runtime.version):
        raise OrtReleaseError(f"{label} is ONNX Runtime {version}, older than {target.runtime.version}, the version "
                              f"{target.name} bundles are made for: use {target.runtime.release}")
    return version


def prepare(ort_lib: str | os.PathLike | None, target: Target, dest: Path) -> OrtRelease:
    """``target``'s ONNX Runtime library (``ort_lib``, default: the fetched one), checked, then
    staged with the headers as ``dest``/include and ``dest``/lib (see the module doc). Nothing
    is written before the checks pass."""
    with tempfile.TemporaryDirectory(prefix="edgeocr-ort-") as tmp:
        library, beside, source = _locate(ort_lib, target, Path(tmp))
        version = check_library(library, target, source)
        headers = _headers(beside)
        if dest.exists():
            shutil.rmtree(dest)
        (dest / "lib").mkdir(parents=True)
        shutil.copytree(headers, dest / "include")
        staged = dest / "lib" / target.runtime.library
        shutil.copy2(library, staged)
    return OrtRelease(dir=dest, library=staged, version=version, source=source)


def _locate(ort_lib: str | os.PathLike | None, target: Target, tmp: Path) -> tuple[Path, Path, str]:
    """(library file, the folder that may hold its headers, what to call the library in
    messages); an AAR's member and headers are extracted into ``tmp``."""
    if ort_lib is None:
        ref = NpmRef.parse(target.runtime.release)
        where = ref.local()
        if not where.exists():
            raise OrtReleaseError(f"ONNX Runtime {target.runtime.version} for {target.name} ({target.runtime.release}) "
                                  f"is not fetched: run 'edgeocr runtimes fetch onnxruntime' (npm), or pass --ort-lib PATH")
        member = ref.member
    else:
        where, member = Path(ort_lib).expanduser(), None
        if not where.exists():
            raise OrtReleaseError(f"--ort-lib {where}: no such file or folder")
    if zipfile.is_zipfile(where):
        return _from_aar(where, member or f"jni/{target.abi}", target, tmp)
    if where.is_file():
        return where, None, str(where)
    library = next((c for d in (where / "lib", where) for c in (d / "libonnxruntime.so.1", d / "libonnxruntime.so")
                    if c.is_file()), None)
    if library is None:
        raise OrtReleaseError(f"--ort-lib {where}: no libonnxruntime.so.1 or libonnxruntime.so in it or in its lib/")
    return library, where / "include", str(library)


def _from_aar(aar: Path, member: str, target: Target, tmp: Path) -> tuple[Path, Path, str]:
    wanted = f"{member}/{target.runtime.library}"
    with zipfile.ZipFile(aar) as z:
        names = z.namelist()
        if wanted not in names:
            abis = sorted({n.split("/")[1] for n in names if n.startswith("jni/") and n.endswith(".so")})
            raise OrtReleaseError(f"{aar}: no {wanted} inside; the AAR has the ABIs {', '.join(abis) or 'none'}, not "
                                  f"{target.abi} (target {target.name})")
        headers = [n for n in names if n.startswith("headers/") and n.endswith((".h", ".inc"))]
        if f"headers/{C_API_HEADER}" not in headers:
            raise OrtReleaseError(f"{aar}: no headers/{C_API_HEADER} inside (not an ONNX Runtime AAR?)")
        z.extractall(tmp, [wanted, *headers])
    return tmp / wanted, tmp / "headers", f"{aar}!{wanted}"


def _headers(beside: Path | None) -> Path:
    """The C API headers: ``beside`` when it holds them, else the fetched ones."""
    if beside is not None and (beside / C_API_HEADER).is_file():
        return beside
    fetched = NpmRef.parse(HEADERS).local()
    if not (fetched / C_API_HEADER).is_file():
        raise OrtReleaseError(f"no ONNX Runtime headers ({C_API_HEADER}) in {beside or 'the library folder'} or "
                              f"{fetched}: run 'edgeocr runtimes fetch onnxruntime' (npm)")
    return fetched
