"""Writing bundles (layout: ``edgeocr.bundle``): the converted det/cls/rec files, the
dictionary, the runner config and a manifest, converted for one target and its runtime (by
that runtime's converter, ``edgeocr.convert.runtimes``) and written atomically.

The manifest's ``fingerprint`` (target + converter + sha256 of every source model) says
whether an existing folder already holds *this* bundle, so re-running a conversion is
safe while overwriting a different bundle needs ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from edgeocr.bundle import CONFIG, FORMAT, MANIFEST, Bundle
from edgeocr.config import OCRConfig
from edgeocr.convert.runtimes import Converter, converter_for
from edgeocr.errors import InputError
from edgeocr.models.modelset import ONNX_FILE, ModelSet
from edgeocr.targets import Target
from edgeocr.utils.atomic import atomic_dir, write_json
from edgeocr.utils.hashing import sha256_file


def _source_info(models: ModelSet, task: str) -> dict:
    """Provenance of one source model: its files' hashes plus whatever its own manifest records."""
    if models.has_paddle_model(task):
        pdmodel, pdiparams = models.inference_files(task)
        info = {"dir": str(models.dir(task)), "pdmodel_sha256": sha256_file(pdmodel),
                "pdiparams_sha256": sha256_file(pdiparams)}
    else:  # a model released as ONNX only (PP-OCRv5): the ONNX Runtime converter takes it as it is
        info = {"dir": str(models.dir(task)), "onnx_sha256": sha256_file(models.location(task) / ONNX_FILE)}
    own = models.dir(task) / MANIFEST
    if own.is_file():
        meta = json.loads(own.read_text(encoding="utf-8"))
        info.update({k: meta[k] for k in ("source", "recipe", "eval", "compression", "parameters") if k in meta})
    return info


def _fingerprint(target: Target, converter: Converter, sources: dict[str, dict], dict_sha: str) -> str:
    h = hashlib.sha256(f"{target.name}|{converter.runtime}|{converter.version(target)}|{converter.tool_version()}|"
                       f"{json.dumps(converter.options(), sort_keys=True)}|{dict_sha}".encode())
    for task in sorted(sources):
        digests = ":".join(v for k, v in sorted(sources[task].items()) if k.endswith("_sha256"))
        h.update(f"|{task}:{digests}".encode())
    return h.hexdigest()


def _check_output(out: Path, fingerprint: str, force: bool) -> None:
    if not out.exists() or force or not any(out.iterdir()):
        return
    manifest = out / MANIFEST
    try:
        existing = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        existing = None
    if existing != fingerprint:
        what = "a different bundle" if existing else "files that are not an edgeocr bundle"
        raise InputError(f"{out}: already holds {what}; choose another --out or pass --force to replace it")


def convert_bundle(models: ModelSet, target: Target, out: str | os.PathLike, force: bool = False,
                   config: OCRConfig | None = None, progress: Callable[[str], None] = lambda _: None,
                   converter: Converter | None = None) -> Bundle:
    """Convert every model of ``models`` for ``target`` (and its runtime) into the bundle folder ``out``
    (``converter``: one with options, for the target's runtime; default: that runtime's plain one)."""
    out = Path(out)
    converter = converter or converter_for(target.runtime.name)
    if converter.runtime != target.runtime.name:
        raise InputError(f"a {converter.runtime} converter cannot make a {target.runtime.name} bundle")
    tasks = [t for t in ("det", "cls", "rec") if models.dir(t) is not None]
    sources = {t: _source_info(models, t) for t in tasks}
    dict_sha = sha256_file(models.dict_path)
    fingerprint = _fingerprint(target, converter, sources, dict_sha)
    _check_output(out, fingerprint, force)
    config = config or models.config
    entries = {}
    with atomic_dir(out, replace=True) as tmp, tempfile.TemporaryDirectory() as work:
        for task in tasks:
            progress(f"{task}: preflight + convert for {target.name} ({target.runtime.name})")
            entries[task] = converter.convert(task, models, target, Path(work), tmp / task)
            entries[task]["source"] = sources[task]
            for r in entries[task]["repairs"]:
                progress(f"{task}: repaired {r['count']} {r['op']} op(s): {r['why']}")
            for warning in entries[task].pop("warnings", []):
                progress(f"{task}: warning: {warning}")
        shutil.copyfile(models.dict_path, tmp / models.dict_path.name)
        write_json(tmp / CONFIG, {
            "models": {t: entries[t]["file"] for t in tasks},
            "dictionary": models.dict_path.name,
            "ocr": config.to_json(),
        })
        files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        write_json(tmp / MANIFEST, {
            "format": FORMAT,
            "target": target.to_json(),
            "converter": {"tool": converter.tool, "version": converter.version(target),
                          **({"tool_version": converter.tool_version()} if converter.tool_version() else {}),
                          **converter.options()},
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "model_set": models.name,
            "family": models.family,
            "fingerprint": fingerprint,
            "models": entries,
            "files": files,
        })
    return Bundle.load(out, verify=False)  # just written and hashed
