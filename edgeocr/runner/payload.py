"""What a runner runs: a Paddle-Lite bundle, or (host-only) an inference-model set.

A ``Payload`` knows which files go to the device, how the runner is told about them, and
how to describe the models in reports: ``float``, ``int8``, ``pruned`` or ``pruned+int8``,
so float, PACT and pruned+PACT runs can be told apart in tables and plots.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from edgeocr.bundle import MANIFEST, Bundle
from edgeocr.errors import InputError
from edgeocr.models.modelset import INFER_MODEL, INFER_PARAMS, ModelSet
from edgeocr.ocr.backends import RUNTIME_BACKENDS
from edgeocr.targets import Target

BUNDLE, MODELS = "bundle", "models"


def model_label(quantized: bool, records: Sequence[Any]) -> str:
    """``float``/``int8``/``pruned``/``pruned+int8`` from whether any model is quantized and
    the compression records of the models (``edgeocr prune`` writes ``method: prune``)."""
    pruned = any(isinstance(r, Mapping) and r.get("method") == "prune" for r in records)
    return "+".join([k for k, on in (("pruned", pruned), ("int8", quantized)) if on]) or "float"


def compression_history(info: Mapping[str, Any]) -> list[Any]:
    """Compression records of a model and of the models it was made from, following each
    manifest's ``source.dir`` (a PACT model fine-tuned from a pruned one is both)."""
    records: list[Any] = []
    seen: set[str] = set()
    while True:
        if info.get("compression") is not None:
            records.append(info["compression"])
        source = info.get("source")
        parent = source.get("dir") if isinstance(source, Mapping) else None
        if not parent or parent in seen or not (Path(parent) / MANIFEST).is_file():
            return records
        seen.add(parent)
        info = json.loads((Path(parent) / MANIFEST).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Payload:
    """``kind`` is ``bundle`` (any device) or ``models`` (Paddle Inference, host-only);
    ``files`` maps device-relative names to local files, ``hashes`` their sha256 where
    already known (a bundle's, checked when it was loaded), so deploy need not hash again."""

    kind: str
    path: Path
    files: dict[str, Path]
    label: str
    dict_path: Path
    bundle: Bundle | None = None
    tasks: dict[str, Any] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_bundle(cls, bundle: Bundle) -> Payload:
        """A loaded bundle: every file of it goes to the device."""
        models = bundle.manifest["models"]
        label = model_label(any(m["quantized"] for m in models.values()),
                            [r for m in models.values() for r in compression_history(m["source"])])
        return cls(BUNDLE, bundle.path, bundle.files, label, bundle.dict_path, bundle,
                   {t: {"file": m["file"], "quantized": m["quantized"]} for t, m in models.items()}, bundle.hashes)

    @classmethod
    def models(cls, path: str | os.PathLike) -> Payload:
        """A model-set folder (``det/ rec/ [cls/]`` inference models + one dictionary)."""
        from edgeocr.models.program import is_quantized, read_program

        p = Path(path)
        models = ModelSet.from_dir(p)
        files = {models.dict_path.name: models.dict_path}
        tasks, records = {}, []
        for task in ("det", "cls", "rec"):
            if models.dir(task) is None:
                continue
            pdmodel, pdiparams = models.inference_files(task)
            files.update({f"{task}/{INFER_MODEL}": pdmodel, f"{task}/{INFER_PARAMS}": pdiparams})
            records += compression_history({"source": {"dir": str(models.dir(task))}})
            tasks[task] = {"dir": str(models.dir(task)), "quantized": is_quantized(read_program(pdmodel))}
        if (p / "manifest.json").is_file():  # the set's family and OCR settings travel with it
            files["manifest.json"] = p / "manifest.json"
        label = model_label(any(t["quantized"] for t in tasks.values()), records)
        return cls(MODELS, p, files, label, models.dict_path, tasks=tasks)

    @property
    def backend(self) -> str:
        """The Python runner backend that runs it."""
        return RUNTIME_BACKENDS[self.bundle.runtime] if self.bundle else "paddle"

    @property
    def manifest(self) -> Mapping[str, Any] | None:
        return self.bundle.manifest if self.bundle else None

    @property
    def target(self) -> Target | None:
        return self.bundle.target if self.bundle else None

    @property
    def runtime_version(self) -> str | None:
        """The runtime version the bundle needs (None for host-only inference models)."""
        return self.bundle.runtime_version if self.bundle else None

    def runner_args(self, remote_dir: str) -> list[str]:
        """Runner arguments naming the payload at ``remote_dir``."""
        if self.kind == BUNDLE:
            return ["--bundle", remote_dir]
        return ["--backend", self.backend, "--models", remote_dir]

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.files.values())

    def to_json(self) -> dict[str, Any]:
        """What a result records about the models: enough to tell runs apart and trace them."""
        out: dict[str, Any] = {"kind": self.kind, "path": str(self.path), "label": self.label,
                               "size_bytes": self.size_bytes(), "tasks": self.tasks}
        if self.bundle is not None:
            out["manifest"] = dict(self.bundle.manifest)
        return out


def resolve_payload(bundle: Path | None, models: Path | None) -> Payload:
    """The payload the user chose: exactly one of a bundle and a model set."""
    if (bundle is None) == (models is None):
        raise InputError("choose what to run: --bundle DIR (made by edgeocr convert) or --models DIR (host-only Paddle "
                         "Inference)")
    return Payload.of_bundle(Bundle.load(bundle)) if bundle is not None else Payload.models(models)
