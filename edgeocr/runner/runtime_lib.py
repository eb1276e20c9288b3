"""Runtime libraries for the native runner (Paddle-Lite, ONNX Runtime): finding them,
reading their version, and whether that version runs a bundle.

A Paddle-Lite build stores its release tag (``lite/core/version.h``: ``paddlelite_tag()``)
as a plain NUL-terminated string such as ``v2.13-rc`` inside the library, and ``opt`` writes
the same tag into every ``.nb``. So the version of ``libpaddle_light_api_shared.so`` is read
from the file itself, with no ARM machine needed, and compared with the bundle's converter
version before anything is pushed: a mismatch is the most common cause of "No kernels
found" crashes and silently wrong results on phones. It must be equal.

ONNX Runtime stores ``ORT_VERSION`` (what ``GetVersionString()`` returns, e.g. ``1.23.2``)
the same way. Its Android builds also carry the version of a bundled telemetry SDK (1.3.2),
so of the ``1.N.M`` strings inside the newest is the runtime's: ORT itself passed 1.3 in
2020, long before the C API versions a runner requests. ONNX models run on the ONNX Runtime
they were made for or any newer one, so the library must be at least the bundle's version.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from edgeocr.errors import InputError
from edgeocr.runner.elf import ElfError, read_elf
from edgeocr.targets import Target

_TAG = re.compile(rb"(?<=\x00)v\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?(?=\x00)")
_ORT_VERSION = re.compile(rb"(?<=\x00)1\.\d+\.\d+(?=\x00)")
_OS_NAMES = {"android": "Android", "linux": "Linux (glibc)"}
_HINTS = {
    "libc++_shared.so": "the Android NDK's C++ runtime: sources/cxx-stl/llvm-libc++/libs/<abi>/ "
                        "or toolchains/llvm/prebuilt/*/sysroot/usr/lib/<triple>/",
}


class RuntimeLibraryError(InputError):
    """A runtime library is missing, unreadable or of an unknown version."""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise RuntimeLibraryError(f"{path}: cannot read runtime library ({e.strerror or e})") from None


def version_key(version: str) -> tuple[int, ...]:
    """``1.23.2`` -> ``(1, 23, 2)``, for comparing ONNX Runtime versions; anything else is an error."""
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise RuntimeLibraryError(f"{version!r} is not an ONNX Runtime version (like 1.23.2)")
    return tuple(int(part) for part in version.split("."))


def library_version(path: str | os.PathLike, runtime: str = "paddle-lite") -> str:
    """The version of ``runtime``'s library at ``path`` (Paddle-Lite: ``v2.13-rc``, ONNX Runtime: ``1.23.2``)."""
    return (_ort_version if runtime == "onnxruntime" else _lite_version)(Path(path))


def _ort_version(path: Path) -> str:
    found = {m.group().decode() for m in _ORT_VERSION.finditer(_read(path))}
    if not found:
        raise RuntimeLibraryError(f"{path}: no ONNX Runtime version string (like 1.23.2) inside; not an ONNX Runtime "
                                  "library?")
    return max(found, key=version_key)


def _lite_version(p: Path) -> str:
    """The Paddle-Lite release tag inside the library.

    Exactly one tag-like NUL-terminated string must be present: none means an untagged
    developer build (its version reads ``branch(commit)``) or not a Paddle-Lite library,
    several mean we cannot tell which one is the runtime's.
    """
    tags = sorted({m.group().decode() for m in _TAG.finditer(_read(p))})
    if not tags:
        raise RuntimeLibraryError(f"{p}: no Paddle-Lite version tag (like v2.13-rc) inside; use a library from a "
                                  "tagged Paddle-Lite release")
    if len(tags) > 1:
        raise RuntimeLibraryError(f"{p}: several version tags inside ({', '.join(tags)}); cannot tell the runtime "
                                  "version")
    return tags[0]


def check_built_for(library: Path, target: Target, label: str | None = None) -> None:
    """Refuse ``library`` (called ``label`` in messages, e.g. an archive member) when it is not
    an ELF file for ``target``'s CPU and OS (glibc vs Android, from what it links), naming
    the release to use instead."""
    label = label or str(library)
    try:
        elf = read_elf(library)
    except (ElfError, OSError) as e:
        raise RuntimeLibraryError(str(e).replace(str(library), label)) from None
    if elf.arch != target.arch:
        raise RuntimeLibraryError(f"{label} is built for {elf.arch} ({elf.bits}-bit), but target {target.name} is "
                                  f"{target.arch}: use {target.runtime.release}")
    if elf.flavour not in (target.os, "unknown"):
        raise RuntimeLibraryError(f"{label} is built for {_OS_NAMES[elf.flavour]} (it needs {', '.join(elf.needed)}), "
                                  f"but target {target.name} is {_OS_NAMES[target.os]}: use {target.runtime.release}")


def runs_bundle(runtime: str, library: str, bundle: str) -> bool:
    """Whether ``runtime``'s library of version ``library`` runs a bundle converted for version
    ``bundle``: Paddle-Lite exactly that version, ONNX Runtime that version or newer."""
    if runtime == "onnxruntime":
        return version_key(library) >= version_key(bundle)
    return library == bundle


def find_libraries(names: Sequence[str], search: Sequence[str | os.PathLike]) -> dict[str, Path]:
    """``name -> file`` for every library in ``names``, looked up in ``search``: files (taken
    when their name is wanted) and folders (searched recursively, first match in sorted
    order), earlier entries first. Any missing library is one error naming all of them."""
    found: dict[str, Path] = {}
    for entry in map(Path, search):
        if not entry.exists():
            raise RuntimeLibraryError(f"{entry}: no such runtime library file or folder")
        candidates = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*.so*") if p.is_file())
        for candidate in candidates:
            if candidate.name in names:
                found.setdefault(candidate.name, candidate)
    missing = [n for n in names if n not in found]
    if missing:
        where = ", ".join(map(str, search)) or "nowhere (no --runtime-lib given)"
        hints = "".join(f"\n  {n}: {_HINTS[n]}" for n in missing if n in _HINTS)
        raise RuntimeLibraryError(f"missing runtime library {', '.join(missing)} (looked in {where}); pass the "
                                  f"file or its folder with --runtime-lib{hints}")
    return {n: found[n] for n in names}
