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

from edgeocr.convert.manifest import CONFIG, MANIFEST, load_manifest
from edgeocr.convert.targets import Target, load_target
from edgeocr.errors import InputError
from edgeocr.models.modelset import INFER_MODEL, INFER_PARAMS, ModelSet

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
    """``kind`` is ``bundle`` (Paddle-Lite, any device) or ``models`` (Paddle Inference,
    host-only); ``files`` maps device-relative names to local files."""

    kind: str
    path: Path
    files: dict[str, Path]
    label: str
    dict_path: Path
    manifest: dict[str, Any] | None = None
    target: Target | None = None
    tasks: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def bundle(cls, path: str | os.PathLike) -> Payload:
        """A bundle folder, its manifest checked file by file."""
        p = Path(path)
        manifest = load_manifest(p)
        files = {name: p / name for name in [*manifest["files"], MANIFEST]}
        models = manifest["models"]
        label = model_label(any(m["quantized"] for m in models.values()),
                            [r for m in models.values() for r in compression_history(m["source"])])
        dictionary = json.loads((p / CONFIG).read_text(encoding="utf-8"))["dictionary"]
        return cls(BUNDLE, p, files, label, p / dictionary, manifest, load_target(manifest["target"]["name"]),
                   {t: {"file": m["file"], "quantized": m["quantized"]} for t, m in models.items()})

    @classmethod
    def models(cls, path: str | os.PathLike) -> Payload:
        """A model-set folder (``det/ rec/ [cls/]`` inference models + one dictionary)."""
        from edgeocr.convert.program import is_quantized, read_program

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
        label = model_label(any(t["quantized"] for t in tasks.values()), records)
        return cls(MODELS, p, files, label, models.dict_path, tasks=tasks)

    @property
    def backend(self) -> str:
        """The Python runner backend that runs it."""
        return "lite" if self.kind == BUNDLE else "paddle"

    @property
    def converter_version(self) -> str | None:
        return self.manifest["converter"]["version"] if self.manifest else None

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
        if self.manifest is not None:
            out["manifest"] = self.manifest
        return out


def resolve_payload(bundle: Path | None, models: Path | None) -> Payload:
    """The payload the user chose: exactly one of a bundle and a model set."""
    if (bundle is None) == (models is None):
        raise InputError("choose what to run: --bundle DIR (Paddle-Lite) or --models DIR (host-only Paddle Inference)")
    return Payload.bundle(bundle) if bundle is not None else Payload.models(models)
