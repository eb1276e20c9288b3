"""The interface every runtime's converter implements, so that writing a bundle
(``edgeocr.convert.bundle``) and ``inspect`` never need to know which runtimes exist.

A converter turns one inference model (Paddle ``.pdmodel``/``.pdiparams``) into the file a
runtime loads, after a preflight that names what that runtime version cannot run, and
describes such a file afterwards without running it (target, precisions of its kernels).
"""

from __future__ import annotations

import os
import shutil
import sys
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Protocol

from edgeocr.errors import EdgeOCRError
from edgeocr.models.modelset import ModelSet
from edgeocr.targets import Target


class ConversionError(EdgeOCRError):
    """The converter refused or failed on a model."""


def console_script(name: str, package: str) -> str:
    """The ``name`` command of the pinned ``package``: beside this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        raise ConversionError(f"{name} not found: install the pinned {package} package (make setup)")
    return found


class ModelFileInfo(Protocol):
    """What a converted model file says about itself (``inspect``)."""

    path: str
    size_bytes: int
    converter_version: str
    target: str  # the CPU family its kernels are for (arm / x86), or "any" for portable formats

    def precision_counts(self) -> dict[str, int]:
        """Compute kernels (or nodes) by precision, e.g. ``{"float": 40, "int8": 31}``."""

    def to_json(self) -> dict: ...


class Converter(ABC):
    """Converts inference models for one runtime."""

    runtime: str  # the runtime name of the target profiles (edgeocr.targets.RUNTIMES)
    tool: str     # what converts, recorded in the manifest
    suffix: str   # the converted file's suffix (".nb", ".onnx")

    @abstractmethod
    def version(self, target: Target) -> str:
        """The runtime version the converted files are made for (the bundle's ``converter.version``)."""

    def tool_version(self) -> str:
        """The converting tool's own version, when it differs from ``version`` (provenance only)."""
        return ""

    def options(self) -> dict:
        """Choices that change the converted files (part of the bundle's fingerprint and manifest)."""
        return {}

    @abstractmethod
    def convert(self, task: str, models: ModelSet, target: Target, workdir: Path, out_prefix: Path) -> dict:
        """Preflight, repair and convert model ``task`` to ``out_prefix + suffix``; return its manifest entry
        (``file``, ``quantized``, ``repairs``, ``kernel_precisions``, ``ops``, plus runtime-specific keys)."""

    @abstractmethod
    def describe(self, path: str | os.PathLike) -> ModelFileInfo:
        """Read a converted file without running it; anything else is a ``ModelError``."""
