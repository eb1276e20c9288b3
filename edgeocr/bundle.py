"""A bundle: the models converted for one target and runtime, with everything a runner needs.

Layout (written by ``edgeocr.convert.bundle``)::

    bundle/
      det.nb cls.nb rec.nb      # the converted models (cls optional): .nb for Paddle-Lite,
                                # det.onnx cls.onnx rec.onnx for ONNX Runtime
      ppocr_keys_v1.txt         # rec dictionary
      config.json               # what a runner needs: model files, dictionary, OCR settings
      manifest.json             # target (with its runtime), converter, sha256 of every file, provenance

``Bundle.load`` reads and checks a bundle once — format, every file against its sha256 —
and every consumer (the Python backends, runners, deploy, bench, inspect) takes the loaded
object instead of re-reading and re-hashing the folder. It lives below the stages because
the OCR backends, the converter and the device side all speak of bundles; it imports only
the configuration and the target profiles, so a runner on a device can load it without the
converter or Paddle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from edgeocr.config import OCRConfig
from edgeocr.errors import ModelError
from edgeocr.paths import TASKS
from edgeocr.targets import Target, load_target
from edgeocr.utils.hashing import sha256_file
from edgeocr.utils.jsonfile import read_json_object

MANIFEST = "manifest.json"
CONFIG = "config.json"
FORMAT = "edgeocr-bundle/1"


@dataclass(frozen=True)
class Bundle:
    """A loaded, verified bundle folder."""

    path: Path
    manifest: Mapping[str, Any]
    config: OCRConfig
    model_files: Mapping[str, Path]  # task -> converted model file
    dict_path: Path
    target: Target

    @classmethod
    def load(cls, path: str | os.PathLike, verify: bool = True) -> Bundle:
        """Read the bundle at ``path``; with ``verify`` every listed file must match its sha256."""
        b = Path(path)
        if not (b / MANIFEST).is_file():
            raise ModelError(f"{b}: not an edgeocr bundle (no {MANIFEST})")
        manifest = read_json_object(b / MANIFEST, "bundle manifest", ModelError)
        if manifest.get("format") != FORMAT:
            raise ModelError(f"{b / MANIFEST}: unknown bundle format {manifest.get('format')!r} (expected {FORMAT})")
        runtime = manifest.get("target", {}).get("runtime")
        if not isinstance(runtime, dict) or "name" not in runtime:
            raise ModelError(f"{b / MANIFEST}: bundle made by an older edgeocr (no target runtime recorded); "
                             "convert it again")
        for name, digest in manifest["files"].items():
            f = b / name
            if not f.is_file():
                raise ModelError(f"{f}: missing from bundle")
            if verify and sha256_file(f) != digest:
                raise ModelError(f"{f}: does not match the bundle manifest (modified or truncated)")
        config = read_json_object(b / CONFIG, "bundle config", ModelError)
        return cls(path=b, manifest=manifest, config=OCRConfig.from_json(config["ocr"]),
                   model_files={t: b / f for t, f in config["models"].items()},
                   dict_path=b / config["dictionary"],
                   target=load_target(manifest["target"]["name"], runtime=runtime["name"]))

    @property
    def name(self) -> str:
        return f"bundle:{self.path.name}"

    @property
    def runtime(self) -> str:
        """The runtime the bundle's models run on (``paddle-lite`` or ``onnxruntime``)."""
        return self.manifest["target"]["runtime"]["name"]

    @property
    def runtime_version(self) -> str:
        """The runtime version the models were converted for (Paddle-Lite: the runtime must be
        exactly it; ONNX Runtime: at least it)."""
        return self.manifest["converter"]["version"]

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(t for t in TASKS if t in self.model_files)

    def has(self, task: str) -> bool:
        """Whether the bundle holds model ``task`` (the classifier is optional)."""
        return task in self.model_files

    def model_file(self, task: str) -> Path:
        if task not in self.model_files:
            raise ModelError(f"{self.path}: bundle has no {task} model")
        return self.model_files[task]

    location = model_file  # where model ``task`` is, for messages and records (``ModelSource``)

    def quantized_tasks(self) -> list[str]:
        return [t for t, m in self.manifest["models"].items() if m["quantized"]]

    @property
    def hashes(self) -> dict[str, str]:
        """sha256 of every file but the manifest, as the manifest lists (and ``load`` checked) them."""
        return dict(self.manifest["files"])

    @property
    def files(self) -> dict[str, Path]:
        """Every file a copy of the bundle consists of, by name (manifest included)."""
        return {name: self.path / name for name in [*self.manifest["files"], MANIFEST]}
