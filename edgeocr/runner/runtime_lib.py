"""Paddle-Lite runtime libraries for the native runner: finding them and reading their version.

A Paddle-Lite build stores its release tag (``lite/core/version.h``: ``paddlelite_tag()``)
as a plain NUL-terminated string such as ``v2.13-rc`` inside the library, and ``opt`` writes
the same tag into every ``.nb``. So the version of ``libpaddle_light_api_shared.so`` is read
from the file itself, with no ARM machine needed, and compared with the bundle's converter
version before anything is pushed: a mismatch is the most common cause of "No kernels
found" crashes and silently wrong results on phones.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from edgeocr.errors import InputError

_TAG = re.compile(rb"(?<=\x00)v\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?(?=\x00)")
_HINTS = {
    "libc++_shared.so": "the Android NDK's C++ runtime: sources/cxx-stl/llvm-libc++/libs/<abi>/ "
                        "or toolchains/llvm/prebuilt/*/sysroot/usr/lib/<triple>/",
}


class RuntimeLibraryError(InputError):
    """A runtime library is missing, unreadable or of an unknown version."""


def library_version(path: str | os.PathLike) -> str:
    """The Paddle-Lite release tag inside library ``path`` (e.g. ``v2.13-rc``).

    Exactly one tag-like NUL-terminated string must be present: none means an untagged
    developer build (its version reads ``branch(commit)``) or not a Paddle-Lite library,
    several mean we cannot tell which one is the runtime's.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise RuntimeLibraryError(f"{p}: cannot read runtime library ({e.strerror or e})") from None
    tags = sorted({m.group().decode() for m in _TAG.finditer(data)})
    if not tags:
        raise RuntimeLibraryError(f"{p}: no Paddle-Lite version tag (like v2.13-rc) inside; use a library from a "
                                  "tagged Paddle-Lite release")
    if len(tags) > 1:
        raise RuntimeLibraryError(f"{p}: several version tags inside ({', '.join(tags)}); cannot tell the runtime "
                                  "version")
    return tags[0]


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
