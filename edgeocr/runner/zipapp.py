"""The Python runner as one file: a zipapp (PEP 441) of the ``edgeocr`` package sources.

``python3 edgeocr-runner.pyz --bundle ...`` runs it on any device with Python and the
runner's dependencies (``python_runner.DEPENDENCIES``); nothing is installed there.

The archive is byte-for-byte reproducible (sorted entries, fixed timestamps and modes), so
the same sources give the same hash and deploy skips pushing an unchanged runner.

Target profiles are data files, which Python cannot read out of a zip as a folder: deploy
puts the ones a bundle needs in ``targets/`` beside the archive, and the archive's
``__main__`` points ``$EDGEOCR_TARGETS`` there unless it is set.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import edgeocr
from edgeocr.utils.atomic import atomic_path

PYZ_NAME = "edgeocr-runner.pyz"
TARGETS_DIR = "targets"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_MAIN = f'''"""edgeocr Python runner (zipapp): python3 {PYZ_NAME} --help"""
import os
import sys

os.environ.setdefault("EDGEOCR_TARGETS", os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "{TARGETS_DIR}"))
from edgeocr.runner.python_runner import main

sys.exit(main())
'''


def package_sources() -> list[Path]:
    """Every ``.py`` file of the installed ``edgeocr`` package, sorted."""
    root = Path(edgeocr.__file__).parent
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def build_runner_zipapp(dest: str | os.PathLike) -> Path:
    """Write the runner zipapp to ``dest`` (atomically) and return its path."""
    dest = Path(dest)
    base = Path(edgeocr.__file__).parent.parent
    with atomic_path(dest) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        archive.writestr(_entry("__main__.py"), _MAIN)
        for source in package_sources():
            archive.writestr(_entry(source.relative_to(base).as_posix()), source.read_bytes())
    return dest
