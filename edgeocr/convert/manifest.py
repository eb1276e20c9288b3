"""Reading a bundle back: its manifest (checked file by file) and a ``ModelSet`` view of it.

Kept apart from the writer (``bundle.py``) so runtimes can read bundles without importing
the converter and the OCR pipeline it configures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from edgeocr.errors import ModelError
from edgeocr.models.modelset import ModelSet
from edgeocr.utils.hashing import sha256_file

MANIFEST = "manifest.json"
CONFIG = "config.json"
FORMAT = "edgeocr-bundle/1"


def load_manifest(bundle: str | os.PathLike) -> dict:
    """A bundle's manifest, checked for format and for every listed file's hash."""
    b = Path(bundle)
    path = b / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelError(f"{path}: not an edgeocr bundle (no readable manifest)") from e
    except ValueError as e:
        raise ModelError(f"{path}: corrupt bundle manifest ({e})") from e
    if manifest.get("format") != FORMAT:
        raise ModelError(f"{path}: unknown bundle format {manifest.get('format')!r} (expected {FORMAT})")
    for name, digest in manifest["files"].items():
        f = b / name
        if not f.is_file():
            raise ModelError(f"{f}: missing from bundle")
        if sha256_file(f) != digest:
            raise ModelError(f"{f}: does not match the bundle manifest (modified or truncated)")
    return manifest


def bundle_model_set(bundle: str | os.PathLike) -> ModelSet:
    """A ``ModelSet`` view of a bundle (every task's folder is the bundle itself)."""
    b = Path(bundle)
    manifest = load_manifest(b)
    config = json.loads((b / CONFIG).read_text(encoding="utf-8"))
    tasks = manifest["models"]
    return ModelSet(det=b, rec=b, cls=b if "cls" in tasks else None,
                    dict_path=b / config["dictionary"], name=f"bundle:{b.name}")


def bundle_config(bundle: str | os.PathLike):
    """The OCR settings (``OCRConfig``) a bundle was converted with, from its ``config.json``."""
    from edgeocr.ocr.config import OCRConfig  # late: the OCR package imports this module

    saved = json.loads((Path(bundle) / CONFIG).read_text(encoding="utf-8"))["ocr"]
    return OCRConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
