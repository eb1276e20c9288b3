"""Writing bundles (layout: ``edgeocr.bundle``): ``det.nb``, ``cls.nb``, ``rec.nb``, the
dictionary, the runner config and a manifest, converted by Paddle-Lite's ``opt`` for one
target and written atomically.

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
from edgeocr.convert.nbfile import read_nb
from edgeocr.convert.opt import ConversionError, converter_version, run_opt, supported_ops
from edgeocr.convert.program import (
    int8_fc_with_a_row_per_image,
    is_quantized,
    op_counts,
    read_program,
    repair_scalar_fill_constant,
    write_program,
)
from edgeocr.errors import InputError
from edgeocr.models.modelset import ModelSet
from edgeocr.targets import Target
from edgeocr.utils.atomic import atomic_dir, write_json
from edgeocr.utils.hashing import sha256_file

# Quantization ops have no kernels of their own: opt's quantization passes fold them into
# int8 kernels, so --print_model_ops lists them as unsupported although they convert.
QUANT_PASS_OPS = {
    "quantize_linear", "dequantize_linear", "moving_average_abs_max_scale",
    "fake_quantize_abs_max", "fake_quantize_range_abs_max", "fake_quantize_moving_average_abs_max",
    "fake_channel_wise_quantize_abs_max", "fake_dequantize_max_abs", "fake_channel_wise_dequantize_max_abs",
    "fake_quantize_dequantize_moving_average_abs_max", "fake_quantize_dequantize_abs_max",
    "fake_channel_wise_quantize_dequantize_abs_max",
}


def _source_info(models: ModelSet, task: str) -> dict:
    """Provenance of one source model: its files' hashes plus whatever its own manifest records."""
    pdmodel, pdiparams = models.inference_files(task)
    info = {"dir": str(models.dir(task)), "pdmodel_sha256": sha256_file(pdmodel),
            "pdiparams_sha256": sha256_file(pdiparams)}
    own = models.dir(task) / MANIFEST
    if own.is_file():
        meta = json.loads(own.read_text(encoding="utf-8"))
        info.update({k: meta[k] for k in ("source", "recipe", "eval", "compression", "parameters") if k in meta})
    return info


def _fingerprint(target: Target, sources: dict[str, dict], dict_sha: str) -> str:
    h = hashlib.sha256(f"{target.name}|{converter_version()}|{dict_sha}".encode())
    for task in sorted(sources):
        h.update(f"|{task}:{sources[task]['pdmodel_sha256']}:{sources[task]['pdiparams_sha256']}".encode())
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


def convert_model(task: str, models: ModelSet, target: Target, workdir: Path, out_prefix: Path) -> dict:
    """Preflight, repair and convert one model; return its manifest entry."""
    pdmodel, pdiparams = models.inference_files(task)
    desc = read_program(pdmodel)
    ops = op_counts(desc)
    supported = supported_ops(pdmodel, pdiparams, list(target.runtime.places))
    missing = sorted(set(ops) - supported - QUANT_PASS_OPS)
    if missing:
        raise ConversionError(f"{pdmodel}: target {target.name} ({','.join(target.runtime.places)}) cannot run "
                              f"these ops: {', '.join(missing)}")
    if "arm" in target.runtime.places:
        fcs = int8_fc_with_a_row_per_image(desc)
        if fcs:
            raise ConversionError(
                f"{pdmodel}: int8 fully connected layer(s) with one row per image ({', '.join(fcs)}): Paddle-Lite "
                f"{converter_version()}'s ARM int8 fc prepares its weights for the first input's row count, so a "
                "predictor whose batch switches between 1 and more images returns wrong results from then on "
                "(measured on the direction classifier: upright crops turned). Keep that layer float: PACT "
                "quant.skip_layers (e.g. ['head.'], as quant/cls_pact.yml), PTQ quant.ptq_op_types without the "
                "matmul ops (as quant/cls_ptq.yml)")
    repairs = []
    repair = repair_scalar_fill_constant(desc)
    if repair:
        repaired = workdir / f"{task}.pdmodel"
        write_program(desc, repaired)
        pdmodel = repaired
        repairs.append(repair.to_json())
    nb = read_nb(run_opt(pdmodel, pdiparams, list(target.runtime.places), out_prefix))
    expected = "x86" if "x86" in target.runtime.places else "arm"
    if nb.target != expected:
        raise ConversionError(f"{nb.path}: converter produced {nb.target} kernels, target {target.name} needs {expected}")
    return {"file": Path(nb.path).name, "quantized": is_quantized(desc), "repairs": repairs,
            "kernel_precisions": nb.precision_counts(), "ops": sorted(ops)}


def convert_bundle(models: ModelSet, target: Target, out: str | os.PathLike, force: bool = False,
                   config: OCRConfig | None = None, progress: Callable[[str], None] = lambda _: None) -> Bundle:
    """Convert every model of ``models`` for ``target`` into the bundle folder ``out``."""
    out = Path(out)
    tasks = [t for t in ("det", "cls", "rec") if models.dir(t) is not None]
    sources = {t: _source_info(models, t) for t in tasks}
    dict_sha = sha256_file(models.dict_path)
    fingerprint = _fingerprint(target, sources, dict_sha)
    _check_output(out, fingerprint, force)
    config = config or OCRConfig()
    entries = {}
    with atomic_dir(out, replace=True) as tmp, tempfile.TemporaryDirectory() as work:
        for task in tasks:
            progress(f"{task}: preflight + convert for {target.name}")
            entries[task] = convert_model(task, models, target, Path(work), tmp / task)
            entries[task]["source"] = sources[task]
            for r in entries[task]["repairs"]:
                progress(f"{task}: repaired {r['count']} {r['op']} op(s): {r['why']}")
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
            "converter": {"tool": "paddle_lite_opt", "version": converter_version()},
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "model_set": models.name,
            "fingerprint": fingerprint,
            "models": entries,
            "files": files,
        })
    return Bundle.load(out, verify=False)  # just written and hashed
